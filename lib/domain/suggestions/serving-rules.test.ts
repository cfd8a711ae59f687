import { describe, expect, it } from "vitest";
import { alternativesTo, DAY, deploymentFacts, H100 } from "./fixtures";
import { continuousBatchingRule, flashAttentionServingRule, prefixCachingRule, quantizeWeightsRule } from "./serving-rules";

// The fixture deployment costs $3,000 over 30 active days: 300,000¢ × 30.44 / 30 = 304,400¢ a month.
const MONTHLY = 304_400n;

describe("the fixture deployment", () => {
  it("triggers no serving rule", () => {
    const f = deploymentFacts();
    expect([quantizeWeightsRule, continuousBatchingRule, prefixCachingRule, flashAttentionServingRule].map((rule) => rule(f))).toEqual([null, null, null, null]);
  });
});

describe("quantize-weights", () => {
  // H100: half of 80 GB = 40 GB of weights per GPU. 20B × 2 bytes = 40 GB fits one GPU; one parameter more needs two.
  const onH100 = { gpuType: H100, alternativeGpuTypes: alternativesTo(H100), provider: "aws", quantization: "FP16_BF16" as const, gpuCount: 2 };

  it("16-bit weights that already fit one GPU per replica: no GPU to free", () => {
    expect(quantizeWeightsRule(deploymentFacts({ ...onH100, parameterCount: 20_000_000_000n }))).toBeNull();
  });

  it("one parameter more: 8-bit halves the replica (2 → 1 GPU): 50% at both ends", () => {
    const s = quantizeWeightsRule(deploymentFacts({ ...onH100, parameterCount: 20_000_000_001n }))!;
    expect(s.monthlySaving).toEqual({ lowCents: MONTHLY / 2n, highCents: MONTHLY / 2n });
    expect(s.confidence).toBe("medium");
  });

  it("70.6B FP16 on 8 H100s (2 replicas of 4): 8-bit needs 4 GPUs (50%), 4-bit 2 GPUs (75%)", () => {
    const s = quantizeWeightsRule(deploymentFacts({ ...onH100, gpuCount: 8, parameterCount: 70_553_706_496n }))!;
    // 304,400 × 4/8 = 152,200; × 6/8 = 228,300
    expect(s.monthlySaving).toEqual({ lowCents: 152_200n, highCents: 228_300n });
    expect(s.action).toContain("4 GPUs instead of 8 GPUs");
    expect(s.evidence.map((e) => e.value)).toEqual(expect.arrayContaining(["141.1 GB: 4 GPUs per replica", "70.6 GB: 2 GPUs per replica, 4 GPUs in all", "35.3 GB: 1 GPU per replica, 2 GPUs in all"]));
  });

  it("already quantized, unknown size, breaching the SLO or ended: silent", () => {
    const big = { ...onH100, gpuCount: 8, parameterCount: 70_553_706_496n };
    expect(quantizeWeightsRule(deploymentFacts({ ...big, quantization: "FP8" }))).toBeNull();
    expect(quantizeWeightsRule(deploymentFacts({ ...big, parameterCount: null }))).toBeNull();
    expect(quantizeWeightsRule(deploymentFacts({ ...big, p99Ms: 701 }))).toBeNull();
    expect(quantizeWeightsRule(deploymentFacts({ ...big, isActive: false }))).toBeNull();
    expect(quantizeWeightsRule(deploymentFacts({ ...big, quantization: "NONE" }))).not.toBeNull();
  });
});

describe("continuous-batching", () => {
  // Little's law: requests × p50 / recorded time. 30 days = 2,592,000,000 ms; at p50 = 1 s,
  // 5,184,000 requests are 2.0 in flight on average.
  const static4 = { batching: "STATIC" as const, gpuCount: 4, p50Ms: 1000 };

  it("under two requests in flight does not fire; two do", () => {
    expect(continuousBatchingRule(deploymentFacts({ ...static4, requests: 5_183_999n }))).toBeNull();
    expect(continuousBatchingRule(deploymentFacts({ ...static4, requests: 5_184_000n }))).not.toBeNull();
  });

  it("2–4× throughput: 4 GPUs → 2 (50%) to 1 (75%)", () => {
    const s = continuousBatchingRule(deploymentFacts({ ...static4, requests: 100_000_000n }))!;
    expect(s.monthlySaving).toEqual({ lowCents: 152_200n, highCents: 228_300n });
    expect(s.action).toContain("scale down to 2 GPUs (1 GPU if throughput quadruples)");
  });

  it("dynamic or continuous batching, no p50, or a single GPU: silent", () => {
    expect(continuousBatchingRule(deploymentFacts({ ...static4, batching: "DYNAMIC" }))).toBeNull();
    expect(continuousBatchingRule(deploymentFacts({ ...static4, batching: "CONTINUOUS" }))).toBeNull();
    expect(continuousBatchingRule(deploymentFacts({ ...static4, p50Ms: null }))).toBeNull();
    expect(continuousBatchingRule(deploymentFacts({ ...static4, gpuCount: 1 }))).toBeNull();
    expect(continuousBatchingRule(deploymentFacts({ ...static4, batching: "NONE" }))).not.toBeNull();
  });

  it("engine-specific advice", () => {
    expect(continuousBatchingRule(deploymentFacts({ ...static4, servingEngine: "OTHER" }))!.action).toContain("move to an engine with continuous batching");
    expect(continuousBatchingRule(deploymentFacts({ ...static4, servingEngine: "LLAMA_CPP" }))!.action).toContain("--parallel");
  });
});

