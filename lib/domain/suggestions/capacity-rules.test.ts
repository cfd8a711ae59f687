import { describe, expect, it } from "vitest";
import { commitmentPricingRule, idleCapacityRule, sloScaleOutRule, smallerGpuTypeRule, smallerModelRule } from "./capacity-rules";
import { alternativesTo, DAY, deploymentFacts, H100, L4, PERIOD, PERIOD_MS, usdMicros } from "./fixtures";

// The fixture deployment costs $3,000 over 30 active days: 304,400¢ a month.
const MONTHLY = 304_400n;

describe("idle-capacity", () => {
  // One GPU, 60% of recorded time with traffic: 40% of it has no request at all.
  const quiet = { trafficMs: 0.6 * PERIOD_MS };

  it("idle share of exactly 50% does not fire; one millisecond more does", () => {
    expect(idleCapacityRule(deploymentFacts({ ...quiet, idleMs: 0.5 * PERIOD_MS }))).toBeNull();
    expect(idleCapacityRule(deploymentFacts({ ...quiet, idleMs: 0.5 * PERIOD_MS + 1 }))).not.toBeNull();
  });

  it("one GPU cannot shrink: switch off the hours without requests — 40% of recorded time (high), half of that (low)", () => {
    const s = idleCapacityRule(deploymentFacts({ ...quiet, idleMs: 0.7 * PERIOD_MS }))!;
    // 304,400 × 40% = 121,760; × 20% = 60,880
    expect(s.monthlySaving).toEqual({ lowCents: 60_880n, highCents: 121_760n });
    expect(s.title).toBe("Switch off idle hours or consolidate");
    expect(s.action).toContain("288.0 h in the period");
  });

  it("four GPUs 80% idle: keep ⌈4 × 20% / 50%⌉ = 2 (high), one replica more (low)", () => {
    const s = idleCapacityRule(deploymentFacts({ gpuCount: 4, idleMs: 0.8 * PERIOD_MS, utilization: 0.2 }))!;
    // 304,400 × 2/4 = 152,200; × 1/4 = 76,100
    expect(s.monthlySaving).toEqual({ lowCents: 76_100n, highCents: 152_200n });
    expect(s.action).toContain("from 4 GPUs to 2 GPUs");
    expect(s.confidence).toBe("medium");
  });

  it("no request at all: switch it off, the whole monthly cost, high confidence", () => {
    const s = idleCapacityRule(deploymentFacts({ requests: 0n, trafficMs: 0, idleMs: PERIOD_MS, utilization: null, p50Ms: null, p99Ms: null }))!;
    expect(s.monthlySaving).toEqual({ lowCents: MONTHLY, highCents: MONTHLY });
    expect(s.confidence).toBe("high");
  });

  it("untracked time is never idle: 46% idle + 5% untracked is 48.4% of recorded time", () => {
    const f = deploymentFacts({ recordedMs: 0.95 * PERIOD_MS, trafficMs: 0.95 * PERIOD_MS, idleMs: 0.46 * PERIOD_MS, gpuCount: 4 });
    expect(idleCapacityRule(f)).toBeNull();
  });

  it("never for a deployment breaching its SLO, with a data gap, ended, or observed under a day", () => {
    const idle = { gpuCount: 4, idleMs: 0.8 * PERIOD_MS, utilization: 0.2 };
    expect(idleCapacityRule(deploymentFacts({ ...idle, p99Ms: 700.5 }))).toBeNull();
    expect(idleCapacityRule(deploymentFacts({ ...idle, largestGapMs: DAY + 1 }))).toBeNull();
    expect(idleCapacityRule(deploymentFacts({ ...idle, isActive: false }))).toBeNull();
    expect(idleCapacityRule(deploymentFacts({ ...idle, activeMs: DAY - 1, recordedMs: DAY - 1, trafficMs: DAY - 1, idleMs: 0.8 * (DAY - 1) }))).toBeNull();
  });

  it("states the idle definition and that figures are over recorded time", () => {
    const s = idleCapacityRule(deploymentFacts({ gpuCount: 4, idleMs: 0.8 * PERIOD_MS }))!;
    expect(s.evidence.map((e) => e.label)).toEqual(expect.arrayContaining(["Idle share of recorded time", "Idle definition", "Usage records cover"]));
  });
});

