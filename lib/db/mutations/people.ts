import { createHash, randomBytes } from "node:crypto";
import { ownOrgId } from "@/lib/access/own-org-id";
import { authorize, authorizeTeam, can, canTeam, forbidden, ORG_ROLE_LABELS, orgWhere, TEAM_ROLE_LABELS, teamIdsFor, teamWhere, type Denied } from "@/lib/access/policy";
import type { OrgRole, TeamRole, Viewer } from "@/lib/access/viewer";
import { credentialAccount } from "@/lib/auth/credentials";
import { storedTeamRolesSchema, type InvitationValues, type TeamRoleGrant } from "@/lib/validation/people";
import { db } from "../client";
import { prismaRunner } from "../sql";
import { auditSnapshot, writeAuditEntries, type AuditSnapshot } from "./audit";
import { assertAuthorized, databaseErrorCode, deniedFailure, formError, invalid, notFound, RollbackWith, writeTransaction, type MutationResult, type Tx } from "./records";

/**
 * People of an org: invitations (a link with an expiry, no mail server),
 * org roles, team roles and removal. Every change is one transaction with
 * its audit entry naming the person who made it; changes to roles and
 * removals serialize per org (an advisory lock), so two admins demoting the
 * last two owners at once can't leave the org without one.
 */

const DAY_MS = 86_400_000;

/** Advisory lock classes (two-int form: class, key). */
const PEOPLE_LOCK = 7_231_002;
const INVITE_EMAIL_LOCK = 7_231_003;

/** The stored form of an invitation token: its SHA-256, hex. The token itself is shown once and never stored. */
export function invitationTokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function newInvitationToken(): string {
  return randomBytes(32).toString("base64url");
}

async function lockOrgPeople(tx: Tx, orgId: number): Promise<void> {
  await tx.$executeRaw`select pg_advisory_xact_lock(${PEOPLE_LOCK}::int, ${orgId}::int)`;
}

const teamRolesJson = (grants: readonly TeamRoleGrant[]) => JSON.stringify([...grants].sort((a, b) => a.teamId - b.teamId));

function invitationSnapshot(row: { email: string; role: OrgRole; teamRoles: unknown; expiresAt: Date; acceptedAt: Date | null; revokedAt: Date | null }): AuditSnapshot {
  return auditSnapshot({ email: row.email, role: row.role, teamRoles: row.teamRoles, expiresAt: row.expiresAt, acceptedAt: row.acceptedAt, revokedAt: row.revokedAt });
}

async function userSnapshot(tx: Tx, userId: number): Promise<AuditSnapshot | null> {
  const user = await tx.user.findUnique({ where: { id: userId }, include: { memberships: { select: { teamId: true, role: true } } } });
  if (!user) return null;
  return auditSnapshot({ email: user.email, name: user.name, role: user.role, teamRoles: teamRolesJson(user.memberships) });
}

// ---------------------------------------------------------------------------
// Invitations

/**
 * Who may send (or revoke) an invitation with this org role and these team
 * roles: org admins any role but Owner (only owners invite owners); team
 * admins only members, with roles on teams they manage (and at least one).
 */
function authorizeInvitation(viewer: Viewer, role: OrgRole, teamIds: readonly number[]): Denied | null {
  if (role === "OWNER") return authorize(viewer, "org:own");
  if (can(viewer, "org:manage")) return null;
  const managed = teamIdsFor(viewer, "team:manage");
  if (managed !== "all" && managed.length === 0) return authorize(viewer, "org:manage");
  if (role !== "MEMBER") return forbidden(`Only an org admin may invite someone as ${ORG_ROLE_LABELS[role]}; invite them as a member with roles on your teams.`);
  if (teamIds.length === 0 || teamIds.some((id) => !canTeam(viewer, "team:manage", id))) {
    return forbidden("A team admin may invite people only to the teams they manage, with a role on at least one of them.");
  }
  return null;
}

