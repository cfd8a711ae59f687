"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import type { Viewer } from "@/lib/access/viewer";
import { clientIp } from "@/lib/auth/client-ip";
import { guardedAction } from "./guard";
import { submitCreateApiKey, submitRevokeApiKey, type CreateApiKeyState, type RevokeApiKeyState } from "./handlers/api-keys";

/** The client's address as the audit log records it. */
async function requestClientIp(): Promise<string> {
  const requestHeaders = await headers();
  return clientIp((name) => requestHeaders.get(name));
}

function revalidateApiKeys(): void {
  revalidatePath("/teams/[slug]/api-keys", "page");
}

/** Creates a key for a team; answers with the token, shown once. */
export const createApiKeyAction = guardedAction(async (viewer: Viewer, teamId: number, _previous: CreateApiKeyState, formData: FormData): Promise<CreateApiKeyState> => {
  const state = await submitCreateApiKey({ viewer, teamId, formData, clientIp: await requestClientIp() });
  if (state.status === "created") revalidateApiKeys();
  return state;
});

export const revokeApiKeyAction = guardedAction(async (viewer: Viewer, keyId: number, _previous: RevokeApiKeyState, _formData: FormData): Promise<RevokeApiKeyState> => {
  const state = await submitRevokeApiKey({ viewer, keyId, clientIp: await requestClientIp() });
  if (state.status === "revoked") revalidateApiKeys();
  return state;
});
