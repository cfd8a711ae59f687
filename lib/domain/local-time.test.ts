import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tzOffset } from "@date-fns/tz";
import { instantToLocal, localToInstant, pad2, utcFields, wallClock, zoneOffsetMinutes } from "./local-time";

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

describe("wallClock and zoneOffsetMinutes (hour-cached offsets)", () => {
  const ZONES = ["UTC", "America/Los_Angeles", "America/New_York", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"];
  // 2024-01-01 … 2028-01-01: every DST change of these zones in between, at any millisecond.
  const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) });
  const formats = new Map(
    ZONES.map((timeZone) => [
      timeZone,
      new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }),
    ]),
  );

  it("agrees with tzOffset and Intl at any instant, DST changes included", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, fc.integer({ min: -90 * 60_000, max: 90 * 60_000 }), (zone, base, nudge) => {
        for (const ms of [base, base + nudge]) {
          expect(zoneOffsetMinutes(zone, ms)).toBe(tzOffset(zone, new Date(ms)));
          const parts = Object.fromEntries(formats.get(zone)!.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
          const w = wallClock(new Date(ms), zone)!;
          expect(`${w.year}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`).toBe(
            `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`,
          );
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("is exact at the millisecond around a change (New York falls back at 06:00 UTC on 2026-11-01)", () => {
    const change = Date.UTC(2026, 10, 1, 6);
    expect(zoneOffsetMinutes("America/New_York", change - 1)).toBe(-240);
    expect(zoneOffsetMinutes("America/New_York", change)).toBe(-300);
    expect(wallClock(new Date(change - 1), "America/New_York")).toMatchObject({ hour: 1, minute: 59, second: 59, offsetMinutes: -240 });
    expect(wallClock(new Date(change), "America/New_York")).toMatchObject({ hour: 1, minute: 0, second: 0, offsetMinutes: -300 });
  });

  it("leaves what it can't write to the caller: invalid instants, five-digit years, unknown zones", () => {
    expect(wallClock(new Date(Number.NaN), "UTC")).toBeNull();
    expect(wallClock(new Date(Date.UTC(10_000, 0, 1)), "UTC")).toBeNull();
    expect(wallClock(new Date(), "Mars/Olympus")).toBeNull();
  });
});

describe("utcFields", () => {
  it("is what a Date says in UTC, for any millisecond of years 1000–9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        const d = new Date(ms);
        expect(utcFields(ms)).toEqual({
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
          offsetMinutes: 0,
        });
      }),
      { numRuns: 5_000 },
    );
  });
});
