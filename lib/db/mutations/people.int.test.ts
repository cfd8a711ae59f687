import { createHash } from "node:crypto";
import { verifyPassword } from "better-auth/crypto";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { submitAcceptInvitation, submitInvitation } from "@/lib/actions/handlers/people";
import { invitationByToken, orgPeople, pendingInvitations, teamMembers } from "@/lib/db/queries/people";
import { invitationSchema, type InvitationInput } from "@/lib/validation/people";
import { acceptInvitation, createInvitation, removePerson, revokeInvitation, setOrgRole, setTeamRole } from "./people";

// People and invitations against a real database: who may invite whom, the
// token stored only as a hash, re-invites, accepting (once, even when
// submitted twice at once), org and team roles, the org never losing its
// last owner, removal with sessions, and the audit log naming the actor.

let client: pg.Client;
let fx: Awaited<ReturnType<typeof createFixture>>;

async function createFixture() {
  const one = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0] as T;
  const org = await one<{ id: number }>(`insert into orgs (slug, name, "timeZone") values ('acme', 'Acme', 'Europe/London') returning id`);
  const user = (email: string, name: string, role: string) =>
    one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, $2, $3, $4) returning id`, [org.id, email, name, role]);
  const team = (slug: string, name: string, orgId = org.id) =>
    one<{ id: number }>(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $3, 1000, 'UTC', now()) returning id`, [orgId, slug, name]);
  const research = await team("research", "Research");
  const applied = await team("applied", "Applied");
  const owner = await user("olive@acme.test", "Olive Owner", "OWNER");
  const admin = await user("ada@acme.test", "Ada Admin", "ADMIN");
  const teamAdmin = await user("tara@acme.test", "Tara Teamadmin", "MEMBER");
  const editor = await user("ed@acme.test", "Ed Editor", "MEMBER");
  await client.query(`insert into team_memberships ("userId", "teamId", role) values ($1, $2, 'ADMIN'), ($3, $2, 'EDITOR')`, [teamAdmin.id, research.id, editor.id]);
  const foreignOrg = await one<{ id: number }>(`insert into orgs (slug, name) values ('rival', 'Rival') returning id`);
  const foreignTeam = await team("rival-team", "Rival team", foreignOrg.id);
  const base = { orgId: org.id, orgName: "Acme", orgTimeZone: "Europe/London" };
  return {
    orgId: org.id,
    researchId: research.id,
    appliedId: applied.id,
    foreignTeamId: foreignTeam.id,
    ownerId: owner.id,
    adminId: admin.id,
    teamAdminId: teamAdmin.id,
    editorId: editor.id,
    owner: makeViewer({ ...base, userId: owner.id, role: "OWNER", name: "Olive Owner" }),
    admin: makeViewer({ ...base, userId: admin.id, role: "ADMIN", name: "Ada Admin" }),
    teamAdmin: makeViewer({ ...base, userId: teamAdmin.id, role: "MEMBER", name: "Tara Teamadmin", teamRoles: [[research.id, "ADMIN"]] }),
    editor: makeViewer({ ...base, userId: editor.id, role: "MEMBER", name: "Ed Editor", teamRoles: [[research.id, "EDITOR"]] }),
  };
}

function values(input: InvitationInput) {
  return invitationSchema.parse(input);
}

async function invite(viewer: Viewer, input: InvitationInput) {
  const result = await createInvitation(viewer, values(input));
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.value;
}

async function audit(entityType: string, entityId: number) {
  const { rows } = await client.query(
    `select action, "actorName", "userId", before, after, "changedFields" from audit_entries where "entityType" = $1 and "entityId" = $2 order by id`,
    [entityType, String(entityId)],
  );
  return rows;
}

