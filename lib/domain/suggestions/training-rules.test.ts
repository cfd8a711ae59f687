import { describe, expect, it } from "vitest";
import { DAY, L4, PERIOD, runFacts } from "./fixtures";
import {
  flashAttentionTrainingRule,
  gradientCheckpointingRule,
  isCheckpointingCandidate,
  loraRule,
  mixedPrecisionRule,
  modelStateBytesPerGpu,
  trainingEfficiencyRule,
} from "./training-rules";

// The fixture run spends $30,000 of compute in a 30-day period:
// per month 3,000,000¢ × 30.44 / 30 = 3,044,000¢.
const MONTHLY = 3_044_000n;

describe("the fixture run", () => {
  it("triggers no training rule", () => {
    const f = runFacts();
    expect([mixedPrecisionRule, loraRule, trainingEfficiencyRule, gradientCheckpointingRule, flashAttentionTrainingRule].map((rule) => rule(f))).toEqual([null, null, null, null, null]);
  });
});

describe("mixed-precision", () => {
  it("BF16 does not fire; FP32 does, saving 40–60% of monthly compute", () => {
    expect(mixedPrecisionRule(runFacts({ precision: "BF16" }))).toBeNull();
    const s = mixedPrecisionRule(runFacts({ precision: "FP32" }))!;
    // 3,044,000 × 40% = 1,217,600; × 60% = 1,826,400
    expect(s.monthlySaving).toEqual({ lowCents: 1_217_600n, highCents: 1_826_400n });
    expect(s).toMatchObject({ id: "mixed-precision:run:101", ruleId: "mixed-precision", confidence: "high", subject: { kind: "run", id: 101, name: "support-lora-01", teamId: 7 } });
    expect(s.effectSource.kind).toBe("published");
    expect(s.evidence.find((e) => e.label === "Compute cost in the period")).toEqual({ label: "Compute cost in the period", value: "$30,000.00", period: PERIOD });
  });

  it("a run's storage and data cents are never part of the saving", () => {
    const a = mixedPrecisionRule(runFacts({ precision: "FP32", extraCents: 0n }))!;
    const b = mixedPrecisionRule(runFacts({ precision: "FP32", extraCents: 9_999_999n }))!;
    expect(a.monthlySaving).toEqual(b.monthlySaving);
  });

  it("the month normalization uses the period: the same spend over 60 days is half a month's rate", () => {
    const s = mixedPrecisionRule(runFacts({ precision: "FP32", period: { start: new Date(PERIOD.end.getTime() - 60 * DAY), end: PERIOD.end } }))!;
    // 3,000,000 × 30.44 / 60 = 1,522,000; × 40% = 608,800; × 60% = 913,200
    expect(s.monthlySaving).toEqual({ lowCents: 608_800n, highCents: 913_200n });
  });

  it("is not shown under $10 a month at the high end", () => {
    // 1,641¢ × 30.44/30 × 60% = 999.04 → 999; 1,643¢ → 1,000.25 → 1,000
    expect(mixedPrecisionRule(runFacts({ precision: "FP32", computeCents: 1_641n }))).toBeNull();
    expect(mixedPrecisionRule(runFacts({ precision: "FP32", computeCents: 1_643n }))!.monthlySaving.highCents).toBe(1_000n);
  });
});

