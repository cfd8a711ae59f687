import { z } from "zod";
import { bucketsBetween, bucketStart } from "@/lib/domain/calendar";
import { formatDateTime } from "@/lib/domain/labels";
import type { TimeRange } from "@/lib/domain/time-range";

/** A report month as it appears in URLs and file names: "YYYY-MM" (2000–2099). */
export const reportMonthSchema = z
  .string({ error: "Month is required" })
  .regex(/^20\d\d-(0[1-9]|1[0-2])$/, { error: "Month must be a month like 2026-10 (YYYY-MM, 2000–2099)" });

export type ReportMonth = z.infer<typeof reportMonthSchema>;

/** The month's bounds as instants in `timeZone`, [start, end). */
export function monthRange({ month, timeZone }: { month: string; timeZone: string }): TimeRange {
  const [year, m] = month.split("-").map(Number) as [number, number];
  // Mid-month noon UTC lies inside the local month in every zone (offsets are within ±14 h).
  const inside = new Date(Date.UTC(year, m - 1, 15, 12));
  const start = bucketStart({ instant: inside, unit: "month", timeZone });
  return bucketsBetween({ from: start, to: new Date(start.getTime() + 1), unit: "month", timeZone })[0]!;
}

/** "YYYY-MM" of the local month containing `instant`. */
export function monthOf({ instant, timeZone }: { instant: Date; timeZone: string }): string {
  return formatDateTime({ instant, timeZone }).slice(0, 7);
}

/** The month `offset` months after `month` (negative: before). */
export function addMonths(month: string, offset: number): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  const index = year * 12 + (m - 1) + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** Made once: a formatter costs ~50 µs to build, and pages list many months. */
const LONG_MONTH = new Intl.DateTimeFormat("en-US", { month: "long", timeZone: "UTC" });

/** "October 2026". */
export function monthTitle(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return `${LONG_MONTH.format(new Date(Date.UTC(year, m - 1, 1)))} ${year}`;
}
