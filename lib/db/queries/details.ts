import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { inferenceCost, inferenceCostByBucket, NO_TRAFFIC } from "@/lib/domain/inference-cost";
import { sketchBucketValue } from "@/lib/domain/latency-sketch";
import { approximationNote } from "@/lib/domain/percentiles";
import { trainingRunCost } from "@/lib/domain/training-cost";
import { trafficTotals } from "@/lib/domain/usage-rollup";
import type { TimeRange } from "@/lib/domain/time-range";
import { db } from "../client";
import { toDeploymentInput, toPricePeriods, toTrainingRunInput } from "./engine-inputs";
import { queryUsage, type UsageRow } from "./usage-ledger";

/** One training run with its full cost breakdown; null when it is not the viewer's. */
export async function trainingRunDetail({ viewer, id, now }: { viewer: Viewer; id: number; now: Date }) {
  const run = await db().trainingRun.findFirst({
    where: { id, team: { orgId: viewer.orgId } },
    include: { team: { select: { slug: true, name: true, timeZone: true } }, gpuType: true },
  });
  if (!run) return null;
  const catalogPrices = run.pricePerGpuHourOverride
    ? []
    : await db().gpuPrice.findMany({
        where: { gpuTypeId: run.gpuTypeId, provider: run.provider, pricingModel: run.pricingModel },
        orderBy: { effectiveFrom: "asc" },
      });
  const cost = trainingRunCost({ run: toTrainingRunInput(run, toPricePeriods(catalogPrices)), now });
  return { run, cost };
}

export type TrainingRunDetail = NonNullable<Awaited<ReturnType<typeof trainingRunDetail>>>;

export interface DeploymentSeriesPoint extends TimeRange {
  costMicros: bigint;
  idleCostMicros: bigint;
  tokens: bigint;
  requests: bigint;
  qps: number | null;
  errorRate: number | null;
  utilizationPct: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** One deployment over a range: totals and a series per bucket. */
export async function deploymentDetail({ viewer, id, range, unit, timeZone, now }: { viewer: Viewer; id: number; range: TimeRange; unit: BucketUnit; timeZone: string; now: Date }) {
  const deployment = await db().inferenceDeployment.findFirst({
    where: { id, team: { orgId: viewer.orgId } },
    include: { team: { select: { slug: true, name: true, timeZone: true } }, gpuType: true },
  });
  if (!deployment) return null;
  const prices = deployment.pricePerGpuHourOverride
    ? []
    : await db().gpuPrice.findMany({
        where: { gpuTypeId: deployment.gpuTypeId, provider: deployment.provider, pricingModel: deployment.pricingModel },
        orderBy: { effectiveFrom: "asc" },
      });
  const pricing = toDeploymentInput(deployment, toPricePeriods(prices));
  const query = { viewer, filters: { deploymentIds: [id] }, from: range.start, to: range.end, unit, timeZone, groupBy: "item" as const };
  const [series, total] = await Promise.all([queryUsage(query), queryUsage({ ...query, isWholeRange: true })]);
  const buckets = bucketsBetween({ from: range.start, to: range.end, unit, timeZone });
  const byStart = new Map<number, UsageRow>(series.rows.map((r) => [r.bucketStart.getTime(), r]));
  const costs = inferenceCostByBucket({
    deployment: pricing,
    buckets: buckets.map((b) => {
      const row = byStart.get(b.start.getTime());
      return { ...b, traffic: row ? trafficTotals(row) : NO_TRAFFIC };
    }),
    now,
  });
  const points: DeploymentSeriesPoint[] = buckets.map((b, i) => {
    const row = byStart.get(b.start.getTime());
    const seconds = (b.end.getTime() - b.start.getTime()) / 1000;
    return {
      start: b.start,
      end: b.end,
      costMicros: costs[i]!.costMicros,
      idleCostMicros: costs[i]!.idleCostMicros,
      tokens: row ? row.inputTokens + row.outputTokens : 0n,
      requests: row?.requests ?? 0n,
      qps: row ? Number(row.requests) / seconds : null,
      errorRate: row && row.requests > 0n ? Number(row.errors) / Number(row.requests) : null,
      utilizationPct: row && row.utilMs > 0n ? Number(row.utilPctMs) / Number(row.utilMs) : null,
      p50Ms: row?.p50Key == null ? null : sketchBucketValue(row.p50Key),
      p95Ms: row?.p95Key == null ? null : sketchBucketValue(row.p95Key),
      p99Ms: row?.p99Key == null ? null : sketchBucketValue(row.p99Key),
    };
  });
  const totalRow = total.rows[0];
  const summary = inferenceCost({ deployment: pricing, range, traffic: totalRow ? trafficTotals(totalRow) : NO_TRAFFIC, now });
  return {
    deployment,
    points,
    summary,
    latency: {
      p50Ms: totalRow?.p50Key == null ? null : sketchBucketValue(totalRow.p50Key),
      p95Ms: totalRow?.p95Key == null ? null : sketchBucketValue(totalRow.p95Key),
      p99Ms: totalRow?.p99Key == null ? null : sketchBucketValue(totalRow.p99Key),
      note: totalRow ? approximationNote({ approximateRequests: totalRow.approxRequests, requestCount: totalRow.requests - totalRow.errors }) : null,
    },
    utilizationPct: totalRow && totalRow.utilMs > 0n ? Number(totalRow.utilPctMs) / Number(totalRow.utilMs) : null,
    source: series.source,
  };
}

export type DeploymentDetail = NonNullable<Awaited<ReturnType<typeof deploymentDetail>>>;
