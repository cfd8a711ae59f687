import { describe, expect, it } from "vitest";
import { checkDelimiter, checkFileSize, decodeCsvBytes, firstInvalidUtf8Byte } from "./file-checks";
import { MAX_IMPORT_BYTES } from "./kinds";

const bytes = (...values: number[]) => new Uint8Array(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

describe("checkFileSize", () => {
  it("accepts a file of exactly the limit and refuses one byte more, saying both sizes", () => {
    expect(checkFileSize(MAX_IMPORT_BYTES)).toEqual({ ok: true, value: MAX_IMPORT_BYTES });
    expect(checkFileSize(MAX_IMPORT_BYTES + 1)).toEqual({
      ok: false,
      message: "The file is 50 MB; the limit is 50 MB. Split it into smaller files and import them one after another.",
    });
    expect(checkFileSize(61 * 1024 * 1024)).toMatchObject({ ok: false, message: expect.stringMatching(/^The file is 61 MB; the limit is 50 MB/) });
  });

  it("refuses an empty file", () => {
    expect(checkFileSize(0)).toEqual({ ok: false, message: "The file is empty." });
  });
});

describe("decodeCsvBytes", () => {
  it("decodes UTF-8 and drops a byte-order mark", () => {
    expect(decodeCsvBytes(utf8("\uFEFFteam,name\nrésumé,🚀\n"))).toEqual({ ok: true, value: "team,name\nrésumé,🚀\n" });
  });

  it("refuses UTF-16 with either byte-order mark, and without one", () => {
    for (const bom of [[0xff, 0xfe], [0xfe, 0xff]]) {
      expect(decodeCsvBytes(bytes(...bom, 0x74, 0x00, 0x65, 0x00))).toMatchObject({ ok: false, message: expect.stringMatching(/^The file is encoded as UTF-16 .*CSV UTF-8/) });
    }
    const le = new Uint8Array([..."team,name\n"].flatMap((c) => [c.charCodeAt(0), 0]));
    expect(decodeCsvBytes(le)).toMatchObject({ ok: false, message: expect.stringMatching(/^The file looks like UTF-16 text without a byte-order mark/) });
  });

  it("names the byte and line of the first invalid UTF-8 (a Windows-1252 é)", () => {
    const text = [...utf8("team,name\nresearch,caf"), 0xe9, ...utf8("\n")];
    expect(decodeCsvBytes(new Uint8Array(text))).toEqual({
      ok: false,
      message:
        'The file is not valid UTF-8: byte 23 (line 2) is 0xE9, which usually means it was saved in a legacy encoding such as Windows-1252. Save it as "CSV UTF-8 (Comma delimited)" in Excel, or as UTF-8 CSV in other apps, and upload it again.',
    });
  });

  it("counts the byte-order mark in the offset it reports", () => {
    expect(decodeCsvBytes(bytes(0xef, 0xbb, 0xbf, 0x61, 0xff))).toMatchObject({ ok: false, message: expect.stringContaining("byte 5 (line 1) is 0xFF") });
  });

  it("recognizes workbooks uploaded instead of CSV", () => {
    expect(decodeCsvBytes(bytes(0x50, 0x4b, 0x03, 0x04, 0x14))).toMatchObject({ ok: false, message: expect.stringMatching(/^This is an Excel or OpenDocument workbook/) });
    expect(decodeCsvBytes(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1))).toMatchObject({ ok: false, message: expect.stringMatching(/^This is an Excel 97–2003 workbook/) });
  });
});

describe("firstInvalidUtf8Byte agrees with TextDecoder's fatal mode", () => {
  const cases: [string, number[], number][] = [
    ["ascii", [0x61, 0x62], -1],
    ["two-byte", [0xc3, 0xa9], -1],
    ["overlong two-byte", [0xc0, 0xaf], 0],
    ["truncated three-byte at end", [0x61, 0xe2, 0x82], 1],
    ["surrogate", [0xed, 0xa0, 0x80], 0],
    ["four-byte emoji", [0xf0, 0x9f, 0x9a, 0x80], -1],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["lone continuation", [0x61, 0x80], 1],
  ];
  for (const [label, input, expected] of cases) {
    it(label, () => {
      const data = new Uint8Array(input);
      expect(firstInvalidUtf8Byte(data)).toBe(expected);
      let isDecodable = true;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(data);
      } catch {
        isDecodable = false;
      }
      expect(isDecodable).toBe(expected === -1);
    });
  }
});

describe("checkDelimiter", () => {
  const known = ["team", "name", "model", "gpu_count"];

  it("accepts comma-separated headers, commas inside quotes included", () => {
    expect(checkDelimiter("team,name,model\n", known)).toEqual({ ok: true, value: null });
    expect(checkDelimiter('team,"a;b;c;d",model\n', known)).toEqual({ ok: true, value: null });
  });

  it("names semicolons, tabs and bars", () => {
    expect(checkDelimiter("team;name;model\r\nresearch;x;y", known)).toEqual({
      ok: false,
      message: "This file is separated by semicolons; export it as comma-separated values (CSV UTF-8, comma delimited) and upload it again.",
    });
    expect(checkDelimiter("team\tname\tmodel\n", known)).toMatchObject({ ok: false, message: expect.stringMatching(/^This file is separated by tabs;/) });
    expect(checkDelimiter("team|name|model\n", known)).toMatchObject({ ok: false, message: expect.stringMatching(/^This file is separated by vertical bars/) });
  });

  it("still names semicolons when a header cell happens to contain a comma", () => {
    expect(checkDelimiter("team;name;model;gpu_count, total\n", known)).toMatchObject({ ok: false, message: expect.stringMatching(/semicolons/) });
  });

  it("leaves a single-column header to the missing-columns check", () => {
    expect(checkDelimiter("team\n", known)).toEqual({ ok: true, value: null });
  });
});
