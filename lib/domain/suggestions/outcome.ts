/**
 * Did an applied suggestion pay off? Pure arithmetic for the before/after
 * block of an applied suggestion. The read model (lib/db/queries/
 * suggestion-states.ts) loads the facts of both windows through the same
 * read model the rules read (loadSuggestionFacts), so every figure comes from
 * the same ledger as the rest of the dashboard.
 *
 * Deployments. Two windows of as many whole local days, split at the start
 * of the day the suggestion was applied (comparisonWindows); the after one
 * counts up to now.
 * Each window's cost is normalized per average month over the whole window
 * (cents × 30.44 days ÷ the window's elapsed length, half-even, arithmetic.ts monthlyCents) — over the
 * window and not over active time, so that switching a deployment off or
 * running fewer GPUs shows up as the saving it is. The actual saving is
 * before − after per month. Beside it, the metric the rule meant to move
 * (idle share, $/1M tokens, p99, record coverage) in both windows.
 *
 * Runs. A finished run cannot change, so the comparison is the team's runs of
 * the same model that started after appliedAt: compute cents per 1M tokens of
 * the applied run against those later runs together. The actual monthly
 * saving applies the change in that rate to the run's monthly compute at the
 * time it was applied (the base the estimate was a share of). No later run
 * with tokens → "no comparable run yet", never a zero.
 *
 * Missing data stays missing: a window without the deployment, without usage
 * records or without tokens reads "No data", and the verdict then says so.
 */
import Decimal from "decimal.js";
import { bucketsBetween, bucketStart } from "../calendar";
import { lastDays } from "../date-ranges";
import { formatMs, formatPercent, formatUsdRate } from "../display";
import { roundHalfEven } from "../largest-remainder";
import { formatUsd } from "../money";
import type { TimeRange } from "../time-range";
import { monthlyCents, wholeMs, type Ratio } from "./arithmetic";
import { deploymentCents, idleShare, recordCoverage } from "./derived";
import type { DeploymentFacts, MonthlySaving, RuleId, RunFacts } from "./types";

export type MetricKind = "idleShare" | "costPerMillionTokens" | "p99" | "recordCoverage" | "computePerMillionTokens";

/** The figure each rule is meant to move. */
export const RULE_METRIC: Record<RuleId, MetricKind> = {
  "mixed-precision": "computePerMillionTokens",
  "lora-instead-of-full-fine-tune": "computePerMillionTokens",
  "training-efficiency": "computePerMillionTokens",
  "gradient-checkpointing": "computePerMillionTokens",
  "flash-attention-training": "computePerMillionTokens",
  "quantize-weights": "costPerMillionTokens",
  "continuous-batching": "costPerMillionTokens",
  "prefix-caching": "costPerMillionTokens",
  "flash-attention-serving": "costPerMillionTokens",
  "idle-capacity": "idleShare",
  "slo-scale-out": "p99",
  "smaller-gpu-type": "costPerMillionTokens",
  "smaller-model": "costPerMillionTokens",
  "commitment-pricing": "costPerMillionTokens",
  "usage-data-gap": "recordCoverage",
};

export const METRIC_LABELS: Record<MetricKind, string> = {
  idleShare: "Idle share of recorded time",
  costPerMillionTokens: "Cost per 1M tokens (recorded time)",
  p99: "p99 latency",
  recordCoverage: "Usage records cover",
  computePerMillionTokens: "Compute cost per 1M training tokens",
};

/** Which way is better for each metric. */
const LOWER_IS_BETTER: Record<MetricKind, boolean> = {
  idleShare: true,
  costPerMillionTokens: true,
  p99: true,
  recordCoverage: false,
  computePerMillionTokens: true,
};

/** One reading of a metric: a comparable number (null = no data) and its text with units. */
export interface MetricReading {
  kind: MetricKind;
  label: string;
  /** Comparable value: a share 0..1, µ$ per 1M tokens, or ms; null when there is no data. */
  value: number | null;
  text: string;
}

