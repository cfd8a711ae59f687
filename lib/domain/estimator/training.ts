/**
 * Training estimator: FLOPs, GPU-hours, wall clock and cost of training a
 * model on some number of tokens, before the run exists. The same
 * FLOPs-per-token rule is the numerator of the MFU the run pages show
 * (training-cost.ts, modelFlopsUtilization), so an estimate and the measured
 * MFU of the run it became are on one scale.
 *
 * FLOPs per training token, N = parameters used per token (for a
 * mixture-of-experts model, the active parameters, e.g. 37B of DeepSeek-V3's
 * 671B):
 *
 * - Full training (PRETRAIN, FULL_FINE_TUNE): ≈ 6·N. Every weight matrix W
 *   (d×k) costs 2·d·k FLOPs per token forward (a multiply and an add per
 *   weight), and twice that backward: 2·d·k for the gradient with respect to
 *   its input (to keep back-propagating) and 2·d·k for the gradient with
 *   respect to W itself. Kaplan et al. 2020, "Scaling Laws for Neural
 *   Language Models", §2.1 (C ≈ 6N per token, attention's context-dependent
 *   term left out); Hoffmann et al. 2022, "Training Compute-Optimal Large
 *   Language Models" (Chinchilla), which uses C ≈ 6·N·D throughout.
 *
 * - LoRA, QLoRA: ≈ 4·N. Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large
 *   Language Models", freeze the pretrained weights W0 and train only a
 *   low-rank update B·A beside them. A frozen W0 gets no weight gradient, so
 *   its backward pass is only the input gradient: 2·d·k forward + 2·d·k
 *   backward = 4·d·k per token, hence 4·N over the model. The input gradients
 *   are still needed in every layer because the adapters sit in every layer.
 *   The adapters themselves cost 6·r·(d + k) per adapted matrix, about 1% of
 *   4·d·k at rank 16 on a 4096-wide model, and are left out. The LoRA paper
 *   reports a 25% training speed-up over full fine-tuning on GPT-3 175B
 *   (§4.2) "as we do not need to calculate the gradient for the vast
 *   majority of the parameters", consistent with a third fewer FLOPs.
 *   QLoRA (Dettmers et al. 2023) stores the frozen weights in 4-bit NF4 and
 *   dequantizes them to BF16 before each matrix product. ASSUMPTION: that
 *   dequantization is extra time, not model FLOPs, so QLoRA counts 4·N as
 *   LoRA does and shows up as a lower MFU.
 *
 * - OTHER (reward models, distillation, …) and an unknown method: 6·N, as
 *   full training.
 *
 * MFU (Chowdhery et al. 2022, "PaLM", Appendix B) counts these model FLOPs
 * only: activation recomputation (gradient checkpointing) is work the
 * hardware does but the model does not need, so it lowers MFU instead of
 * adding FLOPs.
 *
 * GPU time = FLOPs ÷ (peak dense BF16 FLOP/s × MFU). The default MFU is
 * DEFAULT_TRAINING_MFU, checked against public GPU-hour figures in
 * model-cards.test.ts.
 *
 * Money follows money.ts: GPU time is rounded to whole GPU-milliseconds and
 * priced exactly (price × ms is a whole number of sub-micros, rule 3), then
 * rounded half-even to micro-dollars once (rule 4).
 */
import type Decimal from "decimal.js";
import { formatGpuCount, formatGpuHours, formatPricePerGpuHour } from "../display";
import { TRAINING_METHOD_LABELS } from "../labels";
import { formatUsd, roundToMicros, SUB_MICROS_PER_MICRO } from "../money";
import { formatInteger, formatPlain, formatQuantity, formatShare, positive } from "./format";

export type TrainingMethod = keyof typeof TRAINING_METHOD_LABELS;

/**
 * Default model FLOPs utilization: 38%.
 *
 * The lower end of the 38–43% BF16 MFU Meta reports for Llama 3 405B
 * pre-training on 8–16K H100s (Llama Team 2024, "The Llama 3 Herd of
 * Models", Table 4), because a whole run's GPU-hours also pay for restarts,
 * evaluations and checkpoint stalls. Dividing 6·N·D by the GPU-hours public
 * runs reported gives MFUs of 0.32 (BLOOM 176B) to 0.43 (Llama 2 70B); 0.38
 * puts every one of them within ±25% (model-cards.test.ts: from −16% for
 * BLOOM to +13% for Llama 2 70B). Smaller fine-tunes on few GPUs often run
 * at 25–40%; enter a measured MFU from a past run when there is one.
 */
export const DEFAULT_TRAINING_MFU = 0.38;

/**
 * Default UTF-8 bytes per token when the data is given in bytes: 4.
 *
 * ASSUMPTION for English prose with a Llama-style BPE tokenizer: about four
 * characters (≈ bytes, for ASCII) per token is OpenAI's rule of thumb for
 * common English text, and Llama 3's 128K-entry tokenizer is within about 15%
 * of it (Meta reports up to 15% fewer tokens than Llama 2's 32K SentencePiece
 * tokenizer). Code, markup and non-English text have fewer bytes per token:
 * measure with the model's own tokenizer when it matters.
 */
