/**
 * Inference estimator: how many GPUs a model needs to serve a traffic level,
 * what that costs per hour, per month and per 1M tokens. A roofline
 * estimate, transparent rather than precise: every output comes with the
 * arithmetic behind it and every constant is listed in `assumptions`.
 *
 * Model (per replica of `g` GPUs holding one copy of the weights, serving a
 * batch of B sequences with continuous batching):
 *
 * 1. Memory. Weights W = parameters × bytes per parameter (quantization).
 *    Of each GPU's memory, USABLE_MEMORY_FRACTION is usable (vLLM's default
 *    gpu_memory_utilization, 0.9) and at least MIN_KV_CACHE_SHARE of that is
 *    left to the KV cache, so g = the smallest power of two (tensor
 *    parallelism splits attention heads evenly) with
 *    W ≤ g × memory × 0.9 × 0.8.
 *
 * 2. Batch. The KV cache holds kvBytesPerToken × (input + output) tokens per
 *    sequence at its longest; B = as many sequences as the rest of usable
 *    memory holds, at most MAX_BATCH_SIZE (vLLM's default max_num_seqs).
 *
 * 3. One decode step produces one token for each of the B sequences. With
 *    chunked prefill (vLLM's and SGLang's default) the prompts are processed
 *    inside the same steps, B × input/output prompt tokens per step on
 *    average. A step takes the longer of
 *    - memory time: it reads all weights once for the whole batch plus each
 *      sequence's KV cache (average context input + output/2) at
 *      BANDWIDTH_UTILIZATION of peak bandwidth;
 *    - compute time: 2 × parameters FLOPs per token (forward only; Kaplan et
 *      al. 2020) for the B output and B × input/output prompt tokens, at an
 *      MFU of peak dense BF16 FLOP/s.
 *    Output tokens/s per GPU = min(memory bound, compute bound): which one
 *    binds is reported. Small models on big GPUs are bound by memory
 *    bandwidth (KV-cache reads dominate); large models, whose weight reads
 *    are shared by a full batch, by compute.
 *
 * 4. Latency ≈ output tokens × step time. With a latency target, the batch is
 *    cut and then GPUs per replica doubled (up to one 8-GPU node) until it is
 *    met, or the estimate says it cannot be.
 *
 * 5. Replicas = ⌈requests/s ÷ requests/s per replica⌉, at least one.
 *    Hourly cost = GPUs × price (exact micro-dollars), monthly = 730 h.
 *    $/1M tokens is a ratio, a Decimal (money.ts).
 *
 * Dense models only: a mixture-of-experts model must hold all its weights
 * but reads only the active experts per token, which this does not model.
 */
import Decimal from "decimal.js";
import { formatGpuCount, formatMs, formatPricePerGpuHour, formatUsdRate } from "../display";
import { QUANTIZATION_LABELS } from "../labels";
import { formatUsd, microsToUsd } from "../money";
import { formatInteger, formatPlain, formatQuantity, formatShare, positive } from "./format";

export type Quantization = keyof typeof QUANTIZATION_LABELS;

/**
 * Bytes per weight. NONE is the model served as released, which for current
 * LLM checkpoints is BF16/FP16 (FP32 serving is rare). INT4 (AWQ, GPTQ) is
 * half a byte; its per-group scales (about 3% more) are left out.
 */
export const BYTES_PER_PARAMETER: Record<Quantization, number> = {
  NONE: 2,
  FP16_BF16: 2,
  FP8: 1,
  INT8: 1,
  INT4: 0.5,
};

/** Share of GPU memory the serving engine may use: vLLM's default gpu_memory_utilization. */
export const USABLE_MEMORY_FRACTION = 0.9;
/** ASSUMPTION: at least this share of usable memory stays free for the KV cache (weights ≤ 72% of GPU memory). */
export const MIN_KV_CACHE_SHARE = 0.2;
/** Most sequences batched at once: vLLM's long-standing default max_num_seqs. */
export const MAX_BATCH_SIZE = 256;
/**
 * ASSUMPTION: achieved share of peak memory bandwidth while decoding (model
 * bandwidth utilization, MBU, as defined in Databricks' "LLM Inference
 * Performance Engineering: Best Practices", 2023). Well-tuned engines reach
 * roughly 50–80%; 60% is a middle value.
 */
