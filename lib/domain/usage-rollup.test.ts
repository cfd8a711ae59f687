import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeSketches, sketchCount, sketchKey, sketchQuantileKey } from "./latency-sketch";
import { addMeasures, EMPTY_MEASURES, normalizeSketch, prorateWindow, rollupQuarters, sumMeasures, windowLatency, type UsageWindowInput } from "./usage-rollup";

const base: UsageWindowInput = {
  windowStart: new Date("2026-03-01T10:00:00Z"),
  windowSeconds: 300,
  requests: 100n,
  errors: 2n,
  inputTokens: 50_000n,
  cachedInputTokens: 10_000n,
  outputTokens: 20_000n,
  latency: { keys: [sketchKey(100), sketchKey(200)], counts: [90, 8] },
  summaryMs: null,
  avgGpuUtilizationCentiPct: 6_550,
};

describe("prorateWindow", () => {
  it("keeps a window inside one quarter whole", () => {
    const parts = prorateWindow(base);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.bucketStart.toISOString()).toBe("2026-03-01T10:00:00.000Z");
    expect(parts[0]!.measures).toMatchObject({ windowMs: 300_000n, requests: 100n, utilCentiPctMs: 6_550n * 300_000n });
  });

  it("splits a window across a quarter boundary by time: 10:10–10:20 is 5 min + 5 min", () => {
    const parts = prorateWindow({ ...base, windowStart: new Date("2026-03-01T10:10:00Z"), windowSeconds: 600, requests: 101n });
    expect(parts.map((p) => p.measures.windowMs)).toEqual([300_000n, 300_000n]);
    // 101 requests over two equal halves: 51 + 50, the earlier part first on the tie.
    expect(parts.map((p) => p.measures.requests)).toEqual([51n, 50n]);
    expect(parts.map((p) => p.measures.windowCount)).toEqual([1, 0]);
  });

  it("prorates a month-crossing window: 23:50–00:20 UTC on Jan 31 → Feb 1", () => {
    const parts = prorateWindow({ ...base, windowStart: new Date("2026-01-31T23:50:00Z"), windowSeconds: 1800, requests: 3n, errors: 0n });
    expect(parts.map((p) => p.bucketStart.toISOString())).toEqual(["2026-01-31T23:45:00.000Z", "2026-02-01T00:00:00.000Z", "2026-02-01T00:15:00.000Z"]);
    expect(parts.map((p) => p.measures.windowMs)).toEqual([600_000n, 900_000n, 300_000n]);
    expect(parts.map((p) => p.measures.requests)).toEqual([1n, 2n, 0n]);
  });

  it("marks windows without requests as idle time", () => {
    const [part] = prorateWindow({ ...base, requests: 0n, errors: 0n, latency: null });
    expect(part!.measures.idleMs).toBe(300_000n);
  });

  it("spreads summary percentiles along a curve through them (not point masses) and counts them as approximate", () => {
    const summaryOnly = { ...base, latency: null, summaryMs: { p50: 100, p95: 300, p99: 900 }, requests: 1_000n, errors: 10n };
    const { sketch, isApproximate } = windowLatency(summaryOnly);
    expect(isApproximate).toBe(true);
    expect(sketchCount(sketch)).toBe(990);
    // The window's own percentiles read back, at the ranks the sketch reads.
    expect([0.5, 0.95, 0.99].map((q) => sketchQuantileKey(sketch, q))).toEqual([sketchKey(100), sketchKey(300), sketchKey(900)]);
    // Spread between the curve's ends (summary-sketch.ts): p50 × (p50/p95)^2.35 and p99 × (p99/p95)^1.40.
    expect(sketch.keys.length).toBeGreaterThan(100);
    expect(sketch.keys[0]).toBe(sketchKey(100 * (100 / 300) ** 2.35));
    expect(sketch.keys.at(-1)).toBe(sketchKey(900 * (900 / 300) ** 1.4));
    expect(prorateWindow(summaryOnly)[0]!.measures.approxRequests).toBe(990n);
  });

  it("reads a day-long summary window's percentiles back from any run of its quarters (a local day covering part of it)", () => {
    // Regression: split key by key, every thin key's remainder went to the first quarters, skewing them to the tail.
    const day = { ...base, windowSeconds: 86_400, latency: null, summaryMs: { p50: 150, p95: 400, p99: 900 }, requests: 100_000n, errors: 50n };
    const quarters = prorateWindow(day).map((q) => q.measures.latency);
    for (const [from, to] of [[0, 32], [32, 96], [0, 1], [95, 96], [10, 11], [40, 41], [0, 96]] as const) {
      const merged = mergeSketches(...quarters.slice(from, to));
      const requests = sketchCount(merged);
      expect(sketchQuantileKey(merged, 0.5), `p50 of quarters ${from}-${to}`).toBe(sketchKey(150));
      expect(sketchQuantileKey(merged, 0.95), `p95 of quarters ${from}-${to}`).toBe(sketchKey(400));
      // p99 rests on the slowest 1%: ten requests of a single quarter, so within a few keys (2% each) there.
      const p99Keys = requests > 10_000 ? 1 : 4;
      expect(Math.abs(sketchQuantileKey(merged, 0.99)! - sketchKey(900)), `p99 of quarters ${from}-${to}`).toBeLessThanOrEqual(p99Keys);
    }
    // Every quarter holds its time share of the served requests, to one request per quarter.
    for (const quarter of quarters) expect(Math.abs(sketchCount(quarter) - 99_950 / 96)).toBeLessThanOrEqual(1);
  });

  it("splits a many-key sketch evenly: every quarter's running count stays within one request of its share", () => {
    const keys = Array.from({ length: 300 }, (_, i) => 200 + i);
    const counts = keys.map((_, i) => 1 + (i % 7));
    const total = counts.reduce((a, b) => a + b, 0);
    const window = { ...base, windowStart: new Date("2026-03-01T10:05:00Z"), windowSeconds: 7 * 3600, latency: { keys, counts }, requests: BigInt(total), errors: 0n };
    const parts = prorateWindow(window);
    const windowMs = 7 * 3600 * 1000;
    let running = 0;
    for (const [k, key] of keys.entries()) {
      running += counts[k]!;
      for (const part of parts) {
        const placed = part.measures.latency.keys.reduce((sum, pk, j) => (pk <= key ? sum + part.measures.latency.counts[j]! : sum), 0);
        expect(Math.abs(placed - (running * Number(part.measures.windowMs)) / windowMs)).toBeLessThan(1 + 1e-9);
      }
    }
  });
});

