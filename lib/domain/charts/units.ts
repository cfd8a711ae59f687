/**
 * What a chart's numbers measure, and how an axis tick reads. Kept free of
 * imports (no decimal.js, no money.ts) because chart components run in the
 * browser and format ticks there: Recharts picks tick values from the scale,
 * so tick text can only be decided once the scale exists. Everything else a
 * chart shows (tooltips, legend totals, summaries) is decided on the server
 * in series.ts from exact values.
 */

/**
 * Additive measures. Their exact values are bigint in a base unit (usd:
 * cents — displayed line items, money.ts rule 6 —, gpuHours: GPU-milliseconds, tokens and requests: counts);
 * a bucket with no rows is a real zero.
 */
export type SumUnit = "usd" | "gpuHours" | "tokens" | "requests";

/**
 * Non-additive measures: percentiles, averages, ratios. Values are plain
 * numbers already in the unit shown (ms, req/s, $ per 1M tokens, a 0..1
 * fraction); a bucket with no data is a gap (null), never zero.
 */
export type GapUnit = "ms" | "qps" | "usdPerMillionTokens" | "percent";

export type ChartUnit = SumUnit | GapUnit;

const NO_VALUE = "—";

/** Words for the axis caption, so ticks can stay short on a phone. */
export const UNIT_LABELS: Record<ChartUnit, string> = {
  usd: "US dollars",
  gpuHours: "GPU-hours",
  tokens: "Tokens",
  requests: "Requests",
  ms: "Milliseconds",
  qps: "Requests per second",
  usdPerMillionTokens: "US dollars per 1M tokens",
  percent: "Percent",
};

const SUFFIXES: ReadonlyArray<readonly [number, string]> = [
  [1e12, "T"],
  [1e9, "B"],
  [1e6, "M"],
  [1e3, "k"],
];

const threeDigits = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3, useGrouping: false });

/**
 * Three significant digits with a k/M/B/T suffix: 12345 → "12.3k",
 * 999999 → "1M" (rounded before the suffix is chosen), 0.25 → "0.25".
 * Always en-US, whatever the runtime's locale.
 */
export function formatCompactNumber(value: number): string {
  if (!Number.isFinite(value)) return NO_VALUE;
  const magnitude = Number(Math.abs(value).toPrecision(3));
  if (magnitude === 0) return "0";
  const sign = value < 0 ? "-" : "";
  for (const [size, suffix] of SUFFIXES) {
    if (magnitude >= size) return `${sign}${threeDigits.format(magnitude / size)}${suffix}`;
  }
  return `${sign}${threeDigits.format(magnitude)}`;
}

function withDollar(compact: string): string {
  return compact.startsWith("-") ? `-$${compact.slice(1)}` : `$${compact}`;
}

/** The one unit a latency axis, its tooltips and its reference line use. */
export type DurationUnit = "ms" | "s";

/**
 * Picks ms or s for a whole axis from its largest value (and any reference
 * line, which widens the axis): seconds once it reaches 1 s, so an axis never
 * mixes "900 ms" and "1.2 s". No value: ms.
 */
export function durationAxisUnit(values: Iterable<number | null>): DurationUnit {
  let max = 0;
  for (const v of values) if (v !== null && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  return max >= 1000 ? "s" : "ms";
}

const exactDuration = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });

/**
 * Milliseconds in the axis' unit: ticks short ("1.5 s", "250 ms"), exact text
 * (tooltips, reference line) to three significant digits ("0.912 s", "1,230 ms").
 */
export function formatDuration({ ms, unit, style }: { ms: number | null; unit: DurationUnit; style: "tick" | "exact" }): string {
  if (ms === null || !Number.isFinite(ms)) return NO_VALUE;
  if (unit === "ms") return `${exactDuration.format(ms)} ms`; // a nice tick past the largest value can be "1,000 ms", never "1k ms"
  return `${style === "tick" ? formatCompactNumber(ms / 1000) : exactDuration.format(ms / 1000)} s`;
}

/**
 * Short tick text for a value axis: "$12.3k", "1.2k", "250 ms", "1.5 s",
 * "25%". Latency ticks use the axis' `durationUnit` (durationAxisUnit), so
 * one axis reads "0.5 s, 1 s, 1.5 s", never "900 ms, 1.2 s". The axis caption (UNIT_LABELS) names the unit where the tick
 * doesn't. Floats are fine here: ticks are approximate by nature; exact
 * amounts appear in tooltips and tables.
 */
export function formatAxisTick(unit: ChartUnit, value: number | null, durationUnit?: DurationUnit): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE;
  switch (unit) {
    case "usd":
    case "usdPerMillionTokens":
      return withDollar(formatCompactNumber(value));
    case "gpuHours":
    case "tokens":
    case "requests":
    case "qps":
      return formatCompactNumber(value);
    case "ms":
      return formatDuration({ ms: value, unit: durationUnit ?? durationAxisUnit([value]), style: "tick" });
    case "percent":
      return `${formatCompactNumber(value * 100)}%`;
  }
}

/** Counts and money sums never need fractional ticks below their unit. */
export function allowsDecimalTicks(unit: ChartUnit): boolean {
  return unit !== "tokens" && unit !== "requests";
}
