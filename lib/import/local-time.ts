import { tzOffset } from "@date-fns/tz";

/**
 * Dates and times in CSV cells. Spreadsheets write "2026-03-01 09:00" with no
 * offset; the import reads such a time in the zone the person chose for it
 * (the org's by default). A local time that a DST change skips, or that
 * happens twice, is an error naming the offsets to choose from — guessing
 * would shift a record by an hour without anyone noticing.
 */

export type InstantCell = { kind: "blank" } | { kind: "instant"; value: Date } | { kind: "invalid"; message: string };

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:(Z|UTC|GMT)|([+-])(\d{2}):?(\d{2})?)?$/i;

const MINUTE_MS = 60_000;
const QUARTER_MS = 15 * MINUTE_MS;
const DAY_MS = 86_400_000;

/**
 * UTC offset (ms) of a zone at an instant, memoized per 15-minute UTC slot:
 * every offset change since 2000 falls on a quarter hour, and tzOffset goes
 * through Intl, which is slow enough to matter over 100,000 rows.
 */
export function zoneOffsetFinder(timeZone: string): (epochMs: number) => number {
  const cache = new Map<number, number>();
  return (epochMs) => {
    const slot = Math.floor(epochMs / QUARTER_MS);
    let offset = cache.get(slot);
    if (offset === undefined) {
      offset = Math.round(tzOffset(timeZone, new Date(slot * QUARTER_MS)) * MINUTE_MS);
      cache.set(slot, offset);
    }
    return offset;
  };
}

function formatOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / MINUTE_MS);
  return `${offsetMs < 0 ? "-" : "+"}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

function wallText(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 16).replace("T", " ");
}

export interface InstantReader {
  read(text: string, label: string): InstantCell;
}

/** Reads date-time cells; times without an offset are in `timeZone` (an IANA name, already validated). */
export function instantReader(timeZone: string): InstantReader {
  const offsetAt = zoneOffsetFinder(timeZone);
  const example = `2026-03-01 09:00 (in ${timeZone}) or 2026-03-01T09:00:00Z`;
  return {
    read(text, label) {
      const trimmed = text.trim();
      if (trimmed === "") return { kind: "blank" };
      const match = DATE_TIME.exec(trimmed);
      if (!match) return { kind: "invalid", message: `${label} must be a date and time like ${example}` };
      const [, y, mo, d, h = "00", mi = "00", s = "00", fraction = "", utc, sign, oh, om = "00"] = match;
      const hasTime = match[4] !== undefined;
      const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
      const wallMs = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, "0")));
      const check = new Date(wallMs);
      if (
        month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 ||
        check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day
      ) {
        return { kind: "invalid", message: `${label} is not a valid date and time: ${trimmed}` };
      }
      if (utc !== undefined || sign !== undefined) {
        if (!hasTime) return { kind: "invalid", message: `${label} must be a date and time like ${example}` };
        const offsetMinutes = utc !== undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
        if (Number(oh ?? 0) > 23 || Number(om) > 59) return { kind: "invalid", message: `${label} has an invalid UTC offset: ${trimmed}` };
        return { kind: "instant", value: new Date(wallMs - offsetMinutes * MINUTE_MS) };
      }
      // Offsets a day either side bracket any single change near this wall time.
      const candidates = [...new Set([offsetAt(wallMs - DAY_MS), offsetAt(wallMs + DAY_MS)])]
        .map((offset) => ({ offset, at: wallMs - offset }))
        .filter(({ offset, at }) => offsetAt(at) === offset)
        .sort((a, b) => a.at - b.at);
      if (candidates.length === 1) return { kind: "instant", value: new Date(candidates[0]!.at) };
      const isoDate = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
      if (candidates.length === 0) {
        return {
          kind: "invalid",
          message: `${label} ${wallText(wallMs)} does not exist in ${timeZone}: the clocks skip it when daylight saving time starts. Check the time, or write it with its UTC offset`,
        };
      }
      const [first, later] = candidates.map((c) => `${isoDate}${formatOffset(c.offset)}`);
      return {
        kind: "invalid",
        message: `${label} ${wallText(wallMs)} happens twice in ${timeZone} (the clocks go back). Write it with its UTC offset: ${first} for the first, ${later} for the second`,
      };
    },
  };
}
