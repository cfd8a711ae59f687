import { bucketsBetween } from "@/lib/domain/calendar";
import { sketchQuantileKey } from "@/lib/domain/latency-sketch";
import {
  adjustMeasures,
  normalizeSketch,
  prorateWindow,
  QUARTER_MS,
  rollupQuarters,
  sameMeasures,
  sumMeasures,
  type UsageMeasures,
  type UsageWindowInput,
} from "@/lib/domain/usage-rollup";
import { arrayLiteral, nestedArrayLiteral, Prisma, type SqlRunner } from "../sql";

/**
 * Keeps the usage rollups equal to the raw windows: 15-minute rows per
 * deployment (usage_rollup_quarter), and from them team-hour rows
 * (usage_rollup_team_hour), per-zone local-day rows per deployment
 * (usage_rollup_day) and per team (usage_rollup_team_day), for every zone in
 * rollup_time_zones. Every coarser row is the sum (sumMeasures) of the
 * 15-minute rows inside it.
 *
 * `refreshUsageRollups` runs in the same transaction as any insert, update or
 * delete of inference_usage_windows, batched across deployments (a constant
 * number of statements per call, whatever the number of deployments):
 *   1. the 15-minute rows of the changed spans are recomputed from the raw
 *      windows (lib/domain proration) and replaced;
 *   2. every coarser row they fall in is adjusted by (new − old) 15-minute
 *      rows (adjustMeasures: exact integer sums and sketch counts), and
 *      upserted, or deleted when it no longer sums anything.
 * Step 2 relies on the coarser rows being the sums they should be, as every
 * write keeps them; if an adjustment would go negative it recomputes all the
 * coarser rows of the call from their 15-minute rows instead. `rebuildUsageRollups`
 * recomputes everything from raw (`npm run db:rollups`). Sketch merging runs in
 * TypeScript: PostgreSQL's unnest-and-group of (key, count) pairs measured
 * ~2.5M pairs/s here, several times slower.
 */

/** Longest accepted usage window; bounds the look-back for overlapping windows. */
export const MAX_WINDOW_SECONDS = 31 * 24 * 3600;
const HOUR_MS = 3_600_000;
/**
 * First look-back for windows that start before a changed span and reach into
 * it. Changed spans of one deployment closer than this are merged, so the
 * look-back never overlaps another changed span.
 */
const LOOK_BACK_MS = HOUR_MS;

export interface UsageChange {
  deploymentId: number;
  /** The changed window's span (for an update, call once for the old and once for the new span). */
  start: Date;
  end: Date;
}

interface RawWindowRow {
  windowStartMs: number;
  windowSeconds: number;
  requests: string;
  errors: string;
  inputTokens: string;
  cachedInputTokens: string;
  outputTokens: string;
  latencyKeys: string | null;
  latencyCounts: string | null;
  p50: string | null;
  p95: string | null;
  p99: string | null;
  utilCentiPct: string | null;
}

/** A PostgreSQL array literal of integers ("{1,2,3}", as ::text gives it) → numbers; faster than the driver's generic array parser. */
function parseIntegers(literal: string | null): number[] {
  return literal && literal.length > 2 ? literal.slice(1, -1).split(",").map(Number) : [];
}

/** Dates as ISO strings for ::timestamptz[] parameters (the driver's own Date serialization is several times slower). */
function isoStrings(dates: readonly Date[]): string[] {
  return dates.map((d) => d.toISOString());
}

function toWindowInput(row: RawWindowRow): UsageWindowInput {
  const keys = parseIntegers(row.latencyKeys);
  return {
    windowStart: new Date(row.windowStartMs),
    windowSeconds: row.windowSeconds,
    requests: BigInt(row.requests),
    errors: BigInt(row.errors),
    inputTokens: BigInt(row.inputTokens),
    cachedInputTokens: BigInt(row.cachedInputTokens),
    outputTokens: BigInt(row.outputTokens),
    latency: keys.length > 0 ? { keys, counts: parseIntegers(row.latencyCounts) } : null,
    summaryMs: row.p50 !== null && row.p95 !== null && row.p99 !== null ? { p50: Number(row.p50), p95: Number(row.p95), p99: Number(row.p99) } : null,
    avgGpuUtilizationCentiPct: row.utilCentiPct === null ? null : Number(row.utilCentiPct),
  };
}

const RAW_WINDOW_COLUMNS = Prisma.sql`
  (extract(epoch from w."windowStart") * 1000)::float8 as "windowStartMs", w."windowSeconds", w.requests::text as requests, w.errors::text as errors,
  w."inputTokens"::text as "inputTokens", w."cachedInputTokens"::text as "cachedInputTokens", w."outputTokens"::text as "outputTokens",
  w."latencyKeys"::text as "latencyKeys", w."latencyCounts"::text as "latencyCounts", w."latencyP50Ms"::text as p50, w."latencyP95Ms"::text as p95,
  w."latencyP99Ms"::text as p99, round(w."avgGpuUtilizationPct" * 100)::text as "utilCentiPct"`;

type RollupTable = "usage_rollup_quarter" | "usage_rollup_team_hour" | "usage_rollup_day" | "usage_rollup_month" | "usage_rollup_team_day";

const OWNER_COLUMN: Record<RollupTable, Prisma.Sql> = {
  usage_rollup_quarter: Prisma.sql`"deploymentId"`,
  usage_rollup_team_hour: Prisma.sql`"teamId"`,
  usage_rollup_day: Prisma.sql`"deploymentId"`,
  usage_rollup_month: Prisma.sql`"deploymentId"`,
  usage_rollup_team_day: Prisma.sql`"teamId"`,
};
const HAS_ZONE: Record<RollupTable, boolean> = {
  usage_rollup_quarter: false,
  usage_rollup_team_hour: false,
  usage_rollup_day: true,
  usage_rollup_month: true,
  usage_rollup_team_day: true,
};

interface RollupKey {
  /** "" for the tables without a zone. */
  timeZone: string;
  ownerId: number;
  bucketStart: Date;
}

interface RollupRow extends RollupKey {
  measures: UsageMeasures;
}

const MEASURE_COLUMNS = Prisma.sql`"windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs",
  requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts"`;

/** The measures as text where int8/numeric (the two drivers differ there), for toMeasures. */
const SELECT_MEASURES = Prisma.sql`"windowCount", "windowMs"::text as "windowMs", "idleMs"::text as "idleMs", "utilMs"::text as "utilMs",
  ("utilPctMs" * 100)::bigint::text as "utilCentiPctMs", requests::text as requests, errors::text as errors, "inputTokens"::text as "inputTokens",
  "cachedInputTokens"::text as "cachedInputTokens", "outputTokens"::text as "outputTokens", "approxRequests"::text as "approxRequests",
  "latencyKeys"::text as "latencyKeys", "latencyCounts"::text as "latencyCounts"`;

interface RawMeasures {
  windowCount: number;
  windowMs: string;
  idleMs: string;
  utilMs: string;
  utilCentiPctMs: string;
  requests: string;
  errors: string;
  inputTokens: string;
  cachedInputTokens: string;
  outputTokens: string;
  approxRequests: string;
  latencyKeys: string | null;
  latencyCounts: string | null;
}

function toMeasures(r: RawMeasures): UsageMeasures {
  return {
    windowCount: r.windowCount,
    windowMs: BigInt(r.windowMs),
    idleMs: BigInt(r.idleMs),
    utilMs: BigInt(r.utilMs),
    utilCentiPctMs: BigInt(r.utilCentiPctMs),
    requests: BigInt(r.requests),
    errors: BigInt(r.errors),
    inputTokens: BigInt(r.inputTokens),
    cachedInputTokens: BigInt(r.cachedInputTokens),
    outputTokens: BigInt(r.outputTokens),
    approxRequests: BigInt(r.approxRequests),
    latency: { keys: parseIntegers(r.latencyKeys), counts: parseIntegers(r.latencyCounts) },
  };
}

/** unnest() arguments for a list of keys: zone, owner, bucket start. */
function keyArrays(keys: readonly RollupKey[]): Prisma.Sql {
  const zones = `{${keys.map((k) => `"${k.timeZone.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
  const owners = arrayLiteral(keys.map((k) => k.ownerId));
  const starts = arrayLiteral(keys.map((k) => k.bucketStart.toISOString()));
  return Prisma.sql`${zones}::text[], ${owners}::int[], ${starts}::timestamptz[]`;
}

function keyMatch(table: RollupTable): Prisma.Sql {
  const zone = HAS_ZONE[table] ? Prisma.sql`r."timeZone" = k.tz and ` : Prisma.empty;
  return Prisma.sql`${zone}r.${OWNER_COLUMN[table]} = k.o and r."bucketStart" = k.b`;
}

/**
 * Pairs past which an appended sketch is normalized (burnrate_sketch_add);
 * a normalized day row holds ~160, so a row takes a few appends between
 * normalizations and stays well under PostgreSQL's 2 kB TOAST threshold.
 */
const MAX_SKETCH_PAIRS = 320;
/**
 * Month rows take an append from every write to their month, and team rows
 * from every write of any of the team's deployments, with sketches holding
 * all of their keys (a normalized team row at the 10m tier holds ~250
 * pairs, so at 320 nearly every append re-normalized it: ~7 ms of a history
 * backfill's batch for its team days). They normalize less often, still
 * under the 8 kB toast_tuple_target; they are read a few hundred at a time at
 * most, and team rows mostly by their compact quantile keys.
 */
const WIDE_MAX_SKETCH_PAIRS = 640;
const WIDE_ROWS: ReadonlySet<RollupTable> = new Set(["usage_rollup_month", "usage_rollup_team_hour", "usage_rollup_team_day"]);

/**
 * Team rows carry their sketch's p50/p95/p99 keys while `isCompact`
 * (schema.prisma): the team-wide hour and day charts read one row per bucket,
 * and with the keys stored they read three numbers instead of a sketch whose
 * width grows with the team's deployments.
 */
const HAS_QUANTILES: Record<RollupTable, boolean> = {
  usage_rollup_quarter: false,
  usage_rollup_team_hour: true,
  usage_rollup_day: false,
  usage_rollup_month: false,
  usage_rollup_team_day: true,
};

/** p50/p95/p99 keys of a sketch by DDSketch's rank rule, as readers compute them (its pairs may repeat keys out of order). */
export function quantileKeysOf(latency: { keys: readonly number[]; counts: readonly number[] }): [number | null, number | null, number | null] {
  const sketch = normalizeSketch({ keys: [...latency.keys], counts: [...latency.counts] });
  return [sketchQuantileKey(sketch, 0.5), sketchQuantileKey(sketch, 0.95), sketchQuantileKey(sketch, 0.99)];
}

