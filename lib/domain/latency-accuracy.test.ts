import { describe, expect, it } from "vitest";
import { histogramPercentileBounds, sketchFromHistogram, type HistogramBucket } from "./histogram-sketch";
import { apportion } from "./largest-remainder";
import { type LatencySketch, mergeSketches, sketchCount, sketchFromSamples, sketchKey, sketchQuantile } from "./latency-sketch";
import { type SummaryOnlyWindow } from "./percentiles";
import { interpolatedSummarySketch } from "./summary-sketch";

/**
 * How close merged percentiles come to the exact ones for each way latency
 * can arrive (samples, Prometheus histogram, p50/p95/p99 summary), on the
 * issue's set-up: 200,000 heavy-tailed samples over 500 windows, each window
 * reduced to what that input path would carry, then merged.
 */

/** mulberry32: a small seeded PRNG, so the harness is reproducible. */
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

/**
 * The fold summary-only windows had before interpolation, kept here as the
 * baseline it is measured against: 51% of a window's requests at its p50,
 * 45% at its p95, 4% at its p99 (largest remainder).
 */
function pointMassSketch({ requests, p50Ms, p95Ms, p99Ms }: SummaryOnlyWindow): LatencySketch {
  const counts = apportion({ total: BigInt(requests), weights: [51n, 45n, 4n] });
  return mergeSketches(...[p50Ms, p95Ms, p99Ms].map((ms, i) => ({ keys: [sketchKey(ms)], counts: [Number(counts[i])] })));
}

/** vLLM's `vllm:e2e_request_latency_seconds` bucket bounds (vllm/v1/metrics/loggers.py), in ms. */
const VLLM_E2E_BOUNDS_MS = [
  0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680, Infinity,
].map((seconds) => seconds * 1000);

const SAMPLES = 200_000;
const WINDOWS = 500;
const QUANTILES = [0.5, 0.95, 0.99] as const;

const distributions = [
  {
    name: "log-normal (median 2 s, σ 1)",
    sample: (random: () => number) => 2000 * Math.exp(standardNormal(random)),
  },
  { name: "Pareto (0.5 s, α 1.5)", sample: (random: () => number) => 500 / Math.pow(1 - random(), 1 / 1.5) },
];

/** The sample at the rank the sketch reads: floor(q × (n − 1)) of the sorted values. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function histogram(sorted: readonly number[]): HistogramBucket[] {
  let below = 0;
  return VLLM_E2E_BOUNDS_MS.map((leMs) => {
    while (below < sorted.length && sorted[below]! <= leMs) below++;
    return { leMs, cumulativeCount: below };
  });
}

function standardNormal(random: () => number): number {
  // Box–Muller; 1 - random() keeps the logarithm's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Every window reduced per input path, merged; percentiles against the exact
 * ones over all samples. With `windowSpread` > 0 the windows run at different
 * speeds: each window's latencies are scaled by e^(windowSpread × N(0, 1)).
 */
function measure(sample: (random: () => number) => number, windowSpread = 0) {
  const random = seededRandom(20_261_201);
  const speeds = Array.from({ length: WINDOWS }, () => (windowSpread > 0 ? Math.exp(windowSpread * standardNormal(random)) : 1));
  const windows: number[][] = Array.from({ length: WINDOWS }, () => []);
  for (let i = 0; i < SAMPLES; i++) {
    const window = Math.floor(random() * WINDOWS);
    windows[window]!.push(speeds[window]! * sample(random));
  }
  const sortedWindows = windows.map((w) => w.sort((a, b) => a - b));
  const summaries = sortedWindows.map((w) => {
    const [p50Ms, p95Ms, p99Ms] = QUANTILES.map((q) => exactQuantile(w, q)) as [number, number, number];
    return { requests: w.length, p50Ms, p95Ms, p99Ms };
  });
  const merged: Record<string, LatencySketch> = {
    samples: mergeSketches(...sortedWindows.map(sketchFromSamples)),
    histogram: mergeSketches(...sortedWindows.map((w) => sketchFromHistogram(histogram(w)))),
    interpolated: mergeSketches(...summaries.map(interpolatedSummarySketch)),
    pointMasses: mergeSketches(...summaries.map(pointMassSketch)),
  };
  const all = sortedWindows.flat().sort((a, b) => a - b);
  return Object.fromEntries(
    Object.entries(merged).map(([method, sketch]) => [
      method,
      QUANTILES.map((q) => {
        const exactMs = exactQuantile(all, q);
        const estimateMs = sketchQuantile(sketch, q)!;
        return { q, exactMs, estimateMs, error: (estimateMs - exactMs) / exactMs, count: sketchCount(sketch) };
      }),
    ]),
  );
}

describe.each(distributions)("merged percentiles, $name, 200,000 samples over 500 windows", ({ sample }) => {
  const results = measure(sample);

  it("every input path keeps every request", () => {
    for (const rows of Object.values(results)) for (const row of rows) expect(row.count).toBe(SAMPLES);
  });

  it("samples: within the sketch's 1%", () => {
    for (const { error } of results.samples!) expect(Math.abs(error)).toBeLessThanOrEqual(0.01);
  });

  it("histogram: within the bucket bound stated for the value read", () => {
    for (const { estimateMs, error } of results.histogram!) {
      const { relativeAccuracy } = histogramPercentileBounds({ boundsMs: VLLM_E2E_BOUNDS_MS, percentileMs: estimateMs });
      expect(relativeAccuracy).toBeLessThan(1);
      expect(Math.abs(error)).toBeLessThanOrEqual(relativeAccuracy);
    }
  });

  it("interpolated summaries: within 5%", () => {
    for (const { error } of results.interpolated!) expect(Math.abs(error)).toBeLessThanOrEqual(0.05);
  });

  it("point masses (the old fold): biased upward, which is why it is replaced", () => {
    const errors = results.pointMasses!.map((row) => row.error);
    expect(Math.max(...errors)).toBeGreaterThan(0.05);
    for (const error of errors) expect(error).toBeGreaterThan(0);
  });
});

describe.each(distributions)("merged percentiles, $name, windows at different speeds (spread e^(0.5 N))", ({ sample }) => {
  const results = measure(sample, 0.5);

  it("samples and histograms keep their accuracy", () => {
    for (const { error } of results.samples!) expect(Math.abs(error)).toBeLessThanOrEqual(0.01);
    for (const { estimateMs, error } of results.histogram!) {
      expect(Math.abs(error)).toBeLessThanOrEqual(histogramPercentileBounds({ boundsMs: VLLM_E2E_BOUNDS_MS, percentileMs: estimateMs }).relativeAccuracy);
    }
  });

  it("interpolated summaries: within 15% and closer than point masses", () => {
    // Here the merged percentiles depend on each window's tail below p50, which
    // three percentiles do not pin down (see summary-sketch.ts): seen −9.8% at
    // the Pareto p50, where point masses are off by 12% to 128%.
    results.interpolated!.forEach(({ error }, i) => {
      expect(Math.abs(error)).toBeLessThanOrEqual(0.15);
      expect(Math.abs(error)).toBeLessThan(Math.abs(results.pointMasses![i]!.error));
    });
  });
});
