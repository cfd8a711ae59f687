/**
 * Training rules: precision, method and efficiency of a run. Each saving is a
 * share of the run's compute cents in the period per average month
 * (derived.ts runMonthlyComputeCents); storage, data and network are never
 * counted. A finished run's suggestion is about the next runs like it.
 */
import { formatGpuHours } from "../display";
import { BPS, bps, ceilDiv, fractionToBps, isAboveBps, percentToBps, ratio, type Ratio } from "./arithmetic";
import { runMonthlyComputeCents } from "./derived";
import { bpsText, count, fraction, gigabytes, gpus, parameters, runSubject, share, suggestion, usd, usdPerMonth } from "./evidence";
import { SOURCES } from "./sources";
import {
  CHECKPOINTING_OVERHEAD_BPS,
  FLASH_ATTENTION_SAVING_BPS,
  FULL_TRAINING_BYTES_PER_PARAMETER,
  HIGH_GRADIENT_ACCUMULATION_STEPS,
  LORA_BITS_PER_PARAMETER,
  LORA_MIN_PARAMETERS,
  LORA_SAVING_BPS,
  LOW_GPU_UTILIZATION_PCT_BPS,
  LOW_MFU_BPS,
  MEMORY_BOUND_STATE_SHARE_BPS,
  MIN_MONTHLY_SAVING_CENTS,
  MIXED_PRECISION_SAVING_BPS,
  QLORA_BITS_PER_PARAMETER,
  TARGET_GPU_UTILIZATION_PCT_BPS,
  TARGET_MFU_BPS,
  TRAINING_STATES_MAX_MEMORY_SHARE_BPS,
} from "./thresholds";
import type { Evidence, MonthlySaving, RunFacts, Suggestion } from "./types";

const BYTES_PER_GB = 1_000_000_000n;

/** The saving range as shares of the run's monthly compute; null below the minimum worth showing. */
function runSaving(f: RunFacts, low: Ratio, high: Ratio): MonthlySaving | null {
  const saving = { lowCents: runMonthlyComputeCents(f, low), highCents: runMonthlyComputeCents(f, high) };
  return saving.highCents < MIN_MONTHLY_SAVING_CENTS ? null : saving;
}

function costEvidence(f: RunFacts): Evidence[] {
  return [
    { label: "Compute cost in the period", value: usd(f.computeCents), period: f.period },
    { label: "Compute cost per month at this rate", value: usdPerMonth(runMonthlyComputeCents(f)), period: f.period },
    { label: "GPU-hours in the period", value: formatGpuHours(f.gpuHours), period: f.period },
  ];
}

function gpuEvidence(f: RunFacts): Evidence {
  return { label: "GPUs", value: `${gpus(f.gpuCount)} × ${f.gpuType.name} (${f.gpuType.memoryGb} GB)`, period: null };
}

/** Settings change between runs, not inside one: every training suggestion is about the next runs like this one. */
function nextRuns(f: RunFacts): string {
  return `the next runs like ${f.name}`;
}

// ---------------------------------------------------------------- precision / method

/** FP32 training on a GPU with BF16 tensor cores: mixed precision, 40–60% of compute. */
export function mixedPrecisionRule(f: RunFacts): Suggestion | null {
  if (f.precision !== "FP32" || !(f.gpuType.peakBf16Tflops > 0)) return null;
  const monthlySaving = runSaving(f, bps(MIXED_PRECISION_SAVING_BPS.low), bps(MIXED_PRECISION_SAVING_BPS.high));
  if (!monthlySaving) return null;
  return suggestion({
    ruleId: "mixed-precision",
    subject: runSubject(f),
    title: "Train in BF16 mixed precision instead of FP32",
    evidence: [
      { label: "Precision", value: "FP32", period: null },
      { label: "GPU BF16 tensor-core peak", value: `${f.gpuType.peakBf16Tflops} TFLOPS (${f.gpuType.name})`, period: null },
      ...costEvidence(f),
    ],
    action: `Train ${nextRuns(f)} in BF16 mixed precision (FP32 master weights; FP16 also works with loss scaling). Expect ${bpsText(MIXED_PRECISION_SAVING_BPS.low)}–${bpsText(MIXED_PRECISION_SAVING_BPS.high)} less compute time; FlashAttention becomes available too.`,
    monthlySaving,
    confidence: "high",
    effectSource: SOURCES.mixedPrecision,
  });
}

