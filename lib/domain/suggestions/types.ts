/**
 * Optimization suggestions: what the rules read (facts a read model fills
 * from the ledger, the usage rollups and the catalog) and what they return.
 *
 * Conventions, the same as the rest of lib/domain:
 * - Money is bigint: cents for amounts that come from the ledger (the
 *   displayed cents of the item in the period, money.ts rule 6) and
 *   micro-dollars for catalog prices. A suggestion's saving is bigint cents.
 * - Durations are whole milliseconds (number), as inference-cost.ts returns
 *   them. Measured ratios (utilization, MFU) are numbers; the rules turn them
 *   into basis points once and do all further arithmetic in bigint.
 * - Missing data is null ("no data"), never 0: a deployment without usage
 *   records has `utilization: null`, `p99Ms: null`, and its unrecorded time is
 *   untracked, not idle (inference-cost.ts).
 */
import type {
  BATCHING_LABELS,
  PRECISION_LABELS,
  PRICING_MODEL_LABELS,
  QUANTIZATION_LABELS,
  RUN_STATUS_LABELS,
  SERVING_ENGINE_LABELS,
  TRAINING_METHOD_LABELS,
} from "../labels";
import type { TimeRange } from "../time-range";

// The schema's enums as string unions (Prisma's enum values are these strings;
// lib/domain must not import the generated client).
export type TrainingMethod = keyof typeof TRAINING_METHOD_LABELS;
export type Precision = keyof typeof PRECISION_LABELS;
export type RunStatus = keyof typeof RUN_STATUS_LABELS;
export type PricingModel = keyof typeof PRICING_MODEL_LABELS;
export type ServingEngine = keyof typeof SERVING_ENGINE_LABELS;
export type Quantization = keyof typeof QUANTIZATION_LABELS;
export type Batching = keyof typeof BATCHING_LABELS;

/** One current list price from the org's GPU catalog (gpu_prices). */
export interface CatalogPrice {
  provider: string;
  pricingModel: PricingModel;
  /** µ$ per GPU-hour: parseUsdMicros(pricePerGpuHour) of the period in effect at the end of the facts' period. */
  pricePerGpuHourMicros: bigint;
}

/** A GPU type from the catalog (gpu_types) with its current prices. */
export interface GpuTypeFacts {
  id: number;
  name: string;
  memoryGb: number;
  /** Peak dense BF16 TFLOPS (gpu_types.peakBf16Tflops). */
  peakBf16Tflops: number;
  /** GB/s (gpu_types.memoryBandwidthGbps). */
  memoryBandwidthGbps: number;
  /** Every price of this type in effect at the end of the period, all providers and pricing models (may be empty). */
  prices: readonly CatalogPrice[];
}

/**
 * A training run as seen over one period: its attributes (training_runs), its
 * cost inside the period (ledger line items) and its lifetime efficiency.
 */
export interface RunFacts {
  id: number;
  name: string;
  teamId: number;
  model: string;
  parameterCount: bigint | null;
  method: TrainingMethod;
  precision: Precision;
  gradientCheckpointing: boolean;
  flashAttention: boolean;
  /** DeepSpeed ZeRO stage 0–3; null when not used. */
  zeroStage: number | null;
  gradientAccumulationSteps: number;
  gpuCount: number;
  provider: string;
  pricingModel: PricingModel;
  status: RunStatus;
  gpuType: GpuTypeFacts;
  /**
   * The range the cost figures cover, its end clipped to now (a month to date
   * covers the elapsed part only): the month normalization divides by it.
   */
  period: TimeRange;
  /** Compute cents of the run inside the period (ledger computeCostCents). */
  computeCents: bigint;
  /** Storage + data + network cents inside the period (ledger extraCostCents); no rule saves on these. */
  extraCents: bigint;
  /** GPU-hours inside the period. */
  gpuHours: number;
  /** Lifetime model FLOPs utilization, 0..1 (training-cost.ts modelFlopsUtilization); null when unknown. */
  mfu: number | null;
  /** Lifetime average GPU utilization, percent 0..100 (training_runs.avgGpuUtilizationPct); null when not reported. */
  avgGpuUtilizationPct: number | null;
  /** Lifetime tokens (training_runs.tokensProcessed); null when not reported. */
  tokensProcessed: bigint | null;
}

