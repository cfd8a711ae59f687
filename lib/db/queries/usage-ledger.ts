import "server-only";
import { teamScopeSql } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { bucketsBetween, isHourAligned, type BucketUnit } from "@/lib/domain/calendar";
import { sketchQuantileKey } from "@/lib/domain/latency-sketch";
import { normalizeSketch } from "@/lib/domain/usage-rollup";
import { db } from "../client";
import { prismaRunner, Prisma, type SqlRunner } from "../sql";
import { bucketEndSql, bucketStartSql, isSingleBucket } from "./buckets-sql";
import { has, scopeSql, type LedgerFilters, type LedgerGroup } from "./filters-sql";

/**
 * Traffic per time bucket and group — requests, tokens, idle and utilization
 * time, and p50/p95/p99 latency from merged sketches — read from the rollups,
 * never from raw windows. The source is the coarsest rollup whose buckets
 * nest exactly in the requested ones:
 *   day/week/month in a materialized zone, team- or org-wide → usage_rollup_team_day
 *   sealed months in a materialized zone, by model, GPU or deployment → usage_rollup_month
 *   other day/week/month in a materialized zone, by model, GPU or deployment → usage_rollup_day
 *   hours in a whole-hour zone, team- or org-wide → usage_rollup_team_hour
 *   anything else → usage_rollup_quarter (15-minute rows)
 * Day rows exist for the zone's sealed days only (rollup_time_zones
 * daysSealedTo: every day before today, usage-rollups.ts sealUsageDays), so a
 * range reaching past them reads its unsealed days (today) from the
 * 15-minute rows: the "…Live" sources, which read the boundary in the same
 * statement as the rows.
 * `from` and `to` should be bucket boundaries (calendar.bucketsBetween).
 */

export interface UsageQuery {
  viewer: Viewer;
  filters: LedgerFilters;
  from: Date;
  to: Date;
  unit: BucketUnit;
  timeZone: string;
  groupBy: Exclude<LedgerGroup, "kind">;
  /**
   * One bucket for the whole of [from, to) instead of one per `unit` (a
   * month's p99 is not a function of its days' p99s). `unit` still says which
   * grid from/to sit on, and so which rollup can answer.
   */
  isWholeRange?: boolean;
}

export type UsageSource = "teamDay" | "month" | "monthAndDay" | "day" | "teamHour" | "quarter" | "teamDayLive" | "monthAndDayLive" | "dayLive";

export interface UsageRow {
  bucketStart: Date;
  bucketEnd: Date;
  groupKey: string;
  groupLabel: string;
  windowMs: bigint;
  idleMs: bigint;
  utilMs: bigint;
  /** Σ utilization % × ms, exact to 2 decimals (string). */
  utilPctMs: string;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  approxRequests: bigint;
  /** Sketch keys at p50/p95/p99 (lib/domain/latency-sketch.ts), null when no latency. */
  p50Key: number | null;
  p95Key: number | null;
  p99Key: number | null;
}

interface RawUsageRow {
  bucketStart: Date;
  bucketEnd: Date;
  groupKey: string;
  groupLabel: string;
  windowMs: string;
  idleMs: string;
  utilMs: string;
  utilPctMs: string;
  requests: string;
  errors: string;
  inputTokens: string;
  cachedInputTokens: string;
  outputTokens: string;
  approxRequests: string;
  keys?: number[] | null;
  /** A PostgreSQL array literal of counts, e.g. "{3,1,2}". */
  counts?: string | null;
  /** mergeSketches "node": every source row's keys (and counts) as array literals run together ("{1,2}{1}"), in the same order. */
  keysText?: string | null;
  countsText?: string | null;
  /** One-row-per-bucket reads of team rows: the row's stored quantile keys are current (then keysText is null). */
  isCompact?: boolean;
  p50Key?: number | null;
  p95Key?: number | null;
  p99Key?: number | null;
}

/** Counts per sketch key (+ 32,768: every smallint key has a slot), zero between uses. */
const keySlots = new Float64Array(65_536);
const KEY_OFFSET = 32_768;
const QUANTILES = [0.5, 0.95, 0.99] as const;

