import { describe, expect, it } from "vitest";
import { timeZoneNames } from "./time-zones";

describe("timeZoneNames", () => {
  const names = timeZoneNames();

  it("lists current IANA names instead of ICU's old ones", () => {
    expect(names).toEqual(expect.arrayContaining(["Asia/Kolkata", "Asia/Kathmandu", "Europe/Kyiv", "Europe/London", "America/New_York"]));
    expect(names).not.toContain("Asia/Calcutta");
    expect(names).not.toContain("Europe/Kiev");
  });

  it("puts UTC first, then sorts, each name once and each accepted by Intl", () => {
    expect(names[0]).toBe("UTC");
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(1)).toEqual([...names.slice(1)].sort((a, b) => a.localeCompare(b, "en")));
    for (const zone of names) expect(() => new Intl.DateTimeFormat("en-US", { timeZone: zone })).not.toThrow();
  });
});
