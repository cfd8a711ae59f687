import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { sketchBucketValue, sketchQuantileKey } from "@/lib/domain/latency-sketch";
import type { PricingModelCode, ReportLine } from "@/lib/reports/line";
import { Prisma, type SqlRunner } from "../sql";
import { costRollupApplies, ledgerSql } from "./cost-ledger";
import { chooseUsageSource, usageSql, type UsageSource } from "./usage-ledger";

/**
 * Live report lines: one row per item (run or deployment) per month or day of
 * the report's zone, straight from the cost ledger (the same SQL, grouped by
 * item, so a line's cents are the dashboards' cents) joined with the item's
 * attributes, its usage rollups and the prices that applied.
 */
export interface LiveLinesQuery {
  viewer: Viewer;
  teamIds?: number[];
  /** Month (or day) boundaries in `timeZone`. */
  from: Date;
  to: Date;
  granularity: "month" | "day";
  timeZone: string;
  now: Date;
}

export interface RawLine {
  periodStart: Date;
  periodEnd: Date;
  kind: "training" | "inference";
  itemId: number;
  itemName: string;
  teamId: number;
  teamSlug: string;
  teamName: string;
  model: string;
  gpuTypeId: number;
  gpuTypeName: string;
  provider: string;
  pricingModel: PricingModelCode;
  gpuCount: number;
  chargeStart: Date;
  chargeEnd: Date;
  computeMicros: string;
  computeCents: string;
  extraMicros: string;
  extraCents: string;
  gpuMs: string;
  unpricedGpuMs: string;
  activeMs: string;
  recordedMs: string | null;
  requests: string | null;
  inputTokens: string | null;
  cachedInputTokens: string | null;
  outputTokens: string | null;
  trainingTokens: string | null;
  keys: number[] | null;
  counts: string | null;
  prices: { micros: string; source: "override" | "catalog"; from: string; to: string }[];
}

export function liveLinesSql(q: LiveLinesQuery, { usageSource, isRollupZone }: LinesSources): Prisma.Sql {
  const filters = q.teamIds ? { teamIds: q.teamIds } : {};
  const unit = q.granularity;
  const ledger = ledgerSql({ orgViewer: q.viewer, filters, from: q.from, to: q.to, unit, timeZone: q.timeZone, groupBy: "item", now: q.now, isRollupZone });
  const usage = usageSql({ viewer: q.viewer, filters, from: q.from, to: q.to, unit, timeZone: q.timeZone, groupBy: "item" }, usageSource);
  const msBetween = (a: Prisma.Sql, b: Prisma.Sql) => Prisma.sql`greatest(0, extract(epoch from (${b}) - (${a})) * 1000)`;
  const tokensUpTo = (t: Prisma.Sql) => Prisma.sql`floor(r."tokensProcessed"::numeric * ${msBetween(Prisma.sql`i.s`, t)} / greatest(${msBetween(Prisma.sql`i.s`, Prisma.sql`i.e1`)}, 1))`;
  return Prisma.sql`
    with ledger as (${ledger}), usage as (${usage})
    select l."bucketStart" as "periodStart", l."bucketEnd" as "periodEnd", l.kind, i.id as "itemId", i.name as "itemName",
      t.id as "teamId", t.slug as "teamSlug", t.name as "teamName", i.model, g.id as "gpuTypeId", g.name as "gpuTypeName",
      i.provider, i."pricingModel"::text as "pricingModel", i."gpuCount",
      cp.cs as "chargeStart", cp.ce as "chargeEnd",
      l."computeCostMicros" as "computeMicros", l."computeCostCents" as "computeCents",
      l."extraCostMicros" as "extraMicros", l."extraCostCents" as "extraCents",
      l."gpuMs", l."unpricedGpuMs", l."activeMs",
      u."windowMs" as "recordedMs", u.requests, u."inputTokens", u."cachedInputTokens", u."outputTokens",
      case when l.kind = 'training' and r."tokensProcessed" is not null then (${tokensUpTo(Prisma.sql`cp.ce`)} - ${tokensUpTo(Prisma.sql`cp.cs`)})::text end as "trainingTokens",
      u.keys, u.counts,
      coalesce((
        select jsonb_agg(jsonb_build_object('micros', pr.micros::text, 'source', pr.source, 'from', pr.f, 'to', pr.t) order by pr.f)
        from (
          select round(i.override * 1000000) as micros, 'override' as source, cp.cs as f, cp.ce as t where i.override is not null
          union all
          select round(gp."pricePerGpuHour" * 1000000), 'catalog', greatest(gp."effectiveFrom", cp.cs), least(coalesce(gp."effectiveTo", 'infinity'), cp.ce)
          from gpu_prices gp
          where i.override is null and gp."gpuTypeId" = i."gpuTypeId" and gp.provider = i.provider and gp."pricingModel" = i."pricingModel"
            and gp."effectiveFrom" < cp.ce and coalesce(gp."effectiveTo", 'infinity') > cp.cs
        ) pr
      ), '[]'::jsonb) as prices
    from ledger l
    left join training_runs r on l.kind = 'training' and r.id = split_part(l."groupKey", ':', 2)::int
    left join inference_deployments d on l.kind = 'inference' and d.id = split_part(l."groupKey", ':', 2)::int
    cross join lateral (
      select coalesce(r.id, d.id) as id, coalesce(r.name, d.name) as name, coalesce(r."teamId", d."teamId") as "teamId",
        coalesce(r.model, d.model) as model, coalesce(r."gpuTypeId", d."gpuTypeId") as "gpuTypeId", coalesce(r.provider, d.provider) as provider,
        coalesce(r."pricingModel", d."pricingModel") as "pricingModel", coalesce(r."gpuCount", d."gpuCount") as "gpuCount",
        coalesce(r."pricePerGpuHourOverride", d."pricePerGpuHourOverride") as override,
        coalesce(r."startedAt", d."activeFrom") as s,
        greatest(coalesce(r."endedAt", d."activeTo", ${q.now}::timestamptz), coalesce(r."startedAt", d."activeFrom")) as e,
        -- A zero-length run's extras land at its start (cost-ledger.ts): its charge period is its first millisecond.
        greatest(coalesce(r."endedAt", d."activeTo", ${q.now}::timestamptz), coalesce(r."startedAt", d."activeFrom") + interval '1 millisecond') as e1
    ) i
    cross join lateral (
      select greatest(l."bucketStart", i.s, ${q.from}::timestamptz) as cs, least(l."bucketEnd", i.e1, ${q.to}::timestamptz) as ce
    ) cp
    join teams t on t.id = i."teamId"
    join gpu_types g on g.id = i."gpuTypeId"
    left join usage u on u."groupKey" = l."groupKey" and u."bucketStart" = l."bucketStart"
    order by t.name, t.id, l.kind desc, i.name, i.id, l."bucketStart"`;
}

