/**
 * What an inference deployment costs, and what that buys.
 *
 * Cost: a deployment pays for its GPUs whether or not they serve traffic:
 * gpuCount × active hours × the price in effect (gpu-time-cost.ts), where
 * active = [activeFrom, activeTo ?? now) clipped to the range. Rounding is
 * money.ts rule 4 along the deployment's whole active life, so its cost in a
 * range is the same whichever query asks, and buckets sum exactly.
 *
 * Recorded, untracked and idle time. Usage records (windows) say what a
 * deployment did; active time that no record covers is untracked: nobody
 * knows whether it served, so it is "no data", never idle and never busy.
 *   recordedMs  = active time covered by usage records (traffic or not)
 *   untrackedMs = activeMs − recordedMs
 *   idleMs      = (recordedMs − trafficMs)                  records without traffic
 *               + Σ windowMs × (1 − avgGpuUtilizationPct/100)  traffic windows
 *   idleShare   = idleMs / recordedMs (null without records)
 * The cost is split by time three ways, busy : idle : untracked, so
 * busy + idle + untracked cost = the cost, exactly. trafficMs is the time
 * covered by usage windows with at least one request. A traffic window
 * without a utilization reading adds no idle time, so idle cost is a lower
 * bound when readings are missing. All inputs are plain sums, so SQL rollups
 * can provide them per bucket; within one bucket the three kinds of time are
 * taken to be spread evenly, which is exact unless the price changes inside
 * the bucket.
 *
 * Rates describe recorded time only, so unreported time neither dilutes nor
 * inflates them: QPS = requests ÷ recorded seconds, tokens/s per GPU over
 * recorded GPU time, $/1M tokens and $/1k requests from the cost of recorded
 * time (cost − untracked cost). Without records they are null ("no data").
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

/** What every idle figure means, said where it is shown. */
export const IDLE_DEFINITION =
  "Idle = recorded time with no traffic plus unused GPU capacity (1 − utilization) while serving; time without usage records is shown as no data, not idle.";

/** Traffic of one deployment over one range, as sums a SQL rollup can provide. */
export interface TrafficTotals {
  requests: bigint | number;
  errors: bigint | number;
  /** Every prompt token, cached ones included. */
  inputTokens: bigint | number;
  /** The part of inputTokens served from the prefix cache. */
  cachedInputTokens: bigint | number;
  outputTokens: bigint | number;
  /** Milliseconds covered by usage records, with or without traffic (rollups: windowMs). */
  recordedMs: number;
  /** Milliseconds covered by usage windows with at least one request (≤ recordedMs). */
  trafficMs: number;
  /** Σ over those windows of windowMs × (1 − avgGpuUtilizationPct / 100). */
  idleMsDuringTraffic: number;
}

/** No usage records at all: every active millisecond is untracked ("no data"). */
export const NO_TRAFFIC: TrafficTotals = {
  requests: 0,
  errors: 0,
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  recordedMs: 0,
  trafficMs: 0,
  idleMsDuringTraffic: 0,
};

export interface InferenceMetrics {
  /** Per 1M tokens, input (cached included) + output. */
  costPerMillionTokensUsd: Decimal | null;
  costPerMillionOutputTokensUsd: Decimal | null;
  costPerThousandRequestsUsd: Decimal | null;
  /** Requests per second of recorded time; null without records. */
  qps: number | null;
  /** Input + output tokens per second of recorded active time, per GPU. */
  tokensPerSecondPerGpu: number | null;
  /** errors / requests, 0..1. */
  errorRate: number | null;
  /** cachedInputTokens / inputTokens, 0..1. */
  cachedTokenShare: number | null;
}

export interface InferenceCost extends GpuTimeCost {
  /** The active part of the range; null when the deployment was not active in it. */
  activeInterval: TimeRange | null;
  /** Active time covered by usage records, and active time without any ("no data"). */
  recordedMs: number;
  untrackedMs: number;
  /** Idle part of recorded time (see the file header). */
  idleMs: number;
  idleCostMicros: bigint;
  /** The cost of untracked time: neither busy nor idle. */
  untrackedCostMicros: bigint;
  /** Idle time ÷ recorded time, 0..1; null when no active time has records. */
  idleShare: number | null;
  metrics: InferenceMetrics;
}