export const DEFAULT_BANDWIDTH_UTILIZATION = 0.6;
/**
 * ASSUMPTION: MFU of inference compute against the dense BF16 peak. Prompt
 * processing runs large matrix products (often 50%+), decode steps at full
 * batch less; FP8/INT8 tensor-core peaks (2× BF16 on Hopper and Ada) are not
 * credited, which keeps this conservative.
 */
export const DEFAULT_INFERENCE_MFU = 0.4;
/** Tensor parallelism stays inside one NVLink node: at most 8 GPUs per replica when raised for latency. */
export const MAX_GPUS_PER_REPLICA_FOR_LATENCY = 8;
/** Hours in a billing month: 8,760 h a year ÷ 12, as cloud price lists use. */
export const HOURS_PER_MONTH = 730;
/**
 * KV cache per token per layer: K and V × 8 KV heads × 128 dims × 2 bytes
 * (BF16 cache). Grouped-query attention with 8 KV heads of 128 is what
 * Llama 3 8B/70B/405B, Mistral 7B and Qwen2.5 32B/72B use.
 */
const KV_BYTES_PER_TOKEN_PER_LAYER = 2 * 8 * 128 * 2;
/** Width ≈ 128 × depth (Llama 3: 4096/32, 8192/80, 16384/126), so parameters ≈ 12 × layers × width² = 196,608 × layers³. */
const PARAMETERS_PER_LAYER_CUBED = 12 * 128 * 128;

/** Estimated layers of a dense transformer with this many parameters: ∛(N ÷ 196,608). */
export function estimatedLayers(parameters: number): number {
  return Math.cbrt(parameters / PARAMETERS_PER_LAYER_CUBED);
}

/** Estimated KV cache bytes per token: 4,096 bytes × estimated layers (see the constants above). */
export function estimatedKvCacheBytesPerToken(parameters: number): number {
  return KV_BYTES_PER_TOKEN_PER_LAYER * estimatedLayers(parameters);
}

export interface InferenceGpu {
  name: string;
  memoryGb: Decimal.Value;
  peakBf16Tflops: Decimal.Value;
  memoryBandwidthGbps: Decimal.Value;
  /** Null when there is no price for this GPU: GPUs are estimated, cost is not. */
  pricePerGpuHourMicros: bigint | null;
}

export interface InferenceWorkload {
  /** All parameters of a dense model. */
  parameters: number | bigint;
  quantization: Quantization;
  requestsPerSecond: number;
  inputTokensPerRequest: number;
  outputTokensPerRequest: number;
  /** End-to-end target for one request, ms; none when null or not given. */
  latencyTargetMs?: number | null;
  /** Overrides of the defaults above. */
  mfu?: number;
  bandwidthUtilization?: number;
  kvCacheBytesPerToken?: number;
}

export type InferenceEstimateInput = InferenceWorkload & { gpu: InferenceGpu };

export type Bound = "memory-bandwidth" | "compute";

