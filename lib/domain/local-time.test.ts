import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantToLocal, localToInstant } from "./local-time";

const at = (local: string, timeZone: string) => {
  const result = localToInstant({ local, timeZone });
  return result.ok ? result.instant.toISOString() : result.reason;
};

describe("localToInstant", () => {
  it.each([
    ["2026-11-20T10:00", "UTC", "2026-11-20T10:00:00.000Z"],
    ["2026-11-20 10:00:30", "Europe/London", "2026-11-20T10:00:30.000Z"],
    ["2026-07-01T10:00", "Europe/London", "2026-07-01T09:00:00.000Z"],
    ["2026-11-20T10:00", "Asia/Kolkata", "2026-11-20T04:30:00.000Z"],
    ["2026-11-20T10:00", "Asia/Kathmandu", "2026-11-20T04:15:00.000Z"],
    ["2026-11-20T10:00:00.250", "America/New_York", "2026-11-20T15:00:00.250Z"],
    // New York falls back on 2026-11-01: 01:30 happens twice; the first (EDT) is taken.
    ["2026-11-01T01:30", "America/New_York", "2026-11-01T05:30:00.000Z"],
    ["2026-11-01T02:30", "America/New_York", "2026-11-01T07:30:00.000Z"],
    // ...and springs forward on 2026-03-08: 02:30 never happens.
    ["2026-03-08T02:30", "America/New_York", "skipped"],
    ["2026-03-08T03:00", "America/New_York", "2026-03-08T07:00:00.000Z"],
    ["2026-02-30T10:00", "UTC", "invalidDate"],
    ["2026-11-20T24:00", "UTC", "invalidDate"],
    ["2026-11-20", "UTC", "format"],
    ["2026-11-20T10:00Z", "UTC", "format"],
    ["2026-11-20T10:00", "Mars/Olympus", "unknownZone"],
  ])("%s in %s → %s", (local, zone, expected) => {
    expect(at(local, zone)).toBe(expected);
  });

  it("round-trips through instantToLocal at minute precision in every tested zone", () => {
    const zones = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1) / 60_000, max: Date.UTC(2040, 0, 1) / 60_000 }), fc.constantFrom(...zones), (minute, timeZone) => {
        const instant = new Date(minute * 60_000);
        const local = instantToLocal({ instant, timeZone });
        const back = localToInstant({ local, timeZone });
        expect(back.ok).toBe(true);
        // A repeated hour maps back to its first occurrence, which is never later.
        if (back.ok) expect(back.instant.getTime()).toBeLessThanOrEqual(instant.getTime());
        if (back.ok) expect(instantToLocal({ instant: back.instant, timeZone })).toBe(local);
      }),
    );
  });
});