const windowArb = fc.record({
  startMinute: fc.integer({ min: 0, max: 60 * 24 * 3 }),
  seconds: fc.integer({ min: 1, max: 60 * 60 * 30 }),
  requests: fc.bigInt({ min: 0n, max: 10_000_000n }),
  tokens: fc.bigInt({ min: 0n, max: 10_000_000_000n }),
  counts: fc.array(fc.integer({ min: 1, max: 5_000 }), { maxLength: 6 }),
});

describe("proration properties", () => {
  it("a window's parts sum exactly to the window, however it is cut", () => {
    fc.assert(
      fc.property(windowArb, ({ startMinute, seconds, requests, tokens, counts }) => {
        const window: UsageWindowInput = {
          ...base,
          windowStart: new Date(Date.UTC(2026, 0, 1) + startMinute * 60_000 + 7_000),
          windowSeconds: seconds,
          requests,
          errors: requests / 3n,
          inputTokens: tokens,
          outputTokens: tokens / 2n,
          latency: { keys: counts.map((_, i) => 100 + i), counts },
        };
        const total = prorateWindow(window).reduce((acc, p) => addMeasures(acc, p.measures), EMPTY_MEASURES);
        expect(total.windowMs).toBe(BigInt(seconds) * 1000n);
        expect(total.requests).toBe(requests);
        expect(total.errors).toBe(requests / 3n);
        expect(total.inputTokens).toBe(tokens);
        expect(total.outputTokens).toBe(tokens / 2n);
        expect(total.windowCount).toBe(1);
        expect(sketchCount(total.latency)).toBe(counts.reduce((a, b) => a + b, 0));
      }),
    );
  });

  it("rolling up in any order gives the same buckets", () => {
    fc.assert(
      fc.property(fc.array(windowArb, { maxLength: 8 }), (specs) => {
        const windows = specs.map((s) => ({
          ...base,
          windowStart: new Date(Date.UTC(2026, 0, 1) + s.startMinute * 60_000),
          windowSeconds: s.seconds,
          requests: s.requests,
          errors: 0n,
        }));
        const forward = rollupQuarters(windows);
        const backward = rollupQuarters([...windows].reverse());
        expect([...backward.entries()].sort(([a], [b]) => a - b)).toEqual([...forward.entries()].sort(([a], [b]) => a - b));
      }),
    );
  });
});

describe("sumMeasures", () => {
  it("equals folding addMeasures", () => {
    fc.assert(
      fc.property(fc.array(windowArb, { minLength: 1, maxLength: 6 }), (specs) => {
        const parts = specs.flatMap((s) =>
          prorateWindow({ ...base, windowStart: new Date(Date.UTC(2026, 0, 1) + s.startMinute * 60_000), windowSeconds: s.seconds, requests: s.requests, errors: 0n }).map((p) => p.measures),
        );
        expect(sumMeasures(parts)).toEqual(parts.reduce(addMeasures, EMPTY_MEASURES));
      }),
    );
  });
});

describe("normalizeSketch", () => {
  it("gives keys ascending with one positive count each, whether or not the sketch already was (a normal one is returned as it is)", () => {
    const pairs = fc.array(fc.tuple(fc.integer({ min: -400, max: 800 }), fc.integer({ min: 0, max: 1e6 })), { maxLength: 40 });
    fc.assert(
      fc.property(pairs, fc.boolean(), (list, sorted) => {
        const ordered = sorted ? [...new Map(list.map(([k, c]) => [k, c + 1])).entries()].sort((a, b) => a[0] - b[0]) : list;
        const sketch = { keys: ordered.map(([k]) => k), counts: ordered.map(([, c]) => c) };
        const merged = mergeSketches(sketch);
        const expected = { keys: merged.keys.filter((_, i) => merged.counts[i]! > 0), counts: merged.counts.filter((c) => c > 0) };
        expect(normalizeSketch(sketch)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
