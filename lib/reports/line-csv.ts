import { tz } from "@date-fns/tz";
import { format } from "date-fns";
import { pad2, wallClock } from "@/lib/domain/local-time";
import type { CsvCell } from "./csv";
import { lineCents, type PriceUsed, type ReportContext, type ReportLine } from "./line";

/**
 * The line-item CSV: one row per run or deployment per month (or day), and
 * one per correction. Money columns are the line's displayed cents as
 * dollars ("12.34"), so the column sums are the report's totals to the cent;
 * exact micro-dollar amounts sit beside them. Times are ISO 8601 with the
 * report zone's offset ("2026-10-01T00:00:00+01:00"), so they read in the
 * report's zone and stay unambiguous.
 */
export const LINE_CSV_COLUMNS = [
  "period",
  "time_zone",
  "line_type",
  "team_slug",
  "team",
  "kind",
  "item_id",
  "item_name",
  "model",
  "gpu_type",
  "provider",
  "pricing_model",
  "gpu_count",
  "charge_start",
  "charge_end",
  "gpu_hours",
  "unpriced_gpu_hours",
  "tokens",
  "input_tokens",
  "cached_input_tokens",
  "output_tokens",
  "requests",
  "p99_latency_ms",
  "price_per_gpu_hour_usd",
  "price_source",
  "compute_cost_usd",
  "storage_data_network_cost_usd",
  "total_cost_usd",
  "compute_cost_micro_usd",
  "storage_data_network_cost_micro_usd",
  "corrects_month",
  "correction_cause",
  "audit_entry_ids",
] as const;

/** Cents as dollars with two decimals: 1234n → "12.34", -5n → "-0.05". */
export function centsToDollars(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const m = cents < 0n ? -cents : cents;
  return `${sign}${m / 100n}.${String(m % 100n).padStart(2, "0")}`;
}

/** Micro-dollars as dollars with six decimals: 2_500_000n → "2.500000". */
export function microsToDollars(micros: bigint): string {
  const sign = micros < 0n ? "-" : "";
  const m = micros < 0n ? -micros : micros;
  return `${sign}${m / 1_000_000n}.${String(m % 1_000_000n).padStart(6, "0")}`;
}

