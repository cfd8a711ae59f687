import { describe, expect, it } from "vitest";
import { bucketsBetween, type BucketUnit } from "../calendar";
import { formatBucketLabel, formatChartValue, formatPlotValue, toPlotNumber, type ChartValue } from "./format";
import { seriesColor, OTHER_COLOR, SERIES_COLORS } from "./palette";
import { formatAxisTick, formatCompactNumber, type ChartUnit } from "./units";

describe("axis ticks", () => {
  it.each([
    { unit: "usd", value: 12_345, text: "$12.3k" },
    { unit: "usd", value: 999_999, text: "$1M", edge: "rounds before picking the suffix" },
    { unit: "usd", value: 1_500_000_000, text: "$1.5B" },
    { unit: "usd", value: 850, text: "$850" },
    { unit: "usd", value: 0.25, text: "$0.25" },
    { unit: "usd", value: 0, text: "$0" },
    { unit: "usd", value: -1_500, text: "-$1.5k" },
    { unit: "usd", value: 0.30000000000000004, text: "$0.3", edge: "float noise from tick steps" },
    { unit: "usdPerMillionTokens", value: 6.666, text: "$6.67" },
    { unit: "gpuHours", value: 1_234, text: "1.23k" },
    { unit: "tokens", value: 2_500_000, text: "2.5M" },
    { unit: "qps", value: 12.5, text: "12.5" },
    { unit: "ms", value: 250, text: "250 ms" },
    { unit: "ms", value: 1_500, text: "1.5 s" },
    { unit: "percent", value: 0.25, text: "25%" },
    { unit: "usd", value: null, text: "—" },
    { unit: "ms", value: Number.NaN, text: "—" },
  ] satisfies { unit: ChartUnit; value: number | null; text: string; edge?: string }[])("$unit $value → $text", ({ unit, value, text }) => {
    expect(formatAxisTick(unit, value)).toBe(text);
  });

  it("compact numbers are en-US whatever the runtime locale", () => {
    expect(formatCompactNumber(1_234_567)).toBe("1.23M");
    expect(formatCompactNumber(0.000123)).toBe("0.000123");
  });
});

describe("exact values (tooltips, legend totals)", () => {
  it.each([
    { input: { unit: "usd", value: 1_234_567n }, text: "$12,345.67", edge: "money is in cents, the displayed line items" },
    { input: { unit: "usd", value: 212n }, text: "$2.12" },
    { input: { unit: "usd", value: -50n }, text: "-$0.50" },
    { input: { unit: "usd", value: null }, text: "—" },
    { input: { unit: "gpuHours", value: 44_444_160_000n }, text: "12,346 GPU-h" },
    { input: { unit: "gpuHours", value: 162_000n }, text: "0.05 GPU-h" },
    { input: { unit: "tokens", value: 1_234_567n }, text: "1,234,567 tokens" },
    { input: { unit: "requests", value: 0n }, text: "0 requests" },
    { input: { unit: "ms", value: 0.85 }, text: "0.85 ms" },
    { input: { unit: "ms", value: 1234 }, text: "1.23 s" },
    { input: { unit: "qps", value: 12.34 }, text: "12.3 req/s" },
    { input: { unit: "usdPerMillionTokens", value: 20 / 3 }, text: "$6.67 / 1M tokens" },
    { input: { unit: "usdPerMillionTokens", value: 0.0123456 }, text: "$0.0123 / 1M tokens" },
    { input: { unit: "percent", value: 0.125 }, text: "12.5%" },
    { input: { unit: "ms", value: null }, text: "—" },
    { input: { unit: "percent", value: null }, text: "—" },
  ] satisfies { input: ChartValue; text: string; edge?: string }[])("$input.unit $input.value → $text", ({ input, text }) => {
    expect(formatChartValue(input)).toBe(text);
  });

  it.each([
    { unit: "usd", value: 1500, text: "$1,500.00" },
    { unit: "ms", value: 500, text: "500 ms" },
    { unit: "requests", value: 1000, text: "1,000 requests" },
    { unit: "gpuHours", value: null, text: "—" },
  ] satisfies { unit: ChartUnit; value: number | null; text: string }[])("plotted-unit value $unit $value → $text", ({ unit, value, text }) => {
    expect(formatPlotValue(unit, value)).toBe(text);
  });

  it.each([
    { unit: "usd", value: 123_456_789n, plotted: 1234567.89 },
    { unit: "usd", value: -1n, plotted: -0.01 },
    { unit: "gpuHours", value: 5_400_000n, plotted: 1.5 },
    { unit: "tokens", value: 42n, plotted: 42 },
  ] as const)("plots $unit $value as $plotted", ({ unit, value, plotted }) => {
    expect(toPlotNumber(unit, value)).toBeCloseTo(plotted, 12);
  });
});

