/**
 * Splitting by time. An interval is cut at bucket boundaries into
 * milliseconds per bucket, and a finalized amount of money is split into
 * whole micro-dollars by cumulative rounding (money.ts, rules 4 and 5): the
 * part for a stretch [x, y) of the whole is
 *   round(amount × before(y) / whole) − round(amount × before(x) / whole),
 * half-even, where before(t) is how much of the whole lies before t. The
 * parts sum exactly to the amount, each is within a micro-dollar of its exact
 * share, and adjacent parts merged equal the part of their union, so the
 * result does not depend on how finely the whole was cut.
 */
import { roundHalfEven } from "./largest-remainder";
import { durationMs, overlapMs, type TimeRange } from "./time-range";

export interface BucketOverlap {
  bucket: TimeRange;
  overlapMs: number;
}

/** How many milliseconds of `interval` fall in each bucket, in bucket order. */
export function splitIntervalByBuckets({
  interval,
  buckets,
}: {
  interval: TimeRange;
  buckets: readonly TimeRange[];
}): BucketOverlap[] {
  return buckets.map((bucket) => ({ bucket, overlapMs: overlapMs(interval, bucket) }));
}

/** round(amount × before / whole), the cumulative amount up to a point. */
function amountBefore(amountMicros: bigint, before: bigint, whole: bigint): bigint {
  return roundHalfEven({ numerator: amountMicros * before, denominator: whole });
}

/**
 * Splits a finalized amount into parts proportional to `weights`, taken in
 * order (non-negative integers such as milliseconds): parts[i] belongs to
 * weights[i] and the parts sum to amountMicros exactly. All-zero weights can
 * only split zero.
 */
export function prorateAmount({ amountMicros, weights }: { amountMicros: bigint; weights: readonly number[] }): bigint[] {
  if (!weights.every((w) => Number.isSafeInteger(w) && w >= 0)) {
    throw new RangeError("weights must be non-negative safe integers");
  }
  const whole = BigInt(weights.reduce((sum, w) => sum + w, 0));
  if (whole === 0n) {
    if (amountMicros === 0n) return weights.map(() => 0n);
    throw new RangeError("cannot prorate a non-zero amount over zero weights");
  }
  let before = 0n;
  return weights.map((weight) => {
    const part = amountBefore(amountMicros, before + BigInt(weight), whole) - amountBefore(amountMicros, before, whole);
    before += BigInt(weight);
    return part;
  });
}

/**
 * Spreads an amount evenly over `interval` (non-empty) and returns each
 * bucket's part: the same figure whichever other buckets are asked for, and
 * buckets covering the interval sum exactly to the amount.
 */
export function prorateOverTime({
  amountMicros,
  interval,
  buckets,
}: {
  amountMicros: bigint;
  interval: TimeRange;
  buckets: readonly TimeRange[];
}): bigint[] {
  const whole = BigInt(durationMs(interval));
  if (whole === 0n) throw new RangeError("cannot prorate over an empty interval");
  const startMs = interval.start.getTime();
  const elapsedAt = (instant: Date) => BigInt(Math.min(Math.max(instant.getTime() - startMs, 0), Number(whole)));
  return buckets.map(
    (bucket) =>
      amountBefore(amountMicros, elapsedAt(bucket.end), whole) - amountBefore(amountMicros, elapsedAt(bucket.start), whole),
  );
}