/**
 * Writes rollup rows in batches, one statement each; sketches travel as
 * array literals. "insert": new rows. "upsert": rows that exist are
 * overwritten. "add": rows that exist get these measures added — scalars in
 * SQL, sketches appended (burnrate_sketch_add) — so pure additions need no
 * read of the rows they change.
 */
async function insertRollupRows(run: SqlRunner, table: RollupTable, rows: readonly RollupRow[], { mode = "insert" }: { mode?: "insert" | "upsert" | "add" } = {}): Promise<void> {
  for (let i = 0; i < rows.length; i += 5_000) {
    const batch = rows.slice(i, i + 5_000);
    // Each column travels as one array literal built here: the driver's per-element escaping of JS arrays cost more than the statement.
    const col = (f: (m: UsageMeasures) => number | bigint) => arrayLiteral(batch.map((r) => f(r.measures)));
    const sketchCol = (f: (m: UsageMeasures) => number[]) => nestedArrayLiteral(batch.map((r) => f(r.measures)));
    const zoneColumn = HAS_ZONE[table] ? Prisma.sql`"timeZone", ` : Prisma.empty;
    const zoneValue = HAS_ZONE[table] ? Prisma.sql`tz, ` : Prisma.empty;
    // A row written whole carries its quantile keys; an appended one no longer matches them (compactTeamRollups sets them again).
    const quantiles = HAS_QUANTILES[table] ? batch.map((r) => quantileKeysOf(r.measures.latency)) : [];
    const quantileColumns = HAS_QUANTILES[table] ? Prisma.sql`, "isCompact", "p50Key", "p95Key", "p99Key"` : Prisma.empty;
    const quantileValues = HAS_QUANTILES[table] ? Prisma.sql`, true, q50, q95, q99` : Prisma.empty;
    const quantileArrays = HAS_QUANTILES[table]
      ? Prisma.sql`, ${arrayLiteral(quantiles.map((q) => q[0]))}::smallint[], ${arrayLiteral(quantiles.map((q) => q[1]))}::smallint[], ${arrayLiteral(quantiles.map((q) => q[2]))}::smallint[]`
      : Prisma.empty;
    const quantileNames = HAS_QUANTILES[table] ? Prisma.sql`, q50, q95, q99` : Prisma.empty;
    const added = (column: string) => Prisma.raw(`"${column}" = r."${column}" + excluded."${column}"`);
    const conflict = mode === "add"
      ? Prisma.sql`on conflict (${zoneColumn}${OWNER_COLUMN[table]}, "bucketStart") do update set
          ${Prisma.join(["windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs", "requests", "errors", "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests"].map(added))},
          ("latencyKeys", "latencyCounts") = (select s.keys, s.counts from burnrate_sketch_add(r."latencyKeys", r."latencyCounts", excluded."latencyKeys", excluded."latencyCounts", ${WIDE_ROWS.has(table) ? WIDE_MAX_SKETCH_PAIRS : MAX_SKETCH_PAIRS}::int) s)
          ${HAS_QUANTILES[table] ? Prisma.sql`, "isCompact" = false` : Prisma.empty}`
      : mode === "upsert"
      ? Prisma.sql`on conflict (${zoneColumn}${OWNER_COLUMN[table]}, "bucketStart") do update set "windowCount" = excluded."windowCount",
          "windowMs" = excluded."windowMs", "idleMs" = excluded."idleMs", "utilMs" = excluded."utilMs", "utilPctMs" = excluded."utilPctMs",
          requests = excluded.requests, errors = excluded.errors, "inputTokens" = excluded."inputTokens", "cachedInputTokens" = excluded."cachedInputTokens",
          "outputTokens" = excluded."outputTokens", "approxRequests" = excluded."approxRequests", "latencyKeys" = excluded."latencyKeys",
          "latencyCounts" = excluded."latencyCounts"
          ${HAS_QUANTILES[table] ? Prisma.sql`, "isCompact" = excluded."isCompact", "p50Key" = excluded."p50Key", "p95Key" = excluded."p95Key", "p99Key" = excluded."p99Key"` : Prisma.empty}`
      : Prisma.empty;
    await run.execute(Prisma.sql`
      insert into ${Prisma.raw(table)} as r (${zoneColumn}${OWNER_COLUMN[table]}, "bucketStart", ${MEASURE_COLUMNS}${quantileColumns})
      select ${zoneValue}o, b, wc, wms, ims, ums, upm / 100, r, e, it, ct, ot, ar, lk::smallint[], lc::bigint[]${quantileValues}
      from unnest(${keyArrays(batch)},
        ${col((m) => m.windowCount)}::int[], ${col((m) => m.windowMs)}::bigint[], ${col((m) => m.idleMs)}::bigint[],
        ${col((m) => m.utilMs)}::bigint[], ${col((m) => m.utilCentiPctMs)}::numeric[], ${col((m) => m.requests)}::bigint[],
        ${col((m) => m.errors)}::bigint[], ${col((m) => m.inputTokens)}::bigint[], ${col((m) => m.cachedInputTokens)}::bigint[],
        ${col((m) => m.outputTokens)}::bigint[], ${col((m) => m.approxRequests)}::bigint[],
        ${sketchCol((m) => m.latency.keys)}::text[], ${sketchCol((m) => m.latency.counts)}::text[]${quantileArrays})
        as t(tz, o, b, wc, wms, ims, ums, upm, r, e, it, ct, ot, ar, lk, lc${quantileNames})
      ${conflict}`);
  }
}

/**
 * The ctids of a table's rows in some (zone, owner, [start, end)) ranges: an
 * index range scan per range (the fenced lateral keeps PostgreSQL from a hash
 * join over the whole table, which it picks for range joins on unnest).
 * Only for rows this transaction holds the owners' locks for.
 */
function rangeRows(table: RollupTable, ranges: readonly { timeZone?: string; ownerId: number; start: Date; end: Date }[]): Prisma.Sql {
  const zone = HAS_ZONE[table] ? Prisma.sql`r."timeZone" = s.tz and ` : Prisma.empty;
  return Prisma.sql`
    select x.ctid from unnest(${ranges.map((r) => r.timeZone ?? "")}::text[], ${ranges.map((r) => r.ownerId)}::int[], ${isoStrings(ranges.map((r) => r.start))}::timestamptz[],
      ${isoStrings(ranges.map((r) => r.end))}::timestamptz[]) as s(tz, o, lo, hi)
    cross join lateral (
      select r.ctid from ${Prisma.raw(table)} r
      where ${zone}r.${OWNER_COLUMN[table]} = s.o and r."bucketStart" >= s.lo and r."bucketStart" < s.hi
      offset 0) x`;
}

async function deleteRollupRows(run: SqlRunner, table: RollupTable, keys: readonly RollupKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 5_000) {
    const batch = keys.slice(i, i + 5_000);
    await run.execute(Prisma.sql`delete from ${Prisma.raw(table)} r using unnest(${keyArrays(batch)}) as k(tz, o, b) where ${keyMatch(table)}`);
  }
}

async function readRollupRows(run: SqlRunner, table: RollupTable, keys: readonly RollupKey[]): Promise<RollupRow[]> {
  if (keys.length === 0) return [];
  const zone = HAS_ZONE[table] ? Prisma.sql`r."timeZone"` : Prisma.sql`''`;
  const rows = await run.query<RawMeasures & { timeZone: string; ownerId: number; bucketMs: number }>(Prisma.sql`
    select ${zone} as "timeZone", r.${OWNER_COLUMN[table]} as "ownerId", (extract(epoch from r."bucketStart") * 1000)::float8 as "bucketMs", ${SELECT_MEASURES}
    from ${Prisma.raw(table)} r join unnest(${keyArrays(keys)}) as k(tz, o, b) on ${keyMatch(table)}`);
  return rows.map((r) => ({ timeZone: r.timeZone, ownerId: r.ownerId, bucketStart: new Date(r.bucketMs), measures: toMeasures(r) }));
}

interface QuarterRow {
  deploymentId: number;
  bucketStart: Date;
  measures: UsageMeasures;
}

/** Loads the 15-minute rows of each (deployment, [start, end)) range. */
async function loadQuarters(run: SqlRunner, ranges: readonly { deploymentId: number; start: Date; end: Date }[]): Promise<QuarterRow[]> {
  if (ranges.length === 0) return [];
  const rows = await run.query<RawMeasures & { deploymentId: number; bucketMs: number }>(Prisma.sql`
    select q.* from unnest(${ranges.map((s) => s.deploymentId)}::int[], ${isoStrings(ranges.map((s) => s.start))}::timestamptz[], ${isoStrings(ranges.map((s) => s.end))}::timestamptz[]) as s(d, lo, hi)
    cross join lateral (
      select r."deploymentId", (extract(epoch from r."bucketStart") * 1000)::float8 as "bucketMs", ${SELECT_MEASURES}
      from usage_rollup_quarter r where r."deploymentId" = s.d and r."bucketStart" >= s.lo and r."bucketStart" < s.hi
      offset 0) q
    order by q."deploymentId", q."bucketMs"`);
  return rows.map((r) => ({ deploymentId: r.deploymentId, bucketStart: new Date(r.bucketMs), measures: toMeasures(r) }));
}

/**
 * Groups rows into coarser rows — the one aggregation behind the rebuild and
 * the fallback recomputation of team-hour and day rollups.
 */
function aggregate<T extends { measures: UsageMeasures }>(rows: Iterable<T>, keyOf: (row: T) => RollupKey): RollupRow[] {
  const groups = new Map<string, { key: RollupKey; parts: UsageMeasures[] }>();
  for (const row of rows) {
    const key = keyOf(row);
    const id = `${key.timeZone}|${key.ownerId}|${key.bucketStart.getTime()}`;
    const group = groups.get(id);
    if (group) group.parts.push(row.measures);
    else groups.set(id, { key, parts: [row.measures] });
  }
  return [...groups.values()].map((g) => ({ ...g.key, measures: sumMeasures(g.parts) }));
}

const hourOf = (instant: Date) => Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS;

/** Local-day start (ms) of instants in a zone; cached per instant and per day. */
function dayStartFinder(timeZone: string): (instant: Date) => number {
  let current: { start: number; end: number } | undefined;
  const cache = new Map<number, number>();
  return (instant) => {
    const t = instant.getTime();
    if (current && t >= current.start && t < current.end) return current.start;
    const known = cache.get(t);
    if (known !== undefined) return known;
    const [day] = bucketsBetween({ from: instant, to: new Date(t + 1), unit: "day", timeZone });
    current = { start: day!.start.getTime(), end: day!.end.getTime() };
    cache.set(t, current.start);
    return current.start;
  };
}

