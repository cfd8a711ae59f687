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
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
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

/** Text cells for a header. */
export function csvHeaderRow(header: readonly string[]): string {
  return csvRow(header.map((text) => ({ text })));
}

/** Roughly how much text goes into one chunk of the stream (UTF-16 code units; 1–3 bytes each). */
const CHUNK_CHARS = 64 * 1024;

/**
 * A CSV file as a byte stream: the optional BOM, the header (text cells), then
 * the rows as the iterator yields them. Pull-based: rows are taken from the
 * iterator only while the reader asks for more (one ~64 KB chunk per pull, one
 * chunk buffered ahead), so a million-row export holds one chunk in memory. An
 * error from the iterator (or a bad cell) errors the stream; cancelling the
 * stream (the client went away) calls the iterator's return(), which runs its
 * `finally` (e.g. releasing a database cursor).
 */
export function csvStream(header: readonly string[], rows: AsyncIterable<readonly CsvCell[]>, { bom }: { bom: boolean }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let iterator: AsyncIterator<readonly CsvCell[]> | null = null;
  let pending = (bom ? UTF8_BOM : "") + csvHeaderRow(header);
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
          const parts = [pending];
          let length = pending.length;
          pending = "";
          let isDone = false;
          while (length < CHUNK_CHARS && !isCancelled) {
            const next = await iterator.next();
            if (next.done) {
              isDone = true;
              break;
            }
            const row = csvRow(next.value);
            parts.push(row);
            length += row.length;
          }
          if (isCancelled) return;
          if (length > 0) controller.enqueue(encoder.encode(parts.join("")));
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
