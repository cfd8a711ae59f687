/**
 * Every threshold and effect size the rules use, each with the reason for
 * its value. Shares are basis points (10,000 = 100%); money is cents.
 * Each comment says which side of the value fires ("above", "under",
 * "at least"); the tests check one step either side of every one.
 */
import type { ServingEngine } from "./types";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// ---------------------------------------------------------------- general

/** Below $10 a month a change is not worth an engineer's hour; such suggestions would only crowd the list. */
export const MIN_MONTHLY_SAVING_CENTS = 1_000n;
/** Less than a day of activity in the period is too little to extrapolate to a month. */
export const MIN_OBSERVED_ACTIVE_MS = DAY_MS;
/** Serving engines keep about half of GPU memory for KV cache and activations (vLLM preallocates 90% and batches into what weights leave); weights must fit in the other half. */
export const WEIGHTS_MAX_MEMORY_SHARE_BPS = 5_000n;
/** Only the average utilization is known, not the peak: resized capacity is planned for 50% average, 2× headroom for peaks and bursts. */
export const SIZING_TARGET_UTILIZATION_BPS = 5_000n;

// ---------------------------------------------------------------- training

/** Well-tuned LLM training reaches 40–55% MFU (PaLM: 46.2%); below 30% input, communication or small batches dominate. */
export const LOW_MFU_BPS = 3_000n;
/** The MFU a tuned run reaches, conservatively below PaLM's 46.2%: the high end of efficiency savings. */
export const TARGET_MFU_BPS = 4_000n;
/** nvidia-smi utilization counts time with any kernel running; under 60% the GPUs wait on input or communication most of the time (used when MFU is unknown). */
export const LOW_GPU_UTILIZATION_PCT_BPS = 6_000n;
/** A data-bound run that is fixed typically keeps its GPUs busy 80%+ of the time: the high end when only utilization is known. */
export const TARGET_GPU_UTILIZATION_PCT_BPS = 8_000n;

/** Mixed precision on tensor cores: 1.67–2.5× throughput (saving 40–60% of compute), inside the published "up to 3×". */
export const MIXED_PRECISION_SAVING_BPS = { low: 4_000n, high: 6_000n } as const;

/** Below ~1B parameters full fine-tuning fits one GPU and is the norm (encoders, rerankers): LoRA is not suggested. */
export const LORA_MIN_PARAMETERS = 1_000_000_000n;
/** Mixed-precision Adam keeps 16 bytes per parameter: fp16 weights and gradients (2 + 2) and fp32 master weights, momentum and variance (12) — ZeRO, Rajbhandari et al. 2020. */
export const FULL_TRAINING_BYTES_PER_PARAMETER = 16n;
/** LoRA keeps the frozen base in bf16 (2 bytes per parameter); adapters and their optimizer states are under 1% of that. */
export const LORA_BITS_PER_PARAMETER = 16n;
/** QLoRA keeps the frozen base in 4-bit NF4 (Dettmers et al. 2023). */
export const QLORA_BITS_PER_PARAMETER = 4n;
/** Model states may take at most half of GPU memory when counting the GPUs a method needs: the rest is activations. */
export const TRAINING_STATES_MAX_MEMORY_SHARE_BPS = 5_000n;
/** LoRA saves 25% (Hu et al. 2021 measured 25% faster training on GPT-3 175B) to 33% (the backward pass skips weight gradients: 4N instead of 6N FLOPs per token). */
export const LORA_SAVING_BPS = { low: 2_500n, high: 3_333n } as const;

/** Model states above a quarter of GPU memory leave the micro-batch squeezed by activations on LLM sequence lengths. */
export const MEMORY_BOUND_STATE_SHARE_BPS = 2_500n;
/** 8+ accumulation steps means each micro-batch is an eighth of the global batch or less, which memory usually forces. */
export const HIGH_GRADIENT_ACCUMULATION_STEPS = 8;
/** Recomputing activations costs one extra forward pass, about +33% compute (Chen et al. 2016); selective recomputation about +20%. */
export const CHECKPOINTING_OVERHEAD_BPS = { low: 2_000n, high: 3_333n } as const;

