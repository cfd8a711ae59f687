import pg from "pg";
import { rollAllCosts } from "./mutations/cost-rollups";
import { compactTeamRollups, sealUsageDays, sealUsageMonths } from "./mutations/usage-rollups";
import { pgRunner, type SqlRunner } from "./sql";

/**
 * The background cost roller, started once per server process
 * (instrumentation.ts): shortly after start and then every few minutes it
 * rolls up what writes left pending (a catalog change, a migration) and moves
 * serving deployments' watermarks forward, seals the local days that ended
 * an hour ago (usage-rollups.ts sealUsageDays: their day rows, built from the
 * 15-minute rows) and the usage months that ended a day ago
 * (sealUsageMonths), and compacts closed team
 * buckets that live writes appended to (compactTeamRollups: every row on the
 * first tick, the last 40 days' on later ones), in small transactions on its own
 * one-connection pool. Several processes may run it: items are claimed with
 * FOR UPDATE SKIP LOCKED. Failures (the database restarting) are logged and
 * retried on the next tick; the ledger is correct without the roller, only
 * slower.
 */
const FIRST_DELAY_MS = 5_000;
const INTERVAL_MS = 5 * 60_000;
/** Later ticks compact the buckets of this many recent days: where live writes append. */
const COMPACT_DAYS = 40;

export function startCostRoller(databaseUrl: string, log: (line: string) => void = console.log): () => void {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => {}); // an idle connection dropped by a restarting server; the next tick reconnects
  let isRunning = false;
  let isStopped = false;
  let hasCompactedAll = false;
  const transaction = async <T>(work: (run: SqlRunner) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const result = await work(pgRunner(client));
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  const tick = async () => {
    if (isRunning || isStopped) return;
    isRunning = true;
    const started = performance.now();
    try {
      const done = await rollAllCosts(transaction, { chunk: 1_000, isAdvancing: true });
      if (done.runs + done.deployments > 0) {
        log(`Cost rollups: rolled ${done.runs} runs and ${done.deployments} deployments in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
      // A month at a time per zone (a first seal of a long history takes several transactions).
      while (!isStopped) {
        const days = await transaction((run) => sealUsageDays(run, new Date()));
        if (days.length === 0) break;
        for (const day of days) log(`Usage rollups: sealed ${day.timeZone}'s days before ${day.sealedTo.toISOString()} (${day.rows} day rows)`);
      }
      for (const month of await transaction((run) => sealUsageMonths(run, new Date()))) {
        log(`Usage rollups: sealed ${month.timeZone}'s months before ${month.sealedTo.toISOString()} (${month.rows} month rows)`);
      }
      const now = new Date();
      const since = hasCompactedAll ? new Date(now.getTime() - COMPACT_DAYS * 86_400_000) : null;
      let compacted = 0;
      while (!isStopped) {
        const rows = await transaction((run) => compactTeamRollups(run, { now, since, limit: 10_000 }));
        if (rows === 0) break;
        compacted += rows;
      }
      hasCompactedAll = true;
      if (compacted > 0) log(`Usage rollups: compacted ${compacted} closed team rows`);
    } catch (error) {
      log(`Cost rollups: will retry (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      isRunning = false;
    }
  };
  const first = setTimeout(() => void tick(), FIRST_DELAY_MS);
  const interval = setInterval(() => void tick(), INTERVAL_MS);
  first.unref();
  interval.unref();
  return () => {
    isStopped = true;
    clearTimeout(first);
    clearInterval(interval);
    void pool.end();
  };
}
