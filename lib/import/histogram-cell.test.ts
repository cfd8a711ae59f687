import { describe, expect, it } from "vitest";
import { sketchCount, sketchQuantile } from "@/lib/domain/latency-sketch";
import { readHistogramCell } from "./histogram-cell";

describe("the CSV latency histogram cell", () => {
  it("reads cumulative buckets into a sketch holding every request, percentiles inside their bucket", () => {
    const cell = readHistogramCell("50:3000 100:7000 250:11000 500:11900 +Inf:12000");
    if (!cell.ok) throw new Error(cell.message);
    expect(cell.count).toBe(12000n);
    expect(sketchCount(cell.sketch)).toBe(12000);
    // The median (request 6,000) is in (50, 100] ms; p95 (request 11,400) in (250, 500] ms — to the sketch's 1%.
    const p50 = sketchQuantile(cell.sketch, 0.5)!;
    const p95 = sketchQuantile(cell.sketch, 0.95)!;
    expect(p50).toBeGreaterThan(50 * 0.99);
    expect(p50).toBeLessThanOrEqual(100 * 1.01);
    expect(p95).toBeGreaterThan(250 * 0.99);
    expect(p95).toBeLessThanOrEqual(500 * 1.01);
  });

  it("names what is wrong with a malformed cell", () => {
    const message = (text: string) => {
      const cell = readHistogramCell(text);
      return cell.ok ? null : cell.message;
    };
    expect(message("")).toBe("Latency histogram is empty");
    expect(message("50=3")).toMatch(/^Latency histogram bucket 1 \("50=3"\) must be <upper bound in ms>:<cumulative count>/);
    expect(message("100:5 50:6")).toBe("Latency histogram bounds must increase (bucket 2)");
    expect(message("50:6 100:5")).toBe("Latency histogram counts are cumulative, so they can't decrease (bucket 2)");
    expect(message("+Inf:5 100:6")).toBe("Latency histogram: only the last bucket may be +Inf");
    expect(message("0:5")).toBe("Latency histogram bounds must be above 0 ms");
    expect(message("5000000:5")).toMatch(/at most one hour/);
    expect(message(Array.from({ length: 513 }, (_, i) => `${i + 1}:${i}`).join(" "))).toMatch(/513 buckets; at most 512/);
  });
});
