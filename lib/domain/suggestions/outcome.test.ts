import { describe, expect, it } from "vitest";
import { DAY, deploymentFacts, runFacts } from "./fixtures";
import { comparisonWindows, deploymentMetric, deploymentOutcome, metricTrend, microsPerMillionTokens, runOutcome, runsComputeRate, savingVerdict, windowMonthlyCents } from "./outcome";

const appliedAt = new Date("2026-10-15T00:00:00Z");
const now = new Date("2026-10-29T00:00:00Z");
const windows = comparisonWindows({ appliedAt, now, timeZone: "UTC" })!;
const estimate = { lowCents: 50_000n, highCents: 100_000n };

describe("comparisonWindows", () => {
  it("splits at the start of the applied day into windows of as many whole days, the after one counted up to now", () => {
    // Today (Oct 29) is included in the after window: Oct 15–29 is 15 days, so the before window is Sep 30 – Oct 14.
    expect(windows.before).toEqual({ start: new Date("2026-09-30T00:00:00Z"), end: appliedAt });
    expect(windows.after).toEqual({ start: appliedAt, end: new Date("2026-10-30T00:00:00Z") });
    expect(windows.afterElapsed).toEqual({ start: appliedAt, end: now });
  });
  it("follows local days of the zone", () => {
    const w = comparisonWindows({ appliedAt: new Date("2026-10-20T12:00:00Z"), now: new Date("2026-10-21T06:00:00Z"), timeZone: "Asia/Kolkata" })!;
    expect(w.before).toEqual({ start: new Date("2026-10-17T18:30:00Z"), end: new Date("2026-10-19T18:30:00Z") });
    expect(w.after).toEqual({ start: new Date("2026-10-19T18:30:00Z"), end: new Date("2026-10-21T18:30:00Z") });
  });
  it("has nothing to compare before the applied day has begun", () => {
    expect(comparisonWindows({ appliedAt: now, now, timeZone: "UTC" })).toBeNull();
  });
});

describe("windowMonthlyCents", () => {
  it("scales a window's cents to an average month of 30.44 days, half-even", () => {
    // $1,400.00 over 14 days → 1,400 × 30.44 / 14 = $3,044.00 exactly.
    expect(windowMonthlyCents(140_000n, windows.afterElapsed)).toBe(304_400n);
    // $1.00 over 14 days → 30.44 / 14 = 2.1742857… → $2.17.
    expect(windowMonthlyCents(100n, windows.afterElapsed)).toBe(217n);
  });
});

describe("savingVerdict", () => {
  it("says materialized at or above the low end", () => {
    expect(savingVerdict({ actualCents: 50_000n, estimate })).toEqual({ kind: "materialized", text: "Saved $500.00/month (estimated $500.00–$1,000.00/month)" });
    expect(savingVerdict({ actualCents: 150_000n, estimate }).kind).toBe("materialized");
  });
  it("says partial between zero and the low end", () => {
    expect(savingVerdict({ actualCents: 49_999n, estimate })).toEqual({ kind: "partial", text: "Saved $499.99/month, less than the estimated $500.00–$1,000.00/month" });
  });
  it("says not materialized at zero or when spend went up", () => {
    expect(savingVerdict({ actualCents: 0n, estimate }).kind).toBe("notMaterialized");
    expect(savingVerdict({ actualCents: -2_500n, estimate }).text).toBe("Not materialized: $25.00/month more than before (estimated $500.00–$1,000.00/month)");
  });
  it("never turns missing data into a zero", () => {
    expect(savingVerdict({ actualCents: null, estimate })).toEqual({ kind: "noData", text: "Not known yet: no data to compare (estimate $500.00–$1,000.00/month)" });
  });
  it("checks a change that costs money against its estimated extra cost", () => {
    const scaleOut = { lowCents: -73_056n, highCents: 0n };
    expect(savingVerdict({ actualCents: -73_056n, estimate: scaleOut, costsMoney: true })).toEqual({
      kind: "withinEstimate",
      text: "Costs $730.56/month more: within the estimated $0.00–$730.56/month more",
    });
    expect(savingVerdict({ actualCents: -73_057n, estimate: scaleOut, costsMoney: true }).kind).toBe("overEstimate");
  });
});

