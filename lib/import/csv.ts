import { CsvError, parse } from "csv-parse/sync";
import type { FileCheck } from "./file-checks";

/**
 * CSV text → records (arrays of cells), through csv-parse with strict quoting.
 * Rows are numbered as a spreadsheet numbers them: the header is row 1 and a
 * quoted cell with line breaks stays one row. A malformed quote stops the
 * read with a message naming its row and column.
 */

export interface CsvRecords {
  /** records[0] is the header. */
  records: string[][];
}

const QUOTE_ADVICE = 'Put the whole value in double quotes and double every quote inside it, e.g. "12"" screen".';

function messageFor(error: CsvError, headerCells: readonly string[] | null): string {
  const context = error as unknown as { records?: number; index?: number };
  const row = (context.records ?? 0) + 1;
  const index = context.index ?? 0;
  const title = headerCells?.[index]?.trim();
  const where = `Row ${row.toLocaleString("en-US")}${row > 1 && title ? `, column "${title}"` : `, column ${index + 1}`}`;
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
      return `${where}: the file can't be read as CSV (${error.message}).`;
  }
}

export function readCsvRecords(text: string): FileCheck<CsvRecords> {
  try {
    const records = parse(text, { relax_column_count: true, skip_empty_lines: false, max_record_size: 1024 * 1024 }) as string[][];
    return { ok: true, value: { records } };
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    let headerCells: string[] | null = null;
    try {
      headerCells = (parse(text, { relax_column_count: true, to: 1 }) as string[][])[0] ?? null;
    } catch {
      // the header itself is malformed: positions only
    }
    return { ok: false, message: messageFor(error, headerCells) };
  }
}
