import type pg from "pg";
import { pgRunner, type SqlRunner } from "./sql";

/**
 * A transaction on one connection of the pool, statements sent by
 * node-postgres directly. The batch writers (record-batch.ts
 * `batchTransaction`) use it: their statements carry whole columns of a batch
 * as parameters (a 1,000-window batch sends ~300 kB), and Prisma's raw-query
 * path spent ~12 ms of CPU per such batch on them, as much as the rest of the
 * write's statements together. Everything else stays on Prisma; both share
 * the pool, so its limit and outage handling hold for both.
 *
 * - Waiting for a connection: up to `maxWaitMs` (the pool's own wait gives up
 *   after 10 s; it is retried until then).
 * - Duration: no statement runs longer than `timeoutMs`, and none starts after
 *   `timeoutMs` from the start ("took too long", TransactionTimeoutError).
 * - Any error rolls back and is rethrown; a connection that failed, or whose
 *   rollback failed, is discarded rather than returned to the pool.
 */
export class TransactionTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    // "timed out": describeDatabaseError's phrase, so the API answers 503 with Retry-After (a busy database), not 500.
    super(`the transaction timed out after ${timeoutMs} ms and was rolled back`);
    this.name = "TransactionTimeoutError";
  }
}

const POOL_WAIT = /timeout exceeded when trying to connect/i;

async function connect(pool: pg.Pool, maxWaitMs: number): Promise<pg.PoolClient> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      return await pool.connect();
    } catch (error) {
      if (!(error instanceof Error && POOL_WAIT.test(error.message)) || Date.now() >= deadline) throw error;
    }
  }
}

export async function pgTransaction<T>(pool: pg.Pool, { timeoutMs, maxWaitMs }: { timeoutMs: number; maxWaitMs: number }, work: (run: SqlRunner) => Promise<T>): Promise<T> {
  const connection = await connect(pool, maxWaitMs);
  const deadline = Date.now() + timeoutMs;
  const inner = pgRunner(connection);
  const inTime = () => {
    if (Date.now() > deadline) throw new TransactionTimeoutError(timeoutMs);
  };
  const run: SqlRunner = {
    query: async (statement) => {
      inTime();
      return inner.query(statement);
    },
    execute: async (statement) => {
      inTime();
      return inner.execute(statement);
    },
  };
  // A checked-out client has no listener of the pool's: if PostgreSQL goes away, its "error" event must land here (unheard,
  // it would throw in the process). The statement in flight fails too, and the connection is discarded on release.
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  connection.on("error", onError);
  try {
    await connection.query(`begin; set local statement_timeout = ${Math.ceil(timeoutMs)}; set local idle_in_transaction_session_timeout = ${Math.ceil(timeoutMs)}`);
    const result = await work(run);
    await connection.query("commit");
    return result;
  } catch (error) {
    try {
      await connection.query("rollback");
    } catch (rollbackError) {
      broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    connection.off("error", onError);
    connection.release(broken);
  }
}
