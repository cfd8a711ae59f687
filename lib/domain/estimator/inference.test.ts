import { describe, expect, it } from "vitest";
import {
  BYTES_PER_PARAMETER,
  compareInferenceAcrossGpus,
  DEFAULT_BANDWIDTH_UTILIZATION,
  DEFAULT_INFERENCE_MFU,
  estimatedKvCacheBytesPerToken,
  estimateInference,
  HOURS_PER_MONTH,
  type InferenceEstimateInput,
  type InferenceGpu,
} from "./inference";

// The demo GPU catalog (lib/seed/demo-data.ts).
const H100: InferenceGpu = { name: "H100 80GB", memoryGb: 80, peakBf16Tflops: "989.50", memoryBandwidthGbps: "3350.00", pricePerGpuHourMicros: 2_500_000n };
const H200: InferenceGpu = { name: "H200 141GB", memoryGb: 141, peakBf16Tflops: "989.50", memoryBandwidthGbps: "4800.00", pricePerGpuHourMicros: 3_500_000n };
const L4: InferenceGpu = { name: "L4 24GB", memoryGb: 24, peakBf16Tflops: "121.00", memoryBandwidthGbps: "300.00", pricePerGpuHourMicros: null };

const chat = { requestsPerSecond: 10, inputTokensPerRequest: 200, outputTokensPerRequest: 500 };

describe("bytes per parameter", () => {
  it.each([
    ["NONE", 2],
    ["FP16_BF16", 2],
    ["FP8", 1],
    ["INT8", 1],
    ["INT4", 0.5],
  ] as const)("%s: %d bytes", (quantization, bytes) => {
    expect(BYTES_PER_PARAMETER[quantization]).toBe(bytes);
    expect(estimateInference({ ...chat, parameters: 8e9, quantization, gpu: H100 }).weightsGb).toBe(8 * bytes);
  });
});

