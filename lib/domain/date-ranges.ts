import { bucketsBetween, bucketStart } from "./calendar";
import type { TimeRange } from "./time-range";

/**
 * Report ranges in a reporting zone, always whole local days so that the day
 * rollups can answer them: [first day's start, last day's end).
 */

function dayContaining(instant: Date, timeZone: string): TimeRange {
  const [day] = bucketsBetween({ from: instant, to: new Date(instant.getTime() + 1), unit: "day", timeZone });
  return day!;
}

/** The last `days` local days, today included. */
export function lastDays({ now, days, timeZone }: { now: Date; days: number; timeZone: string }): TimeRange {
  const today = dayContaining(now, timeZone);
  let start = today.start;
  for (let i = 1; i < days; i++) start = dayContaining(new Date(start.getTime() - 1), timeZone).start;
  return { start, end: today.end };
}

/** This month so far, through the end of today. */
export function monthToDate({ now, timeZone }: { now: Date; timeZone: string }): TimeRange {
  return { start: bucketStart({ instant: now, unit: "month", timeZone }), end: dayContaining(now, timeZone).end };
}

/** The whole calendar month `offset` months before the one containing `now`. */
export function calendarMonth({ now, timeZone, offset }: { now: Date; timeZone: string; offset: number }): TimeRange {
  let start = bucketStart({ instant: now, unit: "month", timeZone });
  let end = bucketsBetween({ from: start, to: new Date(start.getTime() + 1), unit: "month", timeZone })[0]!.end;
  for (let i = 0; i < offset; i++) {
    end = start;
    start = bucketStart({ instant: new Date(start.getTime() - 1), unit: "month", timeZone });
  }
  return { start, end };
}