export const DEFAULT_BYTES_PER_TOKEN = 4;

const FLOPS_PER_PARAMETER_PER_TOKEN: Record<TrainingMethod, 4 | 6> = {
  PRETRAIN: 6,
  FULL_FINE_TUNE: 6,
  LORA: 4,
  QLORA: 4,
  OTHER: 6,
};

/** FLOPs per parameter per training token: 6 (full training), 4 (LoRA, QLoRA); 6 when the method is not known. */
export function trainingFlopsFactor(method: TrainingMethod | null | undefined): 4 | 6 {
  return method ? FLOPS_PER_PARAMETER_PER_TOKEN[method] : 6;
}

/** FLOPs per training token: 6·N for full training, 4·N for LoRA/QLoRA (see the file comment). */
export function trainingFlopsPerToken({
  activeParameters,
  method,
}: {
  activeParameters: number | bigint;
  method: TrainingMethod | null | undefined;
}): number {
  return trainingFlopsFactor(method) * Number(activeParameters);
}

/** Why the factor is what it is, one line, for "how" texts and assumption lists. */
export function trainingFlopsFactorNote(method: TrainingMethod | null | undefined): string {
  if (!method) return "6 FLOPs per parameter per token (method not given: counted as full training)";
  const label = TRAINING_METHOD_LABELS[method];
  return FLOPS_PER_PARAMETER_PER_TOKEN[method] === 4
    ? `4 FLOPs per parameter per token (${label}: frozen base weights get no weight gradients — forward 2 + input gradient 2; adapter FLOPs left out)`
    : `6 FLOPs per parameter per token (${label}: forward 2 + backward 4)`;
}

export interface TrainingGpu {
  name: string;
  /** Peak dense BF16 TFLOPS of one GPU (no sparsity), as in the GPU catalog. */
  peakBf16Tflops: Decimal.Value;
}

export interface GpuOption extends TrainingGpu {
  /** Null when there is no price for this GPU: time is estimated, cost is not. */
  pricePerGpuHourMicros: bigint | null;
}

/** The training data: a token count, or a size in bytes converted at bytesPerToken. */
export type TrainingData =
  | { tokens: number | bigint; bytes?: never; bytesPerToken?: never }
  | { bytes: number | bigint; bytesPerToken?: number; tokens?: never };

export type TrainingWorkload = TrainingData & {
  /** Parameters used per token (all of them for a dense model). */
  activeParameters: number | bigint;
  method: TrainingMethod;
  gpuCount: number;
  /** 0 < mfu ≤ 1; DEFAULT_TRAINING_MFU when not given. */
  mfu?: number;
};

export type TrainingEstimateInput = TrainingWorkload & {
  gpu: TrainingGpu;
  pricePerGpuHourMicros: bigint | null;
};

export interface TrainingEstimate {
  gpuName: string;
  method: TrainingMethod;
  tokens: number;
  /** 6 or 4: FLOPs per parameter per token. */
  flopsFactor: 4 | 6;
  flopsPerToken: number;
  flops: number;
  mfu: number;
  gpuCount: number;
  gpuSeconds: number;
  /** GPU time as priced: whole GPU-milliseconds. */
  gpuMilliseconds: bigint;
  gpuHours: number;
  wallClockHours: number;
  wallClockDays: number;
  /** Null without a price. */
  costMicros: bigint | null;
  /** The arithmetic behind each output, for display next to it. */
  formula: { tokens: string; flops: string; gpuHours: string; wallClock: string; cost: string };
  assumptions: string[];
}

function tokensOf(data: TrainingData): { tokens: number; formula: string; assumption: string | null } {
  if (data.tokens !== undefined) {
    const tokens = positive("tokens", data.tokens);
    return { tokens, formula: `${formatQuantity(tokens)} tokens`, assumption: null };
  }
  const bytes = positive("bytes", data.bytes);
  const bytesPerToken = positive("bytesPerToken", data.bytesPerToken ?? DEFAULT_BYTES_PER_TOKEN);
  const tokens = Math.round(bytes / bytesPerToken);
  return {
    tokens,
    formula: `${formatQuantity(bytes)} bytes ÷ ${formatQuantity(bytesPerToken)} bytes/token = ${formatQuantity(tokens)} tokens`,
    assumption:
      data.bytesPerToken === undefined
        ? `${DEFAULT_BYTES_PER_TOKEN} bytes per token (default): English prose with a Llama-style BPE tokenizer. Code, markup and non-English text have fewer bytes per token — measure with the model's tokenizer.`
        : `${formatQuantity(bytesPerToken)} bytes per token (entered).`,
  };
}