/** Local-month start (ms) of instants in a zone (of their local day's start: a day lies in one month). */
function monthStartFinder(timeZone: string): (dayStartMs: number) => number {
  let current: { start: number; end: number } | undefined;
  return (t) => {
    if (current && t >= current.start && t < current.end) return current.start;
    const [month] = bucketsBetween({ from: new Date(t), to: new Date(t + 1), unit: "month", timeZone });
    current = { start: month!.start.getTime(), end: month!.end.getTime() };
    return current.start;
  };
}

/** Month rows from day rows of deployments (in any zones): each the sum of its month's days. */
function monthRowsOf(days: readonly RollupRow[]): RollupRow[] {
  const finders = new Map<string, (dayStartMs: number) => number>();
  return aggregate(days, (d) => {
    let monthStart = finders.get(d.timeZone);
    if (!monthStart) finders.set(d.timeZone, (monthStart = monthStartFinder(d.timeZone)));
    return { timeZone: d.timeZone, ownerId: d.ownerId, bucketStart: new Date(monthStart(d.bucketStart.getTime())) };
  });
}

/** [start, end) widened to whole local months of a zone; null when empty. */
function monthRange(span: { start: Date; end: Date }, timeZone: string): { start: Date; end: Date } | null {
  const months = bucketsBetween({ from: span.start, to: span.end, unit: "month", timeZone });
  return months.length === 0 ? null : { start: months[0]!.start, end: months.at(-1)!.end };
}

/** [start, end) widened to whole local days of a zone; null when empty. */
function dayRange(span: { start: Date; end: Date }, timeZone: string): { start: Date; end: Date } | null {
  const days = bucketsBetween({ from: span.start, to: span.end, unit: "day", timeZone });
  return days.length === 0 ? null : { start: days[0]!.start, end: days.at(-1)!.end };
}

async function rollupZones(run: SqlRunner): Promise<string[]> {
  const zones = await run.query<{ timeZone: string }>(Prisma.sql`select "timeZone" from rollup_time_zones order by "timeZone"`);
  return zones.map((z) => z.timeZone);
}

/**
 * Two transactions refreshing the same rollup rows at once (usage of two
 * deployments of one team, a form and an import) would each compute from a
 * snapshot without the other's uncommitted rows, then collide on the rows'
 * keys or leave one contribution out. A transaction-scoped advisory lock per
 * deployment and per team — deployments first, each kind in id order, in one
 * statement — makes the second wait for the first to commit; its statements
 * after the lock see the first's rows.
 */
const ROLLUP_LOCK_CLASS = { deployment: 710_001, team: 710_002 } as const;
/**
 * Sealing days and months (sealUsageDays, sealUsageMonths) changes which
 * writes keep day and month rows: every usage writer holds this lock shared,
 * the sealer exclusively, so a seal never interleaves with a write. Writers
 * take it before any deployment lock (one order for all: a writer queued
 * behind a waiting sealer holds no deployment lock another writer needs).
 */
const SEAL_LOCK = [710_003, 0] as const;

async function lockSeals(run: SqlRunner, mode: "shared" | "exclusive"): Promise<void> {
  const lock = mode === "shared" ? Prisma.raw("pg_advisory_xact_lock_shared") : Prisma.raw("pg_advisory_xact_lock");
  await run.query(Prisma.sql`select ${lock}(${SEAL_LOCK[0]}::int, ${SEAL_LOCK[1]}::int) is null as locked`);
}

/**
 * The owner locks each transaction holds (a runner is one transaction's), so
 * taking them again — a batch writer locks its deployments up front, and the
 * rollup write it then calls locks them too — costs no statement. Advisory
 * transaction locks last until the transaction ends, as its runner does; a
 * savepoint rolled back releases those taken inside it, so usage writes must
 * not run inside a savepoint the transaction goes on after (none does: the
 * one savepoint, gpu-prices.ts, ends its transaction when rolled back to).
 */
const heldOwnerLocks = new WeakMap<SqlRunner, Set<string>>();

async function lockRollupOwners(run: SqlRunner, kind: keyof typeof ROLLUP_LOCK_CLASS, ids: Iterable<number>): Promise<void> {
  let held = heldOwnerLocks.get(run);
  if (!held) heldOwnerLocks.set(run, (held = new Set()));
  const sorted = [...new Set(ids)].filter((id) => !held.has(`${kind}:${id}`)).sort((a, b) => a - b);
  if (sorted.length === 0) return;
  // A volatile target-list function runs after the sort (in output order), so the locks are taken in id order —
  // for deployments after the seal lock (shared), the null id sorted first: one statement for both.
  const seal = kind === "deployment" ? Prisma.sql`select null::int as id union all ` : Prisma.empty;
  await run.query(Prisma.sql`
    select count(*)::int as n from (
      select case when l.id is null then pg_advisory_xact_lock_shared(${SEAL_LOCK[0]}::int, ${SEAL_LOCK[1]}::int)
        else pg_advisory_xact_lock(${ROLLUP_LOCK_CLASS[kind]}::int, l.id) end
      from (${seal}select id from unnest(${sorted}::int[]) as id) l
      order by l.id nulls first) x`);
  for (const id of sorted) held.add(`${kind}:${id}`);
}

/**
 * Takes the deployments' usage locks up front (the same locks the rollup
 * writes take, re-entrant in one transaction): a batch writer holds them from
 * its overlap check to commit, so two batches of one deployment can't both
 * pass the overlap rule or both insert the same window.
 */
export async function lockDeploymentUsage(run: SqlRunner, deploymentIds: Iterable<number>): Promise<void> {
  await lockRollupOwners(run, "deployment", deploymentIds);
}

/**
 * A write names a deployment that no longer exists (deleted after the caller
 * checked it). It carries SQLSTATE 23503 (foreign_key_violation), which the
 * raw table's foreign key raised before it was dropped for the per-batch
 * check here, so callers' handling of that code holds.
 */
export class DeploymentGoneError extends Error {
  readonly code = "23503";
  constructor(readonly deploymentIds: readonly number[]) {
    super(`usage windows name deployments that no longer exist: ${deploymentIds.join(", ")}`);
    this.name = "DeploymentGoneError";
  }
}

/**
 * Locks the deployments' rollups (lockRollupOwners), then — in a statement
 * of its own, so it sees what a transaction it waited for committed — reads
 * their teams and the rollup zones, and key-share locks their rows until
 * commit: a deployment's delete (whose trigger deletes its windows) waits for
 * this batch, or this batch finds it gone. That one lock per deployment is
 * what keeps raw windows from naming a deleted deployment (the raw table has
 * no foreign key: schema.prisma). A deleted deployment has no team (and its
 * rollup rows went with it).
 */
async function lockDeployments(run: SqlRunner, deploymentIds: number[]): Promise<{ teamOf: Map<number, number>; zones: string[]; sealed: Sealed }> {
  await lockRollupOwners(run, "deployment", deploymentIds);
  const owners = await run.query<{ id: number; teamId: number; zones: string[]; sealedTo: (number | null)[]; daysSealedTo: (number | null)[] }>(Prisma.sql`
    select d.id, d."teamId", z.zones, z."sealedTo", z."daysSealedTo"
    from inference_deployments d
    cross join (
      select coalesce(array_agg(z."timeZone" order by z."timeZone"), '{}') as zones,
        coalesce(array_agg((extract(epoch from z."monthsSealedTo") * 1000)::float8 order by z."timeZone"), '{}') as "sealedTo",
        coalesce(array_agg((extract(epoch from z."daysSealedTo") * 1000)::float8 order by z."timeZone"), '{}') as "daysSealedTo"
      from rollup_time_zones z) z
    where d.id = any(${deploymentIds}::int[])
    for key share of d`);
  const zones = owners[0]?.zones ?? [];
  const instants = (list: (number | null)[] | undefined) =>
    new Map(zones.map((zone, i) => [zone, list?.[i] === null || list?.[i] === undefined ? -Infinity : Number(list[i])]));
  return {
    zones,
    sealed: { months: instants(owners[0]?.sealedTo), days: instants(owners[0]?.daysSealedTo) },
    teamOf: new Map(owners.map((o) => [o.id, o.teamId])),
  };
}

/**
 * Per zone, the instants before which its months and its days are sealed
 * (-Infinity: none): usage_rollup_month holds exactly the months that start
 * before `months`, usage_rollup_day and usage_rollup_team_day exactly the
 * days that start before `days` (never earlier than `months`).
 */
interface Sealed {
  months: ReadonlyMap<string, number>;
  days: ReadonlyMap<string, number>;
}

async function rollupSeals(run: SqlRunner): Promise<Sealed> {
  const rows = await run.query<{ timeZone: string; monthsTo: number | null; daysTo: number | null }>(Prisma.sql`
    select "timeZone", (extract(epoch from "monthsSealedTo") * 1000)::float8 as "monthsTo", (extract(epoch from "daysSealedTo") * 1000)::float8 as "daysTo"
    from rollup_time_zones`);
  const instant = (value: number | null) => (value === null ? -Infinity : Number(value));
  return { months: new Map(rows.map((r) => [r.timeZone, instant(r.monthsTo)])), days: new Map(rows.map((r) => [r.timeZone, instant(r.daysTo)])) };
}

/** Month rows of sealed months only. */
function sealedRows(rows: readonly RollupRow[], sealed: Sealed): RollupRow[] {
  return rows.filter((r) => r.bucketStart.getTime() < (sealed.months.get(r.timeZone) ?? -Infinity));
}

/** A local-day range cut at the zone's sealed days (day rows exist only before it); null when nothing is left. */
function sealedDayRange(range: { start: Date; end: Date } | null, timeZone: string, sealed: Sealed): { start: Date; end: Date } | null {
  const sealedTo = sealed.days.get(timeZone) ?? -Infinity;
  if (!range || range.start.getTime() >= sealedTo) return null;
  return range.end.getTime() <= sealedTo ? range : { start: range.start, end: new Date(sealedTo) };
}

/** The zones' rows get their sealed days when created: every local day before today's (the one holding `now()`). */
const NEW_ZONES = Prisma.sql`
    insert into rollup_time_zones ("timeZone", "daysSealedTo")
    select z, date_trunc('day', now() at time zone z) at time zone z from (select "timeZone" as z from orgs union select "timeZone" from teams) zones
    on conflict do nothing`;

interface Span {
  start: number;
  end: number;
}

