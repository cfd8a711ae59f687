import "server-only";
import { authorize, authorizeTeam, can, canTeam, notFound as noSuchTeam, orgWhere, teamWhere, type Denied } from "@/lib/access/policy";
import type { OrgRole, TeamRole, Viewer } from "@/lib/access/viewer";
import { invitationState, invitationTokenHash, type InvitationState } from "@/lib/db/mutations/people";
import { storedTeamRolesSchema } from "@/lib/validation/people";
import { db } from "../client";

/**
 * People of the org and their pending invitations. The full list is an org
 * admin's; a team admin reads their own team's members and invitations.
 */

export interface PersonTeamRole {
  teamId: number;
  teamName: string;
  teamSlug: string;
  role: TeamRole;
}

export interface PersonRow {
  id: number;
  name: string;
  email: string;
  role: OrgRole;
  teamRoles: PersonTeamRole[];
  joinedAt: Date;
  /** The start of their most recent session; null when none is on record (sessions end on sign-out and expiry). */
  lastSignInAt: Date | null;
}

export interface InvitationRow {
  id: number;
  email: string;
  role: OrgRole;
  teamRoles: PersonTeamRole[];
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  isExpired: boolean;
  /** May this viewer revoke it (they could have sent it)? */
  canRevoke: boolean;
}

export interface TeamOption {
  id: number;
  name: string;
  slug: string;
}

/** Expired invitations stay listed this long (so an admin sees that a link lapsed), then drop off. */
const EXPIRED_LISTED_DAYS = 30;

async function teamNamesById(where: ReturnType<typeof teamWhere>, ids: readonly number[]): Promise<Map<number, TeamOption>> {
  if (ids.length === 0) return new Map();
  const teams = await db().team.findMany({ where: { AND: [where, { id: { in: [...ids] } }] }, select: { id: true, name: true, slug: true } });
  return new Map(teams.map((t) => [t.id, t]));
}

function namedGrants(grants: readonly { teamId: number; role: TeamRole }[], teams: Map<number, TeamOption>): PersonTeamRole[] {
  return grants
    .flatMap((g) => {
      const team = teams.get(g.teamId);
      return team ? [{ teamId: team.id, teamName: team.name, teamSlug: team.slug, role: g.role }] : [];
    })
    .sort((a, b) => a.teamName.localeCompare(b.teamName));
}

const personSelect = {
  id: true,
  name: true,
  email: true,
  role: true,
  createdAt: true,
  memberships: { select: { role: true, team: { select: { id: true, name: true, slug: true } } } },
  sessions: { select: { createdAt: true }, orderBy: { createdAt: "desc" }, take: 1 },
} as const;

type PersonRecord = {
  id: number;
  name: string;
  email: string;
  role: OrgRole;
  createdAt: Date;
  memberships: { role: TeamRole; team: TeamOption }[];
  sessions: { createdAt: Date }[];
};

function toPerson(user: PersonRecord): PersonRow {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    teamRoles: user.memberships
      .map((m) => ({ teamId: m.team.id, teamName: m.team.name, teamSlug: m.team.slug, role: m.role }))
      .sort((a, b) => a.teamName.localeCompare(b.teamName)),
    joinedAt: user.createdAt,
    lastSignInAt: user.sessions[0]?.createdAt ?? null,
  };
}

/** Everyone in the org with their org role, team roles and last sign-in (org admins only). */
export async function orgPeople(viewer: Viewer): Promise<PersonRow[] | Denied> {
  const denied = authorize(viewer, "org:manage");
  if (denied) return denied;
  const users = await db().user.findMany({ where: orgWhere(viewer), select: personSelect, orderBy: [{ name: "asc" }, { id: "asc" }] });
  return users.map(toPerson);
}