const NO_DATA = "No data";

function ratioValue(r: Ratio | null): number | null {
  return r === null || r.den === 0n ? null : Number(r.num) / Number(r.den);
}

/** µ$ per 1M tokens of `cents` over `tokens`, half-even; null without tokens. */
export function microsPerMillionTokens(cents: bigint, tokens: bigint): bigint | null {
  if (tokens <= 0n) return null;
  return roundHalfEven({ numerator: cents * 10_000n * 1_000_000n, denominator: tokens });
}

function rateReading(kind: MetricKind, micros: bigint | null): MetricReading {
  return {
    kind,
    label: METRIC_LABELS[kind],
    value: micros === null ? null : Number(micros),
    text: micros === null ? NO_DATA : `${formatUsdRate(new Decimal(micros.toString()).div(1_000_000))} / 1M tokens`,
  };
}

/** The rule's metric for a deployment over the facts' period. */
export function deploymentMetric(kind: MetricKind, f: DeploymentFacts): MetricReading {
  const label = METRIC_LABELS[kind];
  switch (kind) {
    case "idleShare": {
      const value = ratioValue(idleShare(f));
      return { kind, label, value, text: value === null ? NO_DATA : formatPercent(value) };
    }
    case "recordCoverage": {
      const value = ratioValue(recordCoverage(f));
      return { kind, label, value, text: value === null ? NO_DATA : `${formatPercent(value)} of active time` };
    }
    case "p99":
      return { kind, label, value: f.p99Ms, text: f.p99Ms === null ? NO_DATA : `${formatMs(f.p99Ms)}${f.p99SloMs === null ? "" : ` (SLO ${formatMs(f.p99SloMs)})`}` };
    case "costPerMillionTokens":
    case "computePerMillionTokens": {
      // Cost of recorded time (serving + idle) over the tokens it served: untracked time has no tokens to divide by.
      const recordedCents = f.cost.servingCents + f.cost.idleCents;
      const micros = f.recordedMs > 0 ? microsPerMillionTokens(recordedCents, f.inputTokens + f.outputTokens) : null;
      return rateReading("costPerMillionTokens", micros);
    }
  }
}

/** Compute cents per 1M tokens of runs together (Σ compute ÷ Σ tokens); runs without tokens are left out. */
export function runsComputeRate(runs: readonly RunFacts[]): MetricReading {
  const withTokens = runs.filter((r) => r.tokensProcessed !== null && r.tokensProcessed > 0n);
  const cents = withTokens.reduce((s, r) => s + r.computeCents, 0n);
  const tokens = withTokens.reduce((s, r) => s + r.tokensProcessed!, 0n);
  return rateReading("computePerMillionTokens", withTokens.length === 0 ? null : microsPerMillionTokens(cents, tokens));
}

/**
 * The before and after windows, in whole local days of `timeZone` (the grid
 * the ledger and the usage rollups answer on): the after window runs from the
 * start of the day appliedAt falls in through today, the before window is as
 * many days just before it. `afterElapsed` is the after window up to now, the
 * part that has cost anything. Null before any time has passed.
 */
export function comparisonWindows({ appliedAt, now, timeZone }: { appliedAt: Date; now: Date; timeZone: string }): { before: TimeRange; after: TimeRange; afterElapsed: TimeRange } | null {
  const split = bucketStart({ instant: appliedAt, unit: "day", timeZone });
  if (now.getTime() <= split.getTime()) return null;
  const today = lastDays({ now, days: 1, timeZone });
  const days = bucketsBetween({ from: split, to: today.end, unit: "day", timeZone }).length;
  const before = lastDays({ now: new Date(split.getTime() - 1), days, timeZone });
  return { before, after: { start: split, end: today.end }, afterElapsed: { start: split, end: now } };
}

