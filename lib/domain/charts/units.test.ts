import { describe, expect, it } from "vitest";
import { bucketsBetween } from "../calendar";
import { sketchBucketValue, sketchKey } from "../latency-sketch";
import { denseMeasures, latencyPercentileMeasures, toChartData } from "./series";
import { durationAxisUnit, formatAxisTick, formatDuration } from "./units";

describe("durationAxisUnit: one unit for a whole latency axis", () => {
  it.each([
    { values: [120, 450, 900], unit: "ms", edge: "all below 1 s" },
    { values: [900, 1_200], unit: "s", edge: "900 ms and 1.2 s on one axis: seconds for both" },
    { values: [999.9], unit: "ms" },
    { values: [1_000], unit: "s", edge: "exactly 1 s" },
    { values: [null, 80, null], unit: "ms", edge: "gaps ignored" },
    { values: [], unit: "ms", edge: "no data" },
    { values: [Number.NaN, 5], unit: "ms" },
  ] as const)("$values → $unit", ({ values, unit }) => {
    expect(durationAxisUnit(values)).toBe(unit);
  });

  it("ticks and exact texts follow the chosen unit, never the value's own size", () => {
    expect([0, 500, 900, 1_200].map((ms) => formatAxisTick("ms", ms, "s"))).toEqual(["0 s", "0.5 s", "0.9 s", "1.2 s"]);
    expect([0, 250, 1_000].map((ms) => formatAxisTick("ms", ms, "ms"))).toEqual(["0 ms", "250 ms", "1,000 ms"]);
    expect(formatDuration({ ms: 912.3, unit: "s", style: "exact" })).toBe("0.912 s");
    expect(formatDuration({ ms: 1_234, unit: "s", style: "exact" })).toBe("1.23 s");
    expect(formatDuration({ ms: 12.34, unit: "ms", style: "exact" })).toBe("12.3 ms");
    expect(formatDuration({ ms: null, unit: "ms", style: "exact" })).toBe("—");
  });
});

describe("latency chart data", () => {
  const timeZone = "UTC";
  const buckets = bucketsBetween({ from: new Date("2026-11-01T00:00Z"), to: new Date("2026-11-04T00:00Z"), unit: "day", timeZone });
  const row = (i: number, p50: number, p95: number, p99: number) => ({ bucketStart: buckets[i]!.start, p50Key: sketchKey(p50), p95Key: sketchKey(p95), p99Key: sketchKey(p99) });
  const chart = (rows: ReturnType<typeof row>[], slo?: number) =>
    toChartData({
      series: denseMeasures({ buckets, rows, fill: "gap", unit: "ms", measures: latencyPercentileMeasures() }),
      bucketUnit: "day",
      timeZone,
      referenceLine: slo === undefined ? undefined : { value: slo, label: "p99 SLO" },
    });

  it("a max of 1.2 s puts the whole axis, tooltips and caption in seconds", () => {
    const data = chart([row(0, 300, 900, 1_200), row(2, 250, 600, 800)]);
    expect(data.durationUnit).toBe("s");
    expect(data.unitLabel).toBe("Seconds");
    // Sketch bucket values (1%) of 300, 900 and 1,200 ms, all in seconds.
    expect(data.points[0]!.texts).toEqual({ s0: "0.302 s", s1: "0.907 s", s2: "1.2 s" });
    expect(data.points[1]!.texts).toEqual({ s0: "—", s1: "—", s2: "—" });
  });

  it("the SLO line counts toward the axis and keeps its label and value", () => {
    const data = chart([row(0, 100, 200, 400)], 1_500);
    expect(data.durationUnit).toBe("s");
    expect(data.referenceLine).toEqual({ value: 1_500, label: "p99 SLO: 1.5 s" });
    const below = chart([row(0, 100, 200, 400)], 500);
    expect(below.durationUnit).toBe("ms");
    expect(below.referenceLine).toEqual({ value: 500, label: "p99 SLO: 500 ms" });
    expect(below.points[0]!.texts.s2).toBe(`${Number(sketchBucketValue(sketchKey(400)).toPrecision(3))} ms`);
  });

  it("non-latency charts have no duration unit", () => {
    const data = toChartData({
      series: denseMeasures({ buckets, rows: [{ bucketStart: buckets[0]!.start, qps: 2 }], fill: "gap", unit: "qps", measures: [{ key: "q", label: "QPS", valueOf: (r) => r.qps }] }),
      bucketUnit: "day",
      timeZone,
    });
    expect(data.durationUnit).toBeNull();
  });
});

describe("buckets without usage records", () => {
  const timeZone = "UTC";
  const buckets = bucketsBetween({ from: new Date("2026-11-01T00:00Z"), to: new Date("2026-11-04T00:00Z"), unit: "day", timeZone });
  const rows = [
    { bucketStart: buckets[0]!.start, tokens: 5n },
    { bucketStart: buckets[2]!.start, tokens: 0n },
  ];

  it("a sum reads No data there, not 0, and the summary says how many", () => {
    const data = toChartData({
      series: denseMeasures({ buckets, rows, fill: "zero", unit: "tokens", measures: [{ key: "t", label: "Tokens", valueOf: (r) => r.tokens }] }),
      bucketUnit: "day",
      timeZone,
      noDataBuckets: [false, true, false],
    });
    expect(data.points.map((p) => [p.values.s0, p.texts.s0, p.totalText])).toEqual([
      [5, "5 tokens", "5 tokens"],
      [null, "No data", "No data"],
      [0, "0 tokens", "0 tokens"],
    ]);
    expect(data.summary).toContain("No usage records in 1 of 3 days.");
  });

  it("a gap series says No data where nothing was recorded, — where a record had no value", () => {
    const data = toChartData({
      series: denseMeasures({ buckets, rows, fill: "gap", unit: "qps", measures: [{ key: "q", label: "QPS", valueOf: (r) => (r.tokens > 0n ? 1 : null) }] }),
      bucketUnit: "day",
      timeZone,
      noDataBuckets: [false, true, false],
    });
    expect(data.points.map((p) => p.texts.s0)).toEqual(["1 req/s", "No data", "—"]);
    expect(() => toChartData({ series: denseMeasures({ buckets, rows: [], fill: "gap", unit: "qps", measures: [] }), bucketUnit: "day", timeZone, noDataBuckets: [true] })).toThrow(RangeError);
  });
});