const PASSWORD = "correct horse battery";

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  fx = await createFixture();
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from invitations; delete from audit_entries; delete from auth_sessions`);
  await client.query(`delete from users where id <> all($1)`, [[fx.ownerId, fx.adminId, fx.teamAdminId, fx.editorId]]);
  await client.query(`update users set role = 'OWNER' where id = $1; `, [fx.ownerId]);
  await client.query(`update users set role = 'ADMIN' where id = $1`, [fx.adminId]);
  await client.query(`update users set role = 'MEMBER' where id = any($1)`, [[fx.teamAdminId, fx.editorId]]);
  await client.query(`delete from team_memberships`);
  await client.query(`insert into team_memberships ("userId", "teamId", role) values ($1, $2, 'ADMIN'), ($3, $2, 'EDITOR')`, [fx.teamAdminId, fx.researchId, fx.editorId]);
});

describe("createInvitation", () => {
  it("returns the token once and stores only its SHA-256, with a 7-day expiry by default and an audit entry naming the admin", async () => {
    const before = Date.now();
    const created = await invite(fx.admin, { email: " New.Person@Example.com ", role: "MEMBER", teamRoles: [{ teamId: String(fx.researchId), role: "EDITOR" }] });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.email).toBe("new.person@example.com");
    const { rows: [row] } = await client.query(`select * from invitations where id = $1`, [created.id]);
    expect(row.tokenHash).toBe(createHash("sha256").update(created.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(row).toMatchObject({ orgId: fx.orgId, email: "new.person@example.com", role: "MEMBER", teamRoles: [{ teamId: fx.researchId, role: "EDITOR" }], createdById: fx.adminId, acceptedAt: null, revokedAt: null });
    const days = (row.expiresAt.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const entries = await audit("invitation", created.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "CREATE", actorName: "Ada Admin", userId: fx.adminId, before: null });
    expect(JSON.stringify(entries[0])).not.toContain(created.token);
  });

  it("takes an expiry of 1 to 30 days and names the field otherwise", () => {
    for (const bad of ["0", "31", "2.5", "soon"]) {
      const parsed = invitationSchema.safeParse({ email: "a@b.test", expiresInDays: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["expiresInDays"]);
    }
    expect(invitationSchema.parse({ email: "a@b.test", expiresInDays: "30" }).expiresInDays).toBe(30);
  });

  it("lets org admins invite any role but owner; only owners invite owners", async () => {
    expect(await invite(fx.admin, { email: "a1@x.test", role: "ADMIN" })).toMatchObject({ email: "a1@x.test" });
    const refused = await createInvitation(fx.admin, values({ email: "o1@x.test", role: "OWNER" }));
    expect(refused).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await invite(fx.owner, { email: "o1@x.test", role: "OWNER" })).toMatchObject({ email: "o1@x.test" });
    // Owners and admins are admins of every team: team roles are not stored for them.
    const admin = await invite(fx.owner, { email: "a2@x.test", role: "ADMIN", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }] });
    const { rows } = await client.query(`select "teamRoles" from invitations where id = $1`, [admin.id]);
    expect(rows[0].teamRoles).toEqual([]);
  });

  it("lets a team admin invite members only, with roles on the teams they manage", async () => {
    expect(await invite(fx.teamAdmin, { email: "t1@x.test", role: "MEMBER", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }] })).toMatchObject({ email: "t1@x.test" });
    const cases: InvitationInput[] = [
      { email: "t2@x.test", role: "ADMIN" },
      { email: "t2@x.test", role: "MEMBER", teamRoles: [] },
      { email: "t2@x.test", role: "MEMBER", teamRoles: [{ teamId: fx.appliedId, role: "VIEWER" }] },
      { email: "t2@x.test", role: "MEMBER", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }, { teamId: fx.appliedId, role: "VIEWER" }] },
    ];
    for (const input of cases) expect(await createInvitation(fx.teamAdmin, values(input))).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    // An editor manages nothing.
    expect(await createInvitation(fx.editor, values({ email: "e@x.test", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }] }))).toMatchObject({ ok: false, reason: "denied" });
    const { rows } = await client.query(`select email from invitations order by id`);
    expect(rows).toEqual([{ email: "t1@x.test" }]);
  });

  it("refuses another org's team and an email that already has an account, as field errors", async () => {
    expect(await createInvitation(fx.admin, values({ email: "f@x.test", teamRoles: [{ teamId: fx.foreignTeamId, role: "VIEWER" }] }))).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { teamRoles: ["A team in the list no longer exists; reload the page and choose again"] },
    });
    expect(await createInvitation(fx.admin, values({ email: "ED@acme.test" }))).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { email: ["Someone with this email already has a Burnrate account"] },
    });
    expect((await client.query(`select count(*)::int as n from invitations`)).rows[0].n).toBe(0);
  });

  it("revokes the earlier pending invitation when the same email is invited again", async () => {
    const first = await invite(fx.admin, { email: "again@x.test", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }] });
    const second = await invite(fx.teamAdmin, { email: "again@x.test", teamRoles: [{ teamId: fx.researchId, role: "EDITOR" }] });
    const { rows } = await client.query(`select id, "revokedAt" is not null as revoked from invitations order by id`);
    expect(rows).toEqual([{ id: first.id, revoked: true }, { id: second.id, revoked: false }]);
    expect(await audit("invitation", first.id)).toMatchObject([{ action: "CREATE" }, { action: "UPDATE", actorName: "Tara Teamadmin", changedFields: ["revokedAt"] }]);
    expect((await acceptInvitation({ token: first.token, name: "Old Link", password: PASSWORD })).ok).toBe(false);
    // A team admin may not replace an invitation an org admin sent with a role they can't give.
    await invite(fx.admin, { email: "boss@x.test", role: "ADMIN" });
    expect(await createInvitation(fx.teamAdmin, values({ email: "boss@x.test", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }] }))).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { email: [expect.stringContaining("pending invitation")] } });
  });
});

describe("revokeInvitation", () => {
  it("stops the link working, audited; unknown to people who could not have sent it", async () => {
    const created = await invite(fx.admin, { email: "r@x.test", teamRoles: [{ teamId: fx.appliedId, role: "VIEWER" }] });
    expect(await revokeInvitation(fx.teamAdmin, created.id)).toMatchObject({ ok: false, reason: "notFound" });
    expect(await revokeInvitation(fx.admin, created.id)).toEqual({ ok: true, value: { id: created.id } });
    expect(await revokeInvitation(fx.admin, created.id)).toEqual({ ok: true, value: { id: created.id } });
    expect(await audit("invitation", created.id)).toMatchObject([{ action: "CREATE" }, { action: "UPDATE", actorName: "Ada Admin" }]);
    expect((await invitationByToken(created.token))?.state).toBe("revoked");
    expect(await acceptInvitation({ token: created.token, name: "Rita", password: PASSWORD })).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { _form: ["This invitation was withdrawn. Ask the person who invited you for a new link."] },
    });
  });
});

describe("acceptInvitation", () => {
  it("creates the person with the invitation's org, role and team roles and a working password, audited as them", async () => {
    const created = await invite(fx.teamAdmin, { email: "nina@x.test", teamRoles: [{ teamId: fx.researchId, role: "EDITOR" }] });
    expect(await invitationByToken(created.token)).toMatchObject({
      state: "valid",
      email: "nina@x.test",
      orgName: "Acme",
      invitedBy: "Tara Teamadmin",
      role: "MEMBER",
      teamRoles: [{ teamId: fx.researchId, teamName: "Research", role: "EDITOR" }],
    });
    const result = await acceptInvitation({ token: created.token, name: "Nina New", password: PASSWORD });
    expect(result).toMatchObject({ ok: true, value: { email: "nina@x.test", orgId: fx.orgId } });
    if (!result.ok) return;
    const { rows: [user] } = await client.query(`select "orgId", email, name, role from users where id = $1`, [result.value.userId]);
    expect(user).toEqual({ orgId: fx.orgId, email: "nina@x.test", name: "Nina New", role: "MEMBER" });
    const { rows: memberships } = await client.query(`select "teamId", role from team_memberships where "userId" = $1`, [result.value.userId]);
    expect(memberships).toEqual([{ teamId: fx.researchId, role: "EDITOR" }]);
    const { rows: [account] } = await client.query(`select "providerId", "accountId", password from auth_accounts where "userId" = $1`, [result.value.userId]);
    expect(account.providerId).toBe("credential");
    expect(account.accountId).toBe(String(result.value.userId));
    expect(await verifyPassword({ hash: account.password, password: PASSWORD })).toBe(true);
    expect((await client.query(`select "acceptedAt" is not null as accepted from invitations where id = $1`, [created.id])).rows[0].accepted).toBe(true);
    expect(await audit("user", result.value.userId)).toMatchObject([{ action: "CREATE", actorName: "Nina New", userId: result.value.userId, after: { email: "nina@x.test", role: "MEMBER" } }]);
    expect(await audit("invitation", created.id)).toMatchObject([{ action: "CREATE", actorName: "Tara Teamadmin" }, { action: "UPDATE", actorName: "Nina New", changedFields: ["acceptedAt"] }]);
    // The link is spent.
    expect((await invitationByToken(created.token))?.state).toBe("accepted");
    expect(await acceptInvitation({ token: created.token, name: "Nina Again", password: PASSWORD })).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { _form: [expect.stringContaining("already accepted")] } });
  });

  it("creates one person when the same link is submitted several times at once", async () => {
    const created = await invite(fx.admin, { email: "twice@x.test", role: "ADMIN" });
    const results = await Promise.all([1, 2, 3].map((n) => acceptInvitation({ token: created.token, name: `Twice ${n}`, password: PASSWORD })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toHaveLength(2);
    expect((await client.query(`select count(*)::int as n from users where email = 'twice@x.test'`)).rows[0].n).toBe(1);
    expect((await client.query(`select count(*)::int as n from auth_accounts a join users u on u.id = a."userId" where u.email = 'twice@x.test'`)).rows[0].n).toBe(1);
  });

  it("refuses an expired link and an unknown one, creating nobody", async () => {
    const created = await invite(fx.admin, { email: "late@x.test", expiresInDays: 1 });
    await client.query(`update invitations set "expiresAt" = now() - interval '1 minute' where id = $1`, [created.id]);
    expect((await invitationByToken(created.token))?.state).toBe("expired");
    expect(await acceptInvitation({ token: created.token, name: "Late", password: PASSWORD })).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { _form: ["This invitation has expired. Ask the person who invited you for a new link."] },
    });
    expect(await acceptInvitation({ token: "A".repeat(43), name: "Nobody", password: PASSWORD })).toMatchObject({ ok: false, reason: "notFound" });
    expect(await invitationByToken("A".repeat(43))).toBeNull();
    expect((await client.query(`select count(*)::int as n from users where email = 'late@x.test'`)).rows[0].n).toBe(0);
  });

  it("skips a team deleted since the invitation was sent", async () => {
    const { rows: [gone] } = await client.query(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "updatedAt") values ($1, 'gone', 'Gone', 1, now()) returning id`, [fx.orgId]);
    const created = await invite(fx.admin, { email: "skip@x.test", teamRoles: [{ teamId: gone.id, role: "VIEWER" }, { teamId: fx.appliedId, role: "VIEWER" }] });
    await client.query(`delete from teams where id = $1`, [gone.id]);
    const result = await acceptInvitation({ token: created.token, name: "Skip", password: PASSWORD });
    if (!result.ok) throw new Error(JSON.stringify(result));
    const { rows } = await client.query(`select "teamId" from team_memberships where "userId" = $1`, [result.value.userId]);
    expect(rows).toEqual([{ teamId: fx.appliedId }]);
  });
});

