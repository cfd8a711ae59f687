import { IMPORT_COLUMNS } from "./columns";
import { CsvRecordReader, linePieces, type CsvRecord } from "./csv";
import { checkDelimiter, checkFileSize, completeHeaderLine, countOutsideQuotes, CsvTextDecoder, MAX_HEADER_CHARS, type FileCheck } from "./file-checks";
import { mapHeader, type HeaderMap } from "./header";
import { formatBytes, MAX_BLANK_ROWS, MAX_CELL_CHARS, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS, MAX_LINE_CHARS, MAX_UNEVEN_ROWS, type ImportIssue, type ImportKind } from "./kinds";
import type { ImportReferences } from "./references";
import { rowValidator, type DataRow, type ValidRows } from "./rows";

/**
 * A file's bytes → its header and data rows, or one file-level message (too
 * large, not UTF-8, wrong separator, malformed quotes, missing or unknown
 * columns, no rows, a limit exceeded). Nothing here reads the database.
 *
 * The file is read as a stream: decoded 64 KB at a time, cut into pieces of
 * at most 200 lines and 32,000 characters, each parsed by csv-parse's stream
 * and followed by a turn of the event loop. Every limit (kinds.ts: columns,
 * cell length, rows, blank rows, uneven rows, line length) is checked as the
 * records arrive, and the read stops at the first one exceeded: a hostile
 * file costs no more than its first offending piece. `streamImportFile`
 * hands the data rows over piece by piece and keeps none of them, so a
 * reader's memory is bounded by a piece, not by the file (the server runs it
 * in a worker thread: lib/import/check-file.ts).
 */

export interface ParsedImportFile {
  kind: ImportKind;
  header: HeaderMap;
  rows: DataRow[];
}

/** What a streamed read found: the header and how many data rows were handed over. */
export interface StreamedImportFile {
  header: HeaderMap;
  rowCount: number;
}

/** Bytes decoded at a time. */
const SLICE_BYTES = 64 * 1024;
/** Lines parsed between turns of the event loop: bounds the work of rows csv-parse finds uneven (~0.1 ms each). */
const PIECE_LINES = 200;
/** Characters parsed between turns of the event loop (a wide row is parsed over several). */
const PIECE_CHARS = 32_000;

const isBlankRecord = (cells: readonly string[]) => cells.every((cell) => cell.trim() === "");
const count = (n: number) => n.toLocaleString("en-US");
const fail = (message: string): FileCheck<never> => ({ ok: false, message });
const NO_HEADER = "The first row must be the header row with the column names. Download the template to start from the expected columns.";

/** Pieces of at most PIECE_LINES lines and PIECE_CHARS characters. */
function* pieces(text: string): Generator<string> {
  for (const lines of linePieces(text, PIECE_LINES)) {
    for (let i = 0; i < lines.length; i += PIECE_CHARS) yield i === 0 && lines.length <= PIECE_CHARS ? lines : lines.slice(i, i + PIECE_CHARS);
  }
}

/** The records of a file as they are read, checked against the limits; the data rows of each piece are collected in `fresh`. */
class RecordChecks {
  header: HeaderMap | null = null;
  /** Data rows found since the caller last took them. */
  fresh: DataRow[] = [];
  private rowCount = 0;
  private blankRows = 0;
  /** Characters since the last line break. */
  private lineChars = 0;
  private lastRow = 0;

  constructor(private readonly kind: ImportKind) {}

  /** Before a piece is parsed: its lines' lengths. */
  checkPiece(piece: string): FileCheck<null> {
    const lastBreak = piece.lastIndexOf("\n");
    if (lastBreak < 0) this.lineChars += piece.length;
    else {
      // Only the first and last line can be long here (a piece holds whole lines in between, each shorter than the piece).
      const firstBreak = piece.indexOf("\n");
      if (this.lineChars + firstBreak > MAX_LINE_CHARS) return this.lineTooLong();
      this.lineChars = piece.length - lastBreak - 1;
    }
    return this.lineChars > MAX_LINE_CHARS ? this.lineTooLong() : { ok: true, value: null };
  }

  private lineTooLong(): FileCheck<never> {
    return fail(`Row ${count(this.lastRow + 1)} runs for more than ${formatBytes(MAX_LINE_CHARS)} without a line break, which usually means a quote is never closed or the file isn't CSV.`);
  }

