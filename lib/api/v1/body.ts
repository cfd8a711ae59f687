import "server-only";
import { isUtf8 } from "node:buffer";
import { formatBytes } from "@/lib/import/kinds";
import { readBodyCapped, type BodyRead } from "../read-body";
import { v1Error } from "./responses";

/**
 * API v1 request bodies: read with a byte cap as they arrive
 * (../read-body.ts) — an oversized body is refused with 413 as soon as the
 * cap is passed, whatever Content-Length claimed — and parsed as JSON.
 */
export function tooLargeResponse(limit: number): Response {
  return v1Error(413, "too-large", `The request body is larger than the ${formatBytes(limit)} limit of this operation; send fewer items per request.`);
}

export async function readCappedBody(request: Request, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return { ok: false, response: tooLargeResponse(limit) };
  if (!request.body) return { ok: true, bytes: new Uint8Array() };
  return readBodyCapped(request.body, { limit, tooLarge: () => tooLargeResponse(limit) });
}

/** JSON text → value; a clear 400 naming where it broke. */
export function parseJsonBody(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; response: Response } {
  if (bytes.byteLength === 0) return { ok: false, response: v1Error(400, "bad-request", "The request has no body; send a JSON object (Content-Type: application/json).") };
  // Checked, then decoded without a second check (TextDecoder's fatal mode took ~1.4 ms of a 300 kB batch; isUtf8 is vectorized).
  if (!isUtf8(bytes)) return { ok: false, response: v1Error(400, "bad-request", "The request body is not UTF-8 text; send JSON.") };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message.slice(0, 200) : "unreadable";
    return { ok: false, response: v1Error(400, "bad-request", `The request body is not valid JSON (${detail}).`) };
  }
}