/** Quarter-aligned spans per deployment, sorted, merged when closer than LOOK_BACK_MS. */
function changedSpans(changes: readonly UsageChange[]): Map<number, Span[]> {
  const byDeployment = new Map<number, Span[]>();
  for (const change of changes) {
    const span = {
      start: Math.floor(change.start.getTime() / QUARTER_MS) * QUARTER_MS,
      end: Math.ceil(change.end.getTime() / QUARTER_MS) * QUARTER_MS,
    };
    if (span.end <= span.start) continue;
    const list = byDeployment.get(change.deploymentId);
    if (list) list.push(span);
    else byDeployment.set(change.deploymentId, [span]);
  }
  for (const [deploymentId, list] of byDeployment) {
    list.sort((a, b) => a.start - b.start);
    const merged: Span[] = [];
    for (const span of list) {
      const last = merged.at(-1);
      if (last && span.start - last.end < LOOK_BACK_MS) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    byDeployment.set(deploymentId, merged);
  }
  return byDeployment;
}

/**
 * The raw windows overlapping each span, in one statement. Windows that start
 * before a span and reach into it are found by looking back LOOK_BACK_MS, or
 * MAX_WINDOW_SECONDS when that cannot be enough. It is enough unless a window
 * starting before the look-back covers all of it: the look-back's 15-minute
 * rows (outside every changed span, so still right) sum the covered
 * milliseconds, and when those minus the part covered by windows starting
 * inside the look-back are under LOOK_BACK_MS, no such window exists.
 */
async function loadSpanWindows(run: SqlRunner, spans: readonly { deploymentId: number; start: Date; end: Date }[]): Promise<UsageWindowInput[][]> {
  const rows = await run.query<RawWindowRow & { i: number }>(Prisma.sql`
    with s as (
      select * from unnest(${spans.map((_, i) => i)}::int[], ${spans.map((s) => s.deploymentId)}::int[],
        ${isoStrings(spans.map((s) => s.start))}::timestamptz[], ${isoStrings(spans.map((s) => s.end))}::timestamptz[]) as s(i, d, lo, hi)
    ), look as (
      select s.*, case when
        coalesce((select sum(q."windowMs") from usage_rollup_quarter q
                  where q."deploymentId" = s.d and q."bucketStart" >= s.lo - ${LOOK_BACK_MS} * interval '1 millisecond' and q."bucketStart" < s.lo), 0)
        - coalesce((select sum(extract(epoch from least(x."windowStart" + make_interval(secs => x."windowSeconds"), s.lo) - x."windowStart") * 1000)
                    from inference_usage_windows x
                    where x."deploymentId" = s.d and x."windowStart" >= s.lo - ${LOOK_BACK_MS} * interval '1 millisecond' and x."windowStart" < s.lo), 0)
        >= ${LOOK_BACK_MS} then ${MAX_WINDOW_SECONDS * 1000}::bigint else ${LOOK_BACK_MS}::bigint end as back_ms
      from s
    )
    select look.i, w.* from look cross join lateral (
      select ${RAW_WINDOW_COLUMNS} from inference_usage_windows w
      where w."deploymentId" = look.d and w."windowStart" >= look.lo - look.back_ms * interval '1 millisecond' and w."windowStart" < look.hi
        and w."windowStart" + make_interval(secs => w."windowSeconds") > look.lo
      offset 0) w`);
  const bySpan = spans.map((): UsageWindowInput[] => []);
  for (const row of rows) bySpan[row.i]!.push(toWindowInput(row));
  return bySpan;
}

/** Signed contributions to coarser rows, keyed by zone|owner|bucket. */
class Deltas {
  readonly byKey = new Map<string, { key: RollupKey; plus: UsageMeasures[]; minus: UsageMeasures[] }>();

  add(key: RollupKey, measures: UsageMeasures, sign: 1 | -1): void {
    const id = `${key.timeZone}|${key.ownerId}|${key.bucketStart.getTime()}`;
    let entry = this.byKey.get(id);
    if (!entry) {
      entry = { key, plus: [], minus: [] };
      this.byKey.set(id, entry);
    }
    (sign === 1 ? entry.plus : entry.minus).push(measures);
  }

  keys(): RollupKey[] {
    return [...this.byKey.values()].map((e) => e.key);
  }
}

/**
 * Applies deltas to one derived table: reads the rows, adjusts them, upserts
 * the non-empty ones and deletes the emptied ones. False (nothing written)
 * when a row was not the sum it should be.
 */
async function planDerived<T extends RollupTable>(
  run: SqlRunner,
  table: T,
  deltas: Deltas,
): Promise<{ table: T; upserts: RollupRow[]; deletes: RollupKey[] } | null> {
  const existing = new Map<string, UsageMeasures>();
  for (const row of await readRollupRows(run, table, deltas.keys())) existing.set(`${row.timeZone}|${row.ownerId}|${row.bucketStart.getTime()}`, row.measures);
  const upserts: RollupRow[] = [];
  const deletes: RollupKey[] = [];
  for (const [id, { key, plus, minus }] of deltas.byKey) {
    const base = existing.get(id);
    const adjusted = adjustMeasures(base, plus, minus);
    if (!adjusted) return null;
    if (adjusted.windowMs === 0n) {
      if (base) deletes.push(key);
    } else if (!base || !sameMeasures(base, adjusted)) upserts.push({ ...key, measures: adjusted });
  }
  return { table, upserts, deletes };
}

/** Recomputes one call's coarser rows from their 15-minute rows: the fallback when a row was not the sum it should be. */
async function recomputeDerived(
  run: SqlRunner,
  spans: Map<number, Span[]>,
  teamOf: Map<number, number>,
  zones: readonly string[],
  sealed: Sealed,
): Promise<void> {
  const ranges: { deploymentId: number; start: Date; end: Date; timeZone: string }[] = [];
  const reads: { deploymentId: number; start: Date; end: Date }[] = [];
  const teamSpans = new Map<number, { start: Date; end: Date }>();
  for (const [deploymentId, list] of spans) {
    const whole = { start: new Date(list[0]!.start), end: new Date(list.at(-1)!.end) };
    let read: { start: Date; end: Date } | undefined;
    for (const timeZone of zones) {
      const range = sealedDayRange(dayRange(whole, timeZone), timeZone, sealed);
      if (!range) continue;
      ranges.push({ deploymentId, timeZone, ...range });
      read = widen(read, range);
    }
    if (read) reads.push({ deploymentId, ...read });
    const teamId = teamOf.get(deploymentId);
    if (teamId !== undefined) teamSpans.set(teamId, widen(teamSpans.get(teamId), whole));
  }
  const quarters = await loadQuarters(run, reads);
  const rows: RollupRow[] = [];
  for (const timeZone of zones) {
    const dayStart = dayStartFinder(timeZone);
    const inZone = ranges.filter((r) => r.timeZone === timeZone);
    const inZoneRanges = inZone.map((r) => ({ ownerId: r.deploymentId, ...r }));
    await run.execute(Prisma.sql`delete from usage_rollup_day r where r.ctid = any(array(${rangeRows("usage_rollup_day", inZoneRanges)}))`);
    const ownRanges = new Map(inZone.map((r) => [r.deploymentId, r]));
    const inside = quarters.filter((q) => {
      const r = ownRanges.get(q.deploymentId);
      return r !== undefined && q.bucketStart >= r.start && q.bucketStart < r.end;
    });
    rows.push(...aggregate(inside, (q) => ({ timeZone, ownerId: q.deploymentId, bucketStart: new Date(dayStart(q.bucketStart)) })));
  }
  await insertRollupRows(run, "usage_rollup_day", rows);
  await recomputeMonths(run, ranges, sealed);
  await recomputeTeams(run, teamSpans, zones, sealed);
}

/** Rows of a zoned per-deployment table in (zone, deployment, [start, end)) ranges. */
async function readRangeRows(run: SqlRunner, table: "usage_rollup_day" | "usage_rollup_month", ranges: readonly { timeZone: string; ownerId: number; start: Date; end: Date }[]): Promise<RollupRow[]> {
  if (ranges.length === 0) return [];
  const rows = await run.query<RawMeasures & { timeZone: string; ownerId: number; bucketMs: number }>(Prisma.sql`
    select r."timeZone", r."deploymentId" as "ownerId", (extract(epoch from r."bucketStart") * 1000)::float8 as "bucketMs", ${SELECT_MEASURES}
    from ${Prisma.raw(table)} r where r.ctid = any(array(${rangeRows(table, ranges)}))`);
  return rows.map((r) => ({ timeZone: r.timeZone, ownerId: r.ownerId, bucketStart: new Date(r.bucketMs), measures: toMeasures(r) }));
}

/** Recomputes the sealed month rows over (zone, deployment, span) ranges, widened to whole local months, from the (already written) day rows. */
async function recomputeMonths(run: SqlRunner, spans: readonly { deploymentId: number; timeZone: string; start: Date; end: Date }[], sealed: Sealed): Promise<void> {
  const ranges = spans.flatMap((r) => {
    const months = monthRange(r, r.timeZone);
    const sealedTo = sealed.months.get(r.timeZone) ?? -Infinity;
    if (!months || months.start.getTime() >= sealedTo) return [];
    return [{ timeZone: r.timeZone, ownerId: r.deploymentId, start: months.start, end: new Date(Math.min(months.end.getTime(), sealedTo)) }];
  });
  if (ranges.length === 0) return;
  await run.execute(Prisma.sql`delete from usage_rollup_month r where r.ctid = any(array(${rangeRows("usage_rollup_month", ranges)}))`);
  await insertRollupRows(run, "usage_rollup_month", monthRowsOf(await readRangeRows(run, "usage_rollup_day", ranges)));
}

const DAY_MS = 86_400_000;
/** A local day is sealed once it ended this long ago: scrapes of its last minutes still land on the live path. */
const DAY_SEAL_LAG_MS = HOUR_MS;
/** Days sealed per zone per call (the roller calls until nothing is due): bounds one transaction's 15-minute reads. */
const MAX_SEAL_DAYS = 31;

/**
 * Seals, in every rollup zone, the local days that ended DAY_SEAL_LAG_MS or
 * more before `now` (at most MAX_SEAL_DAYS per zone per call): builds their
 * day rows, per deployment and per team, from the 15-minute rows, and moves
 * the zone's daysSealedTo past them, in the caller's transaction under the
 * same exclusive lock as a month seal (writes in flight finish first; later
 * writes see the new boundary and keep those rows). Until then a day's
 * figures come from its 15-minute rows (usage-ledger.ts). Idempotent;
 * returns what it sealed (empty once nothing is due).
 */
export async function sealUsageDays(run: SqlRunner, now: Date): Promise<{ timeZone: string; sealedTo: Date; rows: number }[]> {
  const due = (timeZone: string) => bucketsBetween({ from: new Date(now.getTime() - DAY_SEAL_LAG_MS), to: new Date(now.getTime() - DAY_SEAL_LAG_MS + 1), unit: "day", timeZone })[0]!.start;
  const pending = [...(await rollupSeals(run)).days].filter(([timeZone, sealedTo]) => sealedTo < due(timeZone).getTime());
  if (pending.length === 0) return [];
  await lockSeals(run, "exclusive");
  const deployments = await run.query<{ id: number; teamId: number }>(Prisma.sql`select id, "teamId" from inference_deployments order by id`);
  const teamOf = new Map(deployments.map((d) => [d.id, d.teamId]));
  const sealed: { timeZone: string; sealedTo: Date; rows: number }[] = [];
  for (const [timeZone] of pending) {
    const until = due(timeZone);
    const [row] = await run.query<{ sealedTo: Date | null; first: Date | null }>(Prisma.sql`
      select "daysSealedTo" as "sealedTo", (select min("bucketStart") from usage_rollup_quarter) as first
      from rollup_time_zones where "timeZone" = ${timeZone} for update`);
    if (!row || (row.sealedTo !== null && new Date(row.sealedTo).getTime() >= until.getTime())) continue;
    // Nothing sealed yet: from the first local day with traffic (or straight to `until` when there is none).
    const from = row.sealedTo !== null ? new Date(row.sealedTo) : row.first !== null ? dayRange({ start: new Date(row.first), end: new Date(new Date(row.first).getTime() + 1) }, timeZone)!.start : until;
    const days = from.getTime() < until.getTime() ? bucketsBetween({ from, to: until, unit: "day", timeZone }).slice(0, MAX_SEAL_DAYS) : [];
    const to = days.at(-1)?.end ?? until;
    const rows: RollupRow[] = [];
    if (days.length > 0) {
      const quarters = await loadQuarters(run, deployments.map((d) => ({ deploymentId: d.id, start: from, end: to })));
      const dayStart = dayStartFinder(timeZone);
      const dayRows = aggregate(quarters, (q) => ({ timeZone, ownerId: q.deploymentId, bucketStart: new Date(dayStart(q.bucketStart)) }));
      const teamRows = aggregate(dayRows, (d) => ({ timeZone, ownerId: teamOf.get(d.ownerId)!, bucketStart: d.bucketStart }));
      // None should exist (only sealed days have rows); a leftover would be replaced, never added to.
      for (const table of ["usage_rollup_day", "usage_rollup_team_day"] as const) {
        await run.execute(Prisma.sql`delete from ${Prisma.raw(table)} where "timeZone" = ${timeZone} and "bucketStart" >= ${from} and "bucketStart" < ${to}`);
      }
      await insertRollupRows(run, "usage_rollup_day", dayRows);
      await insertRollupRows(run, "usage_rollup_team_day", teamRows);
      rows.push(...dayRows, ...teamRows);
    }
    await run.execute(Prisma.sql`update rollup_time_zones set "daysSealedTo" = ${to} where "timeZone" = ${timeZone}`);
    sealed.push({ timeZone, sealedTo: to, rows: rows.length });
  }
  return sealed;
}

/**
 * Seals, in every rollup zone, each local month that ended a day or more
 * before `now`: builds its month rows from the day rows (one statement, the
 * same as the migration that introduced them) and moves the zone's
 * monthsSealedTo past it, in the caller's transaction. From then on every
 * write to that month keeps its rows; reads of sealed months use them. Runs
 * in the background roller; idempotent. Returns the months sealed.
 */
export async function sealUsageMonths(run: SqlRunner, now: Date): Promise<{ timeZone: string; sealedTo: Date; rows: number }[]> {
  // Month rows are built from day rows: the days first (a no-op when they are sealed).
  while ((await sealUsageDays(run, now)).length > 0);
  const sealed: { timeZone: string; sealedTo: Date; rows: number }[] = [];
  const due = (timeZone: string) => bucketsBetween({ from: new Date(now.getTime() - DAY_MS), to: new Date(now.getTime() - DAY_MS + 1), unit: "month", timeZone })[0]!.start;
  const seals = await rollupSeals(run);
  const pending = [...seals.months].filter(([timeZone, sealedTo]) => sealedTo < due(timeZone).getTime());
  if (pending.length === 0) return sealed;
  // Waits for writes in flight; writes wait for the seal.
  await lockSeals(run, "exclusive");
  for (const [timeZone] of pending) {
    const [row] = await run.query<{ sealedTo: Date | null; daysSealedTo: Date | null }>(
      Prisma.sql`select "monthsSealedTo" as "sealedTo", "daysSealedTo" from rollup_time_zones where "timeZone" = ${timeZone} for update`,
    );
    if (!row || row.daysSealedTo === null) continue;
    // Never past the sealed days (whose rows the months are summed from).
    const limit = Math.min(due(timeZone).getTime(), new Date(row.daysSealedTo).getTime());
    const to = bucketsBetween({ from: new Date(limit), to: new Date(limit + 1), unit: "month", timeZone })[0]!.start;
    if (row.sealedTo !== null && new Date(row.sealedTo).getTime() >= to.getTime()) continue;
    const from = row.sealedTo === null ? Prisma.sql`'-infinity'::timestamptz` : Prisma.sql`${new Date(row.sealedTo)}::timestamptz`;
    await run.execute(Prisma.sql`delete from usage_rollup_month where "timeZone" = ${timeZone} and "bucketStart" >= ${from} and "bucketStart" < ${to}`);
    const inserted = await run.query<{ n: number }>(Prisma.sql`
      with added as (
        insert into usage_rollup_month ("timeZone", "deploymentId", "bucketStart", "windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs",
          requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts")
        with days as (
          select d.*, (date_trunc('month', d."bucketStart" at time zone d."timeZone") at time zone d."timeZone") as month
          from usage_rollup_day d
          where d."timeZone" = ${timeZone} and d."bucketStart" >= ${from} and d."bucketStart" < ${to}
        ), sums as (
          select "timeZone", "deploymentId", month, sum("windowCount")::int as "windowCount", sum("windowMs") as "windowMs", sum("idleMs") as "idleMs",
            sum("utilMs") as "utilMs", sum("utilPctMs") as "utilPctMs", sum(requests) as requests, sum(errors) as errors, sum("inputTokens") as "inputTokens",
            sum("cachedInputTokens") as "cachedInputTokens", sum("outputTokens") as "outputTokens", sum("approxRequests") as "approxRequests"
          from days group by "timeZone", "deploymentId", month
        ), pairs as (
          select "timeZone", "deploymentId", month, u.k, sum(u.c)::bigint as c
          from days, unnest(days."latencyKeys", days."latencyCounts") as u(k, c)
          group by "timeZone", "deploymentId", month, u.k
          having sum(u.c) <> 0
        ), sketches as (
          select "timeZone", "deploymentId", month, array_agg(k order by k) as keys, array_agg(c order by k) as counts
          from pairs group by "timeZone", "deploymentId", month
        )
        select s."timeZone", s."deploymentId", s.month, s."windowCount", s."windowMs", s."idleMs", s."utilMs", s."utilPctMs", s.requests, s.errors,
          s."inputTokens", s."cachedInputTokens", s."outputTokens", s."approxRequests", coalesce(k.keys, '{}'), coalesce(k.counts, '{}')
        from sums s left join sketches k using ("timeZone", "deploymentId", month)
        returning 1)
      select count(*)::int as n from added`);
    await run.execute(Prisma.sql`update rollup_time_zones set "monthsSealedTo" = ${to} where "timeZone" = ${timeZone}`);
    sealed.push({ timeZone, sealedTo: to, rows: inserted[0]?.n ?? 0 });
  }
  return sealed;
}

/**
 * Compacts closed team buckets that appended writes left without quantile
 * keys: each row's sketch normalized (one pair per key, keys ascending) and
 * its p50/p95/p99 keys stored, `isCompact` set (schema.prisma). Only buckets
 * that ended before `now` (an hour row an hour after its start, a local day
 * 25 hours after) and start at or after `since` (null: any); at most `limit`
 * rows per table, in the caller's transaction. Rows a writer holds are
 * skipped (it appends to them again). The measures don't change, so a writer
 * adjusting the row later (under its team lock) computes from the same sums.
 * Teams a writer holds (their advisory lock) are skipped until the next call.
 * Returns the rows compacted; the background roller calls it until that is 0.
 */
export async function compactTeamRollups(run: SqlRunner, { now, since, limit = 2_000 }: { now: Date; since: Date | null; limit?: number }): Promise<number> {
  let compacted = 0;
  for (const [table, closedMs] of [["usage_rollup_team_hour", HOUR_MS], ["usage_rollup_team_day", 25 * HOUR_MS]] as const) {
    const zone = HAS_ZONE[table] ? Prisma.sql`r."timeZone"` : Prisma.sql`''`;
    const rows = await run.query<{ timeZone: string; ownerId: number; bucketMs: number; latencyKeys: string | null; latencyCounts: string | null }>(Prisma.sql`
      select ${zone} as "timeZone", r."teamId" as "ownerId", (extract(epoch from r."bucketStart") * 1000)::float8 as "bucketMs",
        r."latencyKeys"::text as "latencyKeys", r."latencyCounts"::text as "latencyCounts"
      from ${Prisma.raw(table)} r
      where not r."isCompact" and r."bucketStart" < ${new Date(now.getTime() - closedMs)}
        ${since ? Prisma.sql`and r."bucketStart" >= ${since}` : Prisma.empty}
        -- A team whose rows a writer is changing (its lock, lockRollupOwners) is left for the next tick: never waits, and never
        -- touches a row between a recompute's delete and its insert.
        and pg_try_advisory_xact_lock(${ROLLUP_LOCK_CLASS.team}::int, r."teamId")
      limit ${limit}
      for update skip locked`);
    if (rows.length === 0) continue;
    const sketches = rows.map((r) => normalizeSketch({ keys: parseIntegers(r.latencyKeys), counts: parseIntegers(r.latencyCounts) }));
    const quantiles = sketches.map((sketch) => quantileKeysOf(sketch));
    const keys = rows.map((r) => ({ timeZone: r.timeZone, ownerId: r.ownerId, bucketStart: new Date(r.bucketMs) }));
    await run.execute(Prisma.sql`
      update ${Prisma.raw(table)} r set "latencyKeys" = t.lk::smallint[], "latencyCounts" = t.lc::bigint[], "isCompact" = true,
        "p50Key" = t.q50, "p95Key" = t.q95, "p99Key" = t.q99
      from unnest(${keyArrays(keys)}, ${nestedArrayLiteral(sketches.map((x) => x.keys))}::text[], ${nestedArrayLiteral(sketches.map((x) => x.counts))}::text[],
        ${arrayLiteral(quantiles.map((q) => q[0]))}::smallint[], ${arrayLiteral(quantiles.map((q) => q[1]))}::smallint[], ${arrayLiteral(quantiles.map((q) => q[2]))}::smallint[])
        as t(tz, o, b, lk, lc, q50, q95, q99)
      where ${HAS_ZONE[table] ? Prisma.sql`r."timeZone" = t.tz and ` : Prisma.empty}r."teamId" = t.o and r."bucketStart" = t.b`);
    compacted += rows.length;
  }
  return compacted;
}

/** Recomputes the team-hour and team-day rows of each team over its span (widened to whole hours and local days). */
async function recomputeTeams(run: SqlRunner, teamSpans: Map<number, { start: Date; end: Date }>, zones: readonly string[], sealed: Sealed): Promise<void> {
  if (teamSpans.size === 0) return;
  const teamIds = [...teamSpans.keys()];
  const members = await run.query<{ id: number; teamId: number }>(
    Prisma.sql`select id, "teamId" from inference_deployments where "teamId" = any(${teamIds}::int[])`,
  );
  const hourRanges = new Map<number, { start: Date; end: Date }>();
  const dayRanges = new Map<string, { start: Date; end: Date }>();
  const readRanges: { deploymentId: number; start: Date; end: Date }[] = [];
  for (const [teamId, span] of teamSpans) {
    const hours = { start: new Date(hourOf(span.start)), end: new Date(Math.ceil(span.end.getTime() / HOUR_MS) * HOUR_MS) };
    hourRanges.set(teamId, hours);
    let whole = hours;
    for (const timeZone of zones) {
      const days = sealedDayRange(dayRange(span, timeZone), timeZone, sealed);
      if (!days) continue;
      dayRanges.set(`${timeZone}|${teamId}`, days);
      whole = widen(whole, days);
    }
    for (const m of members) if (m.teamId === teamId) readRanges.push({ deploymentId: m.id, ...whole });
  }
  const quarters = await loadQuarters(run, readRanges);
  const teamOf = new Map(members.map((m) => [m.id, m.teamId]));
  const hourList = [...hourRanges];
  const hourRows = rangeRows("usage_rollup_team_hour", hourList.map(([ownerId, r]) => ({ ownerId, ...r })));
  await run.execute(Prisma.sql`delete from usage_rollup_team_hour r where r.ctid = any(array(${hourRows}))`);
  const inRange = (q: QuarterRow, range: { start: Date; end: Date } | undefined) => range !== undefined && q.bucketStart >= range.start && q.bucketStart < range.end;
  await insertRollupRows(
    run,
    "usage_rollup_team_hour",
    aggregate(
      quarters.filter((q) => inRange(q, hourRanges.get(teamOf.get(q.deploymentId)!))),
      (q) => ({ timeZone: "", ownerId: teamOf.get(q.deploymentId)!, bucketStart: new Date(hourOf(q.bucketStart)) }),
    ),
  );
  const dayList = [...dayRanges].map(([id, r]) => ({ timeZone: id.slice(0, id.lastIndexOf("|")), teamId: Number(id.slice(id.lastIndexOf("|") + 1)), ...r }));
  const teamDayRows = rangeRows("usage_rollup_team_day", dayList.map((r) => ({ ownerId: r.teamId, ...r })));
  await run.execute(Prisma.sql`delete from usage_rollup_team_day r where r.ctid = any(array(${teamDayRows}))`);
  const rows: RollupRow[] = [];
  for (const timeZone of zones) {
    const dayStart = dayStartFinder(timeZone);
    const inside = quarters.filter((q) => inRange(q, dayRanges.get(`${timeZone}|${teamOf.get(q.deploymentId)!}`)));
    rows.push(...aggregate(inside, (q) => ({ timeZone, ownerId: teamOf.get(q.deploymentId)!, bucketStart: new Date(dayStart(q.bucketStart)) })));
  }
  await insertRollupRows(run, "usage_rollup_team_day", rows);
}

/** Recomputes the rollup rows touched by changed windows. Call inside the write's transaction. */
export async function refreshUsageRollups(run: SqlRunner, changes: UsageChange[]): Promise<void> {
  const spans = changedSpans(changes);
  if (spans.size === 0) return;
  const deploymentIds = [...spans.keys()].sort((a, b) => a - b);
  const { teamOf, zones, sealed } = await lockDeployments(run, deploymentIds);

  // 1. The changed spans' 15-minute rows, recomputed from raw.
  const flat = [...spans].flatMap(([deploymentId, list]) => list.map((s) => ({ deploymentId, start: new Date(s.start), end: new Date(s.end) })));
  const windows = await loadSpanWindows(run, flat);
  const fresh: QuarterRow[] = flat.flatMap((span, i) =>
    [...rollupQuarters(windows[i]!, span)].map(([bucketStart, measures]) => ({ deploymentId: span.deploymentId, bucketStart: new Date(bucketStart), measures })),
  );
  const old = (
    await run.query<RawMeasures & { deploymentId: number; bucketMs: number }>(Prisma.sql`
      delete from usage_rollup_quarter r
      where r.ctid = any(array(${rangeRows("usage_rollup_quarter", flat.map((s) => ({ ownerId: s.deploymentId, ...s })))}))
      returning r."deploymentId", (extract(epoch from r."bucketStart") * 1000)::float8 as "bucketMs", ${SELECT_MEASURES}`)
  ).map((r): QuarterRow => ({ deploymentId: r.deploymentId, bucketStart: new Date(r.bucketMs), measures: toMeasures(r) }));
  await insertRollupRows(
    run,
    "usage_rollup_quarter",
    fresh.map((q) => ({ timeZone: "", ownerId: q.deploymentId, bucketStart: q.bucketStart, measures: q.measures })),
  );

  // 2. Coarser rows adjusted by (new − old); unchanged 15-minute rows cancel out.
  const before = new Map(old.map((q) => [`${q.deploymentId}|${q.bucketStart.getTime()}`, q]));
  const changed: { quarter: QuarterRow; sign: 1 | -1 }[] = [];
  for (const q of fresh) {
    const id = `${q.deploymentId}|${q.bucketStart.getTime()}`;
    const was = before.get(id);
    if (was && sameMeasures(was.measures, q.measures)) before.delete(id);
    else changed.push({ quarter: q, sign: 1 });
  }
  for (const q of before.values()) changed.push({ quarter: q, sign: -1 });
  await adjustCoarserRows(run, changed, { spans, teamOf, zones, sealed });
}

type DecimalLike = string | { toString(): string } | null;

/** Hundredths of a decimal with at most two places ("61.5" → 6150), exactly as round(x * 100) in SQL gives it. */
function centi(value: string): number {
  const [whole = "0", fraction = ""] = value.split(".");
  const sign = whole.startsWith("-") ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2)));
}