/**
 * Reads the integers of concatenated PostgreSQL array literals of int2/int8
 * ("{3,-1}{2}") one at a time, by hand: this runs for every (key, count) pair
 * of every source row.
 */
class ArrayIntReader {
  private i = 0;
  constructor(private readonly text: string) {}

  /** The next integer, or null at the end. */
  next(): number | null {
    const text = this.text;
    let i = this.i;
    let c = text.charCodeAt(i);
    while (c === 123 /* { */ || c === 125 /* } */ || c === 44 /* , */) c = text.charCodeAt(++i);
    if (i >= text.length) {
      this.i = i;
      return null;
    }
    const start = i;
    const isNegative = c === 45; /* - */
    if (isNegative) c = text.charCodeAt(++i);
    let value = 0;
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      c = text.charCodeAt(++i);
    }
    this.i = i;
    const digits = i - start - (isNegative ? 1 : 0);
    if (digits === 0) throw new Error(`usage sketch: unexpected ${JSON.stringify(text.slice(start, start + 10))} in an array literal`);
    // Past 15 digits value * 10 + d may round differently from Number(); parse those as the Map merge did.
    return digits > 15 ? Number(text.slice(start, i)) : isNegative ? -value : value;
  }
}

/**
 * p50/p95/p99 keys (DDSketch's rank rule, as sketchQuantileKey) of the sum of
 * sketches given as concatenated array literals of keys and of counts, in the
 * same order. Counting in a dense array is several times faster than a Map and
 * a sort; the result is the same as sketchQuantileKey on mergeSketches.
 */
export function mergedQuantileKeys(keysText: string, countsText: string): [number | null, number | null, number | null] {
  const keys = new ArrayIntReader(keysText);
  const counts = new ArrayIntReader(countsText);
  let lo = keySlots.length;
  let hi = -1;
  try {
    for (let key = keys.next(); key !== null; key = keys.next()) {
      const count = counts.next();
      if (count === null) throw new Error("usage sketch: fewer counts than keys");
      const slot = key + KEY_OFFSET;
      if (!(slot >= 0 && slot < keySlots.length)) throw new Error(`usage sketch: key ${key} is not a smallint`);
      keySlots[slot]! += count;
      if (slot < lo) lo = slot;
      if (slot > hi) hi = slot;
    }
    if (counts.next() !== null) throw new Error("usage sketch: more counts than keys");
    return quantileKeys(lo, hi);
  } finally {
    keySlots.fill(0, lo, hi + 1);
  }
}

/** sketchQuantileKey at p50/p95/p99 over keySlots[lo..hi]. */
function quantileKeys(lo: number, hi: number): [number | null, number | null, number | null] {
  let total = 0;
  for (let slot = lo; slot <= hi; slot++) total += keySlots[slot]!;
  return QUANTILES.map((q): number | null => {
    if (total === 0) return null;
    const rank = q * (total - 1);
    let running = 0;
    for (let slot = lo; slot <= hi; slot++) {
      running += keySlots[slot]!;
      if (running > rank) return slot - KEY_OFFSET;
    }
    return hi - KEY_OFFSET;
  }) as [number | null, number | null, number | null];
}

/**
 * The zone's sealed-days boundary chooseUsageSource read for a query (a "…Live" source): a lower bound of the one the
 * statement reads itself (seals only move it forward), given to the planner as a constant so it plans the 15-minute tail
 * as the few rows it is, not as the whole range.
 */
const liveFrom = new WeakMap<UsageQuery, Date | null>();