describe("estimateInference: a hand-computed example", () => {
  // 1e9 parameters in BF16 = 2 GB; a GPU with 80 GB, 2,000 GB/s, 500 TFLOPS at $2.00 / GPU-h.
  // 100,000 KV bytes per token (entered); 300 prompt + 100 output tokens; 50% MBU and MFU.
  const input: InferenceEstimateInput = {
    parameters: 1_000_000_000n,
    quantization: "FP16_BF16",
    gpu: { name: "Test GPU", memoryGb: "80", peakBf16Tflops: "500", memoryBandwidthGbps: "2000", pricePerGpuHourMicros: 2_000_000n },
    requestsPerSecond: 500,
    inputTokensPerRequest: 300,
    outputTokensPerRequest: 100,
    kvCacheBytesPerToken: 100_000,
    mfu: 0.5,
    bandwidthUtilization: 0.5,
  };
  const e = estimateInference(input);

  it("memory: 2 GB of weights fit on one GPU; the KV cache holds more than 256 sequences", () => {
    expect(e.weightsGb).toBe(2);
    expect(e.gpusForMemory).toBe(1); // 2 ÷ (80 × 0.9 × 0.8 = 57.6)
    expect(e.gpusPerReplica).toBe(1);
    // ⌊(72 GB − 2 GB) ÷ (100,000 B × 400 tokens)⌋ = 1,750 → capped at 256.
    expect(e.batchSize).toBe(256);
  });

  it("both bounds, and the one that binds", () => {
    // Memory: a step reads 2e9 + 256 × 350 tokens × 1e5 B = 1.096e10 B at 1e12 B/s = 10.96 ms.
    expect(e.outputTokensPerSecondPerGpu.memoryBound).toBeCloseTo(256 / 0.01096, 6);
    // Compute: 256 × (1 + 3) × 2e9 FLOPs at 2.5e14 FLOP/s = 8.192 ms.
    expect(e.outputTokensPerSecondPerGpu.computeBound).toBeCloseTo(256 / 0.008192, 6);
    expect(e.bindingBound).toBe("memory-bandwidth");
    expect(e.outputTokensPerSecondPerGpu.estimate).toBe(e.outputTokensPerSecondPerGpu.memoryBound);
    expect(e.tokensPerSecondPerGpu).toBeCloseTo((4 * 256) / 0.01096, 6);
    expect(e.stepMs).toBeCloseTo(10.96, 9);
    expect(e.latencyMs).toBeCloseTo(1096, 6);
    expect(e.meetsLatencyTarget).toBeNull();
  });

  it("GPUs: replicas round up", () => {
    // 23,357.66 output tokens/s ÷ 100 = 233.58 req/s per replica; 500 req/s → ⌈2.14⌉ = 3.
    expect(e.requestsPerSecondPerReplica).toBeCloseTo(2.56 / 0.01096, 6);
    expect(e.replicas).toBe(3);
    expect(e.gpuCount).toBe(3);
    expect(e.utilization).toBeCloseTo(500 / (3 * (2.56 / 0.01096)), 9);
  });

  it("money: exact micro-dollars per hour and month; $/1M tokens as a Decimal", () => {
    expect(e.hourlyCostMicros).toBe(6_000_000n);
    expect(e.monthlyCostMicros).toBe(4_380_000_000n); // $6 × 730 h
    expect(HOURS_PER_MONTH).toBe(730);
    // $6 / h ÷ (500 × 3,600 × 400 tokens) × 1e6 = $0.008333…
    expect(e.costPerMillionTokensUsd?.toFixed(10)).toBe("0.0083333333");
    expect(e.costPerMillionOutputTokensUsd?.toFixed(10)).toBe("0.0333333333");
  });

  it("every output has its arithmetic", () => {
    expect(e.formula).toEqual({
      weights: "1.00e9 parameters × 2 bytes (FP16/BF16) = 2 GB",
      gpusForMemory: "2 GB ÷ (80 GB × 90% usable × 80% for weights) = 0.0347 → 1 GPU",
      gpusPerReplica: "1 GPU per replica (memory)",
      kvCache: "100,000 bytes/token (entered)",
      batchSize: "min(256, ⌊(1 GPU × 72 GB − 2 GB) ÷ (100,000 bytes × 400 tokens)⌋ = 256) sequences",
      memoryBound: "256 sequences × 2,000 GB/s × 50% ÷ (2 GB weights + 256 × 350 tokens × 100,000 bytes KV cache) = 23,400 output tokens/s per GPU",
      computeBound: "500 × 10^12 FLOP/s × 50% MFU ÷ (2 × 1.00e9 FLOPs/token × (1 + 300 ÷ 100) tokens per output token) = 31,300 output tokens/s per GPU",
      throughput: "min(23,400, 31,300) = 23,400 output tokens/s per GPU (memory-bandwidth-bound) = 93,400 input + output tokens/s",
      latency: "100 output tokens × 11 ms per step = 1.1 s",
      gpuCount: "⌈500 req/s ÷ 234 req/s per replica⌉ = 3 replicas × 1 GPU = 3 GPUs",
      hourlyCost: "3 GPUs × $2.00 / GPU-h = $6.00 / h",
      monthlyCost: "$6.00 / h × 730 h = $4,380.00 / month",
      costPerMillionTokens: "$6.00 / h ÷ (500 req/s × 3,600 s × 400 tokens) × 1,000,000 = $0.00833 / 1M tokens ($0.0333 / 1M output tokens)",
    });
    expect(e.assumptions.length).toBeGreaterThan(5);
  });
});

describe("estimateInference: which bound binds", () => {
  it("a small model on a big GPU is bound by memory bandwidth (KV-cache reads), a large one by compute", () => {
    const small = estimateInference({ ...chat, parameters: 1.2e9, quantization: "FP16_BF16", gpu: H100 });
    const large = estimateInference({ ...chat, parameters: 70e9, quantization: "FP16_BF16", gpu: H100 });
    expect(small.bindingBound).toBe("memory-bandwidth");
    expect(small.outputTokensPerSecondPerGpu.memoryBound).toBeLessThan(small.outputTokensPerSecondPerGpu.computeBound);
    expect(large.bindingBound).toBe("compute");
    expect(large.outputTokensPerSecondPerGpu.computeBound).toBeLessThan(large.outputTokensPerSecondPerGpu.memoryBound);
    // Both at a full batch: the difference is the model, not the batch.
    expect([small.batchSize, large.batchSize]).toEqual([256, 256]);
  });

  it("a small batch is bound by memory bandwidth: every step reads all the weights", () => {
    // Long sequences leave room for few of them on one GPU.
    const e = estimateInference({ parameters: 30e9, quantization: "INT4", gpu: H100, requestsPerSecond: 1, inputTokensPerRequest: 100, outputTokensPerRequest: 30_000 });
    expect(e.gpusPerReplica).toBe(1);
    expect(e.batchSize).toBeLessThan(10);
    expect(e.bindingBound).toBe("memory-bandwidth");
  });

  it("defaults: 60% of peak bandwidth, 40% MFU", () => {
    expect(DEFAULT_BANDWIDTH_UTILIZATION).toBe(0.6);
    expect(DEFAULT_INFERENCE_MFU).toBe(0.4);
    const e = estimateInference({ ...chat, parameters: 70e9, quantization: "FP16_BF16", gpu: H100 });
    // Compute bound: 989.5e12 × 0.4 ÷ (1.4e11 × 1.4) output tokens/s per GPU.
    expect(e.outputTokensPerSecondPerGpu.computeBound).toBeCloseTo((989.5e12 * 0.4) / (1.4e11 * 1.4), 6);
  });
});

