import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { histogramPercentileBounds, sketchFromHistogram, type HistogramBucket } from "./histogram-sketch";
import { sketchBucketValue, sketchCount, sketchKey, sketchQuantile } from "./latency-sketch";

const within1Percent = (actual: number | null, expected: number) => expect(Math.abs(actual! - expected) / expected).toBeLessThanOrEqual(0.01);

/** Requests the sketch holds at latencies in (lowerMs, upperMs], by bucket key. */
function countBetween(sketch: ReturnType<typeof sketchFromHistogram>, lowerMs: number, upperMs: number): number {
  return sketch.keys.reduce((sum, key, i) => (key > sketchKey(lowerMs) && key <= sketchKey(upperMs) ? sum + sketch.counts[i]! : sum), 0);
}

describe("sketchFromHistogram", () => {
  const buckets: HistogramBucket[] = [
    { leMs: 300, cumulativeCount: 10 },
    { leMs: 1000, cumulativeCount: 70 },
    { leMs: 5000, cumulativeCount: 95 },
    { leMs: Infinity, cumulativeCount: 100 },
  ];

  it("holds exactly the histogram's observations, each bucket's within its bounds", () => {
    const sketch = sketchFromHistogram(buckets);
    expect(sketchCount(sketch)).toBe(100);
    expect(sketch.counts.every((c) => Number.isInteger(c) && c > 0)).toBe(true);
    // Keys strictly inside a bucket hold only that bucket's requests.
    expect(countBetween(sketch, 300 * 1.03, 1000 / 1.03)).toBeLessThanOrEqual(60);
    expect(countBetween(sketch, 1000 * 1.03, 5000 / 1.03)).toBeLessThanOrEqual(25);
  });

  it("spreads a bucket log-uniformly: half its requests below the geometric middle", () => {
    const sketch = sketchFromHistogram([
      { leMs: 100, cumulativeCount: 0 },
      { leMs: 10_000, cumulativeCount: 1_000 },
    ]);
    within1Percent(sketchQuantile(sketch, 0.5), 1_000);
    within1Percent(sketchQuantile(sketch, 0.25), 316.2);
  });

  it("spreads the first bucket uniformly from 0, as histogram_quantile does", () => {
    const sketch = sketchFromHistogram([{ leMs: 1000, cumulativeCount: 1_001 }]);
    within1Percent(sketchQuantile(sketch, 0.5), 500);
    within1Percent(sketchQuantile(sketch, 0.1), 100);
  });

  it("puts the +Inf bucket at the last finite bound", () => {
    const sketch = sketchFromHistogram([
      { leMs: 500, cumulativeCount: 0 },
      { leMs: 2000, cumulativeCount: 50 },
      { leMs: Infinity, cumulativeCount: 100 },
    ]);
    within1Percent(sketchQuantile(sketch, 0.99), 2000);
    expect(sketch.counts.at(-1)).toBeGreaterThanOrEqual(50);
    expect(sketch.keys.at(-1)).toBe(sketchKey(2000));
  });

  it("takes bigint counts, and an empty histogram gives an empty sketch", () => {
    expect(sketchCount(sketchFromHistogram([{ leMs: 10, cumulativeCount: 3n }, { leMs: Infinity, cumulativeCount: 4n }]))).toBe(4);
    expect(sketchFromHistogram([{ leMs: Infinity, cumulativeCount: 0 }])).toEqual({ keys: [], counts: [] });
  });

  it.each([
    { label: "no buckets", buckets: [], message: /at least one bucket/ },
    { label: "bounds out of order", buckets: [{ leMs: 500, cumulativeCount: 1 }, { leMs: 300, cumulativeCount: 2 }], message: /bucket 1: le must be greater/ },
    { label: "repeated bound", buckets: [{ leMs: 500, cumulativeCount: 1 }, { leMs: 500, cumulativeCount: 2 }], message: /bucket 1: le must be greater/ },
    { label: "decreasing counts", buckets: [{ leMs: 300, cumulativeCount: 5 }, { leMs: 500, cumulativeCount: 4 }], message: /bucket 1: cumulativeCount must not decrease/ },
    { label: "fractional count", buckets: [{ leMs: 300, cumulativeCount: 1.5 }], message: /bucket 0: cumulativeCount must be a whole number/ },
    { label: "negative count", buckets: [{ leMs: 300, cumulativeCount: -1n }], message: /bucket 0: cumulativeCount must be non-negative/ },
    { label: "NaN bound", buckets: [{ leMs: Number.NaN, cumulativeCount: 1 }], message: /bucket 0: le must be a latency/ },
    { label: "negative bound", buckets: [{ leMs: -1, cumulativeCount: 1 }], message: /bucket 0: le must be a latency/ },
    { label: "+Inf before the end", buckets: [{ leMs: Infinity, cumulativeCount: 1 }, { leMs: Infinity, cumulativeCount: 1 }], message: /only the last bucket may be \+Inf/ },
    { label: "only +Inf, with observations", buckets: [{ leMs: Infinity, cumulativeCount: 3 }], message: /needs a finite bucket bound/ },
  ])("rejects $label with a clear message", ({ buckets: bad, message }) => {
    expect(() => sketchFromHistogram(bad)).toThrow(message);
  });

  const histogram = fc
    .tuple(
      fc.uniqueArray(fc.double({ min: 0.01, max: 5_000_000, noNaN: true }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(1_000), { minLength: 13, maxLength: 13 }),
      fc.boolean(),
    )
    .map(([bounds, increments, hasInf]) => {
      const les = [...bounds].sort((a, b) => a - b);
      if (hasInf) les.push(Infinity);
      let running = 0;
      return les.map((leMs, i) => ({ leMs, cumulativeCount: (running += increments[i]!) }));
    });

  it("keeps every bucket's count, for any histogram", () => {
    fc.assert(
      fc.property(histogram, (buckets) => {
        const sketch = sketchFromHistogram(buckets);
        expect(sketchCount(sketch)).toBe(buckets.at(-1)!.cumulativeCount);
        // Everything at or below a bound sits in keys up to that bound's key, and nothing of it above.
        for (const { leMs, cumulativeCount } of buckets.filter((b) => b.leMs !== Infinity)) {
          const atOrBelow = sketch.keys.reduce((sum, key, i) => (key <= sketchKey(leMs) ? sum + sketch.counts[i]! : sum), 0);
          expect(atOrBelow).toBeGreaterThanOrEqual(cumulativeCount);
          const below = sketch.keys.reduce((sum, key, i) => (key < sketchKey(leMs) ? sum + sketch.counts[i]! : sum), 0);
          expect(below).toBeLessThanOrEqual(cumulativeCount);
        }
      }),
    );
  });
});

describe("histogramPercentileBounds", () => {
  const boundsMs = [300, 500, 1000, 5000, Infinity];

  it("states the bucket and the worst relative error of a value inside it", () => {
    expect(histogramPercentileBounds({ boundsMs, percentileMs: 2000 })).toEqual({ lowerMs: 1000, upperMs: 5000, relativeAccuracy: 1 });
    const { relativeAccuracy } = histogramPercentileBounds({ boundsMs, percentileMs: 700 });
    expect(relativeAccuracy).toBeCloseTo(0.4, 10);
  });

  it("covers both buckets when the value's key straddles a bound", () => {
    const atBound = sketchBucketValue(sketchKey(500));
    expect(histogramPercentileBounds({ boundsMs, percentileMs: atBound })).toMatchObject({ lowerMs: 300, upperMs: 1000 });
  });

  it("is unbounded in the first bucket (from 0) and at the +Inf bucket", () => {
    expect(histogramPercentileBounds({ boundsMs, percentileMs: 100 })).toEqual({ lowerMs: 0, upperMs: 300, relativeAccuracy: Infinity });
    expect(histogramPercentileBounds({ boundsMs, percentileMs: 5000 })).toMatchObject({ lowerMs: 1000, upperMs: Infinity, relativeAccuracy: Infinity });
    expect(histogramPercentileBounds({ boundsMs, percentileMs: 9000 })).toMatchObject({ lowerMs: 5000, upperMs: Infinity });
  });

  it("holds for any histogram: the true percentile is in the stated range and within the stated accuracy", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.uniqueArray(fc.double({ min: 1, max: 50_000, noNaN: true }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99),
        (samples, bounds, q) => {
          const les = [...bounds].sort((a, b) => a - b).concat(Infinity);
          const sketch = sketchFromHistogram(les.map((leMs) => ({ leMs, cumulativeCount: samples.filter((s) => s <= leMs).length })));
          const sorted = [...samples].sort((a, b) => a - b);
          const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
          const estimate = sketchQuantile(sketch, q)!;
          const { lowerMs, upperMs, relativeAccuracy } = histogramPercentileBounds({ boundsMs: les, percentileMs: estimate });
          expect(exact).toBeGreaterThanOrEqual(lowerMs);
          expect(exact).toBeLessThanOrEqual(upperMs);
          expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(relativeAccuracy + 1e-12);
        },
      ),
    );
  });
});
