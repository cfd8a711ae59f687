import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LatencySketch, mergeSketches, sketchFromSamples } from "./latency-sketch";
import { approximationNote, latencySummary } from "./percentiles";

/** mulberry32: a small seeded PRNG, so the accuracy test is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function logNormalSamples(random: () => number, count: number, medianMs: number, sigma: number): number[] {
  return Array.from({ length: count }, () => {
    // Box–Muller; 1 - random() keeps the logarithm's argument in (0, 1].
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(sigma * normal);
  });
}

function paretoSamples(random: () => number, count: number, minMs: number, alpha: number): number[] {
  return Array.from({ length: count }, () => minMs / Math.pow(1 - random(), 1 / alpha));
}

/** The sample at the rank the sketch reads: floor(q × (n − 1)) of the sorted values. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe("latencySummary accuracy on heavy-tailed latencies", () => {
  it.each([
    { distribution: "log-normal (median 200 ms, σ 1)", sample: (r: () => number) => logNormalSamples(r, 100_000, 200, 1) },
    { distribution: "Pareto (20 ms, α 1.5)", sample: (r: () => number) => paretoSamples(r, 100_000, 20, 1.5) },
  ])("$distribution over 500 windows: p50/p95/p99 within 1% of exact", ({ sample }) => {
    const random = seededRandom(20_261_121);
    const samples = sample(random);
    const windows: number[][] = Array.from({ length: 500 }, () => []);
    for (const ms of samples) windows[Math.floor(random() * windows.length)]!.push(ms);

    const summary = latencySummary({ sketches: windows.map(sketchFromSamples), manualWindows: [] });
    const sorted = [...samples].sort((a, b) => a - b);
    expect(summary.requestCount).toBe(100_000);
    expect(summary.isApproximate).toBe(false);
    for (const [q, estimate] of [
      [0.5, summary.p50Ms],
      [0.95, summary.p95Ms],
      [0.99, summary.p99Ms],
    ] as const) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(estimate! - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });
});

describe("latencySummary", () => {
  const within1Percent = (actual: number | null, expected: number) => expect(Math.abs(actual! - expected) / expected).toBeLessThanOrEqual(0.01);

  it("no windows: no value", () => {
    expect(latencySummary({ sketches: [], manualWindows: [] })).toEqual({
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
      requestCount: 0,
      isApproximate: false,
      approximationNote: null,
    });
  });

  it("percentiles are never averaged across windows", () => {
    // Medians 10 ms and 1,000 ms: the average (505 ms) is no request's latency.
    const fast = sketchFromSamples(Array.from({ length: 100 }, () => 10));
    const slow = sketchFromSamples(Array.from({ length: 100 }, () => 1_000));
    within1Percent(latencySummary({ sketches: [fast, slow], manualWindows: [] }).p50Ms, 10);
  });

  it("a summary-only window reads back its own percentiles and is flagged approximate", () => {
    const summary = latencySummary({ sketches: [], manualWindows: [{ requests: 1_000n, p50Ms: 100, p95Ms: 300, p99Ms: 900 }] });
    within1Percent(summary.p50Ms, 100);
    within1Percent(summary.p95Ms, 300);
    within1Percent(summary.p99Ms, 900);
    expect(summary.isApproximate).toBe(true);
  });

  it("explains how much traffic was approximated", () => {
    const sketch = sketchFromSamples(Array.from({ length: 99_000 }, (_, i) => 50 + (i % 100)));
    const summary = latencySummary({ sketches: [sketch], manualWindows: [{ requests: 1_000, p50Ms: 80, p95Ms: 140, p99Ms: 200 }] });
    expect(summary.requestCount).toBe(100_000);
    expect(summary.approximationNote).toBe(
      "1,000 of 100,000 requests (1.0%) came from windows with only summary percentiles, estimated: interpolated through " +
        "each window's p50/p95/p99 in log space (within 5% of exact on log-normal and Pareto test data). The other " +
        "requests' latencies are within 1% of exact (DDSketch relative accuracy), or to the bucket bounds for windows sent as histograms.",
    );
  });

  it("the note works from rollup counts alone", () => {
    expect(approximationNote({ approximateRequests: 0n, requestCount: 10n })).toBeNull();
    expect(approximationNote({ approximateRequests: 3n, requestCount: 0n })).toBeNull();
    expect(approximationNote({ approximateRequests: 25n, requestCount: 1_000n })).toMatch(/^25 of 1,000 requests \(2\.5%\)/);
    // All of it estimated: nothing said about other requests.
    expect(approximationNote({ approximateRequests: 40n, requestCount: 40n })).toMatch(/^40 of 40 requests \(100\.0%\).*test data\)\.$/);
  });

  it("a summary-only window without requests changes nothing", () => {
    const sketch = sketchFromSamples([10, 20, 30]);
    const summary = latencySummary({ sketches: [sketch], manualWindows: [{ requests: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 }] });
    expect(summary.isApproximate).toBe(false);
    expect(summary.requestCount).toBe(3);
  });

  it("rejects summary percentiles out of order", () => {
    expect(() => latencySummary({ sketches: [], manualWindows: [{ requests: 5, p50Ms: 100, p95Ms: 90, p99Ms: 200 }] })).toThrow(RangeError);
  });
});

describe("merging sketches", () => {
  const sketch = fc
    .array(fc.double({ min: 0.01, max: 60_000, noNaN: true }), { maxLength: 60 })
    .map((samples): LatencySketch => sketchFromSamples(samples));

  it("is commutative and associative, so any grouping of windows gives the same percentiles", () => {
    fc.assert(
      fc.property(sketch, sketch, sketch, (a, b, c) => {
        expect(mergeSketches(a, b)).toEqual(mergeSketches(b, a));
        expect(mergeSketches(mergeSketches(a, b), c)).toEqual(mergeSketches(a, mergeSketches(b, c)));
        expect(latencySummary({ sketches: [a, b, c], manualWindows: [] })).toEqual(
          latencySummary({ sketches: [mergeSketches(c, a), b], manualWindows: [] }),
        );
      }),
    );
  });
});
