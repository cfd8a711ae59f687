/**
 * One line of a monthly cost report: one item (a training run or an inference
 * deployment) in one period (a month, or a day with daily granularity) of the
 * report's zone. Pure data; the same shape comes from the live ledger and from
 * a closed month's snapshot, and every export (CSV, FOCUS, JSON) and the report
 * page are built from it, so they agree to the cent.
 *
 * Money follows lib/domain/money.ts: micro-dollars are exact, cents are the
 * line item's displayed cents (the cents rule), and totals are sums of cents.
 */
export type PricingModelCode = "ON_DEMAND" | "SPOT" | "RESERVED" | "ON_PREM";

export interface PriceUsed {
  /** Price per GPU-hour in micro-dollars. */
  pricePerGpuHourMicros: bigint;
  /** "override": the record's own price; "catalog": the org's price list. */
  source: "override" | "catalog";
  /** The part of the line's charge period this price applied to. */
  from: Date;
  to: Date;
}

export interface ReportLine {
  /** "charge": this period's usage; "correction": a change to a closed month, billed in this one. */
  lineType: "charge" | "correction";
  kind: "training" | "inference";
  itemId: number;
  itemName: string;
  teamId: number;
  teamSlug: string;
  teamName: string;
  model: string;
  gpuTypeId: number;
  gpuTypeName: string;
  provider: string;
  pricingModel: PricingModelCode;
  gpuCount: number;
  /** The report period this line belongs to (a month or a day in the report's zone), [start, end). */
  periodStart: Date;
  periodEnd: Date;
  /** The item's activity inside the period, [start, end). For a correction: the corrected item's activity in the corrected period. */
  chargeStart: Date;
  chargeEnd: Date;
  /** GPU time (compute) cost. */
  computeMicros: bigint;
  computeCents: bigint;
  /** Storage + data + network, spread over the run's time (one component in the engine). */
  extraMicros: bigint;
  extraCents: bigint;
  /** GPU-milliseconds (GPUs × ms) in the charge period, and the part no price covered. */
  gpuMs: bigint;
  unpricedGpuMs: bigint;
  /** Time the item was active in the period (ms, not × GPUs). */
  activeMs: bigint;
  /** Inference: active time covered by usage records (ms); null for training. $/1M tokens uses the cost of this time only. */
  recordedMs: bigint | null;
  /** Inference traffic from usage records; null for training and for deployments without records in the period. */
  requests: bigint | null;
  inputTokens: bigint | null;
  cachedInputTokens: bigint | null;
  outputTokens: bigint | null;
  /** Training: tokens processed, prorated to the period by time; null when the run has no token count. */
  trainingTokens: bigint | null;
  /** p99 latency over the period's merged sketch (ms), null without latency data. */
  p99LatencyMs: number | null;
  /** The price periods used, in time order. Empty when nothing priced the GPU time. */
  prices: PriceUsed[];
  /** Set on correction lines. */
  correction?: CorrectionInfo;
}

export interface CorrectionInfo {
  /** The closed month corrected, "YYYY-MM". */
  correctsMonth: string;
  /** What changed since that month was closed, e.g. "Run llama-sft edited by Ada at 2026-11-03 10:00 UTC (audit #1234)". */
  cause: string;
  /** Audit entries behind the change (bigint ids as strings), newest first. */
  auditEntryIds: string[];
}

/** The report a set of lines belongs to. */
export interface ReportContext {
  orgSlug: string;
  orgName: string;
  /** Set for a team's report. */
  team?: { slug: string; name: string };
  /** "YYYY-MM" in the report's zone. */
  month: string;
  timeZone: string;
  /** The month's bounds as instants, [start, end). */
  billingPeriodStart: Date;
  billingPeriodEnd: Date;
  currency: "USD";
  generatedAt: Date;
}

/** Total displayed cents of a line. */
export function lineCents(line: Pick<ReportLine, "computeCents" | "extraCents">): bigint {
  return line.computeCents + line.extraCents;
}
