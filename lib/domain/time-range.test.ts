import { describe, expect, it } from "vitest";
import { durationMs, intersectRanges, overlapMs, runningInterval } from "./time-range";

const at = (iso: string) => new Date(iso);
const range = (start: string, end: string) => ({ start: at(start), end: at(end) });

describe("time ranges", () => {
  it.each([
    { edge: "partial overlap", a: range("2024-01-01T00:00Z", "2024-01-01T10:00Z"), b: range("2024-01-01T08:00Z", "2024-01-02T00:00Z"), ms: 2 * 3_600_000 },
    { edge: "touching ends share nothing (half-open)", a: range("2024-01-01T00:00Z", "2024-01-01T10:00Z"), b: range("2024-01-01T10:00Z", "2024-01-01T12:00Z"), ms: 0 },
    { edge: "containment", a: range("2024-01-01T00:00Z", "2024-01-02T00:00Z"), b: range("2024-01-01T01:00Z", "2024-01-01T02:00Z"), ms: 3_600_000 },
    { edge: "empty range", a: range("2024-01-01T05:00Z", "2024-01-01T05:00Z"), b: range("2024-01-01T00:00Z", "2024-01-02T00:00Z"), ms: 0 },
  ])("overlap: $edge", ({ a, b, ms }) => {
    expect(overlapMs(a, b)).toBe(ms);
    expect(overlapMs(b, a)).toBe(ms);
    expect(intersectRanges(a, b) === null).toBe(ms === 0);
  });

  it("an inverted range has no duration", () => {
    expect(durationMs(range("2024-01-02T00:00Z", "2024-01-01T00:00Z"))).toBe(0);
  });

  it.each([
    { edge: "finished", endedAt: at("2024-01-01T05:00Z"), now: at("2024-06-01T00:00Z"), end: "2024-01-01T05:00:00.000Z" },
    { edge: "still running accrues to now", endedAt: null, now: at("2024-01-01T03:00Z"), end: "2024-01-01T03:00:00.000Z" },
    { edge: "starts after now: empty", endedAt: null, now: at("2023-12-31T00:00Z"), end: "2024-01-01T00:00:00.000Z" },
  ])("running interval: $edge", ({ endedAt, now, end }) => {
    const interval = runningInterval({ startedAt: at("2024-01-01T00:00Z"), endedAt, now });
    expect(interval.end.toISOString()).toBe(end);
  });

  it("rejects an end before the start", () => {
    expect(() => runningInterval({ startedAt: at("2024-01-02T00:00Z"), endedAt: at("2024-01-01T00:00Z"), now: at("2024-02-01T00:00Z") })).toThrow(RangeError);
  });
});
