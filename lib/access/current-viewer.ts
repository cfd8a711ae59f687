import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { connection, NextResponse } from "next/server";
import { sessionFromHeaders } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { loadViewerForUser, type Viewer } from "./viewer";

/** Does any organization exist? (No: the first-run setup page is the only page.) */
export const hasOrganization = cache(async (): Promise<boolean> => (await db().org.count()) > 0);

/**
 * The signed-in viewer for this request, or null (no session, an expired or
 * tampered one, or a user who was removed). Resolved once per request.
 */
export const getOptionalViewer = cache(async (): Promise<Viewer | null> => {
  await connection();
  return viewerFromHeaders(await headers());
});

/**
 * The viewer a request's headers sign in (its session cookie), or null: what
 * getOptionalViewer decides, for code that has the headers but no React
 * request scope (proxy.ts's page cache).
 */
export async function viewerFromHeaders(requestHeaders: Headers, now = new Date()): Promise<Viewer | null> {
  const session = await sessionFromHeaders(requestHeaders, now);
  if (!session) return null;
  return loadViewerForUser(db(), session.userId);
}

/**
 * The signed-in viewer, for pages and server actions. Signed out: to the
 * sign-in page (or the first-run setup when no organization exists yet).
 */
export const getViewer = cache(async (): Promise<Viewer> => {
  const viewer = await getOptionalViewer();
  if (viewer) return viewer;
  if (!(await hasOrganization())) redirect("/setup");
  const requestHeaders = await headers();
  const next = safeNextPath(requestHeaders.get("x-burnrate-path"));
  redirect(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
});

/** A same-site path to return to after sign-in, or null (never another origin, never the auth pages). */
export function safeNextPath(value: string | null | undefined): string | null {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  if (/^\/(sign-in|setup|invite)(\/|\?|$)/.test(value)) return null;
  return value.length > 2000 ? null : value;
}

export interface RouteAuthError {
  error: { code: "unauthenticated"; message: string };
}

/** For route handlers: the viewer, or a 401 JSON response to return as is. */
export async function requireRouteViewer(): Promise<{ ok: true; viewer: Viewer } | { ok: false; response: NextResponse<RouteAuthError> }> {
  const viewer = await getOptionalViewer();
  if (viewer) return { ok: true, viewer };
  return {
    ok: false,
    response: NextResponse.json<RouteAuthError>(
      { error: { code: "unauthenticated", message: "Sign in first: this needs a Burnrate session." } },
      { status: 401, headers: { "cache-control": "no-store" } },
    ),
  };
}
