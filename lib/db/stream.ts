import "server-only";
import pg from "pg";
import { serverEnv } from "@/lib/env";
import { noteDatabaseFailure } from "./availability";
import type { Prisma } from "./sql";

/**
 * Server-side cursors for exports: rows are fetched from PostgreSQL in batches
 * while the response streams, so a million-line export holds one batch in
 * memory at a time. A separate small node-postgres pool (Prisma's client has
 * no cursor API); each stream holds one connection for its duration inside a
 * read-only REPEATABLE READ transaction, so every batch — and every statement
 * run with the same `CursorSession` — reads the same snapshot.
 *
 * `parallel` runs a statement on a second connection that imports that same
 * snapshot (pg_export_snapshot / SET TRANSACTION SNAPSHOT), so independent
 * reads of one export run at the same time and still see one state of the
 * database. Those connections come from a pool of their own: a session
 * waiting for one never waits on a connection another session holds.
 */
const globalForStream = globalThis as unknown as { burnrateStreamPool?: pg.Pool; burnrateParallelPool?: pg.Pool };

/**
 * A pool whose idle connections may die (PostgreSQL restarted, or the
 * connection was terminated): pg reports that as an "error" event on the pool,
 * which would end the process unhandled (as for the main pool,
 * lib/db/create-client.ts). The pool drops the dead connection by itself and
 * the next export connects afresh.
 */
function exportPool(): pg.Pool {
  const created = new pg.Pool({ connectionString: serverEnv().DATABASE_URL, max: 4 });
  created.on("error", (error) => noteDatabaseFailure(error));
  return created;
}

function pool(): pg.Pool {
  globalForStream.burnrateStreamPool ??= exportPool();
  return globalForStream.burnrateStreamPool;
}

function parallelPool(): pg.Pool {
  globalForStream.burnrateParallelPool ??= exportPool();
  return globalForStream.burnrateParallelPool;
}

/** Statements on one connection (no cursor). */
export interface SnapshotReader {
  query<T>(statement: Prisma.Sql): Promise<T[]>;
}

export interface CursorSession {
  /** All rows of a statement (small results: headers, totals). */
  query<T>(statement: Prisma.Sql): Promise<T[]>;
  /** A statement's rows in batches, fetched as they are consumed. */
  cursor<T>(statement: Prisma.Sql, batchSize?: number): AsyncGenerator<T[], void, undefined>;
  /** `work` on another connection reading this session's snapshot, while this one goes on. */
  parallel<R>(work: (reader: SnapshotReader) => Promise<R>): Promise<R>;
}

// What pg_export_snapshot returns ("00000003-0000001B-1"): checked, since SET TRANSACTION SNAPSHOT takes no parameter.
const SNAPSHOT_ID = /^[0-9A-F]+(-[0-9A-F]+)+$/i;

/**
 * Runs `body` with one connection in a read-only snapshot transaction. The
 * body may yield (an async generator), so the connection stays checked out
 * until the consumer finishes or cancels.
 */
export async function* withCursorSession<T>(body: (session: CursorSession) => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  const client = await pool().connect();
  let cursorCount = 0;
  let isCommitted = false;
  let snapshot: Promise<string> | null = null;
  // Statements on the session's connection run one after another, in the order they are asked for (node-postgres
  // deprecates queueing on a busy client): with `parallel`, the body issues the next one before the last is done.
  let tail: Promise<unknown> = Promise.resolve();
  const run = <R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> => {
    const result = tail.then(() => client.query<R>(text, values));
    tail = result.catch(() => undefined);
    return result;
  };
  try {
    await run("begin isolation level repeatable read, read only");
    const session: CursorSession = {
      query: async <R>(statement: Prisma.Sql) => (await run(statement.text, statement.values as unknown[])).rows as R[],
      async *cursor<R>(statement: Prisma.Sql, batchSize = 2_000) {
        const name = `export_cursor_${++cursorCount}`;
        await run(`declare ${name} no scroll cursor for ${statement.text}`, statement.values as unknown[]);
        try {
          for (;;) {
            const { rows } = await run(`fetch ${batchSize} from ${name}`);
            if (rows.length === 0) return;
            yield rows as R[];
          }
        } finally {
          await run(`close ${name}`).catch(() => undefined);
        }
      },
      async parallel<R>(work: (reader: SnapshotReader) => Promise<R>): Promise<R> {
        // Exported before any statement the body asks for afterwards (the lines' cursor) takes the connection.
        snapshot ??= run<{ id: string }>("select pg_export_snapshot() as id").then(({ rows }) => rows[0]!.id);
        const id = await snapshot;
        if (!SNAPSHOT_ID.test(id)) throw new Error(`unexpected snapshot id ${JSON.stringify(id)}`);
        const other = await parallelPool().connect();
        let isDone = false;
        try {
          await other.query("begin isolation level repeatable read, read only");
          await other.query(`set transaction snapshot '${id}'`);
          const result = await work({ query: async <T>(statement: Prisma.Sql) => (await other.query(statement.text, statement.values as unknown[])).rows as T[] });
          await other.query("commit");
          isDone = true;
          return result;
        } finally {
          if (!isDone) await other.query("rollback").catch(() => undefined);
          other.release();
        }
      },
    };
    yield* body(session);
    await run("commit");
    isCommitted = true;
  } finally {
    if (!isCommitted) await run("rollback").catch(() => undefined);
    client.release();
  }
}

/** Closes the export pools (tests and scripts). */
export async function closeStreamPool(): Promise<void> {
  const pools = [globalForStream.burnrateStreamPool, globalForStream.burnrateParallelPool];
  globalForStream.burnrateStreamPool = undefined;
  globalForStream.burnrateParallelPool = undefined;
  await Promise.all(pools.map((p) => p?.end()));
}
