import { formatBytes, MAX_IMPORT_BYTES } from "./kinds";

/**
 * Checks on the file as a whole, before any row is read: size, encoding and
 * separator. Each failure is one sentence saying what is wrong and how to
 * export the file so that it works.
 */

export type FileCheck<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): FileCheck<T> => ({ ok: true, value });
const fail = (message: string): FileCheck<never> => ({ ok: false, message });

const SAVE_AS_UTF8 = 'Save it as "CSV UTF-8 (Comma delimited)" in Excel, or as UTF-8 CSV in other apps, and upload it again.';

export function checkFileSize(byteLength: number, limit = MAX_IMPORT_BYTES): FileCheck<number> {
  if (byteLength === 0) return fail("The file is empty.");
  if (byteLength > limit) {
    return fail(`The file is ${formatBytes(byteLength)}; the limit is ${formatBytes(limit)}. Split it into smaller files and import them one after another.`);
  }
  return ok(byteLength);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/**
 * Offset of the first byte that is not part of a well-formed UTF-8 sequence
 * (the rules TextDecoder's fatal mode applies: no overlongs, no surrogates,
 * nothing above U+10FFFF), or -1 when all of it is valid.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let length: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const [lo, hi] = k === 1 ? [lower, upper] : [0x80, 0xbf];
      if (next === undefined || next < lo || next > hi) return i;
    }
    i += length;
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (bytes[i] === 0x0a) count += 1;
  return count;
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count += 1;
  return count;
}

/** Bytes looked at to recognize UTF-16 and workbooks. */
const HEAD_BYTES = 1024;

/** UTF-16 (with or without a BOM) and spreadsheets saved in their own format, from the first bytes. */
function checkHead(bytes: Uint8Array): FileCheck<null> {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    return fail(`The file is encoded as UTF-16 ("Unicode Text"), not UTF-8. ${SAVE_AS_UTF8}`);
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    return fail("This is an Excel or OpenDocument workbook, not a CSV file. Use File → Save As → CSV UTF-8 and upload the .csv file.");
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    return fail("This is an Excel 97–2003 workbook (.xls), not a CSV file. Use File → Save As → CSV UTF-8 and upload the .csv file.");
  }
  const head = bytes.subarray(0, HEAD_BYTES);
  const zeros = head.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
  if (head.length >= 4 && zeros * 4 >= head.length) {
    return fail(`The file looks like UTF-16 text without a byte-order mark, not UTF-8. ${SAVE_AS_UTF8}`);
  }
  return ok(null);
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/**
 * The file's text, decoded as the bytes arrive: strict UTF-8 with a
 * byte-order mark removed. UTF-16 (with or without a BOM), spreadsheets
 * saved in their own format (recognized from the first KB) and text in a
 * legacy encoding such as Windows-1252 (the byte and line of the first bad
 * byte) are refused with how to re-save, as soon as the bytes that show it
 * have arrived. Memory: the first KB, and at most 3 bytes of a character
 * split between chunks.
 */
export class CsvTextDecoder {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private head: Uint8Array[] | null = [];
  private headLength = 0;
  /** Bytes handed to the decoder so far. */
  private consumed = 0;
  /** Line number at the end of the text decoded so far. */
  private line = 1;
  /** The last bytes of the previous chunk (a character may continue from them). */
  private tail = new Uint8Array();
  private failure: FileCheck<never> | null = null;

  /** The text of the next bytes ("" while the first KB is gathered). */
  push(chunk: Uint8Array, isLast = false): FileCheck<string> {
    if (this.failure) return this.failure;
    let bytes = chunk;
    if (this.head) {
      this.head.push(chunk);
      this.headLength += chunk.byteLength;
      if (this.headLength < HEAD_BYTES && !isLast) return ok("");
      bytes = concatBytes(this.head);
      this.head = null;
      if (bytes.byteLength === 0) return (this.failure = fail("The file is empty."));
      const head = checkHead(bytes);
      if (!head.ok) return (this.failure = head);
    }
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: !isLast });
    } catch {
      return (this.failure = this.invalidByte(bytes));
    }
    this.consumed += bytes.byteLength;
    this.line += countLineBreaks(text);
    this.tail = bytes.byteLength >= 3 ? bytes.slice(bytes.byteLength - 3) : concatBytes([this.tail, bytes]).slice(-3);
    return ok(text);
  }

  /** The rest of the text once every byte has been pushed. */
  end(): FileCheck<string> {
    return this.push(new Uint8Array(), true);
  }

  /** The first invalid byte is in `bytes`, or in a character begun in the last bytes of the previous chunk. */
  private invalidByte(bytes: Uint8Array): FileCheck<never> {
    const probe = concatBytes([this.tail, bytes]);
    // Bytes before the first lead byte continue a character the decoder already accepted.
    let start = 0;
    while (start < this.tail.byteLength && (probe[start]! & 0xc0) === 0x80) start += 1;
    const found = firstInvalidUtf8Byte(probe.subarray(start));
    const index = start + Math.max(0, found);
    const offset = this.consumed - this.tail.byteLength + index;
    // Line breaks in the tail are counted already (a character held over from it holds none).
    const line = this.line + countNewlines(probe, this.tail.byteLength, Math.max(index, this.tail.byteLength));
    const hex = (probe[index] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return fail(
      `The file is not valid UTF-8: byte ${(offset + 1).toLocaleString("en-US")} (line ${line.toLocaleString("en-US")}) is 0x${hex}, which usually means it was saved in a legacy encoding such as Windows-1252. ${SAVE_AS_UTF8}`,
    );
  }
}