export async function chooseUsageSource(q: UsageQuery, run: SqlRunner): Promise<UsageSource> {
  const isTeamWide = (q.groupBy === "team" || q.groupBy === "none") && !has(q.filters.models) && !has(q.filters.gpuTypeIds) && !has(q.filters.deploymentIds);
  if (q.unit !== "hour") {
    const zones = await run.query<{ timeZone: string; sealedTo: Date | null; daysSealedTo: Date | null }>(
      Prisma.sql`select "timeZone", "monthsSealedTo" as "sealedTo", "daysSealedTo" from rollup_time_zones where "timeZone" = ${q.timeZone}`,
    );
    if (zones.length === 0) return "quarter";
    // Day rows exist for sealed days only; sealing only moves forward, so a range inside them stays inside.
    const { sealedTo, daysSealedTo } = zones[0]!;
    const isLive = daysSealedTo === null || q.to.getTime() > new Date(daysSealedTo).getTime();
    if (isLive) liveFrom.set(q, daysSealedTo === null ? null : new Date(daysSealedTo));
    if (isTeamWide) return isLive ? "teamDayLive" : "teamDay";
    // Month rows exist for sealed months only (usage-rollups.ts sealUsageMonths), never past the sealed days.
    if (q.unit === "month" && sealedTo !== null && q.to.getTime() <= new Date(sealedTo).getTime()) return "month";
    if (isConstantBucket(q) && sealedTo !== null && wholeMonths(q, new Date(sealedTo))) return isLive ? "monthAndDayLive" : "monthAndDay";
    return isLive ? "dayLive" : "day";
  }
  return isTeamWide && isHourAligned({ timeZone: q.timeZone, from: q.from, to: q.to }) ? "teamHour" : "quarter";
}

function groupSql(groupBy: UsageQuery["groupBy"]): { key: Prisma.Sql; label: Prisma.Sql } {
  switch (groupBy) {
    case "team":
      return { key: Prisma.sql`t.id::text`, label: Prisma.sql`t.name` };
    case "model":
      return { key: Prisma.sql`d.model`, label: Prisma.sql`d.model` };
    case "gpuType":
      return { key: Prisma.sql`g.id::text`, label: Prisma.sql`g.name` };
    case "item":
      return { key: Prisma.sql`'inference:' || d.id`, label: Prisma.sql`d.name` };
    case "none":
      return { key: Prisma.sql`'all'`, label: Prisma.sql`'All'` };
  }
}

/**
 * `mergeSketches`: "sql" returns each bucket's merged sketch as keys and counts
 * arrays (for SQL that joins the result, report lines); "node" returns the
 * source rows' sketches concatenated as text for queryUsage to merge, which
 * is several times faster than unnest-and-group in PostgreSQL.
 */
