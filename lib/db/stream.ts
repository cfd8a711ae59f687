import "server-only";
import pg from "pg";
import { serverEnv } from "@/lib/env";
import type { Prisma } from "./sql";

/**
 * Server-side cursors for exports: rows are fetched from PostgreSQL in batches
 * while the response streams, so a million-line export holds one batch in
 * memory at a time. A separate small node-postgres pool (Prisma's client has
 * no cursor API); each stream holds one connection for its duration inside a
 * read-only REPEATABLE READ transaction, so every batch — and every statement
 * run with the same `CursorSession` — reads the same snapshot.
 */
const globalForStream = globalThis as unknown as { burnrateStreamPool?: pg.Pool };

function pool(): pg.Pool {
  globalForStream.burnrateStreamPool ??= new pg.Pool({ connectionString: serverEnv().DATABASE_URL, max: 4 });
  return globalForStream.burnrateStreamPool;
}

export interface CursorSession {
  /** All rows of a statement (small results: headers, totals). */
  query<T>(statement: Prisma.Sql): Promise<T[]>;
  /** A statement's rows in batches, fetched as they are consumed. */
  cursor<T>(statement: Prisma.Sql, batchSize?: number): AsyncGenerator<T[], void, undefined>;
}

/**
 * Runs `body` with one connection in a read-only snapshot transaction. The
 * body may yield (an async generator), so the connection stays checked out
 * until the consumer finishes or cancels.
 */
export async function* withCursorSession<T>(body: (session: CursorSession) => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  const client = await pool().connect();
  let cursorCount = 0;
  let isCommitted = false;
  try {
    await client.query("begin isolation level repeatable read, read only");
    const session: CursorSession = {
      query: async <R>(statement: Prisma.Sql) => (await client.query(statement.text, statement.values as unknown[])).rows as R[],
      async *cursor<R>(statement: Prisma.Sql, batchSize = 2_000) {
        const name = `export_cursor_${++cursorCount}`;
        await client.query(`declare ${name} no scroll cursor for ${statement.text}`, statement.values as unknown[]);
        try {
          for (;;) {
            const { rows } = await client.query(`fetch ${batchSize} from ${name}`);
            if (rows.length === 0) return;
            yield rows as R[];
          }
        } finally {
          await client.query(`close ${name}`).catch(() => undefined);
        }
      },
    };
    yield* body(session);
    await client.query("commit");
    isCommitted = true;
  } finally {
    if (!isCommitted) await client.query("rollback").catch(() => undefined);
    client.release();
  }
}

/** Closes the export pool (tests and scripts). */
export async function closeStreamPool(): Promise<void> {
  const p = globalForStream.burnrateStreamPool;
  globalForStream.burnrateStreamPool = undefined;
  await p?.end();
}
