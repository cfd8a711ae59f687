import "server-only";
import { NextResponse } from "next/server";
import type { Denied } from "@/lib/access/policy";

/**
 * The one error shape of every route handler: `{ error: { code, message } }`
 * (plus the parameter at fault, where there is one), never a stack trace, never cached.
 */
export type ApiErrorCode = "bad-request" | "unauthenticated" | "forbidden" | "not-found" | "method-not-allowed" | "too-large" | "unsupported-media-type" | "internal";

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string };
}

export type ApiErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422 | 500;

export function apiError(status: ApiErrorStatus, code: ApiErrorCode, message: string, field?: string): NextResponse<ApiErrorBody> {
  return NextResponse.json<ApiErrorBody>({ error: { code, message, ...(field ? { field } : {}) } }, { status, headers: { "cache-control": "no-store" } });
}

/** A policy refusal as a response: forbidden → 403, not-found → 404 (indistinguishable from a missing id). */
export function deniedResponse(denied: Denied): NextResponse<ApiErrorBody> {
  return denied.kind === "forbidden" ? apiError(403, "forbidden", denied.message) : apiError(404, "not-found", denied.message);
}
