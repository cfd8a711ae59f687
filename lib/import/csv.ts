import { once } from "node:events";
import { CsvError, parse, type Info, type Parser } from "csv-parse";
import type { FileCheck } from "./file-checks";

/**
 * CSV text → records (arrays of cells), through csv-parse's streaming parser
 * with strict quoting, fed piece by piece. Rows are numbered as a spreadsheet
 * numbers them: the header is row 1, empty lines count (they are skipped by
 * the parser, not handed over) and a quoted cell with line breaks stays one
 * row. A malformed quote stops the read with a message naming its row and
 * column.
 */

export interface CsvRecord {
  /** As a spreadsheet numbers rows: the header is row 1. */
  row: number;
  cells: string[];
}

/** Characters of one record's cells (csv-parse's max_record_size). */
export const MAX_RECORD_CHARS = 1024 * 1024;

const QUOTE_ADVICE = 'Put the whole value in double quotes and double every quote inside it, e.g. "12"" screen".';

function messageFor(error: CsvError, headerCells: readonly string[] | null): string {
  const context = error as unknown as { records?: number; empty_lines?: number; index?: number };
  const row = (context.records ?? 0) + (context.empty_lines ?? 0) + 1;
  const index = context.index ?? 0;
  const title = headerCells?.[index]?.trim().slice(0, 60);
  const where = `Row ${row.toLocaleString("en-US")}${row > 1 && title ? `, column "${title}"` : `, column ${(index + 1).toLocaleString("en-US")}`}`;
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `${where}: a quoted value is never closed, so the rest of the file can't be read. Close the quote or remove it.`;
    case "INVALID_OPENING_QUOTE":
      return `${where}: a quote appears in the middle of an unquoted value. ${QUOTE_ADVICE}`;
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return `${where}: there is text after a closing quote. ${QUOTE_ADVICE}`;
    case "CSV_MAX_RECORD_SIZE":
      return `${where}: the row is longer than 1 MB, which usually means a quote is never closed.`;
    default:
      return `${where}: the file can't be read as CSV (${error.message.slice(0, 200)}).`;
  }
}

/** Lets timers, I/O and other requests run before the next piece is parsed. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A csv-parse stream that is written piece by piece. `write` parses one
 * piece, yields to the event loop, and returns the records the piece
 * completed; the caller checks them (and stops) before writing more.
 */
export class CsvRecordReader {
  private readonly parser: Parser;
  private records: CsvRecord[] = [];
  private error: unknown = null;
  private headerCells: string[] | null = null;

  constructor() {
    this.parser = parse({ relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS });
    // A flowing stream hands each record over as it is pushed, so the parser's live counters are the record's own
    // (csv-parse's `info: true` would copy them into every record, doubling the cost of a row; csv.test.ts checks the numbering).
    this.parser.on("data", (record: string[]) => {
      const info: Info = this.parser.info;
      const row = info.records + info.empty_lines;
      if (row === 1) this.headerCells = record;
      this.records.push({ row, cells: record });
    });
    this.parser.on("error", (error) => {
      this.error ??= error;
    });
  }

  /** Empty lines skipped so far (they hold nothing, but count as rows). */
  get emptyLines(): number {
    return this.parser.info.empty_lines;
  }

  /** Records of a length other than the first record's so far. */
  get unevenRecords(): number {
    return this.parser.info.invalid_field_length;
  }

  async write(text: string): Promise<FileCheck<CsvRecord[]>> {
    if (!this.error && text !== "" && !this.parser.write(text)) {
      await once(this.parser, "drain").catch(() => undefined);
    }
    await yieldToEventLoop();
    return this.take();
  }

  async end(): Promise<FileCheck<CsvRecord[]>> {
    if (!this.error) {
      const finished = once(this.parser, "end").catch(() => undefined);
      this.parser.end();
      this.parser.resume();
      await finished;
    }
    await yieldToEventLoop();
    return this.take();
  }

  /** Stops reading (a limit was exceeded): the parser's buffers are released. */
  destroy(): void {
    this.parser.destroy();
  }

  private take(): FileCheck<CsvRecord[]> {
    if (this.error) {
      if (!(this.error instanceof CsvError)) throw this.error;
      return { ok: false, message: messageFor(this.error, this.headerCells) };
    }
    const records = this.records;
    this.records = [];
    return { ok: true, value: records };
  }
}

/** Pieces of `text` with at most `maxLines` line breaks each, so one write parses a bounded number of records. */
export function* linePieces(text: string, maxLines: number): Generator<string> {
  let start = 0;
  let lines = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    lines += 1;
    if (lines === maxLines) {
      yield text.slice(start, i + 1);
      start = i + 1;
      lines = 0;
    }
  }
  if (start < text.length) yield start === 0 ? text : text.slice(start);
}

/** The whole text at once (tests and small files). */
export async function readCsvRecords(text: string): Promise<FileCheck<CsvRecord[]>> {
  const reader = new CsvRecordReader();
  const records: CsvRecord[] = [];
  for (const piece of linePieces(text, 1_000)) {
    const read = await reader.write(piece);
    if (!read.ok) return read;
    records.push(...read.value);
  }
  const rest = await reader.end();
  if (!rest.ok) return rest;
  records.push(...rest.value);
  return { ok: true, value: records };
}
