import "server-only";
import { db } from "@/lib/db/client";

export interface DatabaseHealth {
  isOk: boolean;
  latencyMs: number;
  error?: string;
}

/** Round-trips to PostgreSQL; never throws. */
export async function checkDatabase(): Promise<DatabaseHealth> {
  const started = performance.now();
  try {
    await db().$queryRaw`select 1`;
    return { isOk: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : "unknown error";
    return { isOk: false, latencyMs: Math.round(performance.now() - started), error: message };
  }
}
