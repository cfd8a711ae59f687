import { describe, expect, it } from "vitest";
import { comparisonRange, projectMonthEnd, relativeChange } from "./burn-rate";

const november = { start: new Date("2026-11-01T00:00:00Z"), end: new Date("2026-12-01T00:00:00Z") };

describe("burn rate", () => {
  it.each([
    ["10 of 30 days elapsed: ×3", new Date("2026-11-11T00:00:00Z"), 1_000_000n, 3_000_000n],
    ["half a day in: ×60", new Date("2026-11-01T12:00:00Z"), 7n, 420n],
    ["month over: the spend itself", new Date("2026-12-05T00:00:00Z"), 5_000_000n, 5_000_000n],
  ])("projects month-end spend: %s", (_label, now, spentMicros, expected) => {
    expect(projectMonthEnd({ spentMicros, month: november, now })).toBe(expected);
  });

  it("has no projection before the month starts", () => {
    expect(projectMonthEnd({ spentMicros: 0n, month: november, now: new Date("2026-10-31T00:00:00Z") })).toBeNull();
  });

  it("compares with nothing when the previous period cost nothing", () => {
    expect(relativeChange({ current: 5n, previous: 0n })).toBeNull();
    expect(relativeChange({ current: 150n, previous: 100n })).toBe(0.5);
  });

  it("compares month to date with the same days of last month, other ranges with the period before", () => {
    const mtd = { start: november.start, end: new Date("2026-11-11T00:00:00Z") };
    const october = { start: new Date("2026-10-01T00:00:00Z"), end: november.start };
    expect(comparisonRange({ range: mtd, isMonthToDate: true, previousMonth: october })).toEqual({ start: october.start, end: new Date("2026-10-11T00:00:00Z") });
    expect(comparisonRange({ range: mtd, isMonthToDate: false, previousMonth: october })).toEqual({ start: new Date("2026-10-22T00:00:00Z"), end: november.start });
  });
});
