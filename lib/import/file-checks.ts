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

function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/**
 * The file's text: strict UTF-8 with a byte-order mark removed. UTF-16 (with
 * or without a BOM), spreadsheets saved in their own format and text in a
 * legacy encoding such as Windows-1252 are refused with how to re-save.
 */
export function decodeCsvBytes(bytes: Uint8Array): FileCheck<string> {
  if (bytes.length === 0) return fail("The file is empty.");
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    return fail(`The file is encoded as UTF-16 ("Unicode Text"), not UTF-8. ${SAVE_AS_UTF8}`);
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    return fail("This is an Excel or OpenDocument workbook, not a CSV file. Use File → Save As → CSV UTF-8 and upload the .csv file.");
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    return fail("This is an Excel 97–2003 workbook (.xls), not a CSV file. Use File → Save As → CSV UTF-8 and upload the .csv file.");
  }
  const head = bytes.subarray(0, 1024);
  const zeros = head.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
  if (head.length >= 4 && zeros * 4 >= head.length) {
    return fail(`The file looks like UTF-16 text without a byte-order mark, not UTF-8. ${SAVE_AS_UTF8}`);
  }
  const body = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes;
  const bad = firstInvalidUtf8Byte(body);
  if (bad >= 0) {
    const offset = bad + (body === bytes ? 0 : 3);
    const hex = bytes[offset]!.toString(16).toUpperCase().padStart(2, "0");
    return fail(
      `The file is not valid UTF-8: byte ${(offset + 1).toLocaleString("en-US")} (line ${lineOfOffset(bytes, offset).toLocaleString("en-US")}) is 0x${hex}, which usually means it was saved in a legacy encoding such as Windows-1252. ${SAVE_AS_UTF8}`,
    );
  }
  return ok(new TextDecoder("utf-8", { fatal: true }).decode(body));
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

/** Counts a separator outside quotes. */
function countOutsideQuotes(line: string, separator: string): number {
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
