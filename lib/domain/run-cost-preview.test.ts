import { describe, expect, it } from "vitest";
import { runCostPreview, type RunPreviewInput } from "./run-cost-preview";

const base: RunPreviewInput = {
  gpuCount: 8,
  startedAt: new Date("2026-11-18T09:00:00Z"),
  endedAt: new Date("2026-11-18T19:00:00Z"),
  pricePerGpuHourOverride: null,
  catalogPrices: [{ pricePerGpuHour: "2.500000", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: null }],
  catalogName: "aws On-demand",
  storageCostUsd: "12.50",
  dataCostUsd: "0",
  networkCostUsd: "0",
  tokensProcessed: null,
  parameterCount: null,
  peakBf16Tflops: "989.50",
  now: new Date("2026-11-20T12:00:00Z"),
};

const value = (preview: ReturnType<typeof runCostPreview>, label: string) => preview.lines.find((l) => l.label === label)?.value;

describe("runCostPreview", () => {
  it("adds 8 GPUs × 10 h × $2.50 + $12.50 storage = $212.50", () => {
    const preview = runCostPreview(base);
    expect(value(preview, "GPU-hours")).toBe("80.0 GPU-h");
    expect(value(preview, "Compute")).toBe("$200.00");
    expect(value(preview, "Total")).toBe("$212.50");
    expect(preview.warnings).toEqual([]);
  });

  it("shows a running run's cost so far and what it accrues per hour", () => {
    const preview = runCostPreview({ ...base, endedAt: null, startedAt: new Date("2026-11-20T10:00:00Z"), storageCostUsd: "0" });
    expect(value(preview, "Total so far")).toBe("$40.00");
    expect(value(preview, "Accruing")).toBe("$20.00/h");
  });

  it.each([
    ["a per-node price as an override", { pricePerGpuHourOverride: "20" }, /8\.0× the catalog price/],
    ["no catalog price", { catalogPrices: [] }, /no catalog price for aws On-demand/],
    ["tokens in millions", { tokensProcessed: 12n }, /under 1 token per GPU-second/],
    ["an impossible MFU", { tokensProcessed: 10n ** 13n, parameterCount: 70_000_000_000n }, /MFU of \d+% is impossible/],
    ["a year-long run", { endedAt: new Date("2027-11-18T19:00:00Z"), now: new Date("2028-01-01T00:00:00Z") }, /lasts 365 days/],
    ["a typo'd year", { startedAt: new Date("2016-11-18T09:00:00Z"), endedAt: new Date("2016-11-18T19:00:00Z") }, /over 5 years ago/],
  ])("warns about %s", (_name, overrides, warning) => {
    const preview = runCostPreview({ ...base, ...overrides });
    expect(preview.warnings.some((w) => warning.test(w))).toBe(true);
  });

  it("explains MFU with the method's FLOPs per token: 6 × for full training, 4 × for LoRA", () => {
    // 8 GPUs × 10 h at 989.5 TFLOPS = 2.84976e20 FLOPs available.
    const run = { ...base, parameterCount: 8_000_000_000n, tokensProcessed: 3_000_000_000n };
    const full = runCostPreview({ ...run, method: "FULL_FINE_TUNE" }).lines.find((l) => l.label === "MFU");
    expect(full?.value).toBe("50.5%"); // 6 × 8e9 × 3e9 = 1.44e20 FLOPs
    expect(full?.how).toBe("6 × parameters × tokens ÷ (GPU-seconds × peak BF16 FLOP/s)");
    const lora = runCostPreview({ ...run, method: "LORA" }).lines.find((l) => l.label === "MFU");
    expect(lora?.value).toBe("33.7%"); // 4 × 8e9 × 3e9 = 9.6e19 FLOPs
    expect(lora?.how).toMatch(/^4 × parameters × tokens ÷ \(GPU-seconds × peak BF16 FLOP\/s\); 4, not 6: LoRA computes no weight gradients/);
    // A form that does not say the method: counted as full training.
    expect(runCostPreview(run).lines.find((l) => l.label === "MFU")?.how).toBe(full?.how);
  });

  it("splits compute at a price change", () => {
    const preview = runCostPreview({
      ...base,
      storageCostUsd: "0",
      catalogPrices: [
        { pricePerGpuHour: "2.500000", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: new Date("2026-11-18T14:00:00Z") },
        { pricePerGpuHour: "2.000000", effectiveFrom: new Date("2026-11-18T14:00:00Z"), effectiveTo: null },
      ],
    });
    expect(preview.lines.filter((l) => l.label.startsWith("Compute from")).map((l) => l.value)).toEqual(["$100.00", "$80.00"]);
    expect(value(preview, "Total")).toBe("$180.00");
  });
});
