import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvNumberCell, csvRow, csvStream, csvTextCell, csvValuesRow, UTF8_BOM, type CsvCell } from "./csv";

async function readBytes(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The stream's text with a BOM kept (TextDecoder drops it by default). */
const readText = async (stream: ReadableStream<Uint8Array>) => new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(await readBytes(stream));

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe("csvTextCell", () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["+1+1", "'+1+1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["-lr warmup", "'-lr warmup"],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ["\t=1+2", "'\t=1+2"],
    ["\r=1+2", `"'\r=1+2"`],
  ])("neutralizes a value that starts like a formula: %j", (value, cell) => {
    expect(csvTextCell(value)).toBe(cell);
  });

  it("writes plain text as it is, and quotes a comma, a quote, a line break or surrounding spaces", () => {
    expect(csvTextCell("llama-sft-042")).toBe("llama-sft-042");
    expect(csvTextCell("lr 2e-4, warmup")).toBe('"lr 2e-4, warmup"');
    expect(csvTextCell('12" screen')).toBe('"12"" screen"');
    expect(csvTextCell("two\nlines")).toBe('"two\nlines"');
    expect(csvTextCell("crlf\r\nlines")).toBe('"crlf\r\nlines"');
    expect(csvTextCell(" padded ")).toBe('" padded "');
    expect(csvTextCell("a - b = c")).toBe("a - b = c");
    expect(csvTextCell("it's")).toBe("it's");
  });

  it("writes null and the empty string as an empty cell", () => {
    expect(csvTextCell(null)).toBe("");
    expect(csvTextCell("")).toBe("");
  });

  it("writes any text as the rule's regexes do (the plain-ASCII scan is only a shortcut)", () => {
    const rule = (value: string) => {
      const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
      return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const char = fc.constantFrom("a", "Z", "0", " ", ",", '"', "=", "+", "-", "@", "\t", "\r", "\n", "\v", "\f", "'", "\u00a0", "\u2028", "\ufeff", "é", "×", "\u0001", "~");
    fc.assert(
      fc.property(fc.array(char, { maxLength: 8 }), (chars) => {
        const value = chars.join("");
        expect(csvTextCell(value)).toBe(rule(value));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("csvValuesRow", () => {
  it("is csvRow of the same values as text or number cells", () => {
    const values = ["a,b", null, "-12.34", "=1+2", "8", null];
    const isNumber = [false, false, true, false, true, true];
    expect(csvValuesRow(values, isNumber)).toBe(csvRow(values.map((v, i): CsvCell => (isNumber[i] ? { number: v } : { text: v }))));
    expect(csvValuesRow(values, isNumber)).toBe(`"a,b",,-12.34,'=1+2,8,\r\n`);
  });
});

describe("csvNumberCell", () => {
  it("writes numbers as they are, a negative amount included", () => {
    expect(csvNumberCell("-12.34")).toBe("-12.34");
    expect(csvNumberCell("0.000001")).toBe("0.000001");
    expect(csvNumberCell(-1234567890123456789n)).toBe("-1234567890123456789");
    expect(csvNumberCell(42)).toBe("42");
    expect(csvNumberCell(-0.5)).toBe("-0.5");
    expect(csvNumberCell(null)).toBe("");
  });

  it.each(["", " 1", "1,000", "1e3", "=1+2", "+1", ".5", "1.", "NaN", "-"])("refuses %j, which is not a plain decimal", (value) => {
    expect(() => csvNumberCell(value)).toThrow(TypeError);
  });

  it("refuses numbers JavaScript would write in exponent form or not at all", () => {
    expect(() => csvNumberCell(1e21)).toThrow(TypeError);
    expect(() => csvNumberCell(Number.NaN)).toThrow(TypeError);
    expect(() => csvNumberCell(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });
});

describe("csvRow", () => {
  it("joins typed cells with commas and ends the row with CRLF", () => {
    const cells: CsvCell[] = [{ text: "-lr warmup" }, { number: "-12.34" }, { text: null }, { number: null }, { text: "a,b" }, { number: 3n }];
    expect(csvRow(cells)).toBe(`'-lr warmup,-12.34,,,"a,b",3\r\n`);
    expect(csvRow([])).toBe("\r\n");
  });
});

const HOSTILE_ROWS: CsvCell[][] = [
  [{ text: '=HYPERLINK("http://x","y")' }, { number: "-12.34" }, { text: "plain" }],
  [{ text: "+1+1" }, { number: 0n }, { text: "note, with comma" }],
  [{ text: "@SUM(A1)" }, { number: null }, { text: 'say "hi"\r\nsecond line' }],
  [{ text: "-lr warmup" }, { number: 7 }, { text: null }],
  [{ text: "\tleading tab" }, { number: "1.5" }, { text: "\rleading CR" }],
  [{ text: "ünïcødé 🚀" }, { number: "-0.01" }, { text: "  spaced  " }],
];

describe("csvStream", () => {
  it("writes the BOM, the header and CRLF-ended rows", async () => {
    const bytes = await readBytes(csvStream(["name", "cost_usd"], fromArray([[{ text: "a" }, { number: "-1.00" }]]), { bom: true }));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)).toBe(`${UTF8_BOM}name,cost_usd\r\na,-1.00\r\n`);
  });

  it("writes no BOM when asked not to, and a header-only file for no rows", async () => {
    expect(await readText(csvStream(["name", "=weird header"], fromArray([]), { bom: false }))).toBe("name,'=weird header\r\n");
  });

  it("round-trips through a CSV parser: the same values, with a leading ' on neutralized text", async () => {
    const text = await readText(csvStream(["name", "amount", "notes"], fromArray(HOSTILE_ROWS), { bom: true }));
    const records = parse(text, { bom: true }) as string[][];
    const neutral = (value: string | null) => (value === null ? "" : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
    expect(records).toEqual([
      ["name", "amount", "notes"],
      ...HOSTILE_ROWS.map((row) => row.map((cell) => ("text" in cell ? neutral(cell.text) : cell.number === null ? "" : String(cell.number)))),
    ]);
    expect(records[1]![1]).toBe("-12.34");
    expect(records[1]![0]).toBe(`'=HYPERLINK("http://x","y")`);
  });

  it("splits a large export into chunks of about 64 KB that join to the whole file", async () => {
    const rows = Array.from({ length: 20_000 }, (_, i): CsvCell[] => [{ text: `row-${i}` }, { number: i }, { text: "x".repeat(20) }]);
    const chunks: number[] = [];
    const reader = csvStream(["name", "n", "pad"], fromArray(rows), { bom: false }).getReader();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.length);
      text += new TextDecoder().decode(value);
    }
    expect(chunks.length).toBeGreaterThan(5);
    for (const size of chunks.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(64 * 1024);
    for (const size of chunks) expect(size).toBeLessThan(70 * 1024);
    expect(parse(text)).toHaveLength(20_001);
  });

  it("writes rows handed over already encoded exactly as the same rows' cells", async () => {
    const rows = Array.from({ length: 3_000 }, (_, i): CsvCell[] => [{ text: i % 7 === 0 ? `=x ${i}, "q" × –` : `row-${i}` }, { number: -i }, { text: null }]);
    async function* mixed() {
      for (let i = 0; i < rows.length; i += 500) {
        yield rows[i]!;
        yield { encoded: rows.slice(i + 1, i + 500).map(csvRow) };
      }
    }
    const expected = await readText(csvStream(["name", "n", "empty"], fromArray(rows), { bom: true }));
    expect(await readText(csvStream(["name", "n", "empty"], mixed(), { bom: true }))).toBe(expected);
    expect(parse(expected, { bom: true })).toHaveLength(3_001);
  });

  it("pulls rows lazily and calls the iterator's return() when cancelled", async () => {
    let produced = 0;
    let isReturned = false;
    async function* endless(): AsyncGenerator<CsvCell[]> {
      try {
        for (;;) {
          produced++;
          yield [{ text: "x".repeat(1_000) }, { number: produced }];
        }
      } finally {
        isReturned = true;
      }
    }
    const reader = csvStream(["pad", "n"], endless(), { bom: false }).getReader();
    for (let i = 0; i < 3; i++) expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    // ~66 rows per 64 KB chunk: the three chunks read, at most one read ahead, and nothing more.
    expect(produced).toBeGreaterThan(3 * 60);
    expect(produced).toBeLessThan(5 * 70);
    expect(isReturned).toBe(true);
  });

  it("errors the stream when the iterator throws", async () => {
    async function* failing(): AsyncGenerator<CsvCell[]> {
      yield [{ text: "ok" }];
      throw new Error("cursor lost");
    }
    await expect(readText(csvStream(["name"], failing(), { bom: false }))).rejects.toThrow("cursor lost");
  });

  it("errors the stream on a bad number cell and ends the iterator", async () => {
    let isReturned = false;
    async function* rows(): AsyncGenerator<CsvCell[]> {
      try {
        yield [{ number: "1" }];
        yield [{ number: "1,000" }];
        yield [{ number: "2" }];
      } finally {
        isReturned = true;
      }
    }
    await expect(readText(csvStream(["n"], rows(), { bom: false }))).rejects.toThrow(/not a plain decimal/);
    expect(isReturned).toBe(true);
  });
});
