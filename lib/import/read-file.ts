import { IMPORT_COLUMNS } from "./columns";
import { readCsvRecords } from "./csv";
import { checkDelimiter, checkFileSize, decodeCsvBytes, type FileCheck } from "./file-checks";
import { mapHeader, type HeaderMap } from "./header";
import { MAX_IMPORT_ROWS, type ImportIssue, type ImportKind } from "./kinds";
import type { ImportReferences } from "./references";
import { rowValidator, type DataRow, type ValidRows } from "./rows";

/**
 * A file's bytes → its header and data rows, or one file-level message (too
 * large, not UTF-8, wrong separator, malformed quotes, missing or unknown
 * columns, no rows). Nothing here reads the database.
 */

export interface ParsedImportFile {
  kind: ImportKind;
  header: HeaderMap;
  rows: DataRow[];
}

const isBlankRecord = (cells: readonly string[]) => cells.every((cell) => cell.trim() === "");

export function parseImportFile({ kind, bytes }: { kind: ImportKind; bytes: Uint8Array }): FileCheck<ParsedImportFile> {
  const size = checkFileSize(bytes.length);
  if (!size.ok) return size;
  const text = decodeCsvBytes(bytes);
  if (!text.ok) return text;
  const delimiter = checkDelimiter(text.value, IMPORT_COLUMNS[kind].map((c) => c.header));
  if (!delimiter.ok) return delimiter;
  const csv = readCsvRecords(text.value);
  if (!csv.ok) return csv;
  const { records } = csv.value;
  const headerCells = records[0];
  if (!headerCells || isBlankRecord(headerCells)) {
    return { ok: false, message: "The first row must be the header row with the column names. Download the template to start from the expected columns." };
  }
  const header = mapHeader(kind, headerCells);
  if (!header.ok) return header;
  const rows: DataRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const cells = records[i]!;
    // Empty lines (and rows of empty cells that spreadsheets leave at the end) count as rows but hold nothing.
    if (isBlankRecord(cells)) continue;
    rows.push({ row: i + 1, cells });
  }
  if (rows.length === 0) return { ok: false, message: "The file has a header row but no data rows." };
  if (rows.length > MAX_IMPORT_ROWS) {
    return {
      ok: false,
      message: `The file has ${rows.length.toLocaleString("en-US")} rows; at most ${MAX_IMPORT_ROWS.toLocaleString("en-US")} can be imported at once. Split it into smaller files.`,
    };
  }
  return { ok: true, value: { kind, header: header.value, rows } };
}

export type ImportReading = { ok: false; message: string } | { ok: true; rowCount: number; valid: ValidRows; issues: ImportIssue[] };

/** The whole check in one call (tests, small files); the server runs the same steps in slices to report progress. */
export function readImportFile(options: {
  kind: ImportKind;
  bytes: Uint8Array;
  references: ImportReferences;
  timeZone: string;
  now: Date;
}): ImportReading {
  const parsed = parseImportFile(options);
  if (!parsed.ok) return parsed;
  const validator = rowValidator({ ...options, header: parsed.value.header });
  validator.validate(parsed.value.rows);
  return { ok: true, rowCount: parsed.value.rows.length, ...validator.result() };
}
