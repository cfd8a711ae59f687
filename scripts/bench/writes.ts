import type pg from "pg";
import { applyUsageWindowChanges, checkUsageRollups, refreshUsageRollups, type UsageChange } from "@/lib/db/mutations/usage-rollups";
import { pgRunner, Prisma, type SqlRunner } from "@/lib/db/sql";
import { sketchFromSamples } from "@/lib/domain/latency-sketch";
import { Rng } from "./random";
import { timedRunner, type PhaseTime } from "./load";
import { latencyStats, type LatencyStats } from "./measure";

/**
 * Write throughput through the rollup path: batches of 1,000 new 5-minute
 * windows, each batch in one transaction that inserts the raw rows and calls
 * applyUsageWindowChanges for them (the batch write path: forms and the CSV
 * import use it for new windows, and the ingest API will), committed.
 * Two shapes: one deployment backfilling, and a scrape tick spread over 100
 * deployments. After each shape the rollups of the deployments written (and
 * of their teams) are compared with a recomputation from raw
 * (checkUsageRollups); then everything written is deleted again (with a
 * rollup refresh), checked again, so the stored dataset stays as generated.
 */

export const WRITE_BATCHES = 20;
export const WINDOWS_PER_BATCH = 1_000;
const SPREAD_DEPLOYMENTS = 100;
const WINDOW_MS = 300_000;

export interface WriteShape {
  label: string;
  detail: string;
  batches: number;
  windowsPerBatch: number;
  seconds: number;
  windowsPerSecond: number;
  batchMs: LatencyStats;
  /** Time per statement kind, summed over all batches. */
  phases: PhaseTime[];
  /** checkUsageRollups after the writes and after the cleanup: rows compared, rows that differ. */
  check: { rows: number; mismatches: number; afterCleanup: { rows: number; mismatches: number } } | null;
}

export interface WriteResult {
  shapes: WriteShape[];
  /** Rollup row counts equal before and after the test (cleanup restored them). */
  isRestored: boolean;
}

interface NewWindow {
  deploymentId: number;
  start: Date;
  requests: number;
  sketch: { keys: number[]; counts: number[] };
  keys: string;
  counts: string;
}

function makeWindows(slots: readonly { deploymentId: number; start: Date }[], rng: Rng): NewWindow[] {
  return slots.map(({ deploymentId, start }) => {
    const sketch = sketchFromSamples(Array.from({ length: 15 }, () => rng.lognormalMedian(220, 0.45)));
    return { deploymentId, start, requests: rng.int(50, 900), sketch, keys: `{${sketch.keys.join(",")}}`, counts: `{${sketch.counts.join(",")}}` };
  });
}

