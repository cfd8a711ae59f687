import { describe, expect, it } from "vitest";
import { usageDataGapRule } from "./data-rules";
import { DAY, deploymentFacts, PERIOD, PERIOD_MS } from "./fixtures";

const covered = (share: number) => ({ recordedMs: share * PERIOD_MS, trafficMs: share * PERIOD_MS, idleMs: 0.4 * share * PERIOD_MS });

describe("usage-data-gap", () => {
  it("records covering exactly 90% of active time do not fire; one millisecond less does", () => {
    expect(usageDataGapRule(deploymentFacts(covered(0.9)))).toBeNull();
    expect(usageDataGapRule(deploymentFacts({ ...covered(0.9), recordedMs: 0.9 * PERIOD_MS - 1 }))).not.toBeNull();
  });

  it("a stretch of exactly a day without records does not fire; one millisecond more does", () => {
    expect(usageDataGapRule(deploymentFacts({ largestGapMs: DAY }))).toBeNull();
    expect(usageDataGapRule(deploymentFacts({ largestGapMs: DAY + 1 }))).not.toBeNull();
  });

  it("claims no saving, with high confidence, and reports untracked cost as no data", () => {
    const s = usageDataGapRule(
      deploymentFacts({ ...covered(2 / 3), largestGapMs: 3 * DAY, cost: { servingCents: 50_000n, idleCents: 150_000n, untrackedCents: 100_000n } }),
    )!;
    expect(s.monthlySaving).toEqual({ lowCents: 0n, highCents: 0n });
    expect(s).toMatchObject({ id: "usage-data-gap:deployment:201", confidence: "high", title: "Record usage for this deployment" });
    expect(s.evidence).toContainEqual({ label: "Usage records cover", value: "66.7% of active time (480.0 h of 720.0 h)", period: PERIOD });
    expect(s.evidence).toContainEqual({ label: "Longest stretch without records", value: "72.0 h", period: PERIOD });
    expect(s.evidence).toContainEqual({ label: "Cost of time without records (no data, not idle)", value: "$1,000.00 of $3,000.00", period: PERIOD });
    expect(s.action).toMatch(/^Record usage for query-rewrite: 240\.0 h of its active time/);
  });

  it("a deployment without any record is a gap; one active under a day is too new to judge", () => {
    expect(usageDataGapRule(deploymentFacts({ recordedMs: 0, trafficMs: 0, idleMs: 0, utilization: null, p50Ms: null, p99Ms: null, requests: 0n, largestGapMs: PERIOD_MS }))).not.toBeNull();
    expect(usageDataGapRule(deploymentFacts({ activeMs: DAY - 1, recordedMs: 0, trafficMs: 0, idleMs: 0, largestGapMs: DAY - 1 }))).toBeNull();
  });
});
