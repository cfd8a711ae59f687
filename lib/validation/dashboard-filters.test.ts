import { describe, expect, it } from "vitest";
import { filtersToSearch, parseDashboardFilters, resolveRange, unitForRange } from "./dashboard-filters";

const now = new Date("2026-11-21T10:00:00Z");
const params = (notices: { param: string }[]) => notices.map((n) => n.param);

describe("dashboard filters", () => {
  it("applies no malformed value and names every refused parameter", () => {
    const { filters, notices } = parseDashboardFilters({ range: "forever", team: "Bad Slug!", gpu: "-3", from: "yesterday", tz: "mars" });
    expect(filters).toEqual({ range: "30d", tz: "org" });
    expect(params(notices)).toEqual(["range", "tz", "from", "team", "gpu"]);
    expect(notices[0]!.message).toMatch(/^range "forever" must be one of/);
  });

  it("uses the page's default range", () => {
    expect(parseDashboardFilters({}, { range: "mtd" }).filters).toEqual({ range: "mtd", tz: "org" });
  });

  it("takes the first of repeated parameters", () => {
    expect(parseDashboardFilters({ range: ["7d", "90d"], team: ["research"] }).filters).toMatchObject({ range: "7d", team: "research" });
  });

  it.each([
    { edge: "NUL byte", query: { model: "\u0000" }, param: "model" },
    { edge: "over-long model", query: { model: "m".repeat(201) }, param: "model" },
    { edge: "year 0000", query: { range: "custom", from: "0000-01-01", to: "0001-01-01" }, param: "from" },
    { edge: "after 2100", query: { from: "2026-01-01", to: "2101-01-01" }, param: "to" },
    { edge: "not a calendar date", query: { from: "2026-02-30" }, param: "from" },
    { edge: "reversed dates", query: { range: "custom", from: "2026-03-08", to: "2026-03-01" }, param: "to" },
    { edge: "To without From", query: { to: "2026-03-01" }, param: "from" },
    { edge: "GPU id past int4", query: { gpu: "99999999999" }, param: "gpu" },
  ])("refuses $edge by name and leaves it unapplied", ({ query, param }) => {
    const { filters, notices } = parseDashboardFilters(query);
    expect(params(notices)).toContain(param);
    expect(filters.from).toBeUndefined();
    expect(filters.model).toBeUndefined();
    expect(filters.gpu).toBeUndefined();
  });

  it("switches to a custom range when From/To are picked, whatever the range says", () => {
    expect(parseDashboardFilters({ range: "7d", from: "2026-03-01", to: "2026-03-31" }).filters).toMatchObject({ range: "custom", from: "2026-03-01", to: "2026-03-31" });
    expect(parseDashboardFilters({ from: "2026-03-01" }).filters).toMatchObject({ range: "custom", from: "2026-03-01" });
  });

  it.each([
    ["mtd", {}, "2026-11-01T07:00:00.000Z", "2026-11-22T08:00:00.000Z"],
    ["last-month", {}, "2026-10-01T07:00:00.000Z", "2026-11-01T07:00:00.000Z"],
    ["custom", { from: "2026-03-07", to: "2026-03-08" }, "2026-03-07T08:00:00.000Z", "2026-03-09T07:00:00.000Z"],
    ["custom", { from: "2026-11-01" }, "2026-11-01T07:00:00.000Z", "2026-11-22T08:00:00.000Z"],
  ] as const)("%s %o in Los Angeles", (range, extra, start, end) => {
    const resolved = resolveRange({ filters: parseDashboardFilters({ range, ...extra }).filters, now, timeZone: "America/Los_Angeles" });
    expect([resolved.start.toISOString(), resolved.end.toISOString()]).toEqual([start, end]);
  });

  it("picks a readable granularity", () => {
    const day = 86_400_000;
    const range = (days: number) => ({ start: new Date(0), end: new Date(days * day) });
    expect([1, 2, 30, 95, 365, 800].map((d) => unitForRange(range(d)))).toEqual(["hour", "hour", "day", "day", "week", "month"]);
  });

  it("writes links without empty values, keeps the zone unless it is the org's, and drops dates unless the range is custom", () => {
    expect(filtersToSearch({ range: "7d", team: "research", from: "2026-01-01", model: undefined, tz: "org" })).toBe("?range=7d&team=research");
    expect(filtersToSearch({ range: "custom", from: "2026-01-01", to: "2026-01-31", tz: "utc" })).toBe("?range=custom&from=2026-01-01&to=2026-01-31&tz=utc");
  });
});
