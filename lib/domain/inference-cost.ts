/**
 * What an inference deployment costs, and what that buys.
 *
 * Cost: a deployment pays for its GPUs whether or not they serve traffic:
 * gpuCount × active hours × the price in effect (gpu-time-cost.ts), where
 * active = [activeFrom, activeTo ?? now) clipped to the range. Rounding is
 * money.ts rule 4 along the deployment's whole active life, so its cost in a
 * range is the same whichever query asks, and buckets sum exactly.
 *
 * Idle cost: the share of that cost paid for GPU time that did no work.
 *   idleMs = (activeMs − trafficMs)                       no traffic at all
 *          + Σ windowMs × (1 − avgGpuUtilizationPct/100)   traffic windows
 *   idleCostMicros = costMicros prorated by idleMs : (activeMs − idleMs)
 * where trafficMs is the time covered by usage windows with at least one
 * request. Active time with no usage window counts as no traffic: nothing was
 * recorded as served, and that is exactly what an idle-cost figure should
 * surface. A traffic window without a utilization reading adds no idle time,
 * so idle cost is a lower bound when readings are missing. Both inputs are
 * plain sums, so SQL rollups can provide them per bucket; within one bucket
 * idle time is taken to be spread evenly, which is exact unless the price
 * changes inside the bucket.
 *
 * Tokens: inputTokens counts every prompt token, including cachedInputTokens
 * (the part served from the prefix cache), as OpenAI-compatible servers
 * report them; total tokens = inputTokens + outputTokens.
 *
 * Every ratio with nothing to divide by (no tokens, no requests, no time) is
 * null, never 0, Infinity or NaN.
 */
import type Decimal from "decimal.js";
import { gpuTimeCost, gpuTimeCostByBucket, type GpuTimeCost, type GpuTimePricing } from "./gpu-time-cost";
import { unitCostUsd } from "./money";
import { prorateAmount } from "./proration";
import { durationMs, intersectRanges, overlapMs, runningInterval, type TimeRange } from "./time-range";

export interface InferenceDeploymentCostInput extends GpuTimePricing {
  activeFrom: Date;
  /** Null while the deployment is still serving. */
  activeTo: Date | null;
}

/** Traffic of one deployment over one range, as sums a SQL rollup can provide. */
export interface TrafficTotals {
  requests: bigint | number;
  errors: bigint | number;
  /** Every prompt token, cached ones included. */
  inputTokens: bigint | number;
  /** The part of inputTokens served from the prefix cache. */
  cachedInputTokens: bigint | number;
  outputTokens: bigint | number;
  /** Milliseconds covered by usage windows with at least one request. */
  trafficMs: number;
  /** Σ over those windows of windowMs × (1 − avgGpuUtilizationPct / 100). */
  idleMsDuringTraffic: number;
}

export const NO_TRAFFIC: TrafficTotals = {
  requests: 0,
  errors: 0,
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  trafficMs: 0,
  idleMsDuringTraffic: 0,
};

export interface InferenceMetrics {
  /** Per 1M tokens, input (cached included) + output. */
  costPerMillionTokensUsd: Decimal | null;
  costPerMillionOutputTokensUsd: Decimal | null;
  costPerThousandRequestsUsd: Decimal | null;
  /** Requests per second of the whole range. */
  qps: number | null;
  /** Input + output tokens per second of active time, per GPU. */
  tokensPerSecondPerGpu: number | null;
  /** errors / requests, 0..1. */
  errorRate: number | null;
  /** cachedInputTokens / inputTokens, 0..1. */
  cachedTokenShare: number | null;
}

export interface InferenceCost extends GpuTimeCost {
  /** The active part of the range; null when the deployment was not active in it. */
  activeInterval: TimeRange | null;
  idleCostMicros: bigint;
  /** Idle GPU time ÷ active GPU time, 0..1; null when there was no active time. */
  idleShare: number | null;
  metrics: InferenceMetrics;
}

export interface InferenceBucketCost extends TimeRange {
  gpuHours: number;
  unpricedGpuHours: number;
  costMicros: bigint;
  idleCostMicros: bigint;
}

function ratio(numerator: bigint | number, denominator: bigint | number): number | null {
  const d = Number(denominator);
  return d > 0 ? Number(numerator) / d : null;
}

function activeInterval(deployment: InferenceDeploymentCostInput, now: Date): TimeRange {
  return runningInterval({ startedAt: deployment.activeFrom, endedAt: deployment.activeTo, now });
}

