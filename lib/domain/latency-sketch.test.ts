import { describe, expect, it } from "vitest";
import { mergeSketches, sketchBucketValue, sketchCount, sketchFromSamples, sketchKey, sketchQuantile } from "./latency-sketch";

describe("latency sketch", () => {
  it("keeps every bucket's value within 1% of the values mapped to it", () => {
    for (const ms of [0.05, 1, 3.7, 12, 99.9, 250, 1000, 12_345, 600_000]) {
      const estimate = sketchBucketValue(sketchKey(ms));
      expect(Math.abs(estimate - ms) / ms).toBeLessThanOrEqual(0.01 + 1e-12);
    }
  });

  it("returns no value for an empty sketch", () => {
    expect(sketchQuantile({ keys: [], counts: [] }, 0.99)).toBeNull();
  });

  it("merges by adding counts per key", () => {
    const a = sketchFromSamples([10, 10, 20]);
    const b = sketchFromSamples([20, 30]);
    const merged = mergeSketches(a, b);
    expect(sketchCount(merged)).toBe(5);
    expect(merged.keys).toEqual([...merged.keys].sort((x, y) => x - y));
    expect(merged.counts[merged.keys.indexOf(sketchKey(20))]).toBe(2);
  });

  it("finds the median of 1..101", () => {
    const sketch = sketchFromSamples(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(Math.abs(sketchQuantile(sketch, 0.5)! - 51) / 51).toBeLessThanOrEqual(0.01);
  });
});
