import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { budgetAlertText, budgetForecast, monthKey, PROJECTION_MIN_ELAPSED_MS, rankBudgetAlerts, runOutDate, runOutLabel, type BudgetForecast, type DailyCents } from "./budgets";
import { calendarMonth } from "./date-ranges";

// December 2026 in UTC: 31 days. At Dec 16 12:00 half of it has elapsed, so the projection is 2 × spend.
const UTC = "UTC";
const december = { start: new Date("2026-12-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") };
const halfway = new Date("2026-12-16T12:00:00Z");
const BUDGET = 100_000n; // $1,000.00

/** All of the spend on Dec 1 (the day only matters for "exceeded on"). */
const spent = (cents: bigint): DailyCents[] => (cents === 0n ? [] : [{ dayStart: december.start, cents }]);
const forecast = (cents: bigint, now = halfway, budgetCents = BUDGET) => budgetForecast({ budgetCents, dailyCents: spent(cents), month: december, now, timeZone: UTC });
const has = (f: BudgetForecast, thresholdPct: number, basis: string) => f.crossed.some((c) => c.thresholdPct === thresholdPct && c.basis === basis);

describe("budget thresholds", () => {
  it.each([
    ["actual 80%: $799.99 is below", 79_999n, 80, "actual", false],
    ["actual 80%: $800.00 is at it", 80_000n, 80, "actual", true],
    ["actual 100%: $999.99 is below", 99_999n, 100, "actual", false],
    ["actual 100%: $1,000.00 is at it", 100_000n, 100, "actual", true],
    ["projected 80%: $399.99 × 2 = $799.98 is below", 39_999n, 80, "projected", false],
    ["projected 80%: $400.00 × 2 = $800.00 is at it", 40_000n, 80, "projected", true],
    ["projected 100%: $499.99 × 2 = $999.98 is below", 49_999n, 100, "projected", false],
    ["projected 100%: $500.00 × 2 = $1,000.00 is at it", 50_000n, 100, "projected", true],
  ])("%s", (_label, cents, pct, basis, expected) => {
    const f = forecast(cents);
    expect(f.spentCents).toBe(cents);
    expect(f.projectedCents).toBe(cents * 2n);
    expect(has(f, pct, basis)).toBe(expected);
  });

  it("lists crossings actual first, higher first", () => {
    expect(forecast(100_000n).crossed).toEqual([
      { thresholdPct: 100, basis: "actual" },
      { thresholdPct: 80, basis: "actual" },
      { thresholdPct: 100, basis: "projected" },
      { thresholdPct: 80, basis: "projected" },
    ]);
  });

  it("lets a projection cross only after the first day of the month (an hour's spend × 720 is noise)", () => {
    const justBefore = new Date(december.start.getTime() + PROJECTION_MIN_ELAPSED_MS - 1);
    const atOneDay = new Date(december.start.getTime() + PROJECTION_MIN_ELAPSED_MS);
    expect(forecast(10_000n, justBefore).crossed).toEqual([]);
    expect(forecast(10_000n, justBefore).projectedCents).toBeGreaterThan(BUDGET);
    expect(forecast(10_000n, atOneDay).crossed.map((c) => `${c.thresholdPct} ${c.basis}`)).toEqual(["100 projected", "80 projected"]);
    // Actual spend counts at once.
    expect(has(forecast(100_000n, justBefore), 100, "actual")).toBe(true);
  });

  it("has nothing to warn about without a budget", () => {
    const f = forecast(500_000n, halfway, 0n);
    expect(f.crossed).toEqual([]);
    expect(f.runOut).toEqual({ kind: "noBudget" });
    expect(f.actualShare).toBeNull();
    expect(f.projectedCents).toBe(1_000_000n);
  });

  it("has no projection and no rate before the month starts", () => {
    const f = forecast(0n, december.start);
    expect(f.projectedCents).toBeNull();
    expect(f.runOut).toEqual({ kind: "notStarted" });
    expect(f.crossed).toEqual([]);
    expect(runOutLabel({ runOut: f.runOut, timeZone: UTC })).toBe("No data yet");
  });

  it("has no burn rate without spend: the projection is $0.00 as the dashboards show, the run-out day is 'no spend yet'", () => {
    const f = forecast(0n);
    expect(f.projectedCents).toBe(0n);
    expect(f.runOut).toEqual({ kind: "noSpend" });
    expect(f.crossed).toEqual([]);
    expect(runOutLabel({ runOut: f.runOut, timeZone: UTC })).toBe("No spend yet");
    expect(runOutDate({ runOut: f.runOut, timeZone: UTC })).toBeNull();
  });
});

