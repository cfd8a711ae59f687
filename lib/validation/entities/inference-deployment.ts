import { z } from "zod";
import { BATCHING_LABELS, QUANTIZATION_LABELS, SERVING_ENGINE_LABELS } from "@/lib/domain/labels";
import { BATCHINGS, QUANTIZATIONS, SERVING_ENGINES } from "./enums";
import { choice, fieldsParsed, instant, integer, optional, recordId, required, text } from "./fields";
import {
  GPU_TYPE_MISSING,
  gpuCountField,
  gpuTypeIdField,
  parameterCountField,
  pricePerGpuHourField,
  pricingModelField,
  providerField,
} from "./shared-fields";

/** A model served on a fixed set of GPUs over [activeFrom, activeTo); no end while it is still serving. */
export const inferenceDeploymentSchema = z
  .object(
    {
      teamId: required(recordId({ label: "Team" }), "Choose a team"),
      name: required(text({ label: "Name", max: 200 })),
      model: required(text({ label: "Model", max: 200 })),
      parameterCount: optional(parameterCountField),
      servingEngine: required(choice({ label: "Serving engine", values: SERVING_ENGINES, labels: SERVING_ENGINE_LABELS })),
      quantization: required(choice({ label: "Quantization", values: QUANTIZATIONS, labels: QUANTIZATION_LABELS })),
      batching: required(choice({ label: "Batching", values: BATCHINGS, labels: BATCHING_LABELS })),
      maxBatchSize: optional(integer({ label: "Max batch size", min: 1, max: 65_536 })),
      gpuTypeId: required(gpuTypeIdField, GPU_TYPE_MISSING),
      provider: required(providerField),
      pricingModel: required(pricingModelField),
      gpuCount: required(gpuCountField),
      pricePerGpuHourOverride: optional(pricePerGpuHourField("Price override")),
      p99SloMs: optional(integer({ label: "p99 latency SLO", min: 1, max: 3_600_000, unit: " ms" })),
      activeFrom: required(instant({ label: "Active from" })),
      activeTo: optional(instant({ label: "Active until" })),
    },
    { error: "Expected the deployment's fields" },
  )
  .superRefine(
    ({ activeFrom, activeTo }, ctx) => {
      if (activeTo && activeTo <= activeFrom) {
        ctx.addIssue({ code: "custom", path: ["activeTo"], message: "Active until must be after active from" });
      }
    },
    { when: fieldsParsed("activeFrom", "activeTo") },
  );

export type InferenceDeploymentValues = z.output<typeof inferenceDeploymentSchema>;
