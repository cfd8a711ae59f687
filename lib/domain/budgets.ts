import { projectMonthEnd } from "./burn-rate";
import { bucketStart } from "./calendar";
import { formatPercent } from "./display";
import { formatDateTime } from "./labels";
import { formatUsd } from "./money";
import type { TimeRange } from "./time-range";

/**
 * Budget forecasts and alert thresholds per team for one calendar month in a
 * reporting zone. Pure: the read model (lib/db/queries/budgets.ts) passes the
 * month's ledger cents per local day — the same line items the dashboards
 * sum, so "spent to date" is the dashboards' figure — and the team's budget.
 *
 * Edge cases, decided once here:
 * - **No budget** (0): nothing to warn about — no thresholds, run-out "No budget".
 * - **Month not started** (no time elapsed): no burn rate, projection null ("no data").
 * - **No spend yet**: the projection is $0.00 (as the dashboards show it) but
 *   there is no burn rate to run out at: run-out "No spend yet".
 * - **Early in the month** the projection extrapolates hours to a month (a
 *   run that started an hour ago projects ×720), so projected-basis
 *   thresholds cross only once `PROJECTION_MIN_ELAPSED_MS` of the month has
 *   elapsed; actual-basis thresholds cross at any time. An alert fires once
 *   per month, so a spurious early one could not be taken back.
 * - **At or over**: a threshold is crossed when the figure is ≥ pct % of the
 *   budget, compared exactly in cents (figure × 100 ≥ budget × pct).
 * - **Run-out day** at the current burn rate (spend ÷ elapsed time, the same
 *   rate as the month-end projection): the budget runs out at
 *   month start + elapsed × budget ÷ spent. At or after month end it is "not
 *   this month" (a projection of exactly the budget runs out at month end).
 *   Once spend to date has reached the budget, the day it did is read from the
 *   daily cents: "exceeded on <day>".
 */

export const BUDGET_THRESHOLDS = [80, 100] as const;
export type BudgetThresholdPct = (typeof BUDGET_THRESHOLDS)[number];
export const BUDGET_BASES = ["actual", "projected"] as const;
export type BudgetBasis = (typeof BUDGET_BASES)[number];

/** Time of the month that must have elapsed before a projection may cross a threshold. */
export const PROJECTION_MIN_ELAPSED_MS = 24 * 3_600_000;

export interface DailyCents {
  /** Start of the local day (in the forecast's zone). */
  dayStart: Date;
  cents: bigint;
}

export type RunOut =
  | { kind: "noBudget" }
  | { kind: "notStarted" }
  | { kind: "noSpend" }
  /** Spend to date reached the budget on this local day (its start). */
  | { kind: "exceeded"; day: Date }
  /** At the current burn rate the budget runs out on this local day (its start). */
  | { kind: "on"; day: Date }
  | { kind: "notThisMonth" };

export interface CrossedThreshold {
  thresholdPct: BudgetThresholdPct;
  basis: BudgetBasis;
}

export interface BudgetForecast {
  budgetCents: bigint;
  /** Month-to-date spend: the sum of the daily cents. */
  spentCents: bigint;
  /** Month-end projection at the burn rate so far (burn-rate.ts); null before the month starts. */
  projectedCents: bigint | null;
  /** Spend ÷ budget and projection ÷ budget as fractions, for display and ranking only; null without a budget. */
  actualShare: number | null;
  projectedShare: number | null;
  runOut: RunOut;
  /** Thresholds crossed, actual before projected, higher first. */
  crossed: CrossedThreshold[];
}

function isAtLeast(figureCents: bigint, budgetCents: bigint, pct: number): boolean {
  return figureCents * 100n >= budgetCents * BigInt(pct);
}

function share(figureCents: bigint | null, budgetCents: bigint): number | null {
  return figureCents === null || budgetCents <= 0n ? null : Number(figureCents) / Number(budgetCents);
}

export function budgetForecast({
  budgetCents,
  dailyCents,
  month,
  now,
  timeZone,
}: {
  budgetCents: bigint;
  /** The month's cents per local day so far, any order; days without spend may be missing. */
  dailyCents: readonly DailyCents[];
  /** The whole calendar month in `timeZone`. */
  month: TimeRange;
  now: Date;
  timeZone: string;
}): BudgetForecast {
  const days = [...dailyCents].sort((a, b) => a.dayStart.getTime() - b.dayStart.getTime());
  const spentCents = days.reduce((s, d) => s + d.cents, 0n);
  const projectedCents = projectMonthEnd({ spentCents, month, now });
  const elapsedMs = Math.min(now.getTime(), month.end.getTime()) - month.start.getTime();
  const base = { budgetCents, spentCents, projectedCents, actualShare: share(spentCents, budgetCents), projectedShare: share(projectedCents, budgetCents) };
  if (budgetCents <= 0n) return { ...base, runOut: { kind: "noBudget" }, crossed: [] };

  const crossed: CrossedThreshold[] = [];
  for (const basis of BUDGET_BASES) {
    const figure = basis === "actual" ? spentCents : projectedCents;
    const isSettled = basis === "actual" || elapsedMs >= PROJECTION_MIN_ELAPSED_MS;
    if (figure === null || !isSettled) continue;
    for (const thresholdPct of [...BUDGET_THRESHOLDS].reverse()) {
      if (isAtLeast(figure, budgetCents, thresholdPct)) crossed.push({ thresholdPct, basis });
    }
  }
  return { ...base, runOut: runOutOf({ budgetCents, spentCents, days, month, elapsedMs, timeZone }), crossed };
}

