import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketsBetween } from "./calendar";
import { prorateAmount, prorateOverTime, splitIntervalByBuckets } from "./proration";

const HOUR = 3_600_000;

describe("splitIntervalByBuckets", () => {
  it("cuts a run across a month boundary at the month boundary", () => {
    const interval = { start: new Date("2024-01-31T20:00Z"), end: new Date("2024-02-01T04:00Z") };
    const buckets = bucketsBetween({ from: interval.start, to: interval.end, unit: "month", timeZone: "UTC" });
    expect(splitIntervalByBuckets({ interval, buckets }).map((b) => b.overlapMs)).toEqual([4 * HOUR, 4 * HOUR]);
  });

  it("cuts at the zone's month boundary, not UTC's (Asia/Kathmandu, 18:15 UTC)", () => {
    const interval = { start: new Date("2024-01-31T18:00Z"), end: new Date("2024-01-31T19:00Z") };
    const buckets = bucketsBetween({ from: interval.start, to: interval.end, unit: "month", timeZone: "Asia/Kathmandu" });
    expect(splitIntervalByBuckets({ interval, buckets }).map((b) => b.overlapMs / 60_000)).toEqual([15, 45]);
  });
});

describe("prorateAmount", () => {
  it.each([
    {
      edge: "month boundary, odd micro: the running total 5,000,000.5 rounds half-even to 5,000,000",
      amountMicros: 10_000_001n,
      weights: [4 * HOUR, 4 * HOUR],
      parts: [5_000_000n, 5_000_001n],
    },
    {
      edge: "a dollar over three equal days: running totals 333,333 | 666,667 | 1,000,000",
      amountMicros: 1_000_000n,
      weights: [1, 1, 1],
      parts: [333_333n, 333_334n, 333_333n],
    },
    { edge: "a bucket with no time gets nothing", amountMicros: 7n, weights: [0, 5, 0], parts: [0n, 7n, 0n] },
    { edge: "nothing to split", amountMicros: 0n, weights: [0, 0], parts: [0n, 0n] },
  ])("$edge", ({ amountMicros, weights, parts }) => {
    expect(prorateAmount({ amountMicros, weights })).toEqual(parts);
  });

  it("rejects weights that are not non-negative integers", () => {
    expect(() => prorateAmount({ amountMicros: 1n, weights: [0.5] })).toThrow(RangeError);
    expect(() => prorateAmount({ amountMicros: 1n, weights: [-1, 2] })).toThrow(RangeError);
  });

  it("parts sum exactly to the whole and each is within a micro of its exact share", () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 10n ** 13n),
        fc.array(fc.integer({ min: 0, max: 31 * 24 * HOUR }), { minLength: 1, maxLength: 50 }).filter((ws) => ws.some((w) => w > 0)),
        (amountMicros, weights) => {
          const parts = prorateAmount({ amountMicros, weights });
          expect(parts.reduce((s, p) => s + p, 0n)).toBe(amountMicros);
          const weightSum = BigInt(weights.reduce((s, w) => s + w, 0));
          parts.forEach((part, i) => {
            const error = part * weightSum - amountMicros * BigInt(weights[i]!);
            expect(error > -weightSum && error < weightSum).toBe(true);
          });
        },
      ),
    );
  });

  it("merging adjacent weights merges their parts (days add up to the month)", () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 10n ** 13n),
        fc.array(fc.integer({ min: 0, max: 24 * HOUR }), { minLength: 2, maxLength: 40 }).filter((ws) => ws.some((w) => w > 0)),
        fc.nat(),
        (amountMicros, weights, at) => {
          const i = at % (weights.length - 1);
          const merged = [...weights.slice(0, i), weights[i]! + weights[i + 1]!, ...weights.slice(i + 2)];
          const parts = prorateAmount({ amountMicros, weights });
          const mergedParts = prorateAmount({ amountMicros, weights: merged });
          expect(mergedParts[i]).toBe(parts[i]! + parts[i + 1]!);
        },
      ),
    );
  });
});

describe("prorateOverTime", () => {
  const interval = { start: new Date("2024-01-31T19:00Z"), end: new Date("2024-02-01T06:00Z") };

  it("spreads $10 over 11 hours split 5 : 6 at the month boundary", () => {
    const months = bucketsBetween({ from: interval.start, to: interval.end, unit: "month", timeZone: "UTC" });
    expect(prorateOverTime({ amountMicros: 10_000_000n, interval, buckets: months })).toEqual([4_545_455n, 5_454_545n]);
  });

  it("a bucket's part does not depend on the other buckets asked for", () => {
    const days = bucketsBetween({ from: interval.start, to: interval.end, unit: "day", timeZone: "Asia/Kathmandu" });
    const hours = bucketsBetween({ from: interval.start, to: interval.end, unit: "hour", timeZone: "Asia/Kathmandu" });
    const byDay = prorateOverTime({ amountMicros: 7_777_777n, interval, buckets: days });
    const byHour = prorateOverTime({ amountMicros: 7_777_777n, interval, buckets: hours });
    days.forEach((day, d) => {
      const hoursInDay = byHour.filter((_, h) => hours[h]!.start >= day.start && hours[h]!.end <= day.end);
      expect(hoursInDay.reduce((s, p) => s + p, 0n)).toBe(byDay[d]);
    });
    expect(byDay.reduce((s, p) => s + p, 0n)).toBe(7_777_777n);
  });

  it("time outside the interval gets nothing", () => {
    const before = { start: new Date("2024-01-01T00:00Z"), end: interval.start };
    expect(prorateOverTime({ amountMicros: 1_000n, interval, buckets: [before] })).toEqual([0n]);
  });
});
