import "server-only";
import { NextResponse } from "next/server";
import type { Denied } from "@/lib/access/policy";
import { describeDatabaseError, isDatabaseUnavailable } from "@/lib/db/availability";

/**
 * The one error shape of every route handler: `{ error: { code, message } }`
 * (plus the parameter at fault, where there is one), never a stack trace, never cached.
 */
export type ApiErrorCode =
  | "bad-request"
  | "unauthenticated"
  | "forbidden"
  | "not-found"
  | "method-not-allowed"
  | "too-large"
  | "unsupported-media-type"
  | "internal"
  | "unavailable";

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string };
}

export type ApiErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422 | 500 | 503;

export function apiError(status: ApiErrorStatus, code: ApiErrorCode, message: string, field?: string, headers: Record<string, string> = {}): NextResponse<ApiErrorBody> {
  return NextResponse.json<ApiErrorBody>({ error: { code, message, ...(field ? { field } : {}) } }, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** Seconds a client should wait before retrying while the database is away (the supervisor restarts it within seconds). */
export const UNAVAILABLE_RETRY_SECONDS = 2;

/**
 * An error a route handler didn't expect, as a response: PostgreSQL away →
 * 503 with Retry-After, naming the problem (as /api/health does); anything
 * else → 500 with a generic message, logged here, never a stack trace.
 */
export function unexpectedErrorResponse(error: unknown): NextResponse<ApiErrorBody> {
  if (isDatabaseUnavailable(error)) {
    return apiError(503, "unavailable", `The database is unavailable (${describeDatabaseError(error)}); try again in a few seconds.`, undefined, {
      "retry-after": String(UNAVAILABLE_RETRY_SECONDS),
    });
  }
  console.error("burnrate: route handler failed", error);
  return apiError(500, "internal", "Something went wrong on the server; it has been logged. Try again, or contact your administrator if it persists.");
}

/** A policy refusal as a response: forbidden → 403, not-found → 404 (indistinguishable from a missing id). */
export function deniedResponse(denied: Denied): NextResponse<ApiErrorBody> {
  return denied.kind === "forbidden" ? apiError(403, "forbidden", denied.message) : apiError(404, "not-found", denied.message);
}

/**
 * A refusal of a request with a body (4xx/5xx to a POST) is answered before
 * the body is read, or after reading stopped early (too large, not CSV). The
 * unread rest would sit in front of the next request on a keep-alive
 * connection: Next's server leaves it paused, and that request hangs until
 * the socket is reset (measured: 6 s, then ECONNRESET). Such answers close
 * the connection instead.
 */
export function closingIfRefused(response: Response, stateChanging: boolean): Response {
  if (!stateChanging || response.status < 400) return response;
  const headers = new Headers(response.headers);
  headers.set("connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
