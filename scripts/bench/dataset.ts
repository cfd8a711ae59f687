import { sketchFromSamples } from "@/lib/domain/latency-sketch";
import { Rng } from "./random";

/**
 * The benchmark dataset, generated deterministically from a seed: one org,
 * ten teams in five time zones, five GPU types whose on-demand price changes
 * mid-year, inference deployments reporting a 5-minute usage window each
 * (with a latency sketch built from simulated requests) for up to a year, and
 * training runs spread over the same year. Pure data: loading is load.ts.
 */

/** Bump when the generator changes: stored datasets with another version are rebuilt. */
export const GENERATOR_VERSION = 1;

export type TierName = "10m" | "1m";

export interface DatasetParams {
  tier: TierName;
  generatorVersion: number;
  seed: number;
  /** The dataset ends here; queries treat it as "now". */
  now: string;
  days: number;
  deployments: number;
  trainingRuns: number;
  windowSeconds: number;
  /** Fail generation if the plan yields fewer windows. */
  minWindows: number;
}

const COMMON = { generatorVersion: GENERATOR_VERSION, seed: 20261101, now: "2026-11-01T00:00:00.000Z", days: 365, trainingRuns: 100_000, windowSeconds: 300 };

export const TIERS: Record<TierName, DatasetParams> = {
  "10m": { ...COMMON, tier: "10m", deployments: 100, minWindows: 10_000_000 },
  "1m": { ...COMMON, tier: "1m", deployments: 10, minWindows: 1_000_000 },
};

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function datasetRange(params: DatasetParams): { startMs: number; nowMs: number } {
  const nowMs = Date.parse(params.now);
  return { startMs: nowMs - params.days * DAY_MS, nowMs };
}

export const ORG = { slug: "bench", name: "Bench Labs", timeZone: "America/Los_Angeles" } as const;

export interface TeamSpec {
  slug: string;
  name: string;
  timeZone: string;
  /** Standard-time offset, only to shape the daily traffic cycle. */
  offsetHours: number;
  monthlyBudgetUsd: string;
}

export const TEAMS: readonly TeamSpec[] = [
  { slug: "search", name: "Search", timeZone: "America/Los_Angeles", offsetHours: -8, monthlyBudgetUsd: "250000" },
  { slug: "assistants", name: "Assistants", timeZone: "America/New_York", offsetHours: -5, monthlyBudgetUsd: "400000" },
  { slug: "research-london", name: "Research London", timeZone: "Europe/London", offsetHours: 0, monthlyBudgetUsd: "600000" },
  { slug: "platform-india", name: "Platform India", timeZone: "Asia/Kolkata", offsetHours: 5.5, monthlyBudgetUsd: "120000" },
  { slug: "ads", name: "Ads", timeZone: "America/Los_Angeles", offsetHours: -8, monthlyBudgetUsd: "180000" },
  { slug: "safety", name: "Safety", timeZone: "Europe/London", offsetHours: 0, monthlyBudgetUsd: "90000" },
  { slug: "code", name: "Code", timeZone: "America/New_York", offsetHours: -5, monthlyBudgetUsd: "300000" },
  { slug: "support-india", name: "Support India", timeZone: "Asia/Kolkata", offsetHours: 5.5, monthlyBudgetUsd: "60000" },
  { slug: "pretraining", name: "Pretraining", timeZone: "America/Los_Angeles", offsetHours: -8, monthlyBudgetUsd: "2000000" },
  { slug: "evals", name: "Evals", timeZone: "UTC", offsetHours: 0, monthlyBudgetUsd: "75000" },
];

/** The whole-hour team the hourly p99 query reads (index into TEAMS). */
export const HOURLY_TEAM_INDEX = 2;

export interface GpuSpec {
  name: string;
  memoryGb: number;
  peakBf16Tflops: string;
  memoryBandwidthGbps: string;
  /** aws ON_DEMAND before and after PRICE_CHANGE, coreweave RESERVED throughout. */
  onDemand: readonly [string, string];
  reserved: string;
  weight: number;
}

