import { z } from "zod";
import { PRECISION_LABELS, RUN_STATUS_LABELS, TRAINING_METHOD_LABELS } from "@/lib/domain/labels";
import { FINISHED_RUN_STATUSES, PRECISIONS, RUN_STATUSES, TRAINING_METHODS, type RunStatus } from "./enums";
import {
  CLOCK_SKEW_MS,
  bigInteger,
  choice,
  decimal,
  fieldsParsed,
  flag,
  instant,
  integer,
  optional,
  recordId,
  required,
  text,
  withDefault,
} from "./fields";
import {
  GPU_TYPE_MISSING,
  MAX_USD_EXCLUSIVE,
  gpuCountField,
  gpuTypeIdField,
  gpuUtilizationPctField,
  parameterCountField,
  pricePerGpuHourField,
  pricingModelField,
  providerField,
} from "./shared-fields";

const costField = (label: string) => decimal({ label, scale: 6, min: "0", max: MAX_USD_EXCLUSIVE, maxExclusive: true, money: true });

function isFinished(status: RunStatus): boolean {
  return (FINISHED_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

/**
 * A training run. A factory because "not in the future" needs the clock:
 * pass the server's `now` (tests pass a fixed one).
 */
export function trainingRunSchema({ now }: { now: Date }) {
  const latest = now.getTime() + CLOCK_SKEW_MS;
  return z
    .object(
      {
        teamId: required(recordId({ label: "Team" }), "Choose a team"),
        name: required(text({ label: "Name", max: 200 })),
        model: required(text({ label: "Model", max: 200 })),
        parameterCount: optional(parameterCountField),
        method: required(choice({ label: "Training method", values: TRAINING_METHODS, labels: TRAINING_METHOD_LABELS })),
        precision: required(choice({ label: "Precision", values: PRECISIONS, labels: PRECISION_LABELS })),
        gradientCheckpointing: withDefault(flag({ label: "Gradient checkpointing" }), false),
        flashAttention: withDefault(flag({ label: "Flash attention" }), false),
        zeroStage: optional(integer({ label: "ZeRO stage", min: 0, max: 3 })),
        gradientAccumulationSteps: withDefault(integer({ label: "Gradient accumulation steps", min: 1, max: 4096 }), 1),
        gpuTypeId: required(gpuTypeIdField, GPU_TYPE_MISSING),
        provider: required(providerField),
        pricingModel: required(pricingModelField),
        gpuCount: required(gpuCountField),
        startedAt: required(instant({ label: "Start" })),
        endedAt: optional(instant({ label: "End" })),
        status: required(choice({ label: "Status", values: RUN_STATUSES, labels: RUN_STATUS_LABELS })),
        tokensProcessed: optional(bigInteger({ label: "Tokens processed", min: 0n, max: 10n ** 16n })),
        throughputTokensPerSec: optional(decimal({ label: "Throughput", scale: 3, min: "0", max: "1000000000000", unit: " tokens/s" })),
        avgGpuUtilizationPct: optional(gpuUtilizationPctField),
        pricePerGpuHourOverride: optional(pricePerGpuHourField("Price override")),
        storageCostUsd: withDefault(costField("Storage cost"), "0"),
        dataCostUsd: withDefault(costField("Data cost"), "0"),
        networkCostUsd: withDefault(costField("Network cost"), "0"),
        notes: optional(text({ label: "Notes", max: 5000, multiline: true })),
      },
      { error: "Expected the training run's fields" },
    )
    .superRefine(
      ({ startedAt, endedAt }, ctx) => {
        if (startedAt.getTime() > latest) {
          ctx.addIssue({ code: "custom", path: ["startedAt"], message: "Start can't be in the future" });
        }
        if (endedAt && endedAt.getTime() > latest) {
          ctx.addIssue({ code: "custom", path: ["endedAt"], message: "End can't be in the future; leave it empty while the run is going" });
        } else if (endedAt && endedAt <= startedAt) {
          ctx.addIssue({ code: "custom", path: ["endedAt"], message: "End must be after start" });
        }
      },
      { when: fieldsParsed("startedAt", "endedAt") },
    )
    .superRefine(
      ({ status, endedAt }, ctx) => {
        // A recorded end time is a fact; a status left on "Running" is the likelier slip, so that is what gets flagged.
        if (isFinished(status) && !endedAt) {
          ctx.addIssue({ code: "custom", path: ["endedAt"], message: `A ${RUN_STATUS_LABELS[status].toLowerCase()} run needs an end time` });
        } else if (!isFinished(status) && endedAt) {
          ctx.addIssue({
            code: "custom",
            path: ["status"],
            message: `A ${RUN_STATUS_LABELS[status].toLowerCase()} run has no end time: choose Succeeded, Failed or Cancelled, or clear End`,
          });
        }
      },
      { when: fieldsParsed("status", "endedAt") },
    );
}

export type TrainingRunValues = z.output<ReturnType<typeof trainingRunSchema>>;
