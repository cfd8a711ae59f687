import "server-only";
import type { NextResponse } from "next/server";
import type { Denied } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { authorizeImport, type ImportCommit, type ImportDenied, type ImportFile, type ImportProgress } from "@/lib/db/mutations/imports";
import { databaseErrorCode } from "@/lib/db/mutations/records";
import { TransactionTimeoutError } from "@/lib/db/pg-transaction";
import { checkFileSize, CsvTextDecoder } from "@/lib/import/file-checks";
import { formatBytes, importKindFromSlug, MAX_IMPORT_BYTES } from "@/lib/import/kinds";
import { timeZone } from "@/lib/validation/entities/fields";
import { apiError, type ApiErrorBody } from "./errors";
import { readBodyCapped, type BodyRead } from "./read-body";

/**
 * The wiring shared by the import route handlers (inside guardedRoute, which
 * has checked the origin and the session): whether the viewer may import at
 * all, the query parameters, and the uploaded file read from the request body
 * with a byte limit, so an oversized upload is refused without being buffered
 * whole. Expected failures become JSON with a message (lib/api/errors.ts).
 */

export type ImportErrorBody = ApiErrorBody;

export const importError = apiError;

const timeZoneField = timeZone({ label: "Time zone" });

/**
 * Content types a CSV upload arrives with: the app sends text/csv; browsers
 * and clients label .csv files text/csv, text/plain, application/csv,
 * application/vnd.ms-excel (Windows) or application/octet-stream, or nothing.
 */
const CSV_CONTENT_TYPES = new Set(["text/csv", "text/plain", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel", "application/octet-stream"]);


/** A file refused for what it holds: the preview's own shape for it (`{ status: "invalid-file", message }`), 422. */
const invalidFile = (message: string) => Response.json({ status: "invalid-file", message }, { status: 422, headers: { "cache-control": "no-store" } });

const tooLarge = () =>
  importError(413, "too-large", `The file is larger than the ${formatBytes(MAX_IMPORT_BYTES)} limit. Split it into smaller files and import them one after another.`);

/**
 * Reads the body up to `limit` bytes as it arrives. Route handlers have no
 * body limit of their own in Next 16 (server actions stop at 256 kB, and
 * proxy.ts, which skips /api for this reason, would buffer only 10 MB), so
 * the limit is enforced here, while reading — not after buffering a huge
 * upload. Each chunk also goes through the file's text decoder, so a
 * workbook, UTF-16 or binary garbage is refused (422) as soon as its first
 * bytes arrive, without waiting for the rest.
 */
async function readBody(body: ReadableStream<Uint8Array>, limit: number): Promise<BodyRead> {
  const decoder = new CsvTextDecoder();
  const read = await readBodyCapped(body, {
    limit,
    tooLarge,
    onChunk: (chunk) => {
      const text = decoder.push(chunk);
      return text.ok ? null : invalidFile(text.message);
    },
  });
  if (!read.ok || read.bytes.length === 0) return read;
  const text = decoder.end();
  return text.ok ? read : { ok: false, response: invalidFile(text.message) };
}

export type ImportRequest = { ok: true; viewer: Viewer; file: ImportFile } | { ok: false; response: Response | NextResponse<ImportErrorBody> | Denied };

/**
 * POST /api/imports/…?kind=training-runs|usage-windows&timeZone=<IANA>&fileName=<name>
 * with the CSV file as the request body. Everything that can be judged
 * without the body (access, parameters, content type, declared length, no
 * body) is answered before any of it is read.
 */
export async function readImportRequest(request: Request, viewer: Viewer): Promise<ImportRequest> {
  // Refused before reading the body; each row's team is checked again as the file is (team:write).
  const denied = authorizeImport(viewer);
  if (denied) return { ok: false, response: denied };
  const url = new URL(request.url);
  const kind = importKindFromSlug(url.searchParams.get("kind"));
  if (!kind) return { ok: false, response: importError(400, "bad-request", 'Choose what to import: kind must be "training-runs" or "usage-windows".') };
  const zone = timeZoneField.parse(url.searchParams.get("timeZone") || viewer.orgTimeZone);
  if (!zone.ok) return { ok: false, response: importError(400, "bad-request", zone.message) };
  const fileName = (url.searchParams.get("fileName") ?? "").trim().slice(0, 255) || "upload.csv";
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (contentType !== "" && !CSV_CONTENT_TYPES.has(contentType)) {
    return {
      ok: false,
      response: importError(415, "unsupported-media-type", `Send the CSV file itself as the request body, with content type text/csv (not ${contentType.slice(0, 100)}).`),
    };
  }
  const declaredHeader = request.headers.get("content-length");
  const declared = declaredHeader === null ? NaN : Number(declaredHeader);
  if (Number.isFinite(declared) && declared > MAX_IMPORT_BYTES) {
    const size = checkFileSize(declared);
    return { ok: false, response: importError(413, "too-large", size.ok ? "The file is too large." : size.message) };
  }
  if (!request.body || declared === 0) return { ok: false, response: importError(400, "bad-request", "The request has no file: send the CSV file as the request body.") };
  const body = await readBody(request.body, MAX_IMPORT_BYTES);
  if (!body.ok) return body;
  if (body.bytes.length === 0) return { ok: false, response: importError(400, "bad-request", "The request has no file: send the CSV file as the request body.") };
  return { ok: true, viewer, file: { kind, fileName, bytes: body.bytes, timeZone: zone.value } };
}

/** Anything unexpected: logged on the server, a message without internals for the person. */
export function unexpectedImportError(error: unknown) {
  console.error("Import failed:", error);
  return importError(500, "internal", "Something went wrong on the server and nothing was imported. Try again; if it keeps failing, tell your administrator.");
}

/** One line of the commit's NDJSON stream. */
export type ImportEvent =
  | { type: "progress"; progress: ImportProgress }
  | { type: "result"; result: Exclude<ImportCommit, ImportDenied> }
  | { type: "error"; message: string };

const NOTHING_IMPORTED = "Nothing was imported";

/** What went wrong in the database, in words, when it is something a person can act on. */
function failureMessage(error: unknown): string {
  const code = databaseErrorCode(error);
  if (code === "23505") return `${NOTHING_IMPORTED}: another change saved a record with the same natural key while the file was importing. Import the file again.`;
  if (code === "23503") return `${NOTHING_IMPORTED}: a team, GPU type or deployment the file names was deleted while it was importing. Preview the file again.`;
  if (code === "40001" || code === "40P01") return `${NOTHING_IMPORTED}: the import collided with another change. Import the file again.`;
  if (error instanceof TransactionTimeoutError || code === "57014") return `${NOTHING_IMPORTED}: the import took too long and was cancelled. Split the file into smaller ones.`;
  return `${NOTHING_IMPORTED}: something went wrong on the server. Try again; if it keeps failing, tell your administrator.`;
}

/**
 * Streams a commit as NDJSON: progress events while it runs, then its result
 * (or an error message; the transaction has rolled back by then). A browser
 * that goes away does not stop the import: events it misses are dropped.
 */
export function importEventStream(work: (onProgress: (progress: ImportProgress) => void) => Promise<ImportCommit>): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: ImportEvent) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          // the client disconnected
        }
      };
      try {
        const result = await work((progress) => send({ type: "progress", progress }));
        send(result.status === "denied" ? { type: "error", message: result.denied.message } : { type: "result", result });
      } catch (error) {
        console.error("Import failed:", error);
        send({ type: "error", message: failureMessage(error) });
      } finally {
        try {
          controller.close();
        } catch {
          // already closed by a disconnect
        }
      }
    },
  });
  return new Response(stream, {
    headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}
