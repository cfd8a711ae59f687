import type { HeaderMap } from "./header";
import { MAX_LISTED_ERRORS, type ImportIssue, type ImportKind } from "./kinds";
import { streamImportFile } from "./read-file";
import type { ImportReferences } from "./references";
import { rowValidator, type RowValidator, type ValidRows } from "./rows";

/**
 * Reading and checking a file in one pass: each piece's data rows go
 * straight from the parser to the row validator, and the valid rows leave in
 * chunks as they are checked — nothing keeps every row of the file. Problems
 * are counted; the first MAX_LISTED_ERRORS (and the rest of their last row)
 * are kept to be listed. The server runs this in a worker thread
 * (check-worker.ts, started by lib/import/file-checker.ts).
 */

export interface CheckFileOptions {
  kind: ImportKind;
  /** IANA zone for times written without an offset (already validated). */
  timeZone: string;
  now: Date;
  references: ImportReferences;
}

/** The valid rows among the rows checked since the last chunk, and where the check stands. */
export interface CheckedChunk {
  valid: ValidRows;
  /** Data rows checked so far, valid or not. */
  checked: number;
  /** Data rows the file holds, estimated from the bytes read so far (exact in the last chunk). */
  estimatedTotal: number;
  /** Problems found so far. */
  issueCount: number;
}

export type CheckedFile =
  | { ok: false; message: string }
  | { ok: true; header: HeaderMap; rowCount: number; issueCount: number; issues: ImportIssue[] };

/** Data rows checked per chunk (the last may have fewer): small enough that handing one over never holds a thread for long. */
export const CHECKED_CHUNK_ROWS = 1_000;

/**
 * Reads and checks the file, awaiting `onChunk` for every CHECKED_CHUNK_ROWS
 * rows checked (so the consumer sets the pace); resolves with what the file
 * holds once every row is checked, or with the file-level message that
 * stopped the read.
 */
export async function checkImportFile(
  options: CheckFileOptions & { bytes: Uint8Array | AsyncIterable<Uint8Array>; byteLength: number; onChunk: (chunk: CheckedChunk) => Promise<void> },
): Promise<CheckedFile> {
  let validator: RowValidator | null = null;
  let checked = 0;
  let sinceChunk = 0;
  let bytesRead = 0;
  const handOver = async (estimatedTotal: number) => {
    sinceChunk = 0;
    await options.onChunk({ valid: validator!.takeValid(), checked, estimatedTotal, issueCount: validator!.issueCount() });
  };
  const read = await streamImportFile({
    kind: options.kind,
    bytes: options.bytes,
    byteLength: options.byteLength,
    onRows: async (rows, header, read) => {
      bytesRead = read;
      validator ??= rowValidator({ ...options, header, listedIssues: MAX_LISTED_ERRORS });
      // Chunks end every CHECKED_CHUNK_ROWS rows exactly, wherever the pieces end.
      for (let from = 0; from < rows.length; ) {
        const to = Math.min(rows.length, from + CHECKED_CHUNK_ROWS - sinceChunk);
        validator.validate(rows.slice(from, to));
        checked += to - from;
        sinceChunk += to - from;
        from = to;
        if (sinceChunk === CHECKED_CHUNK_ROWS) await handOver(Math.max(checked, Math.round((checked * options.byteLength) / Math.max(1, bytesRead))));
      }
    },
  });
  if (!read.ok) return read;
  await handOver(checked);
  return { ok: true, header: read.value.header, rowCount: read.value.rowCount, issueCount: validator!.issueCount(), issues: validator!.result().issues };
}