export interface CreatedInvitation {
  id: number;
  email: string;
  /** The raw token: shown once, in the link; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

/**
 * Invites someone by email. Returns the token once (the link to hand over).
 * An email that already has an account is refused; re-inviting an email
 * revokes its earlier pending invitation (in the same transaction).
 */
export async function createInvitation(viewer: Viewer, values: InvitationValues, now = new Date()): Promise<MutationResult<CreatedInvitation>> {
  // Owners and admins are admins of every team: team roles would mean nothing.
  const grants = values.role === "MEMBER" ? values.teamRoles : [];
  const denied = authorizeInvitation(viewer, values.role, grants.map((g) => g.teamId));
  if (denied) return deniedFailure(denied);
  const token = newInvitationToken();
  const expiresAt = new Date(now.getTime() + values.expiresInDays * DAY_MS);
  return writeTransaction(viewer, async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(${INVITE_EMAIL_LOCK}::int, hashtext(${values.email}))`;
    if (grants.length > 0) {
      const teams = await tx.team.findMany({ where: { ...teamWhere(viewer, "team:manage"), id: { in: grants.map((g) => g.teamId) } }, select: { id: true } });
      const known = new Set(teams.map((t) => t.id));
      const missing = grants.filter((g) => !known.has(g.teamId));
      if (missing.length > 0) throw new RollbackWith(invalid({ teamRoles: ["A team in the list no longer exists; reload the page and choose again"] }));
    }
    if (await tx.user.findUnique({ where: { email: values.email }, select: { id: true } })) {
      throw new RollbackWith(invalid({ email: ["Someone with this email already has a Burnrate account"] }));
    }
    const pending = await tx.invitation.findMany({ where: { ...orgWhere(viewer), email: values.email, acceptedAt: null, revokedAt: null } });
    for (const earlier of pending) {
      const earlierTeams = storedTeamRolesSchema.parse(earlier.teamRoles).map((g) => g.teamId);
      if (authorizeInvitation(viewer, earlier.role, earlierTeams)) {
        throw new RollbackWith(invalid({ email: ["This email has a pending invitation you may not replace (an org admin sent it); ask an org admin"] }));
      }
    }
    const run = prismaRunner(tx);
    const audit = { viewer, source: "form" as const };
    if (pending.length > 0) {
      await tx.invitation.updateMany({ where: { id: { in: pending.map((p) => p.id) } }, data: { revokedAt: now } });
      await writeAuditEntries(
        run,
        audit,
        pending.map((p) => ({ entityType: "invitation", entityId: String(p.id), action: "UPDATE", before: invitationSnapshot(p), after: invitationSnapshot({ ...p, revokedAt: now }) })),
      );
    }
    const created = await tx.invitation.create({
      data: {
        orgId: ownOrgId(viewer),
        email: values.email,
        role: values.role,
        teamRoles: [...grants].sort((a, b) => a.teamId - b.teamId),
        tokenHash: invitationTokenHash(token),
        createdById: viewer.userId,
        createdAt: now,
        expiresAt,
      },
    });
    await writeAuditEntries(run, audit, [{ entityType: "invitation", entityId: String(created.id), action: "CREATE", before: null, after: invitationSnapshot(created) }]);
    return { id: created.id, email: created.email, token, expiresAt };
  });
}

/** Revokes a pending invitation: its link stops working. Revoking a revoked one changes nothing. */
export async function revokeInvitation(viewer: Viewer, id: number, now = new Date()): Promise<MutationResult<{ id: number }>> {
  return writeTransaction(viewer, async (tx) => {
    const locked = await tx.$queryRaw<{ id: number }[]>`select id from invitations where id = ${id} for update`;
    const invitation = locked.length ? await tx.invitation.findFirst({ where: { id, ...orgWhere(viewer) } }) : null;
    const teamIds = invitation ? storedTeamRolesSchema.parse(invitation.teamRoles).map((g) => g.teamId) : [];
    // Someone who could not have sent it doesn't learn that it exists.
    if (!invitation || (!can(viewer, "org:manage") && teamIds.every((teamId) => !canTeam(viewer, "team:manage", teamId)))) {
      throw new RollbackWith(notFound("This invitation doesn't exist."));
    }
    assertAuthorized(authorizeInvitation(viewer, invitation.role, teamIds));
    if (invitation.acceptedAt) throw new RollbackWith(formError(`${invitation.email} already accepted this invitation; remove them from People instead`));
    if (invitation.revokedAt) return { id };
    await tx.invitation.update({ where: { id }, data: { revokedAt: now } });
    await writeAuditEntries(prismaRunner(tx), { viewer, source: "form" }, [
      { entityType: "invitation", entityId: String(id), action: "UPDATE", before: invitationSnapshot(invitation), after: invitationSnapshot({ ...invitation, revokedAt: now }) },
    ]);
    return { id };
  });
}

/** Why an invitation link no longer works, as the person holding it should read it. */
export const INVITATION_UNUSABLE = {
  expired: "This invitation has expired. Ask the person who invited you for a new link.",
  revoked: "This invitation was withdrawn. Ask the person who invited you for a new link.",
  accepted: "This invitation was already accepted. Sign in with the email and password you chose.",
} as const;

export type InvitationState = "valid" | keyof typeof INVITATION_UNUSABLE;

export function invitationState(invitation: { expiresAt: Date; acceptedAt: Date | null; revokedAt: Date | null }, now = new Date()): InvitationState {
  if (invitation.acceptedAt) return "accepted";
  if (invitation.revokedAt) return "revoked";
  if (invitation.expiresAt.getTime() <= now.getTime()) return "expired";
  return "valid";
}

/**
 * Accepts an invitation: creates the person (the invitation's email, org,
 * role and team roles) with a password, and marks the invitation accepted —
 * one transaction with the invitation's row locked, so a double submit
 * creates one person and the second is told the link was used. The audit
 * entries name the new person, who is the one acting.
 */
export async function acceptInvitation(
  { token, name, password }: { token: string; name: string; password: string },
  now = new Date(),
): Promise<MutationResult<{ userId: number; email: string; orgId: number }>> {
  const tokenHash = invitationTokenHash(token);
  // Hashing a password is slow (scrypt): outside the transaction, so the row lock is held briefly.
  const account = await credentialAccount(0, password);
  try {
    const value = await db().$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: number }[]>`select id from invitations where "tokenHash" = ${tokenHash} for update`;
      const invitation = locked[0] ? await tx.invitation.findUnique({ where: { id: locked[0].id } }) : null;
      if (!invitation) throw new RollbackWith(notFound("This invitation link is unknown: check that you copied all of it."));
      const state = invitationState(invitation, now);
      if (state !== "valid") throw new RollbackWith(formError(INVITATION_UNUSABLE[state]));
      if (await tx.user.findUnique({ where: { email: invitation.email }, select: { id: true } })) {
        throw new RollbackWith(formError("This email already has a Burnrate account. Sign in instead."));
      }
      const org = { orgId: invitation.orgId };
      const grants = invitation.role === "MEMBER" ? storedTeamRolesSchema.parse(invitation.teamRoles) : [];
      // A team deleted since the invitation was sent is skipped.
      const teams = grants.length ? await tx.team.findMany({ where: { ...orgWhere(org), id: { in: grants.map((g) => g.teamId) } }, select: { id: true } }) : [];
      const existing = new Set(teams.map((t) => t.id));
      const memberships = grants.filter((g) => existing.has(g.teamId));
      const user = await tx.user
        .create({ data: { orgId: invitation.orgId, email: invitation.email, name, role: invitation.role, emailVerified: true } })
        .catch((error: unknown) => {
          if (databaseErrorCode(error) === "23505") throw new RollbackWith(formError("This email already has a Burnrate account. Sign in instead."));
          throw error;
        });
      if (memberships.length) await tx.teamMembership.createMany({ data: memberships.map((m) => ({ userId: user.id, teamId: m.teamId, role: m.role })) });
      await tx.account.create({ data: { ...account, userId: user.id, accountId: String(user.id) } });
      await tx.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: now } });
      await writeAuditEntries(prismaRunner(tx), { viewer: { orgId: invitation.orgId, userId: user.id, name: user.name }, source: "form" }, [
        { entityType: "user", entityId: String(user.id), action: "CREATE", before: null, after: auditSnapshot({ email: user.email, name: user.name, role: user.role, teamRoles: teamRolesJson(memberships) }) },
        { entityType: "invitation", entityId: String(invitation.id), action: "UPDATE", before: invitationSnapshot(invitation), after: invitationSnapshot({ ...invitation, acceptedAt: now }) },
      ]);
      return { userId: user.id, email: user.email, orgId: invitation.orgId };
    });
    return { ok: true, value };
  } catch (error) {
    if (error instanceof RollbackWith) return error.failure;
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Org roles and removal

async function findPerson(tx: Tx, viewer: Viewer, userId: number) {
  return tx.user.findFirst({ where: { id: userId, ...orgWhere(viewer) }, select: { id: true, name: true, email: true, role: true } });
}

async function ownerCount(tx: Tx, viewer: Viewer): Promise<number> {
  return tx.user.count({ where: { ...orgWhere(viewer), role: "OWNER" } });
}

/**
 * Changes a person's org role. Org admins change admins and members; making
 * or unmaking an owner takes an owner; the org always keeps an owner (the
 * last one, yourself included, can't be demoted until another is made).
 */
export async function setOrgRole(viewer: Viewer, userId: number, role: OrgRole): Promise<MutationResult<{ id: number; role: OrgRole }>> {
  const denied = authorize(viewer, "org:manage");
  if (denied) return deniedFailure(denied);
  return writeTransaction(viewer, async (tx) => {
    await lockOrgPeople(tx, ownOrgId(viewer));
    const person = await findPerson(tx, viewer, userId);
    if (!person) throw new RollbackWith(notFound("This person is no longer in the organization."));
    if (person.role === role) return { id: person.id, role };
    if (person.role === "OWNER" || role === "OWNER") assertAuthorized(authorize(viewer, "org:own"));
    if (person.role === "OWNER" && (await ownerCount(tx, viewer)) <= 1) {
      const who = person.id === viewer.userId ? "You are" : `${person.name} is`;
      throw new RollbackWith(invalid({ role: [`${who} the organization's only owner: make someone else an owner first`] }));
    }
    const before = await userSnapshot(tx, person.id);
    await tx.user.update({ where: { id: person.id }, data: { role } });
    await writeAuditEntries(prismaRunner(tx), { viewer, source: "form" }, [
      { entityType: "user", entityId: String(person.id), action: "UPDATE", before, after: await userSnapshot(tx, person.id) },
    ]);
    return { id: person.id, role };
  });
}

