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

/** A Prisma client over node-postgres. Scripts use this; the app uses lib/db/client. */
export function createPrismaClient(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(createPool(connectionString), { disposeExternalPool: true }) });
}

export type { PrismaClient };