export function usageSql(q: UsageQuery, source: UsageSource, mergeSketches: "sql" | "node" = "sql"): Prisma.Sql {
  const spec = { unit: q.unit, timeZone: q.timeZone };
  const group = groupSql(q.groupBy);
  // One bucket (a month's report): every row's bucket is `from`, without working it out per row in the zone.
  const bucket = q.isWholeRange || isSingleBucket(q) ? Prisma.sql`${q.from}::timestamptz` : bucketStartSql(spec, Prisma.sql`r."bucketStart"`, q.from);
  const bucketEndOf = (start: Prisma.Sql) => (q.isWholeRange ? Prisma.sql`${q.to}::timestamptz` : bucketEndSql(spec, start));
  const range = Prisma.sql`r."bucketStart" >= ${q.from} and r."bucketStart" < ${q.to}`;
  const deploymentFilter = has(q.filters.deploymentIds) ? Prisma.sql`and d.id = any(${q.filters.deploymentIds}::int[])` : Prisma.empty;
  const deploymentRows = (table: Prisma.Sql, where: Prisma.Sql, isZoned = true) => Prisma.sql`
        select ${bucket} as b, ${group.key} as gk, ${group.label} as gl, ${ROLLUP_MEASURES}
        from ${table} r
          join inference_deployments d on d.id = r."deploymentId"
          join teams t on t.id = d."teamId"
          join gpu_types g on g.id = d."gpuTypeId"
        where ${where} ${isZoned ? Prisma.sql`and r."timeZone" = ${q.timeZone}` : Prisma.empty} and ${scopeSql(q.viewer, q.filters, "d")} ${deploymentFilter}`;
  // Days past the zone's sealed days have no day rows: they come from the 15-minute rows (read in this statement, so the
  // boundary agrees with the rows; a seal moves it and writes those days' rows in one transaction).
  const isLive = source === "teamDayLive" || source === "monthAndDayLive" || source === "dayLive";
  const daysSealed = Prisma.sql`(select coalesce(z."daysSealedTo", '-infinity'::timestamptz) from rollup_time_zones z where z."timeZone" = ${q.timeZone})`;
  const sealedDays = isLive ? Prisma.sql`and r."bucketStart" < ${daysSealed}` : Prisma.empty;
  const knownFrom = liveFrom.get(q);
  const planFrom = knownFrom ? Prisma.sql`and r."bucketStart" >= ${knownFrom}::timestamptz` : Prisma.empty;
  // Team- or org-wide in a zone on the hour, the unsealed days come from the team-hour rows (a row per team and hour instead
  // of one per deployment and quarter): they start at a local midnight, on the hour there. In a zone off the hour
  // (Asia/Kolkata's days start at :30 UTC) an hour row can straddle a midnight: 15-minute rows.
  const liveDays = !isLive
    ? Prisma.empty
    : source === "teamDayLive" && isHourAligned({ timeZone: q.timeZone, from: q.from, to: q.to })
      ? Prisma.sql`
        union all
        select ${bucket} as b, ${group.key} as gk, ${group.label} as gl, ${ROLLUP_MEASURES}
        from usage_rollup_team_hour r join teams t on t.id = r."teamId"
        where ${range} and r."bucketStart" >= ${daysSealed} ${planFrom}
          and ${teamScopeSql(q.viewer, Prisma.sql`t.id`)} ${has(q.filters.teamIds) ? Prisma.sql`and t.id = any(${q.filters.teamIds}::int[])` : Prisma.empty}`
      : Prisma.sql`
        union all
        ${deploymentRows(Prisma.sql`usage_rollup_quarter`, Prisma.sql`${range} and r."bucketStart" >= ${daysSealed} ${planFrom}`, false)}`;
  const months = source === "monthAndDay" || source === "monthAndDayLive" ? wholeMonths(q, null) : null;
  const src = months
    ? // One bucket over a long range: its whole sealed months from month rows, the other days from day rows (a month row
      // is the sum of its month's day rows, kept in the same transactions), a third of the rows for 90 days. The sealed
      // boundary is read in the statement, so it agrees with the month rows it reads.
      Prisma.sql`
        with cover as (
          select ${months.from}::timestamptz as lo,
            greatest(${months.from}::timestamptz, least(${months.to}::timestamptz,
              coalesce((select "monthsSealedTo" from rollup_time_zones where "timeZone" = ${q.timeZone}), '-infinity'::timestamptz))) as hi
        )
        ${deploymentRows(Prisma.sql`usage_rollup_month`, Prisma.sql`r."bucketStart" >= (select lo from cover) and r."bucketStart" < (select hi from cover)`)}
        union all
        ${deploymentRows(Prisma.sql`usage_rollup_day`, Prisma.sql`${range} and not (r."bucketStart" >= (select lo from cover) and r."bucketStart" < (select hi from cover)) ${sealedDays}`)}
        ${liveDays}`
    : source === "teamHour" || source === "teamDay" || source === "teamDayLive"
      ? Prisma.sql`
        select ${bucket} as b, ${group.key} as gk, ${group.label} as gl, ${isLive ? ROLLUP_MEASURES : Prisma.sql`r.*`}
        from ${source === "teamHour" ? Prisma.sql`usage_rollup_team_hour` : Prisma.sql`usage_rollup_team_day`} r join teams t on t.id = r."teamId"
        where ${range} ${source === "teamHour" ? Prisma.empty : Prisma.sql`and r."timeZone" = ${q.timeZone}`} ${sealedDays}
          and ${teamScopeSql(q.viewer, Prisma.sql`t.id`)} ${has(q.filters.teamIds) ? Prisma.sql`and t.id = any(${q.filters.teamIds}::int[])` : Prisma.empty}
        ${liveDays}`
      : source === "dayLive"
        ? Prisma.sql`
        ${deploymentRows(Prisma.sql`usage_rollup_day`, Prisma.sql`${range} ${sealedDays}`)}
        ${liveDays}`
        : Prisma.sql`
        select ${bucket} as b, ${group.key} as gk, ${group.label} as gl, r.*
        from ${source === "month" ? Prisma.sql`usage_rollup_month` : source === "day" ? Prisma.sql`usage_rollup_day` : Prisma.sql`usage_rollup_quarter`} r
          join inference_deployments d on d.id = r."deploymentId"
          join teams t on t.id = d."teamId"
          join gpu_types g on g.id = d."gpuTypeId"
        where ${range} ${source === "day" || source === "month" ? Prisma.sql`and r."timeZone" = ${q.timeZone}` : Prisma.empty}
          and ${scopeSql(q.viewer, q.filters, "d")} ${deploymentFilter}`;
  const sums = Prisma.sql`sum("windowMs")::text as "windowMs", sum("idleMs")::text as "idleMs", sum("utilMs")::text as "utilMs",
        sum("utilPctMs")::text as "utilPctMs", sum(requests)::text as requests, sum(errors)::text as errors,
        sum("inputTokens")::text as "inputTokens", sum("cachedInputTokens")::text as "cachedInputTokens",
        sum("outputTokens")::text as "outputTokens", sum("approxRequests")::text as "approxRequests"`;
  if (isOneRowPerBucket(q, source)) {
    // Each bucket × group is exactly one rollup row: its sketch is already merged (its pairs may repeat keys out of
    // order — burnrate_sketch_add appends — which the dense count in mergedQuantileKeys adds up). Both arrays travel as
    // text: node-postgres' array parser took more time than the query for a year of day rows. A compact team row
    // (schema.prisma isCompact) gives its stored quantile keys instead: three numbers, however many deployments the
    // team has, where the sketch grows with them.
    const isTeamSource = source === "teamHour" || source === "teamDay";
    const compact = isTeamSource ? Prisma.sql`"isCompact"` : Prisma.sql`false`;
    return Prisma.sql`
      with src as (${src})
      select b as "bucketStart", ${bucketEndOf(Prisma.sql`b`)} as "bucketEnd", gk as "groupKey", gl as "groupLabel",
        "windowMs"::text, "idleMs"::text, "utilMs"::text, "utilPctMs"::text, requests::text, errors::text, "inputTokens"::text,
        "cachedInputTokens"::text, "outputTokens"::text, "approxRequests"::text,
        case when ${compact} then null else coalesce("latencyKeys", '{}')::text end as "keysText",
        case when ${compact} then null else coalesce("latencyCounts", '{}')::text end as "countsText",
        ${compact} as "isCompact",
        ${isTeamSource ? Prisma.sql`"p50Key", "p95Key", "p99Key"` : Prisma.sql`null::smallint as "p50Key", null::smallint as "p95Key", null::smallint as "p99Key"`}
      from src
      order by b, gk`;
  }
  if (mergeSketches === "node") {
    const hasSketch = Prisma.sql`filter (where cardinality("latencyKeys") > 0)`;
    return Prisma.sql`
      with src as (${src})
      select b as "bucketStart", ${bucketEndOf(Prisma.sql`b`)} as "bucketEnd", gk as "groupKey", min(gl) as "groupLabel", ${sums},
        string_agg("latencyKeys"::text, '') ${hasSketch} as "keysText",
        string_agg("latencyCounts"::text, '') ${hasSketch} as "countsText"
      from src group by b, gk
      order by b, gk`;
  }
  return Prisma.sql`
    with src as (${src}),
    sums as (
      select b, gk, min(gl) as gl, ${sums} from src group by b, gk
    ),
    pairs as (
      select b, gk, u.k, sum(u.c) as c from src, unnest(src."latencyKeys", src."latencyCounts") as u(k, c) group by b, gk, u.k
    ),
    sketches as (
      select b, gk, array_agg(k order by k) as keys, array_agg(c order by k)::text as counts from pairs group by b, gk
    )
    select sums.b as "bucketStart", ${bucketEndOf(Prisma.sql`sums.b`)} as "bucketEnd", sums.gk as "groupKey", sums.gl as "groupLabel",
      "windowMs", "idleMs", "utilMs", "utilPctMs", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests",
      sketches.keys, sketches.counts
    from sums left join sketches using (b, gk)
    order by sums.b, sums.gk`;
}

