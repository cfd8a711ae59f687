import "server-only";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { getAuth } from "./server";

export interface CurrentSession {
  sessionId: number;
  userId: number;
  createdAt: Date;
}

/** How often a used session's idle deadline is pushed forward (a write per minute per person at most). */
const SLIDE_EVERY_MS = 60_000;

/**
 * The session that `requestHeaders` carry, or null: no cookie, a cookie whose
 * signature doesn't verify (tampered), an unknown or revoked token, or a
 * session past its idle or absolute limit (deleted on sight). A live session's
 * idle deadline slides forward, capped at the absolute limit.
 */
export async function sessionFromHeaders(requestHeaders: Headers, now = new Date()): Promise<CurrentSession | null> {
  const auth = await getAuth();
  const found = await auth.api.getSession({ headers: requestHeaders, query: { disableRefresh: true } });
  if (!found) return null;
  const env = serverEnv();
  const sessionId = Number(found.session.id);
  const createdAt = new Date(found.session.createdAt);
  const lastSeen = new Date(found.session.updatedAt);
  const absoluteEnd = createdAt.getTime() + env.BURNRATE_SESSION_MAX_HOURS * 3_600_000;
  const idleEnd = lastSeen.getTime() + env.BURNRATE_SESSION_IDLE_MINUTES * 60_000;
  if (now.getTime() >= absoluteEnd || now.getTime() >= idleEnd) {
    await db().session.deleteMany({ where: { id: sessionId } });
    return null;
  }
  if (now.getTime() - lastSeen.getTime() >= SLIDE_EVERY_MS) {
    const expiresAt = new Date(Math.min(absoluteEnd, now.getTime() + env.BURNRATE_SESSION_IDLE_MINUTES * 60_000));
    await db().session.updateMany({ where: { id: sessionId }, data: { updatedAt: now, expiresAt } });
  }
  return { sessionId, userId: Number(found.user.id), createdAt };
}
