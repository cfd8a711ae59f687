import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SKETCH_GAMMA, SKETCH_MAX_MS, sketchCount, sketchKey, sketchQuantile } from "./latency-sketch";
import { roundHalfEven } from "./largest-remainder";
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

  it("spreads exactly as the all-bigint computation does (the float path only takes quotients far from a rounding edge)", () => {
    // The reference: weights, sums and every running total in bigint, as spreadOverKeys computed them before.
    const reference = ({ count, fromMs, toMs, cdf }: { count: bigint; fromMs: number; toMs: number; cdf: (ms: number) => number }) => {
      const firstKey = sketchKey(fromMs);
      const lastKey = sketchKey(toMs);
      if (firstKey === lastKey) return { keys: [lastKey], counts: [Number(count)] };
      const keys: number[] = [];
      const weights: bigint[] = [];
      for (let key = firstKey; key <= lastKey; key++) {
        const lowerMs = key === firstKey ? fromMs : Math.max(fromMs, SKETCH_GAMMA ** (key - 1));
        const upperMs = key === lastKey ? toMs : Math.min(toMs, SKETCH_GAMMA ** key);
        const share = (key === lastKey ? 1 : cdf(upperMs)) - (key === firstKey ? 0 : cdf(lowerMs));
        keys.push(key);
        weights.push(BigInt(Math.round(Math.max(0, share) * 2 ** 48)));
      }
      const weightSum = weights.reduce((sum, w) => sum + w, 0n);
      if (weightSum === 0n) return { keys: [lastKey], counts: [Number(count)] };
      let running = 0n;
      let placed = 0n;
      const out = { keys: [] as number[], counts: [] as number[] };
      keys.forEach((key, i) => {
        running += weights[i]!;
        const through = roundHalfEven({ numerator: count * running, denominator: weightSum });
        if (through > placed) {
          out.keys.push(key);
          out.counts.push(Number(through - placed));
        }
        placed = through;
      });
      return out;
    };
    // Log-uniform, and a CDF in steps of 1/8 (ties and exact quarters, where the float path must hand over to bigint).
    const cdfs = [(from: number, to: number) => logUniform(from, to), (from: number, to: number) => (ms: number) => Math.floor(logUniform(from, to)(ms) * 8) / 8];
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1n, max: 1_000_000_000_000n })),
        fc.double({ min: 0.01, max: 1_000, noNaN: true }),
        fc.double({ min: 1.05, max: 10_000, noNaN: true }),
        fc.integer({ min: 0, max: cdfs.length - 1 }),
        (count, fromMs, ratio, which) => {
          const toMs = fromMs * ratio;
          const cdf = cdfs[which]!(fromMs, toMs);
          expect(spreadOverKeys({ count, fromMs, toMs, cdf })).toEqual(reference({ count, fromMs, toMs, cdf }));
        },
      ),
      { numRuns: 300 },
    );
  });
});
