import "server-only";
import type { PrismaClient } from "@/lib/db/create-client";
import { Prisma, prismaRunner } from "@/lib/db/sql";
import { writeAuditEntries } from "@/lib/db/mutations/audit";
import { apiKeyTokenMatches, apiKeyTokenPrefix } from "./api-key-token";
import { TEAM_ROLE_ACTIONS } from "./policy";
import type { ApiKeyScope, TeamRole, Viewer } from "./viewer";

/**
 * `Authorization: Bearer <token>` → the key's viewer: a member of its org
 * with one team role on the key's team (editor when it may write, viewer
 * when it may only read), the key's scopes in `credential` (policy.ts
 * `authorizeScope` holds it to them) and the client's address. Every query
 * and write then scopes itself exactly as for a person.
 *
 * Use is recorded at most once a minute per key and address: lastUsedAt and
 * lastUsedIp, and a USE entry in the audit log — so a key sending 20 batches
 * a second costs one small write a minute, not one per request.
 */

export const KEY_USE_RECORD_MS = 60_000;

export type ApiKeyAuthentication =
  | { ok: true; viewer: Viewer }
  | { ok: false; reason: "malformed" | "unknown" | "revoked"; message: string };

/** The bearer token of a request, or null when it sends none (then a session may be tried). */
export function bearerToken(authorization: string | null): string | null {
  if (!authorization) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match ? match[1]! : "";
}

const roleFor = (scopes: readonly ApiKeyScope[]): TeamRole => (scopes.some((s) => s !== "REPORTS_READ") ? "EDITOR" : "VIEWER");

export async function authenticateApiKey(client: PrismaClient, { token, clientIp, now = new Date() }: { token: string; clientIp: string; now?: Date }): Promise<ApiKeyAuthentication> {
  const prefix = apiKeyTokenPrefix(token);
  if (!prefix) return { ok: false, reason: "malformed", message: "The Authorization header must be `Bearer <API key>`, with a key as a team admin created it (brk_…)." };
  const key = await client.apiKey.findUnique({
    where: { prefix },
    select: {
      id: true,
      orgId: true,
      teamId: true,
      name: true,
      prefix: true,
      secretHash: true,
      scopes: true,
      createdById: true,
      lastUsedAt: true,
      lastUsedIp: true,
      revokedAt: true,
      team: { select: { org: { select: { name: true, timeZone: true } } } },
    },
  });
  if (!key || !apiKeyTokenMatches(token, key.secretHash)) return { ok: false, reason: "unknown", message: "This API key is not valid: check that it was copied whole, or create a new one." };
  if (key.revokedAt) return { ok: false, reason: "revoked", message: `This API key (${key.prefix}) was revoked; a team admin can create a new one.` };
  const role = roleFor(key.scopes);
  // Defence in depth: a key's role can never exceed writing records.
  if (TEAM_ROLE_ACTIONS[role].includes("team:manage")) throw new Error("an API key may not manage its team");
  const viewer: Viewer = {
    userId: key.createdById ?? 0,
    orgId: key.orgId,
    orgName: key.team.org.name,
    orgTimeZone: key.team.org.timeZone,
    role: "MEMBER",
    teamRoles: new Map([[key.teamId, role]]),
    name: `API key ${key.prefix} (${key.name})`,
    email: "",
    credential: { kind: "apiKey", keyId: key.id, prefix: key.prefix, teamId: key.teamId, scopes: key.scopes },
    clientIp,
  };
  const isStale = !key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= KEY_USE_RECORD_MS || key.lastUsedIp !== clientIp;
  if (isStale) await recordUse(client, viewer, { keyId: key.id, teamId: key.teamId, lastUsedAt: key.lastUsedAt, now });
  return { ok: true, viewer };
}

async function recordUse(client: PrismaClient, viewer: Viewer, { keyId, teamId, lastUsedAt, now }: { keyId: number; teamId: number; lastUsedAt: Date | null; now: Date }) {
  await client.$transaction(async (tx) => {
    const run = prismaRunner(tx);
    // Concurrent requests of one key: only the one that moves lastUsedAt writes the audit entry.
    const moved = await run.execute(Prisma.sql`
      update api_keys set "lastUsedAt" = ${now}, "lastUsedIp" = ${viewer.clientIp ?? null}
      where id = ${keyId} and "lastUsedAt" is not distinct from ${lastUsedAt}`);
    if (moved === 0) return;
    await writeAuditEntries(run, { viewer, source: "api" }, [
      { entityType: "apiKey", entityId: String(keyId), subject: { type: "team", id: String(teamId) }, action: "USE", before: null, after: { lastUsedAt: now.toISOString() } },
    ]);
  });
}
