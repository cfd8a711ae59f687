import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketsBetween } from "../calendar";
import { sketchBucketValue, sketchKey } from "../latency-sketch";
import { OTHER_COLOR, SERIES_COLORS } from "./palette";
import {
  denseMeasures,
  denseTimeSeries,
  latencyPercentileMeasures,
  ratioSeries,
  toChartData,
  topNWithOther,
  type SumSeriesSet,
} from "./series";

const UTC = "UTC";
const days = bucketsBetween({ from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-04T00:00:00Z"), unit: "day", timeZone: UTC });
const [day1, day2, day3] = days.map((b) => b.start) as [Date, Date, Date];

interface CostRow {
  bucketStart: Date;
  groupKey: string;
  groupLabel: string;
  costCents: bigint;
}

interface LatencyRow {
  bucketStart: Date;
  groupKey: string;
  groupLabel: string;
  p99Ms: number | null;
}

const cost = (bucketStart: Date, groupKey: string, costCents: bigint): CostRow => ({ bucketStart, groupKey, groupLabel: `Team ${groupKey}`, costCents });

function costSeries(rows: readonly CostRow[]): SumSeriesSet {
  return denseTimeSeries({
    buckets: days,
    rows,
    groupOf: (r) => r.groupKey,
    labelOf: (r) => r.groupLabel,
    fill: "zero",
    unit: "usd",
    valueOf: (r) => r.costCents,
  });
}

describe("denseTimeSeries", () => {
  it("sums: one value per bucket, empty buckets are 0, rows of one cell add up (training + inference)", () => {
    const set = costSeries([cost(day1, "a", 100n), cost(day1, "a", 50n), cost(day3, "b", 7n)]);
    expect(set.series.map((s) => [s.label, s.values, s.total])).toEqual([
      ["Team a", [150n, 0n, 0n], 150n],
      ["Team b", [0n, 0n, 7n], 7n],
    ]);
  });

  it.each([
    { fill: "zero" as const, empty: 0n },
    { fill: "gap" as const, empty: null },
  ])("fill $fill: an empty bucket is $empty", ({ fill, empty }) => {
    const rows = [cost(day1, "a", 5n), cost(day3, "a", 9n)];
    const set =
      fill === "zero"
        ? denseTimeSeries({ buckets: days, rows, groupOf: (r) => r.groupKey, labelOf: (r) => r.groupLabel, fill, unit: "usd", valueOf: (r) => r.costCents })
        : denseTimeSeries({ buckets: days, rows, groupOf: (r) => r.groupKey, labelOf: (r) => r.groupLabel, fill, unit: "ms", valueOf: (r) => Number(r.costCents) });
    expect(set.series[0]?.values[1]).toBe(empty);
    expect(set.series[0]?.values).toHaveLength(days.length);
  });

  it("gaps keep a row's own null (no latency samples) as a gap", () => {
    const rows: LatencyRow[] = [{ bucketStart: day2, groupKey: "a", groupLabel: "A", p99Ms: null }];
    const set = denseTimeSeries({ buckets: days, rows, groupOf: (r) => r.groupKey, labelOf: (r) => r.groupLabel, fill: "gap", unit: "ms", valueOf: (r) => r.p99Ms });
    expect(set.series[0]?.values).toEqual([null, null, null]);
  });

  it("gaps refuse two rows for one cell: percentiles are never combined", () => {
    const rows: LatencyRow[] = [
      { bucketStart: day1, groupKey: "a", groupLabel: "A", p99Ms: 100 },
      { bucketStart: day1, groupKey: "a", groupLabel: "A", p99Ms: 200 },
    ];
    expect(() =>
      denseTimeSeries({ buckets: days, rows, groupOf: (r) => r.groupKey, labelOf: (r) => r.groupLabel, fill: "gap", unit: "ms", valueOf: (r) => r.p99Ms }),
    ).toThrow(/cannot be combined/);
  });

  it("refuses a row that starts no bucket instead of dropping its cost", () => {
    expect(() => costSeries([cost(new Date("2026-11-01T05:00:00Z"), "a", 1n)])).toThrow(/does not start any/);
  });

  it("ranks sums by total, ties by label, whatever the row order", () => {
    const rows = [cost(day1, "c", 5n), cost(day1, "a", 5n), cost(day2, "b", 9n)];
    const labels = (set: SumSeriesSet) => set.series.map((s) => s.label);
    expect(labels(costSeries(rows))).toEqual(["Team b", "Team a", "Team c"]);
    expect(labels(costSeries([...rows].reverse()))).toEqual(["Team b", "Team a", "Team c"]);
  });

  it("orders gap series by label", () => {
    const rows: LatencyRow[] = [
      { bucketStart: day1, groupKey: "2", groupLabel: "Zeta", p99Ms: 1 },
      { bucketStart: day1, groupKey: "1", groupLabel: "Alpha", p99Ms: 2 },
    ];
    const set = denseTimeSeries({ buckets: days, rows, groupOf: (r) => r.groupKey, labelOf: (r) => r.groupLabel, fill: "gap", unit: "ms", valueOf: (r) => r.p99Ms });
    expect(set.series.map((s) => s.label)).toEqual(["Alpha", "Zeta"]);
  });
});

describe("denseMeasures", () => {
  it("p50/p95/p99 from sketch keys, in that order, each present even without data", () => {
    const rows = [
      { bucketStart: day1, p50Key: sketchKey(100), p95Key: sketchKey(300), p99Key: null },
      { bucketStart: day3, p50Key: null, p95Key: null, p99Key: null },
    ];
    const set = denseMeasures({ buckets: days, rows, fill: "gap", unit: "ms", measures: latencyPercentileMeasures() });
    expect(set.series.map((s) => s.label)).toEqual(["p50", "p95", "p99"]);
    expect(set.series[0]?.values).toEqual([sketchBucketValue(sketchKey(100)), null, null]);
    expect(set.series[2]?.values).toEqual([null, null, null]);
  });

  it("sum measures add up per bucket (compute + extra cost)", () => {
    const rows = [
      { bucketStart: day1, computeCostMicros: 10n, extraCostMicros: 1n },
      { bucketStart: day1, computeCostMicros: 5n, extraCostMicros: 2n },
    ];
    const set = denseMeasures({
      buckets: days,
      rows,
      fill: "zero",
      unit: "usd",
      measures: [
        { key: "compute", label: "Compute", valueOf: (r) => r.computeCostMicros },
        { key: "extra", label: "Storage, data, network", valueOf: (r) => r.extraCostMicros },
      ],
    });
    expect(set.series.map((s) => s.values)).toEqual([
      [15n, 0n, 0n],
      [3n, 0n, 0n],
    ]);
  });
});

describe("topNWithOther", () => {
  const rows = [cost(day1, "a", 40n), cost(day2, "b", 30n), cost(day1, "c", 20n), cost(day3, "d", 10n), cost(day3, "c", 1n)];

  it("keeps the N largest and adds the rest bucket by bucket into Other (k)", () => {
    const set = topNWithOther({ series: costSeries(rows), n: 2 });
    expect(set.series.map((s) => [s.label, s.values, s.isOther])).toEqual([
      ["Team a", [40n, 0n, 0n], false],
      ["Team b", [0n, 30n, 0n], false],
      ["Other (2)", [20n, 0n, 11n], true],
    ]);
    expect(set.foldedCount).toBe(2);
  });

  it.each([
    { n: 4, labels: ["Team a", "Team b", "Team c", "Team d"] },
    { n: 9, labels: ["Team a", "Team b", "Team c", "Team d"] },
    { n: 0, labels: ["Other (4)"] },
  ])("n = $n → $labels", ({ n, labels }) => {
    expect(topNWithOther({ series: costSeries(rows), n }).series.map((s) => s.label)).toEqual(labels);
  });

  it("folding twice keeps one Other with every folded group", () => {
    const twice = topNWithOther({ series: topNWithOther({ series: costSeries(rows), n: 3 }), n: 1 });
    expect(twice.series.map((s) => [s.label, s.total])).toEqual([
      ["Team a", 40n],
      ["Other (3)", 61n],
    ]);
  });

  it("rejects a negative or fractional N", () => {
    expect(() => topNWithOther({ series: costSeries(rows), n: -1 })).toThrow(RangeError);
    expect(() => topNWithOther({ series: costSeries(rows), n: 1.5 })).toThrow(RangeError);
  });

  it("property: named + Other equal the rows, per bucket and in total, and the named are the largest", () => {
    const row = fc.record({
      day: fc.integer({ min: 0, max: 2 }),
      team: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "i"),
      micros: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), fc.integer({ min: 0, max: 10 }), (raw, n) => {
        const rows = raw.map((r) => cost(days[r.day]!.start, r.team, r.micros));
        const set = topNWithOther({ series: costSeries(rows), n });
        days.forEach((_, i) => {
          const expected = raw.filter((r) => r.day === i).reduce((sum, r) => sum + r.micros, 0n);
          expect(set.series.reduce((sum, s) => sum + (s.values[i] ?? 0n), 0n)).toBe(expected);
        });
        const named = set.series.filter((s) => !s.isOther);
        expect(named.length).toBeLessThanOrEqual(n);
        const smallestNamed = named.reduce<bigint | null>((min, s) => (min === null || s.total < min ? s.total : min), null);
        const teamTotals = new Map<string, bigint>();
        for (const r of raw) teamTotals.set(r.team, (teamTotals.get(r.team) ?? 0n) + r.micros);
        const foldedTeams = [...teamTotals.keys()].filter((t) => !named.some((s) => s.groupKey === t));
        if (smallestNamed !== null) for (const t of foldedTeams) expect(teamTotals.get(t)! <= smallestNamed).toBe(true);
      }),
    );
  });
});