async function writeBatch(client: pg.Client, run: SqlRunner, windows: readonly NewWindow[]): Promise<void> {
  await client.query("begin");
  try {
    await run.execute(Prisma.sql`
      insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens",
        "outputTokens", "latencyKeys", "latencyCounts", "avgGpuUtilizationPct")
      select d, s, 300, r, 0, r * 900, r * 100, r * 250, k::smallint[], c::int[], 61.5
      from unnest(${windows.map((w) => w.deploymentId)}::int[], ${windows.map((w) => w.start)}::timestamptz[], ${windows.map((w) => w.requests)}::bigint[],
        ${windows.map((w) => w.keys)}::text[], ${windows.map((w) => w.counts)}::text[]) as t(d, s, r, k, c)`);
    await applyUsageWindowChanges(run, {
      added: windows.map((w) => ({
        deploymentId: w.deploymentId,
        window: {
          windowStart: w.start,
          windowSeconds: WINDOW_MS / 1000,
          requests: BigInt(w.requests),
          errors: 0n,
          inputTokens: BigInt(w.requests * 900),
          cachedInputTokens: BigInt(w.requests * 100),
          outputTokens: BigInt(w.requests * 250),
          latency: w.sketch,
          summaryMs: null,
          avgGpuUtilizationCentiPct: 6150,
        },
      })),
    });
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

async function runShape(
  client: pg.Client,
  label: string,
  detail: string,
  batches: readonly NewWindow[][],
): Promise<WriteShape> {
  const stats = new Map<string, { ms: number; count: number }>();
  const run = timedRunner(pgRunner(client), stats);
  const times: number[] = [];
  const started = performance.now();
  for (const batch of batches) {
    const s = performance.now();
    await writeBatch(client, run, batch);
    times.push(performance.now() - s);
  }
  const seconds = (performance.now() - started) / 1000;
  const windows = batches.reduce((sum, b) => sum + b.length, 0);
  const dbMs = [...stats.values()].reduce((sum, x) => sum + x.ms, 0);
  const phases: PhaseTime[] = [...stats.entries()].map(([l, x]) => ({ label: l, seconds: x.ms / 1000, statements: x.count }));
  phases.push({ label: "Node (proration) + BEGIN/COMMIT", seconds: seconds - dbMs / 1000 });
  return {
    label,
    detail,
    batches: batches.length,
    windowsPerBatch: WINDOWS_PER_BATCH,
    seconds,
    windowsPerSecond: windows / seconds,
    batchMs: latencyStats(times),
    phases,
    check: null,
  };
}

async function rollupCounts(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ n: string }>(
    `select (select count(*) from usage_rollup_quarter) || '/' || (select count(*) from usage_rollup_team_hour) || '/' || (select count(*) from usage_rollup_day) || '/' || (select count(*) from usage_rollup_month)
       || '/' || (select count(*) from usage_rollup_team_day) as n`,
  );
  return rows[0]!.n;
}

async function deleteAndRefresh(client: pg.Client, where: Prisma.Sql, changes: UsageChange[]): Promise<void> {
  const run = pgRunner(client);
  await client.query("begin");
  await run.execute(Prisma.sql`delete from inference_usage_windows where ${where}`);
  await refreshUsageRollups(run, changes);
  await client.query("commit");
}

async function check(client: pg.Client, deploymentIds: number[], span: { start: Date; end: Date }, log: (line: string) => void, what: string) {
  const result = await checkUsageRollups(pgRunner(client), { deploymentIds, ...span });
  log(`  rollups ${what}: ${result.rows.toLocaleString("en-US")} rows compared with a recomputation from raw, ${result.mismatches.length} differ`);
  for (const line of result.mismatches.slice(0, 5)) log(`    ${line}`);
  return { rows: result.rows, mismatches: result.mismatches.length };
}

function createDeployment(client: pg.Client, teamId: number, name: string, now: Date): Promise<number> {
  return client
    .query<{ id: number }>(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       select $1, $2, 'llama-3.1-8b-instruct', 'VLLM', 'FP8', 'CONTINUOUS', min(id), 'aws', 'ON_DEMAND', 1, $3, $3 from gpu_types returning id`,
      [teamId, name, now],
    )
    .then((r) => r.rows[0]!.id);
}

export async function measureWrites(client: pg.Client, options: { now: Date; teamId: number; log: (line: string) => void }): Promise<WriteResult> {
  const { now, log } = options;
  const rng = new Rng(1, "writes");
  // Every run deletes what it wrote, which leaves dead rows in the tables it wrote to (after a few runs, 440k dead raw
  // rows and 158k dead 15-minute rows): inserts then check their keys against dead index entries, and a backfill measured
  // 7.5–8.5k windows/s where the vacuumed table gave 12–15k. Each run starts from the dataset as generated.
  await client.query(`vacuum (analyze) inference_usage_windows, usage_rollup_quarter, usage_rollup_team_hour, usage_rollup_day, usage_rollup_month, usage_rollup_team_day`);
  const before = await rollupCounts(client);
  const shapes: WriteShape[] = [];

  // A: a new deployment backfilling 1,000 consecutive windows (83 h) per batch.
  const freshId = await createDeployment(client, options.teamId, "bench-write-test", now);
  const backfill = Array.from({ length: WRITE_BATCHES }, (_, b) =>
    makeWindows(
      Array.from({ length: WINDOWS_PER_BATCH }, (_, i) => ({ deploymentId: freshId, start: new Date(now.getTime() + (b * WINDOWS_PER_BATCH + i) * WINDOW_MS) })),
      rng,
    ),
  );
  const backfillSpan = { start: now, end: new Date(now.getTime() + WRITE_BATCHES * WINDOWS_PER_BATCH * WINDOW_MS) };
  try {
    const shape = await runShape(client, "Backfill", "one new deployment, 1,000 consecutive windows (83 hours) per batch", backfill);
    log(`  writes (backfill): ${shape.windowsPerSecond.toFixed(0)} windows/s, batch p50 ${shape.batchMs.p50.toFixed(1)} ms, p95 ${shape.batchMs.p95.toFixed(1)} ms`);
    const written = await check(client, [freshId], backfillSpan, log, "after the backfill");
    await deleteAndRefresh(client, Prisma.sql`"deploymentId" = ${freshId}`, [{ deploymentId: freshId, ...backfillSpan }]);
    shape.check = { ...written, afterCleanup: await check(client, [freshId], backfillSpan, log, "after its cleanup") };
    shapes.push(shape);
  } finally {
    await deleteAndRefresh(client, Prisma.sql`"deploymentId" = ${freshId}`, [{ deploymentId: freshId, ...backfillSpan }]);
    await client.query(`delete from inference_deployments where id = $1`, [freshId]);
  }

  // B: a scrape tick — one window per deployment per tick, 10 ticks per batch of 1,000, over 100 deployments:
  // the live ones, topped up with new deployments (spread over the same teams) when there are fewer.
  const live = (
    await client.query<{ id: number; teamId: number }>(`select id, "teamId" from inference_deployments where "activeTo" is null order by id limit ${SPREAD_DEPLOYMENTS}`)
  ).rows;
  const added: number[] = [];
  for (let i = live.length; i < SPREAD_DEPLOYMENTS; i++) added.push(await createDeployment(client, live[i % live.length]?.teamId ?? options.teamId, `bench-write-spread-${i}`, now));
  const targets = [...live.map((d) => d.id), ...added];
  const ticks = WINDOWS_PER_BATCH / targets.length;
  const spread = Array.from({ length: WRITE_BATCHES }, (_, b) =>
    makeWindows(
      Array.from({ length: WINDOWS_PER_BATCH }, (_, i) => ({
        deploymentId: targets[i % targets.length]!,
        start: new Date(now.getTime() + (b * ticks + Math.floor(i / targets.length)) * WINDOW_MS),
      })),
      rng,
    ),
  );
  const spreadSpan = { start: now, end: new Date(now.getTime() + WRITE_BATCHES * ticks * WINDOW_MS) };
  const cleanup = () =>
    deleteAndRefresh(
      client,
      Prisma.sql`"deploymentId" = any(${targets}::int[]) and "windowStart" >= ${now}`,
      targets.map((deploymentId) => ({ deploymentId, ...spreadSpan })),
    );
  try {
    const detail =
      `1,000 windows over ${targets.length} deployments (${live.length} live${added.length > 0 ? ` + ${added.length} new` : ""}): ` +
      `${ticks} scrape ticks of one 5-minute window each per batch`;
    const shape = await runShape(client, "Spread", detail, spread);
    log(`  writes (spread): ${shape.windowsPerSecond.toFixed(0)} windows/s, batch p50 ${shape.batchMs.p50.toFixed(1)} ms, p95 ${shape.batchMs.p95.toFixed(1)} ms`);
    const written = await check(client, targets, spreadSpan, log, "after the spread writes");
    await cleanup();
    shape.check = { ...written, afterCleanup: await check(client, targets, spreadSpan, log, "after their cleanup") };
    shapes.push(shape);
  } finally {
    await cleanup();
    if (added.length > 0) await client.query(`delete from inference_deployments where id = any($1::int[])`, [added]);
  }
  return { shapes, isRestored: (await rollupCounts(client)) === before };
}