/** The measure columns of a rollup row, as the statements below read them. */
const ROLLUP_MEASURES = Prisma.sql`r."windowCount", r."windowMs", r."idleMs", r."utilMs", r."utilPctMs", r.requests, r.errors, r."inputTokens",
  r."cachedInputTokens", r."outputTokens", r."approxRequests", r."latencyKeys", r."latencyCounts"`;

/** True when every row of the query falls in one bucket (the whole range, or a range of exactly one bucket). */
function isConstantBucket(q: UsageQuery): boolean {
  return q.unit !== "hour" && (q.isWholeRange === true || isSingleBucket(q));
}

/**
 * The local months of the zone lying wholly inside [from, to) — and, given
 * `sealedTo`, starting before it — as one span; null when there are none.
 */
function wholeMonths(q: UsageQuery, sealedTo: Date | null): { from: Date; to: Date } | null {
  const inside = bucketsBetween({ from: q.from, to: q.to, unit: "month", timeZone: q.timeZone }).filter(
    (m) => m.start.getTime() >= q.from.getTime() && m.end.getTime() <= q.to.getTime() && (sealedTo === null || m.start.getTime() < sealedTo.getTime()),
  );
  return inside.length === 0 ? null : { from: inside[0]!.start, to: inside.at(-1)!.end };
}

