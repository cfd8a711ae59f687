import "server-only";
import { createHash } from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { authenticateApiKey, bearerToken } from "@/lib/access/api-key-auth";
import { getOptionalViewer } from "@/lib/access/current-viewer";
import { authorizeScope, isDenied, type Denied } from "@/lib/access/policy";
import { refuseCrossSiteRequest } from "@/lib/access/request-origin-guard";
import type { Viewer } from "@/lib/access/viewer";
import { clientIp } from "@/lib/auth/client-ip";
import { ALL_DOMAINS, invalidateOrgData, type DataDomain } from "@/lib/cache/read-cache";
import { db } from "@/lib/db/client";
import { describeDatabaseError, isDatabaseUnavailable } from "@/lib/db/availability";
import { closingIfRefused, UNAVAILABLE_RETRY_SECONDS } from "@/lib/api/errors";
import { parseJsonBody, readCappedBody } from "./body";
import { findIdempotentResponse, idempotencyKeySchema, replayResponse, type IdempotentRequest } from "./idempotency";
import type { ApiOperation } from "./operation";
import { consumeApiRequest, type RateClass } from "./rate-limit";
import { v1Denied, v1Error, v1Invalid, zodIssues } from "./responses";

/**
 * The one wrapper of every API v1 route handler. In order:
 *   1. who: `Authorization: Bearer <API key>` (lib/access/api-key-auth.ts),
 *      else a session cookie — then the cross-site check too, as for every
 *      cookie-authenticated route; neither → 401 (before any cross-site
 *      check: without a session there is nothing to forge);
 *   2. the per-credential rate limit → 429 with Retry-After;
 *   3. the operation's key scope (policy.ts `authorizeScope`) → 403;
 *   4. path and query parameters → 400 naming the parameter;
 *   5. the body: JSON only (415), at most `maxBodyBytes` while reading (413),
 *      parseable (400), valid against the operation's schema (422 with a
 *      message per item and field);
 *   6. Idempotency-Key (writes): a completed request with the same key and
 *      body is replayed; another body under the key → 409;
 *   7. the handler, whose Denied becomes 403/404; a database outage → 503
 *      with Retry-After; anything else → a logged 500 without internals.
 * The handler and everything it calls apply the access layer again (queries
 * and writes scope themselves by the viewer): this wrapper is not the only guard.
 */

export interface ApiHandlerArgs<P, Q, B> {
  request: Request;
  viewer: Viewer;
  /** "key:<id>" or "user:<id>": rate limits and idempotency keys are per principal. */
  principal: string;
  params: P;
  query: Q;
  body: B;
  /** The raw body, for non-JSON operations (Prometheus text). */
  rawBody: Uint8Array | null;
  /** Set when the request carries an Idempotency-Key: the handler's write transaction claims it (idempotency.ts). */
  idempotency: IdempotentRequest | null;
}