describe("setOrgRole", () => {
  it("lets admins change admins and members, and only owners touch owners", async () => {
    expect(await setOrgRole(fx.admin, fx.editorId, "ADMIN")).toEqual({ ok: true, value: { id: fx.editorId, role: "ADMIN" } });
    expect(await audit("user", fx.editorId)).toMatchObject([{ action: "UPDATE", actorName: "Ada Admin", before: { role: "MEMBER" }, after: { role: "ADMIN" }, changedFields: ["role"] }]);
    expect(await setOrgRole(fx.admin, fx.editorId, "OWNER")).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await setOrgRole(fx.admin, fx.ownerId, "MEMBER")).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await setOrgRole(fx.teamAdmin, fx.editorId, "MEMBER")).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await setOrgRole(fx.owner, fx.editorId, "OWNER")).toMatchObject({ ok: true });
    expect(await setOrgRole(fx.admin, 999_999, "MEMBER")).toMatchObject({ ok: false, reason: "notFound" });
  });

  it("never leaves the org without an owner, even when two owners demote each other at once", async () => {
    expect(await setOrgRole(fx.owner, fx.ownerId, "ADMIN")).toEqual({ ok: false, reason: "invalid", fieldErrors: { role: ["You are the organization's only owner: make someone else an owner first"] } });
    await client.query(`update users set role = 'OWNER' where id = $1`, [fx.adminId]);
    const second = makeViewer({ ...fx.admin, role: "OWNER" });
    const results = await Promise.all([setOrgRole(fx.owner, fx.adminId, "ADMIN"), setOrgRole(second, fx.ownerId, "ADMIN")]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ reason: "invalid", fieldErrors: { role: [expect.stringContaining("only owner")] } });
    expect((await client.query(`select count(*)::int as n from users where "orgId" = $1 and role = 'OWNER'`, [fx.orgId])).rows[0].n).toBe(1);
  });
});

