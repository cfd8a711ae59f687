import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SKETCH_GAMMA, SKETCH_MAX_MS, sketchCount, sketchKey, sketchQuantile } from "./latency-sketch";
import { spreadOverKeys } from "./sketch-spread";

describe("spreadOverKeys", () => {
  const logUniform = (fromMs: number, toMs: number) => (ms: number) => Math.log(ms / fromMs) / Math.log(toMs / fromMs);

  it("puts everything in one key when the range is one key", () => {
    expect(spreadOverKeys({ count: 7n, fromMs: 100, toMs: 100 })).toEqual({ keys: [sketchKey(100)], counts: [7] });
    expect(spreadOverKeys({ count: 0n, fromMs: 1, toMs: 100, cdf: () => 0.5 })).toEqual({ keys: [], counts: [] });
  });

  it("spreads thin counts along the distribution, not onto the densest keys", () => {
    // 10 requests over a factor of 100 (about 230 keys): one per tenth of the range.
    const sketch = spreadOverKeys({ count: 10n, fromMs: 10, toMs: 1_000, cdf: logUniform(10, 1_000) });
    expect(sketch.counts).toEqual(Array(10).fill(1));
    const spacing = sketch.keys.slice(1).map((key, i) => key - sketch.keys[i]!);
    expect(Math.max(...spacing) - Math.min(...spacing)).toBeLessThanOrEqual(1);
  });

  it("sends latencies beyond the sketch's range to its end key", () => {
    const sketch = spreadOverKeys({ count: 100n, fromMs: SKETCH_MAX_MS / 2, toMs: SKETCH_MAX_MS * 2, cdf: logUniform(SKETCH_MAX_MS / 2, SKETCH_MAX_MS * 2) });
    expect(sketchCount(sketch)).toBe(100);
    expect(sketch.keys.at(-1)).toBe(sketchKey(SKETCH_MAX_MS));
    expect(sketch.counts.at(-1)).toBeGreaterThanOrEqual(49);
  });

  it("keeps the count exactly and every running total within half a request of exact", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10_000_000n }), fc.double({ min: 0.01, max: 1_000, noNaN: true }), fc.double({ min: 1.05, max: 1_000, noNaN: true }), (count, fromMs, ratio) => {
        const toMs = fromMs * ratio;
        const cdf = logUniform(fromMs, toMs);
        const sketch = spreadOverKeys({ count, fromMs, toMs, cdf });
        expect(BigInt(sketchCount(sketch))).toBe(count);
        let running = 0;
        sketch.keys.forEach((key, i) => {
          running += sketch.counts[i]!;
          const exact = Number(count) * Math.min(1, cdf(Math.min(toMs, SKETCH_GAMMA ** key)));
          expect(Math.abs(running - exact)).toBeLessThanOrEqual(0.5 + 1e-6 * (1 + Number(count)));
        });
        expect(sketchQuantile(sketch, 1)).toBeLessThanOrEqual(toMs * 1.01);
      }),
    );
  });
});
