import { tzOffset } from "@date-fns/tz";
import type {
  Batching,
  PricingModel,
  Precision,
  Quantization,
  OrgRole,
  TeamRole,
  RunStatus,
  ServingEngine,
  TrainingMethod,
} from "../db/generated/enums";
import { trainingFlopsPerToken } from "../domain/estimator/training";
import { apportion } from "../domain/largest-remainder";
import { sketchFromSamples } from "../domain/latency-sketch";
import { Random } from "./random";

/**
 * The demo dataset: one org with four teams in four time zones, a GPU price
 * catalog with price changes, six months of training runs and 90 days of
 * 5-minute inference traffic. Plain records only (no database access), fully
 * determined by (now truncated to 5 minutes, seed). Records reference each
 * other by natural key (team slug, GPU name, deployment name); the writer
 * turns those into ids.
 *
 * Counters stored as BIGINT are JS numbers here: every one of them stays far
 * below 2^53.
 */

export const DEFAULT_DEMO_SEED = 20_240_601;
export const WINDOW_SECONDS = 300;
/** Days of 5-minute usage windows generated up to `now`. */
export const DEFAULT_USAGE_DAYS = 90;
/** Latency samples simulated per window at a deployment's busiest. */
export const MAX_LATENCY_SAMPLES = 200;
/** At least this many samples per window with traffic (or all of them, if fewer). */
const MIN_LATENCY_SAMPLES = 8;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WINDOW_MS = WINDOW_SECONDS * 1000;
/** How far back training runs go. */
const RUN_HISTORY_DAYS = 182;

export type Provider = "aws" | "gcp" | "coreweave" | "lambda" | "on-prem";
export type TeamSlug = "research" | "applied" | "platform" | "search";
export type GpuName = "H100 80GB" | "H200 141GB" | "A100 80GB" | "L40S 48GB" | "L4 24GB";

export interface OrgRecord {
  slug: string;
  name: string;
  timeZone: string;
  currency: string;
  createdAt: Date;
}

export interface UserRecord {
  email: string;
  name: string;
  role: OrgRole;
  /** Team roles (org owners and admins need none). */
  teams: { slug: TeamSlug; role: TeamRole }[];
  createdAt: Date;
}

/** The seeded demo users' emails, one per role (the sign-in page offers only these). */
export const DEMO_USER_EMAILS = [
  "owner@burnrate.dev",
  "admin@burnrate.dev",
  "team-admin@burnrate.dev",
  "editor@burnrate.dev",
  "viewer@burnrate.dev",
  "applied-viewer@burnrate.dev",
] as const;

/** Every demo user's password (the demo sign-in page signs them in with one click; embedded database only). */
export const DEMO_PASSWORD = "burnrate-demo-password";

export interface TeamRecord {
  slug: TeamSlug;
  name: string;
  /** Decimal string, USD. */
  monthlyBudgetUsd: string;
  timeZone: string;
  createdAt: Date;
}

export interface GpuTypeRecord {
  name: GpuName;
  memoryGb: number;
  /** Decimal string: dense BF16 TFLOPS, no sparsity. */
  peakBf16Tflops: string;
  /** Decimal string: GB/s. */
  memoryBandwidthGbps: string;
  createdAt: Date;
}

/** A list price over [effectiveFrom, effectiveTo); effectiveTo null = still current. */
export interface GpuPriceRecord {
  gpuTypeName: GpuName;
  provider: Provider;
  pricingModel: PricingModel;
  /** Decimal string, USD per GPU-hour. */
  pricePerGpuHour: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
  createdAt: Date;
}

