/**
 * What a training run costs.
 *
 * GPU-hours = gpuCount × wall-clock hours of [startedAt, endedAt), where a run
 * still going (endedAt null) accrues up to `now`. Compute cost is those
 * GPU-hours at the price in effect (gpu-time-cost.ts). Total = compute +
 * storage + data + network, the last three being amounts entered for the
 * whole run.
 *
 * Per bucket, compute is the cost of the GPU time inside the bucket and the
 * whole-run amounts are spread evenly over the run's time (so a running run's
 * past buckets give up some of them as it goes on), both rounded by money.ts
 * rule 4: buckets covering a run sum exactly to its total and match the SQL
 * ledger to the micro-dollar.
 */
import type Decimal from "decimal.js";
import { trainingFlopsPerToken, type TrainingMethod } from "./estimator/training";
import { gpuTimeCost, gpuTimeCostByBucket, type GpuTimeCost, type GpuTimePricing } from "./gpu-time-cost";
import { microsToCents, parseUsdMicros, unitCostUsd, type UsdInput } from "./money";
import { prorateOverTime } from "./proration";
import { durationMs, runningInterval, type TimeRange } from "./time-range";

export interface TrainingRunCostInput extends GpuTimePricing {
  startedAt: Date;
  endedAt: Date | null;
  storageCostUsd: UsdInput;
  dataCostUsd: UsdInput;
  networkCostUsd: UsdInput;
  tokensProcessed: bigint | number | null;
  parameterCount: bigint | number | null;
  /** Peak dense BF16 TFLOPS of one GPU of the run's type. */
  peakBf16Tflops: Decimal.Value | null;
  /**
   * Sets the FLOPs per token of the MFU (6·N full training, 4·N LoRA/QLoRA).
   * Every run from the database has one (engine-inputs.ts); not given, the
   * run is counted as full training.
   */
  method?: TrainingMethod | null;
}

export interface TrainingRunCost extends GpuTimeCost {
  interval: TimeRange;
  isRunning: boolean;
  storageCostMicros: bigint;
  dataCostMicros: bigint;
  networkCostMicros: bigint;
  totalCostMicros: bigint;
  /**
   * Lifetime cents as displayed everywhere: the compute line item and the
   * extras line item, each rounded from the run's start (money.ts rule 6).
   */
  totalCostCents: bigint;
  /** Total cost per 1M tokens processed; null without tokens. */
  costPerMillionTokensUsd: Decimal | null;
  /** Model FLOPs utilization, 0..1; null when an input is missing or zero. */
  mfu: number | null;
}

export interface TrainingBucketCost extends TimeRange {
  gpuHours: number;
  unpricedGpuHours: number;
  computeCostMicros: bigint;
  /** This bucket's share of storage + data + network. */
  otherCostMicros: bigint;
  totalCostMicros: bigint;
}

function positiveNumber(value: Decimal.Value | null): number | null {
  if (value === null) return null;
  const n = Number(value.toString());
  return Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * MFU = FLOPs per token × tokens ÷ (GPU-seconds × peak FLOP/s per GPU): the
 * share of the GPUs' peak BF16 throughput spent on the model's own
 * arithmetic. FLOPs per token depend on the method (estimator/training.ts):
 * 6 × parameters for full training (forward 2 + backward 4), 4 × parameters
 * for LoRA/QLoRA (frozen weights get no weight gradients); 6 × parameters
 * when the method is not given.
 */
export function modelFlopsUtilization({
  parameterCount,
  tokensProcessed,
  gpuCount,
  durationMs,
  peakBf16Tflops,
  method,
}: {
  parameterCount: bigint | number | null;
  tokensProcessed: bigint | number | null;
  gpuCount: number;
  durationMs: number;
  peakBf16Tflops: Decimal.Value | null;
  method?: TrainingMethod | null;
}): number | null {
  const parameters = positiveNumber(parameterCount);
  const tokens = positiveNumber(tokensProcessed);
  const peakTflops = positiveNumber(peakBf16Tflops);
  const gpuSeconds = (gpuCount * durationMs) / 1000;
  if (parameters === null || tokens === null || peakTflops === null || !(gpuSeconds > 0)) return null;
  return (trainingFlopsPerToken({ activeParameters: parameters, method }) * tokens) / (gpuSeconds * peakTflops * 1e12);
}

export function trainingRunCost({ run, now }: { run: TrainingRunCostInput; now: Date }): TrainingRunCost {
  const interval = runningInterval({ startedAt: run.startedAt, endedAt: run.endedAt, now });
  const compute = gpuTimeCost({ ...run, interval });
  const storageCostMicros = parseUsdMicros(run.storageCostUsd);
  const dataCostMicros = parseUsdMicros(run.dataCostUsd);
  const networkCostMicros = parseUsdMicros(run.networkCostUsd);
  const totalCostMicros = compute.computeCostMicros + storageCostMicros + dataCostMicros + networkCostMicros;
  const totalCostCents = microsToCents(compute.computeCostMicros) + microsToCents(storageCostMicros + dataCostMicros + networkCostMicros);
  return {
    totalCostCents,
    ...compute,
    interval,
    isRunning: run.endedAt === null,
    storageCostMicros,
    dataCostMicros,
    networkCostMicros,
    totalCostMicros,
    costPerMillionTokensUsd: unitCostUsd({ costMicros: totalCostMicros, quantity: run.tokensProcessed, per: 1_000_000 }),
    mfu: modelFlopsUtilization({ ...run, durationMs: durationMs(interval) }),
  };
}

/**
 * The run's cost in each bucket (e.g. from bucketsBetween). A bucket's figure
 * does not depend on the other buckets asked for, and buckets that tile the
 * run sum exactly to trainingRunCost's totalCostMicros.
 */
export function trainingRunCostByBucket({
  run,
  buckets,
  now,
}: {
  run: TrainingRunCostInput;
  buckets: readonly TimeRange[];
  now: Date;
}): TrainingBucketCost[] {
  const interval = runningInterval({ startedAt: run.startedAt, endedAt: run.endedAt, now });
  const computeByBucket = gpuTimeCostByBucket({ ...run, interval, buckets });
  const otherCostMicros =
    parseUsdMicros(run.storageCostUsd) + parseUsdMicros(run.dataCostUsd) + parseUsdMicros(run.networkCostUsd);

  // A run with no duration still has its other costs: spreading them over its
  // first millisecond puts them in the bucket holding its start.
  const spreadOver = durationMs(interval) > 0 ? interval : { start: interval.start, end: new Date(interval.start.getTime() + 1) };
  const otherParts = prorateOverTime({ amountMicros: otherCostMicros, interval: spreadOver, buckets });

  return computeByBucket.map((bucket, i) => {
    const bucketOtherMicros = otherParts[i]!;
    return { ...bucket, otherCostMicros: bucketOtherMicros, totalCostMicros: bucket.computeCostMicros + bucketOtherMicros };
  });
}

/** The run's cost within [range.start, range.end), e.g. one report month. */
export function trainingRunCostInRange({
  run,
  range,
  now,
}: {
  run: TrainingRunCostInput;
  range: TimeRange;
  now: Date;
}): TrainingBucketCost {
  return trainingRunCostByBucket({ run, buckets: [range], now })[0]!;
}