/**
 * An inference deployment over one period. Time and traffic follow
 * inference-cost.ts: recorded = active time covered by usage records;
 * untracked = active − recorded ("no data", never idle); idle = recorded time
 * without traffic + Σ traffic-window time × (1 − utilization).
 */
export interface DeploymentFacts {
  id: number;
  name: string;
  teamId: number;
  model: string;
  parameterCount: bigint | null;
  servingEngine: ServingEngine;
  quantization: Quantization;
  batching: Batching;
  maxBatchSize: number | null;
  gpuCount: number;
  provider: string;
  pricingModel: PricingModel;
  /** The price per GPU-hour in effect at the end of the period (the override when set, else the catalog's); null when unpriced. */
  pricePerGpuHourMicros: bigint | null;
  hasPriceOverride: boolean;
  p99SloMs: number | null;
  activeFrom: Date;
  activeTo: Date | null;
  /** Still serving at the end of the period (activeTo null or after it). Ended deployments get no saving suggestions. */
  isActive: boolean;
  /** As RunFacts.period: the range, its end clipped to now. */
  period: TimeRange;
  /**
   * The period's displayed cents split by time serving : idle : untracked
   * (details.ts deploymentDetail `cents`, serving = total − idle − untracked).
   * They add up to the deployment's cents in the period.
   */
  cost: { servingCents: bigint; idleCents: bigint; untrackedCents: bigint };
  /** Active milliseconds inside the period. */
  activeMs: number;
  /** Active milliseconds covered by usage records (≤ activeMs). */
  recordedMs: number;
  /** Recorded milliseconds of windows with at least one request (≤ recordedMs). */
  trafficMs: number;
  /** Idle milliseconds of recorded time (inference-cost.ts idleMs, ≤ recordedMs). */
  idleMs: number;
  /** The longest stretch of active time in the period without any usage record (edges included). */
  largestGapMs: number;
  /** Time-weighted GPU utilization over traffic windows, 0..1; null without readings. */
  utilization: number | null;
  requests: bigint;
  /** Every prompt token, cached ones included. */
  inputTokens: bigint;
  /** The part of inputTokens reported as served from a prefix cache. */
  cachedInputTokens: bigint;
  outputTokens: bigint;
  /** Whole-period percentiles from the merged sketch; null without latency data. */
  p50Ms: number | null;
  p99Ms: number | null;
  gpuType: GpuTypeFacts;
  /** The org's other GPU types with their specs and current prices (the catalog minus gpuType). */
  alternativeGpuTypes: readonly GpuTypeFacts[];
}

export type RuleId =
  | "mixed-precision"
  | "lora-instead-of-full-fine-tune"
  | "training-efficiency"
  | "gradient-checkpointing"
  | "flash-attention-training"
  | "quantize-weights"
  | "continuous-batching"
  | "prefix-caching"
  | "flash-attention-serving"
  | "idle-capacity"
  | "slo-scale-out"
  | "smaller-gpu-type"
  | "smaller-model"
  | "commitment-pricing"
  | "usage-data-gap";

export type Confidence = "high" | "medium" | "low";

export interface SuggestionSubject {
  kind: "run" | "deployment" | "team";
  id: number;
  name: string;
  teamId: number;
}

/** One figure the suggestion rests on, formatted with its unit. */
export interface Evidence {
  label: string;
  /** Formatted text with units ("62.5%", "$1,234.56", "312.0 h", "No data"). */
  value: string;
  /** The period the figure covers; null for attributes and current catalog prices. Shown in the view's zone. */
  period: TimeRange | null;
}

export interface EffectSource {
  /** "published": a paper, vendor documentation or the org's own price catalog; "assumption": our stated estimate. */
  kind: "published" | "assumption";
  text: string;
  url?: string;
}

/**
 * A saving per average month (30.44 days), low and high end of the effect
 * range, in cents. Both are 0 for suggestions that claim no saving (data
 * gaps). Negative means the change costs money (costsMoney).
 */
export interface MonthlySaving {
  lowCents: bigint;
  highCents: bigint;
}

export interface Suggestion {
  /** Stable across reloads: `${ruleId}:${subject.kind}:${subject.id}`. */
  id: string;
  ruleId: RuleId;
  title: string;
  subject: SuggestionSubject;
  evidence: readonly Evidence[];
  action: string;
  monthlySaving: MonthlySaving;
  confidence: Confidence;
  effectSource: EffectSource;
  /** True when following the suggestion raises spend (p99 above SLO: scale out). */
  costsMoney?: boolean;
}
