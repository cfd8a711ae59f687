import { describe, expect, it } from "vitest";
import { gpuTimeCost } from "../gpu-time-cost";
import { roundToMicros } from "../money";
import { modelFlopsUtilization } from "../training-cost";
import {
  compareTrainingAcrossGpus,
  DEFAULT_BYTES_PER_TOKEN,
  DEFAULT_TRAINING_MFU,
  estimateTraining,
  trainingFlopsFactor,
  trainingFlopsPerToken,
  type TrainingEstimateInput,
} from "./training";

const A100 = { name: "A100 80GB", peakBf16Tflops: "312.00" };
const H100 = { name: "H100 80GB", peakBf16Tflops: "989.50" };

describe("trainingFlopsPerToken", () => {
  it.each([
    { method: "PRETRAIN", flops: 6e9 },
    { method: "FULL_FINE_TUNE", flops: 6e9 },
    { method: "OTHER", flops: 6e9 },
    { method: "LORA", flops: 4e9 },
    { method: "QLORA", flops: 4e9 },
    { method: null, flops: 6e9 },
    { method: undefined, flops: 6e9 },
  ] as const)("$method: $flops FLOPs per token for 1e9 parameters", ({ method, flops }) => {
    expect(trainingFlopsPerToken({ activeParameters: 1_000_000_000n, method })).toBe(flops);
    expect(trainingFlopsPerToken({ activeParameters: 1e9, method })).toBe(flops);
    expect(trainingFlopsFactor(method)).toBe(flops / 1e9);
  });

  it("LoRA and QLoRA cost 2/3 of full training per token", () => {
    const full = trainingFlopsPerToken({ activeParameters: 7e9, method: "FULL_FINE_TUNE" });
    for (const method of ["LORA", "QLORA"] as const) {
      const lora = trainingFlopsPerToken({ activeParameters: 7e9, method });
      expect(lora).toBeLessThan(full);
      expect(lora / full).toBe(4 / 6);
    }
  });
});

