import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BucketUnit, bucketStart, bucketsBetween, isHourAligned } from "./calendar";

const HOUR = 3_600_000;
const QUARTER_HOUR = 900_000;
const at = (iso: string) => new Date(iso);
const hoursLong = (b: { start: Date; end: Date }) => (b.end.getTime() - b.start.getTime()) / HOUR;
const between = (from: string, to: string, unit: BucketUnit, timeZone: string) =>
  bucketsBetween({ from: at(from), to: at(to), unit, timeZone });
const startOf = (instant: string, unit: BucketUnit, timeZone: string) => bucketStart({ instant: at(instant), unit, timeZone });

describe("bucketStart / bucketsBetween: labelled edges", () => {
  // [edge, zone, an instant in the day, day start (UTC), day length in hours]
  it.each([
    ["23h DST day", "America/New_York", "2024-03-10T12:00Z", "2024-03-10T05:00Z", 23],
    ["25h DST day", "America/New_York", "2024-11-03T12:00Z", "2024-11-03T04:00Z", 25],
    ["23h DST day", "Europe/Berlin", "2024-03-31T12:00Z", "2024-03-30T23:00Z", 23],
    ["25h DST day", "Europe/Berlin", "2024-10-27T12:00Z", "2024-10-26T22:00Z", 25],
    ["+05:45: the day starts 18:15 UTC", "Asia/Kathmandu", "2024-03-10T12:00Z", "2024-03-09T18:15Z", 24],
    ["+05:30: the day starts 18:30 UTC", "Asia/Kolkata", "2024-03-10T12:00Z", "2024-03-09T18:30Z", 24],
    ["a repeated midnight: the first one starts the day", "America/Havana", "2024-11-03T12:00Z", "2024-11-03T04:00Z", 25],
    ["a skipped midnight: the transition starts the day", "America/Santiago", "2024-09-08T12:00Z", "2024-09-08T04:00Z", 23],
  ] as const)("day: %s (%s)", (_edge, timeZone, instant, start, hours) => {
    expect(bucketStart({ instant: at(instant), unit: "day", timeZone })).toEqual(at(start));
    const [bucket] = bucketsBetween({ from: at(instant), to: new Date(at(instant).getTime() + 1), unit: "day", timeZone });
    expect(bucket?.start).toEqual(at(start));
    expect(hoursLong(bucket!)).toBe(hours);
  });

  // [edge, zone, an instant in the month, month start, month end (UTC)]
  it.each([
    ["starts 18:15 UTC the day before", "Asia/Kathmandu", "2024-03-15T00:00Z", "2024-02-29T18:15Z", "2024-03-31T18:15Z"],
    ["leap February", "UTC", "2024-02-29T23:59:59.999Z", "2024-02-01T00:00Z", "2024-03-01T00:00Z"],
    ["with a DST change", "Europe/Berlin", "2024-03-31T12:00Z", "2024-02-29T23:00Z", "2024-03-31T22:00Z"],
  ] as const)("month: %s (%s)", (_edge, timeZone, instant, start, end) => {
    const [bucket] = bucketsBetween({ from: at(instant), to: new Date(at(instant).getTime() + 1), unit: "month", timeZone });
    expect(bucket).toEqual({ start: at(start), end: at(end) });
  });

  it("weeks start on Monday (ISO): a Sunday belongs to the week before; a DST week is 167h", () => {
    const [week] = between("2024-03-31T12:00Z", "2024-03-31T12:00:00.001Z", "week", "Europe/Berlin");
    expect(week?.start).toEqual(at("2024-03-24T23:00Z")); // Monday 25 March, 00:00 CET
    expect(hoursLong(week!)).toBe(167);
  });

  it("hour buckets on a 25h day: 25 one-hour buckets, the repeated 01:00 twice", () => {
    const buckets = between("2024-11-03T04:00Z", "2024-11-04T05:00Z", "hour", "America/New_York");
    expect(buckets).toHaveLength(25);
    expect(buckets.every((b) => hoursLong(b) === 1)).toBe(true);
    expect(startOf("2024-11-03T06:30Z", "hour", "America/New_York")).toEqual(at("2024-11-03T06:00:00.000Z"));
  });

  it("hour buckets on a 23h day: 23 buckets", () => {
    const buckets = between("2024-03-10T05:00Z", "2024-03-11T04:00Z", "hour", "America/New_York");
    expect(buckets).toHaveLength(23);
  });

  it("hour buckets in Asia/Kathmandu start at :15 UTC", () => {
    const buckets = between("2024-03-10T00:00Z", "2024-03-10T03:00Z", "hour", "Asia/Kathmandu");
    expect(buckets.map((b) => b.start.toISOString().slice(11, 16))).toEqual(["23:15", "00:15", "01:15", "02:15"]);
  });

  it("a 30-minute DST shift makes a 30-minute hour bucket (Australia/Lord_Howe)", () => {
    const buckets = between("2024-10-05T14:30Z", "2024-10-05T17:00Z", "hour", "Australia/Lord_Howe");
    expect(buckets.map(hoursLong)).toEqual([1, 0.5, 1]);
    expect(startOf("2024-10-05T15:45Z", "hour", "Australia/Lord_Howe")).toEqual(at("2024-10-05T15:30:00.000Z"));
  });

  it("a transition off the hour cuts the hour bucket there (America/St_Johns fell back at 00:01 in 2010)", () => {
    const buckets = between("2010-11-07T02:00Z", "2010-11-07T04:00Z", "hour", "America/St_Johns");
    expect(buckets.map((b) => [b.start.toISOString().slice(11, 16), hoursLong(b) * 60])).toEqual([
      ["01:30", 60],
      ["02:30", 1],
      ["02:31", 59],
      ["03:30", 60],
    ]);
  });

  it("a calendar day the zone skipped has no bucket (Pacific/Apia: 29 December 2011, then the 31st)", () => {
    const buckets = between("2011-12-29T10:00Z", "2011-12-31T10:00Z", "day", "Pacific/Apia");
    expect(buckets.map((b) => b.start.toISOString())).toEqual(["2011-12-29T10:00:00.000Z", "2011-12-30T10:00:00.000Z"]);
  });

  it("never returns a start after the instant (repeated hour, Europe/Berlin)", () => {
    expect(startOf("2024-10-27T00:30Z", "hour", "Europe/Berlin")).toEqual(at("2024-10-27T00:00:00.000Z"));
  });

  it("an empty range has no buckets", () => {
    expect(between("2024-01-01T00:00Z", "2024-01-01T00:00Z", "day", "UTC")).toEqual([]);
  });

  it("rejects an unknown time zone", () => {
    expect(() => startOf("2024-01-01T00:00Z", "day", "Mars/Olympus_Mons")).toThrow(RangeError);
  });
});

