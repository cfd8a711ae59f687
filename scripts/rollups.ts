// npm run db:rollups — rebuilds every usage rollup from the raw usage windows and every cost rollup from the records, in one transaction.
import pg from "pg";
import { rebuildCostRollups } from "../lib/db/mutations/cost-rollups";
import { markRollupFormatCurrent } from "../lib/db/mutations/rollup-format";
import { rebuildUsageRollups } from "../lib/db/mutations/usage-rollups";
import { pgRunner } from "../lib/db/sql";
import { openDatabase, stopOnSignals } from "./lib/database";
import { runMain } from "./lib/errors";
import { applyMigrations } from "./lib/schema-engine";

runMain(async () => {
  const db = await openDatabase();
  stopOnSignals(db.stop);
  try {
    await applyMigrations(db.url);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const started = performance.now();
    try {
      await client.query("begin");
      const result = await rebuildUsageRollups(pgRunner(client), {
        onProgress: (done, total) => process.stdout.write(`\rRebuilding usage rollups: ${done}/${total} deployments`),
      });
      const costs = await rebuildCostRollups(pgRunner(client));
      await markRollupFormatCurrent(client);
      await client.query("commit");
      console.log(`\nRebuilt ${result.quarters.toLocaleString("en-US")} 15-minute rows for ${result.deployments} deployments and the cost rollups of ${costs.runs.toLocaleString("en-US")} runs and ${costs.deployments} deployments in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    } catch (error) {
      await client.query("rollback").catch(() => {});
      throw error;
    } finally {
      await client.end();
    }
  } finally {
    await db.stop();
  }
});