describe("estimateTraining", () => {
  // 6 × 1e9 × 1.2e10 = 7.2e19 FLOPs; at 400 TFLOPS × 50% = 2e14 FLOP/s per GPU
  // that is 360,000 GPU-seconds = 100 GPU-hours, 12.5 h on 8 GPUs.
  const input: TrainingEstimateInput = {
    activeParameters: 1_000_000_000n,
    tokens: 12_000_000_000n,
    method: "PRETRAIN",
    gpu: { name: "Test GPU", peakBf16Tflops: "400" },
    gpuCount: 8,
    mfu: 0.5,
    pricePerGpuHourMicros: 2_345_678n,
  };

  it("hand-computed: FLOPs, GPU time, wall clock and cost", () => {
    const e = estimateTraining(input);
    expect(e.tokens).toBe(1.2e10);
    expect(e.flopsFactor).toBe(6);
    expect(e.flopsPerToken).toBe(6e9);
    expect(e.flops).toBe(7.2e19);
    expect(e.gpuSeconds).toBeCloseTo(360_000, 6);
    expect(e.gpuMilliseconds).toBe(360_000_000n);
    expect(e.gpuHours).toBe(100);
    expect(e.wallClockHours).toBeCloseTo(12.5, 12);
    expect(e.wallClockDays).toBeCloseTo(12.5 / 24, 12);
    // 100 GPU-h × $2.345678 = $234.5678, exactly.
    expect(e.costMicros).toBe(234_567_800n);
    expect(e.formula).toEqual({
      tokens: "1.20e10 tokens",
      flops: "6 × 1.00e9 parameters × 1.20e10 tokens = 7.20e19 FLOPs",
      gpuHours: "7.20e19 FLOPs ÷ (400 × 10^12 FLOP/s per Test GPU × 50% MFU) = 360,000 GPU-seconds = 100.0 GPU-h",
      wallClock: "100.0 GPU-h ÷ 8 GPUs = 12.5 h ≈ 0.521 days",
      cost: "360,000,000 GPU-ms ÷ 3,600,000 ms/h × $2.345678 / GPU-h = $234.57",
    });
    expect(e.assumptions.some((a) => a.startsWith("6 FLOPs per parameter per token (Pretrain"))).toBe(true);
    expect(e.assumptions).toContain("MFU 50% (entered).");
  });

  it("LoRA: 4 FLOPs per parameter per token, so 2/3 of the GPU time and cost of full training", () => {
    const full = estimateTraining({ ...input, method: "FULL_FINE_TUNE" });
    const lora = estimateTraining({ ...input, method: "LORA" });
    expect(lora.flops).toBe(4.8e19);
    expect(lora.gpuMilliseconds).toBe(240_000_000n);
    expect(lora.costMicros).toBe(156_378_533n); // 66.666… GPU-h × $2.345678 = $156.3785333…
    expect(lora.gpuHours).toBeLessThan(full.gpuHours);
    expect(lora.formula.flops).toBe("4 × 1.00e9 parameters × 1.20e10 tokens = 4.80e19 FLOPs");
    expect(lora.assumptions[0]).toMatch(/^4 FLOPs per parameter per token \(LoRA: frozen base weights get no weight gradients/);
    const qlora = estimateTraining({ ...input, method: "QLORA" });
    expect(qlora.flops).toBe(lora.flops);
    expect(qlora.assumptions.some((a) => a.includes("dequantizes"))).toBe(true);
  });

  it("money: GPU time rounded to the millisecond, priced exactly, rounded half-even once", () => {
    // 6 × 1e9 × 1e10 = 6e19 FLOPs on A100s at 50%: 6e19 ÷ 1.56e14 = 384,615.3846… GPU-seconds.
    const e = estimateTraining({ ...input, tokens: 10_000_000_000, gpu: A100, pricePerGpuHourMicros: 1_200_000n });
    expect(e.gpuMilliseconds).toBe(384_615_385n);
    // $1.20 × 384,615,385 ms ÷ 3,600,000 = $128.2051283333… → 128,205,128 micros.
    expect(e.costMicros).toBe(128_205_128n);
    expect(typeof e.costMicros).toBe("bigint");
    // The same as the engine's cost of that much GPU time (gpu-time-cost.ts).
    const start = new Date("2025-01-01T00:00:00Z");
    const interval = { start, end: new Date(start.getTime() + Number(e.gpuMilliseconds)) };
    expect(gpuTimeCost({ gpuCount: 1, interval, pricePerGpuHourOverride: "1.2", catalogPrices: [] }).computeCostMicros).toBe(e.costMicros);
  });

  it("half a micro-dollar rounds to even", () => {
    // 1 parameter at 1e6 FLOP/s and 100% MFU, $0.000001 / GPU-h: 6 FLOPs per token.
    const tiny = { ...input, activeParameters: 1, gpu: { name: "x", peakBf16Tflops: "0.000001" }, gpuCount: 1, mfu: 1, pricePerGpuHourMicros: 1n };
    const oneAndAHalf = estimateTraining({ ...tiny, tokens: 900_000_000 }); // 5.4e9 FLOPs = 5,400 s = 1.5 h
    expect(oneAndAHalf.gpuMilliseconds).toBe(5_400_000n);
    expect(oneAndAHalf.costMicros).toBe(2n); // 1.5 micro-dollars → 2
    const half = estimateTraining({ ...tiny, tokens: 300_000_000 }); // 1,800 s = 0.5 h
    expect(half.costMicros).toBe(0n); // 0.5 micro-dollars → 0
  });

  it("data in bytes: converted at 4 bytes per token unless told otherwise", () => {
    const { tokens: _tokens, ...rest } = input;
    const byDefault = estimateTraining({ ...rest, bytes: 48_000_000_000n });
    expect(DEFAULT_BYTES_PER_TOKEN).toBe(4);
    expect(byDefault.tokens).toBe(1.2e10);
    expect(byDefault.costMicros).toBe(234_567_800n);
    expect(byDefault.formula.tokens).toBe("4.80e10 bytes ÷ 4 bytes/token = 1.20e10 tokens");
    expect(byDefault.assumptions.some((a) => a.startsWith("4 bytes per token (default)"))).toBe(true);
    const entered = estimateTraining({ ...rest, bytes: 10, bytesPerToken: 3 });
    expect(entered.tokens).toBe(3); // 3.33… rounded to whole tokens
    expect(entered.assumptions).toContain("3 bytes per token (entered).");
  });

  it("uses the default MFU when none is given", () => {
    const { mfu: _mfu, ...rest } = input;
    const e = estimateTraining(rest);
    expect(e.mfu).toBe(DEFAULT_TRAINING_MFU);
    expect(e.gpuSeconds).toBeCloseTo(7.2e19 / (400e12 * DEFAULT_TRAINING_MFU), 3);
    expect(e.assumptions.some((a) => a.startsWith("MFU 38% (default)"))).toBe(true);
  });

  it("no price: time is estimated, cost is not", () => {
    const e = estimateTraining({ ...input, pricePerGpuHourMicros: null });
    expect(e.gpuHours).toBe(100);
    expect(e.costMicros).toBeNull();
    expect(e.formula.cost).toBe("No price for Test GPU: cost not estimated");
  });

  it("the MFU of the run it predicts, measured as the run pages do, is the MFU it assumed", () => {
    for (const method of ["PRETRAIN", "LORA", "QLORA"] as const) {
      const e = estimateTraining({ ...input, method, gpu: H100, mfu: 0.31 });
      const measured = modelFlopsUtilization({
        parameterCount: input.activeParameters,
        tokensProcessed: input.tokens!,
        gpuCount: input.gpuCount,
        durationMs: e.wallClockHours * 3_600_000,
        peakBf16Tflops: H100.peakBf16Tflops,
        method,
      });
      expect(measured).toBeCloseTo(0.31, 9);
    }
  });

  it.each([
    { edge: "zero MFU", change: { mfu: 0 } },
    { edge: "MFU over 1", change: { mfu: 1.2 } },
    { edge: "no GPUs", change: { gpuCount: 0 } },
    { edge: "a fraction of a GPU", change: { gpuCount: 1.5 } },
    { edge: "no parameters", change: { activeParameters: 0 } },
    { edge: "negative tokens", change: { tokens: -1 } },
    { edge: "no peak", change: { gpu: { name: "x", peakBf16Tflops: "0" } } },
    { edge: "a negative price", change: { pricePerGpuHourMicros: -1n } },
  ])("rejects $edge", ({ change }) => {
    expect(() => estimateTraining({ ...input, ...change } as TrainingEstimateInput)).toThrow(RangeError);
  });
});

describe("compareTrainingAcrossGpus", () => {
  it("one estimate per GPU, in the order given, each at its own price", () => {
    const rows = compareTrainingAcrossGpus({ activeParameters: 7e9, tokens: 1e11, method: "FULL_FINE_TUNE", gpuCount: 64 }, [
      { ...H100, pricePerGpuHourMicros: 2_500_000n },
      { ...A100, pricePerGpuHourMicros: 1_290_000n },
      { name: "L4 24GB", peakBf16Tflops: "121.00", pricePerGpuHourMicros: null },
    ]);
    expect(rows.map((r) => r.gpuName)).toEqual(["H100 80GB", "A100 80GB", "L4 24GB"]);
    // Same FLOPs everywhere; GPU time inversely proportional to peak.
    expect(new Set(rows.map((r) => r.flops)).size).toBe(1);
    expect(rows[1]!.gpuSeconds / rows[0]!.gpuSeconds).toBeCloseTo(989.5 / 312, 12);
    expect(rows[0]!.mfu).toBe(DEFAULT_TRAINING_MFU);
    expect(rows[0]!.costMicros).toBe(roundToMicros(2_500_000n * rows[0]!.gpuMilliseconds));
    expect(rows[1]!.costMicros).toBe(roundToMicros(1_290_000n * rows[1]!.gpuMilliseconds));
    expect(rows[2]!.costMicros).toBeNull();
  });
});
