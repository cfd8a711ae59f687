/**
 * Test facts: a 30-day period, the demo catalog's GPU types and prices
 * (lib/seed/demo-data.ts), and a run and a deployment that trigger nothing
 * until a test changes them. 30-day figures scale to a month by 30.44 / 30.
 */
import type { CatalogPrice, DeploymentFacts, GpuTypeFacts, RunFacts } from "./types";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const PERIOD = { start: new Date("2026-09-01T00:00:00Z"), end: new Date("2026-10-01T00:00:00Z") };
export const PERIOD_MS = 30 * DAY;

const usd = (dollars: string): bigint => {
  const [whole, fraction = ""] = dollars.split(".");
  return BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
};
const p = (provider: string, pricingModel: CatalogPrice["pricingModel"], dollars: string): CatalogPrice => ({ provider, pricingModel, pricePerGpuHourMicros: usd(dollars) });

export const H100: GpuTypeFacts = {
  id: 1,
  name: "H100 80GB",
  memoryGb: 80,
  peakBf16Tflops: 989.5,
  memoryBandwidthGbps: 3350,
  prices: [p("aws", "ON_DEMAND", "6.88"), p("aws", "SPOT", "4.10"), p("aws", "RESERVED", "5.40"), p("lambda", "ON_DEMAND", "2.99"), p("lambda", "RESERVED", "2.49"), p("coreweave", "RESERVED", "3.35")],
};
export const H200: GpuTypeFacts = { id: 2, name: "H200 141GB", memoryGb: 141, peakBf16Tflops: 989.5, memoryBandwidthGbps: 4800, prices: [p("aws", "ON_DEMAND", "10.60"), p("coreweave", "RESERVED", "3.80")] };
export const A100: GpuTypeFacts = {
  id: 3,
  name: "A100 80GB",
  memoryGb: 80,
  peakBf16Tflops: 312,
  memoryBandwidthGbps: 2039,
  prices: [p("aws", "ON_DEMAND", "5.12"), p("aws", "SPOT", "1.97"), p("gcp", "ON_DEMAND", "5.07"), p("gcp", "SPOT", "1.57")],
};
export const L40S: GpuTypeFacts = { id: 4, name: "L40S 48GB", memoryGb: 48, peakBf16Tflops: 362.05, memoryBandwidthGbps: 864, prices: [p("aws", "ON_DEMAND", "1.861"), p("aws", "SPOT", "0.78")] };
export const L4: GpuTypeFacts = { id: 5, name: "L4 24GB", memoryGb: 24, peakBf16Tflops: 121, memoryBandwidthGbps: 300, prices: [p("aws", "ON_DEMAND", "0.805"), p("gcp", "ON_DEMAND", "0.7068")] };
export const CATALOG = [H100, H200, A100, L40S, L4];

export function alternativesTo(gpu: GpuTypeFacts): GpuTypeFacts[] {
  return CATALOG.filter((g) => g.id !== gpu.id);
}

/** A tuned BF16 LoRA run: MFU 45%, FlashAttention and checkpointing on. $30,000 of compute in the period. */
export function runFacts(overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    id: 101,
    name: "support-lora-01",
    teamId: 7,
    model: "Llama-3.1-8B-Instruct",
    parameterCount: 8_000_000_000n,
    method: "LORA",
    precision: "BF16",
    gradientCheckpointing: true,
    flashAttention: true,
    zeroStage: null,
    gradientAccumulationSteps: 4,
    gpuCount: 8,
    provider: "aws",
    pricingModel: "ON_DEMAND",
    status: "SUCCEEDED",
    gpuType: H100,
    period: PERIOD,
    computeCents: 3_000_000n,
    extraCents: 12_345n,
    gpuHours: 4_360,
    mfu: 0.45,
    avgGpuUtilizationPct: 92,
    tokensProcessed: 10_000_000_000n,
    ...overrides,
  };
}

/**
 * A healthy deployment: 8B FP8 on 1 × L4 at gcp on-demand, fully recorded,
 * 40% idle, p99 within the SLO, continuous batching on vLLM. $3,000 in the
 * period, all of it active time.
 */
export function deploymentFacts(overrides: Partial<DeploymentFacts> = {}): DeploymentFacts {
  return {
    id: 201,
    name: "query-rewrite",
    teamId: 9,
    model: "Qwen2.5-7B-Instruct",
    parameterCount: 7_615_616_512n,
    servingEngine: "VLLM",
    quantization: "FP8",
    batching: "CONTINUOUS",
    maxBatchSize: 64,
    gpuCount: 1,
    provider: "gcp",
    pricingModel: "ON_DEMAND",
    pricePerGpuHourMicros: usd("0.7068"),
    hasPriceOverride: false,
    p99SloMs: 700,
    activeFrom: new Date("2026-04-01T00:00:00Z"),
    activeTo: null,
    isActive: true,
    period: PERIOD,
    cost: { servingCents: 180_000n, idleCents: 120_000n, untrackedCents: 0n },
    activeMs: PERIOD_MS,
    recordedMs: PERIOD_MS,
    trafficMs: PERIOD_MS,
    idleMs: 0.4 * PERIOD_MS,
    largestGapMs: 0,
    utilization: 0.6,
    requests: 100_000_000n,
    inputTokens: 18_000_000_000n,
    cachedInputTokens: 1_000_000_000n,
    outputTokens: 4_000_000_000n,
    p50Ms: 380,
    p99Ms: 650,
    gpuType: L4,
    alternativeGpuTypes: alternativesTo(L4),
    ...overrides,
  };
}

export { usd as usdMicros };
