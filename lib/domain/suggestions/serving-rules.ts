/**
 * Serving-configuration rules: quantization, batching, prefix caching and
 * attention kernels of a deployment. Savings are shares of the deployment's
 * cost per active day × 30.44 (derived.ts deploymentMonthlyCents). Rules
 * that name a GPU count (quantization, batching) save whole GPUs in whole
 * replicas; rules that speed up every request without naming a count
 * (prefix caching, FlashAttention) save the equivalent share of GPU time.
 */
import { formatQps } from "../display";
import { SERVING_ENGINE_LABELS } from "../labels";
import {
  bps,
  ceilDiv,
  currentReplicaGpus,
  fewerGpusShare,
  isAboveBps,
  ratio,
  replicaGpusForWeights,
  times,
  wholeReplicas,
  type Ratio,
} from "./arithmetic";
import { canProjectSavings, concurrencyMilli, deploymentCents, deploymentMonthlyCents, isBreachingSlo, perRequest } from "./derived";
import { count, deploymentSubject, gigabytes, gpus, ms, parameters, share, suggestion, usd, usdPerMonth } from "./evidence";
import { SOURCES } from "./sources";
import {
  CACHED_TOKEN_SHARE_BPS,
  CONTINUOUS_BATCHING_GAIN,
  ENGINES_WITH_DEFAULT_FLASH_ATTENTION,
  ENGINES_WITH_DEFAULT_PREFIX_CACHING,
  FLASH_ATTENTION_SAVING_BPS,
  LONG_PROMPT_TOKENS,
  MIN_CONCURRENT_REQUESTS,
  MIN_MONTHLY_SAVING_CENTS,
  PREFILL_SHARE_OF_GPU_TIME_BPS,
  QUANTIZED_BITS,
} from "./thresholds";
import type { DeploymentFacts, Evidence, MonthlySaving, Suggestion } from "./types";

/** The saving range as shares of the deployment's monthly cost; null below the minimum worth showing. */
export function deploymentSaving(f: DeploymentFacts, low: Ratio, high: Ratio): MonthlySaving | null {
  const saving = { lowCents: deploymentMonthlyCents(f, low), highCents: deploymentMonthlyCents(f, high) };
  return saving.highCents < MIN_MONTHLY_SAVING_CENTS ? null : saving;
}

export function deploymentCostEvidence(f: DeploymentFacts): Evidence[] {
  return [
    { label: "Cost in the period", value: usd(deploymentCents(f)), period: f.period },
    { label: "Cost per month at this rate (per active day × 30.44)", value: usdPerMonth(deploymentMonthlyCents(f)), period: f.period },
  ];
}

export function deploymentGpuEvidence(f: DeploymentFacts): Evidence {
  return { label: "GPUs", value: `${gpus(f.gpuCount)} × ${f.gpuType.name} (${f.gpuType.memoryGb} GB)`, period: null };
}

function weightsBytes(parameterCount: bigint, bits: bigint): bigint {
  return (parameterCount * bits) / 8n;
}

/**
 * 16-bit weights where 8-bit (low end) or 4-bit (high end) would fit each
 * replica on fewer GPUs: GPUs = ⌈gpuCount × replica(bits) / replica(16)⌉.
 */
