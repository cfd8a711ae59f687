/**
 * Figures derived from the facts that several rules share, so that every
 * rule means the same thing by "breaching its SLO", "a data gap" or "the
 * monthly cost".
 */
import { isBelowBps, monthlyCents, ratio, wholeMs, type Ratio } from "./arithmetic";
import { MAX_RECORD_GAP_MS, MIN_OBSERVED_ACTIVE_MS, MIN_RECORD_COVERAGE_BPS } from "./thresholds";
import type { DeploymentFacts, RunFacts } from "./types";

export function periodMs(f: { period: { start: Date; end: Date } }): bigint {
  return wholeMs(f.period.end.getTime() - f.period.start.getTime());
}

/** The run's compute cents in the period, per average month (arithmetic.ts header). */
export function runMonthlyComputeCents(f: RunFacts, share?: Ratio): bigint {
  return monthlyCents({ cents: f.computeCents, observedMs: periodMs(f), share });
}

export function deploymentCents(f: DeploymentFacts): bigint {
  return f.cost.servingCents + f.cost.idleCents + f.cost.untrackedCents;
}

/** The deployment's cost per active day × 30.44, times `share`. */
export function deploymentMonthlyCents(f: DeploymentFacts, share?: Ratio): bigint {
  return monthlyCents({ cents: deploymentCents(f), observedMs: wholeMs(f.activeMs), share });
}

/** Recorded share of active time; null without active time. */
export function recordCoverage(f: DeploymentFacts): Ratio | null {
  const active = wholeMs(f.activeMs);
  if (active <= 0n) return null;
  const recorded = wholeMs(f.recordedMs);
  return ratio(recorded < active ? recorded : active, active);
}

/** Usage records cover under 90% of active time, or more than a day has none (thresholds.ts). */
export function hasDataGap(f: DeploymentFacts): boolean {
  if (f.activeMs < MIN_OBSERVED_ACTIVE_MS) return false;
  const coverage = recordCoverage(f);
  return (coverage !== null && isBelowBps(coverage, MIN_RECORD_COVERAGE_BPS)) || f.largestGapMs > MAX_RECORD_GAP_MS;
}

/** p99 over the SLO, as the dashboards flag it (strictly above). */
export function isBreachingSlo(f: DeploymentFacts): boolean {
  return f.p99Ms !== null && f.p99SloMs !== null && f.p99Ms > f.p99SloMs;
}

/**
 * Preconditions of every deployment saving: still serving, priced, and
 * observed for at least a day (a month is extrapolated from it).
 */
export function canProjectSavings(f: DeploymentFacts): boolean {
  return f.isActive && f.activeMs >= MIN_OBSERVED_ACTIVE_MS && deploymentCents(f) > 0n;
}

export function idleShare(f: DeploymentFacts): Ratio | null {
  const recorded = wholeMs(f.recordedMs);
  return recorded > 0n ? ratio(wholeMs(Math.min(f.idleMs, f.recordedMs)), recorded) : null;
}

/** Requests in flight on average (Little's law), ×1000 to stay in integers: requests × p50 ms / recorded ms. */
export function concurrencyMilli(f: DeploymentFacts): bigint | null {
  const recorded = wholeMs(f.recordedMs);
  if (recorded <= 0n || f.p50Ms === null) return null;
  return (f.requests * wholeMs(f.p50Ms) * 1000n) / recorded;
}

export function perRequest(tokens: bigint, requests: bigint): bigint | null {
  return requests > 0n ? tokens / requests : null;
}
