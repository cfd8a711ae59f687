/**
 * Prometheus-style cumulative histograms as latency sketches, so scraped
 * histograms merge with exact sketches and summary-only windows alike.
 *
 * Input is the buckets of one histogram for one window: each bucket's upper
 * bound `leMs` in MILLISECONDS (Prometheus exporters usually count seconds:
 * multiply `le` by 1,000 before calling) and the cumulative count of
 * observations at or below it. Bounds are read from the data, never assumed,
 * so any exporter's layout works. The last bucket may be +Inf, as Prometheus
 * always sends it.
 *
 * Each bucket's count is spread over the sketch keys between its lower and
 * upper bound:
 *   - (lower, upper] with lower > 0: log-uniformly (latency is roughly
 *     log-distributed, so equal shares per factor of latency);
 *   - the first bucket, (0, le]: uniformly in value, as Prometheus's
 *     histogram_quantile assumes (a log-uniform spread has no lower end);
 *   - the +Inf bucket: all of it at the last finite bound, again as
 *     histogram_quantile does, since nothing bounds it from above.
 * Counts are whole requests (sketch-spread.ts), so the sketch holds
 * exactly the histogram's total, and every bucket keeps exactly its count.
 *
 * A percentile read from such a sketch (or a merge of several with the same
 * bounds) is exact only to the bucket it falls in: `histogramPercentileBounds`
 * says which bucket that is and how far off the value can be.
 */
import { EMPTY_SKETCH, type LatencySketch, mergeSketches, sketchKey } from "./latency-sketch";
import { spreadOverKeys } from "./sketch-spread";

export interface HistogramBucket {
  /** Upper bound of the bucket in milliseconds; +Infinity for the last bucket only. */
  leMs: number;
  /** Observations at or below leMs (cumulative, as Prometheus reports them). */
  cumulativeCount: number | bigint;
}

function toCount(value: number | bigint, index: number): bigint {
  if (typeof value === "bigint") {
    if (value < 0n) throw new RangeError(`histogram bucket ${index}: cumulativeCount must be non-negative`);
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`histogram bucket ${index}: cumulativeCount must be a whole number ≥ 0 (got ${value})`);
  }
  return BigInt(value);
}

/** Validated buckets: ascending bounds, non-decreasing whole counts. */
function validate(buckets: readonly HistogramBucket[]): { leMs: number; cumulative: bigint }[] {
  if (buckets.length === 0) throw new RangeError("histogram needs at least one bucket");
  return buckets.map((bucket, index) => {
    const { leMs } = bucket;
    const isLast = index === buckets.length - 1;
    if (Number.isNaN(leMs) || leMs < 0 || (leMs === Infinity && !isLast)) {
      throw new RangeError(`histogram bucket ${index}: le must be a latency ≥ 0 ms, and only the last bucket may be +Inf (got ${leMs})`);
    }
    const cumulative = toCount(bucket.cumulativeCount, index);
    const previous = buckets[index - 1];
    if (previous !== undefined) {
      if (!(leMs > previous.leMs)) {
        throw new RangeError(`histogram bucket ${index}: le must be greater than the previous bucket's (${previous.leMs} ms, got ${leMs} ms)`);
      }
      if (cumulative < toCount(previous.cumulativeCount, index - 1)) {
        throw new RangeError(`histogram bucket ${index}: cumulativeCount must not decrease (le ${leMs} ms)`);
      }
    }
    return { leMs, cumulative };
  });
}

/** One bucket's requests spread over its keys (see the file header). */
function bucketSketch({ lowerMs, upperMs, count }: { lowerMs: number; upperMs: number; count: bigint }): LatencySketch {
  if (upperMs === Infinity) return spreadOverKeys({ count, fromMs: lowerMs, toMs: lowerMs });
  if (lowerMs === 0) return spreadOverKeys({ count, fromMs: 0, toMs: upperMs, cdf: (ms) => ms / upperMs });
  const logWidth = Math.log(upperMs / lowerMs);
  return spreadOverKeys({ count, fromMs: lowerMs, toMs: upperMs, cdf: (ms) => Math.log(ms / lowerMs) / logWidth });
}

/** A latency sketch holding exactly the histogram's observations. */
export function sketchFromHistogram(buckets: readonly HistogramBucket[]): LatencySketch {
  const valid = validate(buckets);
  const lastFinite = valid.findLast((bucket) => bucket.leMs !== Infinity);
  const infBucket = valid.at(-1)!;
  if (lastFinite === undefined) {
    if (infBucket.cumulative === 0n) return EMPTY_SKETCH;
    throw new RangeError("histogram needs a finite bucket bound to place its observations");
  }
  const parts = valid.map((bucket, index) => {
    const previous = valid[index - 1];
    const count = bucket.cumulative - (previous?.cumulative ?? 0n);
    const lowerMs = previous?.leMs ?? 0;
    return bucket.leMs === Infinity
      ? bucketSketch({ lowerMs: lastFinite.leMs, upperMs: Infinity, count })
      : bucketSketch({ lowerMs, upperMs: bucket.leMs, count });
  });
  return mergeSketches(...parts);
}

export interface HistogramPercentileBounds {
  /** The percentile is known to be above this (0 in the first bucket). */
  lowerMs: number;
  /** …and at or below this (+Infinity in the +Inf bucket). */
  upperMs: number;
  /**
   * The most the estimate can be off, relative to the true percentile:
   * max over true values t in [lowerMs, upperMs] of |estimate − t| / t.
   * +Infinity when the bucket is open-ended (first bucket from 0, or +Inf).
   */
  relativeAccuracy: number;
}

/**
 * How exact a percentile read from histogram-built sketches is, given the
 * bucket bounds (leMs, ascending, as passed to sketchFromHistogram; all the
 * merged histograms must share them) and the value read. The sketch spreads a
 * bucket over the keys from its lower bound's to its upper bound's, so the
 * true percentile lies in a bucket whose keys include the estimate's key:
 * usually one bucket, two when the estimate's key straddles a bound, in which
 * case both are covered.
 */
export function histogramPercentileBounds({
  boundsMs,
  percentileMs,
}: {
  boundsMs: readonly number[];
  percentileMs: number;
}): HistogramPercentileBounds {
  const finite = boundsMs.filter((ms) => ms !== Infinity);
  if (finite.length === 0) throw new RangeError("histogram needs a finite bucket bound");
  // Buckets as the sketch saw them, the +Inf bucket always included (conservative:
  // only its count, not its bound, tells whether it was empty).
  const ranges = [...finite.map((upperMs, i) => ({ lowerMs: finite[i - 1] ?? 0, upperMs })), { lowerMs: finite.at(-1)!, upperMs: Infinity }];
  const key = sketchKey(percentileMs);
  const found = ranges.filter(
    (range) => sketchKey(range.lowerMs) <= key && key <= sketchKey(range.upperMs === Infinity ? range.lowerMs : range.upperMs),
  );
  // Beyond the last finite bound's key only the +Inf bucket can hold it.
  const holding = found.length > 0 ? found : ranges.slice(-1);
  const lowerMs = Math.min(...holding.map((range) => range.lowerMs));
  const upperMs = Math.max(...holding.map((range) => range.upperMs));
  const relativeAccuracy =
    lowerMs === 0 || upperMs === Infinity
      ? Infinity
      : Math.max(Math.abs(percentileMs - lowerMs) / lowerMs, Math.abs(upperMs - percentileMs) / upperMs);
  return { lowerMs, upperMs, relativeAccuracy };
}
