import { describe, expect, it } from "vitest";
import { usageCostPreview, type UsagePreviewInput } from "./usage-cost-preview";

// 8 GPUs at $2.50/GPU-h for one day cost 8 × 24 × $2.50 = $480.00.
const base: UsagePreviewInput = {
  deployment: {
    gpuCount: 8,
    pricePerGpuHourOverride: null,
    catalogPrices: [{ pricePerGpuHour: "2.5", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: null }],
    activeFrom: new Date("2026-11-01T00:00:00Z"),
    activeTo: null,
  },
  catalogName: "aws On-demand",
  windowStart: new Date("2026-11-10T00:00:00Z"),
  windowSeconds: 86_400,
  requests: 120_000n,
  errors: 60n,
  inputTokens: 96_000_000n,
  cachedInputTokens: 30_000_000n,
  outputTokens: 24_000_000n,
  avgGpuUtilizationPct: 40,
  now: new Date("2026-11-20T12:00:00Z"),
};

const line = (preview: ReturnType<typeof usageCostPreview>, label: string) => preview.lines.find((l) => l.label === label)?.value;

describe("usageCostPreview", () => {
  it("prices the period with the deployment's GPUs and derives the unit costs exactly", () => {
    const preview = usageCostPreview(base);
    expect(preview.costMicros).toBe(480_000_000n);
    expect(line(preview, "GPU-hours")).toBe("192.0 GPU-h");
    expect(line(preview, "Cost")).toBe("$480.00");
    // $480 / 120M tokens × 1M = $4.00; $480 / 120k requests × 1k = $4.00.
    expect(line(preview, "$/1M tokens")).toBe("$4.00");
    expect(line(preview, "$/1k requests")).toBe("$4.00");
    // 60% of the time idle: $288.00.
    expect(line(preview, "Idle cost")).toBe("$288.00 (60.0%)");
    expect(preview.warnings).toEqual([]);
  });

  it("uses the deployment's price override when it has one", () => {
    const preview = usageCostPreview({ ...base, deployment: { ...base.deployment, pricePerGpuHourOverride: "1.25" } });
    expect(line(preview, "Cost")).toBe("$240.00");
    expect(preview.lines.find((l) => l.label === "Cost")?.how).toBe("8 GPUs × 24 h × $1.25 / GPU-h (price override)");
  });

  it.each([
    ["tokens entered in millions", { inputTokens: 96n, cachedInputTokens: 30n, outputTokens: 24n }, /per 1M tokens is far above .* millions or thousands/],
    ["tokens with extra zeros", { inputTokens: 96_000_000_000_000n, cachedInputTokens: 0n, outputTokens: 24_000_000_000_000n }, /tokens\/s per GPU, more than a GPU can serve/],
    ["requests entered in thousands", { requests: 100n, errors: 0n }, /tokens per request is beyond any context window/],
    ["requests entered in thousands (few tokens)", { requests: 12n, errors: 0n, inputTokens: 9_600n, cachedInputTokens: 0n, outputTokens: 2_400n }, /per 1K requests is very high/],
    ["requests with extra zeros", { requests: 120_000_000_000n, errors: 0n }, /req\/s on 8 GPUs is more than they can serve/],
    ["tokens without requests", { requests: 0n, errors: 0n }, /Tokens were entered with no requests/],
    ["most requests failing", { errors: 100_000n }, /83.3% of requests failed/],
    ["no catalog price", { deployment: { ...base.deployment, catalogPrices: [] } }, /192.0 GPU-h have no catalog price for aws On-demand/],
  ])("warns about %s", (_label, patch, warning) => {
    const preview = usageCostPreview({ ...base, ...patch } as UsagePreviewInput);
    expect(preview.warnings.some((w) => warning.test(w)), preview.warnings.join("\n")).toBe(true);
  });

  it("shows no unit costs without traffic, and no warnings for an idle period", () => {
    const preview = usageCostPreview({ ...base, requests: 0n, errors: 0n, inputTokens: 0n, cachedInputTokens: 0n, outputTokens: 0n });
    expect(line(preview, "$/1M tokens")).toBe("—");
    expect(line(preview, "$/1k requests")).toBe("—");
    expect(line(preview, "Cost")).toBe("$480.00");
    expect(preview.warnings).toEqual([]);
  });

  it("splits a period across a catalog price change", () => {
    const preview = usageCostPreview({
      ...base,
      deployment: {
        ...base.deployment,
        catalogPrices: [
          { pricePerGpuHour: "2.5", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: new Date("2026-11-10T12:00:00Z") },
          { pricePerGpuHour: "2", effectiveFrom: new Date("2026-11-10T12:00:00Z"), effectiveTo: null },
        ],
      },
    });
    // 8 × 12 h × $2.50 + 8 × 12 h × $2.00 = $432.00.
    expect(line(preview, "Cost")).toBe("$432.00");
  });
});
