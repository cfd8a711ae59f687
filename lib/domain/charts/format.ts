/**
 * Exact text for what a chart shows besides its ticks: tooltip values,
 * legend totals, time labels. Runs where the data is prepared (the server),
 * so the browser receives finished strings and never formats a date with its
 * own time zone or locale, which is what would make hydration disagree.
 */
import Decimal from "decimal.js";
import type { BucketUnit } from "../calendar";
import { formatGpuHours, formatMs, formatPercent, formatPerMillionTokens, formatQps } from "../display";
import { formatUsd } from "../money";
import type { ChartUnit, GapUnit, SumUnit } from "./units";

const NO_VALUE = "—";
const GPU_MS_PER_HOUR = 3_600_000;

/** A value with its unit: sums are exact bigint in their base unit, the rest plain numbers. */
export type ChartValue = { unit: SumUnit; value: bigint | null } | { unit: GapUnit; value: number | null };

/**
 * Exact, unit-bearing text: "$12,345.67" (half-even cents, as in tables),
 * "12,346 GPU-h", "1,234,567 tokens", "123 ms", "12.3 req/s",
 * "$6.67 / 1M tokens", "12.5%"; no value is "—".
 */
export function formatChartValue(input: ChartValue): string {
  if (input.value === null) return NO_VALUE;
  switch (input.unit) {
    case "usd":
      return formatUsd({ cents: input.value });
    case "gpuHours":
      return formatGpuHours(Number(input.value) / GPU_MS_PER_HOUR);
    case "tokens":
      return `${input.value.toLocaleString("en-US")} tokens`;
    case "requests":
      return `${input.value.toLocaleString("en-US")} requests`;
    case "ms":
      return formatMs(input.value);
    case "qps":
      return formatQps(input.value);
    case "usdPerMillionTokens":
      return formatPerMillionTokens(new Decimal(input.value));
    case "percent":
      return formatPercent(input.value);
  }
}

/**
 * The number a chart plots for an exact sum: dollars from cents (the displayed line items, money.ts rule 6),
 * hours from GPU-milliseconds, counts as they are. This is the one place
 * money becomes a float, and only for drawing: float dollars are never summed,
 * rounded or shown as text (tooltips and totals come from formatChartValue on
 * the exact bigint).
 */
export function toPlotNumber(unit: SumUnit, value: bigint): number {
  switch (unit) {
    case "usd":
      // Whole dollars and cents separately: exact up to 2^53 dollars.
      return Number(value / 100n) + Number(value % 100n) / 100;
    case "gpuHours":
      return Number(value) / GPU_MS_PER_HOUR;
    case "tokens":
    case "requests":
      return Number(value);
  }
}

/**
 * Text for a number already in the plotted unit (dollars, hours, counts, ms):
 * a reference line or threshold a page sets, not a measured amount.
 */
export function formatPlotValue(unit: ChartUnit, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE;
  switch (unit) {
    case "usd":
      return formatUsd({ cents: BigInt(Math.round(value * 100)) });
    case "gpuHours":
      return formatGpuHours(value);
    case "tokens":
    case "requests":
      return formatChartValue({ unit, value: BigInt(Math.round(value)) });
    default:
      return formatChartValue({ unit, value });
  }
}

export type BucketLabelStyle = "axis" | "full";

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function dateFormat(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const cacheKey = `${timeZone}|${JSON.stringify(options)}`;
  let format = formatterCache.get(cacheKey);
  if (format === undefined) {
    // en-US and an explicit zone: the same text on every machine.
    format = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
    formatterCache.set(cacheKey, format);
  }
  return format;
}

const HOUR: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const MONTH_DAY: Intl.DateTimeFormatOptions = { month: "short", day: "numeric" };
const MONTH_YEAR: Intl.DateTimeFormatOptions = { month: "short", year: "numeric" };
const FULL_HOUR: Intl.DateTimeFormatOptions = { ...MONTH_DAY, year: "numeric", ...HOUR, timeZoneName: "short" };
const FULL_DAY: Intl.DateTimeFormatOptions = { weekday: "short", ...MONTH_DAY, year: "numeric" };
const FULL_WEEK: Intl.DateTimeFormatOptions = { ...MONTH_DAY, year: "numeric" };
const FULL_MONTH: Intl.DateTimeFormatOptions = { month: "long", year: "numeric" };

/**
 * A bucket's label in the reporting zone, from its start instant.
 *
 * axis: hour "14:00" (the hour that starts a local day shows its date,
 * "Nov 3", so a multi-day hourly axis stays readable), day and week
 * "Nov 3", month "Nov 2026".
 *
 * full (tooltips, tables, summaries): "Nov 3, 2026, 14:00 EST" (the zone
 * name tells apart the two 01:00s of a fall-back night), "Tue, Nov 3,
 * 2026", "Week of Nov 3, 2026", "November 2026".
 */
export function formatBucketLabel({
  start,
  unit,
  timeZone,
  style,
}: {
  start: Date;
  unit: BucketUnit;
  timeZone: string;
  style: BucketLabelStyle;
}): string {
  if (style === "full") {
    switch (unit) {
      case "hour":
        return dateFormat(timeZone, FULL_HOUR).format(start);
      case "day":
        return dateFormat(timeZone, FULL_DAY).format(start);
      case "week":
        return `Week of ${dateFormat(timeZone, FULL_WEEK).format(start)}`;
      case "month":
        return dateFormat(timeZone, FULL_MONTH).format(start);
    }
  }
  switch (unit) {
    case "hour": {
      const time = dateFormat(timeZone, HOUR).format(start);
      return time === "00:00" ? dateFormat(timeZone, MONTH_DAY).format(start) : time;
    }
    case "day":
    case "week":
      return dateFormat(timeZone, MONTH_DAY).format(start);
    case "month":
      return dateFormat(timeZone, MONTH_YEAR).format(start);
  }
}