describe("metrics", () => {
  it("computes $/1M tokens from the cost of recorded time, half-even in µ$", () => {
    // $3,000.00 over 22B tokens = $0.136363…/1M → 136,364 µ$.
    expect(microsPerMillionTokens(300_000n, 22_000_000_000n)).toBe(136_364n);
    expect(microsPerMillionTokens(300_000n, 0n)).toBeNull();
    expect(deploymentMetric("costPerMillionTokens", deploymentFacts())).toMatchObject({ value: 136_364, text: "$0.136 / 1M tokens" });
  });
  it("reads idle share and p99 from the facts, and no data as no data", () => {
    expect(deploymentMetric("idleShare", deploymentFacts())).toMatchObject({ value: 0.4, text: "40.0%" });
    expect(deploymentMetric("p99", deploymentFacts())).toMatchObject({ value: 650, text: "650 ms (SLO 700 ms)" });
    expect(deploymentMetric("idleShare", deploymentFacts({ recordedMs: 0, idleMs: 0 }))).toMatchObject({ value: null, text: "No data" });
  });
  it("knows which direction is better", () => {
    const idle = (value: number | null) => ({ kind: "idleShare" as const, label: "", value, text: "" });
    const coverage = (value: number | null) => ({ kind: "recordCoverage" as const, label: "", value, text: "" });
    expect(metricTrend(idle(0.6), idle(0.2))).toBe("better");
    expect(metricTrend(coverage(0.6), coverage(0.2))).toBe("worse");
    expect(metricTrend(idle(0.6), idle(null))).toBe("unknown");
  });
});

describe("deploymentOutcome", () => {
  const fourteenDays = 14 * DAY;
  // Two 14-day windows, the after one fully elapsed.
  const equal = { before: { start: new Date("2026-10-01T00:00:00Z"), end: appliedAt }, afterElapsed: { start: appliedAt, end: now } };
  const facts = (cents: bigint, idleShare: number) =>
    deploymentFacts({
      period: equal.before,
      activeMs: fourteenDays,
      recordedMs: fourteenDays,
      trafficMs: fourteenDays,
      idleMs: idleShare * fourteenDays,
      cost: { servingCents: cents - cents / 2n, idleCents: cents / 2n, untrackedCents: 0n },
    });

  it("compares monthly cost and the rule's metric over equal windows", () => {
    const outcome = deploymentOutcome({ ruleId: "idle-capacity", windows: equal, before: facts(140_000n, 0.6), after: { ...facts(70_000n, 0.2), period: equal.afterElapsed }, estimate });
    expect(outcome.before.monthlyCents).toBe(304_400n);
    expect(outcome.after.monthlyCents).toBe(152_200n);
    expect(outcome.actualMonthlySavingCents).toBe(152_200n);
    expect(outcome.before.metric.text).toBe("60.0%");
    expect(outcome.after.metric.text).toBe("20.0%");
    expect(outcome.trend).toBe("better");
    expect(outcome.verdict.kind).toBe("materialized");
  });

  it("counts a deployment switched off before the after window as a real $0 there", () => {
    const before = { ...facts(140_000n, 0.9), activeTo: appliedAt, isActive: false };
    const outcome = deploymentOutcome({ ruleId: "idle-capacity", windows: equal, before, after: null, estimate });
    expect(outcome.after).toMatchObject({ monthlyCents: 0n, note: "Switched off: no cost" });
    expect(outcome.after.metric.text).toBe("No data");
    expect(outcome.actualMonthlySavingCents).toBe(304_400n);
  });

  it("says no data when the deployment did not exist before", () => {
    const outcome = deploymentOutcome({ ruleId: "quantize-weights", windows: equal, before: null, after: { ...facts(70_000n, 0.2), period: equal.afterElapsed }, estimate });
    expect(outcome.before.monthlyCents).toBeNull();
    expect(outcome.actualMonthlySavingCents).toBeNull();
    expect(outcome.verdict.kind).toBe("noData");
    expect(outcome.noComparison).toBe("The deployment was not active before it was applied");
  });
});

describe("runOutcome", () => {
  const run = runFacts({ computeCents: 1_000_000n, tokensProcessed: 10_000_000_000n }); // $10,000 / 10B tokens = $1.00 / 1M
  it("compares the applied run with the team's later runs of the same model", () => {
    const later = [runFacts({ id: 102, computeCents: 300_000n, tokensProcessed: 5_000_000_000n }), runFacts({ id: 103, computeCents: 300_000n, tokensProcessed: 5_000_000_000n })];
    expect(runsComputeRate(later).text).toBe("$0.60 / 1M tokens");
    const outcome = runOutcome({ run, runPeriod: windows.before, later, afterPeriod: windows.after, baseMonthlyCents: 2_000_000n, estimate });
    // 40% cheaper per token on $20,000.00 of compute a month = $8,000.00.
    expect(outcome.actualMonthlySavingCents).toBe(800_000n);
    expect(outcome.trend).toBe("better");
    expect(outcome.after.note).toBe("2 later runs of Llama-3.1-8B-Instruct");
    expect(outcome.verdict.kind).toBe("materialized");
  });

  it("states that there is no comparable run yet instead of a zero", () => {
    const outcome = runOutcome({ run, runPeriod: windows.before, later: [runFacts({ id: 104, tokensProcessed: null })], afterPeriod: windows.after, baseMonthlyCents: 2_000_000n, estimate });
    expect(outcome.actualMonthlySavingCents).toBeNull();
    expect(outcome.after.metric.text).toBe("No data");
    expect(outcome.verdict).toEqual({ kind: "noData", text: "No comparable run yet (estimate $500.00–$1,000.00/month)" });
    expect(outcome.noComparison).toContain("No comparable run yet");
  });
});