describe("ratioSeries", () => {
  it("$ per 1M tokens = ¢ per token × 10,000; no tokens is a gap, not $0 or ∞", () => {
    const tokenRows = [
      { bucketStart: day1, groupKey: "all", tokens: 3_000_000n },
      { bucketStart: day2, groupKey: "all", tokens: 0n },
    ];
    const costs = denseTimeSeries({ buckets: days, rows: [cost(day1, "all", 2_000n), cost(day2, "all", 5n)], groupOf: (r) => r.groupKey, labelOf: () => "All", fill: "zero", unit: "usd", valueOf: (r) => r.costCents });
    const tokens = denseTimeSeries({ buckets: days, rows: tokenRows, groupOf: (r) => r.groupKey, labelOf: () => "All", fill: "zero", unit: "tokens", valueOf: (r) => r.tokens });
    const ratio = ratioSeries({ numerator: costs, denominator: tokens, unit: "usdPerMillionTokens", scale: 10_000 });
    expect(ratio.series[0]?.values[0]).toBeCloseTo(20 / 3, 12);
    expect(ratio.series[0]?.values.slice(1)).toEqual([null, null]);
  });

  it("refuses folded sets", () => {
    const folded = topNWithOther({ series: costSeries([cost(day1, "a", 1n), cost(day1, "b", 1n)]), n: 1 });
    expect(() => ratioSeries({ numerator: folded, denominator: folded, unit: "percent" })).toThrow(/folded/);
  });
});

