/** How each record form's fields are read (shared by the browser form and the server action). */

export const TRAINING_RUN_FORM_FIELDS = {
  dateTimeFields: ["startedAt", "endedAt"],
  checkboxes: ["gradientCheckpointing", "flashAttention"],
} as const;

/** Field labels of the run form, for error summaries, conflicts and the audit history (a plain module: server pages read it too). */
export const RUN_FIELD_LABELS: Record<string, string> = {
  name: "Name",
  teamId: "Team",
  model: "Model",
  parameterCount: "Parameters",
  method: "Method",
  precision: "Precision",
  status: "Status",
  gpuTypeId: "GPU type",
  gpuCount: "GPU count",
  provider: "Provider",
  pricingModel: "Pricing model",
  pricePerGpuHourOverride: "Price override",
  startedAt: "Start",
  endedAt: "End",
  tokensProcessed: "Tokens processed",
  throughputTokensPerSec: "Throughput",
  avgGpuUtilizationPct: "GPU utilization",
  storageCostUsd: "Storage cost",
  dataCostUsd: "Data cost",
  networkCostUsd: "Network cost",
  gradientCheckpointing: "Gradient checkpointing",
  flashAttention: "Flash attention",
  zeroStage: "ZeRO stage",
  gradientAccumulationSteps: "Gradient accumulation",
  notes: "Notes",
};
