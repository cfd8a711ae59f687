import type { Route } from "next";
import { forbidden as forbiddenInterrupt, notFound } from "next/navigation";
import { canAnyTeam, canTeam, forbidden, type Denied } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";

/**
 * A page's answer to a refusal from lib/access/policy.ts: not-found → Next's
 * notFound() (the 404 page, as for a missing id, so another team's record
 * doesn't reveal that it exists); forbidden → the "You don't have access to
 * this" page, saying what role it takes.
 *
 * forbidden → Next's forbidden() (`experimental.authInterrupts` in
 * next.config.js): status 403 and app/forbidden.tsx, which can't carry the
 * policy's message, so it says in general what to do.
 *
 *   const denied = authorize(viewer, "org:manage");
 *   if (denied) return deniedPage(denied);
 */
export function deniedPage(denied: Denied, _back?: { href: Route; label: string }): never {
  if (denied.kind === "not-found") notFound();
  forbiddenInterrupt();
}

/** A record form page's refusal for someone who edits no team (null: they may open it). */
export function refuseNewRecord(viewer: Viewer, noun: string): Denied | null {
  return canAnyTeam(viewer, "team:write") ? null : forbidden(`You may not add ${noun}: that takes an editor or admin role on a team.`);
}

/** A record form's team choices: only the teams the viewer may write (the mutation refuses the others anyway). */
export function writableTeams<T extends { teams: readonly { id: number }[] }>(viewer: Viewer, options: T): T {
  return { ...options, teams: options.teams.filter((t) => canTeam(viewer, "team:write", t.id)) };
}
