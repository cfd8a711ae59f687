import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sketchCount, sketchKey, sketchQuantile, SKETCH_MIN_MS } from "./latency-sketch";
import { interpolatedSummarySketch } from "./summary-sketch";

const within1Percent = (actual: number | null, expected: number) => expect(Math.abs(actual! - expected) / expected).toBeLessThanOrEqual(0.01);

/** Whether the ranks the sketch reads for p50, p95 and p99 are three different requests. */
function hasDistinctRanks(requests: number): boolean {
  const ranks = [0.5, 0.95, 0.99].map((q) => Math.floor(q * (requests - 1)));
  return new Set(ranks).size === 3;
}

describe("interpolatedSummarySketch", () => {
  it("reads back its own p50, p95 and p99 and keeps every request", () => {
    for (const requests of [30, 101, 400, 1_000, 123_457, 10_000_000]) {
      const sketch = interpolatedSummarySketch({ requests, p50Ms: 100, p95Ms: 300, p99Ms: 900 });
      expect(sketchCount(sketch)).toBe(requests);
      within1Percent(sketchQuantile(sketch, 0.5), 100);
      within1Percent(sketchQuantile(sketch, 0.95), 300);
      within1Percent(sketchQuantile(sketch, 0.99), 900);
    }
  });

  it("spreads requests along the quantile function instead of piling them on three values", () => {
    const sketch = interpolatedSummarySketch({ requests: 10_000, p50Ms: 100, p95Ms: 300, p99Ms: 900 });
    expect(sketch.keys.length).toBeGreaterThan(100);
    expect(Math.max(...sketch.counts)).toBeLessThan(500);
    // Between the known points the quantile function is smooth: p75 between p50 and p95.
    const p75 = sketchQuantile(sketch, 0.75)!;
    expect(p75).toBeGreaterThan(110);
    expect(p75).toBeLessThan(280);
  });

  it("bounds the tails: the fastest and slowest requests stay within the extrapolated ends", () => {
    const sketch = interpolatedSummarySketch({ requests: 1_000_000, p50Ms: 100, p95Ms: 300, p99Ms: 900 });
    // p50 × (p50/p95)^2.35 ≈ 7.6 ms and p99 × (p99/p95)^1.40 ≈ 4,190 ms.
    within1Percent(sketchQuantile(sketch, 0), 100 * (100 / 300) ** ((Math.log(999) - 0) / Math.log(19)));
    within1Percent(sketchQuantile(sketch, 1), 900 * 3 ** ((Math.log(999) - Math.log(99)) / (Math.log(99) - Math.log(19))));
  });

  it("a window of one request is one request at its p50; tiny windows read back what their ranks allow", () => {
    expect(interpolatedSummarySketch({ requests: 1, p50Ms: 100, p95Ms: 300, p99Ms: 900 })).toEqual({ keys: [sketchKey(100)], counts: [1] });
    const five = interpolatedSummarySketch({ requests: 5n, p50Ms: 100, p95Ms: 300, p99Ms: 900 });
    expect(sketchCount(five)).toBe(5);
    within1Percent(sketchQuantile(five, 0.5), 100);
    // p95 and p99 are the same request of five: it takes the lower, p95.
    within1Percent(sketchQuantile(five, 0.99), 300);
  });

  it("handles flat and zero percentiles", () => {
    const flat = interpolatedSummarySketch({ requests: 1_000, p50Ms: 50, p95Ms: 50, p99Ms: 50 });
    expect(flat).toEqual({ keys: [sketchKey(50)], counts: [1_000] });
    const zero = interpolatedSummarySketch({ requests: 1_000, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
    expect(zero).toEqual({ keys: [sketchKey(SKETCH_MIN_MS)], counts: [1_000] });
    const fastMedian = interpolatedSummarySketch({ requests: 1_000, p50Ms: 0, p95Ms: 10, p99Ms: 10 });
    expect(sketchCount(fastMedian)).toBe(1_000);
    within1Percent(sketchQuantile(fastMedian, 0.5), SKETCH_MIN_MS);
    within1Percent(sketchQuantile(fastMedian, 0.95), 10);
    within1Percent(sketchQuantile(fastMedian, 0.99), 10);
  });

  it("an empty window is an empty sketch", () => {
    expect(interpolatedSummarySketch({ requests: 0n, p50Ms: 1, p95Ms: 2, p99Ms: 3 })).toEqual({ keys: [], counts: [] });
  });

  it.each([
    { label: "out of order", window: { requests: 5, p50Ms: 100, p95Ms: 90, p99Ms: 200 } },
    { label: "negative", window: { requests: 5, p50Ms: -1, p95Ms: 90, p99Ms: 200 } },
    { label: "infinite", window: { requests: 5, p50Ms: 1, p95Ms: 90, p99Ms: Infinity } },
    { label: "negative requests", window: { requests: -5, p50Ms: 1, p95Ms: 2, p99Ms: 3 } },
  ])("rejects percentiles $label", ({ window }) => {
    expect(() => interpolatedSummarySketch(window)).toThrow(RangeError);
  });

  it("for any window: whole counts summing to its requests, and its percentiles read back where their ranks differ", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.tuple(fc.double({ min: 0, max: 600_000, noNaN: true }), fc.double({ min: 0, max: 600_000, noNaN: true }), fc.double({ min: 0, max: 600_000, noNaN: true })),
        (requests, latencies) => {
          const [p50Ms, p95Ms, p99Ms] = [...latencies].sort((a, b) => a - b) as [number, number, number];
          const sketch = interpolatedSummarySketch({ requests, p50Ms, p95Ms, p99Ms });
          expect(sketchCount(sketch)).toBe(requests);
          expect(sketch.counts.every((c) => Number.isInteger(c) && c > 0)).toBe(true);
          expect(sketch.keys).toEqual([...sketch.keys].sort((a, b) => a - b));
          within1Percent(sketchQuantile(sketch, 0.5), Math.max(p50Ms, SKETCH_MIN_MS));
          if (hasDistinctRanks(requests)) {
            within1Percent(sketchQuantile(sketch, 0.95), Math.max(p95Ms, SKETCH_MIN_MS));
            within1Percent(sketchQuantile(sketch, 0.99), Math.max(p99Ms, SKETCH_MIN_MS));
          }
        },
      ),
    );
  });
});
