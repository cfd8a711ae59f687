import { PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { PRICING_MODELS } from "./enums";
import { bigInteger, choice, decimal, integer, providerKey, recordId } from "./fields";

/** Fields that mean the same thing on several entities, so they are checked the same way everywhere. */

export const gpuTypeIdField = recordId({ label: "GPU type" });
export const GPU_TYPE_MISSING = "Choose a GPU type";

export const providerField = providerKey({ label: "Provider" });

export const pricingModelField = choice({ label: "Pricing model", values: PRICING_MODELS, labels: PRICING_MODEL_LABELS });

export const gpuCountField = integer({ label: "GPU count", min: 1, max: 100_000 });

/** A list price or an override of it: dollars per GPU-hour, to the micro-dollar. */
export function pricePerGpuHourField(label: string) {
  return decimal({ label, scale: 6, min: "0", minExclusive: true, max: "10000", money: true });
}

export const parameterCountField = bigInteger({ label: "Parameter count", min: 1n, max: 10n ** 13n });

/** Average GPU utilization, percent; numeric(5, 2). */
export const gpuUtilizationPctField = decimal({ label: "Average GPU utilization", scale: 2, min: "0", max: "100", unit: "%" });

/** numeric(18, 6) holds at most 12 digits before the point, so "less than $1,000,000,000,000". */
export const MAX_USD_EXCLUSIVE = "1000000000000";
