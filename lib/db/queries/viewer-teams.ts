import "server-only";
import { teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "../client";

/** Names of the teams the viewer holds a role on (for the account menu's role line). */
export async function visibleTeamNames(viewer: Viewer): Promise<Map<number, string>> {
  if (viewer.teamRoles.size === 0) return new Map();
  const teams = await db().team.findMany({ where: teamWhere(viewer), select: { id: true, name: true } });
  return new Map(teams.map((t) => [t.id, t.name]));
}
