import "server-only";
import { teamRecordWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { bucketsBetween, bucketStart, type BucketUnit } from "@/lib/domain/calendar";
import { telescopedCents } from "@/lib/domain/money";
import { inferenceCost, inferenceCostByBucket, NO_TRAFFIC, type InferenceDeploymentCostInput } from "@/lib/domain/inference-cost";
import { sketchBucketValue } from "@/lib/domain/latency-sketch";
import { approximationNote } from "@/lib/domain/percentiles";
import { prorateAmount } from "@/lib/domain/proration";
import { trainingRunCost } from "@/lib/domain/training-cost";
import { trafficTotals } from "@/lib/domain/usage-rollup";
import type { TimeRange } from "@/lib/domain/time-range";
import { db } from "../client";
import { toDeploymentInput, toPricePeriods, toTrainingRunInput } from "./engine-inputs";
import { queryLedger, rowCents } from "./cost-ledger";
import { queryUsage, type UsageRow } from "./usage-ledger";

/** One training run with its full cost breakdown; null when the viewer may not see it (another team's or org's: the same as a missing id). */
export async function trainingRunDetail({ viewer, id, now }: { viewer: Viewer; id: number; now: Date }) {
  const run = await db().trainingRun.findFirst({
    where: { ...teamRecordWhere(viewer), id },
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
  return { run, cost, lineCents: telescopedCents({ partsMicros: cost.lines.map((l) => l.costMicros ?? 0n) }) };
}

/**
 * An item's cost by calendar month in a zone, from its start to its end (or
 * now): the ledger's line items, so the months add up to the item's lifetime
 * cents and each month shows the cents every other page shows for it.
 */
export async function costByMonth({ viewer, kind, id, start, end, timeZone, now }: { viewer: Viewer; kind: "training" | "inference"; id: number; start: Date; end: Date | null; timeZone: string; now: Date }) {
  const last = end ?? now;
  const from = bucketStart({ instant: start, unit: "month", timeZone });
  const lastMonth = bucketsBetween({ from: bucketStart({ instant: last, unit: "month", timeZone }), to: new Date(last.getTime() + 1), unit: "month", timeZone })[0]!;
  const rows = await queryLedger({
    viewer,
    filters: kind === "training" ? { runIds: [id] } : { deploymentIds: [id] },
    from,
    to: lastMonth.end,
    unit: "month",
    timeZone,
    groupBy: "item",
    now,
  });
  const months = rows.map((r) => ({ start: r.bucketStart, end: r.bucketEnd, computeCents: r.computeCostCents, extraCents: r.extraCostCents, totalCents: rowCents(r), gpuMs: r.gpuMs }));
  return { months, totalCents: months.reduce((s, m) => s + m.totalCents, 0n) };
}

/** A deployment's team (for its time zone), or null when the viewer may not see the deployment. */
export async function deploymentTeam({ viewer, id }: { viewer: Viewer; id: number }) {
  const deployment = await db().inferenceDeployment.findFirst({ where: { ...teamRecordWhere(viewer), id }, select: { team: { select: { id: true, slug: true, name: true, timeZone: true, monthlyBudgetUsd: true } } } });
  return deployment?.team ?? null;
}

export type TrainingRunDetail = NonNullable<Awaited<ReturnType<typeof trainingRunDetail>>>;

export interface DeploymentSeriesPoint extends TimeRange {
  costMicros: bigint;
  idleCostMicros: bigint;
  /** The cost of active time without usage records: neither busy nor idle. */
  untrackedCostMicros: bigint;
  /**
   * The bucket's displayed cents (money.ts rule 6, telescoped along the
   * deployment's cost), split serving : idle : untracked in proportion to
   * the micro-dollar parts so the three add up to the bucket's cents.
   */
  servingCents: bigint;
  idleCents: bigint;
  untrackedCents: bigint;
  /** False when no usage record covers any of the bucket: its traffic figures are "no data". */
  hasRecords: boolean;
  recordedMs: number;
  tokens: bigint;
  requests: bigint;
  /** Requests per second of the bucket's recorded time. */
  qps: number | null;
  errorRate: number | null;
  utilizationPct: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** One deployment over a range: totals and a series per bucket; null when the viewer may not see it. */
export async function deploymentDetail({ viewer, id, range, unit, timeZone, now }: { viewer: Viewer; id: number; range: TimeRange; unit: BucketUnit; timeZone: string; now: Date }) {
  const deployment = await db().inferenceDeployment.findFirst({
    where: { ...teamRecordWhere(viewer), id },
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
  return { deployment, ...deploymentFigures({ pricing, activeFrom: deployment.activeFrom, range, unit, timeZone, rows: series.rows, totalRow: total.rows[0], now }), source: series.source };
}

/**
 * deploymentDetail's figures from usage rows already read (no database
 * access): `rows` are the deployment's usage ledger rows per `unit` bucket of
 * `range`, `totalRow` its whole-range row. The suggestions read model
 * (suggestions.ts) calls it per deployment with rows read for many at once,
 * so its serving/idle/untracked cents are the deployment page's.
 */
export function deploymentFigures({
  pricing,
  activeFrom,
  range,
  unit,
  timeZone,
  rows,
  totalRow,
  now,
}: {
  pricing: InferenceDeploymentCostInput;
  activeFrom: Date;
  range: TimeRange;
  unit: BucketUnit;
  timeZone: string;
  rows: readonly UsageRow[];
  totalRow: UsageRow | undefined;
  now: Date;
}) {
  const buckets = bucketsBetween({ from: range.start, to: range.end, unit, timeZone });
  const byStart = new Map<number, UsageRow>(rows.map((r) => [r.bucketStart.getTime(), r]));
  const costs = inferenceCostByBucket({
    deployment: pricing,
    buckets: buckets.map((b) => {
      const row = byStart.get(b.start.getTime());
      return { ...b, traffic: row ? trafficTotals(row) : NO_TRAFFIC };
    }),
    now,
  });
  // The deployment's cost before the range, so bucket cents telescope along its whole life (money.ts rule 6).
  const before = range.start > activeFrom ? inferenceCost({ deployment: pricing, range: { start: activeFrom, end: range.start }, traffic: NO_TRAFFIC, now }).computeCostMicros : 0n;
  const bucketCents = telescopedCents({ partsMicros: costs.map((c) => c.costMicros), cumStartMicros: before });
  const points: DeploymentSeriesPoint[] = buckets.map((b, i) => {
    const row = byStart.get(b.start.getTime());
    const cost = costs[i]!;
    const servingMicros = cost.costMicros - cost.idleCostMicros - cost.untrackedCostMicros;
    const [servingCents, idleCents, untrackedCents] = prorateAmount({
      amountMicros: bucketCents[i]!,
      weights: [servingMicros, cost.idleCostMicros, cost.untrackedCostMicros].map(Number),
    }) as [bigint, bigint, bigint];
    const recordedMs = row ? Number(row.windowMs) : 0;
    return {
      start: b.start,
      end: b.end,
      costMicros: cost.costMicros,
      idleCostMicros: cost.idleCostMicros,
      untrackedCostMicros: cost.untrackedCostMicros,
      servingCents,
      idleCents,
      untrackedCents,
      hasRecords: recordedMs > 0,
      recordedMs,
      tokens: row ? row.inputTokens + row.outputTokens : 0n,
      requests: row?.requests ?? 0n,
      qps: recordedMs > 0 ? Number(row!.requests) / (recordedMs / 1000) : null,
      errorRate: row && row.requests > 0n ? Number(row.errors) / Number(row.requests) : null,
      utilizationPct: row && row.utilMs > 0n ? Number(row.utilPctMs) / Number(row.utilMs) : null,
      p50Ms: row?.p50Key == null ? null : sketchBucketValue(row.p50Key),
      p95Ms: row?.p95Key == null ? null : sketchBucketValue(row.p95Key),
      p99Ms: row?.p99Key == null ? null : sketchBucketValue(row.p99Key),
    };
  });
  const traffic = totalRow ? trafficTotals(totalRow) : NO_TRAFFIC;
  const summary = inferenceCost({ deployment: pricing, range, traffic, now });
  return {
    points,
    summary,
    /** The range's traffic sums (requests, input and output tokens): the estimator link's tokens per request. */
    traffic,
    /** Displayed cents of the range: the sum of the buckets' (rule 6), and its idle and untracked parts. */
    cents: {
      total: bucketCents.reduce((s, c) => s + c, 0n),
      idle: points.reduce((s, p) => s + p.idleCents, 0n),
      untracked: points.reduce((s, p) => s + p.untrackedCents, 0n),
    },
    latency: {
      p50Ms: totalRow?.p50Key == null ? null : sketchBucketValue(totalRow.p50Key),
      p95Ms: totalRow?.p95Key == null ? null : sketchBucketValue(totalRow.p95Key),
      p99Ms: totalRow?.p99Key == null ? null : sketchBucketValue(totalRow.p99Key),
      note: totalRow ? approximationNote({ approximateRequests: totalRow.approxRequests, requestCount: totalRow.requests - totalRow.errors }) : null,
    },
    utilizationPct: totalRow && totalRow.utilMs > 0n ? Number(totalRow.utilPctMs) / Number(totalRow.utilMs) : null,
  };
}

export type DeploymentDetail = NonNullable<Awaited<ReturnType<typeof deploymentDetail>>>;
