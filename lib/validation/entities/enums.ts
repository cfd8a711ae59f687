/**
 * The database enums as tuples for the schemas. Kept here rather than read
 * from the generated Prisma client so forms can validate in the browser;
 * enums.test.ts fails the type check if the two ever disagree.
 */
export const PRICING_MODELS = ["ON_DEMAND", "SPOT", "RESERVED", "ON_PREM"] as const;
export type PricingModel = (typeof PRICING_MODELS)[number];

export const TRAINING_METHODS = ["PRETRAIN", "FULL_FINE_TUNE", "LORA", "QLORA", "OTHER"] as const;
export type TrainingMethod = (typeof TRAINING_METHODS)[number];

export const PRECISIONS = ["FP32", "FP16", "BF16", "FP8"] as const;
export type Precision = (typeof PRECISIONS)[number];

export const RUN_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses of a run that has ended, and so has an end time. */
export const FINISHED_RUN_STATUSES = ["SUCCEEDED", "FAILED", "CANCELLED"] as const satisfies readonly RunStatus[];

export const SERVING_ENGINES = ["VLLM", "TGI", "TENSORRT_LLM", "SGLANG", "LLAMA_CPP", "OTHER"] as const;
export type ServingEngine = (typeof SERVING_ENGINES)[number];

export const QUANTIZATIONS = ["NONE", "FP16_BF16", "FP8", "INT8", "INT4"] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

export const BATCHINGS = ["NONE", "STATIC", "DYNAMIC", "CONTINUOUS"] as const;
export type Batching = (typeof BATCHINGS)[number];
