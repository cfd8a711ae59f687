import { tz } from "@date-fns/tz";
import { format } from "date-fns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDateTime } from "@/lib/domain/labels";
import { localIso, periodLabel } from "./line-csv";

// localIso, periodLabel and formatDateTime write instants from the zone's wall clock (lib/domain/local-time.ts) instead of
// date-fns / Intl, for speed: the text must be what date-fns and Intl write, everywhere.
const ZONES = ["UTC", "America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"];
const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) }).map((ms) => new Date(ms));

describe("export dates from the wall clock", () => {
  it("localIso is date-fns' yyyy-MM-dd'T'HH:mm:ssXXX in the zone", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, at) => {
        expect(localIso(at, zone)).toBe(format(at, "yyyy-MM-dd'T'HH:mm:ssXXX", { in: tz(zone) }));
      }),
      { numRuns: 1_000 },
    );
    expect(localIso(new Date("2026-10-01T00:00:00Z"), "UTC")).toBe("2026-10-01T00:00:00Z");
    expect(localIso(new Date("2026-10-01T07:00:00Z"), "America/Los_Angeles")).toBe("2026-10-01T00:00:00-07:00");
    expect(localIso(new Date("2026-10-01T00:00:00Z"), "Asia/Kathmandu")).toBe("2026-10-01T05:45:00+05:45");
  });

  it("periodLabel is date-fns' yyyy-MM (month lines) or yyyy-MM-dd (day lines) in the zone", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, fc.constantFrom(1, 30), (zone, start, days) => {
        const line = { periodStart: start, periodEnd: new Date(start.getTime() + days * 86_400_000) };
        expect(periodLabel(line, zone)).toBe(format(start, days > 1.5 ? "yyyy-MM" : "yyyy-MM-dd", { in: tz(zone) }));
      }),
      { numRuns: 1_000 },
    );
  });

  it("formatDateTime is Intl's en-CA date and 24-hour time in the zone", () => {
    const formats = new Map(
      ZONES.map((timeZone) => [timeZone, new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })]),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, at) => {
        const parts = Object.fromEntries(formats.get(zone)!.formatToParts(at).map((p) => [p.type, p.value]));
        expect(formatDateTime({ instant: at, timeZone: zone })).toBe(`${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`);
      }),
      { numRuns: 1_000 },
    );
  });
});
