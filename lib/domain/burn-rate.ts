import { bucketsBetween, bucketStart } from "./calendar";
import { roundHalfEven } from "./largest-remainder";
import type { TimeRange } from "./time-range";

/**
 * Month-end projection from the current burn rate: spend so far scaled to the
 * whole month by elapsed time, in cents (an estimate, not a line item).
 * Null before any time has elapsed.
 */
export function projectMonthEnd({ spentCents, month, now }: { spentCents: bigint; month: TimeRange; now: Date }): bigint | null {
  const elapsedMs = Math.min(now.getTime(), month.end.getTime()) - month.start.getTime();
  const monthMs = month.end.getTime() - month.start.getTime();
  if (elapsedMs <= 0 || monthMs <= 0) return null;
  return roundHalfEven({ numerator: spentCents * BigInt(monthMs), denominator: BigInt(elapsedMs) });
}

/** Relative change from `previous` to `current`; null when there is nothing to compare with. */
export function relativeChange({ current, previous }: { current: bigint; previous: bigint }): number | null {
  if (previous <= 0n) return null;
  return Number(current - previous) / Number(previous);
}

/** The start of the local day `days` days after (or before, when negative) a local midnight. */
export function addLocalDays({ dayStart, days, timeZone }: { dayStart: Date; days: number; timeZone: string }): Date {
  let at = dayStart;
  const step = Math.sign(days);
  for (let i = 0; i < Math.abs(days); i++) {
    at = step > 0 ? dayOf(at, timeZone).end : dayOf(new Date(at.getTime() - 1), timeZone).start;
  }
  return at;
}

function dayOf(instant: Date, timeZone: string): TimeRange {
  return bucketsBetween({ from: instant, to: new Date(instant.getTime() + 1), unit: "day", timeZone })[0]!;
}

function isMonthStart(instant: Date, timeZone: string): boolean {
  return bucketStart({ instant, unit: "month", timeZone }).getTime() === instant.getTime();
}

export interface Comparison {
  /** The part of the range that has elapsed: what the spend figure covers. */
  current: TimeRange;
  /** As many local days (plus the same time into a partial day) of the period before. */
  previous: TimeRange;
}

/**
 * What "vs previous period" compares: the elapsed part of the range with the
 * same number of elapsed local days — and, for a partial day, the same time
 * into it — of the period before. The period before is the month(s) before
 * when the range starts on the 1st and is a month to date or whole months,
 * else the same number of local days before; whole months that have fully
 * elapsed compare with the whole months before. It depends on the dates only,
 * never on which preset chose them, and DST days count as one day whatever
 * their length. Null when no time of the range has elapsed.
 */
export function comparisonPeriod({ range, now, timeZone }: { range: TimeRange; now: Date; timeZone: string }): Comparison | null {
  const elapsedEnd = new Date(Math.min(range.end.getTime(), now.getTime()));
  if (elapsedEnd.getTime() <= range.start.getTime()) return null;
  const current = { start: range.start, end: elapsedEnd };
  // Whole local days elapsed, then the time into the partial day.
  let fullDays = 0;
  let dayStart = range.start;
  for (;;) {
    const next = dayOf(dayStart, timeZone).end;
    if (next.getTime() > elapsedEnd.getTime()) break;
    fullDays += 1;
    dayStart = next;
  }
  const partialMs = elapsedEnd.getTime() - dayStart.getTime();
  let previousStart: Date;
  const startsMonth = isMonthStart(range.start, timeZone);
  const rangeMonths = startsMonth ? bucketsBetween({ from: range.start, to: range.end, unit: "month", timeZone }) : [];
  const isWholeMonths = startsMonth && isMonthStart(range.end, timeZone);
  if (startsMonth && (isWholeMonths || rangeMonths.length === 1)) {
    previousStart = range.start;
    for (let i = 0; i < Math.max(1, isWholeMonths ? rangeMonths.length : 1); i++) {
      previousStart = bucketStart({ instant: new Date(previousStart.getTime() - 1), unit: "month", timeZone });
    }
  } else {
    const rangeDays = bucketsBetween({ from: range.start, to: range.end, unit: "day", timeZone }).length;
    previousStart = addLocalDays({ dayStart: range.start, days: -rangeDays, timeZone });
  }
  // Whole months that have fully elapsed compare with whole months, whatever their lengths.
  if (isWholeMonths && elapsedEnd.getTime() === range.end.getTime()) return { current, previous: { start: previousStart, end: range.start } };
  const previousDayStart = addLocalDays({ dayStart: previousStart, days: fullDays, timeZone });
  const previousEnd = Math.min(previousDayStart.getTime() + partialMs, range.start.getTime());
  return { current, previous: { start: previousStart, end: new Date(previousEnd) } };
}