describe("estimateInference: GPUs", () => {
  it.each([
    { model: "8B BF16 on an L4", parameters: 8e9, quantization: "FP16_BF16", gpu: L4, gpus: 1 }, // 16 ÷ (24 × 0.72 = 17.28) = 0.93 → 1
    { model: "70B BF16 on H100s", parameters: 70e9, quantization: "FP16_BF16", gpu: H100, gpus: 4 }, // 140 ÷ 57.6 = 2.43 → 3 → 4
    { model: "70B BF16 on H200s", parameters: 70e9, quantization: "FP16_BF16", gpu: H200, gpus: 2 }, // 140 ÷ 101.52 = 1.38 → 2
    { model: "70B INT4 on an H100", parameters: 70e9, quantization: "INT4", gpu: H100, gpus: 1 }, // 35 ÷ 57.6
    { model: "405B FP8 on H100s", parameters: 405e9, quantization: "FP8", gpu: H100, gpus: 8 }, // 405 ÷ 57.6 = 7.03 → 8
    { model: "405B BF16 on H100s", parameters: 405e9, quantization: "FP16_BF16", gpu: H100, gpus: 16 }, // 14.06 → 15 → 16
  ] as const)("$model: weights need $gpus GPUs (rounded up to a power of two)", ({ parameters, quantization, gpu, gpus }) => {
    expect(estimateInference({ ...chat, parameters, quantization, gpu }).gpusForMemory).toBe(gpus);
  });

  it("replicas round up, and float noise at an exact multiple does not add one", () => {
    const base = { ...chat, parameters: 8e9, quantization: "FP16_BF16", gpu: H100 } as const;
    const perReplica = estimateInference(base).requestsPerSecondPerReplica;
    expect(estimateInference({ ...base, requestsPerSecond: perReplica }).replicas).toBe(1);
    expect(estimateInference({ ...base, requestsPerSecond: perReplica * 1.001 }).replicas).toBe(2);
    expect(estimateInference({ ...base, requestsPerSecond: perReplica * 3 }).replicas).toBe(3);
    expect(estimateInference({ ...base, requestsPerSecond: perReplica * 3 }).utilization).toBeCloseTo(1, 9);
  });

  it("no traffic: one replica still runs; no cost per token", () => {
    const e = estimateInference({ ...chat, requestsPerSecond: 0, parameters: 8e9, quantization: "FP16_BF16", gpu: H100 });
    expect(e.gpuCount).toBe(1);
    expect(e.hourlyCostMicros).toBe(2_500_000n);
    expect(e.costPerMillionTokensUsd).toBeNull();
    expect(e.formula.costPerMillionTokens).toBe("No traffic: no cost per token");
  });

  it("a sequence too long for the KV cache beside the weights takes more GPUs per replica", () => {
    const e = estimateInference({ parameters: 70e9, quantization: "INT4", gpu: H100, requestsPerSecond: 1, inputTokensPerRequest: 200_000, outputTokensPerRequest: 1_000 });
    expect(e.gpusForMemory).toBe(1);
    // 290 KB × 201,000 tokens = 58 GB of KV cache; one GPU has 72 − 35 = 37 GB left.
    expect(e.gpusPerReplica).toBe(2);
    expect(e.formula.gpusForMemory).toMatch(/; 2 GPUs to hold one 201,000-token sequence$/);
  });
});

