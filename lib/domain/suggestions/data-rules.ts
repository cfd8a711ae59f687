/**
 * Data rules: a deployment whose usage records leave gaps. Its unrecorded
 * time is "no data" (inference-cost.ts), so its idle share, QPS and
 * $/1M tokens describe only part of its time; the engine withholds its
 * idle-based suggestions and asks for the records instead. No saving is
 * claimed.
 */
import { deploymentCents, hasDataGap, recordCoverage } from "./derived";
import { deploymentSubject, hours, share, suggestion, usd } from "./evidence";
import { SOURCES } from "./sources";
import type { DeploymentFacts, Suggestion } from "./types";

/** Usage records cover under 90% of active time, or more than a day has none (derived.ts hasDataGap). */
export function usageDataGapRule(f: DeploymentFacts): Suggestion | null {
  if (!hasDataGap(f)) return null;
  const untrackedMs = Math.max(0, f.activeMs - f.recordedMs);
  return suggestion({
    ruleId: "usage-data-gap",
    subject: deploymentSubject(f),
    title: "Record usage for this deployment",
    evidence: [
      { label: "Usage records cover", value: `${share(recordCoverage(f))} of active time (${hours(f.recordedMs)} of ${hours(f.activeMs)})`, period: f.period },
      { label: "Longest stretch without records", value: hours(f.largestGapMs), period: f.period },
      { label: "Cost of time without records (no data, not idle)", value: `${usd(f.cost.untrackedCents)} of ${usd(deploymentCents(f))}`, period: f.period },
      { label: "Idle share", value: f.recordedMs > 0 ? "Recorded time only; untracked time is no data" : "No data", period: f.period },
    ],
    action: `Record usage for ${f.name}: ${hours(untrackedMs)} of its active time in the period has no usage records, so its idle share, QPS and $/1M tokens cover only part of its time and idle-based suggestions are withheld. Check the gateway or exporter that writes its usage windows, and import the missing windows.`,
    monthlySaving: { lowCents: 0n, highCents: 0n },
    confidence: "high",
    effectSource: SOURCES.dataGap,
  });
}
