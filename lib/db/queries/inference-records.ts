import "server-only";
import { teamRecordWhere, usageDeploymentWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { AUDIT_HISTORY_SELECT, auditSubjectVisibleSql, type AuditHistoryEntry } from "@/lib/db/queries/audit-history";
import { usageWindowEntityId } from "@/lib/db/mutations/audit";
import { Prisma, prismaRunner } from "@/lib/db/sql";
import type Decimal from "decimal.js";
import { inferenceCost, inferenceCostByBucket, NO_TRAFFIC, type InferenceBucketCost, type InferenceDeploymentCostInput } from "@/lib/domain/inference-cost";
import { lineItemCents, unitCostUsd } from "@/lib/domain/money";
import { intersectRanges, runningInterval, type TimeRange } from "@/lib/domain/time-range";
import { trafficTotals } from "@/lib/domain/usage-rollup";
import { recordLatency, rolledUpLatency, withNoDataGaps, type UsageLatency, type WithNoData } from "@/lib/domain/usage-table";
import { resolveUsageBy, type UsageBy } from "@/lib/validation/usage-table";
import { toDeploymentInput, toPricePeriods } from "./engine-inputs";
import { toFormValue } from "./record-forms";
import { queryUsage, type UsageRow } from "./usage-ledger";

/**
 * Read models for the deployment and usage forms and the deployment page's
 * "Usage records" card. Every query is scoped to the teams the viewer may
 * see (lib/access/policy.ts); any other record reads as null, like a missing
 * one. Whether they may also change it is the page's and action's check.
 */

const DEPLOYMENT_FORM_KEYS = [
  "teamId", "name", "model", "parameterCount", "servingEngine", "quantization", "batching", "maxBatchSize", "gpuTypeId",
  "provider", "pricingModel", "gpuCount", "pricePerGpuHourOverride", "p99SloMs", "activeFrom", "activeTo",
] as const;

/** A deployment as its edit form starts: values (times in `timeZone`), the version it was loaded at, its name. */
export async function deploymentFormValues({ viewer, id, timeZone }: { viewer: Viewer; id: number; timeZone: string }) {
  const deployment = await db().inferenceDeployment.findFirst({ where: { ...teamRecordWhere(viewer), id } });
  if (!deployment) return null;
  const values: Record<string, string> = {};
  for (const key of DEPLOYMENT_FORM_KEYS) values[key] = toFormValue(deployment[key], timeZone);
  const usageCount = await db().inferenceUsageWindow.count({ where: { deploymentId: id } });
  return { values, version: deployment.version, name: deployment.name, id: deployment.id, teamId: deployment.teamId, usageCount };
}

/** What a usage form of one deployment needs: its period and team zone, the engine's pricing input, and where its usage ends. */
export async function usageFormContext({ viewer, deploymentId }: { viewer: Viewer; deploymentId: number }) {
  const deployment = await db().inferenceDeployment.findFirst({
    where: { ...teamRecordWhere(viewer), id: deploymentId },
    include: { team: { select: { name: true, timeZone: true } }, gpuType: { select: { name: true } } },
  });
  if (!deployment) return null;
  const [prices, last] = await Promise.all([
    deployment.pricePerGpuHourOverride
      ? []
      : db().gpuPrice.findMany({
          where: { gpuTypeId: deployment.gpuTypeId, provider: deployment.provider, pricingModel: deployment.pricingModel },
          orderBy: { effectiveFrom: "asc" },
        }),
    prismaRunner(db()).query<{ end: Date | null; seconds: number | null }>(Prisma.sql`
      select "windowStart" + make_interval(secs => "windowSeconds") as end, "windowSeconds" as seconds
      from inference_usage_windows where "deploymentId" = ${deploymentId} order by "windowStart" desc limit 1`),
  ]);
  return {
    id: deployment.id,
    name: deployment.name,
    teamId: deployment.teamId,
    teamName: deployment.team.name,
    timeZone: deployment.team.timeZone,
    activeFrom: deployment.activeFrom,
    activeTo: deployment.activeTo,
    gpuCount: deployment.gpuCount,
    gpuTypeName: deployment.gpuType.name,
    provider: deployment.provider,
    pricingModel: deployment.pricingModel,
    pricing: toDeploymentInput(deployment, toPricePeriods(prices)),
    /** The latest recorded period's end and length: the next period starts there by default. */
    lastWindow: last[0]?.end ? { end: last[0].end, seconds: last[0].seconds ?? 86_400 } : null,
  };
}

export type UsageFormContext = NonNullable<Awaited<ReturnType<typeof usageFormContext>>>;

const USAGE_FORM_KEYS = [
  "windowStart", "windowSeconds", "requests", "errors", "inputTokens", "cachedInputTokens", "outputTokens",
  "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct",
] as const;

/** One usage period as its edit form starts; null when it (or its deployment) isn't the viewer's. */
export async function usageWindowFormValues({ viewer, deploymentId, windowStart, timeZone }: { viewer: Viewer; deploymentId: number; windowStart: Date; timeZone: string }) {
  if ((await db().inferenceDeployment.count({ where: usageDeploymentWhere(viewer, deploymentId) })) === 0) return null;
  const window = await db().inferenceUsageWindow.findUnique({ where: { deploymentId_windowStart: { deploymentId, windowStart } } });
  if (!window) return null;
  const values: Record<string, string> = {};
  for (const key of USAGE_FORM_KEYS) values[key] = toFormValue(window[key], timeZone);
  return { values, version: window.version, windowStart: window.windowStart, windowSeconds: window.windowSeconds, hasLatencySketch: window.latencyKeys.length > 0 };
}

export const USAGE_PAGE_SIZE = 25;

/** What every usage-table row shows, record or rolled-up bucket. */
export interface UsageFigures {
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  /** Requests per second of the time with records. */
  qps: number | null;
  /** Time-weighted over traffic with a reading, 0..100. */
  utilizationPct: number | null;
  latency: UsageLatency;
  /** The deployment's GPU cost over the row's time, and per 1M tokens of it (engine figures). */
  costMicros: bigint;
  /** That cost as displayed: the deployment's line item over the row's time (money.ts rule 6), as on every other page. */
  costCents: bigint;
  costPerMillionTokensUsd: Decimal | null;
}

/** One usage record (window), with its Edit and Delete actions. */
export interface UsageRecordRow extends UsageFigures {
  windowStart: Date;
  windowSeconds: number;
}

/** One hour or day in the reporting zone with records: sums, merged-sketch percentiles, the time the records cover. */
export interface UsageBucketRow extends UsageFigures, TimeRange {
  recordedMs: number;
}

export type UsageTableRows =
  | { usageBy: "record"; rows: UsageRecordRow[] }
  | { usageBy: "hour" | "day"; rows: WithNoData<UsageBucketRow>[] };

interface RawRecord {
  windowStart: Date;
  windowSeconds: number;
  requests: string;
  errors: string;
  inputTokens: string;
  cachedInputTokens: string;
  outputTokens: string;
  p50: string | null;
  p95: string | null;
  p99: string | null;
  util: string | null;
  keys: number[] | null;
  /** A PostgreSQL array literal of counts, e.g. "{3,1,2}"; null without a sketch. */
  counts: string | null;
}

const parseCounts = (text: string | null) => (text !== null && text.length > 2 ? text.slice(1, -1).split(",").map(Number) : []);

/** The deployment's cost from going live up to `instant`, in micro-dollars: where a line item's cents start. */
function costBefore(pricing: InferenceDeploymentCostInput, activeFrom: Date, instant: Date, now: Date): bigint {
  if (instant.getTime() <= activeFrom.getTime()) return 0n;
  return inferenceCost({ deployment: pricing, range: { start: activeFrom, end: instant }, traffic: NO_TRAFFIC, now }).computeCostMicros;
}

function lineCents(pricing: InferenceDeploymentCostInput, activeFrom: Date, start: Date, costMicros: bigint, now: Date): bigint {
  const cumStartMicros = costBefore(pricing, activeFrom, start, now);
  return lineItemCents({ cumStartMicros, cumEndMicros: cumStartMicros + costMicros });
}

function toRecordRow(row: RawRecord, pricing: InferenceDeploymentCostInput, activeFrom: Date, now: Date): UsageRecordRow {
  const requests = BigInt(row.requests);
  const windowMs = row.windowSeconds * 1000;
  const utilizationPct = row.util === null ? null : Number(row.util);
  const hasTraffic = requests > 0n;
  const traffic = {
    requests,
    errors: BigInt(row.errors),
    inputTokens: BigInt(row.inputTokens),
    cachedInputTokens: BigInt(row.cachedInputTokens),
    outputTokens: BigInt(row.outputTokens),
    recordedMs: windowMs,
    trafficMs: hasTraffic ? windowMs : 0,
    idleMsDuringTraffic: hasTraffic && utilizationPct !== null ? (windowMs * (100 - utilizationPct)) / 100 : 0,
  };
  const cost = inferenceCost({ deployment: pricing, range: { start: row.windowStart, end: new Date(row.windowStart.getTime() + windowMs) }, traffic, now });
  const summaryMs = row.p50 !== null && row.p95 !== null && row.p99 !== null ? { p50: Number(row.p50), p95: Number(row.p95), p99: Number(row.p99) } : null;
  return {
    ...traffic,
    windowStart: row.windowStart,
    windowSeconds: row.windowSeconds,
    qps: Number(requests) / row.windowSeconds,
    utilizationPct: hasTraffic ? utilizationPct : null,
    latency: recordLatency({ sketch: { keys: row.keys ?? [], counts: parseCounts(row.counts) }, summaryMs }),
    costMicros: cost.computeCostMicros,
    costCents: lineCents(pricing, activeFrom, row.windowStart, cost.computeCostMicros, now),
    costPerMillionTokensUsd: cost.metrics.costPerMillionTokensUsd,
  };
}

function toBucketRow(row: UsageRow, cost: InferenceBucketCost, costCents: bigint): UsageBucketRow {
  const recordedMs = Number(row.windowMs);
  const tokens = row.inputTokens + row.outputTokens;
  return {
    start: row.bucketStart,
    end: row.bucketEnd,
    recordedMs,
    requests: row.requests,
    errors: row.errors,
    inputTokens: row.inputTokens,
    cachedInputTokens: row.cachedInputTokens,
    outputTokens: row.outputTokens,
    qps: recordedMs > 0 ? Number(row.requests) / (recordedMs / 1000) : null,
    utilizationPct: row.utilMs > 0n ? Number(row.utilPctMs) / Number(row.utilMs) : null,
    latency: rolledUpLatency({ ...row, servedRequests: row.requests - row.errors }),
    costMicros: cost.costMicros,
    costCents,
    // The cost of the recorded time only, so unrecorded time does not inflate it (inference-cost.ts).
    costPerMillionTokensUsd: recordedMs > 0 ? unitCostUsd({ costMicros: cost.costMicros - cost.untrackedCostMicros, quantity: tokens, per: 1_000_000 }) : null,
  };
}

/**
 * The deployment's "Usage records" table over a range: one row per record
 * (newest first, paginated in SQL), or rolled up by hour or day in the
 * reporting zone from the usage ledger (merged sketches, never averaged
 * percentiles), with the stretches of the range that have no records shown
 * as "no data". The grain is `usageBy`, or by default records when the
 * range holds at most MAX_RECORDS_LISTED_BY_DEFAULT of them, else days.
 * Totals are over the records that overlap the range.
 */
export async function deploymentUsageTable({
  viewer,
  deploymentId,
  range,
  timeZone,
  usageBy: asked,
  page: askedPage,
  now,
}: {
  viewer: Viewer;
  deploymentId: number;
  range: TimeRange;
  timeZone: string;
  usageBy: UsageBy | undefined;
  page: number;
  now: Date;
}) {
  const context = await usageFormContext({ viewer, deploymentId });
  if (!context) return null;
  const run = prismaRunner(db());
  const inRange = Prisma.sql`"deploymentId" = ${deploymentId} and "windowStart" < ${range.end}
    and "windowStart" + make_interval(secs => "windowSeconds") > ${range.start}`;
  const [totals] = await run.query<{ count: number; requests: string | null; tokens: string | null }>(Prisma.sql`
    select count(*)::int as count, sum(requests)::text as requests, sum("inputTokens" + "outputTokens")::text as tokens
    from inference_usage_windows where ${inRange}`);
  const recordCount = totals?.count ?? 0;
  const usageBy = resolveUsageBy({ asked, recordsInRange: recordCount });
  const summary = {
    context,
    usageBy,
    isDefaultGrain: asked === undefined,
    recordCount,
    totalRequests: BigInt(totals?.requests ?? "0"),
    totalTokens: BigInt(totals?.tokens ?? "0"),
    timeZone,
  };
  const paginate = (total: number) => {
    const pageCount = Math.max(1, Math.ceil(total / USAGE_PAGE_SIZE));
    return { page: Math.min(askedPage, pageCount), pageCount, total };
  };
  if (usageBy === "record") {
    const paging = paginate(recordCount);
    const rows = await run.query<RawRecord>(Prisma.sql`
      select "windowStart", "windowSeconds", requests::text, errors::text, "inputTokens"::text, "cachedInputTokens"::text,
        "outputTokens"::text, "latencyP50Ms"::text as p50, "latencyP95Ms"::text as p95, "latencyP99Ms"::text as p99,
        "avgGpuUtilizationPct"::text as util, "latencyKeys" as keys, "latencyCounts"::text as counts
      from inference_usage_windows where ${inRange}
      order by "windowStart" desc
      limit ${USAGE_PAGE_SIZE} offset ${(paging.page - 1) * USAGE_PAGE_SIZE}`);
    const table: UsageTableRows = { usageBy, rows: rows.map((row) => toRecordRow(row, context.pricing, context.activeFrom, now)) };
    return { ...summary, ...paging, table };
  }
  const { rows } = await queryUsage({ viewer, filters: { deploymentIds: [deploymentId] }, from: range.start, to: range.end, unit: usageBy, timeZone, groupBy: "item" });
  const costs = inferenceCostByBucket({
    deployment: context.pricing,
    buckets: rows.map((r) => ({ start: r.bucketStart, end: r.bucketEnd, traffic: trafficTotals(r) })),
    now,
  });
  const buckets = rows.map((r, i) => toBucketRow(r, costs[i]!, lineCents(context.pricing, context.activeFrom, r.bucketStart, costs[i]!.costMicros, now)));
  // Records can only cover the active part of the range, up to now: the rest of it is neither data nor "no data".
  const active = intersectRanges(runningInterval({ startedAt: context.activeFrom, endedAt: context.activeTo, now }), range);
  const all = withNoDataGaps({ rows: buckets, span: active }).reverse();
  const paging = paginate(all.length);
  const table: UsageTableRows = { usageBy, rows: all.slice((paging.page - 1) * USAGE_PAGE_SIZE, paging.page * USAGE_PAGE_SIZE) };
  return { ...summary, ...paging, table };
}

export type DeploymentUsageTable = NonNullable<Awaited<ReturnType<typeof deploymentUsageTable>>>;

/** One usage period's own history (its entries are also listed under the deployment), newest first. */
export async function usageWindowHistory({ viewer, deploymentId, windowStart }: { viewer: Viewer; deploymentId: number; windowStart: Date }) {
  const rows = await prismaRunner(db()).query<AuditHistoryEntry & { id: bigint | string }>(Prisma.sql`
    ${AUDIT_HISTORY_SELECT}
    where ${auditSubjectVisibleSql(viewer)} and a."entityType" = 'usageWindow' and a."entityId" = ${usageWindowEntityId(deploymentId, windowStart)}
    order by a.at desc, a.id desc
    limit 100`);
  return rows.map((row) => ({ ...row, id: String(row.id) })) as AuditHistoryEntry[];
}
