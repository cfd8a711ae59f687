import "server-only";
import { orgWhere, seesAllTeams, teamWhere, type TeamCoverage } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "../client";

/** A team the viewer may see, by slug; null when there is none (another team's slug reads as unknown). */
export async function teamBySlug({ viewer, slug }: { viewer: Viewer; slug: string }) {
  return db().team.findFirst({
    where: { ...teamWhere(viewer), slug },
    select: { id: true, slug: true, name: true, timeZone: true, monthlyBudgetUsd: true },
  });
}

/**
 * How many of the org's teams the viewer's org-wide views add up: all of
 * them for org owners and admins, else the teams they hold a role on. Views
 * and exports say so when it is not all (components/ui/team-coverage-notice).
 */
export async function teamCoverage(viewer: Viewer): Promise<TeamCoverage> {
  const [total, visible] = await Promise.all([
    db().team.count({ where: orgWhere(viewer) }),
    seesAllTeams(viewer) ? null : db().team.count({ where: teamWhere(viewer) }),
  ]);
  const seen = visible ?? total;
  return { all: seen === total, visible: seen, total };
}
