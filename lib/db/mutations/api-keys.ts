import { generateApiKeyToken } from "@/lib/access/api-key-token";
import { ownOrgId } from "@/lib/access/own-org-id";
import { authorizeTeam, forbidden, teamWhere } from "@/lib/access/policy";
import type { ApiKeyScope, Viewer } from "@/lib/access/viewer";
import { API_KEY_SCOPE_VALUES, apiKeySchema, MAX_ACTIVE_API_KEYS_PER_TEAM } from "@/lib/validation/api-keys";
import { fieldErrors } from "@/lib/validation/entities/field-errors";
import { prismaRunner } from "../sql";
import { writeAuditEntries, type AuditSnapshot } from "./audit";
import { assertAuthorized, deniedFailure, invalid, notFound, RollbackWith, writeTransaction, type MutationResult, type Tx } from "./records";

/**
 * A team's API keys: created by its admins (team admins, org owners and
 * admins) with scopes, shown once, stored as the token's SHA-256 under a
 * visible prefix (lib/access/api-key-token.ts), revoked for good. Creation
 * and revocation are audited under the team with the person and the client's
 * address; an API key can't create or revoke keys, whatever its scopes.
 */

/** Advisory lock class (two-int form: class, team id): creates of one team serialize, so the limit holds under concurrency. */
const API_KEY_LOCK = 7_231_010;

export interface ApiKeySummary {
  id: number;
  teamId: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
}

export interface CreatedApiKey {
  /** The whole token: returned here once, never stored or shown again. */
  token: string;
  key: ApiKeySummary;
}

/** What the audit log keeps of a key: never the token or its hash. */
function apiKeySnapshot(key: { name: string; prefix: string; scopes: readonly ApiKeyScope[]; teamId: number; revokedAt?: Date | null }): AuditSnapshot {
  const snapshot: AuditSnapshot = { name: key.name, prefix: key.prefix, scopes: [...key.scopes].join(","), teamId: key.teamId };
  if (key.revokedAt) snapshot.revokedAt = key.revokedAt.toISOString();
  return snapshot;
}

const KEYS_MANAGED_BY_PEOPLE = "API keys are created and revoked by a team admin signed in to Burnrate, not with an API key.";

/** Only a person manages keys: a key that could mint keys would outlive its own revocation. */
function refuseKeyViewer(viewer: Viewer) {
  return viewer.credential ? deniedFailure(forbidden(KEYS_MANAGED_BY_PEOPLE)) : null;
}

async function findTeam(tx: Tx, viewer: Viewer, teamId: number) {
  return tx.team.findFirst({ where: { id: teamId, ...teamWhere(viewer) }, select: { id: true, name: true } });
}

/** Creates a key for a team (name and scopes are checked with apiKeySchema). The token is in the result and nowhere else. */
export async function createApiKey({
  viewer,
  teamId,
  name,
  scopes: requestedScopes,
  clientIp,
}: {
  viewer: Viewer;
  teamId: number;
  name: unknown;
  scopes: unknown;
  clientIp?: string;
}): Promise<MutationResult<CreatedApiKey>> {
  const refused = refuseKeyViewer(viewer);
  if (refused) return refused;
  const parsed = apiKeySchema.safeParse({ name, scopes: requestedScopes });
  if (!parsed.success) return invalid(fieldErrors(parsed));
  const values = parsed.data;
  // Stored in the one order every list shows them in.
  const scopes = API_KEY_SCOPE_VALUES.filter((s) => values.scopes.includes(s));
  return writeTransaction(viewer, async (tx) => {
    const team = await findTeam(tx, viewer, teamId);
    if (!team) throw new RollbackWith(notFound("This team doesn't exist."));
    assertAuthorized(authorizeTeam(viewer, "team:manage", team.id, "team"));
    await tx.$executeRaw`select pg_advisory_xact_lock(${API_KEY_LOCK}::int, ${team.id}::int)`;
    const active = await tx.apiKey.count({ where: { teamId: team.id, revokedAt: null } });
    if (active >= MAX_ACTIVE_API_KEYS_PER_TEAM) {
      throw new RollbackWith(
        invalid({ name: [`${team.name} already has ${MAX_ACTIVE_API_KEYS_PER_TEAM} active API keys, the most a team may hold; revoke one it no longer uses first`] }),
      );
    }
    const { token, prefix, secretHash } = generateApiKeyToken();
    const created = await tx.apiKey.create({
      data: { orgId: ownOrgId(viewer), teamId: team.id, name: values.name, prefix, secretHash, scopes, createdById: viewer.userId },
      select: { id: true, teamId: true, name: true, prefix: true, scopes: true, createdAt: true },
    });
    await writeAuditEntries(prismaRunner(tx), { viewer: { ...viewer, ...(clientIp ? { clientIp } : {}) }, source: "form" }, [
      { entityType: "apiKey", entityId: String(created.id), subject: { type: "team", id: String(team.id) }, action: "CREATE", before: null, after: apiKeySnapshot(created) },
    ]);
    return { token, key: created };
  });
}

export interface RevokedApiKey {
  id: number;
  prefix: string;
  /** True when the key had been revoked before this request (nothing changed). */
  wasRevoked: boolean;
}

/** Revokes a key: from now on it authenticates nothing. Revoking a revoked key changes nothing. */
export async function revokeApiKey({ viewer, keyId, clientIp, now = new Date() }: { viewer: Viewer; keyId: number; clientIp?: string; now?: Date }): Promise<MutationResult<RevokedApiKey>> {
  const refused = refuseKeyViewer(viewer);
  if (refused) return refused;
  return writeTransaction(viewer, async (tx) => {
    const locked = await tx.$queryRaw<{ id: number }[]>`select id from api_keys where id = ${keyId} and "orgId" = ${ownOrgId(viewer)} for update`;
    const key = locked.length ? await tx.apiKey.findFirst({ where: { id: keyId, team: teamWhere(viewer) } }) : null;
    // A key of a team the viewer can't read doesn't exist for them.
    if (!key) throw new RollbackWith(notFound("This API key doesn't exist."));
    assertAuthorized(authorizeTeam(viewer, "team:manage", key.teamId, "API key"));
    if (key.revokedAt) return { id: key.id, prefix: key.prefix, wasRevoked: true };
    await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: now, revokedById: viewer.userId } });
    await writeAuditEntries(prismaRunner(tx), { viewer: { ...viewer, ...(clientIp ? { clientIp } : {}) }, source: "form" }, [
      {
        entityType: "apiKey",
        entityId: String(key.id),
        subject: { type: "team", id: String(key.teamId) },
        action: "REVOKE",
        before: apiKeySnapshot(key),
        after: apiKeySnapshot({ ...key, revokedAt: now }),
      },
    ]);
    return { id: key.id, prefix: key.prefix, wasRevoked: false };
  });
}