function big(value: string | null): bigint | null {
  return value === null ? null : BigInt(value);
}

function parseCounts(text: string | null): number[] {
  return text && text.length > 2 ? text.slice(1, -1).split(",").map(Number) : [];
}

export function parseLiveLine(r: RawLine): ReportLine {
  const p99Key = r.keys ? sketchQuantileKey({ keys: r.keys, counts: parseCounts(r.counts) }, 0.99) : null;
  const isInference = r.kind === "inference";
  const hasUsage = isInference && r.recordedMs !== null;
  return {
    lineType: "charge",
    kind: r.kind,
    itemId: Number(r.itemId),
    itemName: r.itemName,
    teamId: Number(r.teamId),
    teamSlug: r.teamSlug,
    teamName: r.teamName,
    model: r.model,
    gpuTypeId: Number(r.gpuTypeId),
    gpuTypeName: r.gpuTypeName,
    provider: r.provider,
    pricingModel: r.pricingModel,
    gpuCount: Number(r.gpuCount),
    periodStart: new Date(r.periodStart),
    periodEnd: new Date(r.periodEnd),
    chargeStart: new Date(r.chargeStart),
    chargeEnd: new Date(r.chargeEnd),
    computeMicros: BigInt(r.computeMicros),
    computeCents: BigInt(r.computeCents),
    extraMicros: BigInt(r.extraMicros),
    extraCents: BigInt(r.extraCents),
    gpuMs: BigInt(r.gpuMs),
    unpricedGpuMs: BigInt(r.unpricedGpuMs),
    activeMs: BigInt(r.activeMs),
    recordedMs: isInference ? (big(r.recordedMs) ?? 0n) : null,
    requests: hasUsage ? big(r.requests) : null,
    inputTokens: hasUsage ? big(r.inputTokens) : null,
    cachedInputTokens: hasUsage ? big(r.cachedInputTokens) : null,
    outputTokens: hasUsage ? big(r.outputTokens) : null,
    trainingTokens: big(r.trainingTokens),
    p99LatencyMs: p99Key === null ? null : sketchBucketValue(p99Key),
    prices: r.prices.map((p) => ({ pricePerGpuHourMicros: BigInt(p.micros), source: p.source, from: new Date(p.from), to: new Date(p.to) })),
  };
}

export interface LinesSources {
  usageSource: UsageSource;
  /** The cost rollup answers finished items (cost-ledger.ts costRollupApplies). */
  isRollupZone: boolean;
}

/** Which rollups answer the query (the zone's day rollups when materialized). */
export async function linesSources(q: LiveLinesQuery, run: SqlRunner): Promise<LinesSources> {
  const usageSource = await chooseUsageSource({ viewer: q.viewer, filters: {}, from: q.from, to: q.to, unit: q.granularity, timeZone: q.timeZone, groupBy: "item" }, run);
  const isRollupZone = await costRollupApplies({ unit: q.granularity, timeZone: q.timeZone, from: q.from, to: q.to, now: q.now }, run);
  return { usageSource, isRollupZone };
}

/** All live lines at once (report pages, closing). Exports stream instead (lib/db/stream.ts). */
export async function queryLiveLines(q: LiveLinesQuery, run: SqlRunner): Promise<ReportLine[]> {
  if (q.to.getTime() <= q.from.getTime()) return [];
  const rows = await run.query<RawLine>(liveLinesSql(q, await linesSources(q, run)));
  return rows.map(parseLiveLine);
}