/** Cents spent over a whole window, per average month (arithmetic.ts). */
export function windowMonthlyCents(cents: bigint, window: TimeRange): bigint {
  return monthlyCents({ cents, observedMs: wholeMs(window.end.getTime() - window.start.getTime()) });
}

export type VerdictKind = "noData" | "materialized" | "partial" | "notMaterialized" | "withinEstimate" | "overEstimate";

export interface Verdict {
  kind: VerdictKind;
  text: string;
}

function rangeText(estimate: MonthlySaving, costsMoney: boolean): string {
  const low = costsMoney ? -estimate.highCents : estimate.lowCents;
  const high = costsMoney ? -estimate.lowCents : estimate.highCents;
  return low === high ? `${formatUsd({ cents: low })}/month` : `${formatUsd({ cents: low })}–${formatUsd({ cents: high })}/month`;
}

/**
 * Whether the saving materialized, in dollars per month. Savings: at least
 * the low end → materialized; above zero but under the low end → partial;
 * none → not materialized. A change that costs money (scale-out): its extra
 * cost within the estimate's high end → within estimate, else over it.
 */
export function savingVerdict({ actualCents, estimate, costsMoney = false }: { actualCents: bigint | null; estimate: MonthlySaving; costsMoney?: boolean }): Verdict {
  const estimated = rangeText(estimate, costsMoney);
  if (actualCents === null) return { kind: "noData", text: `Not known yet: no data to compare (estimate ${estimated})` };
  if (costsMoney) {
    const extra = -actualCents;
    const maxExtra = -(estimate.lowCents < estimate.highCents ? estimate.lowCents : estimate.highCents);
    const said = extra > 0n ? `Costs ${formatUsd({ cents: extra })}/month more` : `Costs ${formatUsd({ cents: -extra })}/month less`;
    return extra <= maxExtra ? { kind: "withinEstimate", text: `${said}: within the estimated ${estimated} more` } : { kind: "overEstimate", text: `${said}: above the estimated ${estimated} more` };
  }
  if (actualCents >= estimate.lowCents && actualCents > 0n) return { kind: "materialized", text: `Saved ${formatUsd({ cents: actualCents })}/month (estimated ${estimated})` };
  if (actualCents > 0n) return { kind: "partial", text: `Saved ${formatUsd({ cents: actualCents })}/month, less than the estimated ${estimated}` };
  return {
    kind: "notMaterialized",
    text: actualCents === 0n ? `No saving: the same per month as before (estimated ${estimated})` : `Not materialized: ${formatUsd({ cents: -actualCents })}/month more than before (estimated ${estimated})`,
  };
}

export type Trend = "better" | "worse" | "same" | "unknown";

export function metricTrend(before: MetricReading, after: MetricReading): Trend {
  if (before.value === null || after.value === null) return "unknown";
  if (before.value === after.value) return "same";
  return before.value > after.value === LOWER_IS_BETTER[before.kind] ? "better" : "worse";
}

export interface OutcomeSide {
  period: TimeRange;
  /** Per average month over the window; null when unknown. */
  monthlyCents: bigint | null;
  metric: MetricReading;
  /** What the side covers, e.g. "3 later runs of Llama-3.1-8B" or "Switched off". */
  note?: string;
}

export interface Outcome {
  subjectKind: "run" | "deployment";
  before: OutcomeSide;
  after: OutcomeSide;
  trend: Trend;
  /** before − after per month (positive = saved); null when either side is unknown. */
  actualMonthlySavingCents: bigint | null;
  verdict: Verdict;
  /** Set when there is nothing to compare with yet. */
  noComparison?: string;
}

/**
 * A deployment's before/after. `before`/`after` are its facts over the two
 * windows, null when the read model has no facts for it there. A deployment
 * that ended before the after window costs a real $0 there (switched off).
 */
