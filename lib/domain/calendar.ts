/**
 * Report buckets in a reporting IANA time zone.
 *
 * A day, week (ISO: Monday first) or month bucket starts at the first instant
 * whose local wall-clock time is at or after the local midnight that starts
 * it. So a DST day is 23 or 25 hours long, a month in Asia/Kathmandu starts at
 * 18:15 UTC, and a midnight skipped by DST starts the day at the transition.
 *
 * An hour bucket is one local wall-clock hour *at one UTC offset*: on a
 * fall-back night the repeated 01:00-02:00 is two buckets, so every hour
 * bucket is at most 60 minutes long; a transition that is not on a whole local
 * hour (Australia/Lord_Howe's 30-minute shift) starts a new bucket.
 *
 * This is done with plain offset arithmetic on tzOffset rather than TZDate +
 * date-fns startOfHour: TZDate resolves a repeated local hour to its first
 * occurrence, so startOfHour can return an instant after the one it was given.
 */
import { tzOffset, tzScan } from "@date-fns/tz";
import type { TimeRange } from "./time-range";

export type BucketUnit = "hour" | "day" | "week" | "month";

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

function assertTimeZone(timeZone: string): void {
  if (Number.isNaN(tzOffset(timeZone, new Date(0)))) throw new RangeError(`Unknown time zone: ${timeZone}`);
}

/** UTC offset in ms at an instant (historic offsets can have seconds). */
function offsetMs(timeZone: string, epochMs: number): number {
  return Math.round(tzOffset(timeZone, new Date(epochMs)) * MS_PER_MINUTE);
}

/** Non-negative remainder. */
function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/**
 * The first instant in (lo, hi] whose offset equals the offset at hi, given
 * the offset at lo differs: the transition between them. Binary search to the
 * millisecond; at most one transition is assumed between lo and hi.
 */
function transitionBetween(timeZone: string, lo: number, hi: number): number {
  const offsetAfter = offsetMs(timeZone, hi);
  let before = lo;
  let after = hi;
  while (after - before > 1) {
    const mid = before + Math.floor((after - before) / 2);
    if (offsetMs(timeZone, mid) === offsetAfter) after = mid;
    else before = mid;
  }
  return after;
}

// Wall-clock times are handled as "local time expressed as if it were UTC"
// epoch milliseconds, so calendar arithmetic can use the UTC Date methods.

function wallClockOf(timeZone: string, epochMs: number): number {
  return epochMs + offsetMs(timeZone, epochMs);
}

/** Start of the day/week/month containing a wall-clock time. */
function truncateWallClock(wallMs: number, unit: Exclude<BucketUnit, "hour">): number {
  const dayStart = wallMs - mod(wallMs, MS_PER_DAY);
  if (unit === "day") return dayStart;
  if (unit === "week") {
    const daysSinceMonday = mod(new Date(dayStart).getUTCDay() - 1, 7);
    return dayStart - daysSinceMonday * MS_PER_DAY;
  }
  const date = new Date(dayStart);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextWallClockStart(wallStartMs: number, unit: Exclude<BucketUnit, "hour">): number {
  if (unit === "day") return wallStartMs + MS_PER_DAY;
  if (unit === "week") return wallStartMs + 7 * MS_PER_DAY;
  const date = new Date(wallStartMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/**
 * The first instant whose wall-clock time is at or after wallMs. A wall time
 * that occurs twice (fall back) resolves to its earlier occurrence; one that
 * never occurs (spring forward) resolves to the transition that skips it.
 */
function firstInstantAtWallClock(timeZone: string, wallMs: number): number {
  // Offsets a day either side bracket any single transition near wallMs.
  const offsetBefore = offsetMs(timeZone, wallMs - MS_PER_DAY);
  const offsetAfter = offsetMs(timeZone, wallMs + MS_PER_DAY);
  const candidates = [wallMs - offsetBefore, wallMs - offsetAfter].filter((t) => wallClockOf(timeZone, t) === wallMs);
  if (candidates.length > 0) return Math.min(...candidates);
  return transitionBetween(timeZone, wallMs - offsetAfter, wallMs - offsetBefore);
}

function hourBucketStart(timeZone: string, epochMs: number): number {
  const offset = offsetMs(timeZone, epochMs);
  const wallHourStart = epochMs - mod(epochMs + offset, MS_PER_HOUR);
  // The offset changed earlier in this wall-clock hour: the bucket begins there.
  return offsetMs(timeZone, wallHourStart) === offset
    ? wallHourStart
    : transitionBetween(timeZone, wallHourStart, epochMs);
}

function hourBucketEnd(timeZone: string, bucketStartMs: number): number {
  const offset = offsetMs(timeZone, bucketStartMs);
  const nextWallHour = bucketStartMs - mod(bucketStartMs + offset, MS_PER_HOUR) + MS_PER_HOUR;
  // The offset changes before the wall-clock hour is over: the bucket ends there.
  return offsetMs(timeZone, nextWallHour - 1) === offset
    ? nextWallHour
    : transitionBetween(timeZone, bucketStartMs, nextWallHour - 1);
}

/** The start of the bucket that contains `instant`. */
export function bucketStart({ instant, unit, timeZone }: { instant: Date; unit: BucketUnit; timeZone: string }): Date {
  assertTimeZone(timeZone);
  const epochMs = instant.getTime();
  if (unit === "hour") return new Date(hourBucketStart(timeZone, epochMs));
  return new Date(firstInstantAtWallClock(timeZone, truncateWallClock(wallClockOf(timeZone, epochMs), unit)));
}

/**
 * The buckets that overlap [from, to), in order and contiguous: the first
 * starts at or before `from`, the last ends at or after `to`. Empty when the
 * range is. A calendar day that a zone skipped entirely (Pacific/Apia,
 * 2011-12-30) has no instants and so no bucket.
 */
export function bucketsBetween({
  from,
  to,
  unit,
  timeZone,
}: {
  from: Date;
  to: Date;
  unit: BucketUnit;
  timeZone: string;
}): TimeRange[] {
  assertTimeZone(timeZone);
  const buckets: TimeRange[] = [];
  const toMs = to.getTime();
  if (unit === "hour") {
    for (let start = hourBucketStart(timeZone, from.getTime()); start < toMs; ) {
      const end = hourBucketEnd(timeZone, start);
      buckets.push({ start: new Date(start), end: new Date(end) });
      start = end;
    }
    return buckets;
  }
  let wallStart = truncateWallClock(wallClockOf(timeZone, from.getTime()), unit);
  for (let start = firstInstantAtWallClock(timeZone, wallStart); start < toMs; ) {
    wallStart = nextWallClockStart(wallStart, unit);
    const end = firstInstantAtWallClock(timeZone, wallStart);
    if (end > start) buckets.push({ start: new Date(start), end: new Date(end) });
    start = end;
  }
  return buckets;
}

/**
 * True when the zone's UTC offset is a whole number of hours throughout
 * [from, to), so every hour, day, week and month boundary of the zone in the
 * range falls on a whole UTC hour and hourly rollups can answer exactly.
 * False for Asia/Kolkata (+05:30) and Asia/Kathmandu (+05:45), which need
 * the 15-minute rollups.
 */
export function isHourAligned({ timeZone, from, to }: { timeZone: string; from: Date; to: Date }): boolean {
  assertTimeZone(timeZone);
  const offsetsMinutes = [tzOffset(timeZone, from)];
  if (to.getTime() > from.getTime()) {
    offsetsMinutes.push(...tzScan(timeZone, { start: from, end: to }).map((change) => change.offset));
  }
  return offsetsMinutes.every((minutes) => minutes % 60 === 0);
}
