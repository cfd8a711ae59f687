import "server-only";
import { headers } from "next/headers";
import { NextResponse } from "next/server";
import { publicUrl } from "@/lib/env";
import { FORM_ERRORS_KEY, type FieldErrors } from "@/lib/validation/entities/field-errors";
import { checkRequestOrigin, originPolicy, type OriginCheck, type OriginPolicy } from "./request-origin";

let cachedPolicy: OriginPolicy | undefined;

/** The origin policy for this server's public URL (BURNRATE_PUBLIC_URL or http://localhost:PORT). */
export function serverOriginPolicy(): OriginPolicy {
  cachedPolicy ??= originPolicy(publicUrl());
  return cachedPolicy;
}

function check(method: string, get: (name: string) => string | null): OriginCheck {
  return checkRequestOrigin({ method, host: get("host"), origin: get("origin"), referer: get("referer") }, serverOriginPolicy());
}

export interface CrossSiteErrorBody {
  error: { code: "forbidden"; message: string };
}

/** For a route handler: a 403 JSON response when the request is cross-site or names another host, else null. */
export function refuseCrossSiteRequest(request: Request): NextResponse<CrossSiteErrorBody> | null {
  const result = check(request.method, (name) => request.headers.get(name));
  if (result.ok) return null;
  return NextResponse.json<CrossSiteErrorBody>({ error: { code: "forbidden", message: result.message } }, { status: 403, headers: { "cache-control": "no-store" } });
}

/**
 * For a server action (always a POST): the action's form-error state when
 * the call is cross-site or names another host, else null. Call it first:
 * `const refused = await refuseCrossSiteAction(); if (refused) return refused;`
 */
export async function refuseCrossSiteAction(): Promise<{ status: "invalid"; fieldErrors: FieldErrors } | null> {
  const requestHeaders = await headers();
  const result = check("POST", (name) => requestHeaders.get(name));
  if (result.ok) return null;
  return { status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: [result.message] } };
}