describe("slo-scale-out", () => {
  it("p99 at the SLO does not fire; above it does", () => {
    expect(sloScaleOutRule(deploymentFacts({ p99Ms: 700 }))).toBeNull();
    expect(sloScaleOutRule(deploymentFacts({ p99Ms: 700.5 }))).not.toBeNull();
  });

  it("costs one more replica's share of the monthly cost; lowering the batch size is the free end", () => {
    const s = sloScaleOutRule(deploymentFacts({ p99Ms: 900, gpuCount: 4 }))!;
    // 304,400 / 4 GPUs = 76,100 per GPU-replica
    expect(s.monthlySaving).toEqual({ lowCents: -76_100n, highCents: 0n });
    expect(s.costsMoney).toBe(true);
    expect(s.action).toContain("about $761.00 / month");
    expect(s.action).toContain("max batch size (64 → 32)");
  });

  it("without a batch size to lower, both ends cost the replica", () => {
    const s = sloScaleOutRule(deploymentFacts({ p99Ms: 900, gpuCount: 4, batching: "NONE", maxBatchSize: 1 }))!;
    expect(s.monthlySaving).toEqual({ lowCents: -76_100n, highCents: -76_100n });
  });

  it("a replica is what the weights need: 70.6B FP16 on 8 H100s adds 4 GPUs", () => {
    const s = sloScaleOutRule(deploymentFacts({ p99Ms: 900, gpuCount: 8, gpuType: H100, parameterCount: 70_553_706_496n, quantization: "FP16_BF16" }))!;
    expect(s.monthlySaving.lowCents).toBe(-152_200n);
  });

  it("low utilization: lower the batch size first — load is not the cause", () => {
    expect(sloScaleOutRule(deploymentFacts({ p99Ms: 900, utilization: 0.3 }))!.action).toContain("First lower the max batch size");
    expect(sloScaleOutRule(deploymentFacts({ p99Ms: 900, utilization: 0.9 }))!.action).toContain("Or, first, lower the max batch size");
  });

  it("no SLO, no latency data, or ended: silent", () => {
    expect(sloScaleOutRule(deploymentFacts({ p99SloMs: null, p99Ms: 9_000 }))).toBeNull();
    expect(sloScaleOutRule(deploymentFacts({ p99Ms: null }))).toBeNull();
    expect(sloScaleOutRule(deploymentFacts({ p99Ms: 900, isActive: false }))).toBeNull();
  });
});

describe("smaller-gpu-type", () => {
  // 8B FP16 (16 GB) on 2 × H100 at aws on-demand $6.88: $13.76 an hour, 10% busy. SLO 3,350 ms.
  const smallOnH100 = {
    parameterCount: 8_000_000_000n,
    quantization: "FP16_BF16" as const,
    gpuCount: 2,
    gpuType: H100,
    alternativeGpuTypes: alternativesTo(H100),
    provider: "aws",
    pricingModel: "ON_DEMAND" as const,
    pricePerGpuHourMicros: usdMicros("6.88"),
    utilization: 0.1,
    p99SloMs: 3_350,
  };

  it("L40S when its bandwidth keeps p99 within the SLO: p99 864 ms × 3350/864 = 3,350 ms", () => {
    const s = smallerGpuTypeRule(deploymentFacts({ ...smallOnH100, p99Ms: 864 }))!;
    // GPUs: ⌈2 × 10% × 3350 / (864 × 50%)⌉ = ⌈1.55⌉ = 2 L40S = $3.722/h.
    // high: 304,400 × (13.76 − 3.722) / 13.76 = 222,061.6 → 222,062; low (3 L40S, $5.583/h): 180,891.6 → 180,892
    expect(s.monthlySaving).toEqual({ lowCents: 180_892n, highCents: 222_062n });
    expect(s.title).toBe("Serve on L40S 48GB instead of H100 80GB");
    expect(s.confidence).toBe("medium");
  });

  it("p99 one millisecond higher rules L40S out; A100 is next", () => {
    const s = smallerGpuTypeRule(deploymentFacts({ ...smallOnH100, p99Ms: 865 }))!;
    // 1 A100 at $5.12: 304,400 × 8.64 / 13.76 = 191,134.9 → 191,135; low (2 A100, $10.24): 77,869.8 → 77,870
    expect(s.monthlySaving).toEqual({ lowCents: 77_870n, highCents: 191_135n });
    expect(s.title).toBe("Serve on A100 80GB instead of H100 80GB");
  });

  it("the weights must fit one GPU of the other type (half of an L4's 24 GB = 6B at 16 bits)", () => {
    const onlyL4 = { ...smallOnH100, alternativeGpuTypes: [L4], p99SloMs: null, p99Ms: null };
    expect(smallerGpuTypeRule(deploymentFacts({ ...onlyL4, parameterCount: 6_000_000_001n }))).toBeNull();
    const s = smallerGpuTypeRule(deploymentFacts({ ...onlyL4, parameterCount: 6_000_000_000n }))!;
    expect(s.title).toBe("Serve on L4 24GB instead of H100 80GB");
    expect(s.confidence).toBe("low");
  });

  it("an alternative must be listed at the same provider and pricing model", () => {
    expect(smallerGpuTypeRule(deploymentFacts({ ...smallOnH100, p99Ms: 864, provider: "lambda" }))).toBeNull();
  });

  it("no utilization, a data gap, an SLO breach or an SLO without p99: silent", () => {
    expect(smallerGpuTypeRule(deploymentFacts({ ...smallOnH100, p99Ms: 864, utilization: null }))).toBeNull();
    expect(smallerGpuTypeRule(deploymentFacts({ ...smallOnH100, p99Ms: 864, recordedMs: 0.8 * PERIOD_MS, trafficMs: 0.8 * PERIOD_MS, idleMs: 0.3 * PERIOD_MS }))).toBeNull();
    expect(smallerGpuTypeRule(deploymentFacts({ ...smallOnH100, p99Ms: 3_351 }))).toBeNull();
    expect(smallerGpuTypeRule(deploymentFacts({ ...smallOnH100, p99Ms: null }))).toBeNull();
  });
});