describe("removePerson", () => {
  it("deletes the person with their sessions, account and team roles, audited; never yourself or the last owner", async () => {
    await client.query(`insert into auth_sessions (token, "userId", "expiresAt") values ('t-ed-1', $1, now() + interval '1 day'), ('t-ed-2', $1, now() + interval '1 day')`, [fx.editorId]);
    expect(await removePerson(fx.teamAdmin, fx.editorId)).toMatchObject({ ok: false, reason: "denied" });
    expect(await removePerson(fx.admin, fx.adminId)).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { _form: ["You can't remove yourself; ask another admin."] } });
    expect(await removePerson(fx.admin, fx.ownerId)).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await removePerson(makeViewer({ ...fx.owner, userId: fx.adminId, role: "OWNER" }), fx.ownerId)).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { _form: [expect.stringContaining("only owner")] } });

    expect(await removePerson(fx.admin, fx.editorId)).toEqual({ ok: true, value: { id: fx.editorId, name: "Ed Editor" } });
    expect((await client.query(`select count(*)::int as n from auth_sessions where "userId" = $1`, [fx.editorId])).rows[0].n).toBe(0);
    expect((await client.query(`select count(*)::int as n from team_memberships where "userId" = $1`, [fx.editorId])).rows[0].n).toBe(0);
    expect(await audit("user", fx.editorId)).toMatchObject([{ action: "DELETE", actorName: "Ada Admin", before: { email: "ed@acme.test", role: "MEMBER" }, after: null }]);
    // Put Ed back for the next tests.
    const { rows: [ed] } = await client.query(`insert into users (id, "orgId", email, name, role) values ($1, $2, 'ed@acme.test', 'Ed Editor', 'MEMBER') returning id`, [fx.editorId, fx.orgId]);
    expect(ed.id).toBe(fx.editorId);
  });
});

