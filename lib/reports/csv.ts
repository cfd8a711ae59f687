/**
 * The one CSV writer: every CSV Burnrate hands out (report exports, the import
 * template) goes through it. Pure (no server imports), RFC 4180: cells joined
 * by commas, rows ended by CRLF, a cell quoted (inner quotes doubled) when it
 * holds a comma, quote or line break or starts or ends with whitespace.
 *
 * Text is accepted as people type it (the forms and the import take a name
 * like "=HYPERLINK(…)" or a note "- lr warmup"), so it is made safe here, on
 * the way out: a text cell starting with = + - @ tab or CR, which spreadsheet
 * apps run as a formula, gets a leading single quote (OWASP, CSV injection).
 * Numbers are written as they are — "-12.34" stays a number — and only a
 * plain decimal is accepted as one, so text can't pass as a number.
 */

/** A cell of a row: text (neutralized and quoted as needed) or a number (written as is). */
export type CsvCell = { text: string | null } | { number: string | bigint | number | null };

/** Byte order mark, for spreadsheet apps that read a file without one as a legacy encoding. */
export const UTF8_BOM = "\uFEFF";

// What spreadsheet apps run as a formula at the start of a cell (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** A text cell: empty for null, a leading `'` when it starts like a formula, quoted when it must be. */
export function csvTextCell(value: string | null): string {
  if (value === null) return "";
  if (isPlainText(value)) return value;
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * True when a text cell is written as it is: printable ASCII that starts like
 * no formula, holds no quote, comma or line break, and neither starts nor ends
 * with whitespace. One scan instead of the regexes, for the many cells of a
 * large export; anything else (non-ASCII included) takes the regexes' path.
 */
function isPlainText(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  const first = value.charCodeAt(0);
  // = + - @ (tab and CR fail the printable test below)
  if (first === 61 || first === 43 || first === 45 || first === 64) return false;
  if (first === 32 || value.charCodeAt(n - 1) === 32) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 44) return false;
  }
  return true;
}

/** A number cell: empty for null, the digits as they are otherwise. Anything but a plain decimal is a programming error. */
export function csvNumberCell(value: string | bigint | number | null): string {
  if (value === null) return "";
  if (typeof value === "bigint") return value.toString();
  const text = typeof value === "number" ? String(value) : value;
  if (!PLAIN_DECIMAL.test(text)) throw new TypeError(`CSV number cell is not a plain decimal number: ${JSON.stringify(text)}`);
  return text;
}

function cellText(cell: CsvCell): string {
  return "text" in cell ? csvTextCell(cell.text) : csvNumberCell(cell.number);
}

/** One row: cells joined by commas, ended by CRLF. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(cellText).join(",")}\r\n`;
}

/** One row of plain values, as `csvRow` writes it with `isNumber[i]` saying which are number cells (no cell objects). */
export function csvValuesRow(values: readonly (string | bigint | number | null)[], isNumber: readonly boolean[]): string {
  let row = "";
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? null;
    row += (i === 0 ? "" : ",") + (isNumber[i] ? csvNumberCell(value) : csvTextCell(value === null ? null : String(value)));
  }
  return `${row}\r\n`;
}

/** Text cells for a header. */
export function csvHeaderRow(header: readonly string[]): string {
  return csvRow(header.map((text) => ({ text })));
}

/** Roughly how many bytes go into one chunk of the stream. */
const CHUNK_BYTES = 64 * 1024;

/** Rows already encoded by `csvRow` or `csvValuesRow` (each a whole row, CRLF included), for a writer that has many. */
export interface EncodedCsvRows {
  encoded: readonly string[];
}

/**
 * A CSV file as a byte stream: the optional BOM, the header (text cells), then
 * the rows as the iterator yields them — one row's cells at a time, or a list
 * of rows already encoded (`EncodedCsvRows`). Pull-based: rows are taken from
 * the iterator only while the reader asks for more (one ~64 KB chunk per pull,
 * one chunk buffered ahead), so a million-row export holds one chunk in
 * memory. Each row is written into the chunk's bytes as it comes (UTF-8,
 * `encodeInto`): encoding one long concatenated string instead was the
 * slowest step of a large export. An error from the iterator (or a bad cell)
 * errors the stream; cancelling the stream (the client went away) calls the
 * iterator's return(), which runs its `finally` (e.g. releasing a database
 * cursor).
 */
export function csvStream(header: readonly string[], rows: AsyncIterable<readonly CsvCell[] | EncodedCsvRows>, { bom }: { bom: boolean }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let iterator: AsyncIterator<readonly CsvCell[] | EncodedCsvRows> | null = null;
  /** Encoded rows not yet written (the header first), and the next one's index. */
  let queue: readonly string[] = [(bom ? UTF8_BOM : "") + csvHeaderRow(header)];
  let queued = 0;
  /** Where a chunk's bytes are written, then copied out: room for 64 KB and the row that crosses it. */
  const scratch = new Uint8Array(2 * CHUNK_BYTES);
  let isCancelled = false;

  const stop = async () => {
    try {
      await iterator?.return?.();
    } catch {
      // The stream has already failed or been cancelled; the first error is the one reported.
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          iterator ??= rows[Symbol.asyncIterator]();
          let used = 0;
          let isDone = false;
          while (used < CHUNK_BYTES && !isCancelled) {
            if (queued >= queue.length) {
              const next = await iterator.next();
              if (next.done) {
                isDone = true;
                break;
              }
              queue = Array.isArray(next.value) ? [csvRow(next.value as readonly CsvCell[])] : (next.value as EncodedCsvRows).encoded;
              queued = 0;
              continue;
            }
            const row = queue[queued]!;
            // Up to 3 bytes per UTF-16 code unit: a row that might not fit ends the chunk (or, alone, is a chunk of its own).
            if (used + row.length * 3 > scratch.length) {
              if (used > 0) break;
              controller.enqueue(encoder.encode(row));
              queued += 1;
              return;
            }
            used += encoder.encodeInto(row, scratch.subarray(used)).written;
            queued += 1;
          }
          if (isCancelled) return;
          if (used > 0) controller.enqueue(scratch.slice(0, used));
          if (isDone) controller.close();
        } catch (error) {
          if (isCancelled) return;
          controller.error(error);
          // A bad cell leaves the iterator suspended (holding its cursor): end it. After its own throw this is a no-op.
          await stop();
        }
      },
      async cancel() {
        isCancelled = true;
        await stop();
      },
    },
    // One chunk read ahead: producing the next chunk overlaps sending this one, memory stays at about two chunks.
    { highWaterMark: 1 },
  );
}
