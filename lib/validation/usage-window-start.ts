import { MIN_INSTANT } from "./entities/fields";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Date.parse rolls 30 February over to March; a URL naming it names nothing. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A usage window's start as it travels in a URL segment or a bound action
 * argument (untrusted): epoch milliseconds ("1763424000000") or an ISO
 * instant with Z or an offset. Null for anything else, so the page answers
 * 404 and the action "not found".
 */
export function parseUsageWindowStart(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) || value < MIN_INSTANT ? null : new Date(value.getTime());
  if (typeof value !== "string" && typeof value !== "number") return null;
  const text = String(value).trim();
  let ms: number;
  if (/^\d{1,15}$/.test(text)) ms = Number(text);
  else if (ISO.test(text) && isCalendarDate(text)) ms = Date.parse(text.toUpperCase());
  else return null;
  if (!Number.isSafeInteger(ms) || ms < MIN_INSTANT.getTime() || ms > Date.UTC(9999, 0, 1)) return null;
  return new Date(ms);
}

/** The URL segment for a window's start: epoch milliseconds. */
export function usageWindowStartSegment(start: Date): string {
  return String(start.getTime());
}