function runOutOf({
  budgetCents,
  spentCents,
  days,
  month,
  elapsedMs,
  timeZone,
}: {
  budgetCents: bigint;
  spentCents: bigint;
  days: DailyCents[];
  month: TimeRange;
  elapsedMs: number;
  timeZone: string;
}): RunOut {
  if (elapsedMs <= 0) return { kind: "notStarted" };
  if (spentCents <= 0n) return { kind: "noSpend" };
  if (spentCents >= budgetCents) {
    let cumulative = 0n;
    for (const d of days) {
      cumulative += d.cents;
      if (cumulative >= budgetCents) return { kind: "exceeded", day: d.dayStart };
    }
    return { kind: "exceeded", day: days[days.length - 1]!.dayStart };
  }
  const runOutMs = BigInt(month.start.getTime()) + (BigInt(elapsedMs) * budgetCents) / spentCents;
  if (runOutMs >= BigInt(month.end.getTime())) return { kind: "notThisMonth" };
  return { kind: "on", day: bucketStart({ instant: new Date(Number(runOutMs)), unit: "day", timeZone }) };
}

/** "2026-12" — the month's key in its zone (BudgetAlert.month). */
export function monthKey({ month, timeZone }: { month: TimeRange; timeZone: string }): string {
  return formatDateTime({ instant: month.start, timeZone }).slice(0, 7);
}

/** The local date of a day start, "2026-12-24". */
function dayLabel(day: Date, timeZone: string): string {
  return formatDateTime({ instant: day, timeZone }).slice(0, 10);
}

/** The run-out day as people read it: "2026-12-24", "Not this month", "Exceeded on 2026-12-20", … */
export function runOutLabel({ runOut, timeZone }: { runOut: RunOut; timeZone: string }): string {
  switch (runOut.kind) {
    case "noBudget":
      return "No budget";
    case "notStarted":
      return "No data yet";
    case "noSpend":
      return "No spend yet";
    case "exceeded":
      return `Exceeded on ${dayLabel(runOut.day, timeZone)}`;
    case "on":
      return dayLabel(runOut.day, timeZone);
    case "notThisMonth":
      return "Not this month";
  }
}

/** The run-out day as a date string, or null when the budget doesn't run out this month (or there is no rate). */
export function runOutDate({ runOut, timeZone }: { runOut: RunOut; timeZone: string }): string | null {
  return runOut.kind === "on" || runOut.kind === "exceeded" ? dayLabel(runOut.day, timeZone) : null;
}

export interface RankedBudgetAlert<T> {
  team: T;
  forecast: BudgetForecast;
  /** The highest actual-basis threshold crossed, if any. */
  actual: BudgetThresholdPct | null;
  /** The highest projected-basis threshold crossed, if any. */
  projected: BudgetThresholdPct | null;
}

/**
 * Teams with a crossed threshold, most urgent first: any actual crossing
 * before projection-only ones, then the higher share of the budget (actual
 * share for the former, projected share for the latter), then by name.
 */
export function rankBudgetAlerts<T extends { name: string }>(teams: readonly { team: T; forecast: BudgetForecast }[]): RankedBudgetAlert<T>[] {
  const highest = (f: BudgetForecast, basis: BudgetBasis) => f.crossed.find((c) => c.basis === basis)?.thresholdPct ?? null;
  return teams
    .map(({ team, forecast }) => ({ team, forecast, actual: highest(forecast, "actual"), projected: highest(forecast, "projected") }))
    .filter((a) => a.actual !== null || a.projected !== null)
    .sort((a, b) => {
      const aActual = a.actual !== null;
      const bActual = b.actual !== null;
      if (aActual !== bActual) return aActual ? -1 : 1;
      const key = (x: RankedBudgetAlert<T>) => (aActual ? x.forecast.actualShare : x.forecast.projectedShare) ?? 0;
      return key(b) - key(a) || a.team.name.localeCompare(b.team.name);
    });
}

/**
 * The Slack-compatible one-paragraph text of an alert, with the figures a
 * person needs to act: what crossed, spend, projection, budget and run-out day.
 */
export function budgetAlertText({
  teamName,
  month,
  thresholdPct,
  basis,
  forecast,
  timeZone,
  linkPath,
}: {
  teamName: string;
  /** "2026-12" */
  month: string;
  thresholdPct: BudgetThresholdPct;
  basis: BudgetBasis;
  forecast: BudgetForecast;
  timeZone: string;
  linkPath: string;
}): string {
  const budget = formatUsd({ cents: forecast.budgetCents });
  const spent = formatUsd({ cents: forecast.spentCents });
  const projected = formatUsd({ cents: forecast.projectedCents });
  const runOut = runOutLabel({ runOut: forecast.runOut, timeZone });
  const head =
    basis === "actual"
      ? `${teamName} has spent ${spent} of its ${budget} budget for ${month} (${formatPercent(forecast.actualShare)}, ${thresholdPct}% threshold reached).`
      : `${teamName} is projected to spend ${projected} in ${month}, ${formatPercent(forecast.projectedShare)} of its ${budget} budget (${thresholdPct}% threshold, projected).`;
  const tail =
    basis === "actual"
      ? ` Projected month-end: ${projected}. Budget runs out: ${runOut}.`
      : ` Spent so far: ${spent}. Budget runs out: ${runOut}.`;
  return `Budget alert: ${head}${tail} ${linkPath} (${timeZone})`;
}
