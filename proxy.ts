// Runs before every page request (not API routes or static files; see `config`):
// refuses requests that name another host (DNS rebinding) or, for a server
// action POST, come from another site — the actions check again themselves —
// and gives each page a Content-Security-Policy with a fresh script nonce,
// which Next.js reads from the request header and puts on its own scripts.
// A signed-in dashboard GET may be answered from the page cache
// (lib/cache/page-cache.ts): the same person's document for the same data
// and minute, with a fresh nonce.
// The other security headers (and a CSP for API and static responses) come
// from next.config.js `headers()`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { NextResponse, type NextRequest } from "next/server";
import { checkRequestOrigin, originPolicy, type OriginPolicy } from "@/lib/access/request-origin";
import { cachedPage, newNonce } from "@/lib/cache/page-cache";
import { publicUrl } from "@/lib/env";

let policy: OriginPolicy | undefined;

/** The CSP for a page: scripts only with this response's nonce; inline style attributes (Recharts, Next) allowed. */
export function pageContentSecurityPolicy(nonce: string, { isDev, isHttps }: { isDev: boolean; isHttps: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(isHttps ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * Whether a server-action call's body is one Next.js can decode: JSON text
 * (simple arguments) or multipart form data. React's decoder throws on
 * anything else, which Next.js answers with a 500 and a logged stack, so a
 * garbage call is answered 400 here instead. Action bodies are small (256 kB).
 */
async function isDecodableActionBody(request: NextRequest): Promise<boolean> {
  const type = request.headers.get("content-type") ?? "";
  try {
    if (type.startsWith("multipart/form-data")) {
      await request.clone().formData();
    } else if (type === "" || type.startsWith("text/plain")) {
      JSON.parse(await request.clone().text());
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The server-action ids of this build (Next's server-reference manifest),
 * read again when an id is missing (next dev adds them as it compiles); null
 * when the manifest can't be read, and then every id is let through — Next
 * itself answers an unknown id with 404, but logs a stack trace for it.
 */
function readActionIds(): Set<string> | null {
  // next dev writes its manifests elsewhere (.next/dev) and compiles actions lazily.
  if (process.env.NODE_ENV !== "production") return null;
  try {
    const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8")) as { node?: object; edge?: object };
    const ids = new Set([...Object.keys(manifest.node ?? {}), ...Object.keys(manifest.edge ?? {})]);
    return ids.size > 0 ? ids : null;
  } catch {
    return null;
  }
}
let actionIds: Set<string> | null | undefined;

function isKnownAction(id: string): boolean {
  actionIds ??= readActionIds();
  if (actionIds === null || actionIds.has(id)) return true;
  actionIds = readActionIds();
  return actionIds === null || actionIds.has(id);
}

export async function proxy(request: NextRequest) {
  const url = publicUrl();
  policy ??= originPolicy(url);
  const checked = checkRequestOrigin(
    { method: request.method, host: request.headers.get("host"), origin: request.headers.get("origin"), referer: request.headers.get("referer") },
    policy,
  );
  if (!checked.ok) {
    return NextResponse.json({ error: { code: "forbidden", message: checked.message } }, { status: 403, headers: { "cache-control": "no-store" } });
  }
  const actionId = request.method === "POST" ? request.headers.get("next-action") : null;
  if (actionId !== null && !isKnownAction(actionId)) {
    return NextResponse.json({ error: { code: "not-found", message: "No such action: reload the page and try again." } }, { status: 404, headers: { "cache-control": "no-store" } });
  }
  if (actionId !== null && !(await isDecodableActionBody(request))) {
    return NextResponse.json({ error: { code: "bad-request", message: "The action call's body is malformed." } }, { status: 400, headers: { "cache-control": "no-store" } });
  }
  // A dashboard someone already has for this data and minute: replayed with a fresh nonce (lib/cache/page-cache.ts).
  const cached = await cachedPage(request);
  if (cached) return cached;
  const nonce = newNonce();
  const csp = pageContentSecurityPolicy(nonce, { isDev: process.env.NODE_ENV === "development", isHttps: url.protocol === "https:" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  // Where a signed-out visitor should return after signing in (getViewer reads it; a client can't spoof more than its own path).
  requestHeaders.set("x-burnrate-path", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Not API routes (they check for themselves; a proxy would buffer, and cut
  // at 10 MB, the import uploads) nor build output and files.
  matcher: ["/((?!api/|_next/static/|_next/image|favicon.ico|.*\\.[a-z0-9]+$).*)"],
};
