import { describe, expect, it } from "vitest";
import { comparisonPeriod, projectMonthEnd, relativeChange } from "./burn-rate";
import { lastDays, monthToDate } from "./date-ranges";
import { formatPeriod } from "./labels";

const november = { start: new Date("2026-11-01T00:00:00Z"), end: new Date("2026-12-01T00:00:00Z") };

describe("burn rate", () => {
  it.each([
    ["10 of 30 days elapsed: ×3", new Date("2026-11-11T00:00:00Z"), 1_000_000n, 3_000_000n],
    ["half a day in: ×60", new Date("2026-11-01T12:00:00Z"), 7n, 420n],
    ["month over: the spend itself", new Date("2026-12-05T00:00:00Z"), 5_000_000n, 5_000_000n],
  ])("projects month-end spend: %s", (_label, now, spentCents, expected) => {
    expect(projectMonthEnd({ spentCents, month: november, now })).toBe(expected);
  });

  it("has no projection before the month starts", () => {
    expect(projectMonthEnd({ spentCents: 0n, month: november, now: new Date("2026-10-31T00:00:00Z") })).toBeNull();
  });

  it("compares with nothing when the previous period cost nothing", () => {
    expect(relativeChange({ current: 5n, previous: 0n })).toBeNull();
    expect(relativeChange({ current: 150n, previous: 100n })).toBe(0.5);
  });

  const london = "Europe/London";
  const periods = (c: ReturnType<typeof comparisonPeriod>, timeZone = london) =>
    c && [formatPeriod({ range: c.current, timeZone }), formatPeriod({ range: c.previous, timeZone })];

  it.each([
    {
      edge: "this month on Nov 30 at 20:40: 29 days + 20:40 of October, Oct 31 outside both",
      now: "2026-11-30T20:40:00Z",
      range: monthToDate({ now: new Date("2026-11-30T20:40:00Z"), timeZone: london }),
      expected: ["2026-11-01 – 2026-11-30 20:40", "2026-10-01 – 2026-10-30 20:40"],
    },
    {
      edge: "last 30 days covering the same dates compares the same way",
      now: "2026-11-30T20:40:00Z",
      range: lastDays({ now: new Date("2026-11-30T20:40:00Z"), days: 30, timeZone: london }),
      expected: ["2026-11-01 – 2026-11-30 20:40", "2026-10-01 – 2026-10-30 20:40"],
    },
    {
      edge: "a whole month compares with the whole month before, DST day (25 h, Oct 25) included",
      now: "2026-11-30T20:40:00Z",
      range: { start: new Date("2026-10-01T00:00:00+01:00"), end: new Date("2026-11-01T00:00:00Z") },
      expected: ["2026-10-01 – 2026-10-31", "2026-09-01 – 2026-09-30"],
    },
    {
      edge: "November in full compares with October in full (31 days), month-to-date past its end",
      now: "2026-12-05T10:00:00Z",
      range: { start: new Date("2026-11-01T00:00:00Z"), end: new Date("2026-12-01T00:00:00Z") },
      expected: ["2026-11-01 – 2026-11-30", "2026-10-01 – 2026-10-31"],
    },
    {
      edge: "7 days over the DST change: the 7 local days before, as partial as today",
      now: "2026-10-28T06:30:00Z",
      range: lastDays({ now: new Date("2026-10-28T06:30:00Z"), days: 7, timeZone: london }),
      expected: ["2026-10-22 – 2026-10-28 06:30", "2026-10-15 – 2026-10-21 06:30"],
    },
  ])("$edge", ({ now, range, expected }) => {
    expect(periods(comparisonPeriod({ range, now: new Date(now), timeZone: london }))).toEqual(expected);
  });

  it("has nothing to compare before the range starts", () => {
    expect(comparisonPeriod({ range: november, now: new Date("2026-10-01T00:00:00Z"), timeZone: "UTC" })).toBeNull();
  });
});