/** GPUs whose memory, at TRAINING_STATES_MAX_MEMORY_SHARE_BPS, holds `bits` of model states. */
function gpusForStates(bits: bigint, memoryGb: number): bigint {
  const perGpuBits = BigInt(memoryGb) * BYTES_PER_GB * 8n * TRAINING_STATES_MAX_MEMORY_SHARE_BPS;
  return ceilDiv(bits * BPS, perGpuBits);
}

/** Full fine-tuning of a model ≥ 1B parameters where LoRA needs fewer GPUs' memory: 25–33% of compute. */
export function loraRule(f: RunFacts): Suggestion | null {
  if (f.method !== "FULL_FINE_TUNE" || f.parameterCount === null || f.parameterCount < LORA_MIN_PARAMETERS) return null;
  const p = f.parameterCount;
  const fullBits = p * FULL_TRAINING_BYTES_PER_PARAMETER * 8n;
  const fullGpus = gpusForStates(fullBits, f.gpuType.memoryGb);
  const loraGpus = gpusForStates(p * LORA_BITS_PER_PARAMETER, f.gpuType.memoryGb);
  const qloraGpus = gpusForStates(p * QLORA_BITS_PER_PARAMETER, f.gpuType.memoryGb);
  if (loraGpus >= fullGpus) return null;
  const monthlySaving = runSaving(f, bps(LORA_SAVING_BPS.low), bps(LORA_SAVING_BPS.high));
  if (!monthlySaving) return null;
  return suggestion({
    ruleId: "lora-instead-of-full-fine-tune",
    subject: runSubject(f),
    title: "Fine-tune with LoRA instead of full fine-tuning",
    evidence: [
      { label: "Method", value: "Full fine-tune", period: null },
      { label: "Model", value: `${f.model}, ${parameters(p)}`, period: null },
      gpuEvidence(f),
      { label: "Model states, full fine-tune (16 bytes/parameter)", value: `${gigabytes(fullBits / 8n)}: at least ${gpus(fullGpus)}`, period: null },
      { label: "Frozen weights, LoRA (BF16)", value: `${gigabytes((p * LORA_BITS_PER_PARAMETER) / 8n)}: ${gpus(loraGpus)}`, period: null },
      { label: "Frozen weights, QLoRA (4-bit)", value: `${gigabytes((p * QLORA_BITS_PER_PARAMETER) / 8n)}: ${gpus(qloraGpus)}`, period: null },
      ...costEvidence(f),
    ],
    action: `Fine-tune ${nextRuns(f)} with LoRA adapters on the frozen BF16 model: its weights fit ${gpus(loraGpus)}, where full fine-tuning's model states need at least ${gpus(fullGpus)} (QLoRA fits ${gpus(qloraGpus)} but trains slower). Compare quality with the full fine-tune on your evals before switching.`,
    monthlySaving,
    confidence: "medium",
    effectSource: SOURCES.lora,
  });
}

// ---------------------------------------------------------------- efficiency

/**
 * Model states per GPU in bytes, as a ratio (ZeRO partitions over the
 * GPUs): full training keeps 16 bytes per parameter — stage 1 partitions the
 * 12 optimizer bytes, stage 2 also the gradients, stage 3 everything; LoRA
 * and QLoRA keep the frozen base (partitioned only by stage 3).
 */
export function modelStateBytesPerGpu(f: RunFacts): Ratio | null {
  if (f.parameterCount === null || f.gpuCount <= 0) return null;
  const p = f.parameterCount;
  const n = BigInt(f.gpuCount);
  if (f.method === "LORA" || f.method === "QLORA") {
    const bits = f.method === "LORA" ? LORA_BITS_PER_PARAMETER : QLORA_BITS_PER_PARAMETER;
    return ratio(p * bits, f.zeroStage === 3 ? 8n * n : 8n);
  }
  switch (f.zeroStage) {
    case 1:
      return ratio(4n * p * n + 12n * p, n);
    case 2:
      return ratio(2n * p * n + 14n * p, n);
    case 3:
      return ratio(16n * p, n);
    default:
      return ratio(16n * p, 1n);
  }
}

