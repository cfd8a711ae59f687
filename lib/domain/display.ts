/**
 * Numbers with their units, for tables, cards and charts. No value
 * (null) is always "—". Formatting is en-US regardless of the runtime's
 * locale, so server and client render the same text. Money amounts are
 * formatted by money.ts's formatUsd; the money here is rates and prices.
 */
import Decimal from "decimal.js";
import { MICROS_PER_USD } from "./money";

const NO_VALUE = "—";

function formatNumber(value: number, options: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat("en-US", options).format(value);
}

/** "1234.5" → "1,234.5", digits kept exactly as given. */
function groupThousands(plain: string): string {
  const [whole = "0", fraction] = plain.replace("-", "").split(".");
  const sign = plain.startsWith("-") ? "-" : "";
  return `${sign}${BigInt(whole).toLocaleString("en-US")}${fraction === undefined ? "" : `.${fraction}`}`;
}

function withDollarSign(plain: string): string {
  return plain.startsWith("-") ? `-$${plain.slice(1)}` : `$${plain}`;
}

/**
 * A money rate: cents from $1 up ("$12.35"), three significant digits below
 * ("$0.0123"), half-even. Rates this small are why it is not formatUsd.
 */
export function formatUsdRate(usd: Decimal | null): string {
  if (usd === null) return NO_VALUE;
  const rounded =
    usd.abs().gte(1) ? usd.toFixed(2, Decimal.ROUND_HALF_EVEN) : usd.toSignificantDigits(3, Decimal.ROUND_HALF_EVEN).toFixed();
  const [, fraction = ""] = rounded.split(".");
  const plain = fraction.length >= 2 ? rounded : new Decimal(rounded).toFixed(2);
  return withDollarSign(groupThousands(plain));
}

export function formatPerMillionTokens(usd: Decimal | null): string {
  return usd === null ? NO_VALUE : `${formatUsdRate(usd)} / 1M tokens`;
}

export function formatPerThousandRequests(usd: Decimal | null): string {
  return usd === null ? NO_VALUE : `${formatUsdRate(usd)} / 1k requests`;
}

/** A catalog price exactly as stored, at least to cents: "$2.4567 / GPU-h". */
export function formatPricePerGpuHour(pricePerGpuHourMicros: bigint | null): string {
  if (pricePerGpuHourMicros === null) return NO_VALUE;
  const exact = new Decimal(pricePerGpuHourMicros.toString()).div(MICROS_PER_USD.toString());
  const plain = exact.decimalPlaces() > 2 ? exact.toFixed() : exact.toFixed(2);
  return `${withDollarSign(groupThousands(plain))} / GPU-h`;
}

export function formatGpuHours(gpuHours: number | null): string {
  if (gpuHours === null) return NO_VALUE;
  const magnitude = Math.abs(gpuHours);
  const fractionDigits = magnitude < 10 ? 2 : magnitude < 1000 ? 1 : 0;
  return `${formatNumber(gpuHours, { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits })} GPU-h`;
}

/** "0.85 ms", "123 ms", "1.23 s". */
export function formatMs(ms: number | null): string {
  if (ms === null) return NO_VALUE;
  if (Math.abs(ms) >= 1000) return `${formatNumber(ms / 1000, { maximumSignificantDigits: 3 })} s`;
  return `${formatNumber(ms, { maximumSignificantDigits: 3 })} ms`;
}

/** A 0..1 fraction as "12.3%"; a non-zero share too small to show is "<0.1%". */
export function formatPercent(fraction: number | null): string {
  if (fraction === null) return NO_VALUE;
  if (fraction > 0 && fraction < 0.0005) return "<0.1%";
  return `${formatNumber(fraction * 100, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

/** Requests per second: "0.0123 req/s", "12.3 req/s", "1,234 req/s". */
export function formatQps(qps: number | null): string {
  if (qps === null) return NO_VALUE;
  const options: Intl.NumberFormatOptions =
    Math.abs(qps) >= 1000 ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 3 };
  return `${formatNumber(qps, options)} req/s`;
}

/**
 * An exact length of time for "a × b = c" lines: "21 h", "1 h 30 min",
 * "45 min 10 s", "250 ms". Nothing is rounded away (a fraction of a second
 * shows as ms), so the factors of a line multiply to its product.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NO_VALUE;
  if (ms === 0) return "0 h";
  const whole = Math.floor(ms);
  const parts: [number, string][] = [
    [Math.floor(whole / 3_600_000), "h"],
    [Math.floor((whole % 3_600_000) / 60_000), "min"],
    [Math.floor((whole % 60_000) / 1000), "s"],
    [whole % 1000, "ms"],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n.toLocaleString("en-US")} ${unit}`)
    .join(" ");
}

/** "1 GPU", "8 GPUs". */
export function formatGpuCount(gpuCount: number): string {
  return `${gpuCount.toLocaleString("en-US")} GPU${gpuCount === 1 ? "" : "s"}`;
}