export interface InferenceBucketCost extends TimeRange {
  gpuHours: number;
  unpricedGpuHours: number;
  costMicros: bigint;
  recordedMs: number;
  untrackedMs: number;
  idleCostMicros: bigint;
  untrackedCostMicros: bigint;
}

function ratio(numerator: bigint | number, denominator: bigint | number): number | null {
  const d = Number(denominator);
  return d > 0 ? Number(numerator) / d : null;
}

function activeInterval(deployment: InferenceDeploymentCostInput, now: Date): TimeRange {
  return runningInterval({ startedAt: deployment.activeFrom, endedAt: deployment.activeTo, now });
}

interface TimeSplit {
  recordedMs: number;
  untrackedMs: number;
  idleMs: number;
}

/** Recorded, untracked and idle milliseconds of `activeMs` (see the file header). */
function splitActiveTime({ activeMs, traffic }: { activeMs: number; traffic: TrafficTotals }): TimeSplit {
  const { recordedMs, trafficMs, idleMsDuringTraffic } = traffic;
  if (!([recordedMs, trafficMs, idleMsDuringTraffic].every((ms) => Number.isFinite(ms) && ms >= 0))) {
    throw new RangeError("recordedMs, trafficMs and idleMsDuringTraffic must be finite and non-negative");
  }
  // Records cannot cover more than the active time, nor traffic more than the records.
  const recorded = Math.min(Math.round(recordedMs), activeMs);
  const served = Math.min(Math.round(trafficMs), recorded);
  // Utilization-weighted time is a measurement; whole milliseconds are plenty.
  const idle = recorded - served + Math.min(Math.round(idleMsDuringTraffic), served);
  return { recordedMs: recorded, untrackedMs: activeMs - recorded, idleMs: idle };
}

/** A finalized cost split busy : idle : untracked by time. */
function splitCost(costMicros: bigint, time: TimeSplit): { idleCostMicros: bigint; untrackedCostMicros: bigint } {
  const busyMs = time.recordedMs - time.idleMs;
  const [, idle, untracked] = prorateAmount({ amountMicros: costMicros, weights: [busyMs, time.idleMs, time.untrackedMs] });
  return { idleCostMicros: idle!, untrackedCostMicros: untracked! };
}

export function inferenceMetrics({
  recordedMs,
  gpuCount,
  recordedCostMicros,
  traffic,
}: {
  /** Active time covered by usage records. */
  recordedMs: number;
  gpuCount: number;
  /** The cost of that time. */
  recordedCostMicros: bigint;
  traffic: TrafficTotals;
}): InferenceMetrics {
  const totalTokens = BigInt(traffic.inputTokens) + BigInt(traffic.outputTokens);
  const hasRecords = recordedMs > 0;
  const perUnit = (quantity: bigint | number, per: number) => (hasRecords ? unitCostUsd({ costMicros: recordedCostMicros, quantity, per }) : null);
  return {
    costPerMillionTokensUsd: perUnit(totalTokens, 1_000_000),
    costPerMillionOutputTokensUsd: perUnit(traffic.outputTokens, 1_000_000),
    costPerThousandRequestsUsd: perUnit(traffic.requests, 1_000),
    qps: ratio(traffic.requests, recordedMs / 1000),
    tokensPerSecondPerGpu: ratio(totalTokens, (gpuCount * recordedMs) / 1000),
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
  const time = splitActiveTime({ activeMs, traffic });
  const split = splitCost(costMicros, time);
  return {
    ...compute,
    activeInterval: activeInRange,
    ...time,
    ...split,
    idleShare: time.recordedMs > 0 ? time.idleMs / time.recordedMs : null,
    metrics: inferenceMetrics({ recordedMs: time.recordedMs, gpuCount: deployment.gpuCount, recordedCostMicros: costMicros - split.untrackedCostMicros, traffic }),
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
    const time = splitActiveTime({ activeMs, traffic: bucket.traffic });
    return {
      start: bucket.start,
      end: bucket.end,
      gpuHours: bucketCost.gpuHours,
      unpricedGpuHours: bucketCost.unpricedGpuHours,
      costMicros,
      recordedMs: time.recordedMs,
      untrackedMs: time.untrackedMs,
      ...splitCost(costMicros, time),
    };
  });
}
