import { describe, expect, it } from "vitest";
import { calendarMonth, lastDays, monthToDate } from "./date-ranges";

const now = new Date("2026-03-10T15:00:00Z");

describe("report ranges", () => {
  it.each([
    ["last 7 days in New York span the spring-forward day (one 23-hour day)", lastDays({ now, days: 7, timeZone: "America/New_York" }), "2026-03-04T05:00:00.000Z", "2026-03-11T04:00:00.000Z"],
    ["month to date in Kathmandu starts at 18:15 UTC the day before", monthToDate({ now, timeZone: "Asia/Kathmandu" }), "2026-02-28T18:15:00.000Z", "2026-03-10T18:15:00.000Z"],
    ["last month in Los Angeles", calendarMonth({ now, timeZone: "America/Los_Angeles", offset: 1 }), "2026-02-01T08:00:00.000Z", "2026-03-01T08:00:00.000Z"],
    ["this whole month in UTC", calendarMonth({ now, timeZone: "UTC", offset: 0 }), "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"],
  ])("%s", (_label, range, start, end) => {
    expect([range.start.toISOString(), range.end.toISOString()]).toEqual([start, end]);
  });
});