export function quantizeWeightsRule(f: DeploymentFacts): Suggestion | null {
  if ((f.quantization !== "NONE" && f.quantization !== "FP16_BF16") || f.parameterCount === null) return null;
  if (!canProjectSavings(f) || isBreachingSlo(f)) return null;
  const n = BigInt(f.gpuCount);
  const replica = currentReplicaGpus(f);
  const at = (bits: bigint) => {
    const needed = replicaGpusForWeights({ parameterCount: f.parameterCount!, bitsPerParameter: bits, memoryGb: f.gpuType.memoryGb });
    const perReplica = needed < replica ? needed : replica;
    return { perReplica, total: ceilDiv(n * perReplica, replica) };
  };
  const eight = at(QUANTIZED_BITS.low);
  const four = at(QUANTIZED_BITS.high);
  const monthlySaving = deploymentSaving(f, fewerGpusShare(n, eight.total), fewerGpusShare(n, four.total));
  if (!monthlySaving) return null;
  const headroom = `half of ${f.gpuType.memoryGb} GB per GPU for weights`;
  return suggestion({
    ruleId: "quantize-weights",
    subject: deploymentSubject(f),
    title: "Quantize the weights to serve on fewer GPUs",
    evidence: [
      { label: "Quantization", value: f.quantization === "NONE" ? "None (16-bit)" : "FP16/BF16", period: null },
      { label: "Model", value: `${f.model}, ${parameters(f.parameterCount)}`, period: null },
      deploymentGpuEvidence(f),
      { label: `16-bit weights (${headroom})`, value: `${gigabytes(weightsBytes(f.parameterCount, 16n))}: ${gpus(replica)} per replica`, period: null },
      { label: "8-bit weights (FP8/INT8)", value: `${gigabytes(weightsBytes(f.parameterCount, 8n))}: ${gpus(eight.perReplica)} per replica, ${gpus(eight.total)} in all`, period: null },
      { label: "4-bit weights (AWQ/GPTQ)", value: `${gigabytes(weightsBytes(f.parameterCount, 4n))}: ${gpus(four.perReplica)} per replica, ${gpus(four.total)} in all`, period: null },
      ...deploymentCostEvidence(f),
    ],
    action: `Serve ${f.name} with 8-bit weights (FP8 on H100/H200/L40S/L4, else INT8 weight-only): ${gpus(eight.total)} instead of ${gpus(f.gpuCount)}; 4-bit (AWQ/GPTQ) would need ${gpus(four.total)}. Check quality on your evals first.`,
    monthlySaving,
    confidence: "medium",
    effectSource: SOURCES.quantization,
  });
}

function batchingHowTo(f: DeploymentFacts): string {
  switch (f.servingEngine) {
    case "VLLM":
    case "SGLANG":
    case "TGI":
      return `use ${SERVING_ENGINE_LABELS[f.servingEngine]}'s continuous batching scheduler (its default) instead of fixed batches`;
    case "TENSORRT_LLM":
      return "turn on in-flight batching in TensorRT-LLM";
    case "LLAMA_CPP":
      return "run llama-server with several parallel slots (--parallel) and continuous batching";
    case "OTHER":
      return "move to an engine with continuous batching (vLLM, SGLang, TGI, TensorRT-LLM)";
  }
}

/**
 * Static or no batching with at least two requests in flight on average:
 * continuous batching serves the traffic on 1/2 (low) to 1/4 (high) of the
 * GPUs, in whole replicas.
 */
export function continuousBatchingRule(f: DeploymentFacts): Suggestion | null {
  if (f.batching !== "NONE" && f.batching !== "STATIC") return null;
  if (!canProjectSavings(f) || isBreachingSlo(f)) return null;
  const inFlight = concurrencyMilli(f);
  if (inFlight === null || inFlight < MIN_CONCURRENT_REQUESTS * 1000n) return null;
  const n = BigInt(f.gpuCount);
  const replica = currentReplicaGpus(f);
  const lowGpus = wholeReplicas(ceilDiv(n, CONTINUOUS_BATCHING_GAIN.low), replica);
  const highGpus = wholeReplicas(ceilDiv(n, CONTINUOUS_BATCHING_GAIN.high), replica);
  const monthlySaving = deploymentSaving(f, fewerGpusShare(n, lowGpus), fewerGpusShare(n, highGpus));
  if (!monthlySaving) return null;
  return suggestion({
    ruleId: "continuous-batching",
    subject: deploymentSubject(f),
    title: "Switch to continuous batching",
    evidence: [
      { label: "Batching", value: f.batching === "NONE" ? "None" : "Static", period: null },
      { label: "Serving engine", value: SERVING_ENGINE_LABELS[f.servingEngine], period: null },
      { label: "Max batch size", value: f.maxBatchSize === null ? "Not set" : String(f.maxBatchSize), period: null },
      { label: "Requests in flight on average (QPS × p50)", value: (Number(inFlight) / 1000).toFixed(1), period: f.period },
      { label: "QPS (recorded time)", value: formatQps(Number(f.requests) / (f.recordedMs / 1000)), period: f.period },
      { label: "p50 latency", value: ms(f.p50Ms), period: f.period },
      deploymentGpuEvidence(f),
      ...deploymentCostEvidence(f),
    ],
    action: `For ${f.name}, ${batchingHowTo(f)}; then scale down to ${gpus(lowGpus)}${highGpus < lowGpus ? ` (${gpus(highGpus)} if throughput quadruples)` : ""} while watching p99.`,
    monthlySaving,
    confidence: "medium",
    effectSource: SOURCES.continuousBatching,
  });
}

