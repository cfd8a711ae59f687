import { describe, expect, it } from "vitest";
import { undoTimeLeft } from "./undo-window";

const deletedAt = new Date("2026-11-01T12:00:00Z");
const at = (iso: string) => undoTimeLeft({ deletedAt, now: new Date(iso), undoDays: 30 });

describe("undoTimeLeft", () => {
  it.each([
    ["just deleted: 30 whole days", "2026-11-01T12:00:00Z", "30 days left"],
    ["one millisecond later: 29 whole days", "2026-11-01T12:00:00.001Z", "29 days left"],
    ["exactly one day left", "2026-11-30T12:00:00Z", "1 day left"],
    ["under a day: hours", "2026-11-30T12:00:00.001Z", "23 hours left"],
    ["one hour", "2026-12-01T11:00:00Z", "1 hour left"],
    ["under an hour", "2026-12-01T11:30:00Z", "less than an hour left"],
    ["at the limit", "2026-12-01T12:00:00Z", "expired"],
  ])("%s", (_label, now, expected) => expect(at(now)).toBe(expected));
});