/** FlashAttention: 15% end to end at 512 tokens (Dao et al. 2022's shortest setting) as the high end, two thirds of it as the low end — sequence length is not recorded. */
export const FLASH_ATTENTION_SAVING_BPS = { low: 1_000n, high: 1_500n } as const;

// ---------------------------------------------------------------- serving

/** Continuous batching: 2–4× throughput at the same latency (vLLM over FasterTransformer/Orca, which already batch) — conservative against static or no batching. */
export const CONTINUOUS_BATCHING_GAIN = { low: 2n, high: 4n } as const;
/** Little's law: with fewer than two requests in flight on average there is nothing to batch. */
export const MIN_CONCURRENT_REQUESTS = 2n;
/** Above 30% of prompt tokens served from a cache, prefix reuse is a large part of the workload. */
export const CACHED_TOKEN_SHARE_BPS = 3_000n;
/** Assumption: prefill is at most a quarter of serving GPU time, so skipping cached prefill saves at most cached share × 25%. */
export const PREFILL_SHARE_OF_GPU_TIME_BPS = 2_500n;
/** Engines that reuse shared prefixes across requests by default in current releases (vLLM APC, SGLang RadixAttention, TGI v3, TensorRT-LLM KV block reuse). */
export const ENGINES_WITH_DEFAULT_PREFIX_CACHING: readonly ServingEngine[] = ["VLLM", "SGLANG", "TGI", "TENSORRT_LLM"];
/** Engines whose attention kernels are FlashAttention-class by default (llama.cpp only since `-fa auto`; OTHER is unknown). */
export const ENGINES_WITH_DEFAULT_FLASH_ATTENTION: readonly ServingEngine[] = ["VLLM", "SGLANG", "TGI", "TENSORRT_LLM"];
/** Prompts above 2,048 tokens on average: FlashAttention's gain grows with sequence length, and below ~2K attention is a small share of the work. */
export const LONG_PROMPT_TOKENS = 2_048n;
/** Weight-only 8-bit (FP8/INT8) and 4-bit (AWQ/GPTQ) halve and quarter the memory of 16-bit weights. */
export const QUANTIZED_BITS = { low: 8n, high: 4n } as const;

// ---------------------------------------------------------------- capacity, sizing, pricing

/** More than half of recorded GPU time idle is capacity beyond any reasonable headroom for peaks. */
export const IDLE_SHARE_BPS = 5_000n;
/** A deployment breaching its SLO while under 50% busy is slow from batching or prompt length, not load: lowering the batch size comes first. */
export const SLO_LOW_UTILIZATION_BPS = 5_000n;
/** Not every quiet stretch can be switched off (cold starts, scattered gaps): half of no-traffic time is the low end. */
export const SCHEDULABLE_NO_TRAFFIC_LOW_BPS = 5_000n;
/** A commitment needs a deployment that has run at least a month… */
export const STEADY_MIN_AGE_MS = 30 * DAY_MS;
/** …and was active for at least 90% of the period. */
export const STEADY_MIN_ACTIVE_SHARE_BPS = 9_000n;
/** Above 30B parameters a task-specific smaller or distilled model is a realistic alternative for short answers. */
export const LARGE_MODEL_PARAMETERS = 30_000_000_000n;
/** Under 200 output tokens per request on average: classification, extraction, routing, short answers. */
export const SHORT_OUTPUT_TOKENS_PER_REQUEST = 200n;
/** The candidate model has a half (low end) to a quarter (high end) of the parameters. */
export const SMALLER_MODEL_DIVISOR = { low: 2n, high: 4n } as const;

// ---------------------------------------------------------------- data

/** Under 90% of active time with usage records, idle and rates describe too little of the deployment's time. */
export const MIN_RECORD_COVERAGE_BPS = 9_000n;
/** More than a day without any record is more than reporting lag: usage is not being recorded. */
export const MAX_RECORD_GAP_MS = DAY_MS;
