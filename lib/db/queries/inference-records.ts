import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import type { AuditHistoryEntry } from "@/lib/db/queries/audit-history";
import { usageWindowEntityId } from "@/lib/db/mutations/audit";
import { Prisma, prismaRunner } from "@/lib/db/sql";
import { inferenceCost, type InferenceDeploymentCostInput } from "@/lib/domain/inference-cost";
import { toDeploymentInput, toPricePeriods } from "./engine-inputs";
import { toFormValue } from "./record-forms";

/**
 * Read models for the deployment and usage forms and the deployment page's
 * "Usage records" card. Every query is scoped to the viewer's org; a record
 * that isn't the viewer's reads as null.
 */

const DEPLOYMENT_FORM_KEYS = [
  "teamId", "name", "model", "parameterCount", "servingEngine", "quantization", "batching", "maxBatchSize", "gpuTypeId",
  "provider", "pricingModel", "gpuCount", "pricePerGpuHourOverride", "p99SloMs", "activeFrom", "activeTo",
] as const;

/** A deployment as its edit form starts: values (times in `timeZone`), the version it was loaded at, its name. */
export async function deploymentFormValues({ viewer, id, timeZone }: { viewer: Viewer; id: number; timeZone: string }) {
  const deployment = await db().inferenceDeployment.findFirst({ where: { id, team: { orgId: viewer.orgId } } });
  if (!deployment) return null;
  const values: Record<string, string> = {};
  for (const key of DEPLOYMENT_FORM_KEYS) values[key] = toFormValue(deployment[key], timeZone);
  const usageCount = await db().inferenceUsageWindow.count({ where: { deploymentId: id } });
  return { values, version: deployment.version, name: deployment.name, id: deployment.id, usageCount };
}

/** What a usage form of one deployment needs: its period and team zone, the engine's pricing input, and where its usage ends. */
export async function usageFormContext({ viewer, deploymentId }: { viewer: Viewer; deploymentId: number }) {
  const deployment = await db().inferenceDeployment.findFirst({
    where: { id: deploymentId, team: { orgId: viewer.orgId } },
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
  const window = await db().inferenceUsageWindow.findFirst({
    where: { deploymentId, windowStart, deployment: { team: { orgId: viewer.orgId } } },
  });
  if (!window) return null;
  const values: Record<string, string> = {};
  for (const key of USAGE_FORM_KEYS) values[key] = toFormValue(window[key], timeZone);
  return { values, version: window.version, windowStart: window.windowStart, windowSeconds: window.windowSeconds, hasLatencySketch: window.latencyKeys.length > 0 };
}

export const USAGE_PAGE_SIZE = 25;

export interface UsageRecordRow {
  windowStart: Date;
  windowSeconds: number;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  latencyP50Ms: string | null;
  latencyP95Ms: string | null;
  latencyP99Ms: string | null;
  avgGpuUtilizationPct: string | null;
  hasLatencySketch: boolean;
  /** The deployment's GPU cost over the period and what that makes per 1M tokens (engine figures). */
  costMicros: bigint;
  costPerMillionTokensUsd: string | null;
}

interface RawUsageRow {
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
  hasSketch: boolean;
}

function toUsageRow(row: RawUsageRow, pricing: InferenceDeploymentCostInput, now: Date): UsageRecordRow {
  const requests = BigInt(row.requests);
  const inputTokens = BigInt(row.inputTokens);
  const outputTokens = BigInt(row.outputTokens);
  const windowMs = row.windowSeconds * 1000;
  const cost = inferenceCost({
    deployment: pricing,
    range: { start: row.windowStart, end: new Date(row.windowStart.getTime() + windowMs) },
    traffic: {
      requests,
      errors: BigInt(row.errors),
      inputTokens,
      cachedInputTokens: BigInt(row.cachedInputTokens),
      outputTokens,
      trafficMs: requests > 0n ? windowMs : 0,
      idleMsDuringTraffic: 0,
    },
    now,
  });
  return {
    windowStart: row.windowStart,
    windowSeconds: row.windowSeconds,
    requests,
    errors: BigInt(row.errors),
    inputTokens,
    cachedInputTokens: BigInt(row.cachedInputTokens),
    outputTokens,
    latencyP50Ms: row.p50,
    latencyP95Ms: row.p95,
    latencyP99Ms: row.p99,
    avgGpuUtilizationPct: row.util,
    hasLatencySketch: row.hasSketch,
    costMicros: cost.computeCostMicros,
    costPerMillionTokensUsd: cost.metrics.costPerMillionTokensUsd?.toString() ?? null,
  };
}

/** A page of the deployment's usage records, newest first, with totals over all of them. */
export async function deploymentUsagePage({ viewer, deploymentId, page, now }: { viewer: Viewer; deploymentId: number; page: number; now: Date }) {
  const context = await usageFormContext({ viewer, deploymentId });
  if (!context) return null;
  const run = prismaRunner(db());
  const [[totals], rows] = await Promise.all([
    run.query<{ count: number; requests: string | null; tokens: string | null }>(Prisma.sql`
      select count(*)::int as count, sum(requests)::text as requests, sum("inputTokens" + "outputTokens")::text as tokens
      from inference_usage_windows where "deploymentId" = ${deploymentId}`),
    run.query<RawUsageRow>(Prisma.sql`
      select "windowStart", "windowSeconds", requests::text, errors::text, "inputTokens"::text, "cachedInputTokens"::text,
        "outputTokens"::text, "latencyP50Ms"::text as p50, "latencyP95Ms"::text as p95, "latencyP99Ms"::text as p99,
        "avgGpuUtilizationPct"::text as util, cardinality("latencyKeys") > 0 as "hasSketch"
      from inference_usage_windows where "deploymentId" = ${deploymentId}
      order by "windowStart" desc
      limit ${USAGE_PAGE_SIZE} offset ${(page - 1) * USAGE_PAGE_SIZE}`),
  ]);
  const total = totals?.count ?? 0;
  return {
    context,
    rows: rows.map((row) => toUsageRow(row, context.pricing, now)),
    total,
    totalRequests: BigInt(totals?.requests ?? "0"),
    totalTokens: BigInt(totals?.tokens ?? "0"),
    page,
    pageCount: Math.max(1, Math.ceil(total / USAGE_PAGE_SIZE)),
  };
}

export type DeploymentUsagePage = NonNullable<Awaited<ReturnType<typeof deploymentUsagePage>>>;

/** One usage period's own history (its entries are also listed under the deployment), newest first. */
export async function usageWindowHistory({ viewer, deploymentId, windowStart }: { viewer: Viewer; deploymentId: number; windowStart: Date }) {
  const rows = await prismaRunner(db()).query<AuditHistoryEntry & { id: bigint | string }>(Prisma.sql`
    select a.id::text as id, a.at, a."actorName", a.action::text as action, a.source, a."entityType", a."entityId",
      a.before, a.after, a."changedFields", b."fileName" as "importFileName"
    from audit_entries a left join import_batches b on b.id = a."importId"
    where a."orgId" = ${viewer.orgId} and a."entityType" = 'usageWindow' and a."entityId" = ${usageWindowEntityId(deploymentId, windowStart)}
    order by a.at desc, a.id desc
    limit 100`);
  return rows.map((row) => ({ ...row, id: String(row.id) })) as AuditHistoryEntry[];
}
