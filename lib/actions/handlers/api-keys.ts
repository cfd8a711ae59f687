import type { Viewer } from "@/lib/access/viewer";
import { createApiKey, revokeApiKey } from "@/lib/db/mutations/api-keys";
import { apiKeyInputFromForm } from "@/lib/validation/api-keys";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { formEntries, recordIdArgument, toFormState } from "./form-result";

/**
 * The API key forms' submits, minus Next's request plumbing: read the form,
 * call the mutation (which validates), answer with form state. Plain
 * functions of a viewer, so tests call them directly.
 */

/** A created key: the token, shown once (only its hash is stored). */
export type CreateApiKeyState = FormState | { status: "created"; token: string; prefix: string; name: string };

/** A revoke: `message` says what happened (including "was already revoked", which is not an error). */
export type RevokeApiKeyState = FormState | { status: "revoked"; message: string };

export async function submitCreateApiKey({ viewer, teamId, formData, clientIp }: { viewer: Viewer; teamId: unknown; formData: unknown; clientIp?: string }): Promise<CreateApiKeyState> {
  const team = recordIdArgument(teamId);
  if (team === null) return { status: "notFound", message: "This team doesn't exist." };
  const input = apiKeyInputFromForm(formEntries(formData));
  const result = await createApiKey({ viewer, teamId: team, name: input.name, scopes: input.scopes, ...(clientIp ? { clientIp } : {}) });
  if (!result.ok) return toFormState(result, () => IDLE);
  return { status: "created", token: result.value.token, prefix: result.value.key.prefix, name: result.value.key.name };
}

export async function submitRevokeApiKey({ viewer, keyId, clientIp }: { viewer: Viewer; keyId: unknown; clientIp?: string }): Promise<RevokeApiKeyState> {
  const id = recordIdArgument(keyId);
  if (id === null) return { status: "notFound", message: "This API key doesn't exist." };
  const result = await revokeApiKey({ viewer, keyId: id, ...(clientIp ? { clientIp } : {}) });
  if (!result.ok) return toFormState(result, () => IDLE);
  const { prefix, wasRevoked } = result.value;
  return { status: "revoked", message: wasRevoked ? `${prefix} was already revoked; nothing changed.` : `${prefix} is revoked: requests with it are refused from now on.` };
}