describe("lora-instead-of-full-fine-tune", () => {
  const full = { method: "FULL_FINE_TUNE" as const };

  it("LoRA or pretraining runs do not fire", () => {
    expect(loraRule(runFacts({ method: "LORA" }))).toBeNull();
    expect(loraRule(runFacts({ method: "PRETRAIN" }))).toBeNull();
  });

  it("fires from 1B parameters (on an L4: full 16 GB of states needs 2 GPUs at half memory, LoRA 2 GB needs 1)", () => {
    expect(loraRule(runFacts({ ...full, gpuType: L4, parameterCount: 999_999_999n }))).toBeNull();
    expect(loraRule(runFacts({ ...full, gpuType: L4, parameterCount: 1_000_000_000n }))).not.toBeNull();
  });

  it("fires only when LoRA needs fewer GPUs' memory (H100: full states past 40 GB, i.e. past 2.5B parameters)", () => {
    expect(loraRule(runFacts({ ...full, parameterCount: 2_500_000_000n }))).toBeNull();
    const s = loraRule(runFacts({ ...full, parameterCount: 2_500_000_001n }))!;
    // 25% and 33.33% of 3,044,000 = 761,000 and 1,014,565.2 → 1,014,565
    expect(s.monthlySaving).toEqual({ lowCents: 761_000n, highCents: 1_014_565n });
    expect(s.confidence).toBe("medium");
  });

  it("states the GPUs from memory", () => {
    const s = loraRule(runFacts({ ...full, parameterCount: 8_000_000_000n }))!;
    // 8B × 16 bytes = 128 GB → ⌈128 / 40⌉ = 4 H100; LoRA 16 GB → 1; QLoRA 4 GB → 1
    expect(s.evidence.map((e) => e.value)).toEqual(expect.arrayContaining(["128 GB: at least 4 GPUs", "16 GB: 1 GPU", "4 GB: 1 GPU"]));
    expect(s.action).toContain("fit 1 GPU");
  });
});

describe("training-efficiency", () => {
  it("MFU 30% does not fire; 29.99% does", () => {
    expect(trainingEfficiencyRule(runFacts({ mfu: 0.3 }))).toBeNull();
    expect(trainingEfficiencyRule(runFacts({ mfu: 0.2999 }))).not.toBeNull();
  });

  it("saves 1 − MFU/30% to 1 − MFU/40%", () => {
    const s = trainingEfficiencyRule(runFacts({ mfu: 0.25 }))!;
    // low: 3,044,000 × (1 − 2500/3000) = 507,333.3 → 507,333; high: × (1 − 2500/4000) = 1,141,500
    expect(s.monthlySaving).toEqual({ lowCents: 507_333n, highCents: 1_141_500n });
    expect(s.confidence).toBe("medium");
  });

  it("without MFU, GPU utilization: 60% does not fire, 59.99% does; saves 1 − u/60% to 1 − u/80%", () => {
    expect(trainingEfficiencyRule(runFacts({ mfu: null, avgGpuUtilizationPct: 60 }))).toBeNull();
    expect(trainingEfficiencyRule(runFacts({ mfu: null, avgGpuUtilizationPct: 59.99 }))).not.toBeNull();
    const s = trainingEfficiencyRule(runFacts({ mfu: null, avgGpuUtilizationPct: 45 }))!;
    // low: 3,044,000 × (1 − 4500/6000) = 761,000; high: × (1 − 4500/8000) = 1,331,750
    expect(s.monthlySaving).toEqual({ lowCents: 761_000n, highCents: 1_331_750n });
    expect(s.confidence).toBe("low");
  });

  it("MFU wins over utilization when both are known", () => {
    expect(trainingEfficiencyRule(runFacts({ mfu: 0.45, avgGpuUtilizationPct: 30 }))).toBeNull();
  });

  it("no figures, an FP32 run (precision first) or a checkpointing candidate: silent", () => {
    expect(trainingEfficiencyRule(runFacts({ mfu: null, avgGpuUtilizationPct: null }))).toBeNull();
    expect(trainingEfficiencyRule(runFacts({ mfu: 0.1, precision: "FP32" }))).toBeNull();
    const memoryBound = runFacts({ method: "FULL_FINE_TUNE", parameterCount: 20_000_000_000n, zeroStage: 3, gradientCheckpointing: false, gradientAccumulationSteps: 8, mfu: 0.2 });
    expect(isCheckpointingCandidate(memoryBound)).toBe(true);
    expect(trainingEfficiencyRule(memoryBound)).toBeNull();
  });
});

