import { z } from "zod";
import { PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import type { PricingModel } from "./enums";
import type { FieldErrors } from "./field-errors";
import { fieldsParsed, formatInstant, instant, optional, required } from "./fields";
import { GPU_TYPE_MISSING, gpuTypeIdField, pricePerGpuHourField, pricingModelField, providerField } from "./shared-fields";

/** A list price in effect over [effectiveFrom, effectiveTo); no end means "until further notice". */
export const gpuPriceSchema = z
  .object(
    {
      gpuTypeId: required(gpuTypeIdField, GPU_TYPE_MISSING),
      provider: required(providerField),
      pricingModel: required(pricingModelField),
      pricePerGpuHour: required(pricePerGpuHourField("Price per GPU-hour")),
      effectiveFrom: required(instant({ label: "Effective from" })),
      effectiveTo: optional(instant({ label: "Effective until" })),
    },
    { error: "Expected the GPU price's fields" },
  )
  .superRefine(
    ({ effectiveFrom, effectiveTo }, ctx) => {
      if (effectiveTo && effectiveTo <= effectiveFrom) {
        ctx.addIssue({ code: "custom", path: ["effectiveTo"], message: "Effective until must be after effective from" });
      }
    },
    { when: fieldsParsed("effectiveFrom", "effectiveTo") },
  );

export type GpuPriceValues = z.output<typeof gpuPriceSchema>;

export interface PricePeriod {
  /** Set for a stored price; a candidate with an id never overlaps itself (editing). */
  id?: number;
  gpuTypeId: number;
  provider: string;
  pricingModel: PricingModel;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

/**
 * The first existing price period for the same GPU type, provider and pricing
 * model that overlaps the candidate's [from, to) (null `to` = open-ended), or
 * null. Periods that only touch (one ends when the other starts) don't
 * overlap. Lets an action answer with a field error before the database's
 * exclusion constraint rejects the write.
 */
export function findOverlappingPeriod<T extends PricePeriod>(candidate: PricePeriod, existing: readonly T[]): T | null {
  const candidateEnd = candidate.effectiveTo?.getTime() ?? Infinity;
  for (const period of existing) {
    if (candidate.id !== undefined && period.id === candidate.id) continue;
    if (period.gpuTypeId !== candidate.gpuTypeId || period.provider !== candidate.provider || period.pricingModel !== candidate.pricingModel) continue;
    const periodEnd = period.effectiveTo?.getTime() ?? Infinity;
    if (candidate.effectiveFrom.getTime() < periodEnd && period.effectiveFrom.getTime() < candidateEnd) return period;
  }
  return null;
}

/**
 * The field error for an overlap: on "Effective from" when the existing price
 * is already in effect at the candidate's start, otherwise on "Effective
 * until" (the candidate runs into a later price). Times are in `timeZone`, the
 * form's, when given.
 */
export function overlapFieldErrors(candidate: PricePeriod, overlap: PricePeriod, timeZone?: string): FieldErrors {
  const what = `the ${PRICING_MODEL_LABELS[overlap.pricingModel]} price for this GPU on ${overlap.provider}`;
  if (overlap.effectiveFrom <= candidate.effectiveFrom) {
    const until = overlap.effectiveTo ? `until ${formatInstant(overlap.effectiveTo, timeZone)}` : "with no end date";
    return { effectiveFrom: [`Overlaps ${what} in effect from ${formatInstant(overlap.effectiveFrom, timeZone)} ${until}; start after it ends or end it first`] };
  }
  return { effectiveTo: [`Overlaps ${what} starting ${formatInstant(overlap.effectiveFrom, timeZone)}; end on or before then`] };
}
