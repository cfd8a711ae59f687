import { describe, expect, it } from "vitest";
import { filtersToSearch, parseDashboardFilters, resolveRange, unitForRange } from "./dashboard-filters";

const now = new Date("2026-11-21T10:00:00Z");

describe("dashboard filters", () => {
  it("defaults to the last 30 days and ignores malformed values", () => {
    expect(parseDashboardFilters({ range: "forever", team: "Bad Slug!", gpu: "-3", from: "yesterday" })).toEqual({ range: "30d" });
  });

  it("takes the first of repeated parameters", () => {
    expect(parseDashboardFilters({ range: ["7d", "90d"], team: ["research"] })).toMatchObject({ range: "7d", team: "research" });
  });

  it.each([
    ["mtd", {}, "2026-11-01T07:00:00.000Z", "2026-11-22T08:00:00.000Z"],
    ["last-month", {}, "2026-10-01T07:00:00.000Z", "2026-11-01T07:00:00.000Z"],
    ["custom", { from: "2026-03-07", to: "2026-03-08" }, "2026-03-07T08:00:00.000Z", "2026-03-09T07:00:00.000Z"],
    ["custom", { from: "2026-03-08", to: "2026-03-01" }, "2026-10-23T07:00:00.000Z", "2026-11-22T08:00:00.000Z"],
  ] as const)("%s %o in Los Angeles", (range, extra, start, end) => {
    const resolved = resolveRange({ filters: parseDashboardFilters({ range, ...extra }), now, timeZone: "America/Los_Angeles" });
    expect([resolved.start.toISOString(), resolved.end.toISOString()]).toEqual([start, end]);
  });

  it("picks a readable granularity", () => {
    const day = 86_400_000;
    const range = (days: number) => ({ start: new Date(0), end: new Date(days * day) });
    expect([1, 2, 30, 95, 365, 800].map((d) => unitForRange(range(d)))).toEqual(["hour", "hour", "day", "day", "week", "month"]);
  });

  it("writes links without empty values and drops dates unless the range is custom", () => {
    expect(filtersToSearch({ range: "7d", team: "research", from: "2026-01-01", model: undefined })).toBe("?range=7d&team=research");
    expect(filtersToSearch({ range: "custom", from: "2026-01-01", to: "2026-01-31" })).toBe("?range=custom&from=2026-01-01&to=2026-01-31");
  });
});