export interface ApiRouteOptions {
  rateClass: RateClass;
  /** Cap on the request body (writes). */
  maxBodyBytes?: number;
  /** What a write may change, for the read cache's backstop invalidation (default: everything; usage ingest: usage and audit). */
  writes?: readonly DataDomain[];
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export function apiRoute<Op extends ApiOperation>(
  operation: Op,
  handler: (args: ApiHandlerArgs<Infer<Op["params"]>, Infer<Op["query"]>, Infer<Op["body"]>>) => Promise<Response | Denied>,
  { rateClass, maxBodyBytes = 1024 * 1024, writes = ALL_DOMAINS }: ApiRouteOptions,
) {
  const hasBody = operation.method === "POST" || operation.method === "PUT";
  return async function route(request: Request, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> {
    let orgId: number | undefined;
    try {
      const response = await handle();
      return hasBody ? closingIfRefused(response, true) : response;
    } catch (error) {
      unstable_rethrow(error);
      const response = isDatabaseUnavailable(error)
        ? v1Error(503, "unavailable", `The database is unavailable (${describeDatabaseError(error)}); retry in a few seconds.`, {
            headers: { "retry-after": String(UNAVAILABLE_RETRY_SECONDS) },
          })
        : (console.error("burnrate: API v1 handler failed", error),
          v1Error(500, "internal", "Something went wrong on the server; it has been logged. Retry, or contact your administrator if it persists."));
      return hasBody ? closingIfRefused(response, true) : response;
    } finally {
      // A backstop: writes invalidate the org's cached figures themselves (writeTransaction).
      if (hasBody && orgId !== undefined) invalidateOrgData(orgId, writes);
    }

    async function handle(): Promise<Response> {
      // 1. Who
      const ip = clientIp((name) => request.headers.get(name));
      const token = bearerToken(request.headers.get("authorization"));
      let viewer: Viewer;
      if (token !== null) {
        if (token === "") return v1Error(401, "unauthenticated", "The Authorization header must be `Bearer <API key>`.", { field: "Authorization", headers: { "www-authenticate": "Bearer" } });
        const auth = await authenticateApiKey(db(), { token, clientIp: ip });
        if (!auth.ok) return v1Error(401, "unauthenticated", auth.message, { field: "Authorization", headers: { "www-authenticate": 'Bearer error="invalid_token"' } });
        viewer = auth.viewer;
      } else {
        const session = await getOptionalViewer();
        if (!session) {
          return v1Error(401, "unauthenticated", "Send an API key (`Authorization: Bearer brk_…`, created by a team admin on the team's API keys page) or sign in.", {
            headers: { "www-authenticate": "Bearer" },
          });
        }
        // A session cookie is ambient authority: the request must come from this site (a key is not, and needs no such check).
        const refused = refuseCrossSiteRequest(request);
        if (refused) return refused;
        viewer = { ...session, clientIp: ip };
      }
      orgId = viewer.orgId;
      const principal = viewer.credential ? `key:${viewer.credential.keyId}` : `user:${viewer.userId}`;

      // 2. Rate
      const rate = await consumeApiRequest(principal, rateClass);
      if (!rate.ok) {
        return v1Error(429, "rate-limited", `Too many requests: at most ${rate.limit} ${rateClass} requests per ${rate.perSeconds === 1 ? "second" : `${rate.perSeconds} seconds`} per API key or person. Retry after ${rate.retryAfterSeconds} s.`, {
          headers: { "retry-after": String(rate.retryAfterSeconds) },
        });
      }

      // 3. Scope
      if (operation.scope) {
        const denied = authorizeScope(viewer, operation.scope);
        if (denied) return v1Denied(denied);
      }

      // 4. Parameters
      const rawParams = await context.params;
      const params = operation.params ? operation.params.safeParse(rawParams) : { success: true as const, data: undefined };
      if (!params.success) {
        const issue = params.error.issues[0]!;
        return v1Error(400, "bad-request", issue.message, { field: String(issue.path[0] ?? "") });
      }
      const url = new URL(request.url);
      const queryShape = operation.query?.shape ?? {};
      // A parameter the operation doesn't know is refused, not dropped: a misspelt filter must not widen what is read.
      const unknown = [...url.searchParams.keys()].find((key) => !(key in queryShape));
      if (unknown !== undefined) {
        const known = Object.keys(queryShape);
        return v1Error(400, "bad-request", `Unknown query parameter "${unknown.slice(0, 60)}"; ${known.length > 0 ? `this operation takes ${known.join(", ")}` : "this operation takes none"}.`, { field: unknown.slice(0, 60) });
      }
      const rawQuery = Object.fromEntries(url.searchParams.entries());
      const query = operation.query ? operation.query.safeParse(rawQuery) : { success: true as const, data: undefined };
      if (!query.success) {
        const issue = query.error.issues[0]!;
        return v1Error(400, "bad-request", issue.message, { field: String(issue.path[0] ?? "") });
      }

      // 5. Body
      let body: unknown = undefined;
      let rawBody: Uint8Array | null = null;
      let requestHash: string | null = null;
      if (hasBody) {
        const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
        const expected = operation.rawBody?.contentType ?? "application/json";
        const accepted = operation.rawBody ? [expected, "text/plain"] : ["application/json"];
        if (!accepted.includes(type)) {
          return v1Error(415, "unsupported-media-type", `Send the body as ${expected} (Content-Type: ${expected}).`, { field: "Content-Type" });
        }
        const read = await readCappedBody(request, maxBodyBytes);
        if (!read.ok) return read.response;
        requestHash = createHash("sha256").update(`${request.method} ${url.pathname}\n`).update(read.bytes).digest("hex");
        if (operation.rawBody) {
          rawBody = read.bytes;
        } else {
          const json = parseJsonBody(read.bytes);
          if (!json.ok) return json.response;
          if (operation.body) {
            const parsed = operation.body.safeParse(json.value);
            if (!parsed.success) return v1Invalid(zodIssues(parsed.error));
            body = parsed.data;
          } else {
            body = json.value;
          }
        }
      }

      // 6. Idempotency
      let idempotency: IdempotentRequest | null = null;
      const keyHeader = request.headers.get("idempotency-key");
      if (operation.idempotent && keyHeader !== null && requestHash !== null) {
        const key = idempotencyKeySchema.safeParse(keyHeader);
        if (!key.success) return v1Error(400, "bad-request", key.error.issues[0]!.message, { field: "Idempotency-Key" });
        idempotency = { orgId: viewer.orgId, principal, key: key.data, requestHash };
        const stored = await findIdempotentResponse(db(), idempotency);
        if (stored) return replayResponse(stored, idempotency);
      }

      // 7. The operation
      const result = await handler({ request, viewer, principal, params: params.data as never, query: query.data as never, body: body as never, rawBody, idempotency });
      return isDenied(result) ? v1Denied(result) : result;
    }
  };
}
