/**
 * The deployment page's usage table, the pure parts: how exact each row's
 * percentiles are, and where the range has no usage records ("no data").
 *
 * Percentiles come from sketches: a record's own sketch, or a rolled-up
 * bucket's merged sketch (usage-ledger.ts) — never an average of rows'
 * percentiles. A record entered with summary percentiles only shows them as
 * entered; a bucket that folds such records in (interpolated through their
 * p50/p95/p99, summary-sketch.ts) is approximate by the share of its requests
 * they hold.
 */
import { sketchBucketValue, sketchQuantile, type LatencySketch } from "./latency-sketch";
import type { TimeRange } from "./time-range";

export interface UsageLatency {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /**
   * sketch: from DDSketch histograms (1% relative accuracy); summary: from
   * summary percentiles only; mixed: a merge of both; null: no latency.
   */
  source: "sketch" | "summary" | "mixed" | null;
  /** 0..1 of the requests described that came from summary-only records; null when none did. */
  summaryShare: number | null;
}

export const NO_LATENCY: UsageLatency = { p50Ms: null, p95Ms: null, p99Ms: null, source: null, summaryShare: null };

/** One record's percentiles: from its sketch when it has one, else its summary percentiles as entered. */
export function recordLatency({ sketch, summaryMs }: { sketch: LatencySketch; summaryMs: { p50: number; p95: number; p99: number } | null }): UsageLatency {
  if (sketch.keys.length > 0) {
    return { p50Ms: sketchQuantile(sketch, 0.5), p95Ms: sketchQuantile(sketch, 0.95), p99Ms: sketchQuantile(sketch, 0.99), source: "sketch", summaryShare: null };
  }
  if (summaryMs !== null) return { p50Ms: summaryMs.p50, p95Ms: summaryMs.p95, p99Ms: summaryMs.p99, source: "summary", summaryShare: 1 };
  return NO_LATENCY;
}

/** A rolled-up row's percentiles from its merged sketch's keys, flagged by the requests summary-only records contributed. */
export function rolledUpLatency({
  p50Key,
  p95Key,
  p99Key,
  approxRequests,
  servedRequests,
}: {
  p50Key: number | null;
  p95Key: number | null;
  p99Key: number | null;
  approxRequests: bigint;
  /** The requests the sketch describes (requests − errors). */
  servedRequests: bigint;
}): UsageLatency {
  if (p50Key === null || p95Key === null || p99Key === null) return NO_LATENCY;
  const share = servedRequests > 0n && approxRequests > 0n ? Math.min(1, Number(approxRequests) / Number(servedRequests)) : null;
  return {
    p50Ms: sketchBucketValue(p50Key),
    p95Ms: sketchBucketValue(p95Key),
    p99Ms: sketchBucketValue(p99Key),
    source: share === null ? "sketch" : share >= 1 ? "summary" : "mixed",
    summaryShare: share,
  };
}

export type WithNoData<Row> = { kind: "data"; row: Row } | { kind: "noData"; start: Date; end: Date };

/**
 * Rows with records (sorted by start, not overlapping) with the stretches of
 * `span` between them that no row covers marked "no data". `span` is the time
 * records could cover: the range ∩ the deployment's active period, up to now;
 * null when there is none. No rows at all give no rows: the whole range is
 * without records, and the caller says so once.
 */
export function withNoDataGaps<Row extends TimeRange>({ rows, span }: { rows: readonly Row[]; span: TimeRange | null }): WithNoData<Row>[] {
  if (rows.length === 0) return [];
  const out: WithNoData<Row>[] = [];
  let cursor = span?.start.getTime() ?? Number.POSITIVE_INFINITY;
  const end = span?.end.getTime() ?? Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const gapEnd = Math.min(row.start.getTime(), end);
    if (gapEnd > cursor) out.push({ kind: "noData", start: new Date(cursor), end: new Date(gapEnd) });
    out.push({ kind: "data", row });
    cursor = Math.max(cursor, row.end.getTime());
  }
  if (end > cursor) out.push({ kind: "noData", start: new Date(cursor), end: new Date(end) });
  return out;
}