/** Invitations not yet accepted or revoked (expired ones for a while too), newest first; for a team, those granting a role on it. */
export async function pendingInvitations(viewer: Viewer, { teamId, now = new Date() }: { teamId?: number; now?: Date } = {}): Promise<InvitationRow[] | Denied> {
  const denied = teamId === undefined ? authorize(viewer, "org:manage") : authorizeTeam(viewer, "team:manage", teamId, "team");
  if (denied) return denied;
  const invitations = await db().invitation.findMany({
    where: { ...orgWhere(viewer), acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date(now.getTime() - EXPIRED_LISTED_DAYS * 86_400_000) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const parsed = invitations.map((i) => ({ ...i, grants: storedTeamRolesSchema.parse(i.teamRoles) }));
  const listed = teamId === undefined ? parsed : parsed.filter((i) => i.grants.some((g) => g.teamId === teamId));
  const teams = await teamNamesById(teamWhere(viewer), [...new Set(listed.flatMap((i) => i.grants.map((g) => g.teamId)))]);
  const inviterIds = [...new Set(listed.flatMap((i) => (i.createdById ? [i.createdById] : [])))];
  const inviters = inviterIds.length ? await db().user.findMany({ where: { ...orgWhere(viewer), id: { in: inviterIds } }, select: { id: true, name: true } }) : [];
  const inviterNames = new Map(inviters.map((u) => [u.id, u.name]));
  return listed.map((i) => ({
    id: i.id,
    email: i.email,
    role: i.role,
    teamRoles: namedGrants(i.grants, teams),
    invitedBy: i.createdById ? (inviterNames.get(i.createdById) ?? null) : null,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    isExpired: invitationState(i, now) === "expired",
    canRevoke: i.role === "OWNER" ? can(viewer, "org:own") : can(viewer, "org:manage") || (i.role === "MEMBER" && i.grants.length > 0 && i.grants.every((g) => canTeam(viewer, "team:manage", g.teamId))),
  }));
}

export interface TeamMembers {
  team: TeamOption;
  /** People with an explicit role on the team. */
  members: PersonRow[];
  /** Org owners and admins: admins of every team without a membership. */
  orgAdmins: { id: number; name: string; email: string; role: OrgRole }[];
}

/** A team's members (team admins of that team, and org admins). */
export async function teamMembers(viewer: Viewer, teamId: number): Promise<TeamMembers | Denied> {
  const team = await db().team.findFirst({ where: { id: teamId, ...teamWhere(viewer) }, select: { id: true, name: true, slug: true } });
  if (!team) return noSuchTeam("No such team.");
  const denied = authorizeTeam(viewer, "team:manage", team.id, "team");
  if (denied) return denied;
  const [members, orgAdmins] = await Promise.all([
    db().user.findMany({
      where: { ...orgWhere(viewer), role: "MEMBER", memberships: { some: { teamId: team.id } } },
      select: { ...personSelect, memberships: { where: { teamId: team.id }, select: personSelect.memberships.select } },
      orderBy: [{ name: "asc" }, { id: "asc" }],
    }),
    db().user.findMany({ where: { ...orgWhere(viewer), role: { in: ["OWNER", "ADMIN"] } }, select: { id: true, name: true, email: true, role: true }, orderBy: [{ role: "asc" }, { name: "asc" }] }),
  ]);
  return { team, members: members.map(toPerson), orgAdmins };
}

/** The teams the viewer may invite people to (org admins: every team; team admins: theirs). */
export async function invitableTeams(viewer: Viewer): Promise<TeamOption[]> {
  return db().team.findMany({ where: teamWhere(viewer, "team:manage"), select: { id: true, name: true, slug: true }, orderBy: { name: "asc" } });
}

export interface InvitationPreview {
  state: InvitationState;
  email: string;
  orgName: string;
  orgTimeZone: string;
  invitedBy: string | null;
  role: OrgRole;
  teamRoles: PersonTeamRole[];
  expiresAt: Date;
}

/**
 * What an invitation link offers, for the signed-out invite page: the token
 * is the credential, so nothing else scopes this read. Null for an unknown token.
 */
export async function invitationByToken(token: string, now = new Date()): Promise<InvitationPreview | null> {
  const invitation = await db().invitation.findUnique({ where: { tokenHash: invitationTokenHash(token) }, include: { org: { select: { name: true, timeZone: true } } } });
  if (!invitation) return null;
  const org = { orgId: invitation.orgId };
  const grants = invitation.role === "MEMBER" ? storedTeamRolesSchema.parse(invitation.teamRoles) : [];
  const teams = await teamNamesById(orgWhere(org), grants.map((g) => g.teamId));
  const inviter = invitation.createdById ? await db().user.findFirst({ where: { ...orgWhere(org), id: invitation.createdById }, select: { name: true } }) : null;
  return {
    state: invitationState(invitation, now),
    email: invitation.email,
    orgName: invitation.org.name,
    orgTimeZone: invitation.org.timeZone,
    invitedBy: inviter?.name ?? null,
    role: invitation.role,
    teamRoles: namedGrants(grants, teams),
    expiresAt: invitation.expiresAt,
  };
}
