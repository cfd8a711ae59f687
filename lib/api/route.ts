import "server-only";
import { unstable_rethrow } from "next/navigation";
import { requireRouteViewer } from "@/lib/access/current-viewer";
import { invalidateOrgData } from "@/lib/cache/read-cache";
import { isDenied, type Denied } from "@/lib/access/policy";
import { refuseCrossSiteRequest } from "@/lib/access/request-origin-guard";
import type { Viewer } from "@/lib/access/viewer";
import { apiError, closingIfRefused, deniedResponse, unexpectedErrorResponse } from "./errors";

export interface GuardedRouteOptions {
  /**
   * The route changes state (POST …): besides the Host check every route
   * gets, its Origin/Referer must be this server's, and a GET/HEAD is refused (405).
   */
  stateChanging: boolean;
}

export type GuardedHandler<Context> = (args: { request: Request; viewer: Viewer; context: Context }) => Promise<Response | Denied>;

/**
 * Every route handler but /api/health (public) and /api/auth (the auth
 * library's) is wrapped in this: the cross-site/rebinding check, then the
 * signed-in viewer (401 JSON when signed out — never a redirect), then the
 * handler; a Denied it returns becomes 403/404 JSON through `deniedResponse`,
 * and an error it throws 503 (database away) or 500 JSON through `unexpectedErrorResponse`.
 */
export function guardedRoute<Context = unknown>(handler: GuardedHandler<Context>, { stateChanging }: GuardedRouteOptions) {
  return async function route(request: Request, context: Context): Promise<Response> {
    const refused = refuseCrossSiteRequest(request);
    if (refused) return closingIfRefused(refused, stateChanging);
    if (stateChanging && (request.method === "GET" || request.method === "HEAD")) {
      return closingIfRefused(apiError(405, "method-not-allowed", `${request.method} is not allowed here: this route changes data; use POST.`), stateChanging);
    }
    let orgId: number | undefined;
    try {
      const auth = await requireRouteViewer();
      if (!auth.ok) return closingIfRefused(auth.response, stateChanging);
      orgId = auth.viewer.orgId;
      const result = await handler({ request, viewer: auth.viewer, context });
      return closingIfRefused(isDenied(result) ? deniedResponse(result) : result, stateChanging);
    } catch (error) {
      // Next's own control flow (redirect, notFound, dynamic-rendering bailouts) passes through.
      unstable_rethrow(error);
      // PostgreSQL away → 503 with Retry-After; anything else → a logged 500 without internals.
      return closingIfRefused(unexpectedErrorResponse(error), stateChanging);
    } finally {
      // A backstop for writes outside writeTransaction (a streamed import commits later and invalidates itself).
      if (stateChanging && orgId !== undefined) invalidateOrgData(orgId);
    }
  };
}
