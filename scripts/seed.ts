// npm run db:seed [-- --reset] — fills the database with the deterministic demo org (--reset wipes every app table first).
import { seedDatabase } from "../lib/seed/write";
import { openDatabase, stopOnSignals } from "./lib/database";
import { runMain, StartupError } from "./lib/errors";
import { applyMigrations } from "./lib/schema-engine";

function parseArgs(argv: readonly string[]): { reset: boolean } {
  const unknown = argv.filter((arg) => arg !== "--reset");
  if (unknown.length > 0) throw new StartupError(`unknown argument ${unknown.join(" ")} — usage: npm run db:seed [-- --reset]`);
  return { reset: argv.includes("--reset") };
}

runMain(async () => {
  const { reset } = parseArgs(process.argv.slice(2));
  const db = await openDatabase();
  stopOnSignals(db.stop);
  try {
    await applyMigrations(db.url);
    const result = await seedDatabase({ url: db.url, reset });
    if (!result.isSeeded) {
      console.log("Database already seeded (it has an org); nothing changed. Run `npm run db:seed -- --reset` to wipe and reseed.");
      return;
    }
    const c = result.counts;
    const n = (x: number) => x.toLocaleString("en-US");
    console.log(
      `Seeded demo org in ${result.seconds.toFixed(1)} s (usage rollups ${result.rollupSeconds.toFixed(1)} s): ` +
        `${n(c.users)} users, ${n(c.teams)} teams, ${n(c.gpuTypes)} GPU types, ${n(c.gpuPrices)} GPU prices, ` +
        `${n(c.trainingRuns)} training runs, ${n(c.deployments)} deployments, ${n(c.usageWindows)} usage windows, ${n(c.rollupQuarters)} rollup quarters.`,
    );
  } finally {
    await db.stop();
  }
});