/** GPU-milliseconds as GPU-hours, exact to 6 decimals (rounded half away from zero at the 7th), trailing zeros kept off. */
export function gpuHoursText(gpuMs: bigint): string {
  const sign = gpuMs < 0n ? "-" : "";
  const m = gpuMs < 0n ? -gpuMs : gpuMs;
  // 1 GPU-hour = 3,600,000 GPU-ms; micro-GPU-hours = ms / 3.6, rounded.
  const microHours = (m * 10n + 18n) / 36n;
  const whole = microHours / 1_000_000n;
  const fraction = String(microHours % 1_000_000n).padStart(6, "0").replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** An instant in the report zone, ISO 8601 with offset ("2026-10-01T00:00:00-07:00", "…Z" at offset zero). */
export function localIso(instant: Date, timeZone: string): string {
  // An export repeats the same instants (day and month bounds) on every line:
  // a bounded memo saves their formatting; other instants are formatted from
  // the zone's wall clock (date-fns' format, the fallback, is ~10× slower).
  let memo = isoMemo.get(timeZone);
  if (!memo) isoMemo.set(timeZone, (memo = new Map()));
  const key = instant.getTime();
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const w = wallClock(instant, timeZone);
  const text = w
    ? `${w.year}-${pad2(w.month)}-${pad2(w.day)}T${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}${offsetText(w.offsetMinutes)}`
    : format(instant, "yyyy-MM-dd'T'HH:mm:ssXXX", { in: tz(timeZone) });
  if (memo.size >= 4096) memo.clear();
  memo.set(key, text);
  return text;
}
/** Per zone: instant (ms) → text. */
const isoMemo = new Map<string, Map<number, string>>();

/** date-fns' XXX: "Z" at offset zero, else "+05:30" / "-07:00". */
function offsetText(offsetMinutes: number): string {
  if (offsetMinutes === 0) return "Z";
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes > 0 ? "+" : "-"}${pad2(Math.trunc(abs / 60))}:${pad2(abs % 60)}`;
}

/** "2026-10" for a month line, "2026-10-05" for a day line, in the report zone. */
export function periodLabel(line: Pick<ReportLine, "periodStart" | "periodEnd">, timeZone: string): string {
  const days = (line.periodEnd.getTime() - line.periodStart.getTime()) / 86_400_000;
  const w = wallClock(line.periodStart, timeZone);
  if (!w) return format(line.periodStart, days > 1.5 ? "yyyy-MM" : "yyyy-MM-dd", { in: tz(timeZone) });
  return days > 1.5 ? `${w.year}-${pad2(w.month)}` : `${w.year}-${pad2(w.month)}-${pad2(w.day)}`;
}

/** "2.500000" for one price; "2.500000 until 2026-10-29T00:00:00+00:00; 1.990000" for a price change inside the line. */
export function pricesText(prices: readonly PriceUsed[], timeZone: string): string | null {
  if (prices.length === 0) return null;
  return prices
    .map((p, i) => (i < prices.length - 1 ? `${microsToDollars(p.pricePerGpuHourMicros)} until ${localIso(p.to, timeZone)}` : microsToDollars(p.pricePerGpuHourMicros)))
    .join("; ");
}

const PRICING_MODEL: Record<ReportLine["pricingModel"], string> = { ON_DEMAND: "on-demand", SPOT: "spot", RESERVED: "reserved", ON_PREM: "on-prem" };

/** Which LINE_CSV_COLUMNS are number cells, by position (the rest are text). */
export const LINE_CSV_NUMBER_CELLS: readonly boolean[] = LINE_CSV_COLUMNS.map((column) =>
  [
    "item_id",
    "gpu_count",
    "gpu_hours",
    "unpriced_gpu_hours",
    "tokens",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "requests",
    "p99_latency_ms",
    "compute_cost_usd",
    "storage_data_network_cost_usd",
    "total_cost_usd",
    "compute_cost_micro_usd",
    "storage_data_network_cost_micro_usd",
  ].includes(column),
);

/** A line's cells as plain values in LINE_CSV_COLUMNS order (LINE_CSV_NUMBER_CELLS says which are numbers): csvValuesRow writes them without cell objects. */
export function lineCsvValues(line: ReportLine, ctx: Pick<ReportContext, "timeZone">): (string | bigint | number | null)[] {
  const z = ctx.timeZone;
  const tokens =
    line.kind === "training" ? line.trainingTokens : line.inputTokens === null && line.outputTokens === null ? null : (line.inputTokens ?? 0n) + (line.outputTokens ?? 0n);
  const sources = line.prices.length === 1 ? line.prices[0]!.source : [...new Set(line.prices.map((p) => p.source))].join("; ");
  return [
    line.lineType === "correction" ? (line.correction?.correctsMonth ?? periodLabel(line, z)) : periodLabel(line, z),
    z,
    line.lineType,
    line.teamSlug,
    line.teamName,
    line.kind,
    line.itemId,
    line.itemName,
    line.model,
    line.gpuTypeName,
    line.provider,
    PRICING_MODEL[line.pricingModel],
    line.gpuCount,
    localIso(line.chargeStart, z),
    localIso(line.chargeEnd, z),
    gpuHoursText(line.gpuMs),
    gpuHoursText(line.unpricedGpuMs),
    tokens,
    line.inputTokens,
    line.cachedInputTokens,
    line.outputTokens,
    line.requests,
    line.p99LatencyMs === null ? null : line.p99LatencyMs.toFixed(1),
    pricesText(line.prices, z),
    sources || null,
    centsToDollars(line.computeCents),
    centsToDollars(line.extraCents),
    centsToDollars(lineCents(line)),
    line.computeMicros,
    line.extraMicros,
    line.correction?.correctsMonth ?? null,
    line.correction?.cause ?? null,
    line.correction ? line.correction.auditEntryIds.join(" ") || null : null,
  ];
}

export function lineCsvRow(line: ReportLine, ctx: Pick<ReportContext, "timeZone">): CsvCell[] {
  return lineCsvValues(line, ctx).map((value, i): CsvCell => (LINE_CSV_NUMBER_CELLS[i] ? { number: value } : { text: value as string | null }));
}
