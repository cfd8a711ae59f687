import type { CatalogPriceOption } from "@/lib/db/queries/record-forms";
import type { FormValues } from "./use-record-form";

export type { CatalogPriceOption };

/** Select options for an enum, labelled for people. */
export const enumOptions = <V extends string>(values: readonly V[], labels: Record<V, string>) => values.map((value) => ({ value, label: labels[value] }));

export const DIGITS = /^\s*\d+\s*$/;
export const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;

/** The catalog price periods for the form's GPU type, provider and pricing model, in the engine's shape. */
export function catalogPricesFor(all: readonly CatalogPriceOption[], values: FormValues) {
  return all
    .filter((p) => String(p.gpuTypeId) === values.gpuTypeId && p.provider === values.provider?.trim().toLowerCase() && p.pricingModel === values.pricingModel)
    .map((p) => ({ pricePerGpuHour: p.pricePerGpuHour, effectiveFrom: new Date(p.effectiveFrom), effectiveTo: p.effectiveTo ? new Date(p.effectiveTo) : null }));
}