  /** After a piece: the records it completed, and what the parser skipped or found uneven. */
  checkRecords(records: readonly CsvRecord[], reader: CsvRecordReader): FileCheck<null> {
    for (const { row, cells } of records) {
      this.lastRow = row;
      if (cells.length > MAX_IMPORT_COLUMNS) {
        return fail(`Row ${count(row)} has more than ${count(MAX_IMPORT_COLUMNS)} values (${count(cells.length)}); at most ${count(MAX_IMPORT_COLUMNS)} columns are read. A quote is probably never closed, or the file isn't one table.`);
      }
      for (let index = 0; index < cells.length; index++) {
        if (cells[index]!.length > MAX_CELL_CHARS) {
          const title = this.header ? this.titleAt(index) : null;
          return fail(`Row ${count(row)}, ${title ? `column "${title}"` : `column ${count(index + 1)}`}: the value has ${count(cells[index]!.length)} characters; at most ${count(MAX_CELL_CHARS)} are accepted in one cell.`);
        }
      }
      if (!this.header) {
        if (row !== 1 || isBlankRecord(cells)) return fail(NO_HEADER);
        const header = mapHeader(this.kind, cells);
        if (!header.ok) return header;
        this.header = header.value;
        continue;
      }
      // Empty lines (and rows of empty cells that spreadsheets leave at the end) count as rows but hold nothing.
      if (isBlankRecord(cells)) {
        this.blankRows += 1;
      } else {
        this.fresh.push({ row, cells });
        this.rowCount += 1;
        if (this.rowCount > MAX_IMPORT_ROWS) {
          return fail(`The file has more than ${count(MAX_IMPORT_ROWS)} rows; at most ${count(MAX_IMPORT_ROWS)} can be imported at once. Split it into smaller files.`);
        }
      }
    }
    if (!this.header && reader.emptyLines > 0) return fail(NO_HEADER);
    if (this.blankRows + reader.emptyLines > MAX_BLANK_ROWS) {
      return fail(`The file has more than ${count(MAX_BLANK_ROWS)} empty rows. Delete the empty rows (usually at the end of the sheet) and export it again.`);
    }
    if (reader.unevenRecords > MAX_UNEVEN_ROWS) {
      return fail(
        `More than ${count(MAX_UNEVEN_ROWS)} rows have more or fewer values than the header row has columns, so the file can't be read as one table. A comma or a quote is probably missing; check the export.`,
      );
    }
    return { ok: true, value: null };
  }

  private titleAt(index: number): string | null {
    const column = this.header?.columns.find((c) => c.index === index);
    return column ? column.title.slice(0, 60) : null;
  }

  finish(): FileCheck<StreamedImportFile> {
    if (!this.header) return fail(NO_HEADER);
    if (this.rowCount === 0) return fail("The file has a header row but no data rows.");
    return { ok: true, value: { header: this.header, rowCount: this.rowCount } };
  }
}

/**
 * Checks the header line as soon as it is complete, before csv-parse sees
 * it: the separator (semicolons, tabs or bars instead of commas), its length
 * and how many columns it has.
 */
function checkHeaderLine(kind: ImportKind, text: string, isLast: boolean): FileCheck<boolean> {
  const line = completeHeaderLine(text) ?? (isLast ? text : null);
  if (line === null && text.length <= MAX_HEADER_CHARS) return { ok: true, value: false };
  if (line === null || line.length > MAX_HEADER_CHARS) {
    // Too long to be a header: said by its column count when that is what makes it long.
    if (countOutsideQuotes(text.slice(0, MAX_HEADER_CHARS), ",") + 1 > MAX_IMPORT_COLUMNS) {
      return fail(`The header row has more than ${count(MAX_IMPORT_COLUMNS)} columns; at most ${count(MAX_IMPORT_COLUMNS)} are read. Use the template's columns (${count(IMPORT_COLUMNS[kind].length)}).`);
    }
    return fail(`The first row runs for more than ${formatBytes(MAX_HEADER_CHARS)}; it must be the header row with the column names. Download the template to start from the expected columns.`);
  }
  const delimiter = checkDelimiter(line, IMPORT_COLUMNS[kind].map((c) => c.header));
  if (!delimiter.ok) return delimiter;
  const columns = countOutsideQuotes(line, ",") + 1;
  if (columns > MAX_IMPORT_COLUMNS) {
    return fail(`The header row has ${count(columns)} columns; at most ${count(MAX_IMPORT_COLUMNS)} are read. Use the template's columns (${count(IMPORT_COLUMNS[kind].length)}).`);
  }
  return { ok: true, value: true };
}