describe("toChartData", () => {
  const rows = [cost(day1, "a", 123_456n), cost(day2, "b", 1n), cost(day2, "c", 0n), cost(day2, "a", 1n)];

  it("plots dollars, shows the line items' cents, and tooltip parts add up to the shown total", () => {
    const data = toChartData({ series: costSeries(rows), bucketUnit: "day", timeZone: UTC });
    expect(data.series.map((s) => [s.key, s.label, s.totalText])).toEqual([
      ["s0", "Team a", "$1,234.57"],
      ["s1", "Team b", "$0.01"],
      ["s2", "Team c", "$0.00"],
    ]);
    expect(data.totalText).toBe("$1,234.58");
    expect(data.points[0]?.values.s0).toBeCloseTo(1234.56, 10);
    // Cents are summed, never re-rounded or re-allocated.
    expect(data.points[1]?.texts).toEqual({ s0: "$0.01", s1: "$0.01", s2: "$0.00" });
    expect(data.points[1]?.totalText).toBe("$0.02");
    expect(data.points.map((p) => [p.key, p.axisLabel, p.tooltipLabel])).toEqual([
      ["2026-11-01T00:00:00.000Z", "Nov 1", "Sun, Nov 1, 2026"],
      ["2026-11-02T00:00:00.000Z", "Nov 2", "Mon, Nov 2, 2026"],
      ["2026-11-03T00:00:00.000Z", "Nov 3", "Tue, Nov 3, 2026"],
    ]);
    expect(data.summary).toBe(
      "3 days, Sun, Nov 1, 2026 to Tue, Nov 3, 2026 (UTC time). Total $1,234.58: Team a $1,234.57; Team b $0.01; Team c $0.00.",
    );
  });

  it("is plain JSON, so a server page can pass it to a client component", () => {
    const data = toChartData({ series: costSeries(rows), bucketUnit: "day", timeZone: UTC });
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it("colors follow rank and are the same for the same data in any row order; Other is gray", () => {
    const teams = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const manyRows = teams.map((t, i) => cost(day1, t, BigInt(100 - i)));
    const data = toChartData({ series: costSeries(manyRows), bucketUnit: "day", timeZone: UTC });
    const shuffled = toChartData({ series: costSeries([...manyRows].reverse()), bucketUnit: "day", timeZone: UTC });
    expect(shuffled).toEqual(data);
    expect(data.series.map((s) => s.color)).toEqual([...SERIES_COLORS, OTHER_COLOR]);
    expect(data.series.at(-1)).toMatchObject({ key: "other", label: "Other (2)", isOther: true });
    expect(data.foldedSeriesCount).toBe(2);
    expect(data.note).toBe("The 7 largest of 9 are shown; the rest are in “Other (2)”.");
  });

  it("gap series beyond the palette are left out and counted, never given a repeated color", () => {
    const latencyRows: LatencyRow[] = Array.from({ length: 9 }, (_, i) => ({ bucketStart: day1, groupKey: `${i}`, groupLabel: `Model ${i}`, p99Ms: 100 + i }));
    const set = denseTimeSeries({ buckets: days, rows: latencyRows, groupOf: (r) => r.groupKey, labelOf: (r) => r.groupLabel, fill: "gap", unit: "ms", valueOf: (r) => r.p99Ms });
    const data = toChartData({ series: set, bucketUnit: "day", timeZone: UTC });
    expect(data.series).toHaveLength(SERIES_COLORS.length);
    expect(data.omittedSeriesCount).toBe(2);
    expect(new Set(data.series.map((s) => s.color)).size).toBe(data.series.length);
    expect(data.summary).toContain("2 more series not shown.");
    expect(data.note).toBe("7 of 9 series are shown.");
  });

  it.each([
    { name: "sums that are all zero", set: () => costSeries([cost(day1, "a", 0n)]) },
    { name: "no rows at all", set: () => costSeries([]) },
    {
      name: "gaps that are all null",
      set: () => denseMeasures({ buckets: days, rows: [{ bucketStart: day1, p50Key: null, p95Key: null, p99Key: null }], fill: "gap", unit: "ms", measures: latencyPercentileMeasures() }),
    },
  ])("$name → empty", ({ set }) => {
    const data = toChartData({ series: set(), bucketUnit: "day", timeZone: UTC });
    expect(data.isEmpty).toBe(true);
    expect(data.summary).toContain("No data in this range.");
  });

  it("gap points keep null, text '—', a labelled reference line, and ranges in the summary", () => {
    const rows = [
      { bucketStart: day1, p50Key: sketchKey(100), p95Key: sketchKey(200), p99Key: sketchKey(400) },
      { bucketStart: day3, p50Key: sketchKey(120), p95Key: sketchKey(250), p99Key: sketchKey(650) },
    ];
    const set = denseMeasures({ buckets: days, rows, fill: "gap", unit: "ms", measures: latencyPercentileMeasures() });
    const data = toChartData({ series: set, bucketUnit: "day", timeZone: UTC, referenceLine: { value: 500, label: "p99 SLO" } });
    expect(data.points[1]?.values).toEqual({ s0: null, s1: null, s2: null });
    expect(data.points[1]?.texts).toEqual({ s0: "—", s1: "—", s2: "—" });
    expect(data.points[0]?.texts.s0).toBe("100 ms");
    expect(data.referenceLine).toEqual({ value: 500, label: "p99 SLO: 500 ms" });
    expect(data.series.map((s) => s.color)).toEqual(SERIES_COLORS.slice(0, 3));
    expect(data.summary).toContain("p99 399 ms to 646 ms (no data in 1 of 3)");
    expect(data.summary).toContain("Reference line p99 SLO: 500 ms.");
    expect(data.hasDots).toBe(true);
  });

  it("marks values standing alone between gaps, so a line can dot them", () => {
    const hours = bucketsBetween({ from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-03T12:00:00Z"), unit: "hour", timeZone: UTC });
    const present = new Set([0, 2, 3, 5, hours.length - 1]);
    const rows = hours.filter((_, i) => present.has(i)).map((b) => ({ bucketStart: b.start, p50Key: sketchKey(10), p95Key: null, p99Key: null }));
    const data = toChartData({ series: denseMeasures({ buckets: hours, rows, fill: "gap", unit: "ms", measures: latencyPercentileMeasures() }), bucketUnit: "hour", timeZone: UTC });
    expect(data.hasDots).toBe(false);
    expect(data.series.map((s) => s.loneIndexes)).toEqual([[0, 5, hours.length - 1], [], []]);
  });

  it("plots GPU-hours from GPU-milliseconds", () => {
    const set = denseTimeSeries({
      buckets: days,
      rows: [{ bucketStart: day2, gpuMs: 5_400_000n }],
      groupOf: () => "all",
      labelOf: () => "All",
      fill: "zero",
      unit: "gpuHours",
      valueOf: (r) => r.gpuMs,
    });
    const data = toChartData({ series: set, bucketUnit: "day", timeZone: UTC });
    expect(data.points.map((p) => p.values.s0)).toEqual([0, 1.5, 0]);
    expect(data.points[1]?.texts.s0).toBe("1.50 GPU-h");
    expect(data.unitLabel).toBe("GPU-hours");
    expect(data.summary).toMatch(/Total 1\.50 GPU-h\.$/);
  });
});