export const GPU_TYPES: readonly GpuSpec[] = [
  { name: "H100 SXM 80GB", memoryGb: 80, peakBf16Tflops: "989.50", memoryBandwidthGbps: "3350", onDemand: ["4.100000", "3.400000"], reserved: "2.600000", weight: 40 },
  { name: "A100 SXM 80GB", memoryGb: 80, peakBf16Tflops: "312.00", memoryBandwidthGbps: "2039", onDemand: ["2.900000", "2.400000"], reserved: "1.800000", weight: 25 },
  { name: "L40S", memoryGb: 48, peakBf16Tflops: "362.05", memoryBandwidthGbps: "864", onDemand: ["1.600000", "1.300000"], reserved: "1.000000", weight: 15 },
  { name: "H200 SXM 141GB", memoryGb: 141, peakBf16Tflops: "989.50", memoryBandwidthGbps: "4800", onDemand: ["5.200000", "4.400000"], reserved: "3.500000", weight: 12 },
  { name: "B200", memoryGb: 192, peakBf16Tflops: "2250.00", memoryBandwidthGbps: "8000", onDemand: ["7.500000", "6.500000"], reserved: "5.000000", weight: 8 },
];

export const PRICES_FROM = "2025-01-01T00:00:00.000Z";
export const PRICE_CHANGE = "2026-05-01T00:00:00.000Z";

const MODELS: readonly (readonly [string, number])[] = [
  ["llama-3.1-8b-instruct", 8e9],
  ["llama-3.1-70b-instruct", 70e9],
  ["llama-3.1-405b-instruct", 405e9],
  ["mistral-7b-instruct", 7e9],
  ["mixtral-8x22b", 141e9],
  ["qwen2.5-72b-instruct", 72e9],
  ["qwen2.5-coder-32b", 32e9],
  ["gemma-2-27b", 27e9],
  ["phi-3-medium", 14e9],
  ["deepseek-v3", 671e9],
  ["internal-embed-1b", 1e9],
  ["internal-rerank-3b", 3e9],
];

type Pricing = { provider: string; pricingModel: string; override: string | null };

/** One column of a bulk load: the SQL type, and whether values are free text (escaped for COPY). */
export interface ColumnSpec {
  name: string;
  type: string;
  isText?: boolean;
}

/** Rows of one table, column-major, every value already in PostgreSQL text form (null = NULL). */
export interface RowChunk {
  table: string;
  columns: readonly ColumnSpec[];
  values: (string | null)[][];
  rowCount: number;
}

export interface DeploymentPlan {
  index: number;
  teamIndex: number;
  gpuTypeIndex: number;
  name: string;
  model: string;
  parameterCount: number;
  servingEngine: string;
  quantization: string;
  batching: string;
  maxBatchSize: number;
  gpuCount: number;
  pricing: Pricing;
  p99SloMs: number;
  activeFromMs: number;
  activeToMs: number | null;
  windowCount: number;
  traffic: {
    /** Mean requests per window at the daily peak. */
    peakRequests: number;
    errorRate: number;
    inputTokens: number;
    outputTokens: number;
    cacheFraction: number;
    p50Ms: number;
    sigma: number;
    reportsUtilization: boolean;
  };
}

function fiveMinuteAligned(ms: number, windowMs: number): number {
  return Math.floor(ms / windowMs) * windowMs;
}

