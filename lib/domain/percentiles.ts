/**
 * Latency percentiles over any set of usage windows. Percentiles are never
 * averaged across windows: windows' sketches are merged (counts added per
 * bucket key) and the percentile is read from the merged distribution, which
 * keeps DDSketch's 1% relative-accuracy guarantee.
 *
 * Windows entered by hand carry only p50/p95/p99. Each is folded into the
 * merged distribution as point masses at those values:
 *   51% of its requests at its p50, 45% at its p95, 4% at its p99
 * (counts split by largest remainder). That is the window's step quantile
 * function through its known points, with each step moved one percentage
 * point past the percentile it stands for: exactly 50% at p50 would put the
 * median on a knife edge, where the rounding of a window prorated into part
 * of a day (a long hand-entered period seen by local day) tips the median to
 * p95. With the margin, the window's own p50/p95/p99 read back (to the
 * sketch's 1%) from any share of it; the price is that the requests ranked
 * 50–51% and 95–96% are placed at the lower percentile. Nothing is known
 * beyond p99, so the window's slowest 4% sit at its p99.
 * The result is then flagged approximate and says how much traffic that was.
 */
import { apportion } from "./largest-remainder";
import { type LatencySketch, mergeSketches, sketchCount, sketchKey, sketchQuantile } from "./latency-sketch";

/** A usage window with summary percentiles only (manual entry). */
export interface SummaryOnlyWindow {
  /** The requests the percentiles describe (the rollups use requests − errors). */
  requests: bigint | number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface LatencySummary {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  requestCount: number;
  isApproximate: boolean;
  approximationNote: string | null;
}

/** Shares of a summary-only window's requests placed at its p50, p95, p99, in percent. */
const POINT_MASS_PERCENT = [51n, 45n, 4n] as const;

/**
 * A summary-only window as a sketch of point masses (see the file header), so
 * it merges with real sketches here and in the rollups alike.
 */
export function summaryWindowSketch(window: SummaryOnlyWindow): LatencySketch {
  const { p50Ms, p95Ms, p99Ms } = window;
  if (!(Number.isFinite(p99Ms) && 0 <= p50Ms && p50Ms <= p95Ms && p95Ms <= p99Ms)) {
    throw new RangeError("summary percentiles must be finite, non-negative and ordered p50 ≤ p95 ≤ p99");
  }
  const counts = apportion({ total: BigInt(window.requests), weights: POINT_MASS_PERCENT });
  // mergeSketches adds counts that land on the same key and drops zeros.
  return mergeSketches(...[p50Ms, p95Ms, p99Ms].map((ms, i) => ({ keys: [sketchKey(ms)], counts: [Number(counts[i])] })));
}

/**
 * What to tell a reader when some requests came from summary-only windows;
 * null when none did. Takes plain counts so rollup-based queries can use it.
 */
export function approximationNote({
  approximateRequests,
  requestCount,
}: {
  approximateRequests: number | bigint;
  requestCount: number | bigint;
}): string | null {
  const approximate = Number(approximateRequests);
  const total = Number(requestCount);
  if (!(approximate > 0 && total > 0)) return null;
  const share = ((100 * approximate) / total).toFixed(1);
  return (
    `${approximate.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} requests (${share}%) came from windows ` +
    "with only summary percentiles, folded in as point masses: 51% of each window's requests at its p50, 45% at its " +
    "p95 and 4% at its p99."
  );
}

export function latencySummary({
  sketches,
  manualWindows,
}: {
  sketches: readonly LatencySketch[];
  manualWindows: readonly SummaryOnlyWindow[];
}): LatencySummary {
  const folded = manualWindows.map(summaryWindowSketch);
  const merged = mergeSketches(...sketches, ...folded);
  const requestCount = sketchCount(merged);
  const note = approximationNote({ approximateRequests: folded.reduce((sum, s) => sum + sketchCount(s), 0), requestCount });
  return {
    p50Ms: sketchQuantile(merged, 0.5),
    p95Ms: sketchQuantile(merged, 0.95),
    p99Ms: sketchQuantile(merged, 0.99),
    requestCount,
    isApproximate: note !== null,
    approximationNote: note,
  };
}
