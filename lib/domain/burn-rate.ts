import { roundHalfEven } from "./largest-remainder";
import type { TimeRange } from "./time-range";

/**
 * Month-end projection from the current burn rate: spend so far scaled to the
 * whole month by elapsed time. Null before any time has elapsed.
 */
export function projectMonthEnd({ spentMicros, month, now }: { spentMicros: bigint; month: TimeRange; now: Date }): bigint | null {
  const elapsedMs = Math.min(now.getTime(), month.end.getTime()) - month.start.getTime();
  const monthMs = month.end.getTime() - month.start.getTime();
  if (elapsedMs <= 0 || monthMs <= 0) return null;
  return roundHalfEven({ numerator: spentMicros * BigInt(monthMs), denominator: BigInt(elapsedMs) });
}

/** Relative change from `previous` to `current`; null when there is nothing to compare with. */
export function relativeChange({ current, previous }: { current: bigint; previous: bigint }): number | null {
  if (previous <= 0n) return null;
  return Number(current - previous) / Number(previous);
}

/**
 * The period to compare a range with: the same days of the previous month for
 * a month-to-date range, otherwise the equally long period just before.
 */
export function comparisonRange({ range, isMonthToDate, previousMonth }: { range: TimeRange; isMonthToDate: boolean; previousMonth: TimeRange }): TimeRange {
  if (isMonthToDate) {
    const length = range.end.getTime() - range.start.getTime();
    return { start: previousMonth.start, end: new Date(Math.min(previousMonth.start.getTime() + length, previousMonth.end.getTime())) };
  }
  const length = range.end.getTime() - range.start.getTime();
  return { start: new Date(range.start.getTime() - length), end: range.start };
}
