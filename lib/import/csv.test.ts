import { describe, expect, it } from "vitest";
import { readCsvRecords } from "./csv";

describe("readCsvRecords", () => {
  it("reads quoted commas, doubled quotes, line breaks in cells and CRLF", () => {
    expect(readCsvRecords('a,b\r\n"x, y","say ""hi"""\r\n"two\r\nlines",z\r\n')).toEqual({
      ok: true,
      value: { records: [["a", "b"], ["x, y", 'say "hi"'], ["two\r\nlines", "z"]] },
    });
  });

  it("keeps empty lines as records, so record i is spreadsheet row i + 1", () => {
    const result = readCsvRecords("a,b\n1,2\n\n3,4\n");
    expect(result.ok && result.value.records).toEqual([["a", "b"], ["1", "2"], [""], ["3", "4"]]);
  });

  it("names the row and column of a quote never closed", () => {
    expect(readCsvRecords('a,b\n1,2\n3,"four\n5,6\n')).toEqual({
      ok: false,
      message: 'Row 3, column "b": a quoted value is never closed, so the rest of the file can\'t be read. Close the quote or remove it.',
    });
  });

  it("names the row and column of a quote inside an unquoted value, and text after a closing quote", () => {
    expect(readCsvRecords('a,b\n1,12" screen\n')).toMatchObject({ ok: false, message: expect.stringMatching(/^Row 2, column "b": a quote appears in the middle of an unquoted value/) });
    expect(readCsvRecords('a,b\n"1"x,2\n')).toMatchObject({ ok: false, message: expect.stringMatching(/^Row 2, column "a": there is text after a closing quote/) });
  });
});
