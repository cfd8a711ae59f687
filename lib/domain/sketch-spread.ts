/**
 * Spreading a whole number of requests over sketch keys, for inputs that
 * only say how requests are distributed between two latencies (a histogram
 * bucket, a stretch of an interpolated quantile function). The share of each
 * key is the probability the caller's CDF gives to the part of [fromMs, toMs]
 * the key covers (key k covers (gamma^(k-1), gamma^k]). The integer count is
 * split by rounding the running total (count × cumulative share, half-even)
 * and taking differences, as money is telescoped: the parts sum to the count
 * exactly, each is within one request of its exact share, and every running
 * total is within half a request of exact. Largest remainder would not do
 * here: spread thin (under one request a key), it hands the requests to the
 * keys with the largest shares, piling them where the density is highest
 * instead of along the distribution.
 * Latencies outside the sketch's range fall into its end keys, as samples do.
 */
import { roundHalfEven } from "./largest-remainder";
import { EMPTY_SKETCH, type LatencySketch, SKETCH_GAMMA, sketchKey } from "./latency-sketch";

/** Shares are turned into integer weights at this resolution (2^48 ≈ 2.8e14). */
const WEIGHT_SCALE = 2 ** 48;

export interface SpreadOptions {
  /** Whole number of requests to spread; 0 gives an empty sketch. */
  count: bigint;
  fromMs: number;
  toMs: number;
  /**
   * Cumulative share at a latency in [fromMs, toMs], non-decreasing from 0
   * to 1; the first key takes everything from 0 and the last everything up
   * to 1. Omitted when fromMs = toMs.
   */
  cdf?: (ms: number) => number;
}

/** A sketch holding `count` requests spread over [fromMs, toMs] by `cdf`. */
export function spreadOverKeys({ count, fromMs, toMs, cdf }: SpreadOptions): LatencySketch {
  if (count < 0n) throw new RangeError("count must be non-negative");
  if (count === 0n) return EMPTY_SKETCH;
  const firstKey = sketchKey(fromMs);
  const lastKey = sketchKey(toMs);
  if (firstKey === lastKey || cdf === undefined) return { keys: [lastKey], counts: [Number(count)] };
  const keys: number[] = [];
  const weights: bigint[] = [];
  for (let key = firstKey; key <= lastKey; key++) {
    // The end keys reach to fromMs and toMs, so nothing outside the sketch's range is lost.
    const lowerMs = key === firstKey ? fromMs : Math.max(fromMs, SKETCH_GAMMA ** (key - 1));
    const upperMs = key === lastKey ? toMs : Math.min(toMs, SKETCH_GAMMA ** key);
    // The end keys take everything from 0 and up to 1, whatever the CDF says at the ends.
    const share = (key === lastKey ? 1 : cdf(upperMs)) - (key === firstKey ? 0 : cdf(lowerMs));
    keys.push(key);
    weights.push(BigInt(Math.round(Math.max(0, share) * WEIGHT_SCALE)));
  }
  const weightSum = weights.reduce((sum, w) => sum + w, 0n);
  if (weightSum === 0n) return { keys: [lastKey], counts: [Number(count)] };
  let runningWeight = 0n;
  let placed = 0n;
  const kept: { key: number; count: number }[] = [];
  keys.forEach((key, i) => {
    runningWeight += weights[i]!;
    const through = roundHalfEven({ numerator: count * runningWeight, denominator: weightSum });
    if (through > placed) kept.push({ key, count: Number(through - placed) });
    placed = through;
  });
  return { keys: kept.map((part) => part.key), counts: kept.map((part) => part.count) };
}
