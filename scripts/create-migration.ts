// npm run db:migration -- <name> — writes prisma/migrations/<timestamp>_<name>/migration.sql
// from the difference between the existing migrations and prisma/schema.prisma.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openDatabase } from "./lib/database";
import { runMain, StartupError } from "./lib/errors";
import { diffMigrationsToSchema, MIGRATIONS_DIR, withScratchDatabase } from "./lib/schema-engine";

runMain(async () => {
  const name = (process.argv[2] ?? "").trim();
  if (!/^[a-z0-9_]{1,60}$/.test(name)) {
    throw new StartupError("give the migration a name of lowercase letters, digits and _: npm run db:migration -- add_budgets");
  }
  const db = await openDatabase();
  try {
    const sql = await withScratchDatabase(db.url, (shadowUrl) => diffMigrationsToSchema({ url: db.url, shadowUrl }));
    if (!sql) {
      console.log("schema.prisma matches the migrations: nothing to write.");
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), `${sql}\n`);
    console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql — review it, then npm run db:migrate`);
  } finally {
    await db.stop();
  }
});
