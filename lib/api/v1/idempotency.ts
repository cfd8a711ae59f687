import "server-only";
import { z } from "zod";
import type { DataDomain } from "@/lib/cache/read-cache";
import type { PrismaClient } from "@/lib/db/create-client";
import { db } from "@/lib/db/client";
import { rollCosts } from "@/lib/db/mutations/cost-rollups";
import { batchTransaction, RollbackBatch } from "@/lib/db/mutations/record-batch";
import { Prisma, prismaRunner, type SqlRunner } from "@/lib/db/sql";
import { v1Error, v1JsonText } from "./responses";

/**
 * Idempotency-Key on API writes. The key is claimed inside the write's own
 * transaction (an insert into api_idempotency), and the response is stored
 * there before commit, so records and the stored response commit together
 * or not at all:
 *   - a retry after the first commit finds the stored response and gets it
 *     again (`Idempotent-Replayed: true`), whatever happened to the first
 *     answer on the way back;
 *   - concurrent retries block on the claim's unique key until the first
 *     transaction ends; then they replay its response (it committed) or go
 *     ahead themselves (it rolled back) — so 100 simultaneous retries write
 *     exactly one set of records;
 *   - another body under a used key is refused (409): a key names one request.
 * Refusals (4xx) are not stored: nothing was written, and the retry is
 * judged afresh. Stored responses are kept 24 hours (pruned as new ones come).
 */

export const IDEMPOTENCY_RETENTION_HOURS = 24;

export const idempotencyKeySchema = z
  .string()
  .min(1, { error: "Idempotency-Key must not be empty" })
  .max(255, { error: "Idempotency-Key must be at most 255 characters" })
  .regex(/^[\x21-\x7e]+$/, { error: "Idempotency-Key must be printable ASCII without spaces (a UUID is a good choice)" });

export interface IdempotentRequest {
  orgId: number;
  principal: string;
  key: string;
  /** SHA-256 of method, path and body. */
  requestHash: string;
}

interface StoredResponse {
  requestHash: string;
  status: number;
  body: string;
}

export async function findIdempotentResponse(client: PrismaClient, request: IdempotentRequest): Promise<StoredResponse | null> {
  const [row] = await prismaRunner(client).query<StoredResponse>(Prisma.sql`
    select "requestHash", status, body from api_idempotency
    where "orgId" = ${request.orgId} and principal = ${request.principal} and key = ${request.key} and status > 0
      and "createdAt" > now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`);
  return row ?? null;
}

export function replayResponse(stored: StoredResponse, request: IdempotentRequest): Response {
  if (stored.requestHash !== request.requestHash) {
    return v1Error(409, "conflict", "This Idempotency-Key was already used for a different request (another body or path); use a new key for a new request.", {
      field: "Idempotency-Key",
    });
  }
  return v1JsonText(stored.body, stored.status, { "idempotent-replayed": "true" });
}

/** For a write's work: refuse the whole request (nothing it wrote is kept). */
export function rollBackWith(response: Response): never {
  throw new RollbackBatch<Response>(response);
}

export interface ApiWriteResult {
  status: number;
  /** Serialized JSON. */
  body: string;
}

/**
 * An API write in one transaction (record-batch.ts `batchTransaction`, the
 * batch writers' one helper): the Idempotency-Key claim (when sent), the
 * work, the cost rollups of records it touched, and the stored response.
 * `work` returns the success answer, or calls `rollBackWith(response)`.
 */
export async function apiWriteTransaction(
  {
    orgId,
    idempotency,
    domains,
  }: {
    orgId: number;
    idempotency: IdempotentRequest | null;
    /** What the work may change (read-cache.ts DataDomain; default everything). */
    domains?: readonly DataDomain[];
  },
  work: (run: SqlRunner) => Promise<ApiWriteResult>,
): Promise<Response> {
  const result = await batchTransaction<ApiWriteResult, Response>(db(), { orgId, timeoutMs: 120_000, maxWaitMs: 60_000, domains }, async (run) => {
    if (idempotency) {
      const claimed = await run.query<{ claimed: number }>(Prisma.sql`
        insert into api_idempotency ("orgId", principal, key, "requestHash", status, body)
        values (${idempotency.orgId}, ${idempotency.principal}, ${idempotency.key}, ${idempotency.requestHash}, 0, '')
        on conflict ("orgId", principal, key) do update set "requestHash" = excluded."requestHash", status = 0, body = '', "createdAt" = now()
          where api_idempotency."createdAt" <= now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})
        returning 1 as claimed`);
      if (claimed.length === 0) {
        // Another request holds or held the key: it committed (we waited for it), so its response is there.
        const [stored] = await run.query<StoredResponse>(Prisma.sql`
          select "requestHash", status, body from api_idempotency
          where "orgId" = ${idempotency.orgId} and principal = ${idempotency.principal} and key = ${idempotency.key}`);
        rollBackWith(replayResponse(stored!, idempotency));
      }
    }
    const result = await work(run);
    // Costs follow records (runs, deployments); usage alone changes none, so a usage batch leaves them to the roller.
    if (!domains || domains.includes("records")) await rollCosts(run, { limit: 200 });
    if (idempotency) {
      // The response, and up to 100 expired keys cleared on the way: one statement (a round trip per batch counts at thousands of windows a second).
      await run.execute(Prisma.sql`
        with expired as (
          delete from api_idempotency where ctid in (
            select ctid from api_idempotency where "createdAt" < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS}) limit 100))
        update api_idempotency set status = ${result.status}, body = ${result.body}
        where "orgId" = ${idempotency.orgId} and principal = ${idempotency.principal} and key = ${idempotency.key}`);
    }
    return result;
  });
  if (result instanceof Response) return result;
  return v1JsonText(result.body, result.status);
}