describe("bucket labels", () => {
  it.each([
    { edge: "hour", start: "2026-11-03T19:00:00Z", unit: "hour", timeZone: "America/New_York", axis: "14:00", full: "Nov 3, 2026, 14:00 EST" },
    { edge: "hour that starts a day shows the date", start: "2026-11-03T05:00:00Z", unit: "hour", timeZone: "America/New_York", axis: "Nov 3", full: "Nov 3, 2026, 00:00 EST" },
    { edge: "half-hour zone", start: "2026-11-03T09:00:00Z", unit: "hour", timeZone: "Asia/Kolkata", axis: "14:30", full: "Nov 3, 2026, 14:30 GMT+5:30" },
    { edge: "day", start: "2026-11-03T05:00:00Z", unit: "day", timeZone: "America/New_York", axis: "Nov 3", full: "Tue, Nov 3, 2026" },
    { edge: "day in UTC would be the day before", start: "2026-11-02T18:15:00Z", unit: "day", timeZone: "Asia/Kathmandu", axis: "Nov 3", full: "Tue, Nov 3, 2026" },
    { edge: "ISO week", start: "2026-11-02T05:00:00Z", unit: "week", timeZone: "America/New_York", axis: "Nov 2", full: "Week of Nov 2, 2026" },
    { edge: "month starting the previous UTC day", start: "2026-10-31T18:15:00Z", unit: "month", timeZone: "Asia/Kathmandu", axis: "Nov 2026", full: "November 2026" },
    { edge: "month", start: "2026-11-01T04:00:00Z", unit: "month", timeZone: "America/New_York", axis: "Nov 2026", full: "November 2026" },
  ] satisfies { edge: string; start: string; unit: BucketUnit; timeZone: string; axis: string; full: string }[])(
    "$edge: $axis / $full",
    ({ start, unit, timeZone, axis, full }) => {
      expect(formatBucketLabel({ start: new Date(start), unit, timeZone, style: "axis" })).toBe(axis);
      expect(formatBucketLabel({ start: new Date(start), unit, timeZone, style: "full" })).toBe(full);
    },
  );

  const hourLabels = (from: string, to: string, style: "axis" | "full") =>
    bucketsBetween({ from: new Date(from), to: new Date(to), unit: "hour", timeZone: "America/New_York" }).map((b) =>
      formatBucketLabel({ start: b.start, unit: "hour", timeZone: "America/New_York", style }),
    );

  it("fall back: the repeated 01:00 is two buckets, told apart by zone name in full labels", () => {
    expect(hourLabels("2026-11-01T04:00:00Z", "2026-11-01T08:00:00Z", "axis")).toEqual(["Nov 1", "01:00", "01:00", "02:00"]);
    expect(hourLabels("2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "full")).toEqual(["Nov 1, 2026, 01:00 EDT", "Nov 1, 2026, 01:00 EST"]);
  });

  it("spring forward: 02:00 does not exist", () => {
    expect(hourLabels("2026-03-08T05:00:00Z", "2026-03-08T08:00:00Z", "axis")).toEqual(["Mar 8", "01:00", "03:00"]);
  });

  it("day labels follow the zone's days across DST (23- and 25-hour days)", () => {
    const labels = bucketsBetween({ from: new Date("2026-10-31T04:00:00Z"), to: new Date("2026-11-03T05:00:00Z"), unit: "day", timeZone: "America/New_York" }).map((b) =>
      formatBucketLabel({ start: b.start, unit: "day", timeZone: "America/New_York", style: "axis" }),
    );
    expect(labels).toEqual(["Oct 31", "Nov 1", "Nov 2"]);
  });
});

describe("palette", () => {
  it("colors by rank, Other neutral, no color for a rank beyond the palette", () => {
    expect(seriesColor({ rank: 0, isOther: false })).toBe(SERIES_COLORS[0]);
    expect(seriesColor({ rank: 3, isOther: true })).toBe(OTHER_COLOR);
    expect(() => seriesColor({ rank: SERIES_COLORS.length, isOther: false })).toThrow(RangeError);
    expect(new Set(SERIES_COLORS).size).toBe(SERIES_COLORS.length);
  });
});