describe("isHourAligned", () => {
  const year = { from: at("2024-01-01T00:00Z"), to: at("2025-01-01T00:00Z") };
  it.each([
    { timeZone: "UTC", expected: true },
    { timeZone: "America/New_York", expected: true },
    { timeZone: "Europe/Berlin", expected: true },
    { timeZone: "Asia/Kolkata", expected: false },
    { timeZone: "Asia/Kathmandu", expected: false },
    { timeZone: "America/St_Johns", expected: false },
    { timeZone: "Australia/Lord_Howe", expected: false },
  ])("$timeZone over 2024 → $expected", ({ timeZone, expected }) => {
    expect(isHourAligned({ timeZone, ...year })).toBe(expected);
  });

  it("is false for a single day in a half-hour zone (Australia/Adelaide, +09:30 in July)", () => {
    const day = { from: at("2024-07-01T00:00Z"), to: at("2024-07-02T00:00Z") };
    expect(isHourAligned({ timeZone: "Australia/Adelaide", ...day })).toBe(false);
  });
});

describe("bucketsBetween against a brute-force oracle", () => {
  const zones = [
    ...["UTC", "America/New_York", "Europe/Berlin", "Asia/Kathmandu", "Asia/Kolkata"],
    ...["America/Santiago", "Australia/Lord_Howe", "America/St_Johns", "America/Havana"],
  ];
  // DST changes (by local date) to start near, so most runs cross one.
  const zoneTransitions = [
    ["America/New_York", "2024-03-10"],
    ["America/New_York", "2024-11-03"],
    ["Europe/Berlin", "2024-03-31"],
    ["Europe/Berlin", "2024-10-27"],
    ["America/Santiago", "2024-04-07"],
    ["America/Santiago", "2024-09-08"],
    ["Australia/Lord_Howe", "2024-04-07"],
    ["Australia/Lord_Howe", "2024-10-06"],
    ["America/Havana", "2024-03-10"],
    ["America/Havana", "2024-11-03"],
    ["America/St_Johns", "2024-11-03"],
  ] as const;
  const formatters = new Map<string, Intl.DateTimeFormat>();

  /** Local calendar fields and offset, straight from Intl. */
  function localParts(timeZone: string, epochMs: number): Record<string, string> {
    let format = formatters.get(timeZone);
    if (!format) {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        hourCycle: "h23",
        timeZoneName: "longOffset",
      });
      formatters.set(timeZone, format);
    }
    return Object.fromEntries(format.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  }

  /** Which bucket an instant is in, by its local calendar fields alone. */
  function bucketLabel(timeZone: string, unit: BucketUnit, epochMs: number): string {
    const { year, month, day, hour, timeZoneName } = localParts(timeZone, epochMs);
    if (unit === "hour") return `${year}-${month}-${day} ${hour} ${timeZoneName}`;
    if (unit === "day") return `${year}-${month}-${day}`;
    if (unit === "month") return `${year}-${month}`;
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    const monday = new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * 86_400_000);
    return monday.toISOString().slice(0, 10);
  }

  // Every offset and transition in these zones (since 1980) is on a quarter
  // hour, so scanning quarter hours finds every boundary.
  it("finds exactly the instants where the local bucket label changes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(
            fc.constantFrom(...zones),
            fc.integer({ min: Date.UTC(2015, 0, 1) / QUARTER_HOUR, max: Date.UTC(2030, 0, 1) / QUARTER_HOUR }),
          ),
          fc
            .tuple(fc.constantFrom(...zoneTransitions), fc.integer({ min: 0, max: 4 * 48 }))
            .map(([[zone, date], back]) => [zone, Date.parse(`${date}T12:00Z`) / QUARTER_HOUR - back] as const),
        ),
        fc.constantFrom<BucketUnit>("hour", "day", "week", "month"),
        fc.integer({ min: 4 * 24, max: 4 * 24 * 3 }),
        ([timeZone, fromQuarter], unit, quarters) => {
          // Long enough for a couple of boundaries of the unit.
          const spanQuarters = unit === "week" ? quarters * 7 : unit === "month" ? quarters * 20 : quarters;
          const fromMs = fromQuarter * QUARTER_HOUR;
          const toMs = fromMs + spanQuarters * QUARTER_HOUR;
          const buckets = bucketsBetween({ from: new Date(fromMs), to: new Date(toMs), unit, timeZone });

          const expectedStarts: number[] = [];
          for (let t = fromMs + QUARTER_HOUR; t < toMs; t += QUARTER_HOUR) {
            if (bucketLabel(timeZone, unit, t) !== bucketLabel(timeZone, unit, t - QUARTER_HOUR)) expectedStarts.push(t);
          }
          const starts = buckets.map((b) => b.start.getTime());
          expect(starts.slice(1)).toEqual(expectedStarts);
          expect(starts[0]).toBeLessThanOrEqual(fromMs);
          expect(bucketLabel(timeZone, unit, starts[0]!)).toBe(bucketLabel(timeZone, unit, fromMs));
          expect(bucketLabel(timeZone, unit, starts[0]! - 1)).not.toBe(bucketLabel(timeZone, unit, fromMs));
          expect(buckets.at(-1)!.end.getTime()).toBeGreaterThanOrEqual(toMs);
          buckets.forEach((b, i) => {
            if (i > 0) expect(b.start).toEqual(buckets[i - 1]!.end);
            expect(bucketStart({ instant: new Date(b.end.getTime() - 1), unit, timeZone })).toEqual(b.start);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
