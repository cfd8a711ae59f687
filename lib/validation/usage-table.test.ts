import { describe, expect, it } from "vitest";
import { MAX_RECORDS_LISTED_BY_DEFAULT, parseUsageTableParams, resolveUsageBy } from "./usage-table";

describe("usage table params", () => {
  it.each([
    { query: {}, parsed: { usageBy: undefined, usagePage: 1 } },
    { query: { usageBy: "hour", usagePage: "3" }, parsed: { usageBy: "hour", usagePage: 3 } },
    { query: { usageBy: "week", usagePage: "0" }, parsed: { usageBy: undefined, usagePage: 1 }, edge: "unknown grain and page 0 fall back" },
    { query: { usageBy: ["day", "hour"], usagePage: "2.5" }, parsed: { usageBy: "day", usagePage: 1 }, edge: "repeated param: the first; fractional page: 1" },
    { query: { usagePage: "abc" }, parsed: { usageBy: undefined, usagePage: 1 } },
  ])("$query → $parsed", ({ query, parsed }) => {
    expect(parseUsageTableParams(query)).toEqual(parsed);
  });

  it("defaults to records up to the limit, then days; an explicit choice wins", () => {
    expect(resolveUsageBy({ asked: undefined, recordsInRange: MAX_RECORDS_LISTED_BY_DEFAULT })).toBe("record");
    expect(resolveUsageBy({ asked: undefined, recordsInRange: MAX_RECORDS_LISTED_BY_DEFAULT + 1 })).toBe("day");
    expect(resolveUsageBy({ asked: "hour", recordsInRange: 0 })).toBe("hour");
    expect(resolveUsageBy({ asked: "record", recordsInRange: 100_000 })).toBe("record");
  });
});
