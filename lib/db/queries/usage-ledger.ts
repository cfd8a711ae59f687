import "server-only";
import { teamScopeSql } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { isHourAligned, type BucketUnit } from "@/lib/domain/calendar";
import { sketchQuantileKey } from "@/lib/domain/latency-sketch";
import { db } from "../client";
import { prismaRunner, Prisma, type SqlRunner } from "../sql";
import { bucketEndSql, bucketStartSql } from "./buckets-sql";
import { has, scopeSql, type LedgerFilters, type LedgerGroup } from "./filters-sql";

/**
 * Traffic per time bucket and group — requests, tokens, idle and utilization
 * time, and p50/p95/p99 latency from merged sketches — read from the rollups,
 * never from raw windows. The source is the coarsest rollup whose buckets
 * nest exactly in the requested ones:
 *   day/week/month in a materialized zone, team- or org-wide → usage_rollup_team_day
 *   day/week/month in a materialized zone, by model, GPU or deployment → usage_rollup_day
 *   hours in a whole-hour zone, team- or org-wide → usage_rollup_team_hour
 *   anything else → usage_rollup_quarter (15-minute rows)
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

export type UsageSource = "teamDay" | "day" | "teamHour" | "quarter";

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
  /** mergeSketches "node": every source row's keys (and counts), comma-separated, in the same order. */
  keysText?: string | null;
  countsText?: string | null;
}

/** Adds up concatenated (key, count) lists into one sketch, keys ascending. */
function mergeSketchText(keysText: string, countsText: string): { keys: number[]; counts: number[] } {
  const keys = keysText.split(",");
  const counts = countsText.split(",");
  const merged = new Map<number, number>();
  for (let i = 0; i < keys.length; i++) {
    const k = Number(keys[i]);
    merged.set(k, (merged.get(k) ?? 0) + Number(counts[i]));
  }
  const sorted = [...merged.keys()].sort((a, b) => a - b);
  return { keys: sorted, counts: sorted.map((k) => merged.get(k)!) };
}

export async function chooseUsageSource(q: UsageQuery, run: SqlRunner): Promise<UsageSource> {
  const isTeamWide = (q.groupBy === "team" || q.groupBy === "none") && !has(q.filters.models) && !has(q.filters.gpuTypeIds) && !has(q.filters.deploymentIds);
  if (q.unit !== "hour") {
    const zones = await run.query<{ timeZone: string }>(Prisma.sql`select "timeZone" from rollup_time_zones where "timeZone" = ${q.timeZone}`);
    if (zones.length === 0) return "quarter";
    return isTeamWide ? "teamDay" : "day";
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
  const bucket = q.isWholeRange ? Prisma.sql`${q.from}::timestamptz` : bucketStartSql(spec, Prisma.sql`r."bucketStart"`, q.from);
  const bucketEndOf = (start: Prisma.Sql) => (q.isWholeRange ? Prisma.sql`${q.to}::timestamptz` : bucketEndSql(spec, start));
  const range = Prisma.sql`r."bucketStart" >= ${q.from} and r."bucketStart" < ${q.to}`;
  const deploymentFilter = has(q.filters.deploymentIds) ? Prisma.sql`and d.id = any(${q.filters.deploymentIds}::int[])` : Prisma.empty;
  const src =
    source === "teamHour" || source === "teamDay"
      ? Prisma.sql`
        select ${bucket} as b, ${group.key} as gk, ${group.label} as gl, r.*
        from ${source === "teamDay" ? Prisma.sql`usage_rollup_team_day` : Prisma.sql`usage_rollup_team_hour`} r join teams t on t.id = r."teamId"
        where ${range} ${source === "teamDay" ? Prisma.sql`and r."timeZone" = ${q.timeZone}` : Prisma.empty}
          and ${teamScopeSql(q.viewer, Prisma.sql`t.id`)} ${has(q.filters.teamIds) ? Prisma.sql`and t.id = any(${q.filters.teamIds}::int[])` : Prisma.empty}`
      : Prisma.sql`
        select ${bucket} as b, ${group.key} as gk, ${group.label} as gl, r.*
        from ${source === "day" ? Prisma.sql`usage_rollup_day` : Prisma.sql`usage_rollup_quarter`} r
          join inference_deployments d on d.id = r."deploymentId"
          join teams t on t.id = d."teamId"
          join gpu_types g on g.id = d."gpuTypeId"
        where ${range} ${source === "day" ? Prisma.sql`and r."timeZone" = ${q.timeZone}` : Prisma.empty}
          and ${scopeSql(q.viewer, q.filters, "d")} ${deploymentFilter}`;
  const sums = Prisma.sql`sum("windowMs")::text as "windowMs", sum("idleMs")::text as "idleMs", sum("utilMs")::text as "utilMs",
        sum("utilPctMs")::text as "utilPctMs", sum(requests)::text as requests, sum(errors)::text as errors,
        sum("inputTokens")::text as "inputTokens", sum("cachedInputTokens")::text as "cachedInputTokens",
        sum("outputTokens")::text as "outputTokens", sum("approxRequests")::text as "approxRequests"`;
  if (isOneRowPerBucket(q, source)) {
    // Each bucket × group is exactly one rollup row: its sketch is already merged.
    return Prisma.sql`
      with src as (${src})
      select b as "bucketStart", ${bucketEndOf(Prisma.sql`b`)} as "bucketEnd", gk as "groupKey", gl as "groupLabel",
        "windowMs"::text, "idleMs"::text, "utilMs"::text, "utilPctMs"::text, requests::text, errors::text, "inputTokens"::text,
        "cachedInputTokens"::text, "outputTokens"::text, "approxRequests"::text, "latencyKeys" as keys, "latencyCounts"::text as counts
      from src
      order by b, gk`;
  }
  if (mergeSketches === "node") {
    const hasSketch = Prisma.sql`filter (where cardinality("latencyKeys") > 0)`;
    return Prisma.sql`
      with src as (${src})
      select b as "bucketStart", ${bucketEndOf(Prisma.sql`b`)} as "bucketEnd", gk as "groupKey", min(gl) as "groupLabel", ${sums},
        string_agg(array_to_string("latencyKeys", ','), ',') ${hasSketch} as "keysText",
        string_agg(array_to_string("latencyCounts", ','), ',') ${hasSketch} as "countsText"
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

/** True when the source holds exactly one row per requested bucket and group. */
function isOneRowPerBucket(q: UsageQuery, source: UsageSource): boolean {
  if (q.isWholeRange) return false;
  if (source === "teamHour") return q.unit === "hour" && q.groupBy === "team";
  if (source === "teamDay") return q.unit === "day" && q.groupBy === "team";
  if (source === "day") return q.unit === "day" && q.groupBy === "item";
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
      const sketch =
        r.keysText !== undefined
          ? r.keysText && r.countsText ? mergeSketchText(r.keysText, r.countsText) : { keys: [], counts: [] }
          : { keys: r.keys ?? [], counts: parseCounts(r.counts ?? null) };
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
      p50Key: sketchQuantileKey(sketch, 0.5),
      p95Key: sketchQuantileKey(sketch, 0.95),
      p99Key: sketchQuantileKey(sketch, 0.99),
      };
    }),
  };
}