describe("setTeamRole", () => {
  it("lets a team admin set and remove roles on their team only, audited as them", async () => {
    expect(await setTeamRole(fx.teamAdmin, fx.researchId, fx.editorId, "VIEWER")).toMatchObject({ ok: true, value: { role: "VIEWER" } });
    expect(await audit("user", fx.editorId)).toMatchObject([{ action: "UPDATE", actorName: "Tara Teamadmin", changedFields: ["teamRoles"] }]);
    expect(await setTeamRole(fx.teamAdmin, fx.appliedId, fx.editorId, "VIEWER")).toMatchObject({ ok: false, reason: "notFound" });
    expect(await setTeamRole(fx.teamAdmin, fx.foreignTeamId, fx.editorId, "VIEWER")).toMatchObject({ ok: false, reason: "notFound" });
    expect(await setTeamRole(fx.editor, fx.researchId, fx.teamAdminId, null)).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await setTeamRole(fx.teamAdmin, fx.researchId, fx.adminId, "VIEWER")).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { role: [expect.stringContaining("org admin")] } });
    expect(await setTeamRole(fx.teamAdmin, fx.researchId, fx.editorId, null)).toMatchObject({ ok: true, value: { role: null } });
    expect((await client.query(`select count(*)::int as n from team_memberships where "userId" = $1`, [fx.editorId])).rows[0].n).toBe(0);
    expect(await setTeamRole(fx.admin, fx.appliedId, fx.editorId, "EDITOR")).toMatchObject({ ok: true });
    const members = await teamMembers(fx.admin, fx.appliedId);
    expect("members" in members && members.members.map((m) => [m.name, m.teamRoles.map((t) => t.role)])).toEqual([["Ed Editor", ["EDITOR"]]]);
  });
});

describe("queries", () => {
  it("lists people with roles and last sign-in for org admins only, and invitations for the teams one manages", async () => {
    await client.query(`insert into auth_sessions (token, "userId", "expiresAt", "createdAt") values ('t1', $1, now() + interval '1 day', '2026-11-01T10:00:00Z'), ('t2', $1, now() + interval '1 day', '2026-11-02T10:00:00Z')`, [fx.editorId]);
    const people = await orgPeople(fx.admin);
    if (!Array.isArray(people)) throw new Error("denied");
    expect(people.map((p) => p.name)).toEqual(["Ada Admin", "Ed Editor", "Olive Owner", "Tara Teamadmin"]);
    expect(people.find((p) => p.id === fx.editorId)).toMatchObject({ role: "MEMBER", teamRoles: [{ teamName: "Research", role: "EDITOR" }], lastSignInAt: new Date("2026-11-02T10:00:00Z") });
    expect(people.find((p) => p.id === fx.adminId)?.lastSignInAt).toBeNull();
    expect(await orgPeople(fx.teamAdmin)).toMatchObject({ ok: false, kind: "forbidden" });

    await invite(fx.admin, { email: "applied@x.test", teamRoles: [{ teamId: fx.appliedId, role: "VIEWER" }] });
    await invite(fx.admin, { email: "research@x.test", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }] });
    expect(await pendingInvitations(fx.teamAdmin)).toMatchObject({ ok: false, kind: "forbidden" });
    const forTeam = await pendingInvitations(fx.teamAdmin, { teamId: fx.researchId });
    expect(Array.isArray(forTeam) && forTeam.map((i) => [i.email, i.invitedBy, i.canRevoke])).toEqual([["research@x.test", "Ada Admin", true]]);
    expect(await pendingInvitations(fx.teamAdmin, { teamId: fx.appliedId })).toMatchObject({ ok: false, kind: "not-found" });
    const all = await pendingInvitations(fx.admin);
    expect(Array.isArray(all) && all.map((i) => i.email)).toEqual(["research@x.test", "applied@x.test"]);
  });
});

