import { z } from "zod";
import { PRECISIONS, PRICING_MODELS, RUN_STATUSES, TRAINING_METHODS } from "@/lib/validation/entities/enums";

/**
 * The JSON shape of a training run in API v1 (PUT /api/v1/runs/{externalId}).
 * Types only: the values are then read by the entity's own schema
 * (trainingRunSchema — the one the form and the CSV import use), which
 * holds the rules and words the messages.
 */

const numberLike = (description: string) => z.union([z.number(), z.string()]).meta({ description });
const money = (description: string) => z.union([z.number(), z.string()]).meta({ description: `${description} US dollars, up to 6 decimals; a string keeps it exact.`, examples: ["12.50"] });

export const runParamsSchema = z.object({
  externalId: z
    .string()
    .min(1)
    .max(200, { error: "externalId must be at most 200 characters" })
    .regex(/^[\x21-\x7e]+$/, { error: "externalId must be printable ASCII without spaces (URL-encode it in the path)" })
    .meta({ description: "Your id for the run, e.g. the scheduler's job id. Unique within the team." }),
});

export const runInputSchema = z
  .object({
    team: z.string().optional().meta({ description: "The team's slug. An API key writes only to its own team (this may be left out); with a session it is required." }),
    name: z.string().optional().meta({ description: "Run name (up to 200 characters). Required when the run is created.", examples: ["llama-sft-42"] }),
    model: z.string().optional().meta({ description: "Model trained, e.g. llama-3.1-8b. Required when the run is created.", examples: ["llama-3.1-8b"] }),
    parameterCount: numberLike("Model parameters, e.g. 8000000000.").optional().meta({ examples: [8000000000] }),
    method: z.enum(TRAINING_METHODS).optional().meta({ description: "Required when the run is created." }),
    precision: z.enum(PRECISIONS).optional().meta({ description: "Required when the run is created." }),
    gradientCheckpointing: z.boolean().optional(),
    flashAttention: z.boolean().optional(),
    zeroStage: z.number().int().nullable().optional().meta({ description: "DeepSpeed ZeRO stage 0–3; null when not used." }),
    gradientAccumulationSteps: z.number().int().optional(),
    gpuType: z.string().optional().meta({ description: "GPU type's name in the price catalog, e.g. H100 80GB. Required when the run is created.", examples: ["H100 80GB"] }),
    provider: z.string().optional().meta({ description: "Where it runs, as in the price catalog, e.g. aws. Required when the run is created.", examples: ["aws"] }),
    pricingModel: z.enum(PRICING_MODELS).optional().meta({ description: "Required when the run is created." }),
    gpuCount: z.number().int().optional().meta({ description: "Required when the run is created.", examples: [8] }),
    startedAt: z.string().optional().meta({ description: "RFC 3339 instant with Z or an offset. Required when the run is created.", examples: ["2026-11-30T08:00:00Z"] }),
    endedAt: z.string().nullable().optional().meta({ description: "RFC 3339 instant; required with a finished status, null while running." }),
    status: z.enum(RUN_STATUSES).optional().meta({ description: "Required when the run is created. SUCCEEDED, FAILED and CANCELLED need endedAt." }),
    tokensProcessed: numberLike("Training tokens processed.").nullable().optional(),
    throughputTokensPerSec: numberLike("Tokens per second.").nullable().optional(),
    avgGpuUtilizationPct: numberLike("Average GPU utilization, percent 0–100.").nullable().optional(),
    pricePerGpuHourOverride: money("A negotiated price per GPU-hour that replaces the catalog's.").nullable().optional(),
    storageCostUsd: money("Storage cost of the run.").optional(),
    dataCostUsd: money("Data cost of the run.").optional(),
    networkCostUsd: money("Network cost of the run.").optional(),
    notes: z.string().nullable().optional(),
  })
  .strict()
  .meta({ id: "TrainingRunInput", description: "A training run's fields. On create, the required ones must be present; on update, fields left out keep their stored values." });

export const runResultSchema = z
  .object({
    id: z.number().int().meta({ description: "Burnrate's id (the run's page is /training/<id>)." }),
    externalId: z.string(),
    team: z.string().meta({ description: "The team's slug." }),
    name: z.string(),
    status: z.enum(RUN_STATUSES),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    action: z.enum(["created", "updated", "unchanged"]),
    url: z.string().meta({ description: "Path of the run's page." }),
  })
  .meta({ id: "TrainingRunResult" });

export type RunInput = z.output<typeof runInputSchema>;
