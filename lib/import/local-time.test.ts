import { describe, expect, it } from "vitest";
import { instantReader } from "./local-time";

const read = (text: string, zone = "Europe/Berlin") => instantReader(zone).read(text, "Start");
const at = (iso: string) => ({ kind: "instant", value: new Date(iso) });

describe("instantReader", () => {
  it("reads times with Z or an offset as written, whatever the chosen zone", () => {
    expect(read("2026-03-01T09:00:00Z")).toEqual(at("2026-03-01T09:00:00Z"));
    expect(read("2026-03-01 09:00:00+05:30")).toEqual(at("2026-03-01T03:30:00Z"));
    expect(read("2026-03-01T09:00-0800")).toEqual(at("2026-03-01T17:00:00Z"));
    expect(read("2026-03-01T09:00:00.123456z")).toEqual(at("2026-03-01T09:00:00.123Z"));
    expect(read("2026-03-01 09:00 UTC")).toEqual(at("2026-03-01T09:00:00Z"));
  });

  it("reads times without an offset in the chosen zone, across the year's offsets", () => {
    expect(read("2026-01-15 09:00")).toEqual(at("2026-01-15T08:00:00Z"));
    expect(read("2026-07-15 09:00")).toEqual(at("2026-07-15T07:00:00Z"));
    expect(read("2026-07-15T09:00:30")).toEqual(at("2026-07-15T07:00:30Z"));
    expect(read("2026-07-15 09:00", "Asia/Kathmandu")).toEqual(at("2026-07-15T03:15:00Z"));
    expect(read("2026-07-15", "America/New_York")).toEqual(at("2026-07-15T04:00:00Z"));
  });

  it("refuses a local time skipped by the spring-forward change", () => {
    expect(read("2026-03-29 02:30")).toEqual({
      kind: "invalid",
      message: "Start 2026-03-29 02:30 does not exist in Europe/Berlin: the clocks skip it when daylight saving time starts. Check the time, or write it with its UTC offset",
    });
    expect(read("2026-03-29 01:59")).toEqual(at("2026-03-29T00:59:00Z"));
    expect(read("2026-03-29 03:00")).toEqual(at("2026-03-29T01:00:00Z"));
  });

  it("refuses a local time that happens twice at the fall-back change, offering both offsets", () => {
    expect(read("2026-10-25 02:30")).toEqual({
      kind: "invalid",
      message:
        "Start 2026-10-25 02:30 happens twice in Europe/Berlin (the clocks go back). Write it with its UTC offset: 2026-10-25T02:30:00+02:00 for the first, 2026-10-25T02:30:00+01:00 for the second",
    });
    expect(read("2026-10-25T02:30:00+02:00")).toEqual(at("2026-10-25T00:30:00Z"));
    expect(read("2026-11-01 01:30", "America/New_York")).toMatchObject({ kind: "invalid", message: expect.stringContaining("-04:00 for the first, 2026-11-01T01:30:00-05:00 for the second") });
  });

  it("says what is wrong with text that is not a date and time", () => {
    expect(read("  ")).toEqual({ kind: "blank" });
    expect(read("01/03/2026 09:00")).toEqual({
      kind: "invalid",
      message: "Start must be a date and time like 2026-03-01 09:00 (in Europe/Berlin) or 2026-03-01T09:00:00Z",
    });
    expect(read("2026-02-30 09:00")).toEqual({ kind: "invalid", message: "Start is not a valid date and time: 2026-02-30 09:00" });
    expect(read("2026-02-10 24:00")).toMatchObject({ kind: "invalid" });
    expect(read("2026-02-10Z")).toMatchObject({ kind: "invalid" });
    expect(read("2026-02-10T10:00+25:00")).toEqual({ kind: "invalid", message: "Start has an invalid UTC offset: 2026-02-10T10:00+25:00" });
  });
});