function stateShareOfMemory(f: RunFacts): Ratio | null {
  const bytes = modelStateBytesPerGpu(f);
  if (bytes === null || f.gpuType.memoryGb <= 0) return null;
  return ratio(bytes.num, bytes.den * BigInt(f.gpuType.memoryGb) * BYTES_PER_GB);
}

function mfuBps(f: RunFacts): bigint | null {
  if (f.mfu === null) return null;
  const value = fractionToBps(f.mfu);
  return value > 0n ? value : null;
}

/** The share saved by raising MFU from `mfu` to `target` (same work in less time), net of a compute overhead: 1 − (1 + overhead) × mfu / target. */
function mfuGainShare(mfu: bigint, target: bigint, overheadBps = 0n): Ratio {
  const num = target * BPS - (BPS + overheadBps) * mfu;
  return ratio(num > 0n ? num : 0n, target * BPS);
}

/** The gradient-checkpointing rule's trigger: a memory-bound run without checkpointing and with low MFU. */
export function isCheckpointingCandidate(f: RunFacts): boolean {
  const mfu = mfuBps(f);
  const stateShare = stateShareOfMemory(f);
  return (
    !f.gradientCheckpointing &&
    f.precision !== "FP32" &&
    f.gradientAccumulationSteps >= HIGH_GRADIENT_ACCUMULATION_STEPS &&
    stateShare !== null &&
    isAboveBps(stateShare, MEMORY_BOUND_STATE_SHARE_BPS) &&
    mfu !== null &&
    mfu < LOW_MFU_BPS
  );
}

/**
 * MFU under 30% (or, without MFU, GPU utilization under 60%): fix the input
 * pipeline, batch size or communication. Saving: from MFU m to 30% (low) and
 * 40% (high): 1 − m/30%, 1 − m/40%. FP32 runs get the precision rule and
 * memory-bound runs without checkpointing the checkpointing rule instead.
 */
export function trainingEfficiencyRule(f: RunFacts): Suggestion | null {
  if (f.precision === "FP32" || isCheckpointingCandidate(f)) return null;
  const mfu = mfuBps(f);
  const utilization = f.avgGpuUtilizationPct === null ? null : percentToBps(f.avgGpuUtilizationPct);
  let low: Ratio;
  let high: Ratio;
  let basis: Evidence;
  if (mfu !== null) {
    if (mfu >= LOW_MFU_BPS) return null;
    low = mfuGainShare(mfu, LOW_MFU_BPS);
    high = mfuGainShare(mfu, TARGET_MFU_BPS);
    basis = { label: "Model FLOPs utilization (lifetime)", value: `${fraction(f.mfu)} (tuned runs: 40%+)`, period: null };
  } else if (utilization !== null && utilization > 0n) {
    if (utilization >= LOW_GPU_UTILIZATION_PCT_BPS) return null;
    low = mfuGainShare(utilization, LOW_GPU_UTILIZATION_PCT_BPS);
    high = mfuGainShare(utilization, TARGET_GPU_UTILIZATION_PCT_BPS);
    basis = { label: "Average GPU utilization (lifetime)", value: bpsText(utilization), period: null };
  } else {
    return null;
  }
  const monthlySaving = runSaving(f, low, high);
  if (!monthlySaving) return null;
  const levers = [
    "profile the input pipeline (data-loader workers, prefetching, pinned memory)",
    `raise the per-GPU micro-batch (gradient accumulation is ${count(f.gradientAccumulationSteps, "step" + (f.gradientAccumulationSteps === 1 ? "" : "s"))})`,
    f.zeroStage === 3 ? "try ZeRO stage 1–2 if memory allows (stage 3 gathers parameters every step)" : "overlap gradient communication with compute",
  ];
  return suggestion({
    ruleId: "training-efficiency",
    subject: runSubject(f),
    title: mfu !== null ? "Raise the run's model FLOPs utilization" : "Raise the run's GPU utilization",
    evidence: [
      basis,
      ...(mfu !== null && f.avgGpuUtilizationPct !== null ? [{ label: "Average GPU utilization (lifetime)", value: bpsText(percentToBps(f.avgGpuUtilizationPct)), period: null }] : []),
      gpuEvidence(f),
      { label: "ZeRO stage", value: f.zeroStage === null ? "Not used" : String(f.zeroStage), period: null },
      ...costEvidence(f),
    ],
    action: `For ${nextRuns(f)}: ${levers.join("; ")}.`,
    monthlySaving,
    confidence: mfu !== null ? "medium" : "low",
    effectSource: mfu !== null ? SOURCES.mfu : SOURCES.utilization,
  });
}

