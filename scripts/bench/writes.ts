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
 * Two shapes: one deployment backfilling (from now on, and history), and a scrape tick spread over 100
 * deployments. After each shape the rollups of the deployments written (and
 * of their teams) are compared with a recomputation from raw
 * (checkUsageRollups); then everything written is deleted again (with a
 * rollup refresh), checked again, so the stored dataset stays as generated.
 */

export const WRITE_BATCHES = 30;
/**
 * Batches each writer writes first, untimed, as the query cases warm up: the
 * first batches of a shape run on cold caches for the pages it writes (and
 * cold code paths), 2–4 times slower than the rest, and 20 timed batches
 * moved the result by ±15 % with them.
 */
export const WARM_UP_BATCHES = 3;
const ALL_BATCHES = WARM_UP_BATCHES + WRITE_BATCHES;
/** Issue 14's target through the write path, for either shape. */
export const WRITE_TARGET_WINDOWS_PER_S = 20_000;
export const WINDOWS_PER_BATCH = 1_000;
const SPREAD_DEPLOYMENTS = 100;
const WINDOW_MS = 300_000;

export interface WriteShape {
  label: string;
  detail: string;
  /** Writers at once, each on its own connection (1: batches one after another). */
  writers: number;
  /** Batches in all, over every writer. */
  batches: number;
  windowsPerBatch: number;
  seconds: number;
  windowsPerSecond: number;
  batchMs: LatencyStats;
  /** Time per statement kind, summed over all batches (of every writer). */
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

/**
 * Runs a shape's writers at once, each on its own connection with its own
 * batches one after another: one writer is a single client; two are two
 * scrapers or gateways posting for their own deployments at the same time,
 * as a server takes them (the deployments' locks keep the writers apart only
 * where they share a team's rows).
 */
async function runShape(
  clients: readonly pg.Client[],
  label: string,
  detail: string,
  writers: readonly (readonly NewWindow[][])[],
): Promise<WriteShape> {
  const stats = new Map<string, { ms: number; count: number }>();
  const times: number[] = [];
  let nodeMs = 0;
  // Untimed warm-up: each writer's first batches, the writers at once as in the timed part.
  await Promise.all(
    writers.map(async (batches, index) => {
      for (const batch of batches.slice(0, WARM_UP_BATCHES)) await writeBatch(clients[index]!, pgRunner(clients[index]!), batch);
    }),
  );
  const started = performance.now();
  await Promise.all(
    writers.map(async (batches, index) => {
      const client = clients[index]!;
      const own = new Map<string, { ms: number; count: number }>();
      const run = timedRunner(pgRunner(client), own);
      const writerStarted = performance.now();
      for (const batch of batches.slice(WARM_UP_BATCHES)) {
        const s = performance.now();
        await writeBatch(client, run, batch);
        times.push(performance.now() - s);
      }
      const dbMs = [...own.values()].reduce((sum, x) => sum + x.ms, 0);
      nodeMs += performance.now() - writerStarted - dbMs;
      for (const [key, x] of own) {
        const total = stats.get(key) ?? { ms: 0, count: 0 };
        stats.set(key, { ms: total.ms + x.ms, count: total.count + x.count });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const windows = writers.flatMap((batches) => batches.slice(WARM_UP_BATCHES)).reduce((sum, b) => sum + b.length, 0);
  const phases: PhaseTime[] = [...stats.entries()].map(([l, x]) => ({ label: l, seconds: x.ms / 1000, statements: x.count }));
  phases.push({ label: "Node (proration) + BEGIN/COMMIT", seconds: nodeMs / 1000 });
  return {
    label,
    detail,
    writers: writers.length,
    batches: times.length,
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

/** One writer's batches of 1,000 consecutive windows of one deployment (83 hours each), from `from`. */
function backfillBatches(deploymentId: number, from: Date, rng: Rng): NewWindow[][] {
  return Array.from({ length: ALL_BATCHES }, (_, b) =>
    makeWindows(
      Array.from({ length: WINDOWS_PER_BATCH }, (_, i) => ({ deploymentId, start: new Date(from.getTime() + (b * WINDOWS_PER_BATCH + i) * WINDOW_MS) })),
      rng,
    ),
  );
}

/** Where the history backfill starts: far enough back that all of its 69 days are sealed days (with day rows to keep). */
const HISTORY_DAYS = 90;

/** One writer's scrape ticks: one window per deployment per tick, as many ticks per batch as make 1,000 windows. */
function spreadBatches(targets: readonly number[], now: Date, rng: Rng): NewWindow[][] {
  const ticks = WINDOWS_PER_BATCH / targets.length;
  return Array.from({ length: ALL_BATCHES }, (_, b) =>
    makeWindows(
      Array.from({ length: WINDOWS_PER_BATCH }, (_, i) => ({
        deploymentId: targets[i % targets.length]!,
        start: new Date(now.getTime() + (b * ticks + Math.floor(i / targets.length)) * WINDOW_MS),
      })),
      rng,
    ),
  );
}

export async function measureWrites(
  client: pg.Client,
  options: { now: Date; teamId: number; log: (line: string) => void; connect: () => Promise<pg.Client> },
): Promise<WriteResult> {
  const { now, log } = options;
  const rng = new Rng(1, "writes");
  // Every run deletes what it wrote, which leaves dead rows in the tables it wrote to (after a few runs, 440k dead raw
  // rows and 158k dead 15-minute rows): inserts then check their keys against dead index entries, and a backfill measured
  // 7.5–8.5k windows/s where the vacuumed table gave 12–15k. Each run starts from the dataset as generated.
  const vacuum = () =>
    client.query(`vacuum (analyze) inference_usage_windows, usage_rollup_quarter, usage_rollup_team_hour, usage_rollup_day, usage_rollup_month, usage_rollup_team_day`);
  await vacuum();
  const before = await rollupCounts(client);
  const shapes: WriteShape[] = [];
  const second = await options.connect();
  const added: number[] = [];
  /** Runs a shape (one writer per batch list), checks the rollups of what it wrote against raw, cleans up and checks again. */
  const measureShape = async (label: string, detail: string, writers: NewWindow[][][], ids: number[], span: { start: Date; end: Date }, cleanup: () => Promise<void>) => {
    const shape = await runShape([client, second].slice(0, writers.length), label, detail, writers);
    log(`  writes (${label}): ${shape.windowsPerSecond.toFixed(0)} windows/s, batch p50 ${shape.batchMs.p50.toFixed(1)} ms, p95 ${shape.batchMs.p95.toFixed(1)} ms`);
    const written = await check(client, ids, span, log, "after the writes");
    await cleanup();
    shape.check = { ...written, afterCleanup: await check(client, ids, span, log, "after the cleanup") };
    return shape;
  };
  try {
    // A: new deployments backfilling 1,000 consecutive windows (83 h) per batch from now on (days not sealed yet: no day
    // rows to keep, as for a live gateway): one, then two at once (one writer each); then one backfilling history (sealed
    // days, whose day rows every batch keeps, in 5 zones).
    for (const { writers, isHistory } of [{ writers: 1, isHistory: false }, { writers: 2, isHistory: false }, { writers: 1, isHistory: true }]) {
      const ids: number[] = [];
      const from = isHistory ? new Date(now.getTime() - HISTORY_DAYS * 86_400_000) : now;
      for (let w = 0; w < writers; w++) ids.push(await createDeployment(client, options.teamId, `bench-write-backfill-${writers}-${w}${isHistory ? "-history" : ""}`, from));
      added.push(...ids);
      const span = { start: from, end: new Date(from.getTime() + ALL_BATCHES * WINDOWS_PER_BATCH * WINDOW_MS) };
      const cleanup = () => deleteAndRefresh(client, Prisma.sql`"deploymentId" = any(${ids}::int[])`, ids.map((deploymentId) => ({ deploymentId, ...span })));
      try {
        const detail = isHistory
          ? `one new deployment, 1,000 consecutive windows per batch from ${HISTORY_DAYS} days before now: every day sealed, so each batch also adds to its deployment-day and team-day rows in 5 zones`
          : writers === 1
            ? "one new deployment, 1,000 consecutive windows (83 hours) per batch, from now on (days not sealed yet)"
            : "two new deployments of one team at once, one writer each, 1,000 consecutive windows per batch, from now on";
        const label = isHistory ? "Backfill of history" : writers === 1 ? "Backfill" : "Backfill, 2 writers";
        shapes.push(await measureShape(label, detail, ids.map((id) => backfillBatches(id, from, rng)), ids, span, cleanup));
      } finally {
        await cleanup();
        // Gone before the spread shapes pick the live deployments.
        await client.query(`delete from inference_deployments where id = any($1::int[])`, [ids]);
        added.splice(added.length - ids.length, ids.length);
      }
      await vacuum();
    }

    // B: scrape ticks — one window per deployment per tick, 10 ticks per batch of 1,000, over 100 deployments: the live
    // ones, topped up with new deployments (spread over the same teams) when there are fewer. With two writers, the
    // second scrapes 100 new deployments of the same teams (its own, as a second gateway would).
    const live = (
      await client.query<{ id: number; teamId: number }>(`select id, "teamId" from inference_deployments where "activeTo" is null order by id limit ${SPREAD_DEPLOYMENTS}`)
    ).rows;
    const topUp: number[] = [];
    for (let i = live.length; i < SPREAD_DEPLOYMENTS; i++) topUp.push(await createDeployment(client, live[i % live.length]?.teamId ?? options.teamId, `bench-write-spread-${i}`, now));
    added.push(...topUp);
    const others: number[] = [];
    for (let i = 0; i < SPREAD_DEPLOYMENTS; i++) others.push(await createDeployment(client, live[i % live.length]?.teamId ?? options.teamId, `bench-write-spread-2-${i}`, now));
    added.push(...others);
    const groups = [[...live.map((d) => d.id), ...topUp], others];
    const span = { start: now, end: new Date(now.getTime() + (ALL_BATCHES * WINDOWS_PER_BATCH * WINDOW_MS) / SPREAD_DEPLOYMENTS) };
    for (const writers of [1, 2]) {
      const targets = groups.slice(0, writers).flat();
      const cleanup = () =>
        deleteAndRefresh(
          client,
          Prisma.sql`"deploymentId" = any(${targets}::int[]) and "windowStart" >= ${now}`,
          targets.map((deploymentId) => ({ deploymentId, ...span })),
        );
      try {
        const detail =
          writers === 1
            ? `1,000 windows over ${SPREAD_DEPLOYMENTS} deployments (${live.length} live${topUp.length > 0 ? ` + ${topUp.length} new` : ""}): ` +
              `${WINDOWS_PER_BATCH / SPREAD_DEPLOYMENTS} scrape ticks of one 5-minute window each per batch`
            : `the same, and at once a second writer scraping ${SPREAD_DEPLOYMENTS} other deployments of the same teams (each batch still over 100 deployments)`;
        shapes.push(await measureShape(writers === 1 ? "Spread" : "Spread, 2 writers", detail, groups.slice(0, writers).map((g) => spreadBatches(g, now, rng)), targets, span, cleanup));
      } finally {
        await cleanup();
      }
      await vacuum();
    }
  } finally {
    await second.end();
    if (added.length > 0) await client.query(`delete from inference_deployments where id = any($1::int[])`, [added]);
  }
  return { shapes, isRestored: (await rollupCounts(client)) === before };
}