/** Idle milliseconds of wall-clock active time (see the file header). */
function idleMs({ activeMs, traffic }: { activeMs: number; traffic: TrafficTotals }): number {
  const { trafficMs, idleMsDuringTraffic } = traffic;
  if (!(trafficMs >= 0 && idleMsDuringTraffic >= 0 && Number.isFinite(trafficMs + idleMsDuringTraffic))) {
    throw new RangeError("trafficMs and idleMsDuringTraffic must be finite and non-negative");
  }
  const servedMs = Math.min(trafficMs, activeMs);
  // Utilization-weighted time is a measurement; whole milliseconds are plenty.
  return activeMs - servedMs + Math.min(Math.round(idleMsDuringTraffic), servedMs);
}

/** The idle part of a finalized cost: the cost split busy : idle by time. */
function idleCostMicros({ costMicros, activeMs, idleMs }: { costMicros: bigint; activeMs: number; idleMs: number }): bigint {
  return prorateAmount({ amountMicros: costMicros, weights: [activeMs - idleMs, idleMs] })[1]!;
}

export function inferenceMetrics({
  range,
  activeMs,
  gpuCount,
  costMicros,
  traffic,
}: {
  range: TimeRange;
  activeMs: number;
  gpuCount: number;
  costMicros: bigint;
  traffic: TrafficTotals;
}): InferenceMetrics {
  const totalTokens = BigInt(traffic.inputTokens) + BigInt(traffic.outputTokens);
  return {
    costPerMillionTokensUsd: unitCostUsd({ costMicros, quantity: totalTokens, per: 1_000_000 }),
    costPerMillionOutputTokensUsd: unitCostUsd({ costMicros, quantity: traffic.outputTokens, per: 1_000_000 }),
    costPerThousandRequestsUsd: unitCostUsd({ costMicros, quantity: traffic.requests, per: 1_000 }),
    qps: ratio(traffic.requests, durationMs(range) / 1000),
    tokensPerSecondPerGpu: ratio(totalTokens, (gpuCount * activeMs) / 1000),
    errorRate: ratio(traffic.errors, traffic.requests),
    cachedTokenShare: ratio(traffic.cachedInputTokens, traffic.inputTokens),
  };
}

/** The deployment's cost over one range, line by line, with its metrics. */
export function inferenceCost({
  deployment,
  range,
  traffic,
  now,
}: {
  deployment: InferenceDeploymentCostInput;
  range: TimeRange;
  traffic: TrafficTotals;
  now: Date;
}): InferenceCost {
  const active = activeInterval(deployment, now);
  const activeInRange = intersectRanges(active, range);
  const activeMs = activeInRange === null ? 0 : durationMs(activeInRange);
  const compute = gpuTimeCost({ ...deployment, interval: active, range });
  const costMicros = compute.computeCostMicros;
  const idle = idleMs({ activeMs, traffic });
  return {
    ...compute,
    activeInterval: activeInRange,
    idleCostMicros: idleCostMicros({ costMicros, activeMs, idleMs: idle }),
    idleShare: activeMs > 0 ? idle / activeMs : null,
    metrics: inferenceMetrics({ range, activeMs, gpuCount: deployment.gpuCount, costMicros, traffic }),
  };
}

/**
 * The deployment's cost in each bucket (e.g. from bucketsBetween), each with
 * its own traffic. Each bucket's cost equals inferenceCost over that bucket,
 * so contiguous buckets sum exactly to inferenceCost over their span.
 */
export function inferenceCostByBucket({
  deployment,
  buckets,
  now,
}: {
  deployment: InferenceDeploymentCostInput;
  buckets: readonly (TimeRange & { traffic: TrafficTotals })[];
  now: Date;
}): InferenceBucketCost[] {
  const active = activeInterval(deployment, now);
  const computeByBucket = gpuTimeCostByBucket({ ...deployment, interval: active, buckets });
  return computeByBucket.map((bucketCost, i) => {
    const bucket = buckets[i]!;
    const activeMs = overlapMs(active, bucket);
    const costMicros = bucketCost.computeCostMicros;
    return {
      start: bucket.start,
      end: bucket.end,
      gpuHours: bucketCost.gpuHours,
      unpricedGpuHours: bucketCost.unpricedGpuHours,
      costMicros,
      idleCostMicros: idleCostMicros({ costMicros, activeMs, idleMs: idleMs({ activeMs, traffic: bucket.traffic }) }),
    };
  });
}
