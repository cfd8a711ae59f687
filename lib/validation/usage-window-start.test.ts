import { describe, expect, it } from "vitest";
import { parseUsageWindowStart, usageWindowStartSegment } from "./usage-window-start";

describe("parseUsageWindowStart", () => {
  const start = new Date("2026-11-18T00:00:00Z");
  it.each([
    ["epoch ms", "1794960000000", start],
    ["ISO with Z", "2026-11-18T00:00:00Z", start],
    ["ISO with an offset", "2026-11-18T01:00:00+01:00", start],
    ["ISO with milliseconds", "2026-11-18T00:00:00.000Z", start],
    ["a Date", start, start],
    ["a number", 1794960000000, start],
  ])("reads %s", (_label, value, expected) => {
    expect(parseUsageWindowStart(value)).toEqual(expected);
  });

  it.each([
    ["empty", ""],
    ["local time without a zone", "2026-11-18T00:00"],
    ["a date only", "2026-11-18"],
    ["negative", "-1"],
    ["before 2000", "0"],
    ["too many digits", "9".repeat(16)],
    ["an impossible date", "2026-02-30T00:00:00Z"],
    ["a fraction", "1794960000000.5"],
    ["an object", { toString: (): string => "1794960000000" }],
    ["an invalid Date", new Date(Number.NaN)],
    ["injection", "1794960000000; drop table x"],
  ])("refuses %s", (_label, value) => {
    expect(parseUsageWindowStart(value)).toBeNull();
  });

  it("round-trips through the URL segment", () => {
    expect(parseUsageWindowStart(usageWindowStartSegment(start))).toEqual(start);
  });
});
