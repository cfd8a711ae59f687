/**
 * The catalog price the estimator uses for a GPU type when none is entered:
 * of the prices in effect at `now`, the lowest on-demand one (any provider);
 * when a type has no on-demand price, the lowest of any pricing model. One
 * rule for every GPU type, so the comparison across types is like for like.
 * Pure: the estimator page runs it on the server and shows which price it is.
 */
import { formatPricePerGpuHour } from "../display";
import { PRICING_MODEL_LABELS } from "../labels";

export type PricingModel = keyof typeof PRICING_MODEL_LABELS;

export interface CatalogPriceRow {
  provider: string;
  pricingModel: PricingModel;
  pricePerGpuHourMicros: bigint;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export interface EstimatorCatalogPrice {
  pricePerGpuHourMicros: bigint;
  provider: string;
  pricingModel: PricingModel;
}

/** The lowest on-demand price in effect at `now`, else the lowest of any pricing model; null without one. */
export function estimatorCatalogPrice(prices: readonly CatalogPriceRow[], now: Date): EstimatorCatalogPrice | null {
  const inEffect = prices.filter((p) => p.effectiveFrom <= now && (p.effectiveTo === null || p.effectiveTo > now));
  const onDemand = inEffect.filter((p) => p.pricingModel === "ON_DEMAND");
  const pool = onDemand.length > 0 ? onDemand : inEffect;
  let best: CatalogPriceRow | null = null;
  for (const p of pool) {
    if (!best || p.pricePerGpuHourMicros < best.pricePerGpuHourMicros || (p.pricePerGpuHourMicros === best.pricePerGpuHourMicros && p.provider < best.provider)) best = p;
  }
  return best ? { pricePerGpuHourMicros: best.pricePerGpuHourMicros, provider: best.provider, pricingModel: best.pricingModel } : null;
}

/** "$2.50 / GPU-h (aws On-demand, catalog)" or "no catalog price". */
export function describeCatalogPrice(price: EstimatorCatalogPrice | null): string {
  return price === null ? "no catalog price" : `${formatPricePerGpuHour(price.pricePerGpuHourMicros)} (${price.provider} ${PRICING_MODEL_LABELS[price.pricingModel]}, catalog)`;
}
