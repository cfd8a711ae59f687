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
