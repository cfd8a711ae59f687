import { describe, expect, it } from "vitest";
import { timeAgoLabel } from "./relative-time";

const now = new Date("2026-12-01T12:00:00Z");
const ago = (ms: number) => timeAgoLabel({ instant: new Date(now.getTime() - ms), now });

describe("timeAgoLabel", () => {
  it.each([
    ["under a minute", 59_999, "just now"],
    ["a clock a little ahead (future instant)", -5_000, "just now"],
    ["exactly a minute", 60_000, "1 minute ago"],
    ["59 minutes 59 seconds rounds down", 3_599_000, "59 minutes ago"],
    ["one hour", 3_600_000, "1 hour ago"],
    ["23 hours", 23 * 3_600_000, "23 hours ago"],
    ["one day", 86_400_000, "1 day ago"],
    ["29 days", 29 * 86_400_000, "29 days ago"],
    ["30 days is a month", 30 * 86_400_000, "1 month ago"],
    ["400 days", 400 * 86_400_000, "1 year ago"],
  ])("%s", (_label, ms, expected) => {
    expect(ago(ms)).toBe(expected);
  });
});
