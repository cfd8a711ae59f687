import "server-only";
import { noteDatabaseFailure, noteDatabaseSuccess } from "@/lib/db/availability";
import { db } from "@/lib/db/client";

export type DatabaseHealth =
  | { isOk: true; latencyMs: number }
  | { isOk: false; latencyMs: number; problem: string; since: Date };

/** Round-trips to PostgreSQL; never throws. A failure names the problem and when the outage began. */
export async function checkDatabase(): Promise<DatabaseHealth> {
  const started = performance.now();
  try {
    await db().$queryRaw`select 1`;
    noteDatabaseSuccess();
    return { isOk: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const outage = noteDatabaseFailure(error);
    return { isOk: false, latencyMs: Math.round(performance.now() - started), problem: outage.problem, since: outage.since };
  }
}
