/**
 * Exact arithmetic for suggestions: shares as bigint ratios, the month
 * normalization, and GPU counts from memory. Every saving is computed as one
 * rational number and rounded once, half-even, to cents.
 *
 * Month normalization. A saving is a share of what the item costs per
 * average month (30.44 days = 365.25 / 12, rounded as FinOps reports do):
 *   monthly = cents × MONTH_MS / observedMs
 * - runs: observedMs = the period (the run's spend in the period, at the
 *   period's rate: "runs like this one, as often as in this period");
 * - deployments: observedMs = the active time in the period (cost per active
 *   day × 30.44: a deployment that started mid-period is not diluted);
 * - idle: the idle cents over recorded time only, so untracked time never
 *   counts as idle.
 */
import { roundHalfEven } from "../largest-remainder";
import { WEIGHTS_MAX_MEMORY_SHARE_BPS } from "./thresholds";
import type { DeploymentFacts, Quantization } from "./types";

export const BPS = 10_000n;
export const HOUR_MS = 3_600_000n;
/** 30.44 days in milliseconds. */
export const MONTH_MS = 2_630_016_000n;
const BITS_PER_GB = 8_000_000_000n;

/** A non-negative rational share. */
export interface Ratio {
  num: bigint;
  den: bigint;
}

export const WHOLE: Ratio = { num: 1n, den: 1n };

export function bps(value: bigint): Ratio {
  return { num: value, den: BPS };
}

export function ratio(num: bigint, den: bigint): Ratio {
  if (den <= 0n) throw new RangeError("ratio denominator must be positive");
  return { num, den };
}

export function times(...parts: Ratio[]): Ratio {
  return parts.reduce((a, b) => ({ num: a.num * b.num, den: a.den * b.den }), WHOLE);
}

/** 1 − r. */
export function complement(r: Ratio): Ratio {
  return { num: r.den - r.num, den: r.den };
}

/** r > thresholdBps / 10,000, exactly. */
export function isAboveBps(r: Ratio, thresholdBps: bigint): boolean {
  return r.num * BPS > thresholdBps * r.den;
}

/** r < thresholdBps / 10,000, exactly. */
export function isBelowBps(r: Ratio, thresholdBps: bigint): boolean {
  return r.num * BPS < thresholdBps * r.den;
}

/** A measured 0..1 fraction (utilization, MFU) as whole basis points: the one float → integer step. */
export function fractionToBps(fraction: number): bigint {
  return BigInt(Math.round(fraction * 10_000));
}

/** A measured percentage (0..100) as whole basis points. */
export function percentToBps(percent: number): bigint {
  return BigInt(Math.round(percent * 100));
}

export function wholeMs(ms: number): bigint {
  return BigInt(Math.max(0, Math.round(ms)));
}

export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  return numerator <= 0n ? 0n : (numerator + denominator - 1n) / denominator;
}

/**
 * round½even(cents × share × MONTH_MS / observedMs): a share of `cents`
 * spent over `observedMs`, per average month. 0 when nothing was observed.
 */
export function monthlyCents({ cents, observedMs, share = WHOLE }: { cents: bigint; observedMs: bigint; share?: Ratio }): bigint {
  if (observedMs <= 0n) return 0n;
  return roundHalfEven({ numerator: cents * share.num * MONTH_MS, denominator: observedMs * share.den });
}

/** Cents per average month of one GPU at a price (µ$ per GPU-hour): price × 730.56 h, half-even. */
export function gpuMonthCents(pricePerGpuHourMicros: bigint): bigint {
  return roundHalfEven({ numerator: pricePerGpuHourMicros * MONTH_MS, denominator: HOUR_MS * 10_000n });
}

/** Bits per weight by serving quantization; NONE is taken as the usual unquantized 16-bit. */
export const WEIGHT_BITS: Record<Quantization, bigint> = { NONE: 16n, FP16_BF16: 16n, FP8: 8n, INT8: 8n, INT4: 4n };

/**
 * GPUs one serving replica needs for its weights: the smallest power of two
 * (tensor-parallel degrees are 1, 2, 4, 8…) whose memory, at
 * WEIGHTS_MAX_MEMORY_SHARE_BPS, holds parameters × bits.
 */
export function replicaGpusForWeights({ parameterCount, bitsPerParameter, memoryGb }: { parameterCount: bigint; bitsPerParameter: bigint; memoryGb: number }): bigint {
  const weightBits = parameterCount * bitsPerParameter * BPS;
  const perGpu = BigInt(memoryGb) * BITS_PER_GB * WEIGHTS_MAX_MEMORY_SHARE_BPS;
  if (perGpu <= 0n) throw new RangeError("memoryGb must be positive");
  let gpus = 1n;
  while (gpus * perGpu < weightBits) gpus *= 2n;
  return gpus;
}

/**
 * The deployment's current replica size: what its weights need at its
 * quantization, but never more than the GPUs it actually runs on (it does
 * fit there, with less headroom than we assume). 1 when the parameter count
 * is unknown.
 */
export function currentReplicaGpus(f: Pick<DeploymentFacts, "parameterCount" | "quantization" | "gpuCount" | "gpuType">): bigint {
  const gpuCount = BigInt(f.gpuCount);
  if (f.parameterCount === null || gpuCount <= 0n) return 1n;
  const needed = replicaGpusForWeights({ parameterCount: f.parameterCount, bitsPerParameter: WEIGHT_BITS[f.quantization], memoryGb: f.gpuType.memoryGb });
  return needed < gpuCount ? needed : gpuCount;
}

/** Rounds a GPU count up to whole replicas of `replica` GPUs, at least one replica. */
export function wholeReplicas(gpus: bigint, replica: bigint): bigint {
  const replicas = ceilDiv(gpus, replica);
  return (replicas < 1n ? 1n : replicas) * replica;
}

/** The saving share of running `newGpus` instead of `gpuCount`: (gpuCount − newGpus) / gpuCount, never negative. */
export function fewerGpusShare(gpuCount: bigint, newGpus: bigint): Ratio {
  return newGpus >= gpuCount ? { num: 0n, den: 1n } : ratio(gpuCount - newGpus, gpuCount);
}