export function planDeployments(params: DatasetParams): DeploymentPlan[] {
  const { startMs, nowMs } = datasetRange(params);
  const windowMs = params.windowSeconds * 1000;
  const plans: DeploymentPlan[] = [];
  for (let index = 0; index < params.deployments; index++) {
    const rng = new Rng(params.seed, `deployment:${index}`);
    const [model, parameterCount] = rng.pick(MODELS);
    // 20% start later in the year, a few are retired before now, 10% are
    // low-traffic dev endpoints that sit idle at night.
    const activeFromMs = index % 5 === 4 ? fiveMinuteAligned(startMs + rng.uniform(1, 120) * DAY_MS, windowMs) : startMs;
    const activeToMs = index % 23 === 22 ? fiveMinuteAligned(nowMs - rng.uniform(7, 60) * DAY_MS, windowMs) : null;
    const isDev = index % 10 === 9;
    const pricing: Pricing = rng.weighted<Pricing>([
      [{ provider: "aws", pricingModel: "ON_DEMAND", override: null }, 70],
      [{ provider: "coreweave", pricingModel: "RESERVED", override: null }, 20],
      [{ provider: "on-prem", pricingModel: "ON_PREM", override: rng.uniform(1.2, 3.5).toFixed(6) }, 10],
    ]);
    plans.push({
      index,
      teamIndex: index % TEAMS.length,
      gpuTypeIndex: rng.weighted(GPU_TYPES.map((g, i) => [i, g.weight] as const)),
      name: `${model}-${index}`,
      model,
      parameterCount,
      servingEngine: rng.pick(["VLLM", "VLLM", "TGI", "TENSORRT_LLM", "SGLANG"]),
      quantization: rng.pick(["NONE", "FP16_BF16", "FP8", "INT8", "INT4"]),
      batching: rng.pick(["CONTINUOUS", "CONTINUOUS", "DYNAMIC", "STATIC"]),
      maxBatchSize: rng.pick([32, 64, 128, 256]),
      gpuCount: isDev ? 1 : rng.pick([1, 2, 4, 8]),
      pricing,
      p99SloMs: rng.pick([500, 1000, 2000, 5000]),
      activeFromMs,
      activeToMs,
      windowCount: Math.floor(((activeToMs ?? nowMs) - activeFromMs) / windowMs),
      traffic: {
        peakRequests: isDev ? rng.uniform(3, 12) : Math.min(5000, Math.max(60, rng.lognormalMedian(700, 0.7))),
        errorRate: rng.uniform(0.001, 0.02),
        inputTokens: rng.uniform(300, 2500),
        outputTokens: rng.uniform(80, 600),
        cacheFraction: rng.uniform(0, 0.5),
        p50Ms: Math.min(2000, Math.max(40, rng.lognormalMedian(250, 0.5))),
        sigma: rng.uniform(0.35, 0.6),
        reportsUtilization: rng.chance(0.9),
      },
    });
  }
  return plans;
}

export const WINDOW_COLUMNS: readonly ColumnSpec[] = [
  { name: "deploymentId", type: "int" },
  { name: "windowStart", type: "timestamptz" },
  { name: "windowSeconds", type: "int" },
  { name: "requests", type: "bigint" },
  { name: "errors", type: "bigint" },
  { name: "inputTokens", type: "bigint" },
  { name: "cachedInputTokens", type: "bigint" },
  { name: "outputTokens", type: "bigint" },
  { name: "latencyKeys", type: "smallint[]" },
  { name: "latencyCounts", type: "int[]" },
  { name: "avgGpuUtilizationPct", type: "numeric" },
];

/**
 * Traffic follows the team's day (low at 04:00, peak at 16:00 local), drops
 * on weekends and grows over the year. Each window's latency sketch holds
 * 10-25 simulated request latencies (log-normal, slower under load, with the
 * odd slow window) so the stored rows stay small.
 */
