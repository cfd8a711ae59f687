import "server-only";
import { serverEnv } from "@/lib/env";
import { createPrismaClient, type PrismaClient } from "./create-client";

// One client per server process; dev hot reload would otherwise open a new pool per edit.
const globalForDb = globalThis as unknown as { burnrateDb?: PrismaClient };

export function db(): PrismaClient {
  globalForDb.burnrateDb ??= createPrismaClient(serverEnv().DATABASE_URL);
  return globalForDb.burnrateDb;
}

/** Closes the pool (tests and scripts); the next db() call opens a new one. */
export async function disconnectDb(): Promise<void> {
  const client = globalForDb.burnrateDb;
  globalForDb.burnrateDb = undefined;
  await client?.$disconnect();
}

export { Prisma } from "./generated/client";