/** Removes a person from the org: their account, team roles and every session (signed out everywhere at once). */
export async function removePerson(viewer: Viewer, userId: number): Promise<MutationResult<{ id: number; name: string }>> {
  const denied = authorize(viewer, "org:manage");
  if (denied) return deniedFailure(denied);
  return writeTransaction(viewer, async (tx) => {
    await lockOrgPeople(tx, ownOrgId(viewer));
    const person = await findPerson(tx, viewer, userId);
    if (!person) throw new RollbackWith(notFound("This person is no longer in the organization."));
    if (person.id === viewer.userId) throw new RollbackWith(formError("You can't remove yourself; ask another admin."));
    if (person.role === "OWNER") {
      assertAuthorized(authorize(viewer, "org:own"));
      if ((await ownerCount(tx, viewer)) <= 1) throw new RollbackWith(formError(`${person.name} is the organization's only owner and can't be removed.`));
    }
    const before = await userSnapshot(tx, person.id);
    await tx.session.deleteMany({ where: { userId: person.id } });
    await tx.account.deleteMany({ where: { userId: person.id } });
    await tx.teamMembership.deleteMany({ where: { userId: person.id } });
    await tx.user.delete({ where: { id: person.id } });
    await writeAuditEntries(prismaRunner(tx), { viewer, source: "form" }, [{ entityType: "user", entityId: String(person.id), action: "DELETE", before, after: null }]);
    return { id: person.id, name: person.name };
  });
}

