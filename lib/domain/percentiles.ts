/**
 * Latency percentiles over any set of usage windows. Percentiles are never
 * averaged across windows: windows' sketches are merged (counts added per
 * bucket key) and the percentile is read from the merged distribution, which
 * keeps DDSketch's 1% relative-accuracy guarantee.
 *
 * Windows entered with only p50/p95/p99 (usage form, CSV import, the API's
 * `latency: {kind: "summary"}`) are folded into the merged distribution by
 * `interpolatedSummarySketch` (summary-sketch.ts): a smooth quantile function
 * through the window's three percentiles in log space, its requests spread
 * along it. On log-normal and Pareto test data merged percentiles come out
 * within 5% of exact (latency-accuracy.test.ts); the point masses used before
 * (51% at p50, 45% at p95, 4% at p99) were biased upward by up to 128%.
 * The result is then flagged approximate and says how much traffic that was.
 */
import { type LatencySketch, mergeSketches, sketchCount, sketchQuantile } from "./latency-sketch";
import { interpolatedSummarySketch } from "./summary-sketch";

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

/** How summary-only windows are estimated and how close that comes, as shown with every such figure. */
export const SUMMARY_ESTIMATE_NOTE =
  "interpolated through each window's p50/p95/p99 in log space (within 5% of exact on log-normal and Pareto test data)";

/**
 * The accuracy of percentiles read from recorded sketches, as shown with
 * figures. A window sent as a histogram (API, Prometheus) is stored as a
 * sketch spread within its buckets, exact only to its bucket bounds
 * (histogram-sketch.ts); the rollups cannot tell those requests apart.
 */
export const SKETCH_ACCURACY_NOTE =
  "within 1% of exact (DDSketch relative accuracy), or to the bucket bounds for windows sent as histograms";

/** Which accuracy applies to latency percentiles, for captions where they are shown. */
export const PERCENTILE_ACCURACY_NOTE =
  `Latency percentiles come from merged latency sketches: ${SKETCH_ACCURACY_NOTE}. ` +
  `Windows with only summary percentiles are ${SUMMARY_ESTIMATE_NOTE}; figures that include them are marked ≈.`;

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
    `with only summary percentiles, estimated: ${SUMMARY_ESTIMATE_NOTE}.` +
    (approximate < total ? ` The other requests' latencies are ${SKETCH_ACCURACY_NOTE}.` : "")
  );
}

export function latencySummary({
  sketches,
  manualWindows,
}: {
  sketches: readonly LatencySketch[];
  manualWindows: readonly SummaryOnlyWindow[];
}): LatencySummary {
  const folded = manualWindows.map(interpolatedSummarySketch);
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