describe("smaller-model", () => {
  // FP8 on 4 H100s, 1M requests answering 199 tokens on average.
  const large = { gpuType: H100, alternativeGpuTypes: alternativesTo(H100), provider: "aws", gpuCount: 4, requests: 1_000_000n, outputTokens: 199_000_000n };

  it("30B parameters do not fire; one more does", () => {
    expect(smallerModelRule(deploymentFacts({ ...large, parameterCount: 30_000_000_000n }))).toBeNull();
    expect(smallerModelRule(deploymentFacts({ ...large, parameterCount: 30_000_000_001n }))).not.toBeNull();
  });

  it("200 output tokens per request do not fire; just under does", () => {
    expect(smallerModelRule(deploymentFacts({ ...large, parameterCount: 40_000_000_000n, outputTokens: 200_000_000n }))).toBeNull();
    expect(smallerModelRule(deploymentFacts({ ...large, parameterCount: 40_000_000_000n, outputTokens: 199_999_999n }))).not.toBeNull();
  });

  it("half to a quarter of the parameters: 4 GPUs → 2 (50%) to 1 (75%), low confidence", () => {
    const s = smallerModelRule(deploymentFacts({ ...large, parameterCount: 40_000_000_000n }))!;
    expect(s.monthlySaving).toEqual({ lowCents: 152_200n, highCents: 228_300n });
    expect(s.confidence).toBe("low");
    expect(s.effectSource.kind).toBe("assumption");
    expect(s.action).toContain("It would need 2 GPUs to 1 GPU instead of 4 GPUs.");
  });

  it("names one GPU count when both ends need the same number", () => {
    const s = smallerModelRule(deploymentFacts({ ...large, gpuCount: 2, parameterCount: 40_000_000_000n }))!;
    expect(s.action).toContain("It would need 1 GPU instead of 2 GPUs.");
  });
});

describe("commitment-pricing", () => {
  // H100 at aws on-demand $6.88, running since April, all of the period.
  const onDemandH100 = { gpuType: H100, alternativeGpuTypes: alternativesTo(H100), provider: "aws", pricingModel: "ON_DEMAND" as const, pricePerGpuHourMicros: usdMicros("6.88") };

  it("low end: the same provider's reserved price; high end: the cheapest listed (spot excluded under an SLO)", () => {
    const s = commitmentPricingRule(deploymentFacts(onDemandH100))!;
    // aws reserved $5.40: 304,400 × 1.48/6.88 = 65,481.4 → 65,481; lambda reserved $2.49: × 4.39/6.88 = 194,232.0 → 194,232
    expect(s.monthlySaving).toEqual({ lowCents: 65_481n, highCents: 194_232n });
    expect(s.confidence).toBe("high");
    expect(s.action).toContain("reserved at aws, $5.40 / GPU-h");
    expect(s.action).not.toContain("spot");
  });

  it("without an SLO, spot counts: aws spot $4.10 becomes the same-provider option", () => {
    const s = commitmentPricingRule(deploymentFacts({ ...onDemandH100, p99SloMs: null }))!;
    // 304,400 × 2.78/6.88 = 122,998.8 → 122,999
    expect(s.monthlySaving).toEqual({ lowCents: 122_999n, highCents: 194_232n });
    expect(s.confidence).toBe("medium");
    expect(s.action).toContain("spot capacity can be reclaimed");
  });

  it("active 90% of the period fires; one millisecond less does not", () => {
    const active = (ms: number) => ({ ...onDemandH100, activeMs: ms, recordedMs: ms, trafficMs: ms, idleMs: 0.4 * ms });
    expect(commitmentPricingRule(deploymentFacts(active(0.9 * PERIOD_MS)))).not.toBeNull();
    expect(commitmentPricingRule(deploymentFacts(active(0.9 * PERIOD_MS - 1)))).toBeNull();
  });

  it("running for 30 days at the end of the period fires; one millisecond less does not", () => {
    expect(commitmentPricingRule(deploymentFacts({ ...onDemandH100, activeFrom: new Date(PERIOD.end.getTime() - 30 * DAY) }))).not.toBeNull();
    expect(commitmentPricingRule(deploymentFacts({ ...onDemandH100, activeFrom: new Date(PERIOD.end.getTime() - 30 * DAY + 1) }))).toBeNull();
  });

  it("already reserved, unpriced, or nothing cheaper listed: silent", () => {
    expect(commitmentPricingRule(deploymentFacts({ ...onDemandH100, pricingModel: "RESERVED" }))).toBeNull();
    expect(commitmentPricingRule(deploymentFacts({ ...onDemandH100, pricePerGpuHourMicros: null }))).toBeNull();
    expect(commitmentPricingRule(deploymentFacts({ ...onDemandH100, pricePerGpuHourMicros: usdMicros("2.49") }))).toBeNull();
    expect(commitmentPricingRule(deploymentFacts())).toBeNull();
  });
});
