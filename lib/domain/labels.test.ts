import { describe, expect, it } from "vitest";
import { formatDateTime } from "./labels";

describe("formatDateTime", () => {
  it.each([
    ["UTC", "2026-03-08T10:30:00Z", "2026-03-08 10:30"],
    ["America/New_York after the spring-forward", "2026-03-08T10:30:00Z", "2026-03-08 06:30"],
    ["Asia/Kathmandu (+05:45)", "2026-03-08T18:15:00Z", "2026-03-09 00:00"],
  ])("%s", (label, iso, expected) => {
    const timeZone = label.split(" ")[0]!;
    expect(formatDateTime({ instant: new Date(iso), timeZone })).toBe(expected);
  });

  it("shows a dash for no instant", () => {
    expect(formatDateTime({ instant: null, timeZone: "UTC" })).toBe("—");
  });
});
