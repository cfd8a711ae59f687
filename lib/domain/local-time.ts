/**
 * Wall-clock date-times in an IANA zone ↔ instants, for forms (a
 * datetime-local input has no zone) and CSV cells written without an offset.
 */
import { tzOffset } from "@date-fns/tz";

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

const offsetMs = (timeZone: string, epochMs: number) => Math.round(tzOffset(timeZone, new Date(epochMs)) * 60_000);

export type LocalTimeResult =
  | { ok: true; instant: Date }
  | { ok: false; reason: "format" | "invalidDate" | "skipped" | "unknownZone" };

/**
 * The instant a local wall-clock time names in `timeZone`. A time that occurs
 * twice (clocks going back) is its first occurrence; a time clocks skip over
 * (going forward) has none and is reported, not guessed.
 */
export function localToInstant({ local, timeZone }: { local: string; timeZone: string }): LocalTimeResult {
  if (Number.isNaN(tzOffset(timeZone, new Date(0)))) return { ok: false, reason: "unknownZone" };
  const m = LOCAL.exec(local.trim());
  if (!m) return { ok: false, reason: "format" };
  const [year, month, day, hour, minute, second = "0", fraction = "0"] = m.slice(1).map((part) => part ?? undefined) as string[];
  const wallMs = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(fraction!.padEnd(3, "0")));
  const wall = new Date(wallMs);
  if (wall.getUTCDate() !== Number(day) || wall.getUTCMonth() !== Number(month) - 1 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return { ok: false, reason: "invalidDate" };
  }
  // Offsets a day either side bracket any transition; a candidate is valid when its own offset maps it back to the wall time.
  const candidates = [...new Set([offsetMs(timeZone, wallMs - 86_400_000), offsetMs(timeZone, wallMs), offsetMs(timeZone, wallMs + 86_400_000)])]
    .map((offset) => wallMs - offset)
    .filter((instant) => instant + offsetMs(timeZone, instant) === wallMs)
    .sort((a, b) => a - b);
  const first = candidates[0];
  return first === undefined ? { ok: false, reason: "skipped" } : { ok: true, instant: new Date(first) };
}

/** "YYYY-MM-DDTHH:mm" as a datetime-local input shows `instant` in `timeZone`. */
export function instantToLocal({ instant, timeZone }: { instant: Date; timeZone: string }): string {
  const local = new Date(instant.getTime() + offsetMs(timeZone, instant.getTime()));
  return local.toISOString().slice(0, 16);
}

const HOUR_MS = 3_600_000;
/** Per zone: its offset (minutes) at whole UTC hours, as asked for. Bounded: cleared when it grows past 50,000 hours. */
const hourOffsets = new Map<string, Map<number, number>>();

function offsetAtHour(timeZone: string, hour: number): number {
  let hours = hourOffsets.get(timeZone);
  if (!hours) hourOffsets.set(timeZone, (hours = new Map()));
  let offset = hours.get(hour);
  if (offset === undefined) {
    if (hours.size >= 50_000) hours.clear();
    offset = tzOffset(timeZone, new Date(hour * HOUR_MS));
    hours.set(hour, offset);
  }
  return offset;
}

/**
 * `timeZone`'s UTC offset at an instant, in minutes (tzOffset), from a cache
 * of offsets at whole UTC hours: when the offsets at both ends of the instant's
 * UTC hour agree, the offset held all hour (no zone changes its offset twice
 * within an hour); otherwise it is looked up exactly. Exports format tens of
 * thousands of instants; Intl, which tzOffset asks, costs microseconds each.
 */
export function zoneOffsetMinutes(timeZone: string, epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  const offset = offsetAtHour(timeZone, hour);
  return offset === offsetAtHour(timeZone, hour + 1) ? offset : tzOffset(timeZone, new Date(epochMs));
}

export interface WallClock {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** The zone's UTC offset in minutes (east positive). */
  offsetMinutes: number;
}

/**
 * The wall clock in `timeZone` at an instant, or null when the offset is not
 * a whole number of minutes (historical local mean times) or the year is not
 * four digits — callers then format with date-fns or Intl as before.
 */
export function wallClock(instant: Date, timeZone: string): WallClock | null {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) return null;
  const offsetMinutes = zoneOffsetMinutes(timeZone, ms);
  if (!Number.isInteger(offsetMinutes)) return null;
  const local = utcFields(ms + offsetMinutes * 60_000);
  if (local.year < 1000 || local.year > 9999) return null;
  local.offsetMinutes = offsetMinutes;
  return local;
}

const DAY_MS = 86_400_000;

/**
 * The UTC calendar fields of an epoch millisecond (offset 0), by arithmetic (Howard
 * Hinnant's civil_from_days) rather than a Date: in the Next.js server every
 * `new Date` goes through a wrapper, and exports split tens of thousands of
 * instants.
 */
export function utcFields(epochMs: number): WallClock {
  const days = Math.floor(epochMs / DAY_MS);
  const msOfDay = epochMs - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / 60_000) % 60,
    second: Math.floor(msOfDay / 1_000) % 60,
    offsetMinutes: 0,
  };
}

/** Two digits: 7 → "07". */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
