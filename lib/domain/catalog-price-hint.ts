/**
 * The catalog price(s) a form's price hint shows: those in effect over the
 * dates entered (start..end, or start..now for something still running), not
 * today's price — a past run costed from today's price gives a wrong figure.
 * Pure: the forms call it in the browser as the person types.
 */
import { formatPricePerGpuHour } from "./display";
import type { PricePeriod } from "./gpu-time-cost";
import { priceSpans } from "./gpu-time-cost";
import { formatDateTime } from "./labels";
import { microsToDecimalString } from "./money";
import type { TimeRange } from "./time-range";

/** One stretch of the entered interval at one catalog price, or with none (`pricePerGpuHourMicros` null). */
export interface CatalogPriceStretch extends TimeRange {
  pricePerGpuHourMicros: bigint | null;
}

/**
 * The catalog prices in effect over `interval`, as contiguous stretches
 * covering it (the engine's own rule for which period is in effect, so the
 * hint names exactly the prices the cost uses); stretches with no price are
 * kept, so a gap shows. Neighbouring stretches at the same price are merged.
 */
export function catalogPricesOver({ catalogPrices, interval }: { catalogPrices: readonly PricePeriod[]; interval: TimeRange }): CatalogPriceStretch[] {
  if (interval.end.getTime() <= interval.start.getTime()) {
    // An instant (or nothing): the price in effect at the start.
    const at = priceSpans({ interval: { start: interval.start, end: new Date(interval.start.getTime() + 1) }, pricePerGpuHourOverride: null, catalogPrices });
    return at.map((s) => ({ start: interval.start, end: interval.start, pricePerGpuHourMicros: s.pricePerGpuHourMicros }));
  }
  const stretches: CatalogPriceStretch[] = [];
  for (const span of priceSpans({ interval, pricePerGpuHourOverride: null, catalogPrices })) {
    const last = stretches.at(-1);
    if (last && last.pricePerGpuHourMicros === span.pricePerGpuHourMicros) last.end = span.end;
    else stretches.push({ start: span.start, end: span.end, pricePerGpuHourMicros: span.pricePerGpuHourMicros });
  }
  return stretches;
}

/**
 * "Catalog: $2.50 / GPU-h until 2026-10-01 00:00, then $3.10 / GPU-h
 * (Europe/London)" — the prices over the entered interval, times in the
 * form's zone; "Catalog: $2.50 / GPU-h" when one price covers it all; null
 * when no catalog price is in effect at any point of it.
 */
export function catalogPriceHint({
  catalogPrices,
  interval,
  timeZone,
}: {
  catalogPrices: readonly PricePeriod[];
  interval: TimeRange;
  timeZone: string;
}): { text: string; stretches: CatalogPriceStretch[] } | null {
  const stretches = catalogPricesOver({ catalogPrices, interval });
  if (stretches.every((s) => s.pricePerGpuHourMicros === null)) return null;
  const price = (s: CatalogPriceStretch) => (s.pricePerGpuHourMicros === null ? "no catalog price" : formatPricePerGpuHour(s.pricePerGpuHourMicros));
  if (stretches.length === 1) return { text: `Catalog: ${price(stretches[0]!)}`, stretches };
  const parts = stretches.map((s, i) => `${i === 0 ? "" : "then "}${price(s)}${i < stretches.length - 1 ? ` until ${formatDateTime({ instant: s.end, timeZone })}` : ""}`);
  return { text: `Catalog: ${parts.join(", ")} (${timeZone})`, stretches };
}

/** The single catalog price over the interval as the override field's placeholder ("2.5"), or "" when it changes or is missing. */
export function catalogPricePlaceholder(stretches: readonly CatalogPriceStretch[]): string {
  const [only] = stretches;
  if (stretches.length !== 1 || !only || only.pricePerGpuHourMicros === null) return "";
  return microsToDecimalString(only.pricePerGpuHourMicros).replace(/0+$/, "").replace(/\.$/, "");
}
