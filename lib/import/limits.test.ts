import { describe, expect, it } from "vitest";
import { IMPORT_COLUMNS } from "./columns";
import { CsvTextDecoder } from "./file-checks";
import { MAX_BLANK_ROWS, MAX_CELL_CHARS, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS, MAX_UNEVEN_ROWS } from "./kinds";
import { parseImportFile } from "./read-file";

// The limits checked while a file is read (kinds.ts), the size of what a
// hostile file gets back, and that reading a large file lets the event loop
// run between pieces. No timing: what is counted is messages, rows and turns
// of the event loop.

const RUNS = IMPORT_COLUMNS.trainingRuns.map((c) => c.header).join(",");
const ROW = "research,r1,llama-3-8b,LoRA,BF16,H100 80GB,aws,On-demand,8,2026-03-01 09:00,2026-03-01 17:00,Succeeded";
const REQUIRED_HEADER = "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status";
const encode = (text: string) => new TextEncoder().encode(text);
const parse = (text: string | Uint8Array) => parseImportFile({ kind: "trainingRuns", bytes: typeof text === "string" ? encode(text) : text });

/** Counts turns of the event loop (setImmediate callbacks) while `work` runs. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let isDone = false;
  const tick = () => {
    if (isDone) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await work(), turns };
  } finally {
    isDone = true;
  }
}

describe("limits checked while reading", () => {
  it("refuses a header of 100,000 columns with a short message, before parsing it", async () => {
    const wide = await parse(`${Array.from({ length: 300 }, (_, i) => `c${i}`).join(",")}\n${ROW}\n`);
    expect(wide).toEqual({ ok: false, message: `The header row has 300 columns; at most ${MAX_IMPORT_COLUMNS} are read. Use the template's columns (25).` });
    const header = Array.from({ length: 100_000 }, (_, i) => `column_${i}`).join(",");
    const { result, turns } = await turnsDuring(() => parse(`${header}\n${ROW}\n`));
    expect(result).toEqual({ ok: false, message: `The header row has more than ${MAX_IMPORT_COLUMNS} columns; at most ${MAX_IMPORT_COLUMNS} are read. Use the template's columns (25).` });
    // Decided on the first 64 KB slices: the header line is never handed to the parser piece by piece.
    expect(turns).toBeLessThan(5);
  });

  it("lists at most 10 unknown header columns and says how many more", async () => {
    const header = [REQUIRED_HEADER, ...Array.from({ length: 200 }, (_, i) => `extra_${i}`)].join(",");
    const result = await parse(`${header}\n${ROW}\n`);
    if (result.ok) throw new Error("expected a refusal");
    expect(result.message).toMatch(/^Unknown columns: "extra_0" \(column 13\), .*"extra_9" \(column 22\) and 190 more\. Column names must be as in the template\.$/);
    expect(result.message.length).toBeLessThan(400);
  });

  it("refuses 1 MB of blank lines at once: as the first row, or after the header", async () => {
    const blank = "\n".repeat(1024 * 1024);
    const first = await turnsDuring(() => parse(blank));
    expect(first.result).toMatchObject({ ok: false, message: expect.stringMatching(/^The first row must be the header row/) });
    expect(first.turns).toBeLessThan(5);
    const after = await turnsDuring(() => parse(`${RUNS}\n${ROW}\n${blank}`));
    expect(after.result).toEqual({ ok: false, message: `The file has more than ${MAX_BLANK_ROWS.toLocaleString("en-US")} empty rows. Delete the empty rows (usually at the end of the sheet) and export it again.` });
    // 100,000 blank lines of the 1,048,576 are read (200 a piece), not the whole file.
    expect(after.turns).toBeLessThan(1024 * 1024 / 200 / 2);
  });

  it("refuses a flood of whitespace-only lines (uneven rows) after the first thousand", async () => {
    const result = await parse(`${RUNS}\n${ROW}\n${" \n".repeat(500_000)}`);
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(new RegExp(`^More than ${MAX_UNEVEN_ROWS.toLocaleString("en-US")} rows have more or fewer values than the header row`)) });
  });

  it("keeps files with a few short rows and spreadsheet-style empty rows of commas", async () => {
    const result = await parse(`${REQUIRED_HEADER}\n${ROW}\nresearch,r2\n${",".repeat(11)}\n${"\n".repeat(1000)}${ROW.replace("r1", "r3")}\n`);
    expect(result).toMatchObject({ ok: true, value: { rows: [{ row: 2 }, { row: 3 }, { row: 1005 }] } });
  });

  it("refuses a cell over the cell limit, naming its row and column", async () => {
    const notes = "x".repeat(MAX_CELL_CHARS + 1);
    const result = await parse(`${REQUIRED_HEADER},notes\n${ROW},ok\n${ROW},${notes}\n`);
    expect(result).toEqual({ ok: false, message: `Row 3, column "notes": the value has 10,001 characters; at most ${MAX_CELL_CHARS.toLocaleString("en-US")} are accepted in one cell.` });
  });

  it("refuses a row with more values than the column limit", async () => {
    const result = await parse(`${REQUIRED_HEADER}\n${ROW}\n${ROW}${",x".repeat(MAX_IMPORT_COLUMNS)}\n`);
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/^Row 3 has more than 256 values \(268\); at most 256 columns are read/) });
  });

  it("refuses a line of more than 1 MB without a line break before it is parsed whole", async () => {
    const result = await parse(`${REQUIRED_HEADER}\n${ROW}\n${",".repeat(3 * 1024 * 1024)}\n`);
    expect(result).toEqual({ ok: false, message: "Row 3 runs for more than 1 MB without a line break, which usually means a quote is never closed or the file isn't CSV." });
  });

  it("stops at the first row over the row limit", { timeout: 60_000 }, async () => {
    const rows = `x${",".repeat(11)}\n`.repeat(MAX_IMPORT_ROWS + 1);
    const result = await parse(`${REQUIRED_HEADER}\n${rows}`);
    expect(result).toEqual({ ok: false, message: "The file has more than 200,000 rows; at most 200,000 can be imported at once. Split it into smaller files." });
  });

  it("refuses binary garbage and non-UTF-8 with one short message", async () => {
    const garbage = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7919 + 13) % 256);
    const result = await parse(garbage);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.message.length).toBeLessThan(300);
  });
});

describe("reading a large file lets other work run", () => {
  it("turns the event loop between pieces: a timer callback runs at least once per 64 KB", async () => {
    const text = `${REQUIRED_HEADER}\n${`${ROW}\n`.repeat(40_000)}`;
    const { result, turns } = await turnsDuring(() => parse(text));
    expect(result).toMatchObject({ ok: true, value: { rows: { length: 40_000 } } });
    expect(turns).toBeGreaterThanOrEqual(Math.floor(text.length / (64 * 1024)));
  });
});

describe("CsvTextDecoder", () => {
  it("gives the same text and the same message however the bytes are split", () => {
    const bytes = encode("\uFEFFteam,name\nrésumé,🚀\n".repeat(200));
    const whole = new CsvTextDecoder().push(bytes, true);
    for (const size of [1, 2, 3, 5, 1000]) {
      const decoder = new CsvTextDecoder();
      let text = "";
      for (let i = 0; i < bytes.length; i += size) {
        const part = decoder.push(bytes.subarray(i, i + size));
        if (!part.ok) throw new Error(part.message);
        text += part.value;
      }
      const rest = decoder.end();
      expect(rest.ok && text + rest.value).toBe(whole.ok && whole.value);
    }
    const bad = new Uint8Array([...encode("a,b\n".repeat(400)), 0xf0, 0x9f, 0x9a, ...encode("\n")]);
    const expected = new CsvTextDecoder().push(bad, true);
    expect(expected).toMatchObject({ ok: false, message: expect.stringContaining("byte 1,601 (line 401) is 0xF0") });
    for (const size of [1, 2, 3, 7, 1600, 1601, 1602]) {
      const decoder = new CsvTextDecoder();
      let result = null;
      for (let i = 0; i < bad.length && !result; i += size) {
        const part = decoder.push(bad.subarray(i, i + size));
        if (!part.ok) result = part;
      }
      expect(result ?? decoder.end()).toEqual(expected);
    }
  });
});
