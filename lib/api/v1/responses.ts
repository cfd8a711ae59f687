import "server-only";
import type { z } from "zod";
import type { Denied } from "@/lib/access/policy";
import { MAX_LISTED_ISSUES, type ApiErrorBodyV1, type ApiIssue } from "./error-body";

/**
 * API v1 responses: JSON, never cached, errors in the one shape of
 * error-body.ts. A response to a request whose body was not read to its end
 * closes the connection (lib/api/errors.ts `closingIfRefused` explains why).
 */

type Code = ApiErrorBodyV1["error"]["code"];

export function v1Json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return v1JsonText(JSON.stringify(body, bigintAsString), status, headers);
}

/**
 * JSON text as a response. Its length goes in Content-Length: the server
 * compresses a response unless it knows the body is under 1 kB, and gzip
 * of a batch's ~80-byte answer cost more than the rest of sending it.
 */
export function v1JsonText(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": String(Buffer.byteLength(text)), ...headers },
  });
}

/** bigint → string in JSON: counts past 2^53 keep every digit. */
export function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export function v1Error(status: number, code: Code, message: string, extra: { field?: string; issues?: ApiIssue[]; issueCount?: number; headers?: Record<string, string> } = {}): Response {
  const { headers = {}, ...rest } = extra;
  const body: ApiErrorBodyV1 = { error: { code, message, ...rest } };
  return v1Json(body, status, headers);
}

/** 422 with a message per item and field (the first MAX_LISTED_ISSUES, and how many there are). */
export function v1Invalid(issues: readonly ApiIssue[], what = "the request"): Response {
  const count = issues.length;
  const listed = issues.slice(0, MAX_LISTED_ISSUES);
  const message =
    count === 1
      ? `1 problem in ${what}: ${issues[0]!.path ? `${issues[0]!.path}: ` : ""}${issues[0]!.message}. Nothing was written.`
      : `${count.toLocaleString("en-US")} problems in ${what}${count > MAX_LISTED_ISSUES ? `; the first ${MAX_LISTED_ISSUES} are listed` : ""}. Nothing was written.`;
  return v1Error(422, "invalid", message, { issues: listed, issueCount: count });
}

export function v1Denied(denied: Denied): Response {
  return denied.kind === "forbidden" ? v1Error(403, "forbidden", denied.message) : v1Error(404, "not-found", denied.message);
}

/** A JSON path as people write it: windows[3].latency.histogram. */
export function issuePath(path: readonly PropertyKey[], prefix: readonly PropertyKey[] = []): string {
  let out = "";
  for (const part of [...prefix, ...path]) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** A zod error's issues as API issues (paths under `prefix`). */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ApiIssue[] {
  return error.issues.map((issue) => ({ path: issuePath(issue.path, prefix), message: issue.message }));
}
