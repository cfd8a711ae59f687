import "server-only";
import { authorizeTeam, notFound as noSuchTeam, teamWhere, type Denied } from "@/lib/access/policy";
import type { ApiKeyScope, Viewer } from "@/lib/access/viewer";
import { db } from "../client";

/**
 * A team's API keys for its admins: what each may do, who made it, when it
 * was last used and from where. Never the hash (the token isn't stored).
 */

export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** Null when the person who made it has since been removed from the org. */
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export interface TeamApiKeys {
  team: { id: number; name: string; slug: string };
  keys: ApiKeyRow[];
  activeCount: number;
}

/** Active keys first, then revoked ones; newest first within each (team:manage only). */
export async function teamApiKeys(viewer: Viewer, teamId: number): Promise<TeamApiKeys | Denied> {
  const team = await db().team.findFirst({ where: { id: teamId, ...teamWhere(viewer) }, select: { id: true, name: true, slug: true } });
  if (!team) return noSuchTeam("No such team.");
  const denied = authorizeTeam(viewer, "team:manage", team.id, "team");
  if (denied) return denied;
  const rows = await db().apiKey.findMany({
    where: { teamId: team.id, orgId: viewer.orgId },
    select: { id: true, name: true, prefix: true, scopes: true, createdById: true, createdAt: true, lastUsedAt: true, lastUsedIp: true, revokedAt: true, revokedById: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const personIds = [...new Set(rows.flatMap((r) => [r.createdById, r.revokedById]).filter((id): id is number => id !== null))];
  const people = personIds.length ? await db().user.findMany({ where: { id: { in: personIds }, orgId: viewer.orgId }, select: { id: true, name: true } }) : [];
  const names = new Map(people.map((p) => [p.id, p.name]));
  // Active first (a stable sort keeps newest first within each).
  const keys = rows
    .map(({ createdById, revokedById, ...row }) => ({
      ...row,
      createdBy: createdById === null ? null : (names.get(createdById) ?? null),
      revokedBy: revokedById === null ? null : (names.get(revokedById) ?? null),
    }))
    .sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
  return { team, keys, activeCount: keys.filter((k) => k.revokedAt === null).length };
}