describe("estimateInference: latency target", () => {
  const base = { ...chat, parameters: 70e9, quantization: "FP16_BF16", gpu: H100 } as const;

  it("met at full throughput: nothing changes", () => {
    const free = estimateInference(base);
    const e = estimateInference({ ...base, latencyTargetMs: free.latencyMs + 1 });
    expect(e.meetsLatencyTarget).toBe(true);
    expect([e.batchSize, e.gpusPerReplica]).toEqual([free.batchSize, free.gpusPerReplica]);
  });

  it("a tighter target cuts the batch", () => {
    const e = estimateInference({ ...base, latencyTargetMs: 10_000 });
    expect(e.meetsLatencyTarget).toBe(true);
    expect(e.gpusPerReplica).toBe(4);
    expect(e.batchSize).toBeLessThan(256);
    expect(e.latencyMs).toBeLessThanOrEqual(10_000);
    expect(e.formula.batchSize).toMatch(/→ \d+ to meet the 10 s latency target$/);
  });

  it("tighter than reading the weights 500 times on 4 GPUs allows: 8 GPUs per replica", () => {
    // 140 GB ÷ (4 × 3,350 GB/s × 60%) = 17.4 ms per step × 500 tokens = 8.7 s > 6 s.
    const e = estimateInference({ ...base, latencyTargetMs: 6_000 });
    expect(e.meetsLatencyTarget).toBe(true);
    expect(e.gpusPerReplica).toBe(8);
    expect(e.latencyMs).toBeLessThanOrEqual(6_000);
    expect(e.formula.gpusPerReplica).toBe("4 GPUs for memory → 8 GPUs per replica to meet the 6 s latency target");
  });

  it("impossible even on 8 GPUs with a batch of one: said so", () => {
    const e = estimateInference({ ...base, latencyTargetMs: 100 });
    expect(e.meetsLatencyTarget).toBe(false);
    expect(e.formula.latency).toMatch(/> 100 ms target: not met even with 8 GPUs per replica and a batch of 1$/);
  });
});

describe("estimatedKvCacheBytesPerToken", () => {
  // 2 × layers × KV heads × head dim × 2 bytes, from the models' configs.
  it.each([
    { model: "Llama 3.1 8B", parameters: 8.03e9, actual: 2 * 32 * 8 * 128 * 2, within: 0.1 },
    { model: "Llama 3.1 70B", parameters: 70.6e9, actual: 2 * 80 * 8 * 128 * 2, within: 0.15 },
    { model: "Llama 3.1 405B", parameters: 405.9e9, actual: 2 * 126 * 8 * 128 * 2, within: 0.05 },
  ])("$model: within $within of $actual bytes", ({ parameters, actual, within }) => {
    expect(Math.abs(estimatedKvCacheBytesPerToken(parameters) / actual - 1)).toBeLessThanOrEqual(within);
  });
});

describe("compareInferenceAcrossGpus", () => {
  it("one estimate per GPU in the order given; no price, no cost", () => {
    const rows = compareInferenceAcrossGpus({ ...chat, parameters: 70e9, quantization: "FP16_BF16" }, [H100, H200, L4]);
    expect(rows.map((r) => r.gpuName)).toEqual(["H100 80GB", "H200 141GB", "L4 24GB"]);
    expect(rows.map((r) => r.gpusForMemory)).toEqual([4, 2, 16]); // L4: 140 ÷ 17.28 = 8.1 → 9 → 16
    expect(rows[2]!.formula.gpusForMemory).toBe("140 GB ÷ (24 GB × 90% usable × 80% for weights) = 8.1 → 9 GPUs → 16 GPUs (power of two)");
    expect(rows[2]!.hourlyCostMicros).toBeNull();
    expect(rows[2]!.formula.hourlyCost).toBe("No price for L4 24GB: cost not estimated");
  });
});

describe("validation", () => {
  it.each([
    { edge: "no output tokens", change: { outputTokensPerRequest: 0 } },
    { edge: "negative traffic", change: { requestsPerSecond: -1 } },
    { edge: "MFU over 1", change: { mfu: 1.5 } },
    { edge: "zero bandwidth utilization", change: { bandwidthUtilization: 0 } },
    { edge: "a zero latency target", change: { latencyTargetMs: 0 } },
  ])("rejects $edge", ({ change }) => {
    expect(() => estimateInference({ ...chat, parameters: 8e9, quantization: "FP16_BF16", gpu: H100, ...change })).toThrow(RangeError);
  });
});