/**
 * A usage window as validated (form, CSV, API) or as stored (Prisma record)
 * → the rollup's input; `latency` is its sketch when it has one.
 */
export function usageWindowInput(values: {
  windowStart: Date;
  windowSeconds: number;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  latencyP50Ms: DecimalLike;
  latencyP95Ms: DecimalLike;
  latencyP99Ms: DecimalLike;
  avgGpuUtilizationPct: DecimalLike;
  latencyKeys?: number[];
  latencyCounts?: number[];
}): UsageWindowInput {
  const { latencyP50Ms: p50, latencyP95Ms: p95, latencyP99Ms: p99 } = values;
  return {
    windowStart: values.windowStart,
    windowSeconds: values.windowSeconds,
    requests: values.requests,
    errors: values.errors,
    inputTokens: values.inputTokens,
    cachedInputTokens: values.cachedInputTokens,
    outputTokens: values.outputTokens,
    latency: values.latencyKeys && values.latencyKeys.length > 0 ? { keys: values.latencyKeys, counts: values.latencyCounts ?? [] } : null,
    summaryMs: p50 !== null && p95 !== null && p99 !== null ? { p50: Number(String(p50)), p95: Number(String(p95)), p99: Number(String(p99)) } : null,
    avgGpuUtilizationCentiPct: values.avgGpuUtilizationPct === null ? null : centi(String(values.avgGpuUtilizationPct)),
  };
}