describe("model states per GPU (ZeRO)", () => {
  it.each([
    { stage: null, bytes: 16n * 10n ** 9n },
    { stage: 1, bytes: 4n * 10n ** 9n + (12n * 10n ** 9n) / 8n },
    { stage: 2, bytes: 2n * 10n ** 9n + (14n * 10n ** 9n) / 8n },
    { stage: 3, bytes: 2n * 10n ** 9n },
  ])("1B parameters, 8 GPUs, stage $stage", ({ stage, bytes }) => {
    const r = modelStateBytesPerGpu(runFacts({ method: "FULL_FINE_TUNE", parameterCount: 10n ** 9n, gpuCount: 8, zeroStage: stage }))!;
    expect(r.num / r.den).toBe(bytes);
  });

  it("LoRA keeps the BF16 base, QLoRA the 4-bit base", () => {
    const lora = modelStateBytesPerGpu(runFacts({ method: "LORA", parameterCount: 10n ** 9n }))!;
    const qlora = modelStateBytesPerGpu(runFacts({ method: "QLORA", parameterCount: 10n ** 9n }))!;
    expect(lora.num / lora.den).toBe(2n * 10n ** 9n);
    expect(qlora.num / qlora.den).toBe(5n * 10n ** 8n);
  });
});

describe("gradient-checkpointing", () => {
  // Full fine-tune, ZeRO-3 over 8 H100s: 16 bytes × P / 8 per GPU; a quarter of 80 GB is 20 GB, reached at P = 10B.
  const memoryBound = { method: "FULL_FINE_TUNE" as const, parameterCount: 10_000_000_001n, zeroStage: 3, gpuCount: 8, gradientCheckpointing: false, gradientAccumulationSteps: 8, mfu: 0.25 };

  it("fires for a memory-bound run without checkpointing", () => {
    expect(gradientCheckpointingRule(runFacts(memoryBound))).not.toBeNull();
  });

  it("model states at exactly a quarter of memory do not fire", () => {
    expect(gradientCheckpointingRule(runFacts({ ...memoryBound, parameterCount: 10_000_000_000n }))).toBeNull();
  });

  it("7 accumulation steps do not fire; 8 do", () => {
    expect(gradientCheckpointingRule(runFacts({ ...memoryBound, gradientAccumulationSteps: 7 }))).toBeNull();
    expect(gradientCheckpointingRule(runFacts({ ...memoryBound, gradientAccumulationSteps: 8 }))).not.toBeNull();
  });

  it("MFU 30% does not fire; 29.99% does; checkpointing already on never does", () => {
    expect(gradientCheckpointingRule(runFacts({ ...memoryBound, mfu: 0.3 }))).toBeNull();
    expect(gradientCheckpointingRule(runFacts({ ...memoryBound, mfu: 0.2999 }))).not.toBeNull();
    expect(gradientCheckpointingRule(runFacts({ ...memoryBound, gradientCheckpointing: true }))).toBeNull();
  });

  it("the saving is the MFU gain net of the recompute overhead, and the action says checkpointing itself costs compute", () => {
    const s = gradientCheckpointingRule(runFacts(memoryBound))!;
    // high: 1 − 1.20 × 2500/4000 = 0.25 → 761,000
    // low:  1 − 1.3333 × 2500/4000 = 0.1666875 → 3,044,000 × 0.1666875 = 507,396.75 → 507,397
    expect(s.monthlySaving).toEqual({ lowCents: 507_397n, highCents: 761_000n });
    expect(s.action).toContain("costs about 20–33% more compute");
    expect(s.action).toContain("the saving comes only from the larger batch");
    expect(s.effectSource.url).toBe("https://arxiv.org/abs/1604.06174");
    expect(s.confidence).toBe("low");
  });
});

describe("flash-attention-training", () => {
  it("on does not fire; off does, 10–15% of monthly compute", () => {
    expect(flashAttentionTrainingRule(runFacts({ flashAttention: true }))).toBeNull();
    const s = flashAttentionTrainingRule(runFacts({ flashAttention: false }))!;
    // 3,044,000 × 10% = 304,400; × 15% = 456,600
    expect(s.monthlySaving).toEqual({ lowCents: 304_400n, highCents: 456_600n });
    expect(s.monthlySaving.lowCents).toBe(MONTHLY / 10n);
    expect(s.evidence).toContainEqual({ label: "Sequence length", value: "Not recorded", period: null });
  });

  it("FP32 runs get the precision suggestion instead (FlashAttention needs 16-bit)", () => {
    expect(flashAttentionTrainingRule(runFacts({ flashAttention: false, precision: "FP32" }))).toBeNull();
  });
});