function validMfu(mfu: number): number {
  if (!Number.isFinite(mfu) || mfu <= 0 || mfu > 1) throw new RangeError(`MFU must be in (0, 1], got ${mfu}`);
  return mfu;
}

function validGpuCount(gpuCount: number): number {
  if (!Number.isSafeInteger(gpuCount) || gpuCount < 1) throw new RangeError(`gpuCount must be a positive integer, got ${gpuCount}`);
  return gpuCount;
}

/** An estimate of training `activeParameters` on the data with `gpuCount` GPUs of one type at an MFU. */
export function estimateTraining(input: TrainingEstimateInput): TrainingEstimate {
  const parameters = positive("activeParameters", input.activeParameters);
  const gpuCount = validGpuCount(input.gpuCount);
  const mfu = validMfu(input.mfu ?? DEFAULT_TRAINING_MFU);
  const peakTflops = positive("peakBf16Tflops", input.gpu.peakBf16Tflops);
  if (input.pricePerGpuHourMicros !== null && input.pricePerGpuHourMicros < 0n) throw new RangeError("pricePerGpuHourMicros must not be negative");
  const data = tokensOf(input);
  const { tokens } = data;

  const flopsFactor = trainingFlopsFactor(input.method);
  const flopsPerToken = trainingFlopsPerToken({ activeParameters: parameters, method: input.method });
  const flops = flopsPerToken * tokens;
  const gpuSeconds = flops / (peakTflops * 1e12 * mfu);
  const gpuMilliseconds = BigInt(Math.round(gpuSeconds * 1000));
  const gpuHours = Number(gpuMilliseconds) / Number(SUB_MICROS_PER_MICRO);
  const wallClockHours = gpuSeconds / gpuCount / 3600;
  const wallClockDays = wallClockHours / 24;
  const price = input.pricePerGpuHourMicros;
  const costMicros = price === null ? null : roundToMicros(price * gpuMilliseconds);

  const peakText = formatPlain(peakTflops);
  return {
    gpuName: input.gpu.name,
    method: input.method,
    tokens,
    flopsFactor,
    flopsPerToken,
    flops,
    mfu,
    gpuCount,
    gpuSeconds,
    gpuMilliseconds,
    gpuHours,
    wallClockHours,
    wallClockDays,
    costMicros,
    formula: {
      tokens: data.formula,
      flops: `${flopsFactor} × ${formatQuantity(parameters)} parameters × ${formatQuantity(tokens)} tokens = ${formatQuantity(flops)} FLOPs`,
      gpuHours: `${formatQuantity(flops)} FLOPs ÷ (${peakText} × 10^12 FLOP/s per ${input.gpu.name} × ${formatShare(mfu)} MFU) = ${formatQuantity(gpuSeconds)} GPU-seconds = ${formatGpuHours(gpuHours)}`,
      wallClock: `${formatGpuHours(gpuHours)} ÷ ${formatGpuCount(gpuCount)} = ${formatQuantity(wallClockHours)} h ≈ ${formatQuantity(wallClockDays)} days`,
      cost:
        price === null || costMicros === null
          ? `No price for ${input.gpu.name}: cost not estimated`
          : `${formatInteger(gpuMilliseconds)} GPU-ms ÷ 3,600,000 ms/h × ${formatPricePerGpuHour(price)} = ${formatUsd({ micros: costMicros })}`,
    },
    assumptions: [
      trainingFlopsFactorNote(input.method) + ". Attention's context-length-dependent FLOPs are left out, as in 6·N·D; at long sequence lengths real compute is higher.",
      ...(input.method === "QLORA" ? ["QLoRA dequantizes 4-bit base weights before each matrix product: extra time, not model FLOPs, so expect a lower MFU than LoRA."] : []),
      input.mfu === undefined
        ? `MFU ${formatShare(mfu)} (default): the lower end of Llama 3 405B's reported 38–43%, and within ±25% of the GPU-hours reported for Llama 2, Llama 3.1 405B, DeepSeek-V3 and BLOOM. Small fine-tunes often reach 25–40%.`
        : `MFU ${formatShare(mfu)} (entered).`,
      `Peak ${peakText} TFLOPS is ${input.gpu.name}'s dense BF16 peak; FP8 training is not credited with FP8's higher peak.`,
      "GPU time assumes every GPU computes at that MFU for the whole run: no queueing, restarts or idle GPUs beyond what the MFU absorbs.",
      ...(data.assumption === null ? [] : [data.assumption]),
      ...(price === null ? [] : ["Cost = GPU time rounded to the millisecond × the price per GPU-hour, rounded half-even to the micro-dollar; storage, data and network are not included."]),
    ],
  };
}

/** The same workload on each GPU type (in the order given), each at its own price. */
export function compareTrainingAcrossGpus(input: TrainingWorkload, gpus: readonly GpuOption[]): TrainingEstimate[] {
  return gpus.map(({ pricePerGpuHourMicros, ...gpu }) => estimateTraining({ ...input, gpu, pricePerGpuHourMicros }));
}