// ---------------------------------------------------------------------------
// Team roles

/**
 * Gives a person a role on a team, changes it, or (null) takes them off the
 * team. Team admins (and org admins) of that team only; org owners and
 * admins are admins of every team, so their team role is their org role's.
 */
export async function setTeamRole(viewer: Viewer, teamId: number, userId: number, role: TeamRole | null): Promise<MutationResult<{ teamId: number; userId: number; role: TeamRole | null }>> {
  return writeTransaction(viewer, async (tx) => {
    const team = await tx.team.findFirst({ where: { id: teamId, ...teamWhere(viewer) }, select: { id: true, name: true } });
    if (!team) throw new RollbackWith(notFound("This team doesn't exist."));
    assertAuthorized(authorizeTeam(viewer, "team:manage", team.id, "team"));
    await lockOrgPeople(tx, ownOrgId(viewer));
    const person = await findPerson(tx, viewer, userId);
    if (!person) throw new RollbackWith(notFound("This person is no longer in the organization."));
    if (person.role !== "MEMBER") {
      throw new RollbackWith(invalid({ role: [`${person.name} is an org ${ORG_ROLE_LABELS[person.role].toLowerCase()} and so ${TEAM_ROLE_LABELS.ADMIN.toLowerCase()} of every team; change their org role instead`] }));
    }
    const current = await tx.teamMembership.findUnique({ where: { userId_teamId: { userId: person.id, teamId: team.id } }, select: { role: true } });
    if ((current?.role ?? null) === role) return { teamId: team.id, userId: person.id, role };
    const before = await userSnapshot(tx, person.id);
    if (role === null) {
      await tx.teamMembership.delete({ where: { userId_teamId: { userId: person.id, teamId: team.id } } });
    } else {
      await tx.teamMembership.upsert({
        where: { userId_teamId: { userId: person.id, teamId: team.id } },
        create: { userId: person.id, teamId: team.id, role },
        update: { role },
      });
    }
    await writeAuditEntries(prismaRunner(tx), { viewer, source: "form" }, [
      { entityType: "user", entityId: String(person.id), action: "UPDATE", before, after: await userSnapshot(tx, person.id) },
    ]);
    return { teamId: team.id, userId: person.id, role };
  });
}
