/** Where each effect size comes from, as shown under a suggestion. */
import type { EffectSource } from "./types";

export const SOURCES = {
  mixedPrecision: {
    kind: "published",
    text: "Micikevicius et al. 2018, “Mixed Precision Training” (ICLR); NVIDIA reports up to 3× speedups from mixed precision on tensor-core GPUs. Taken conservatively as 40–60% less compute time.",
    url: "https://docs.nvidia.com/deeplearning/performance/mixed-precision-training/index.html",
  },
  lora: {
    kind: "published",
    text: "Hu et al. 2021, “LoRA: Low-Rank Adaptation of Large Language Models”: 10,000× fewer trainable parameters, 3× less GPU memory and 25% faster training than full fine-tuning on GPT-3 175B. QLoRA (Dettmers et al. 2023) fine-tunes a 65B model on one 48 GB GPU.",
    url: "https://arxiv.org/abs/2106.09685",
  },
  mfu: {
    kind: "published",
    text: "Chowdhery et al. 2022 (PaLM) define model FLOPs utilization and reach 46.2% MFU; tuned runs are taken to reach 40%.",
    url: "https://arxiv.org/abs/2204.02311",
  },
  utilization: {
    kind: "assumption",
    text: "Assumption: throughput rises in proportion to GPU busy time once the input pipeline or communication stall is fixed (60–80% busy). MFU was not available for this run.",
  },
  checkpointing: {
    kind: "published",
    text: "Chen et al. 2016, “Training Deep Nets with Sublinear Memory Cost”: checkpointing costs one extra forward pass, about 20–33% more compute. The saving comes only from the larger micro-batch it makes room for (MFU toward 40%), net of that overhead.",
    url: "https://arxiv.org/abs/1604.06174",
  },
  flashAttention: {
    kind: "published",
    text: "Dao et al. 2022, “FlashAttention”: 2–4× faster attention; end to end 15% on BERT-large (512 tokens) and 3× on GPT-2 (1K tokens). Sequence length is not recorded, so 10–15% is assumed.",
    url: "https://arxiv.org/abs/2205.14135",
  },
  quantization: {
    kind: "published",
    text: "8-bit weights take half and 4-bit a quarter of the memory of 16-bit weights; LLM.int8() (Dettmers et al. 2022), FP8 (Micikevicius et al. 2022) and AWQ/GPTQ report little or no accuracy loss — validate on your own evals.",
    url: "https://arxiv.org/abs/2208.07339",
  },
  continuousBatching: {
    kind: "published",
    text: "Kwon et al. 2023 (vLLM): 2–4× throughput at the same latency over FasterTransformer and Orca; Orca (Yu et al. 2022) introduced iteration-level (continuous) batching. Taken as 2–4× fewer GPUs.",
    url: "https://arxiv.org/abs/2309.06180",
  },
  prefixCaching: {
    kind: "assumption",
    text: "Burnrate does not record whether prefix caching is on. Assumption: prefill is at most a quarter of serving GPU time, so reusing the cached prefixes saves at most cached share × 25% — and nothing if a cache already serves them (reported cached tokens suggest one does).",
    url: "https://docs.vllm.ai/en/latest/features/automatic_prefix_caching.html",
  },
  flashAttentionServing: {
    kind: "assumption",
    text: "Burnrate does not record whether the engine uses FlashAttention. Dao et al. 2022's training speedups (15% end to end at 512 tokens) are assumed, 10–15%, for long prompts.",
    url: "https://arxiv.org/abs/2205.14135",
  },
  idle: {
    kind: "assumption",
    text: "Assumption: capacity is sized for 50% average busy time (2× headroom for peaks), in whole replicas; or quiet time without any request is switched off, half of it at the low end.",
  },
  idleNoTraffic: {
    kind: "assumption",
    text: "No request was recorded in the period: switching the deployment off saves its whole cost.",
  },
  sloScaleOut: {
    kind: "assumption",
    text: "One more replica at the deployment's own cost per GPU; whether one is enough depends on load. Lowering the max batch size costs nothing but lowers throughput per GPU.",
  },
  gpuType: {
    kind: "assumption",
    text: "Assumption: decoding is memory-bandwidth bound (Pope et al. 2022), so per-GPU throughput and latency scale with bandwidth; GPUs are sized for 50% average utilization. Prices from the org's GPU catalog.",
    url: "https://arxiv.org/abs/2211.05102",
  },
  smallerModel: {
    kind: "assumption",
    text: "Assumption: a task-specific model with a half to a quarter of the parameters can answer short requests as well (validate on your evals); serving GPUs scale with parameters.",
  },
  catalogPrices: {
    kind: "published",
    text: "The org's GPU price catalog: current list prices for this GPU type. Reserved prices need a term commitment; spot capacity can be reclaimed at short notice.",
  },
  dataGap: {
    kind: "assumption",
    text: "No saving is claimed: time without usage records is “no data”, neither idle nor busy, so idle and right-sizing suggestions are withheld until usage is recorded.",
  },
} as const satisfies Record<string, EffectSource>;