/**
 * Over 30% of prompt tokens reported as cached on an engine that does not
 * share prefixes across requests by default. The schema has no
 * prefix-caching field, so this is a low-confidence "verify": up to
 * cached share × 25% of the cost (prefill's assumed share), 0 at the low end.
 */
export function prefixCachingRule(f: DeploymentFacts): Suggestion | null {
  if (ENGINES_WITH_DEFAULT_PREFIX_CACHING.includes(f.servingEngine) || f.inputTokens <= 0n) return null;
  if (!canProjectSavings(f)) return null;
  const cached = ratio(f.cachedInputTokens < f.inputTokens ? f.cachedInputTokens : f.inputTokens, f.inputTokens);
  if (!isAboveBps(cached, CACHED_TOKEN_SHARE_BPS)) return null;
  const monthlySaving = deploymentSaving(f, ratio(0n, 1n), times(cached, bps(PREFILL_SHARE_OF_GPU_TIME_BPS)));
  if (!monthlySaving) return null;
  const engine = f.servingEngine === "OTHER" ? "this engine" : SERVING_ENGINE_LABELS[f.servingEngine];
  return suggestion({
    ruleId: "prefix-caching",
    subject: deploymentSubject(f),
    title: "Verify prefix caching is on and shared",
    evidence: [
      { label: "Cached input tokens", value: `${f.cachedInputTokens.toLocaleString("en-US")} of ${count(f.inputTokens, "tokens")} (${share(cached)})`, period: f.period },
      { label: "Serving engine", value: SERVING_ENGINE_LABELS[f.servingEngine], period: null },
      { label: "Prefix caching", value: "Not recorded (no field for it)", period: null },
      ...deploymentCostEvidence(f),
    ],
    action: `Check ${f.name}'s prefix caching: Burnrate does not record whether it is on, and ${engine} does not share cached prefixes across requests by default${f.servingEngine === "LLAMA_CPP" ? " (llama.cpp reuses a prompt only within the slot that served it)" : ""}. Enable cross-request prefix caching (or move to vLLM/SGLang, which have it on by default) and route requests with the same prefix to the same replica.`,
    monthlySaving,
    confidence: "low",
    effectSource: SOURCES.prefixCaching,
  });
}

/**
 * Prompts averaging over 2,048 tokens on an engine not known to use
 * FlashAttention-class kernels by default: 10–15% of GPU time (low
 * confidence — the schema has no attention-kernel field for deployments).
 */
export function flashAttentionServingRule(f: DeploymentFacts): Suggestion | null {
  if (ENGINES_WITH_DEFAULT_FLASH_ATTENTION.includes(f.servingEngine) || !canProjectSavings(f)) return null;
  const promptTokens = perRequest(f.inputTokens, f.requests);
  if (promptTokens === null || f.inputTokens <= LONG_PROMPT_TOKENS * f.requests) return null;
  const monthlySaving = deploymentSaving(f, bps(FLASH_ATTENTION_SAVING_BPS.low), bps(FLASH_ATTENTION_SAVING_BPS.high));
  if (!monthlySaving) return null;
  return suggestion({
    ruleId: "flash-attention-serving",
    subject: deploymentSubject(f),
    title: "Verify FlashAttention is on for long prompts",
    evidence: [
      { label: "Input tokens per request", value: count(promptTokens, "tokens"), period: f.period },
      { label: "Serving engine", value: SERVING_ENGINE_LABELS[f.servingEngine], period: null },
      { label: "FlashAttention", value: "Not recorded (no field for it)", period: null },
      ...deploymentCostEvidence(f),
    ],
    action:
      f.servingEngine === "LLAMA_CPP"
        ? `Run ${f.name}'s llama-server with flash attention on (--flash-attn on; older builds default to off).`
        : `Check that ${f.name}'s engine uses FlashAttention-class attention kernels, or move it to vLLM, SGLang, TGI or TensorRT-LLM, which do by default.`,
    monthlySaving,
    confidence: "low",
    effectSource: SOURCES.flashAttentionServing,
  });
}