export function generateWindows(params: DatasetParams, plan: DeploymentPlan, deploymentId: number): RowChunk {
  const rng = new Rng(params.seed, `windows:${plan.index}`);
  const { startMs } = datasetRange(params);
  const windowMs = params.windowSeconds * 1000;
  const n = plan.windowCount;
  const values = WINDOW_COLUMNS.map(() => new Array<string | null>(n));
  const [ids, starts, seconds, requestsCol, errorsCol, inputCol, cachedCol, outputCol, keysCol, countsCol, utilCol] = values as [
    (string | null)[], (string | null)[], (string | null)[], (string | null)[], (string | null)[], (string | null)[],
    (string | null)[], (string | null)[], (string | null)[], (string | null)[], (string | null)[],
  ];
  const offsetMs = TEAMS[plan.teamIndex]!.offsetHours * HOUR_MS;
  const t = plan.traffic;
  const idText = String(deploymentId);
  const secondsText = String(params.windowSeconds);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = plan.activeFromMs + i * windowMs;
    const local = at + offsetMs;
    const hour = (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
    const weekday = (Math.floor(local / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const load = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24);
    const growth = 0.8 + (0.4 * (at - startMs)) / (params.days * DAY_MS);
    const mean = t.peakRequests * (0.15 + 0.85 * load) * (weekday === 0 || weekday === 6 ? 0.55 : 1) * growth * rng.lognormalMedian(1, 0.15);
    const requests = mean < 30 ? rng.poisson(mean) : Math.round(mean);
    const errors = Math.min(requests, rng.poisson(requests * t.errorRate));
    const inputTokens = Math.round(requests * t.inputTokens * rng.lognormalMedian(1, 0.1));
    ids[i] = idText;
    starts[i] = new Date(at).toISOString();
    seconds[i] = secondsText;
    requestsCol[i] = String(requests);
    errorsCol[i] = String(errors);
    inputCol[i] = String(inputTokens);
    cachedCol[i] = String(Math.min(inputTokens, Math.round(inputTokens * t.cacheFraction * rng.uniform(0.8, 1.2))));
    outputCol[i] = String(Math.round(requests * t.outputTokens * rng.lognormalMedian(1, 0.1)));
    if (requests === 0) {
      keysCol[i] = "{}";
      countsCol[i] = "{}";
      utilCol[i] = null;
      continue;
    }
    samples.length = 0;
    const sampleCount = Math.min(requests, rng.int(10, 25));
    const median = t.p50Ms * (1 + 0.6 * load) * (rng.chance(0.005) ? 3 : 1);
    for (let s = 0; s < sampleCount; s++) samples.push(rng.lognormalMedian(median, t.sigma));
    const sketch = sketchFromSamples(samples);
    keysCol[i] = `{${sketch.keys.join(",")}}`;
    countsCol[i] = `{${sketch.counts.join(",")}}`;
    utilCol[i] = t.reportsUtilization ? Math.min(99.99, Math.max(1, 15 + 75 * load + 5 * rng.normal())).toFixed(2) : null;
  }
  return { table: "inference_usage_windows", columns: WINDOW_COLUMNS, values, rowCount: n };
}

export const TRAINING_RUN_COLUMNS: readonly ColumnSpec[] = [
  { name: "teamId", type: "int" },
  { name: "name", type: "text", isText: true },
  { name: "model", type: "text", isText: true },
  { name: "parameterCount", type: "bigint" },
  { name: "method", type: `"TrainingMethod"` },
  { name: "precision", type: `"Precision"` },
  { name: "gradientCheckpointing", type: "boolean" },
  { name: "flashAttention", type: "boolean" },
  { name: "zeroStage", type: "int" },
  { name: "gpuTypeId", type: "int" },
  { name: "provider", type: "text", isText: true },
  { name: "pricingModel", type: `"PricingModel"` },
  { name: "gpuCount", type: "int" },
  { name: "startedAt", type: "timestamptz" },
  { name: "endedAt", type: "timestamptz" },
  { name: "status", type: `"RunStatus"` },
  { name: "tokensProcessed", type: "bigint" },
  { name: "avgGpuUtilizationPct", type: "numeric" },
  { name: "pricePerGpuHourOverride", type: "numeric" },
  { name: "storageCostUsd", type: "numeric" },
  { name: "dataCostUsd", type: "numeric" },
  { name: "networkCostUsd", type: "numeric" },
  { name: "updatedAt", type: "timestamptz" },
];

/**
 * Training runs start uniformly over the year; durations are log-normal
 * (median 2.5 h, 5 minutes to 14 days), so runs still going at `now` are
 * RUNNING with no end. A few use a price the catalog lacks (unpriced GPU time)
 * or a per-run override; some carry storage/data/network costs.
 */
export function generateTrainingRuns(params: DatasetParams, teamIds: readonly number[], gpuTypeIds: readonly number[]): RowChunk {
  const rng = new Rng(params.seed, "training-runs");
  const { startMs, nowMs } = datasetRange(params);
  const n = params.trainingRuns;
  const values = TRAINING_RUN_COLUMNS.map(() => new Array<string | null>(n));
  const gpuWeights = GPU_TYPES.map((g, i) => [i, g.weight] as const);
  const money = (p: number, max: number) => (rng.chance(p) ? rng.uniform(0, max).toFixed(6) : "0");
  for (let i = 0; i < n; i++) {
    const [model, parameterCount] = rng.pick(MODELS);
    const startedAt = Math.floor(rng.uniform(startMs, nowMs));
    const durationMs = Math.min(14 * DAY_MS, Math.max(5 * 60_000, rng.lognormalMedian(2.5 * HOUR_MS, 1.4)));
    const endedAt = Math.floor(startedAt + durationMs);
    const isRunning = endedAt >= nowMs;
    const pricing = rng.weighted<Pricing>([
      [{ provider: "aws", pricingModel: "ON_DEMAND", override: null }, 70],
      [{ provider: "coreweave", pricingModel: "RESERVED", override: null }, 22],
      [{ provider: "aws", pricingModel: "SPOT", override: null }, 3],
      [{ provider: "on-prem", pricingModel: "ON_PREM", override: rng.uniform(0.8, 3).toFixed(6) }, 5],
    ]);
    const gpuCount = rng.weighted([[1, 15], [2, 10], [4, 15], [8, 30], [16, 12], [32, 8], [64, 6], [128, 3], [256, 1]] as const);
    const row: (string | null)[] = [
      String(teamIds[rng.int(0, teamIds.length - 1)]!),
      `run-${i}`,
      model,
      String(parameterCount),
      rng.weighted([["PRETRAIN", 5], ["FULL_FINE_TUNE", 30], ["LORA", 40], ["QLORA", 15], ["OTHER", 10]] as const),
      rng.weighted([["BF16", 70], ["FP16", 10], ["FP8", 15], ["FP32", 5]] as const),
      rng.chance(0.5) ? "t" : "f",
      rng.chance(0.8) ? "t" : "f",
      rng.chance(0.5) ? String(rng.int(0, 3)) : null,
      String(gpuTypeIds[rng.weighted(gpuWeights)]!),
      pricing.provider,
      pricing.pricingModel,
      String(gpuCount),
      new Date(startedAt).toISOString(),
      isRunning ? null : new Date(endedAt).toISOString(),
      isRunning ? "RUNNING" : rng.weighted([["SUCCEEDED", 80], ["FAILED", 12], ["CANCELLED", 8]] as const),
      rng.chance(0.6) ? String(Math.round(gpuCount * (durationMs / 1000) * rng.uniform(500, 4000))) : null,
      rng.chance(0.7) ? rng.uniform(30, 98).toFixed(2) : null,
      pricing.override,
      money(0.3, 200),
      money(0.1, 500),
      money(0.1, 80),
      new Date(Math.min(nowMs, endedAt)).toISOString(),
    ];
    row.forEach((value, c) => (values[c]![i] = value));
  }
  return { table: "training_runs", columns: TRAINING_RUN_COLUMNS, values, rowCount: n };
}