describe("form handlers", () => {
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    return data;
  };

  it("reads the invite form's team selects and answers with the full link, once", async () => {
    const state = await submitInvitation({
      viewer: fx.admin,
      origin: new URL("https://burnrate.example.com"),
      formData: form({ email: "form@x.test", role: "MEMBER", expiresInDays: "3", [`team.${fx.researchId}`]: "EDITOR", [`team.${fx.appliedId}`]: "" }),
    });
    expect(state).toMatchObject({ status: "invited", email: "form@x.test", link: expect.stringMatching(/^https:\/\/burnrate\.example\.com\/invite\/[A-Za-z0-9_-]{43}$/) });
    const { rows } = await client.query(`select "teamRoles", "expiresAt" - "createdAt" as ttl from invitations where email = 'form@x.test'`);
    expect(rows[0].teamRoles).toEqual([{ teamId: fx.researchId, role: "EDITOR" }]);
    expect(rows[0].ttl).toMatchObject({ days: 3 });
    const bad = await submitInvitation({ viewer: fx.admin, origin: new URL("https://b.test"), formData: form({ email: "nope", expiresInDays: "45" }) });
    expect(bad).toEqual({ status: "invalid", fieldErrors: { email: ["Email must be an email address such as ada@example.com"], expiresInDays: ["Expires in must be at most 30 days"] } });
  });

  it("on a team's page invites members of that team only, whatever else the form carries", async () => {
    const state = await submitInvitation({
      viewer: fx.teamAdmin,
      teamId: fx.researchId,
      origin: new URL("https://b.test"),
      formData: form({ email: "team@x.test", role: "ADMIN", [`team.${fx.researchId}`]: "VIEWER", [`team.${fx.appliedId}`]: "ADMIN" }),
    });
    expect(state).toMatchObject({ status: "invited" });
    const { rows } = await client.query(`select role, "teamRoles" from invitations where email = 'team@x.test'`);
    expect(rows).toEqual([{ role: "MEMBER", teamRoles: [{ teamId: fx.researchId, role: "VIEWER" }] }]);
    expect(await submitInvitation({ viewer: fx.teamAdmin, teamId: fx.researchId, origin: new URL("https://b.test"), formData: form({ email: "t3@x.test" }) })).toEqual({
      status: "invalid",
      fieldErrors: { [`team.${fx.researchId}`]: ["Choose the role they get on this team"] },
    });
  });

  it("checks the link's token and the new password before anything is written", async () => {
    expect(await submitAcceptInvitation({ token: "../../etc", formData: form({ name: "X", password: PASSWORD, confirmPassword: PASSWORD }) })).toMatchObject({ ok: false, state: { status: "invalid" } });
    const created = await invite(fx.admin, { email: "pw@x.test" });
    const mismatch = await submitAcceptInvitation({ token: created.token, formData: form({ name: "Pat", password: PASSWORD, confirmPassword: "something else" }) });
    expect(mismatch).toEqual({ ok: false, state: { status: "invalid", fieldErrors: { confirmPassword: ["The two passwords differ"] } } });
    const short = await submitAcceptInvitation({ token: created.token, formData: form({ name: "", password: "short", confirmPassword: "short" }) });
    expect(short.ok === false && short.state.status === "invalid" && Object.keys(short.state.fieldErrors).sort()).toEqual(["name", "password"]);
    expect((await client.query(`select count(*)::int as n from users where email = 'pw@x.test'`)).rows[0].n).toBe(0);
    expect(await submitAcceptInvitation({ token: created.token, formData: form({ name: "Pat", password: PASSWORD, confirmPassword: PASSWORD }) })).toEqual({ ok: true, email: "pw@x.test", password: PASSWORD });
  });
});
