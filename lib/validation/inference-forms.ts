/**
 * How the deployment and usage forms are read (readForm options), shared by
 * the browser's inline validation and the server actions, and the form's
 * small vocabulary. No server imports: client components use this file.
 */

export const INFERENCE_DEPLOYMENT_FORM = {
  dateTimeFields: ["activeFrom", "activeTo"],
  checkboxes: [],
} as const;

export const USAGE_WINDOW_FORM = {
  dateTimeFields: ["windowStart"],
  checkboxes: [],
} as const;

/** The submit button that asks to go straight on to the next period. */
export const SAVE_AND_ADD_NEXT = { name: "_intent", value: "next" } as const;

/** Quick choices for a usage period's length, in seconds. */
export const USAGE_LENGTH_PRESETS = [
  { seconds: 3_600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 604_800, label: "1 week" },
] as const;

/** Field labels for error summaries, conflict tables and audit history (plain data, so server pages can use them too). */
export const DEPLOYMENT_FIELD_LABELS: Record<string, string> = {
  name: "Name",
  teamId: "Team",
  model: "Model",
  parameterCount: "Parameters",
  servingEngine: "Serving engine",
  quantization: "Quantization",
  batching: "Batching",
  maxBatchSize: "Max batch size",
  p99SloMs: "p99 latency SLO",
  gpuTypeId: "GPU type",
  gpuCount: "GPU count",
  provider: "Provider",
  pricingModel: "Pricing model",
  pricePerGpuHourOverride: "Price override",
  activeFrom: "Active from",
  activeTo: "Active until",
};

export const USAGE_FIELD_LABELS: Record<string, string> = {
  windowStart: "Start",
  windowSeconds: "Length",
  requests: "Requests",
  errors: "Errors",
  inputTokens: "Input tokens",
  cachedInputTokens: "Cached input tokens",
  outputTokens: "Output tokens",
  latencyP50Ms: "p50 latency",
  latencyP95Ms: "p95 latency",
  latencyP99Ms: "p99 latency",
  avgGpuUtilizationPct: "GPU utilization",
  deploymentId: "Deployment",
};
