import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { noteDatabaseFailure, noteDatabaseSuccess } from "./availability";
import { PrismaClient } from "./generated/client";

/**
 * The pool behind every client. When PostgreSQL goes away, idle connections
 * error and are dropped (the "error" listener keeps the process alive), a query
 * in flight fails, and new queries open fresh connections: once the server is
 * back the app works again without a restart. A connection attempt, or a wait
 * for a free connection, gives up after 10 s with an error instead of hanging.
 */
export function createPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000, keepAlive: true });
  pool.on("error", (error) => noteDatabaseFailure(error));
  pool.on("connect", () => noteDatabaseSuccess());
  return pool;
}

/** Each client's pool, for the batch writers' transactions (lib/db/pg-transaction.ts), which run on node-postgres directly. */
const pools = new WeakMap<PrismaClient, pg.Pool>();

/** A Prisma client over node-postgres. Scripts use this; the app uses lib/db/client. */
export function createPrismaClient(connectionString: string): PrismaClient {
  const pool = createPool(connectionString);
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/** The pool under a client made by createPrismaClient: the same connections, limit and outage handling. */
export function poolOf(client: PrismaClient): pg.Pool {
  const pool = pools.get(client);
  if (!pool) throw new Error("poolOf: the client was not made by createPrismaClient");
  return pool;
}

export type { PrismaClient };
