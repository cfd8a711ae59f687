import "server-only";
import { isAPIError } from "better-auth/api";
import { headers } from "next/headers";
import { db } from "@/lib/db/client";
import { getAuth } from "./server";
import { sessionFromHeaders } from "./session";

/** Signs in with the session cookie set on this response; the previous session (if any) is ended, so no fixation. */
export async function startSession(email: string, password: string): Promise<boolean> {
  const requestHeaders = await headers();
  const previous = await sessionFromHeaders(requestHeaders).catch(() => null);
  const auth = await getAuth();
  try {
    await auth.api.signInEmail({ body: { email, password, rememberMe: false }, headers: requestHeaders });
  } catch (error) {
    if (isAPIError(error) && (error.status === "UNAUTHORIZED" || error.status === "BAD_REQUEST" || error.status === "FORBIDDEN")) return false;
    throw error;
  }
  if (previous) await db().session.deleteMany({ where: { id: previous.sessionId } });
  return true;
}