/** The whole file's text at once (see CsvTextDecoder). */
export function decodeCsvBytes(bytes: Uint8Array): FileCheck<string> {
  return new CsvTextDecoder().push(bytes, true);
}

/** The header line: up to the first line break that is not inside quotes. */
function headerLine(text: string): string {
  let isQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') isQuoted = !isQuoted;
    else if (!isQuoted && (ch === "\n" || ch === "\r")) return text.slice(0, i);
  }
  return text;
}

/** Characters the header row may take. */
export const MAX_HEADER_CHARS = 64 * 1024;

/** The header line once `text` holds all of it (an unquoted line break follows it), else null. */
export function completeHeaderLine(text: string): string | null {
  const line = headerLine(text);
  return line.length < text.length ? line : null;
}

/** Counts a separator outside quotes. */
export function countOutsideQuotes(line: string, separator: string): number {
  let count = 0;
  let isQuoted = false;
  for (const ch of line) {
    if (ch === '"') isQuoted = !isQuoted;
    else if (!isQuoted && ch === separator) count += 1;
  }
  return count;
}

const SEPARATORS = [
  { char: ";", name: "semicolons" },
  { char: "\t", name: "tabs" },
  { char: "|", name: "vertical bars (|)" },
] as const;

/**
 * Comma is the only separator accepted. A header that splits on semicolons
 * (Excel in many European locales), tabs or bars rather than commas gets a
 * message saying so, instead of one "missing columns" error per column.
 */
export function checkDelimiter(text: string, knownHeaders: readonly string[]): FileCheck<null> {
  const line = headerLine(text);
  const commas = countOutsideQuotes(line, ",");
  const known = new Set(knownHeaders);
  for (const { char, name } of SEPARATORS) {
    const count = countOutsideQuotes(line, char);
    if (count === 0 || count <= commas) continue;
    const cells = line.split(char).map((cell) => cell.trim().replace(/^"|"$/g, "").toLowerCase());
    if (commas === 0 || cells.filter((cell) => known.has(cell)).length >= 2) {
      return fail(`This file is separated by ${name}; export it as comma-separated values (CSV UTF-8, comma delimited) and upload it again.`);
    }
  }
  return ok(null);
}