describe("prefix-caching", () => {
  const llama = { servingEngine: "LLAMA_CPP" as const, inputTokens: 10_000_000_000n };

  it("30% cached does not fire; just above does", () => {
    expect(prefixCachingRule(deploymentFacts({ ...llama, cachedInputTokens: 3_000_000_000n }))).toBeNull();
    expect(prefixCachingRule(deploymentFacts({ ...llama, cachedInputTokens: 3_000_000_001n }))).not.toBeNull();
  });

  it("low confidence, 0 to cached share × 25% of the monthly cost, and says the field is missing", () => {
    const s = prefixCachingRule(deploymentFacts({ ...llama, cachedInputTokens: 5_000_000_000n }))!;
    // 304,400 × 50% × 25% = 38,050
    expect(s.monthlySaving).toEqual({ lowCents: 0n, highCents: 38_050n });
    expect(s.confidence).toBe("low");
    expect(s.effectSource.kind).toBe("assumption");
    expect(s.evidence).toContainEqual({ label: "Prefix caching", value: "Not recorded (no field for it)", period: null });
    expect(s.action).toContain("does not record whether it is on");
  });

  it("engines that share prefixes by default are not asked", () => {
    for (const servingEngine of ["VLLM", "SGLANG", "TGI", "TENSORRT_LLM"] as const) {
      expect(prefixCachingRule(deploymentFacts({ ...llama, servingEngine, cachedInputTokens: 9_000_000_000n }))).toBeNull();
    }
    expect(prefixCachingRule(deploymentFacts({ ...llama, servingEngine: "OTHER", cachedInputTokens: 9_000_000_000n }))).not.toBeNull();
  });
});

describe("flash-attention-serving", () => {
  const llama = { servingEngine: "LLAMA_CPP" as const, requests: 1_000_000n };

  it("2,048 input tokens per request does not fire; one token more on average does", () => {
    expect(flashAttentionServingRule(deploymentFacts({ ...llama, inputTokens: 2_048_000_000n }))).toBeNull();
    expect(flashAttentionServingRule(deploymentFacts({ ...llama, inputTokens: 2_048_000_001n }))).not.toBeNull();
  });

  it("10–15% of the monthly cost, low confidence", () => {
    const s = flashAttentionServingRule(deploymentFacts({ ...llama, inputTokens: 4_000_000_000n }))!;
    expect(s.monthlySaving).toEqual({ lowCents: 30_440n, highCents: 45_660n });
    expect(s.confidence).toBe("low");
    expect(s.action).toContain("--flash-attn on");
  });

  it("engines with FlashAttention-class kernels by default are not asked", () => {
    expect(flashAttentionServingRule(deploymentFacts({ ...llama, servingEngine: "VLLM", inputTokens: 4_000_000_000n }))).toBeNull();
  });
});

describe("deployment savings use cost per active day", () => {
  it("a deployment active 10 of the 30 days is not diluted by the days before it started", () => {
    const f = deploymentFacts({
      servingEngine: "LLAMA_CPP",
      requests: 1_000_000n,
      inputTokens: 4_000_000_000n,
      activeFrom: new Date("2026-09-21T00:00:00Z"),
      activeMs: 10 * DAY,
      recordedMs: 10 * DAY,
      trafficMs: 10 * DAY,
      idleMs: 0.4 * 10 * DAY,
      cost: { servingCents: 60_000n, idleCents: 40_000n, untrackedCents: 0n },
    });
    // $1,000 over 10 days × 30.44 = 304,400¢; 10% = 30,440
    expect(flashAttentionServingRule(f)!.monthlySaving.lowCents).toBe(30_440n);
  });
});