/** A window of a deployment, as written to or removed from inference_usage_windows. */
export interface DeploymentWindow {
  deploymentId: number;
  window: UsageWindowInput;
}

/**
 * The rollups after windows were inserted into (`added`) and/or removed from
 * (`removed`: deleted, or the old values of replaced windows)
 * inference_usage_windows in this transaction, without reading raw windows
 * back: a 15-minute row is the sum of its windows' prorated parts, so every
 * rollup row is adjusted by the parts of exactly these windows. The batch
 * write path (API, import) knows both sides; refreshUsageRollups serves
 * writes that only know the changed spans. Falls back to it when a row was
 * not the sum it should be.
 */
export async function applyUsageWindowChanges(
  run: SqlRunner,
  { added, removed = [] }: { added: readonly DeploymentWindow[]; removed?: readonly DeploymentWindow[] },
): Promise<void> {
  const changes: UsageChange[] = [...added, ...removed].map(({ deploymentId, window }) => ({
    deploymentId,
    start: window.windowStart,
    end: new Date(window.windowStart.getTime() + window.windowSeconds * 1000),
  }));
  const spans = changedSpans(changes);
  if (spans.size === 0) return;
  const deploymentIds = [...spans.keys()].sort((a, b) => a - b);
  const { teamOf, zones, sealed } = await lockDeployments(run, deploymentIds);
  const gone = [...new Set(added.map((w) => w.deploymentId).filter((id) => !teamOf.has(id)))];
  if (gone.length > 0) throw new DeploymentGoneError(gone);

  const quarters = new Deltas();
  const addParts = (list: readonly DeploymentWindow[], sign: 1 | -1) => {
    for (const { deploymentId, window } of list) {
      // A deleted deployment's rollup rows went with it (only removed windows can name one here).
      if (!teamOf.has(deploymentId)) continue;
      for (const part of prorateWindow(window)) quarters.add({ timeZone: "", ownerId: deploymentId, bucketStart: part.bucketStart }, part.measures, sign);
    }
  };
  addParts(added, 1);
  addParts(removed, -1);
  if (removed.length === 0) {
    // Pure additions: every row gets its parts added, nothing is read back.
    const rows = addedRows(quarters);
    await insertRollupRows(run, "usage_rollup_quarter", rows, { mode: "add" });
    const levels = addedCoarserRows(rows, teamOf, zones, sealed);
    await insertRollupRows(run, "usage_rollup_day", levels.day, { mode: "add" });
    await insertRollupRows(run, "usage_rollup_month", levels.month, { mode: "add" });
    await lockRollupOwners(run, "team", teamOf.values());
    await insertRollupRows(run, "usage_rollup_team_hour", levels.teamHour, { mode: "add" });
    await insertRollupRows(run, "usage_rollup_team_day", levels.teamDay, { mode: "add" });
    return;
  }
  const plan = await planDerived(run, "usage_rollup_quarter", quarters);
  if (!plan) {
    await refreshUsageRollups(run, changes);
    return;
  }
  if (plan.deletes.length > 0) await deleteRollupRows(run, plan.table, plan.deletes);
  if (plan.upserts.length > 0) await insertRollupRows(run, plan.table, plan.upserts, { mode: "upsert" });
  const changed: { quarter: QuarterRow; sign: 1 | -1 }[] = [];
  for (const { key, plus, minus } of quarters.byKey.values()) {
    if (plus.length > 0) changed.push({ quarter: { deploymentId: key.ownerId, bucketStart: key.bucketStart, measures: sumMeasures(plus) }, sign: 1 });
    if (minus.length > 0) changed.push({ quarter: { deploymentId: key.ownerId, bucketStart: key.bucketStart, measures: sumMeasures(minus) }, sign: -1 });
  }
  await adjustCoarserRows(run, changed, { spans, teamOf, zones, sealed });
}