/** The chunks of the file's bytes, cut into slices of at most SLICE_BYTES. */
async function* slices(chunks: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const source = chunks instanceof Uint8Array ? [chunks] : chunks;
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.length; offset += SLICE_BYTES) yield chunk.subarray(offset, offset + SLICE_BYTES);
  }
}

/** Data rows as they are read, with the header they belong to and the bytes read so far. */
export type RowSink = (rows: DataRow[], header: HeaderMap, bytesRead: number) => void | Promise<void>;

/**
 * Reads the file (its bytes, or its chunks as they arrive; `byteLength` is
 * the whole file's) and hands each piece's data rows to `onRows` — awaited
 * before the next piece is parsed — without keeping them.
 */
export async function streamImportFile({
  kind,
  bytes,
  byteLength,
  onRows,
}: {
  kind: ImportKind;
  bytes: Uint8Array | AsyncIterable<Uint8Array>;
  byteLength: number;
  onRows: RowSink;
}): Promise<FileCheck<StreamedImportFile>> {
  const size = checkFileSize(byteLength);
  if (!size.ok) return size;
  const decoder = new CsvTextDecoder();
  const reader = new CsvRecordReader();
  const checks = new RecordChecks(kind);
  let bytesRead = 0;
  const handOver = async () => {
    if (checks.fresh.length === 0) return;
    const rows = checks.fresh;
    checks.fresh = [];
    await onRows(rows, checks.header!, bytesRead);
  };
  /** Text held until the header line is complete and checked; null after. */
  let headerText: string | null = "";
  const feed = async (text: string): Promise<FileCheck<null>> => {
    for (const piece of pieces(text)) {
      const lines = checks.checkPiece(piece);
      if (!lines.ok) return lines;
      const read = await reader.write(piece);
      if (!read.ok) return read;
      const checked = checks.checkRecords(read.value, reader);
      if (!checked.ok) return checked;
      await handOver();
    }
    return { ok: true, value: null };
  };
  const take = async (text: FileCheck<string>, isLast: boolean): Promise<FileCheck<null>> => {
    if (!text.ok) return text;
    let fresh = text.value;
    if (headerText !== null) {
      headerText += fresh;
      const header = checkHeaderLine(kind, headerText, isLast);
      if (!header.ok) return header;
      if (!header.value) return { ok: true, value: null };
      fresh = headerText;
      headerText = null;
    }
    return feed(fresh);
  };
  try {
    for await (const slice of slices(bytes)) {
      bytesRead += slice.length;
      const taken = await take(decoder.push(slice), false);
      if (!taken.ok) return taken;
    }
    const taken = await take(decoder.end(), true);
    if (!taken.ok) return taken;
    const rest = await reader.end();
    if (!rest.ok) return rest;
    const checked = checks.checkRecords(rest.value, reader);
    if (!checked.ok) return checked;
    await handOver();
    return checks.finish();
  } finally {
    reader.destroy();
  }
}

/** The whole file's rows at once (tests and small files). */
export async function parseImportFile({ kind, bytes }: { kind: ImportKind; bytes: Uint8Array }): Promise<FileCheck<ParsedImportFile>> {
  const rows: DataRow[] = [];
  const read = await streamImportFile({ kind, bytes, byteLength: bytes.length, onRows: (fresh) => {
      for (const row of fresh) rows.push(row);
    },
  });
  if (!read.ok) return read;
  return { ok: true, value: { kind, header: read.value.header, rows } };
}

export type ImportReading = { ok: false; message: string } | { ok: true; rowCount: number; valid: ValidRows; issues: ImportIssue[] };

/** The whole check in one call (tests, small files); the server runs the same steps in slices to report progress. */
export async function readImportFile(options: {
  kind: ImportKind;
  bytes: Uint8Array;
  references: ImportReferences;
  timeZone: string;
  now: Date;
}): Promise<ImportReading> {
  const parsed = await parseImportFile(options);
  if (!parsed.ok) return parsed;
  const validator = rowValidator({ ...options, header: parsed.value.header });
  validator.validate(parsed.value.rows);
  return { ok: true, rowCount: parsed.value.rows.length, ...validator.result() };
}