/**
 * A memory-bound run (model states over a quarter of GPU memory, 8+
 * accumulation steps) without gradient checkpointing and with MFU under 30%:
 * checkpointing frees activation memory for a larger micro-batch. It costs
 * 20–33% more compute itself, so the saving is the MFU gain net of it:
 * high = 1 − 1.20 × m / 40%, low = 1 − 1.33 × m / 40%.
 */
export function gradientCheckpointingRule(f: RunFacts): Suggestion | null {
  if (!isCheckpointingCandidate(f)) return null;
  const mfu = mfuBps(f)!;
  const stateShare = stateShareOfMemory(f)!;
  const stateBytes = modelStateBytesPerGpu(f)!;
  const monthlySaving = runSaving(f, mfuGainShare(mfu, TARGET_MFU_BPS, CHECKPOINTING_OVERHEAD_BPS.high), mfuGainShare(mfu, TARGET_MFU_BPS, CHECKPOINTING_OVERHEAD_BPS.low));
  if (!monthlySaving) return null;
  const fewerSteps = BigInt(f.gradientAccumulationSteps) / 4n;
  return suggestion({
    ruleId: "gradient-checkpointing",
    subject: runSubject(f),
    title: "Use gradient checkpointing to fit a larger micro-batch",
    evidence: [
      { label: "Gradient checkpointing", value: "Off", period: null },
      { label: "Gradient accumulation", value: count(f.gradientAccumulationSteps, "steps"), period: null },
      {
        label: `Model states per GPU (${f.zeroStage === null ? "no ZeRO" : `ZeRO stage ${f.zeroStage}`}, ${gpus(f.gpuCount)})`,
        value: `${gigabytes(stateBytes.num / stateBytes.den)} of ${f.gpuType.memoryGb} GB (${share(stateShare)})`,
        period: null,
      },
      { label: "Model FLOPs utilization (lifetime)", value: fraction(f.mfu), period: null },
      ...costEvidence(f),
    ],
    action: `Turn on gradient checkpointing for ${nextRuns(f)} and spend the freed activation memory on a larger micro-batch (gradient accumulation ${f.gradientAccumulationSteps} → ${fewerSteps < 1n ? 1n : fewerSteps} steps) or fewer GPUs. Checkpointing itself costs about 20–33% more compute (one extra forward pass); the saving comes only from the larger batch, and it is net of that cost.`,
    monthlySaving,
    confidence: "low",
    effectSource: SOURCES.checkpointing,
  });
}

/** A BF16/FP16/FP8 run without FlashAttention: 10–15% of compute (sequence length unknown). */
export function flashAttentionTrainingRule(f: RunFacts): Suggestion | null {
  if (f.flashAttention || f.precision === "FP32") return null;
  const monthlySaving = runSaving(f, bps(FLASH_ATTENTION_SAVING_BPS.low), bps(FLASH_ATTENTION_SAVING_BPS.high));
  if (!monthlySaving) return null;
  return suggestion({
    ruleId: "flash-attention-training",
    subject: runSubject(f),
    title: "Enable FlashAttention",
    evidence: [
      { label: "FlashAttention", value: "Off", period: null },
      { label: "Precision", value: f.precision, period: null },
      { label: "Sequence length", value: "Not recorded", period: null },
      gpuEvidence(f),
      ...costEvidence(f),
    ],
    action: `Enable FlashAttention for ${nextRuns(f)} (e.g. attn_implementation="flash_attention_2" in Transformers, or PyTorch SDPA's flash backend; Ampere GPUs or newer). The gain grows with sequence length: long-context runs gain far more than the 10–15% assumed here.`,
    monthlySaving,
    confidence: "medium",
    effectSource: SOURCES.flashAttention,
  });
}