export interface TrainingRunRecord {
  teamSlug: TeamSlug;
  name: string;
  model: string;
  parameterCount: number | null;
  method: TrainingMethod;
  precision: Precision;
  gradientCheckpointing: boolean;
  flashAttention: boolean;
  zeroStage: number | null;
  gradientAccumulationSteps: number;
  gpuTypeName: GpuName;
  provider: Provider;
  pricingModel: PricingModel;
  gpuCount: number;
  startedAt: Date;
  /** Null while RUNNING. */
  endedAt: Date | null;
  status: RunStatus;
  tokensProcessed: number | null;
  /** Decimal string, 3 places. */
  throughputTokensPerSec: string | null;
  /** Decimal string, percent with 2 places. */
  avgGpuUtilizationPct: string | null;
  /** Decimal string, USD per GPU-hour. */
  pricePerGpuHourOverride: string | null;
  storageCostUsd: string;
  dataCostUsd: string;
  networkCostUsd: string;
  notes: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeploymentRecord {
  teamSlug: TeamSlug;
  /** Unique within the dataset: usage windows refer to it. */
  name: string;
  model: string;
  parameterCount: number | null;
  servingEngine: ServingEngine;
  quantization: Quantization;
  batching: Batching;
  maxBatchSize: number | null;
  gpuTypeName: GpuName;
  provider: Provider;
  pricingModel: PricingModel;
  gpuCount: number;
  pricePerGpuHourOverride: string | null;
  p99SloMs: number | null;
  activeFrom: Date;
  activeTo: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One deployment's traffic over [windowStart, windowStart + 300 s).
 *
 * The latency histogram covers every successful request: latencies are
 * simulated for a sample (about MAX_LATENCY_SAMPLES in the busiest windows,
 * at least MIN_LATENCY_SAMPLES), and the sample's bucket counts are scaled to
 * `requests - errors` by exact apportionment. So sum(latencyCounts) equals the
 * successful requests, as a gateway that sketches every request would report,
 * and histograms merged across windows and deployments weight by traffic.
 */
export interface UsageWindowRecord {
  deploymentName: string;
  windowStart: Date;
  windowSeconds: number;
  /** All requests, including errors. */
  requests: number;
  errors: number;
  inputTokens: number;
  /** Part of inputTokens served from the prefix cache. */
  cachedInputTokens: number;
  outputTokens: number;
  latencyKeys: number[];
  latencyCounts: number[];
  /** Decimal string, percent with 2 places. */
  avgGpuUtilizationPct: string;
}

export interface DemoData {
  /** `now` truncated to a 5-minute UTC boundary: everything is relative to it. */
  now: Date;
  seed: number;
  org: OrgRecord;
  users: UserRecord[];
  teams: TeamRecord[];
  gpuTypes: GpuTypeRecord[];
  gpuPrices: GpuPriceRecord[];
  trainingRuns: TrainingRunRecord[];
  deployments: DeploymentRecord[];
  usageWindows: UsageWindowRecord[];
}

export interface GenerateDemoDataOptions {
  now: Date;
  seed?: number;
  /** Days of usage windows up to `now`; 90 unless a test wants less. */
  usageDays?: number;
}

// ---------------------------------------------------------------------------
// Time helpers (UTC)

function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

function ceilTo(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}

function startOfUtcMonth(ms: number, monthsBack = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1);
}

function money(x: number): string {
  return x.toFixed(2);
}

function pricePerHour(x: number): string {
  return x.toFixed(6);
}

// ---------------------------------------------------------------------------
// Static catalog

const TEAMS: readonly Omit<TeamRecord, "createdAt">[] = [
  { slug: "research", name: "Research", monthlyBudgetUsd: "120000.000000", timeZone: "Europe/London" },
  { slug: "applied", name: "Applied ML", monthlyBudgetUsd: "40000.000000", timeZone: "America/New_York" },
  { slug: "platform", name: "ML Platform", monthlyBudgetUsd: "20000.000000", timeZone: "America/Los_Angeles" },
  { slug: "search", name: "Search & Ranking", monthlyBudgetUsd: "4000.000000", timeZone: "Asia/Kolkata" },
];

const GPU_TYPES: readonly Omit<GpuTypeRecord, "createdAt">[] = [
  { name: "H100 80GB", memoryGb: 80, peakBf16Tflops: "989.50", memoryBandwidthGbps: "3350.00" },
  { name: "H200 141GB", memoryGb: 141, peakBf16Tflops: "989.50", memoryBandwidthGbps: "4800.00" },
  { name: "A100 80GB", memoryGb: 80, peakBf16Tflops: "312.00", memoryBandwidthGbps: "2039.00" },
  { name: "L40S 48GB", memoryGb: 48, peakBf16Tflops: "362.05", memoryBandwidthGbps: "864.00" },
  { name: "L4 24GB", memoryGb: 24, peakBf16Tflops: "121.00", memoryBandwidthGbps: "300.00" },
];

const PEAK_TFLOPS: Record<GpuName, number> = {
  "H100 80GB": 989.5,
  "H200 141GB": 989.5,
  "A100 80GB": 312,
  "L40S 48GB": 362.05,
  "L4 24GB": 121,
};

/**
 * Public list prices per GPU-hour (per-GPU share of the usual 8-GPU instance
 * where the provider sells whole nodes). ON_PREM is amortized hardware + power.
 */
const LIST_PRICES: readonly (readonly [GpuName, Provider, PricingModel, number])[] = [
  ["H100 80GB", "aws", "ON_DEMAND", 12.29], // p5.48xlarge $98.32/h; cut later, see PRICE_CHANGES
  ["H100 80GB", "aws", "SPOT", 4.1], // walks monthly, see SPOT_WALKS
  ["H100 80GB", "aws", "RESERVED", 5.4],
  ["H100 80GB", "gcp", "ON_DEMAND", 11.06125], // a3-highgpu-8g
  ["H100 80GB", "gcp", "SPOT", 3.71],
  ["H100 80GB", "coreweave", "ON_DEMAND", 6.155], // HGX H100 $49.24/h
  ["H100 80GB", "coreweave", "RESERVED", 3.35],
  ["H100 80GB", "lambda", "ON_DEMAND", 3.29],
  ["H100 80GB", "lambda", "RESERVED", 2.49],
  ["H100 80GB", "on-prem", "ON_PREM", 1.65],
  ["H200 141GB", "aws", "ON_DEMAND", 10.6], // p5en.48xlarge
  ["H200 141GB", "gcp", "ON_DEMAND", 10.85], // a3-ultragpu-8g
  ["H200 141GB", "coreweave", "ON_DEMAND", 6.305], // HGX H200 $50.44/h
  ["H200 141GB", "coreweave", "RESERVED", 3.8],
  ["H200 141GB", "on-prem", "ON_PREM", 2.25],
  ["A100 80GB", "aws", "ON_DEMAND", 5.12], // p4de.24xlarge $40.97/h
  ["A100 80GB", "aws", "SPOT", 1.97],
  ["A100 80GB", "gcp", "ON_DEMAND", 5.07], // a2-ultragpu
  ["A100 80GB", "gcp", "SPOT", 1.57],
  ["A100 80GB", "coreweave", "ON_DEMAND", 2.21],
  ["A100 80GB", "lambda", "ON_DEMAND", 1.79],
  ["A100 80GB", "on-prem", "ON_PREM", 0.95],
  ["L40S 48GB", "aws", "ON_DEMAND", 1.861], // g6e.xlarge
  ["L40S 48GB", "aws", "SPOT", 0.78],
  ["L40S 48GB", "coreweave", "ON_DEMAND", 2.25],
  ["L40S 48GB", "on-prem", "ON_PREM", 0.55],
  ["L4 24GB", "aws", "ON_DEMAND", 0.805], // g6.xlarge
  ["L4 24GB", "aws", "SPOT", 0.34],
  ["L4 24GB", "gcp", "ON_DEMAND", 0.7068], // g2-standard-4
  ["L4 24GB", "gcp", "SPOT", 0.28],
  ["L4 24GB", "on-prem", "ON_PREM", 0.25],
];

/** One-off list price changes, days before now (at UTC midnight). */
const PRICE_CHANGES: readonly (readonly [GpuName, Provider, PricingModel, number, number])[] = [
  ["H100 80GB", "aws", "ON_DEMAND", 61, 6.88], // p5.48xlarge to $55.04/h
  ["H100 80GB", "lambda", "ON_DEMAND", 128, 2.99],
  ["L40S 48GB", "coreweave", "ON_DEMAND", 33, 1.95],
];

/** Spot prices that move on the 1st of every month over the run history. */
const SPOT_WALKS: readonly (readonly [GpuName, Provider])[] = [
  ["H100 80GB", "aws"],
  ["A100 80GB", "aws"],
];

function buildPrices(rng: Random, nowMs: number, catalogStartMs: number): GpuPriceRecord[] {
  const createdAt = new Date(catalogStartMs);
  const out: GpuPriceRecord[] = [];
  for (const [gpu, provider, pricingModel, basePrice] of LIST_PRICES) {
    // Boundaries and prices of consecutive periods for this key.
    const periods: { from: number; price: number }[] = [{ from: catalogStartMs, price: basePrice }];
    for (const [cGpu, cProvider, cModel, daysAgo, price] of PRICE_CHANGES) {
      if (cGpu === gpu && cProvider === provider && cModel === pricingModel) {
        periods.push({ from: floorTo(nowMs - daysAgo * DAY_MS, DAY_MS), price });
      }
    }
    if (pricingModel === "SPOT" && SPOT_WALKS.some(([g, p]) => g === gpu && p === provider)) {
      // Mean-reverting walk around the base price; a month without a move adds no period.
      let logRatio = 0;
      let last = basePrice;
      for (let monthsBack = 6; monthsBack >= 0; monthsBack--) {
        logRatio = 0.6 * logRatio + rng.normal(0, 0.1);
        const price = Math.round(basePrice * Math.exp(logRatio) * 10_000) / 10_000;
        if (price === last) continue;
        periods.push({ from: startOfUtcMonth(nowMs, monthsBack), price });
        last = price;
      }
    }
    periods.sort((a, b) => a.from - b.from);
    periods.forEach((period, i) => {
      const next = periods[i + 1];
      out.push({
        gpuTypeName: gpu,
        provider,
        pricingModel,
        pricePerGpuHour: pricePerHour(period.price),
        effectiveFrom: new Date(period.from),
        effectiveTo: next ? new Date(next.from) : null,
        createdAt: i === 0 ? createdAt : new Date(period.from),
      });
    });
  }
  return out;
}

/** The list price in effect at `atMs`, or undefined when the catalog has none. */
export function listPriceAt(
  prices: readonly GpuPriceRecord[],
  key: { gpuTypeName: GpuName; provider: Provider; pricingModel: PricingModel },
  atMs: number,
): GpuPriceRecord | undefined {
  return prices.find(
    (p) =>
      p.gpuTypeName === key.gpuTypeName &&
      p.provider === key.provider &&
      p.pricingModel === key.pricingModel &&
      p.effectiveFrom.getTime() <= atMs &&
      (p.effectiveTo === null || atMs < p.effectiveTo.getTime()),
  );
}

// ---------------------------------------------------------------------------
// Training runs

type Where = readonly [Provider, PricingModel];

interface Placement {
  gpu: GpuName;
  counts: readonly number[];
  where: readonly Where[];
}

type ExtraCosts = "pretrain" | "finetune";

interface RunTemplate {
  team: TeamSlug;
  prefix: string;
  model: string;
  parameterCount: number;
  method: TrainingMethod;
  precisions: readonly Precision[];
  placements: readonly Placement[];
  hours: readonly [number, number];
  count: number;
  /** Model FLOPs utilization range (the method's FLOPs per token — 6·N, 4·N for LoRA/QLoRA — against dense BF16 peak). */
  mfu: readonly [number, number];
  zeroStages: readonly (number | null)[];
  gradAccum: readonly number[];
  checkpointingRate: number;
  extras: ExtraCosts;
}

const CW_RESERVED: Where = ["coreweave", "RESERVED"];
const ON_PREM: Where = ["on-prem", "ON_PREM"];

const RUN_TEMPLATES: readonly RunTemplate[] = [
  {
    team: "research", prefix: "burn-1b-pretrain", model: "burn-1.3b", parameterCount: 1_339_000_000,
    method: "PRETRAIN", precisions: ["BF16"],
    placements: [{ gpu: "H100 80GB", counts: [32, 64], where: [CW_RESERVED, ON_PREM] }],
    hours: [30, 60], count: 2, mfu: [0.4, 0.5], zeroStages: [null, 1], gradAccum: [1, 2], checkpointingRate: 0.2, extras: "pretrain",
  },
  {
    team: "research", prefix: "burn-7b-pretrain", model: "burn-7b", parameterCount: 6_738_000_000,
    method: "PRETRAIN", precisions: ["BF16", "FP8"],
    placements: [
      { gpu: "H100 80GB", counts: [128], where: [CW_RESERVED] },
      { gpu: "H200 141GB", counts: [128], where: [CW_RESERVED] },
    ],
    hours: [72, 168], count: 3, mfu: [0.4, 0.52], zeroStages: [null, 1], gradAccum: [4, 8], checkpointingRate: 0.5, extras: "pretrain",
  },
  {
    team: "research", prefix: "burn-7b-sft", model: "burn-7b-instruct", parameterCount: 6_738_000_000,
    method: "FULL_FINE_TUNE", precisions: ["BF16"],
    placements: [{ gpu: "H100 80GB", counts: [8, 16], where: [CW_RESERVED, ["lambda", "ON_DEMAND"]] }],
    hours: [6, 20], count: 5, mfu: [0.33, 0.46], zeroStages: [2, 3], gradAccum: [4, 8, 16], checkpointingRate: 0.6, extras: "finetune",
  },
  {
    team: "research", prefix: "burn-7b-rm", model: "burn-7b-reward", parameterCount: 6_738_000_000,
    method: "OTHER", precisions: ["BF16"],
    placements: [{ gpu: "H100 80GB", counts: [8], where: [CW_RESERVED, ON_PREM] }],
    hours: [4, 10], count: 3, mfu: [0.3, 0.42], zeroStages: [2], gradAccum: [4, 8], checkpointingRate: 0.5, extras: "finetune",
  },
  {
    team: "research", prefix: "llama70b-sft", model: "Llama-3.1-70B", parameterCount: 70_553_706_496,
    method: "FULL_FINE_TUNE", precisions: ["BF16"],
    placements: [
      { gpu: "H100 80GB", counts: [32, 64], where: [CW_RESERVED, ["aws", "RESERVED"]] },
      { gpu: "H200 141GB", counts: [32], where: [CW_RESERVED] },
    ],
    hours: [18, 40], count: 2, mfu: [0.33, 0.43], zeroStages: [3], gradAccum: [8, 16], checkpointingRate: 1, extras: "finetune",
  },
  {
    team: "applied", prefix: "support-lora", model: "Llama-3.1-8B-Instruct", parameterCount: 8_030_261_248,
    method: "LORA", precisions: ["BF16"],
    placements: [
      { gpu: "L40S 48GB", counts: [1, 2, 4], where: [["aws", "ON_DEMAND"], ["aws", "SPOT"]] },
      { gpu: "A100 80GB", counts: [1, 2, 4], where: [["lambda", "ON_DEMAND"], ["aws", "ON_DEMAND"]] },
    ],
    hours: [1.5, 9], count: 13, mfu: [0.28, 0.42], zeroStages: [null], gradAccum: [2, 4, 8], checkpointingRate: 0.4, extras: "finetune",
  },
  {
    team: "applied", prefix: "support-qlora-70b", model: "Llama-3.1-70B-Instruct", parameterCount: 70_553_706_496,
    method: "QLORA", precisions: ["BF16"],
    placements: [
      { gpu: "A100 80GB", counts: [2, 4], where: [["lambda", "ON_DEMAND"]] },
      { gpu: "H100 80GB", counts: [1, 2], where: [["lambda", "ON_DEMAND"]] },
    ],
    hours: [8, 30], count: 4, mfu: [0.25, 0.34], zeroStages: [null], gradAccum: [8, 16], checkpointingRate: 1, extras: "finetune",
  },
  {
    team: "applied", prefix: "ticket-classifier-sft", model: "Qwen2.5-7B-Instruct", parameterCount: 7_615_616_512,
    method: "FULL_FINE_TUNE", precisions: ["BF16"],
    placements: [
      { gpu: "A100 80GB", counts: [8], where: [["lambda", "ON_DEMAND"], ["gcp", "ON_DEMAND"]] },
      { gpu: "H100 80GB", counts: [8], where: [["aws", "ON_DEMAND"]] },
    ],
    hours: [5, 14], count: 4, mfu: [0.33, 0.46], zeroStages: [2, 3], gradAccum: [4, 8], checkpointingRate: 0.6, extras: "finetune",
  },
  {
    team: "applied", prefix: "docs-lora-32b", model: "Qwen2.5-32B-Instruct", parameterCount: 32_763_876_352,
    method: "LORA", precisions: ["BF16"],
    placements: [
      { gpu: "A100 80GB", counts: [4, 8], where: [["aws", "ON_DEMAND"], ["gcp", "ON_DEMAND"]] },
      { gpu: "H100 80GB", counts: [4], where: [["lambda", "ON_DEMAND"]] },
    ],
    hours: [6, 18], count: 3, mfu: [0.28, 0.4], zeroStages: [null, 3], gradAccum: [4, 8], checkpointingRate: 1, extras: "finetune",
  },
  {
    team: "search", prefix: "embed-ft", model: "bge-large-en-v1.5", parameterCount: 335_141_888,
    method: "OTHER", precisions: ["FP16", "FP32"],
    placements: [
      { gpu: "A100 80GB", counts: [1, 2, 4], where: [["gcp", "ON_DEMAND"], ["gcp", "SPOT"]] },
      { gpu: "L4 24GB", counts: [4, 8], where: [["gcp", "ON_DEMAND"]] },
    ],
    hours: [3, 12], count: 4, mfu: [0.3, 0.42], zeroStages: [null], gradAccum: [1, 2], checkpointingRate: 0, extras: "finetune",
  },
  {
    team: "search", prefix: "query-qlora", model: "Qwen2.5-7B-Instruct", parameterCount: 7_615_616_512,
    method: "QLORA", precisions: ["BF16"],
    placements: [{ gpu: "L4 24GB", counts: [1, 2], where: [["gcp", "SPOT"], ["gcp", "ON_DEMAND"]] }],
    hours: [4, 16], count: 6, mfu: [0.25, 0.33], zeroStages: [null], gradAccum: [8, 16, 32], checkpointingRate: 1, extras: "finetune",
  },
  {
    team: "search", prefix: "rewrite-lora", model: "Llama-3.2-3B-Instruct", parameterCount: 3_212_749_824,
    method: "LORA", precisions: ["BF16", "FP16"],
    placements: [
      { gpu: "L4 24GB", counts: [1, 2, 4], where: [["gcp", "ON_DEMAND"]] },
      { gpu: "L40S 48GB", counts: [1, 2], where: [["aws", "ON_DEMAND"]] },
    ],
    hours: [1, 6], count: 5, mfu: [0.28, 0.4], zeroStages: [null], gradAccum: [2, 4], checkpointingRate: 0.3, extras: "finetune",
  },
  {
    team: "search", prefix: "reranker-sft", model: "ModernBERT-large", parameterCount: 395_831_296,
    method: "FULL_FINE_TUNE", precisions: ["FP32"],
    placements: [{ gpu: "A100 80GB", counts: [2], where: [["gcp", "ON_DEMAND"]] }],
    hours: [2, 6], count: 2, mfu: [0.25, 0.29], zeroStages: [null], gradAccum: [1], checkpointingRate: 0, extras: "finetune",
  },
  {
    team: "platform", prefix: "router-lora", model: "Llama-3.2-1B-Instruct", parameterCount: 1_235_814_400,
    method: "LORA", precisions: ["BF16"],
    placements: [{ gpu: "L4 24GB", counts: [1], where: [["aws", "ON_DEMAND"], ON_PREM] }],
    hours: [1, 4], count: 3, mfu: [0.28, 0.4], zeroStages: [null], gradAccum: [1, 2], checkpointingRate: 0, extras: "finetune",
  },
  {
    team: "platform", prefix: "phi3-qlora", model: "Phi-3-mini-4k-instruct", parameterCount: 3_821_079_552,
    method: "QLORA", precisions: ["BF16"],
    placements: [{ gpu: "L4 24GB", counts: [1, 2], where: [ON_PREM, ["aws", "SPOT"]] }],
    hours: [2, 8], count: 3, mfu: [0.25, 0.33], zeroStages: [null], gradAccum: [4, 8], checkpointingRate: 1, extras: "finetune",
  },
  {
    team: "platform", prefix: "draft-distill", model: "Llama-3.2-1B-draft", parameterCount: 1_235_814_400,
    method: "OTHER", precisions: ["BF16"],
    placements: [{ gpu: "H100 80GB", counts: [8], where: [["aws", "RESERVED"], ON_PREM] }],
    hours: [8, 20], count: 2, mfu: [0.3, 0.42], zeroStages: [null, 2], gradAccum: [1, 2], checkpointingRate: 0, extras: "finetune",
  },
  {
    team: "platform", prefix: "coder-sft", model: "Qwen2.5-Coder-7B", parameterCount: 7_615_616_512,
    method: "FULL_FINE_TUNE", precisions: ["BF16", "FP8"],
    placements: [{ gpu: "H200 141GB", counts: [8], where: [["coreweave", "ON_DEMAND"], CW_RESERVED] }],
    hours: [6, 16], count: 3, mfu: [0.35, 0.5], zeroStages: [2, 3], gradAccum: [4, 8], checkpointingRate: 0.7, extras: "finetune",
  },
];

const FAILURE_NOTES = [
  "NCCL timeout on one node; job exited",
  "CUDA OOM after raising sequence length to 8k",
  "loss diverged (NaN) after LR warmup; see wandb",
  "checkpoint upload to object storage failed repeatedly",
  "ECC errors on a GPU; node drained",
];
const SPOT_FAILURE_NOTE = "spot capacity reclaimed; not resumed";
const CANCEL_NOTES = [
  "superseded by a run with a fixed data mix",
  "cancelled: eval regression at the first checkpoint",
  "cancelled to free capacity for a higher-priority run",
];

/**
 * Tokens a run must process over `seconds` of wall time for the given MFU,
 * with MFU = FLOPs per token × tokens ÷ (GPU-seconds × peak FLOP/s) and the
 * method's FLOPs per token (6·N, or 4·N for LoRA/QLoRA), the convention
 * lib/domain/training-cost.ts uses: the run pages show the template's MFU.
 */
function tokensForMfu(mfu: number, gpu: GpuName, gpuCount: number, parameterCount: number, method: TrainingMethod, seconds: number): number {
  return (mfu * PEAK_TFLOPS[gpu] * 1e12 * gpuCount * seconds) / trainingFlopsPerToken({ activeParameters: parameterCount, method });
}

interface RunDraft {
  template: RunTemplate;
  precision: Precision;
  gpu: GpuName;
  gpuCount: number;
  where: Where;
  startedAtMs: number;
  plannedHours: number;
  mfu: number;
  forcedStatus?: RunStatus;
  override?: number;
  /** A recent run whose settings tell a story the suggestion panels pick up. */
  isStory?: boolean;
  /** Settings a story needs (the random draws are still made, so other runs stay as they were). */
  settings?: { flashAttention?: boolean; gradientCheckpointing?: boolean; zeroStage?: number | null; gradientAccumulationSteps?: number; notes?: string };
}

/**
 * Storage, data and network of a run, proportionate to its size, at object
 * storage and transfer list prices ($0.023/GB-month, $0.02–0.09/GB):
 * - storage: checkpoints kept for 1–3 months (pretrains keep optimizer
 *   states, 16 bytes/parameter; fine-tunes their weights, or the base plus
 *   adapters for LoRA/QLoRA), plus scratch disk per GPU-hour;
 * - data: the training set read across regions (terabytes of token shards
 *   for a pretrain, a few GB for a fine-tune, often local);
 * - network: inter-node traffic of multi-node runs, per GPU-hour.
 * A 1-GPU-hour LoRA carries cents to a few dollars; a 128-GPU pretrain hundreds.
 */
function extraCosts(rng: Random, template: RunTemplate, gpuHours: number, gpuCount: number) {
  const weightsGb = (template.parameterCount * 2) / 1e9;
  const months = rng.uniform(1, 3);
  const scratch = gpuHours * rng.uniform(0.004, 0.02);
  if (template.extras === "pretrain") {
    const checkpointsGb = ((template.parameterCount * 16) / 1e9) * rng.int(4, 10);
    return {
      storage: checkpointsGb * 0.023 * months + scratch,
      data: rng.uniform(1_500, 4_000) * 0.02,
      network: gpuHours * rng.uniform(0.01, 0.03),
    };
  }
  const isAdapter = template.method === "LORA" || template.method === "QLORA";
  const checkpointsGb = isAdapter ? weightsGb * (1 + 0.01 * rng.int(2, 6)) : weightsGb * rng.int(2, 5);
  return {
    storage: checkpointsGb * 0.023 * months + scratch,
    data: rng.chance(0.4) ? rng.uniform(0.5, 25) * 0.09 : 0,
    network: gpuCount > 8 ? gpuHours * rng.uniform(0.005, 0.02) : 0,
  };
}

function settingsOf(
  draft: RunDraft,
  drawn: { gradientCheckpointing: boolean; flashAttention: boolean; zeroStage: number | null; gradientAccumulationSteps: number },
) {
  const fixed = draft.settings ?? {};
  return {
    gradientCheckpointing: fixed.gradientCheckpointing ?? drawn.gradientCheckpointing,
    flashAttention: fixed.flashAttention ?? drawn.flashAttention,
    zeroStage: fixed.zeroStage !== undefined ? fixed.zeroStage : drawn.zeroStage,
    gradientAccumulationSteps: fixed.gradientAccumulationSteps ?? drawn.gradientAccumulationSteps,
  };
}

function buildTrainingRuns(rng: Random, prices: readonly GpuPriceRecord[], nowMs: number): TrainingRunRecord[] {
  const historyStartMs = nowMs - RUN_HISTORY_DAYS * DAY_MS;
  const drafts: RunDraft[] = [];

  for (const template of RUN_TEMPLATES) {
    for (let i = 0; i < template.count; i++) {
      const placement = rng.pick(template.placements);
      const plannedHours = rng.uniform(template.hours[0], template.hours[1]);
      // Stratified over the history, so each kind of run recurs instead of clustering.
      const latestStart = nowMs - plannedHours * HOUR_MS - 2 * HOUR_MS;
      const slot = (latestStart - historyStartMs) / template.count;
      drafts.push({
        template,
        precision: rng.pick(template.precisions),
        gpu: placement.gpu,
        gpuCount: rng.pick(placement.counts),
        where: rng.pick(placement.where),
        startedAtMs: floorTo(historyStartMs + slot * (i + rng.float()), MINUTE_MS),
        plannedHours,
        mfu: rng.uniform(template.mfu[0], template.mfu[1]),
      });
    }
  }

  const byPrefix = (prefix: string) => {
    const t = RUN_TEMPLATES.find((x) => x.prefix === prefix);
    if (!t) throw new Error(`no run template ${prefix}`);
    return t;
  };

  // A pretrain that crosses the 1st of a month (UTC), finished well before now.
  const boundaryMs = startOfUtcMonth(nowMs - 10 * DAY_MS);
  drafts.push({
    template: {
      ...byPrefix("burn-7b-pretrain"),
      prefix: "burn-13b-pretrain",
      model: "burn-13b",
      parameterCount: 13_015_864_320,
    },
    precision: "FP8",
    gpu: "H200 141GB",
    gpuCount: 256,
    where: CW_RESERVED,
    startedAtMs: boundaryMs - 3 * DAY_MS + 7 * HOUR_MS,
    plannedHours: rng.uniform(6.5 * 24, 8.5 * 24),
    mfu: rng.uniform(0.45, 0.52),
    forcedStatus: "SUCCEEDED",
    override: 3.15,
  });
  // Two runs still going: a multi-day pretrain and a short LoRA.
  drafts.push({
    template: byPrefix("burn-7b-pretrain"),
    precision: "BF16",
    gpu: "H100 80GB",
    gpuCount: 128,
    where: CW_RESERVED,
    startedAtMs: nowMs - 3 * DAY_MS - 4 * HOUR_MS - 20 * MINUTE_MS,
    plannedHours: 7 * 24,
    mfu: rng.uniform(0.42, 0.5),
    forcedStatus: "RUNNING",
  });
  drafts.push({
    template: byPrefix("support-lora"),
    precision: "BF16",
    gpu: "L40S 48GB",
    gpuCount: 2,
    where: ["aws", "ON_DEMAND"],
    startedAtMs: nowMs - 2 * HOUR_MS - 15 * MINUTE_MS,
    plannedHours: 5,
    mfu: rng.uniform(0.3, 0.4),
    forcedStatus: "RUNNING",
  });

  // Recent finished runs with settings worth a suggestion, inside any 30-day window ending now.
  drafts.push({
    isStory: true,
    // A reranker still trained in FP32 on Ampere (BF16 tensor cores idle).
    template: byPrefix("reranker-sft"),
    precision: "FP32",
    gpu: "A100 80GB",
    gpuCount: 2,
    where: ["gcp", "ON_DEMAND"],
    startedAtMs: floorTo(nowMs - 6 * DAY_MS - 5 * HOUR_MS, MINUTE_MS),
    plannedHours: 5.5,
    mfu: rng.uniform(0.26, 0.28),
    forcedStatus: "SUCCEEDED",
  });
  drafts.push({
    isStory: true,
    // A memory-bound full fine-tune: ZeRO-2 on 8 GPUs, micro-batch 1 × 16 accumulation steps, no checkpointing.
    template: byPrefix("ticket-classifier-sft"),
    precision: "BF16",
    gpu: "A100 80GB",
    gpuCount: 8,
    where: ["gcp", "ON_DEMAND"],
    startedAtMs: floorTo(nowMs - 12 * DAY_MS - 3 * HOUR_MS, MINUTE_MS),
    plannedHours: 16,
    mfu: rng.uniform(0.25, 0.27),
    forcedStatus: "SUCCEEDED",
    settings: { gradientCheckpointing: false, flashAttention: true, zeroStage: 2, gradientAccumulationSteps: 16, notes: "micro-batch 1 (OOM at 2 with 4k sequences)" },
  });
  drafts.push({
    isStory: true,
    // A full fine-tune on a new image where attention fell back to the eager kernel.
    template: byPrefix("coder-sft"),
    precision: "BF16",
    gpu: "H200 141GB",
    gpuCount: 8,
    where: ["coreweave", "ON_DEMAND"],
    startedAtMs: floorTo(nowMs - 9 * DAY_MS - 7 * HOUR_MS, MINUTE_MS),
    plannedHours: 11,
    mfu: rng.uniform(0.36, 0.4),
    forcedStatus: "SUCCEEDED",
    settings: { flashAttention: false, gradientCheckpointing: true, notes: "flash-attn wheel missing from the CUDA 12.6 image; ran on eager attention" },
  });

  drafts.sort((a, b) => a.startedAtMs - b.startedAtMs);

  // A fixed share of failures and cancellations, spread at random.
  const open = drafts.filter((d) => !d.forcedStatus);
  const failures = Math.round(open.length * 0.09);
  const cancels = Math.round(open.length * 0.06);
  const order = open.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  order.forEach((draftIndex, k) => {
    const draft = open[draftIndex]!;
    draft.forcedStatus = k < failures ? "FAILED" : k < failures + cancels ? "CANCELLED" : "SUCCEEDED";
  });

  // Numbered by start within each prefix; story runs after the others, so their names do not depend on `now`.
  const seq = new Map<string, number>();
  const numbers = new Map<RunDraft, number>();
  for (const draft of [...drafts.filter((d) => !d.isStory), ...drafts.filter((d) => d.isStory)]) {
    const n = (seq.get(draft.template.prefix) ?? 0) + 1;
    seq.set(draft.template.prefix, n);
    numbers.set(draft, n);
  }
  return drafts.map((draft): TrainingRunRecord => {
    const { template } = draft;
    const status = draft.forcedStatus ?? "SUCCEEDED";
    const n = numbers.get(draft)!;

    const wallHours =
      status === "RUNNING" ? (nowMs - draft.startedAtMs) / HOUR_MS :
      status === "FAILED" ? draft.plannedHours * rng.uniform(0.1, 0.7) :
      status === "CANCELLED" ? draft.plannedHours * rng.uniform(0.05, 0.6) :
      draft.plannedHours;
    const endedAtMs = status === "RUNNING" ? null : draft.startedAtMs + Math.round(wallHours * 3600) * 1000;
    const wallSeconds = Math.max(1, ((endedAtMs ?? nowMs) - draft.startedAtMs) / 1000);
    const tokens = Math.round(tokensForMfu(draft.mfu, draft.gpu, draft.gpuCount, template.parameterCount, template.method, wallSeconds));
    // Evals and checkpoint saves pause training, so the reported training
    // throughput is a little above tokens / wall time.
    const throughput = tokens / (wallSeconds * rng.uniform(0.96, 0.99));
    const utilization = Math.min(99, 62 + draft.mfu * 70 + rng.normal(0, 2)) - (status === "FAILED" ? rng.uniform(5, 15) : 0);
    const gpuHours = wallHours * draft.gpuCount;
    const extras = extraCosts(rng, template, gpuHours, draft.gpuCount);

    let override = draft.override ?? null;
    const isOnPrem = draft.where[1] === "ON_PREM";
    const isNegotiable = isOnPrem || (draft.where[0] === "coreweave" && draft.where[1] === "RESERVED");
    if (override === null && isNegotiable && rng.chance(0.3)) {
      const list = listPriceAt(prices, { gpuTypeName: draft.gpu, provider: draft.where[0], pricingModel: draft.where[1] }, draft.startedAtMs);
      if (list) override = Number(list.pricePerGpuHour) * rng.uniform(0.75, 0.9);
    }

    const isSpot = draft.where[1] === "SPOT";
    const notes =
      status === "FAILED" ? (isSpot ? SPOT_FAILURE_NOTE : rng.pick(FAILURE_NOTES)) :
      status === "CANCELLED" ? rng.pick(CANCEL_NOTES) :
      override !== null ? (isOnPrem ? "internal chargeback rate" : "negotiated committed-use rate") :
      null;

    return {
      teamSlug: template.team,
      name: `${template.prefix}-${String(n).padStart(2, "0")}`,
      model: template.model,
      parameterCount: template.parameterCount,
      method: template.method,
      precision: draft.precision,
      ...settingsOf(draft, {
        gradientCheckpointing: rng.chance(template.checkpointingRate),
        flashAttention: draft.precision !== "FP32" && rng.chance(0.9),
        zeroStage: rng.pick(template.zeroStages),
        gradientAccumulationSteps: rng.pick(template.gradAccum),
      }),
      gpuTypeName: draft.gpu,
      provider: draft.where[0],
      pricingModel: draft.where[1],
      gpuCount: draft.gpuCount,
      startedAt: new Date(draft.startedAtMs),
      endedAt: endedAtMs === null ? null : new Date(endedAtMs),
      status,
      tokensProcessed: tokens,
      throughputTokensPerSec: throughput.toFixed(3),
      avgGpuUtilizationPct: utilization.toFixed(2),
      pricePerGpuHourOverride: override === null ? null : pricePerHour(override),
      storageCostUsd: money(extras.storage),
      dataCostUsd: money(extras.data),
      networkCostUsd: money(extras.network),
      notes: draft.settings?.notes ?? notes,
      createdAt: new Date(draft.startedAtMs - 10 * MINUTE_MS),
      updatedAt: new Date(endedAtMs ?? nowMs),
    };
  });
}

// ---------------------------------------------------------------------------
// Inference deployments and their traffic

type TrafficProfile = "business" | "consumer" | "batch" | "flat" | "idle";

interface DeploymentSpec extends Omit<DeploymentRecord, "activeFrom" | "activeTo" | "createdAt" | "updatedAt"> {
  activeFromDaysAgo: number;
  activeToDaysAgo?: number;
  traffic: {
    profile: TrafficProfile;
    /** Requests/s at a weekday peak, before growth and bursts. */
    peakRps: number;
    weekendFactor: number;
    /** Traffic growth over the 90 days, as a log ratio. */
    growth: number;
    burstsPerDay: number;
    errorRate: number;
    inputTokens: number;
    outputTokens: number;
    cacheHitRate: number;
  };
  latency: {
    /** Median end-to-end latency at light load, ms. */
    medianMs: number;
    sigma: number;
    tailProbability: number;
    tailAlpha: number;
    timeoutMs: number;
    /** Load (rate / capacity) at a normal weekday peak. */
    peakLoad: number;
    /** Queueing slowdown: median x (1 + k·load²), steeper past 0.8. */
    slowdownK: number;
  };
}

const DEPLOYMENTS: readonly DeploymentSpec[] = [
  {
    teamSlug: "applied", name: "support-chat", model: "Llama-3.1-70B-Instruct", parameterCount: 70_553_706_496,
    servingEngine: "VLLM", quantization: "FP8", batching: "CONTINUOUS", maxBatchSize: 256,
    gpuTypeName: "H100 80GB", provider: "aws", pricingModel: "ON_DEMAND", gpuCount: 4, pricePerGpuHourOverride: null,
    p99SloMs: 20_000, activeFromDaysAgo: 44,
    traffic: { profile: "business", peakRps: 5, weekendFactor: 0.35, growth: 0.1, burstsPerDay: 0.5, errorRate: 0.004, inputTokens: 1800, outputTokens: 260, cacheHitRate: 0.5 },
    latency: { medianMs: 3800, sigma: 0.55, tailProbability: 0.004, tailAlpha: 1.6, timeoutMs: 60_000, peakLoad: 0.55, slowdownK: 0.5 },
  },
  {
    teamSlug: "applied", name: "support-chat-v1", model: "Llama-2-70b-chat", parameterCount: 68_976_648_192,
    servingEngine: "TGI", quantization: "FP16_BF16", batching: "CONTINUOUS", maxBatchSize: 128,
    gpuTypeName: "A100 80GB", provider: "aws", pricingModel: "ON_DEMAND", gpuCount: 8, pricePerGpuHourOverride: null,
    p99SloMs: 20_000, activeFromDaysAgo: 190, activeToDaysAgo: 41,
    traffic: { profile: "business", peakRps: 4.5, weekendFactor: 0.35, growth: 0.1, burstsPerDay: 0.5, errorRate: 0.009, inputTokens: 1700, outputTokens: 300, cacheHitRate: 0.25 },
    latency: { medianMs: 5200, sigma: 0.6, tailProbability: 0.006, tailAlpha: 1.5, timeoutMs: 60_000, peakLoad: 0.75, slowdownK: 0.6 },
  },
  {
    teamSlug: "applied", name: "doc-summarizer", model: "Llama-3.1-8B-Instruct", parameterCount: 8_030_261_248,
    servingEngine: "VLLM", quantization: "FP16_BF16", batching: "CONTINUOUS", maxBatchSize: 128,
    gpuTypeName: "L40S 48GB", provider: "aws", pricingModel: "ON_DEMAND", gpuCount: 2, pricePerGpuHourOverride: null,
    p99SloMs: 9000, activeFromDaysAgo: 150,
    traffic: { profile: "business", peakRps: 3, weekendFactor: 0.3, growth: 0.3, burstsPerDay: 0.8, errorRate: 0.002, inputTokens: 3500, outputTokens: 350, cacheHitRate: 0.2 },
    latency: { medianMs: 2600, sigma: 0.42, tailProbability: 0.003, tailAlpha: 1.8, timeoutMs: 60_000, peakLoad: 0.6, slowdownK: 0.4 },
  },
  {
    teamSlug: "applied", name: "demo-sandbox", model: "Mistral-7B-Instruct-v0.3", parameterCount: 7_248_023_552,
    servingEngine: "TGI", quantization: "FP16_BF16", batching: "DYNAMIC", maxBatchSize: 32,
    gpuTypeName: "L40S 48GB", provider: "aws", pricingModel: "SPOT", gpuCount: 1, pricePerGpuHourOverride: null,
    p99SloMs: 5000, activeFromDaysAgo: 75,
    traffic: { profile: "idle", peakRps: 0, weekendFactor: 1, growth: 0, burstsPerDay: 0, errorRate: 0, inputTokens: 0, outputTokens: 0, cacheHitRate: 0 },
    latency: { medianMs: 1, sigma: 0, tailProbability: 0, tailAlpha: 2, timeoutMs: 1, peakLoad: 1, slowdownK: 0 },
  },
  {
    teamSlug: "applied", name: "ticket-triage", model: "gemma-2-9b-it", parameterCount: 9_241_705_984,
    servingEngine: "TGI", quantization: "INT8", batching: "STATIC", maxBatchSize: 32,
    gpuTypeName: "A100 80GB", provider: "gcp", pricingModel: "ON_DEMAND", gpuCount: 2, pricePerGpuHourOverride: null,
    p99SloMs: 15_000, activeFromDaysAgo: 25,
    traffic: { profile: "business", peakRps: 4, weekendFactor: 0.25, growth: 0.2, burstsPerDay: 0.3, errorRate: 0.003, inputTokens: 900, outputTokens: 120, cacheHitRate: 0.1 },
    latency: { medianMs: 2400, sigma: 0.4, tailProbability: 0.003, tailAlpha: 1.8, timeoutMs: 60_000, peakLoad: 0.5, slowdownK: 0.5 },
  },
  {
    teamSlug: "search", name: "query-rewrite", model: "Qwen2.5-7B-Instruct", parameterCount: 7_615_616_512,
    servingEngine: "TENSORRT_LLM", quantization: "FP8", batching: "CONTINUOUS", maxBatchSize: 64,
    gpuTypeName: "L4 24GB", provider: "gcp", pricingModel: "ON_DEMAND", gpuCount: 4, pricePerGpuHourOverride: null,
    p99SloMs: 700, activeFromDaysAgo: 170,
    traffic: { profile: "consumer", peakRps: 40, weekendFactor: 1.1, growth: 0.35, burstsPerDay: 1.2, errorRate: 0.0015, inputTokens: 180, outputTokens: 40, cacheHitRate: 0.6 },
    latency: { medianMs: 380, sigma: 0.22, tailProbability: 0.003, tailAlpha: 1.8, timeoutMs: 10_000, peakLoad: 0.85, slowdownK: 0.35 },
  },
  {
    teamSlug: "search", name: "rag-answer", model: "Mixtral-8x7B-Instruct-v0.1", parameterCount: 46_702_792_704,
    servingEngine: "TGI", quantization: "INT8", batching: "CONTINUOUS", maxBatchSize: 128,
    gpuTypeName: "A100 80GB", provider: "lambda", pricingModel: "ON_DEMAND", gpuCount: 2, pricePerGpuHourOverride: null,
    p99SloMs: 15_000, activeFromDaysAgo: 120,
    traffic: { profile: "consumer", peakRps: 6, weekendFactor: 1.05, growth: 0.25, burstsPerDay: 0.8, errorRate: 0.005, inputTokens: 4200, outputTokens: 300, cacheHitRate: 0.3 },
    latency: { medianMs: 4200, sigma: 0.45, tailProbability: 0.004, tailAlpha: 1.7, timeoutMs: 60_000, peakLoad: 0.6, slowdownK: 0.5 },
  },
  {
    teamSlug: "search", name: "intent-router", model: "Qwen2.5-1.5B-Instruct", parameterCount: 1_543_714_304,
    servingEngine: "VLLM", quantization: "NONE", batching: "DYNAMIC", maxBatchSize: 64,
    gpuTypeName: "L4 24GB", provider: "gcp", pricingModel: "SPOT", gpuCount: 1, pricePerGpuHourOverride: null,
    p99SloMs: 400, activeFromDaysAgo: 140,
    traffic: { profile: "consumer", peakRps: 60, weekendFactor: 1.1, growth: 0.3, burstsPerDay: 1.5, errorRate: 0.001, inputTokens: 120, outputTokens: 4, cacheHitRate: 0.4 },
    latency: { medianMs: 85, sigma: 0.3, tailProbability: 0.002, tailAlpha: 2, timeoutMs: 5_000, peakLoad: 0.5, slowdownK: 0.4 },
  },
  {
    teamSlug: "platform", name: "code-assist", model: "Qwen2.5-Coder-32B-Instruct", parameterCount: 32_763_876_352,
    servingEngine: "SGLANG", quantization: "FP8", batching: "CONTINUOUS", maxBatchSize: 128,
    gpuTypeName: "H200 141GB", provider: "coreweave", pricingModel: "RESERVED", gpuCount: 2, pricePerGpuHourOverride: null,
    p99SloMs: 3000, activeFromDaysAgo: 175,
    traffic: { profile: "business", peakRps: 25, weekendFactor: 0.2, growth: 0.2, burstsPerDay: 0.6, errorRate: 0.002, inputTokens: 2600, outputTokens: 60, cacheHitRate: 0.75 },
    latency: { medianMs: 650, sigma: 0.42, tailProbability: 0.003, tailAlpha: 1.8, timeoutMs: 30_000, peakLoad: 0.65, slowdownK: 0.4 },
  },
  {
    teamSlug: "platform", name: "llm-gateway-405b", model: "Llama-3.1-405B-Instruct", parameterCount: 405_853_388_800,
    servingEngine: "VLLM", quantization: "FP8", batching: "CONTINUOUS", maxBatchSize: 256,
    gpuTypeName: "H200 141GB", provider: "coreweave", pricingModel: "RESERVED", gpuCount: 8, pricePerGpuHourOverride: "3.250000",
    p99SloMs: 45_000, activeFromDaysAgo: 60,
    traffic: { profile: "flat", peakRps: 2, weekendFactor: 0.7, growth: 0.4, burstsPerDay: 0.4, errorRate: 0.003, inputTokens: 2200, outputTokens: 400, cacheHitRate: 0.35 },
    latency: { medianMs: 9000, sigma: 0.5, tailProbability: 0.003, tailAlpha: 1.7, timeoutMs: 120_000, peakLoad: 0.5, slowdownK: 0.5 },
  },
  {
    teamSlug: "research", name: "eval-judge", model: "Llama-3.3-70B-Instruct", parameterCount: 70_553_706_496,
    servingEngine: "VLLM", quantization: "INT4", batching: "CONTINUOUS", maxBatchSize: 256,
    gpuTypeName: "A100 80GB", provider: "on-prem", pricingModel: "ON_PREM", gpuCount: 2, pricePerGpuHourOverride: null,
    p99SloMs: null, activeFromDaysAgo: 180,
    traffic: { profile: "batch", peakRps: 12, weekendFactor: 0.6, growth: 0.2, burstsPerDay: 1.5, errorRate: 0.006, inputTokens: 2400, outputTokens: 180, cacheHitRate: 0.55 },
    latency: { medianMs: 5200, sigma: 0.5, tailProbability: 0.004, tailAlpha: 1.6, timeoutMs: 120_000, peakLoad: 0.8, slowdownK: 0.6 },
  },
  {
    teamSlug: "research", name: "edge-assistant", model: "Llama-3.2-3B-Instruct-Q4_K_M", parameterCount: 3_212_749_824,
    servingEngine: "LLAMA_CPP", quantization: "INT4", batching: "NONE", maxBatchSize: 1,
    gpuTypeName: "L4 24GB", provider: "on-prem", pricingModel: "ON_PREM", gpuCount: 1, pricePerGpuHourOverride: null,
    p99SloMs: 2500, activeFromDaysAgo: 100,
    traffic: { profile: "business", peakRps: 0.8, weekendFactor: 0.3, growth: 0.15, burstsPerDay: 0.5, errorRate: 0.012, inputTokens: 400, outputTokens: 120, cacheHitRate: 0.1 },
    latency: { medianMs: 900, sigma: 0.3, tailProbability: 0.006, tailAlpha: 1.5, timeoutMs: 30_000, peakLoad: 0.75, slowdownK: 1.2 },
  },
];

/** A short incident: most requests fail for half an hour. */
const INCIDENTS: readonly { deployment: string; daysAgo: number; utcHour: number; windows: number; errorRate: number }[] = [
  { deployment: "query-rewrite", daysAgo: 17, utcHour: 14, windows: 6, errorRate: 0.35 },
  { deployment: "rag-answer", daysAgo: 52, utcHour: 9, windows: 4, errorRate: 0.6 },
];

/** The usage exporter was down: no usage records for these hours, though the deployment kept serving. */
const RECORD_OUTAGES: readonly { deployment: string; daysAgo: number; utcHour: number; hours: number }[] = [
  { deployment: "rag-answer", daysAgo: 9, utcHour: 6, hours: 40 },
];

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Relative traffic (0..1) at local hour h (fractional). */
function diurnal(profile: TrafficProfile, h: number): number {
  switch (profile) {
    case "business": {
      const day = logistic((h - 8.5) / 0.7) * logistic((18 - h) / 1.0);
      const lunch = 1 - 0.12 * Math.exp(-(((h - 12.75) / 0.6) ** 2));
      return 0.07 + 0.93 * day * lunch;
    }
    case "consumer": {
      const fromEvening = Math.min(Math.abs(h - 21), 24 - Math.abs(h - 21));
      const evening = Math.exp(-((fromEvening / 3.2) ** 2));
      const midday = 0.45 * Math.exp(-(((h - 13) / 2.5) ** 2));
      return 0.12 + 0.88 * Math.min(1, evening + midday);
    }
    case "batch":
      return 0.02 + 0.98 * logistic((h - 1) / 0.25) * logistic((6 - h) / 0.25);
    case "flat":
      return 0.55 + 0.45 * diurnal("business", h);
    case "idle":
      return 0;
  }
}

function slowdown(load: number, k: number): number {
  const over = Math.max(0, load - 0.8);
  return 1 + k * load * load + 8 * over * over;
}

/** UTC offset (minutes) per UTC hour, cached: tzOffset goes through Intl. */
function offsetLookup(timeZone: string): (ms: number) => number {
  const cache = new Map<number, number>();
  return (ms) => {
    const hour = Math.floor(ms / HOUR_MS);
    let offset = cache.get(hour);
    if (offset === undefined) {
      offset = tzOffset(timeZone, new Date(hour * HOUR_MS));
      cache.set(hour, offset);
    }
    return offset;
  };
}

/** Yields the deployment's windows in time order, `batchSize` at a time. */
function* buildWindows(
  rng: Random,
  spec: DeploymentSpec,
  timeZone: string,
  range: { fromMs: number; toMs: number; activeFromMs: number; activeToMs: number | null; nowMs: number; usageDays: number },
  batchSize: number,
): Generator<UsageWindowRecord[]> {
  let out: UsageWindowRecord[] = [];
  const { traffic, latency } = spec;
  const localOffset = offsetLookup(timeZone);
  const capacityRps = traffic.peakRps / latency.peakLoad;
  // A fixed sampling rate: the busiest windows (peak x burst) get ~MAX samples.
  const sampleRate = traffic.peakRps > 0 ? Math.min(1, MAX_LATENCY_SAMPLES / (traffic.peakRps * WINDOW_SECONDS * 2)) : 0;
  const samples = new Float64Array(MAX_LATENCY_SAMPLES);
  const rampMs = 2 * DAY_MS;
  const incidents = INCIDENTS.filter((i) => i.deployment === spec.name).map((i) => {
    const startMs = floorTo(range.nowMs - i.daysAgo * DAY_MS, DAY_MS) + i.utcHour * HOUR_MS;
    return { startMs, endMs: startMs + i.windows * WINDOW_MS, errorRate: i.errorRate };
  });

  const outages = RECORD_OUTAGES.filter((o) => o.deployment === spec.name).map((o) => {
    const startMs = floorTo(range.nowMs - o.daysAgo * DAY_MS, DAY_MS) + o.utcHour * HOUR_MS;
    return { startMs, endMs: startMs + o.hours * HOUR_MS };
  });

  let drift = 0;
  let burstLeft = 0;
  let burstFactor = 1;
  for (let ws = range.fromMs; ws + WINDOW_MS <= range.toMs; ws += WINDOW_MS) {
    if (out.length >= batchSize) {
      yield out;
      out = [];
    }
    const windowStart = new Date(ws);
    if (traffic.profile === "idle") {
      out.push({
        deploymentName: spec.name, windowStart, windowSeconds: WINDOW_SECONDS,
        requests: 0, errors: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0,
        latencyKeys: [], latencyCounts: [], avgGpuUtilizationPct: "0.00",
      });
      continue;
    }
    const localMs = ws + localOffset(ws) * MINUTE_MS;
    const localHour = (((localMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
    const dayOfWeek = (((Math.floor(localMs / DAY_MS) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    const isWeekend = dayOfWeek === 0 || dayOfWeek === 6;

    drift = 0.98 * drift + rng.normal(0, 0.03);
    if (burstLeft > 0) {
      burstLeft--;
    } else if (rng.chance(traffic.burstsPerDay / 288)) {
      burstLeft = rng.int(3, 18);
      burstFactor = rng.uniform(1.3, 2.2);
    }
    const isBurst = burstLeft > 0;
    const growth = Math.exp((traffic.growth * (ws - range.nowMs)) / (range.usageDays * DAY_MS));
    const rampIn = Math.min(1, (ws - range.activeFromMs) / rampMs);
    const rampOut = range.activeToMs === null ? 1 : Math.min(1, (range.activeToMs - ws) / rampMs);
    const rate =
      traffic.peakRps *
      diurnal(traffic.profile, localHour) *
      (isWeekend ? traffic.weekendFactor : 1) *
      growth *
      Math.exp(drift) *
      (isBurst ? burstFactor : 1) *
      Math.max(0.02, Math.min(rampIn, rampOut));
    const demand = rate / capacityRps;
    // Past capacity the server sheds the excess (429/503) instead of queueing forever.
    const load = Math.min(demand, 1);
    const shedRate = demand > 1 ? 1 - 1 / demand : 0;

    const requests = rng.poisson(rate * WINDOW_SECONDS);
    const incident = incidents.length > 0 ? incidents.find((i) => ws >= i.startMs && ws < i.endMs) : undefined;
    const errorRate = incident
      ? incident.errorRate
      : Math.min(0.9, traffic.errorRate * (isBurst ? 2 : 1) * (1 + 4 * Math.max(0, load - 0.85)) + shedRate);
    const errors = Math.min(requests, rng.poisson(requests * errorRate));
    const ok = requests - errors;

    // Sums over `ok` requests: relative spread shrinks with 1/sqrt(n).
    const spread = ok > 0 ? 1 / Math.sqrt(ok) : 0;
    const inputTokens = Math.round(ok * traffic.inputTokens * Math.max(0.2, 1 + 0.7 * spread * rng.normal()));
    const cacheShare = Math.max(0, Math.min(0.95, traffic.cacheHitRate * (0.8 + 0.3 * load) + rng.normal(0, 0.02)));
    const cachedInputTokens = Math.round(inputTokens * cacheShare);
    const outputTokens = Math.round(ok * traffic.outputTokens * Math.max(0.2, 1 + 0.9 * spread * rng.normal()));

    // Latencies of a fixed-rate sample of the successful requests.
    const sampleCount = Math.min(MAX_LATENCY_SAMPLES, ok, Math.max(MIN_LATENCY_SAMPLES, rng.stochasticRound(ok * sampleRate)));
    const median = latency.medianMs * slowdown(load, latency.slowdownK) * (isBurst ? 1.1 : 1);
    const tailProbability = latency.tailProbability * (1 + 4 * Math.max(0, load - 0.7));
    for (let i = 0; i < sampleCount; i++) {
      let ms = rng.lognormalMedian(median, latency.sigma);
      if (rng.chance(tailProbability)) ms *= 1 + rng.pareto(latency.tailAlpha);
      samples[i] = Math.min(ms, latency.timeoutMs);
    }
    const sample = sketchFromSamples(samples.subarray(0, sampleCount));
    const scaled = ok > 0 ? apportion({ total: BigInt(ok), weights: sample.counts.map((c) => BigInt(c)) }) : [];
    const sketch = { keys: sample.keys, counts: scaled.map((c) => Number(c)) };

    const utilization = Math.max(0, Math.min(100, 2 + 94 * Math.pow(Math.min(1, load), 0.8) + rng.normal(0, 1.2)));

    // Simulated all the same, so the traffic after an outage is what it would have been.
    if (outages.some((o) => ws >= o.startMs && ws < o.endMs)) continue;
    out.push({
      deploymentName: spec.name,
      windowStart,
      windowSeconds: WINDOW_SECONDS,
      requests,
      errors,
      inputTokens,
      cachedInputTokens,
      outputTokens,
      latencyKeys: sketch.keys,
      latencyCounts: sketch.counts,
      avgGpuUtilizationPct: utilization.toFixed(2),
    });
  }
  if (out.length > 0) yield out;
}

// ---------------------------------------------------------------------------

/**
 * Everything but the usage windows, which come lazily in batches so that a
 * writer can insert one batch while the next is being simulated. The batches,
 * concatenated, are exactly generateDemoData's usageWindows.
 */
export interface DemoDataPlan extends Omit<DemoData, "usageWindows"> {
  usageWindowBatches(batchSize?: number): Generator<UsageWindowRecord[]>;
}

export function planDemoData({ now, seed = DEFAULT_DEMO_SEED, usageDays = DEFAULT_USAGE_DAYS }: GenerateDemoDataOptions): DemoDataPlan {
  if (!Number.isFinite(now.getTime())) throw new Error("generateDemoData: invalid `now`");
  if (!(usageDays > 0)) throw new Error("generateDemoData: usageDays must be positive");
  const nowMs = floorTo(now.getTime(), WINDOW_MS);
  const root = new Random(seed);
  const catalogStartMs = startOfUtcMonth(nowMs, 12);
  const orgCreatedAt = new Date(catalogStartMs);

  const org: OrgRecord = { slug: "demo", name: "Demo Org", timeZone: "America/Los_Angeles", currency: "USD", createdAt: orgCreatedAt };
  const users: UserRecord[] = [
    // One per role, for the demo sign-in page; the team roles are all on Research except the other-team viewer.
    { email: "owner@burnrate.dev", name: "Olive Owner", role: "OWNER", teams: [], createdAt: orgCreatedAt },
    { email: "admin@burnrate.dev", name: "Ada Admin", role: "ADMIN", teams: [], createdAt: orgCreatedAt },
    { email: "team-admin@burnrate.dev", name: "Tara Teamadmin", role: "MEMBER", teams: [{ slug: "research", role: "ADMIN" }], createdAt: orgCreatedAt },
    { email: "editor@burnrate.dev", name: "Ed Editor", role: "MEMBER", teams: [{ slug: "research", role: "EDITOR" }], createdAt: orgCreatedAt },
    { email: "viewer@burnrate.dev", name: "Vic Viewer", role: "MEMBER", teams: [{ slug: "research", role: "VIEWER" }], createdAt: orgCreatedAt },
    { email: "applied-viewer@burnrate.dev", name: "Abe Applied", role: "MEMBER", teams: [{ slug: "applied", role: "VIEWER" }], createdAt: orgCreatedAt },
  ];
  const teams: TeamRecord[] = TEAMS.map((t) => ({ ...t, createdAt: orgCreatedAt }));
  const gpuTypes: GpuTypeRecord[] = GPU_TYPES.map((g) => ({ ...g, createdAt: orgCreatedAt }));
  const gpuPrices = buildPrices(root.fork("prices"), nowMs, catalogStartMs);
  const trainingRuns = buildTrainingRuns(root.fork("runs"), gpuPrices, nowMs);

  const usageFromMs = nowMs - usageDays * DAY_MS;
  const deployments: DeploymentRecord[] = [];
  const windowPlans: { spec: DeploymentSpec; timeZone: string; fromMs: number; toMs: number; activeFromMs: number; activeToMs: number | null }[] = [];
  for (const spec of DEPLOYMENTS) {
    // Deploys go out mid-afternoon UTC; retirements a little later in the day.
    const activeFromMs = floorTo(nowMs - spec.activeFromDaysAgo * DAY_MS, DAY_MS) + 15 * HOUR_MS + 35 * MINUTE_MS;
    const activeToMs =
      spec.activeToDaysAgo === undefined ? null : floorTo(nowMs - spec.activeToDaysAgo * DAY_MS, DAY_MS) + 17 * HOUR_MS + 10 * MINUTE_MS;
    deployments.push({
      teamSlug: spec.teamSlug,
      name: spec.name,
      model: spec.model,
      parameterCount: spec.parameterCount,
      servingEngine: spec.servingEngine,
      quantization: spec.quantization,
      batching: spec.batching,
      maxBatchSize: spec.maxBatchSize,
      gpuTypeName: spec.gpuTypeName,
      provider: spec.provider,
      pricingModel: spec.pricingModel,
      gpuCount: spec.gpuCount,
      pricePerGpuHourOverride: spec.pricePerGpuHourOverride,
      p99SloMs: spec.p99SloMs,
      activeFrom: new Date(activeFromMs),
      activeTo: activeToMs === null ? null : new Date(activeToMs),
      createdAt: new Date(activeFromMs - DAY_MS),
      updatedAt: new Date(activeToMs ?? activeFromMs),
    });
    const team = teams.find((t) => t.slug === spec.teamSlug);
    if (!team) throw new Error(`deployment ${spec.name}: unknown team ${spec.teamSlug}`);
    windowPlans.push({
      spec,
      timeZone: team.timeZone,
      // Only whole windows inside [activeFrom, min(activeTo, now)).
      fromMs: Math.max(ceilTo(activeFromMs, WINDOW_MS), usageFromMs),
      toMs: activeToMs === null ? nowMs : Math.min(floorTo(activeToMs, WINDOW_MS), nowMs),
      activeFromMs,
      activeToMs,
    });
  }

  function* usageWindowBatches(batchSize = 5_000): Generator<UsageWindowRecord[]> {
    for (const plan of windowPlans) {
      // Each deployment has its own stream: its traffic does not depend on the others'.
      yield* buildWindows(root.fork(`windows:${plan.spec.name}`), plan.spec, plan.timeZone, { ...plan, nowMs, usageDays }, batchSize);
    }
  }

  return { now: new Date(nowMs), seed, org, users, teams, gpuTypes, gpuPrices, trainingRuns, deployments, usageWindowBatches };
}

export function generateDemoData(options: GenerateDemoDataOptions): DemoData {
  const { usageWindowBatches, ...rest } = planDemoData(options);
  const usageWindows: UsageWindowRecord[] = [];
  for (const batch of usageWindowBatches(50_000)) {
    for (const window of batch) usageWindows.push(window);
  }
  return { ...rest, usageWindows };
}