/** True when the source holds exactly one row per requested bucket and group. */
function isOneRowPerBucket(q: UsageQuery, source: UsageSource): boolean {
  if (q.isWholeRange) return false;
  if (source === "teamHour") return q.unit === "hour" && q.groupBy === "team";
  if (source === "teamDay") return q.unit === "day" && q.groupBy === "team";
  if (source === "day") return q.unit === "day" && q.groupBy === "item";
  if (source === "month") return q.unit === "month" && q.groupBy === "item";
  return false;
}

function parseCounts(text: string | null): number[] {
  return text && text.length > 2 ? text.slice(1, -1).split(",").map(Number) : [];
}

export async function queryUsage(q: UsageQuery, run: SqlRunner = prismaRunner(db())): Promise<{ source: UsageSource; rows: UsageRow[] }> {
  if (q.to.getTime() <= q.from.getTime()) return { source: "quarter", rows: [] };
  const source = await chooseUsageSource(q, run);
  const rows = await run.query<RawUsageRow>(usageSql(q, source, "node"));
  return {
    source,
    rows: rows.map((r) => {
      // Percentiles by DDSketch's rank rule over the bucket's merged sketch (lib/domain).
      let p50Key: number | null = null;
      let p95Key: number | null = null;
      let p99Key: number | null = null;
      if (r.isCompact) {
        [p50Key, p95Key, p99Key] = [r.p50Key ?? null, r.p95Key ?? null, r.p99Key ?? null];
      } else if (r.keysText !== undefined) {
        if (r.keysText && r.countsText) [p50Key, p95Key, p99Key] = mergedQuantileKeys(r.keysText, r.countsText);
      } else {
        // One stored row: its pairs may repeat keys out of order (burnrate_sketch_add appends).
        const sketch = normalizeSketch({ keys: r.keys ?? [], counts: parseCounts(r.counts ?? null) });
        [p50Key, p95Key, p99Key] = [sketchQuantileKey(sketch, 0.5), sketchQuantileKey(sketch, 0.95), sketchQuantileKey(sketch, 0.99)];
      }
      return {
      bucketStart: r.bucketStart,
      bucketEnd: r.bucketEnd,
      groupKey: r.groupKey,
      groupLabel: r.groupLabel,
      windowMs: BigInt(r.windowMs),
      idleMs: BigInt(r.idleMs),
      utilMs: BigInt(r.utilMs),
      utilPctMs: r.utilPctMs,
      requests: BigInt(r.requests),
      errors: BigInt(r.errors),
      inputTokens: BigInt(r.inputTokens),
      cachedInputTokens: BigInt(r.cachedInputTokens),
      outputTokens: BigInt(r.outputTokens),
      approxRequests: BigInt(r.approxRequests),
      p50Key,
      p95Key,
      p99Key,
      };
    }),
  };
}
