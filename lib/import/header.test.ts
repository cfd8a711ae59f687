import { describe, expect, it } from "vitest";
import { IMPORT_COLUMNS } from "./columns";
import { mapHeader, normalizeHeader } from "./header";

const all = IMPORT_COLUMNS.usageWindows.map((c) => c.header);
const required = IMPORT_COLUMNS.usageWindows.filter((c) => c.isRequired).map((c) => c.header);

describe("mapHeader", () => {
  it("maps every column of the template to its field and position", () => {
    const result = mapHeader("usageWindows", all);
    if (!result.ok) throw new Error(result.message);
    expect(result.value.columns.map((c) => [c.spec.field, c.index])).toEqual(IMPORT_COLUMNS.usageWindows.map((c, i) => [c.field, i]));
  });

  it("accepts the required columns alone, in any order, in any case and spacing", () => {
    const result = mapHeader("usageWindows", [...required].reverse().map((h) => ` ${h.replace(/_/g, " ").toUpperCase()} `));
    expect(result.ok).toBe(true);
    expect(normalizeHeader(" Window-Start ")).toBe("window_start");
  });

  it("lists every missing required column", () => {
    expect(mapHeader("usageWindows", ["deployment", "requests"])).toEqual({
      ok: false,
      message: 'Missing required columns: "window_start", "window_seconds", "input_tokens", "output_tokens". Download the template for the expected columns.',
    });
  });

  it("names unknown columns with their position and a likely meant name", () => {
    expect(mapHeader("usageWindows", [...required, "reqests", "colour"])).toEqual({
      ok: false,
      message: 'Unknown columns: "reqests" (column 7; did you mean "requests"?), "colour" (column 8). Column names must be as in the template.',
    });
  });

  it("refuses a column given twice", () => {
    expect(mapHeader("usageWindows", [...required, "Requests"])).toMatchObject({ ok: false, message: 'Column "requests" appears twice (columns 4 and 7); keep one.' });
  });

  it("says the first row must be the header when nothing in it is a column name", () => {
    expect(mapHeader("trainingRuns", ["research", "run-1", "llama"])).toMatchObject({ ok: false, message: expect.stringMatching(/^The first row must be the header row/) });
  });

  it("keeps empty header cells aside (trailing commas of an export)", () => {
    const result = mapHeader("usageWindows", [...required, "", ""]);
    expect(result.ok && result.value.unnamed).toEqual([6, 7]);
  });
});