/** Signed 15-minute contributions → the contributions to every coarser row they fall in. */
function coarserDeltas(
  changed: { quarter: QuarterRow; sign: 1 | -1 }[],
  teamOf: Map<number, number>,
  zones: readonly string[],
  sealed: Sealed,
): { day: Deltas; month: Deltas; teamHour: Deltas; teamDay: Deltas } {
  const levels = { day: new Deltas(), month: new Deltas(), teamHour: new Deltas(), teamDay: new Deltas() };
  const finders = zones.map((timeZone) => ({
    timeZone,
    dayStart: dayStartFinder(timeZone),
    monthStart: monthStartFinder(timeZone),
    sealedTo: sealed.months.get(timeZone) ?? -Infinity,
    daysSealedTo: sealed.days.get(timeZone) ?? -Infinity,
  }));
  changed.sort((a, b) => a.quarter.bucketStart.getTime() - b.quarter.bucketStart.getTime());
  for (const { quarter, sign } of changed) {
    const teamId = teamOf.get(quarter.deploymentId);
    if (teamId !== undefined) levels.teamHour.add({ timeZone: "", ownerId: teamId, bucketStart: new Date(hourOf(quarter.bucketStart)) }, quarter.measures, sign);
    for (const { timeZone, dayStart, monthStart, sealedTo, daysSealedTo } of finders) {
      // Only sealed days have day rows: a live write to today adds to the 15-minute and team-hour rows alone.
      if (quarter.bucketStart.getTime() >= daysSealedTo) continue;
      const bucketStart = new Date(dayStart(quarter.bucketStart));
      levels.day.add({ timeZone, ownerId: quarter.deploymentId, bucketStart }, quarter.measures, sign);
      // Only sealed months have month rows: a live write to the current month leaves them alone.
      if (bucketStart.getTime() < sealedTo) levels.month.add({ timeZone, ownerId: quarter.deploymentId, bucketStart: new Date(monthStart(bucketStart.getTime())) }, quarter.measures, sign);
      if (teamId !== undefined) levels.teamDay.add({ timeZone, ownerId: teamId, bucketStart }, quarter.measures, sign);
    }
  }
  return levels;
}

/**
 * Pure additions: what the added 15-minute rows add to every coarser row —
 * team hours from the 15-minute rows, and per zone the (sealed) days, then
 * the sealed months and the team days from those day sums rather than from
 * every 15-minute row again (sums of sums: the same, with a fifth of the
 * merging for a backfill of history in five zones).
 */
function addedCoarserRows(
  quarters: readonly RollupRow[],
  teamOf: Map<number, number>,
  zones: readonly string[],
  sealed: Sealed,
): { day: RollupRow[]; month: RollupRow[]; teamHour: RollupRow[]; teamDay: RollupRow[] } {
  const owned = quarters.filter((q) => teamOf.has(q.ownerId));
  const teamHour = aggregate(owned, (q) => ({ timeZone: "", ownerId: teamOf.get(q.ownerId)!, bucketStart: new Date(hourOf(q.bucketStart)) }));
  const day: RollupRow[] = [];
  for (const timeZone of zones) {
    // Only sealed days have day rows: a live write to today adds to the 15-minute and team-hour rows alone.
    const daysSealedTo = sealed.days.get(timeZone) ?? -Infinity;
    const dayStart = dayStartFinder(timeZone);
    const inSealedDays = owned.filter((q) => q.bucketStart.getTime() < daysSealedTo);
    day.push(...aggregate(inSealedDays, (q) => ({ timeZone, ownerId: q.ownerId, bucketStart: new Date(dayStart(q.bucketStart)) })));
  }
  // Only sealed months have month rows: a live write to the current month leaves them alone.
  const month = monthRowsOf(day.filter((d) => d.bucketStart.getTime() < (sealed.months.get(d.timeZone) ?? -Infinity)));
  const teamDay = aggregate(day, (d) => ({ timeZone: d.timeZone, ownerId: teamOf.get(d.ownerId)!, bucketStart: d.bucketStart }));
  return { day, month, teamHour, teamDay };
}

/** Pure additions: each key's parts summed, to be added to its row. */
function addedRows(deltas: Deltas): RollupRow[] {
  return [...deltas.byKey.values()].map(({ key, plus }) => ({ ...key, measures: sumMeasures(plus) }));
}

/**
 * Step 2 of both write paths: every coarser row (team hour, deployment and
 * team day per zone) adjusted by signed 15-minute contributions, or — when a
 * row was not the sum it should be — recomputed from the (already written)
 * 15-minute rows of the changed spans.
 */
async function adjustCoarserRows(
  run: SqlRunner,
  changed: { quarter: QuarterRow; sign: 1 | -1 }[],
  { spans, teamOf, zones, sealed }: { spans: Map<number, Span[]>; teamOf: Map<number, number>; zones: readonly string[]; sealed: Sealed },
): Promise<void> {
  if (changed.length === 0) return;
  const levels = coarserDeltas(changed, teamOf, zones, sealed);
  const day = await planDerived(run, "usage_rollup_day", levels.day);
  const month = day && (await planDerived(run, "usage_rollup_month", levels.month));
  await lockRollupOwners(run, "team", teamOf.values());
  const teamHour = month && (await planDerived(run, "usage_rollup_team_hour", levels.teamHour));
  const teamDay = teamHour && (await planDerived(run, "usage_rollup_team_day", levels.teamDay));
  if (!day || !month || !teamHour || !teamDay) {
    await recomputeDerived(run, spans, teamOf, zones, sealed);
    return;
  }
  for (const plan of [day, month, teamHour, teamDay]) {
    if (plan.deletes.length > 0) await deleteRollupRows(run, plan.table, plan.deletes);
    if (plan.upserts.length > 0) await insertRollupRows(run, plan.table, plan.upserts, { mode: "upsert" });
  }
}

function widen(a: { start: Date; end: Date } | undefined, b: { start: Date; end: Date }): { start: Date; end: Date } {
  if (!a) return b;
  return { start: new Date(Math.min(a.start.getTime(), b.start.getTime())), end: new Date(Math.max(a.end.getTime(), b.end.getTime())) };
}

/**
 * Recomputes teams' hour and day rows over [start, end) from their
 * deployments' 15-minute rows: for when a deployment (and its usage) moves
 * from one team to another, which refreshUsageRollups — keyed by the
 * deployment's current team — cannot see. Pass both teams. Holds the
 * seal lock shared, as every usage writer does: a day seal that read the
 * deployment's old team (this transaction not committed yet) commits first,
 * and the seals read here then include its days, so they are recomputed too.
 */
export async function refreshTeamUsage(run: SqlRunner, { teamIds, start, end }: { teamIds: number[]; start: Date; end: Date }): Promise<void> {
  await lockSeals(run, "shared");
  await lockRollupOwners(run, "team", teamIds);
  await recomputeTeams(run, new Map(teamIds.map((id) => [id, { start, end }])), await rollupZones(run), await rollupSeals(run));
}

/** Per-zone day rows (of sealed days) of one deployment's 15-minute rows, accumulated into its team's day rows. */
function addDayRows(quarters: readonly QuarterRow[], zones: readonly string[], team: Map<string, RollupRow[]>, sealed: Sealed): RollupRow[] {
  const rows: RollupRow[] = [];
  for (const timeZone of zones) {
    const dayStart = dayStartFinder(timeZone);
    const sealedTo = sealed.days.get(timeZone) ?? -Infinity;
    const inSealedDays = quarters.filter((q) => q.bucketStart.getTime() < sealedTo);
    for (const row of aggregate(inSealedDays, (q) => ({ timeZone, ownerId: q.deploymentId, bucketStart: new Date(dayStart(q.bucketStart)) }))) {
      rows.push(row);
      const id = `${timeZone}|${row.bucketStart.getTime()}`;
      const list = team.get(id);
      if (list) list.push(row);
      else team.set(id, [row]);
    }
  }
  return rows;
}

/** Team-day rows from the day rows of all of a team's deployments (sums of sums: the same as from their 15-minute rows). */
function teamDayRows(teamId: number, team: Map<string, RollupRow[]>): RollupRow[] {
  return [...team.values()].map((parts) => ({
    timeZone: parts[0]!.timeZone,
    ownerId: teamId,
    bucketStart: parts[0]!.bucketStart,
    measures: sumMeasures(parts.map((p) => p.measures)),
  }));
}

/**
 * Makes sure day rollups (per deployment and per team) exist for the org's
 * and every team's time zone: a new zone's days before today are sealed,
 * their rows built here.
 */
export async function ensureRollupTimeZones(run: SqlRunner): Promise<string[]> {
  const added = await run.query<{ timeZone: string }>(Prisma.sql`${NEW_ZONES} returning "timeZone"`);
  const zones = added.map((z) => z.timeZone).sort();
  if (zones.length === 0) return zones;
  const sealed = await rollupSeals(run);
  const deployments = await run.query<{ id: number; teamId: number }>(Prisma.sql`select id, "teamId" from inference_deployments order by "teamId", id`);
  let team = new Map<string, RollupRow[]>();
  for (const [index, { id, teamId }] of deployments.entries()) {
    const quarters = await loadQuarters(run, [{ deploymentId: id, start: new Date("1900-01-01T00:00:00Z"), end: new Date("9999-01-01T00:00:00Z") }]);
    // A new zone has no sealed month yet (sealUsageMonths seals them): day rows only, of its sealed days.
    await insertRollupRows(run, "usage_rollup_day", addDayRows(quarters, zones, team, sealed));
    if (deployments[index + 1]?.teamId !== teamId) {
      await insertRollupRows(run, "usage_rollup_team_day", teamDayRows(teamId, team));
      team = new Map();
    }
  }
  return zones;
}

