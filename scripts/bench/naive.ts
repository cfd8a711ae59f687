import type { BucketUnit } from "@/lib/domain/calendar";
import { bucketEndSql, bucketStartSql } from "@/lib/db/queries/buckets-sql";
import { Prisma } from "@/lib/db/sql";

/**
 * The usage answers computed straight from raw inference_usage_windows, for
 * comparison with lib/db/queries/usage-ledger.ts (which reads the rollups):
 * the same buckets, sums and DDSketch rank rule, with every window's sketch
 * unnested per request instead of pre-merged per 15 minutes / hour / day.
 *
 * Each window is put in the bucket containing its start. That is exact for
 * the benchmark's windows (5 minutes, aligned to 5 minutes UTC, so none
 * crosses an hour or day boundary of any zone, :30 zones included); windows
 * that cross a bucket boundary would need the rollups' proration.
 *
 * There is no naive cost query: the ledger (cost-ledger.ts) never reads
 * usage rows — cost is computed analytically from training runs, deployments
 * and prices — so the "naive" cost query is the same SQL.
 */

export interface NaiveUsageQuery {
  orgId: number;
  from: Date;
  to: Date;
  unit: BucketUnit;
  timeZone: string;
  groupBy: "team" | "model" | "item" | "none";
  teamIds?: number[];
  deploymentIds?: number[];
}

export interface NaiveUsageRow {
  bucketStart: Date;
  groupKey: string;
  requests: string;
  inputTokens: string;
  p50Key: number | null;
  p95Key: number | null;
  p99Key: number | null;
}

function groupSql(groupBy: NaiveUsageQuery["groupBy"]): { key: Prisma.Sql; label: Prisma.Sql } {
  switch (groupBy) {
    case "team":
      return { key: Prisma.sql`t.id::text`, label: Prisma.sql`t.name` };
    case "model":
      return { key: Prisma.sql`d.model`, label: Prisma.sql`d.model` };
    case "item":
      return { key: Prisma.sql`'inference:' || d.id`, label: Prisma.sql`d.name` };
    case "none":
      return { key: Prisma.sql`'all'`, label: Prisma.sql`'All'` };
  }
}

export function naiveUsageSql(q: NaiveUsageQuery): Prisma.Sql {
  const spec = { unit: q.unit, timeZone: q.timeZone };
  const group = groupSql(q.groupBy);
  const teamFilter = q.teamIds?.length ? Prisma.sql`and d."teamId" = any(${q.teamIds}::int[])` : Prisma.empty;
  const deploymentFilter = q.deploymentIds?.length ? Prisma.sql`and d.id = any(${q.deploymentIds}::int[])` : Prisma.empty;
  return Prisma.sql`
    with src as (
      select ${bucketStartSql(spec, Prisma.sql`w."windowStart"`, q.from)} as b, ${group.key} as gk, ${group.label} as gl,
        w."windowSeconds", w.requests, w.errors, w."inputTokens", w."cachedInputTokens", w."outputTokens", w."latencyKeys", w."latencyCounts"
      from inference_usage_windows w
        join inference_deployments d on d.id = w."deploymentId"
        join teams t on t.id = d."teamId"
      where t."orgId" = ${q.orgId} and w."windowStart" >= ${q.from} and w."windowStart" < ${q.to} ${teamFilter} ${deploymentFilter}
    ),
    sums as (
      select b, gk, min(gl) as gl, (sum("windowSeconds") * 1000)::text as "windowMs", sum(requests)::text as requests,
        sum(errors)::text as errors, sum("inputTokens")::text as "inputTokens", sum("cachedInputTokens")::text as "cachedInputTokens",
        sum("outputTokens")::text as "outputTokens"
      from src group by b, gk
    ),
    pairs as (
      select b, gk, u.k, sum(u.c) as c from src, unnest(src."latencyKeys", src."latencyCounts") as u(k, c) group by b, gk, u.k
    ),
    ranked as (
      select b, gk, k, sum(c) over (partition by b, gk order by k) as running, sum(c) over (partition by b, gk) as total from pairs
    ),
    quantiles as (
      select b, gk,
        min(k) filter (where running > 0.50 * (total - 1)) as p50,
        min(k) filter (where running > 0.95 * (total - 1)) as p95,
        min(k) filter (where running > 0.99 * (total - 1)) as p99
      from ranked group by b, gk
    )
    select sums.b as "bucketStart", ${bucketEndSql(spec, Prisma.sql`sums.b`)} as "bucketEnd", sums.gk as "groupKey", sums.gl as "groupLabel",
      "windowMs", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens",
      quantiles.p50::int as "p50Key", quantiles.p95::int as "p95Key", quantiles.p99::int as "p99Key"
    from sums left join quantiles using (b, gk)
    order by sums.b, sums.gk`;
}
