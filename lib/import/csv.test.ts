import { describe, expect, it } from "vitest";
import { linePieces, readCsvRecords } from "./csv";

const cellsOf = async (text: string) => {
  const result = await readCsvRecords(text);
  return result.ok ? result.value.map((r) => r.cells) : result;
};

describe("readCsvRecords", () => {
  it("reads quoted commas, doubled quotes, line breaks in cells and CRLF", async () => {
    expect(await cellsOf('a,b\r\n"x, y","say ""hi"""\r\n"two\r\nlines",z\r\n')).toEqual([["a", "b"], ["x, y", 'say "hi"'], ["two\r\nlines", "z"]]);
  });

  it("numbers rows as a spreadsheet does: empty lines count, a quoted line break does not", async () => {
    const result = await readCsvRecords('a,b\n1,2\n\n3,4\n"x\ny",z\n\r\n\n5,6\n');
    expect(result.ok && result.value).toEqual([
      { row: 1, cells: ["a", "b"] },
      { row: 2, cells: ["1", "2"] },
      { row: 4, cells: ["3", "4"] },
      { row: 5, cells: ["x\ny", "z"] },
      // A stray CR in a LF file: a row of one empty cell, left to the caller as a blank row.
      { row: 6, cells: ["\r"] },
      { row: 8, cells: ["5", "6"] },
    ]);
  });

  it("numbers rows the same however the text is cut into pieces", async () => {
    const text = 'a,b\n\n"q\n\nq",1\n\n\n2,3\n';
    const whole = await readCsvRecords(text);
    expect(whole.ok && whole.value.map((r) => r.row)).toEqual([1, 3, 6]);
    expect([...linePieces(text, 1)].join("")).toBe(text);
    expect([...linePieces(text, 1)]).toHaveLength(8);
  });

  it("names the row and column of a quote never closed", async () => {
    expect(await readCsvRecords('a,b\n1,2\n3,"four\n5,6\n')).toEqual({
      ok: false,
      message: 'Row 3, column "b": a quoted value is never closed, so the rest of the file can\'t be read. Close the quote or remove it.',
    });
    expect(await readCsvRecords('a,b\n\n\n3,"four\n5,6\n')).toMatchObject({ ok: false, message: expect.stringMatching(/^Row 4, column "b"/) });
  });

  it("names the row and column of a quote inside an unquoted value, and text after a closing quote", async () => {
    expect(await readCsvRecords('a,b\n1,12" screen\n')).toMatchObject({ ok: false, message: expect.stringMatching(/^Row 2, column "b": a quote appears in the middle of an unquoted value/) });
    expect(await readCsvRecords('a,b\n"1"x,2\n')).toMatchObject({ ok: false, message: expect.stringMatching(/^Row 2, column "a": there is text after a closing quote/) });
  });
});