/**
 * Recomputes every rollup from the raw windows, one team at a time: each
 * deployment's windows → 15-minute rows → its day rows per zone, and the
 * team's hour rows from all of its deployments' 15-minute rows and its day
 * rows from their day rows.
 */
export async function rebuildUsageRollups(
  run: SqlRunner,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<{ deployments: number; quarters: number }> {
  await run.execute(Prisma.sql`truncate usage_rollup_quarter, usage_rollup_team_hour, usage_rollup_day, usage_rollup_month, usage_rollup_team_day`);
  await run.execute(NEW_ZONES);
  const zones = await rollupZones(run);
  const sealed = await rollupSeals(run);
  const deployments = await run.query<{ id: number; teamId: number }>(Prisma.sql`select id, "teamId" from inference_deployments order by "teamId", id`);
  let quarterCount = 0;
  let teamQuarters: QuarterRow[] = [];
  let teamDays = new Map<string, RollupRow[]>();
  for (const [index, { id, teamId }] of deployments.entries()) {
    const rows = await run.query<RawWindowRow>(Prisma.sql`
      select ${RAW_WINDOW_COLUMNS} from inference_usage_windows w where w."deploymentId" = ${id} order by w."windowStart"`);
    const quarters: QuarterRow[] = [...rollupQuarters(rows.map(toWindowInput))]
      .sort(([a], [b]) => a - b)
      .map(([bucketStart, measures]) => ({ deploymentId: id, bucketStart: new Date(bucketStart), measures }));
    quarterCount += quarters.length;
    await insertRollupRows(run, "usage_rollup_quarter", quarters.map((q) => ({ timeZone: "", ownerId: id, bucketStart: q.bucketStart, measures: q.measures })));
    const dayRows = addDayRows(quarters, zones, teamDays, sealed);
    await insertRollupRows(run, "usage_rollup_day", dayRows);
    await insertRollupRows(run, "usage_rollup_month", sealedRows(monthRowsOf(dayRows), sealed));
    teamQuarters.push(...quarters);
    if (deployments[index + 1]?.teamId !== teamId) {
      await insertRollupRows(
        run,
        "usage_rollup_team_hour",
        aggregate(teamQuarters, (q) => ({ timeZone: "", ownerId: teamId, bucketStart: new Date(hourOf(q.bucketStart)) })),
      );
      await insertRollupRows(run, "usage_rollup_team_day", teamDayRows(teamId, teamDays));
      teamQuarters = [];
      teamDays = new Map();
    }
    options.onProgress?.(index + 1, deployments.length);
  }
  return { deployments: deployments.length, quarters: quarterCount };
}

/**
 * Moves every zone's sealed days back to the local day holding `at` (never
 * forward, never before its sealed months) and drops the day rows past the
 * new boundary, as if the roller had last run then: for the benchmarks and
 * tests, which write "today" at a clock of their own. The figures don't
 * change (readers take unsealed days from the 15-minute rows).
 */
export async function unsealUsageDays(run: SqlRunner, at: Date): Promise<void> {
  await lockSeals(run, "exclusive");
  await run.execute(Prisma.sql`
    update rollup_time_zones set "daysSealedTo" = greatest(coalesce("monthsSealedTo", '-infinity'),
      least(coalesce("daysSealedTo", 'infinity'), date_trunc('day', ${at}::timestamptz at time zone "timeZone") at time zone "timeZone"))`);
  for (const table of ["usage_rollup_day", "usage_rollup_team_day"] as const) {
    await run.execute(Prisma.sql`delete from ${Prisma.raw(table)} r using rollup_time_zones z where r."timeZone" = z."timeZone" and r."bucketStart" >= z."daysSealedTo"`);
  }
}

/**
 * Compares the stored rollup rows of some deployments over [start, end) with
 * a recomputation from their raw windows, independent of the incremental
 * path: every 15-minute and day row of those deployments, and every hour and
 * day row of their teams (from all of the teams' deployments), in whole local
 * days of every zone. For the write benchmark and tests; reads up to
 * MAX_WINDOW_SECONDS of raw windows before `start`.
 */
export async function checkUsageRollups(
  run: SqlRunner,
  { deploymentIds, start, end }: { deploymentIds: number[]; start: Date; end: Date },
): Promise<{ rows: number; mismatches: string[] }> {
  const zones = await rollupZones(run);
  const sealed = await rollupSeals(run);
  const members = await run.query<{ id: number; teamId: number }>(Prisma.sql`
    select id, "teamId" from inference_deployments
    where "teamId" in (select "teamId" from inference_deployments where id = any(${deploymentIds}::int[])) order by id`);
  const teamOf = new Map(members.map((m) => [m.id, m.teamId]));
  const hours = { start: new Date(hourOf(start)), end: new Date(Math.ceil(end.getTime() / HOUR_MS) * HOUR_MS) };
  const days = new Map(zones.map((timeZone) => [timeZone, dayRange({ start, end }, timeZone)]));
  const whole = [...days.values()].reduce<{ start: Date; end: Date }>((a, b) => (b ? widen(a, b) : a), hours);
  const raw = await run.query<RawWindowRow & { deploymentId: number }>(Prisma.sql`
    select w."deploymentId", ${RAW_WINDOW_COLUMNS} from inference_usage_windows w
    where w."deploymentId" = any(${members.map((m) => m.id)}::int[]) and w."windowStart" < ${whole.end}
      and w."windowStart" > ${new Date(whole.start.getTime() - MAX_WINDOW_SECONDS * 1000)}
      and w."windowStart" + make_interval(secs => w."windowSeconds") > ${whole.start}`);
  const quarters: QuarterRow[] = members.flatMap(({ id }) =>
    [...rollupQuarters(raw.filter((r) => r.deploymentId === id).map(toWindowInput), whole)].map(([bucketStart, measures]) => ({
      deploymentId: id,
      bucketStart: new Date(bucketStart),
      measures,
    })),
  );
  const inside = (q: QuarterRow, range: { start: Date; end: Date } | null | undefined) => !!range && q.bucketStart >= range.start && q.bucketStart < range.end;
  const expected: Record<RollupTable, RollupRow[]> = {
    usage_rollup_quarter: quarters.map((q) => ({ timeZone: "", ownerId: q.deploymentId, bucketStart: q.bucketStart, measures: q.measures })),
    usage_rollup_team_hour: aggregate(
      quarters.filter((q) => inside(q, hours)),
      (q) => ({ timeZone: "", ownerId: teamOf.get(q.deploymentId)!, bucketStart: new Date(hourOf(q.bucketStart)) }),
    ),
    usage_rollup_day: [],
    usage_rollup_month: [],
    usage_rollup_team_day: [],
  };
  for (const [timeZone, range] of days) {
    const dayStart = dayStartFinder(timeZone);
    // Day rows exist for sealed days only (sealUsageDays); later days must have none.
    const inDays = quarters.filter((q) => inside(q, range) && q.bucketStart.getTime() < (sealed.days.get(timeZone) ?? -Infinity));
    expected.usage_rollup_day.push(...aggregate(inDays, (q) => ({ timeZone, ownerId: q.deploymentId, bucketStart: new Date(dayStart(q.bucketStart)) })));
    expected.usage_rollup_team_day.push(
      ...aggregate(inDays, (q) => ({ timeZone, ownerId: teamOf.get(q.deploymentId)!, bucketStart: new Date(dayStart(q.bucketStart)) })),
    );
  }
  const teamIds = [...new Set(teamOf.values())];
  const ids = members.map((m) => m.id);
  const storedRows = async (table: RollupTable, owners: number[], range: { start: Date; end: Date }, timeZone?: string) => {
    const zone = timeZone === undefined ? Prisma.sql`''` : Prisma.sql`r."timeZone"`;
    const zoneWhere = timeZone === undefined ? Prisma.empty : Prisma.sql`and r."timeZone" = ${timeZone}`;
    const rows = await run.query<RawMeasures & { timeZone: string; ownerId: number; bucketMs: number }>(Prisma.sql`
      select ${zone} as "timeZone", r.${OWNER_COLUMN[table]} as "ownerId", (extract(epoch from r."bucketStart") * 1000)::float8 as "bucketMs", ${SELECT_MEASURES}
      from ${Prisma.raw(table)} r
      where r.${OWNER_COLUMN[table]} = any(${owners}::int[]) and r."bucketStart" >= ${range.start} and r."bucketStart" < ${range.end} ${zoneWhere}`);
    return rows.map((r): RollupRow => {
      const measures = toMeasures(r);
      return { timeZone: r.timeZone, ownerId: r.ownerId, bucketStart: new Date(r.bucketMs), measures: { ...measures, latency: normalizeSketch(measures.latency) } };
    });
  };
  const stored: Record<RollupTable, RollupRow[]> = {
    usage_rollup_quarter: await storedRows("usage_rollup_quarter", ids, whole),
    usage_rollup_team_hour: await storedRows("usage_rollup_team_hour", teamIds, hours),
    usage_rollup_day: [],
    usage_rollup_month: [],
    usage_rollup_team_day: [],
  };
  for (const [timeZone, range] of days) {
    if (!range) continue;
    stored.usage_rollup_day.push(...(await storedRows("usage_rollup_day", ids, range, timeZone)));
    stored.usage_rollup_team_day.push(...(await storedRows("usage_rollup_team_day", teamIds, range, timeZone)));
    // Month rows: each sealed month's the sum of its stored day rows (those inside the range were just compared with raw); none for later months.
    const months = monthRange(range, timeZone);
    if (!months) continue;
    expected.usage_rollup_month.push(...sealedRows(monthRowsOf(await storedRows("usage_rollup_day", ids, months, timeZone)), sealed));
    stored.usage_rollup_month.push(...(await storedRows("usage_rollup_month", ids, months, timeZone)));
  }
  const mismatches: string[] = [];
  let rows = 0;
  for (const table of Object.keys(expected) as RollupTable[]) {
    const id = (r: RollupKey) => `${r.timeZone}|${r.ownerId}|${r.bucketStart.toISOString()}`;
    const want = new Map(expected[table].map((r) => [id(r), r.measures]));
    const have = new Map(stored[table].map((r) => [id(r), r.measures]));
    rows += want.size;
    for (const [key, measures] of want) {
      const got = have.get(key);
      if (!got) mismatches.push(`${table} ${key}: missing`);
      else if (!sameMeasures(got, measures)) mismatches.push(`${table} ${key}: differs`);
    }
    for (const key of have.keys()) if (!want.has(key)) mismatches.push(`${table} ${key}: not in raw`);
  }
  return { rows, mismatches };
}