export interface InferenceEstimate {
  gpuName: string;
  weightsGb: number;
  kvCacheBytesPerToken: number;
  /** GPUs one copy of the weights needs (power of two). */
  gpusForMemory: number;
  /** GPUs per replica as estimated: gpusForMemory, or more to meet the latency target. */
  gpusPerReplica: number;
  batchSize: number;
  /** Output tokens per second per GPU from each bound, and the estimate (the smaller). */
  outputTokensPerSecondPerGpu: { memoryBound: number; computeBound: number; estimate: number };
  /** Input + output tokens per second per GPU at the estimate. */
  tokensPerSecondPerGpu: number;
  bindingBound: Bound;
  stepMs: number;
  latencyMs: number;
  /** Null without a target. */
  meetsLatencyTarget: boolean | null;
  requestsPerSecondPerReplica: number;
  replicas: number;
  gpuCount: number;
  /** Share of the estimated capacity the traffic uses. */
  utilization: number;
  hourlyCostMicros: bigint | null;
  monthlyCostMicros: bigint | null;
  /** Cost per 1M tokens served (input + output) at the given traffic; null without a price or traffic. */
  costPerMillionTokensUsd: Decimal | null;
  costPerMillionOutputTokensUsd: Decimal | null;
  formula: {
    weights: string;
    gpusForMemory: string;
    gpusPerReplica: string;
    kvCache: string;
    batchSize: string;
    memoryBound: string;
    computeBound: string;
    throughput: string;
    latency: string;
    gpuCount: string;
    hourlyCost: string;
    monthlyCost: string;
    costPerMillionTokens: string;
  };
  assumptions: string[];
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function share(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > 1) throw new RangeError(`${name} must be in (0, 1], got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  return value;
}

const GB = 1e9;

/** GPUs, throughput, latency and cost of serving the workload on one GPU type. */
export function estimateInference(input: InferenceEstimateInput): InferenceEstimate {
  const { gpu } = input;
  const parameters = positive("parameters", input.parameters);
  const bytesPerParameter = BYTES_PER_PARAMETER[input.quantization];
  const rps = nonNegative("requestsPerSecond", input.requestsPerSecond);
  const inputTokens = nonNegative("inputTokensPerRequest", input.inputTokensPerRequest);
  const outputTokens = positive("outputTokensPerRequest", input.outputTokensPerRequest);
  const mfu = share("mfu", input.mfu ?? DEFAULT_INFERENCE_MFU);
  const mbu = share("bandwidthUtilization", input.bandwidthUtilization ?? DEFAULT_BANDWIDTH_UTILIZATION);
  const memoryBytes = positive("memoryGb", gpu.memoryGb) * GB;
  const bandwidth = positive("memoryBandwidthGbps", gpu.memoryBandwidthGbps) * GB;
  const peakFlops = positive("peakBf16Tflops", gpu.peakBf16Tflops) * 1e12;
  const latencyTargetMs = input.latencyTargetMs ?? null;
  if (latencyTargetMs !== null) positive("latencyTargetMs", latencyTargetMs);
  const price = gpu.pricePerGpuHourMicros;
  if (price !== null && price < 0n) throw new RangeError("pricePerGpuHourMicros must not be negative");

  const weights = parameters * bytesPerParameter;
  const kvPerToken = input.kvCacheBytesPerToken === undefined ? estimatedKvCacheBytesPerToken(parameters) : positive("kvCacheBytesPerToken", input.kvCacheBytesPerToken);
  const sequenceTokens = inputTokens + outputTokens;
  const averageContext = inputTokens + outputTokens / 2;
  const promptTokensPerOutputToken = inputTokens / outputTokens;
  const flopsPerToken = 2 * parameters;

  // 1. Memory: the weights' share of usable memory.
  const weightsCapacityPerGpu = memoryBytes * USABLE_MEMORY_FRACTION * (1 - MIN_KV_CACHE_SHARE);
  const gpusForWeights = Math.ceil(weights / weightsCapacityPerGpu);
  const gpusForMemory = nextPowerOfTwo(gpusForWeights);

  // 2.–3. For g GPUs and a batch of B: the most B the KV cache holds, and the step times.
  const maxBatch = (g: number) => Math.min(MAX_BATCH_SIZE, Math.floor((g * memoryBytes * USABLE_MEMORY_FRACTION - weights) / (kvPerToken * sequenceTokens)));
  const stepBytes = (b: number) => weights + b * averageContext * kvPerToken;
  const memorySeconds = (g: number, b: number) => stepBytes(b) / (g * bandwidth * mbu);
  const computeSeconds = (g: number, b: number) => (b * (1 + promptTokensPerOutputToken) * flopsPerToken) / (g * peakFlops * mfu);
  /** Largest batch whose request latency (output tokens × step time) meets the target on g GPUs. */
  const batchForLatency = (g: number, targetMs: number) => {
    const stepBudget = targetMs / 1000 / outputTokens;
    const byMemory = (stepBudget * g * bandwidth * mbu - weights) / (averageContext * kvPerToken);
    const byCompute = (stepBudget * g * peakFlops * mfu) / ((1 + promptTokensPerOutputToken) * flopsPerToken);
    return Math.floor(Math.min(byMemory, byCompute));
  };

  // A replica that holds the weights and at least one whole sequence.
  let gpusPerReplica = gpusForMemory;
  while (maxBatch(gpusPerReplica) < 1) {
    if (gpusPerReplica >= 1024) throw new RangeError(`One ${sequenceTokens}-token sequence does not fit in the KV cache of 1,024 ${gpu.name}s`);
    gpusPerReplica *= 2;
  }
  const gpusToHoldOneSequence = gpusPerReplica;
  let batchSize = maxBatch(gpusPerReplica);
  let meetsLatencyTarget: boolean | null = null;
  if (latencyTargetMs !== null) {
    meetsLatencyTarget = false;
    for (let g = gpusPerReplica; g <= Math.max(gpusPerReplica, MAX_GPUS_PER_REPLICA_FOR_LATENCY); g *= 2) {
      const b = Math.min(maxBatch(g), batchForLatency(g, latencyTargetMs));
      if (b >= 1) {
        gpusPerReplica = g;
        batchSize = b;
        meetsLatencyTarget = true;
        break;
      }
    }
  }
  const g = gpusPerReplica;
  const memoryStep = memorySeconds(g, batchSize);
  const computeStep = computeSeconds(g, batchSize);
  const stepSeconds = Math.max(memoryStep, computeStep);
  const bindingBound: Bound = memoryStep >= computeStep ? "memory-bandwidth" : "compute";
  const memoryBound = batchSize / memoryStep / g;
  const computeBound = batchSize / computeStep / g;
  const estimate = Math.min(memoryBound, computeBound);
  const tokensPerSecondPerGpu = estimate * (1 + promptTokensPerOutputToken);
  const latencyMs = outputTokens * stepSeconds * 1000;
  const requestsPerSecondPerReplica = (estimate * g) / outputTokens;
  // A hair under the exact quotient, so 2.0000000001 replicas' worth of float noise is 2.
  const replicas = Math.max(1, Math.ceil(rps / requestsPerSecondPerReplica - 1e-9));
  const gpuCount = replicas * g;
  const utilization = rps / (replicas * requestsPerSecondPerReplica);

  const hourlyCostMicros = price === null ? null : price * BigInt(gpuCount);
  const monthlyCostMicros = hourlyCostMicros === null ? null : hourlyCostMicros * BigInt(HOURS_PER_MONTH);
  const tokensPerHour = new Decimal(rps).times(3600).times(sequenceTokens);
  const outputTokensPerHour = new Decimal(rps).times(3600).times(outputTokens);
  const perMillion = (tokens: Decimal) => (hourlyCostMicros === null || tokens.lte(0) ? null : microsToUsd(hourlyCostMicros).times(1_000_000).div(tokens));
  const costPerMillionTokensUsd = perMillion(tokensPerHour);
  const costPerMillionOutputTokensUsd = perMillion(outputTokensPerHour);

  const q = formatQuantity;
  const weightsGb = weights / GB;
  const memoryGb = memoryBytes / GB;
  const usableGb = memoryGb * USABLE_MEMORY_FRACTION;
  const stepMs = stepSeconds * 1000;
  const kvLayers = estimatedLayers(parameters);
  const batchLimit = maxBatch(g);
  return {
    gpuName: gpu.name,
    weightsGb,
    kvCacheBytesPerToken: kvPerToken,
    gpusForMemory,
    gpusPerReplica: g,
    batchSize,
    outputTokensPerSecondPerGpu: { memoryBound, computeBound, estimate },
    tokensPerSecondPerGpu,
    bindingBound,
    stepMs,
    latencyMs,
    meetsLatencyTarget,
    requestsPerSecondPerReplica,
    replicas,
    gpuCount,
    utilization,
    hourlyCostMicros,
    monthlyCostMicros,
    costPerMillionTokensUsd,
    costPerMillionOutputTokensUsd,
    formula: {
      weights: `${q(parameters)} parameters × ${bytesPerParameter} bytes (${QUANTIZATION_LABELS[input.quantization]}) = ${q(weightsGb)} GB`,
      gpusForMemory: `${q(weightsGb)} GB ÷ (${formatPlain(memoryGb)} GB × ${formatShare(USABLE_MEMORY_FRACTION)} usable × ${formatShare(1 - MIN_KV_CACHE_SHARE)} for weights) = ${q(weights / weightsCapacityPerGpu)} → ${formatGpuCount(gpusForWeights)}${gpusForWeights === gpusForMemory ? "" : ` → ${formatGpuCount(gpusForMemory)} (power of two)`}${gpusToHoldOneSequence === gpusForMemory ? "" : `; ${formatGpuCount(gpusToHoldOneSequence)} to hold one ${q(sequenceTokens)}-token sequence`}`,
      gpusPerReplica:
        g === gpusToHoldOneSequence
          ? `${formatGpuCount(g)} per replica (memory)`
          : `${formatGpuCount(gpusToHoldOneSequence)} for memory → ${formatGpuCount(g)} per replica to meet the ${formatMs(latencyTargetMs)} latency target`,
      kvCache:
        input.kvCacheBytesPerToken === undefined
          ? `2 (K, V) × ${q(kvLayers)} layers × 8 KV heads × 128 dims × 2 bytes = ${q(kvPerToken)} bytes/token; layers ≈ ∛(${q(parameters)} ÷ 196,608)`
          : `${q(kvPerToken)} bytes/token (entered)`,
      batchSize: `min(${MAX_BATCH_SIZE}, ⌊(${formatGpuCount(g)} × ${formatPlain(usableGb)} GB − ${q(weightsGb)} GB) ÷ (${q(kvPerToken)} bytes × ${q(sequenceTokens)} tokens)⌋ = ${batchLimit}) sequences${batchSize < batchLimit ? ` → ${batchSize} to meet the ${formatMs(latencyTargetMs)} latency target` : ""}`,
      memoryBound: `${batchSize} sequences × ${formatPlain(bandwidth / GB)} GB/s × ${formatShare(mbu)} ÷ (${q(weightsGb)} GB weights + ${batchSize} × ${q(averageContext)} tokens × ${q(kvPerToken)} bytes KV cache) = ${q(memoryBound)} output tokens/s per GPU`,
      computeBound: `${formatPlain(peakFlops / 1e12)} × 10^12 FLOP/s × ${formatShare(mfu)} MFU ÷ (2 × ${q(parameters)} FLOPs/token × (1 + ${q(inputTokens)} ÷ ${q(outputTokens)}) tokens per output token) = ${q(computeBound)} output tokens/s per GPU`,
      throughput: `min(${q(memoryBound)}, ${q(computeBound)}) = ${q(estimate)} output tokens/s per GPU (${bindingBound}-bound) = ${q(tokensPerSecondPerGpu)} input + output tokens/s`,
      latency: `${q(outputTokens)} output tokens × ${formatMs(stepMs)} per step = ${formatMs(latencyMs)}${latencyTargetMs === null ? "" : meetsLatencyTarget ? ` ≤ ${formatMs(latencyTargetMs)} target` : ` > ${formatMs(latencyTargetMs)} target: not met even with ${formatGpuCount(Math.max(gpusToHoldOneSequence, MAX_GPUS_PER_REPLICA_FOR_LATENCY))} per replica and a batch of 1`}`,
      gpuCount: `⌈${q(rps)} req/s ÷ ${q(requestsPerSecondPerReplica)} req/s per replica⌉ = ${formatInteger(replicas)} replica${replicas === 1 ? "" : "s"} × ${formatGpuCount(g)} = ${formatGpuCount(gpuCount)}`,
      hourlyCost: hourlyCostMicros === null ? `No price for ${gpu.name}: cost not estimated` : `${formatGpuCount(gpuCount)} × ${formatPricePerGpuHour(price)} = ${formatUsd({ micros: hourlyCostMicros })} / h`,
      monthlyCost: monthlyCostMicros === null || hourlyCostMicros === null ? `No price for ${gpu.name}: cost not estimated` : `${formatUsd({ micros: hourlyCostMicros })} / h × ${HOURS_PER_MONTH} h = ${formatUsd({ micros: monthlyCostMicros })} / month`,
      costPerMillionTokens:
        hourlyCostMicros === null
          ? `No price for ${gpu.name}: cost not estimated`
          : costPerMillionTokensUsd === null
            ? "No traffic: no cost per token"
            : `${formatUsd({ micros: hourlyCostMicros })} / h ÷ (${q(rps)} req/s × 3,600 s × ${q(sequenceTokens)} tokens) × 1,000,000 = ${formatUsdRate(costPerMillionTokensUsd)} / 1M tokens (${formatUsdRate(costPerMillionOutputTokensUsd)} / 1M output tokens)`,
    },
    assumptions: [
      `${QUANTIZATION_LABELS[input.quantization]}: ${bytesPerParameter} bytes per weight${input.quantization === "NONE" ? " (served as released, in BF16/FP16)" : ""}${input.quantization === "INT4" ? "; per-group scales left out" : ""}.`,
      "Dense model: every weight is read and used for every token. A mixture-of-experts model holds all weights but reads only active experts — not modeled.",
      `Memory: ${formatShare(USABLE_MEMORY_FRACTION)} of each GPU's memory is usable (vLLM's default gpu_memory_utilization), weights take at most ${formatShare(1 - MIN_KV_CACHE_SHARE)} of it and the rest is KV cache; 1 GB = 10^9 bytes. GPUs per replica are a power of two so tensor parallelism splits attention heads evenly.`,
      input.kvCacheBytesPerToken === undefined
        ? "KV cache per token estimated as 4,096 bytes × layers: 8 KV heads × 128 dims per layer (grouped-query attention as in Llama 3, Mistral 7B, Qwen2.5 32B/72B), BF16 cache, layers ≈ ∛(parameters ÷ 196,608) from width ≈ 128 × depth. Older models without grouped-query attention need several times more."
        : "KV cache per token as entered.",
      `Batch: as many sequences as the KV cache holds at full length (input + output tokens), at most ${MAX_BATCH_SIZE} (vLLM's default max_num_seqs); continuous batching keeps it full.`,
      `Memory bound: each decode step reads all weights once for the whole batch plus each sequence's KV cache (average context = input + output ÷ 2) at ${formatShare(mbu)} of peak bandwidth${input.bandwidthUtilization === undefined ? " (default)" : " (entered)"}.`,
      `Compute bound: 2 FLOPs per parameter per token (forward pass) for prompt and output tokens alike, at ${formatShare(mfu)} MFU${input.mfu === undefined ? " (default)" : " (entered)"} of the dense BF16 peak; FP8/INT8 tensor-core peaks are not credited. Prompts are processed in chunks inside the decode steps (chunked prefill), so a step takes the longer of its memory and compute times.`,
      "Latency = output tokens × step time: queueing and time to first token beyond that are not modeled.",
      `Replicas scale linearly; at least one replica runs even without traffic. A month is ${HOURS_PER_MONTH} hours (8,760 ÷ 12).`,
      "An estimate: real throughput depends on the serving engine, kernels, sequence-length spread and scheduling — measure before committing capacity.",
    ],
  };
}

/** The same workload on each GPU type (in the order given), each at its own price. */
export function compareInferenceAcrossGpus(workload: InferenceWorkload, gpus: readonly InferenceGpu[]): InferenceEstimate[] {
  return gpus.map((gpu) => estimateInference({ ...workload, gpu }));
}
