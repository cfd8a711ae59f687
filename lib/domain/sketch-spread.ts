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
/** Up to here (the most requests a window may hold) count × weight has under 2^89 and float rounding stays far inside the margins below. */
const MAX_FAST_COUNT = 1e12;

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

/**
 * count × part / whole rounded half-even (0 ≤ part ≤ whole < 2^53; `requests` is count as a number). The float
 * quotient is within count × 2^-51 of exact; when its fraction is further than that from 0, ½ and 1, its rounding is
 * the exact one. Otherwise (an exact end, a near tie) it is computed exactly in bigint: the result is the same either
 * way, ~10× faster for the imports' summary windows, which spread hundreds of keys each.
 */
function roundedShare(count: bigint, requests: number, part: number, whole: number): number {
  if (part === 0) return 0;
  if (part === whole) return requests;
  if (requests > MAX_FAST_COUNT) return Number(roundHalfEven({ numerator: count * BigInt(part), denominator: BigInt(whole) }));
  const quotient = (requests * part) / whole;
  const floor = Math.floor(quotient);
  const fraction = quotient - floor;
  const margin = Math.max(1e-9, requests * 1e-15);
  if (fraction > margin && fraction < 1 - margin && Math.abs(fraction - 0.5) > margin) return fraction < 0.5 ? floor : floor + 1;
  return Number(roundHalfEven({ numerator: count * BigInt(part), denominator: BigInt(whole) }));
}

/** γ^key, the upper bound of a key, computed once per key (the same value as `SKETCH_GAMMA ** key` each time). */
const upperBounds = new Map<number, number>();
function keyUpperMs(key: number): number {
  let bound = upperBounds.get(key);
  if (bound === undefined) upperBounds.set(key, (bound = SKETCH_GAMMA ** key));
  return bound;
}

/** A sketch holding `count` requests spread over [fromMs, toMs] by `cdf`. */
export function spreadOverKeys({ count, fromMs, toMs, cdf }: SpreadOptions): LatencySketch {
  if (count < 0n) throw new RangeError("count must be non-negative");
  if (count === 0n) return EMPTY_SKETCH;
  const firstKey = sketchKey(fromMs);
  const lastKey = sketchKey(toMs);
  if (firstKey === lastKey || cdf === undefined) return { keys: [lastKey], counts: [Number(count)] };
  // Weights are whole numbers below 2^49 and so is their sum: exact as plain numbers.
  const weights = new Float64Array(lastKey - firstKey + 1);
  let weightSum = 0;
  let previousUpperMs = NaN;
  let previousCdf = 0;
  for (let key = firstKey; key <= lastKey; key++) {
    // The end keys reach to fromMs and toMs, so nothing outside the sketch's range is lost.
    const lowerMs = key === firstKey ? fromMs : Math.max(fromMs, keyUpperMs(key - 1));
    const upperMs = key === lastKey ? toMs : Math.min(toMs, keyUpperMs(key));
    // The end keys take everything from 0 and up to 1, whatever the CDF says at the ends. A key's lower bound is
    // usually its neighbour's upper one: the CDF there is read once.
    const upperCdf = key === lastKey ? 1 : cdf(upperMs);
    const lowerCdf = key === firstKey ? 0 : lowerMs === previousUpperMs ? previousCdf : cdf(lowerMs);
    const weight = Math.round(Math.max(0, upperCdf - lowerCdf) * WEIGHT_SCALE);
    weights[key - firstKey] = weight;
    weightSum += weight;
    previousUpperMs = upperMs;
    previousCdf = upperCdf;
  }
  if (weightSum === 0) return { keys: [lastKey], counts: [Number(count)] };
  const requests = Number(count);
  let runningWeight = 0;
  let placed = 0;
  const keys: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < weights.length; i++) {
    runningWeight += weights[i]!;
    const through = roundedShare(count, requests, runningWeight, weightSum);
    if (through > placed) {
      keys.push(firstKey + i);
      counts.push(through - placed);
    }
    placed = through;
  }
  return { keys, counts };
}
