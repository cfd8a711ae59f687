import { NextResponse } from "next/server";
import { getAuth, OIDC_PROVIDER_ID, oidcSettings } from "@/lib/auth/server";

/**
 * better-auth's HTTP endpoints, of which only the OIDC callback is mounted:
 * sign-in, sign-out and the rest go through our server actions (lib/actions/auth.ts),
 * which add the per-account rate limit and the origin check. Anything else is 404.
 */
function isMounted(request: Request): boolean {
  if (!oidcSettings()) return false;
  return new URL(request.url).pathname === `/api/auth/callback/${OIDC_PROVIDER_ID}`;
}

const NOT_FOUND = () => NextResponse.json({ error: { code: "not-found", message: "Not found." } }, { status: 404, headers: { "cache-control": "no-store" } });

async function handle(request: Request): Promise<Response> {
  if (!isMounted(request)) return NOT_FOUND();
  const auth = await getAuth();
  return auth.handler(request);
}

/** The provider redirects back here (GET), or posts the response (form_post). */
export const GET = handle;
export const POST = handle;