export function deploymentOutcome({
  ruleId,
  windows,
  before,
  after,
  estimate,
  costsMoney = false,
}: {
  ruleId: RuleId;
  windows: { before: TimeRange; afterElapsed: TimeRange };
  before: DeploymentFacts | null;
  after: DeploymentFacts | null;
  estimate: MonthlySaving;
  costsMoney?: boolean;
}): Outcome {
  const kind = RULE_METRIC[ruleId];
  const noMetric: MetricReading = { kind, label: METRIC_LABELS[kind], value: null, text: NO_DATA };
  const side = (facts: DeploymentFacts | null, period: TimeRange): OutcomeSide =>
    facts && facts.activeMs > 0
      ? { period, monthlyCents: windowMonthlyCents(deploymentCents(facts), period), metric: deploymentMetric(kind, facts) }
      : { period, monthlyCents: null, metric: noMetric, note: "Not active in this window" };
  const beforeSide = side(before, windows.before);
  let afterSide = side(after, windows.afterElapsed);
  const activeTo = before?.activeTo ?? after?.activeTo ?? null;
  const switchedOff = activeTo !== null && activeTo.getTime() <= windows.afterElapsed.start.getTime();
  if ((!after || after.activeMs <= 0) && switchedOff) afterSide = { period: windows.afterElapsed, monthlyCents: 0n, metric: noMetric, note: "Switched off: no cost" };
  const actual = beforeSide.monthlyCents !== null && afterSide.monthlyCents !== null ? beforeSide.monthlyCents - afterSide.monthlyCents : null;
  return {
    subjectKind: "deployment",
    before: beforeSide,
    after: afterSide,
    trend: metricTrend(beforeSide.metric, afterSide.metric),
    actualMonthlySavingCents: actual,
    verdict: savingVerdict({ actualCents: actual, estimate, costsMoney }),
    ...(beforeSide.monthlyCents === null ? { noComparison: "The deployment was not active before it was applied" } : {}),
  };
}

/**
 * A run's before/after: the applied run (its whole life) against the team's
 * later runs of the same model. `baseMonthlyCents` is the run's monthly
 * compute when the suggestion was applied (what the estimate is a share of).
 */
export function runOutcome({
  run,
  runPeriod,
  later,
  afterPeriod,
  baseMonthlyCents,
  estimate,
}: {
  run: RunFacts | null;
  runPeriod: TimeRange;
  later: readonly RunFacts[];
  afterPeriod: TimeRange;
  baseMonthlyCents: bigint;
  estimate: MonthlySaving;
}): Outcome {
  const beforeMetric = runsComputeRate(run ? [run] : []);
  const afterMetric = runsComputeRate(later);
  const comparable = later.filter((r) => r.tokensProcessed !== null && r.tokensProcessed > 0n).length;
  let actual: bigint | null = null;
  if (beforeMetric.value !== null && afterMetric.value !== null && beforeMetric.value > 0) {
    const b = BigInt(beforeMetric.value);
    const a = BigInt(afterMetric.value);
    actual = roundHalfEven({ numerator: baseMonthlyCents * (b - a), denominator: b });
  }
  const model = run?.model ?? "the same model";
  return {
    subjectKind: "run",
    before: { period: runPeriod, monthlyCents: baseMonthlyCents, metric: beforeMetric, note: run ? `${run.name} (the applied run)` : "The applied run" },
    after: {
      period: afterPeriod,
      monthlyCents: null,
      metric: afterMetric,
      note: comparable === 0 ? `No comparable run yet: no later run of ${model} with tokens` : `${comparable} later run${comparable === 1 ? "" : "s"} of ${model}`,
    },
    trend: metricTrend(beforeMetric, afterMetric),
    actualMonthlySavingCents: actual,
    verdict: comparable === 0 ? { kind: "noData", text: `No comparable run yet (estimate ${rangeText(estimate, false)})` } : savingVerdict({ actualCents: actual, estimate }),
    ...(comparable === 0 ? { noComparison: `No comparable run yet: the team has run ${model} with recorded tokens only before this was applied` } : {}),
  };
}