describe("run-out day", () => {
  it("is where spend reaches the budget at the rate so far: $600 in 15.5 days runs out 25.83 days in, on Dec 26", () => {
    const f = forecast(60_000n);
    expect(f.runOut).toEqual({ kind: "on", day: new Date("2026-12-26T00:00:00Z") });
    expect(runOutLabel({ runOut: f.runOut, timeZone: UTC })).toBe("2026-12-26");
  });

  it("is not this month when the projection is exactly the budget, and Dec 31 a cent above", () => {
    expect(forecast(50_000n).runOut).toEqual({ kind: "notThisMonth" });
    expect(runOutLabel({ runOut: forecast(50_000n).runOut, timeZone: UTC })).toBe("Not this month");
    expect(forecast(50_001n).runOut).toEqual({ kind: "on", day: new Date("2026-12-31T00:00:00Z") });
  });

  it("names the local day in the zone: 2026-12-10 15:00 UTC is Dec 11 in Tokyo", () => {
    const timeZone = "Asia/Tokyo";
    const month = calendarMonth({ now: new Date("2026-12-05T00:00:00Z"), timeZone, offset: 0 }); // starts 2026-11-30T15:00Z
    const now = new Date(month.start.getTime() + 5 * 86_400_000); // 5 days in
    // $500 of a $1,000 budget in 5 days runs out 10 days in: 2026-12-10T15:00Z = Dec 11 00:00 in Tokyo.
    const f = budgetForecast({ budgetCents: BUDGET, dailyCents: [{ dayStart: month.start, cents: 50_000n }], month, now, timeZone });
    expect(runOutLabel({ runOut: f.runOut, timeZone })).toBe("2026-12-11");
    expect(monthKey({ month, timeZone })).toBe("2026-12");
  });

  it("is the day spend to date reached the budget once it has: cumulative $300, $800, $1,100", () => {
    const dailyCents = [
      { dayStart: new Date("2026-12-09T00:00:00Z"), cents: 30_000n },
      { dayStart: new Date("2026-12-01T00:00:00Z"), cents: 30_000n },
      { dayStart: new Date("2026-12-05T00:00:00Z"), cents: 50_000n },
    ];
    const f = budgetForecast({ budgetCents: BUDGET, dailyCents, month: december, now: halfway, timeZone: UTC });
    expect(f.spentCents).toBe(110_000n);
    expect(f.runOut).toEqual({ kind: "exceeded", day: new Date("2026-12-09T00:00:00Z") });
    expect(runOutLabel({ runOut: f.runOut, timeZone: UTC })).toBe("Exceeded on 2026-12-09");
    // Exactly the budget counts as run out that day.
    const exact = budgetForecast({ budgetCents: 80_000n, dailyCents, month: december, now: halfway, timeZone: UTC });
    expect(exact.runOut).toEqual({ kind: "exceeded", day: new Date("2026-12-05T00:00:00Z") });
  });

  it("agrees with the projection: runs out this month exactly when the projection is over the budget", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10_000_000n }), fc.bigInt({ min: 1n, max: 10_000_000n }), fc.integer({ min: 1, max: 31 * 86_400_000 }), (cents, budgetCents, elapsedMs) => {
        const f = forecast(cents, new Date(december.start.getTime() + elapsedMs), budgetCents);
        if (f.runOut.kind === "on") expect(f.projectedCents!).toBeGreaterThanOrEqual(budgetCents);
        if (f.runOut.kind === "notThisMonth") expect(f.projectedCents!).toBeLessThanOrEqual(budgetCents);
        if (f.runOut.kind === "exceeded") expect(cents).toBeGreaterThanOrEqual(budgetCents);
      }),
    );
  });
});

describe("ranking and message", () => {
  const team = (name: string, cents: bigint, budgetCents = BUDGET) => ({ team: { name }, forecast: forecast(cents, halfway, budgetCents) });

  it("ranks actual crossings before projected ones, then the higher share; leaves out teams below 80%", () => {
    const ranked = rankBudgetAlerts([
      team("Projected 180%", 90_000n, 100_000n), // actual 90% → actual group
      team("Projected 130%", 65_000n),
      team("Quiet", 10_000n),
      team("Over", 120_000n),
      team("Projected 90%", 45_000n),
      team("No budget", 120_000n, 0n),
    ]);
    expect(ranked.map((r) => [r.team.name, r.actual, r.projected])).toEqual([
      ["Over", 100, 100],
      ["Projected 180%", 80, 100],
      ["Projected 130%", null, 100],
      ["Projected 90%", null, 80],
    ]);
  });

  it("says what crossed with the figures and the run-out day", () => {
    const f = forecast(60_000n);
    const text = budgetAlertText({ teamName: "Research", month: "2026-12", thresholdPct: 100, basis: "projected", forecast: f, timeZone: UTC, linkPath: "/teams/research" });
    expect(text).toBe(
      "Budget alert: Research is projected to spend $1,200.00 in 2026-12, 120.0% of its $1,000.00 budget (100% threshold, projected). Spent so far: $600.00. Budget runs out: 2026-12-26. /teams/research (UTC)",
    );
    const actual = budgetAlertText({ teamName: "Research", month: "2026-12", thresholdPct: 80, basis: "actual", forecast: forecast(85_000n), timeZone: UTC, linkPath: "/teams/research" });
    expect(actual).toContain("has spent $850.00 of its $1,000.00 budget for 2026-12 (85.0%, 80% threshold reached)");
    expect(actual).toContain("Projected month-end: $1,700.00");
  });
});
