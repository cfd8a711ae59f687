import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createFirstOrganization } from "@/lib/db/mutations/first-run";
import { loadViewerForUser } from "@/lib/access/viewer";
import { getAuth, sessionCookieName } from "./server";
import { sessionFromHeaders } from "./session";

const OWNER = { orgName: "Acme Research", timeZone: "Europe/Berlin", name: "Olga Owner", email: "olga@acme.test", password: "correct horse battery", confirmPassword: "correct horse battery" };
let userId: number;

/** Signs in through better-auth's API the way the sign-in action does; returns the Cookie header the browser would send back. */
async function signIn(password = OWNER.password): Promise<string> {
  const auth = await getAuth();
  const response = await auth.api.signInEmail({ body: { email: OWNER.email, password, rememberMe: false }, asResponse: true });
  expect(response.status).toBe(200);
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${sessionCookieName()}=`));
  expect(setCookie, "the sign-in sets the session cookie").toBeDefined();
  // A session cookie (no Max-Age/Expires: it ends with the browser; the server keeps idle and absolute limits), HttpOnly, SameSite.
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Lax/i);
  expect(setCookie).not.toMatch(/Max-Age|Expires/i);
  return setCookie!.split(";")[0]!;
}

beforeAll(async () => {
  const created = await createFirstOrganization(db(), { ...OWNER });
  if (!created.ok) throw new Error("first run refused on an empty database");
  userId = created.userId;
});

describe("first run", () => {
  it("created the org, its owner (role OWNER, lower-cased email) and an audit trail naming the owner", async () => {
    const viewer = await loadViewerForUser(db(), userId);
    expect(viewer).toMatchObject({ orgName: "Acme Research", orgTimeZone: "Europe/Berlin", role: "OWNER", name: "Olga Owner", email: "olga@acme.test" });
    const audit = await db().auditEntry.findMany({ where: { orgId: viewer!.orgId }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.entityType, a.action, a.actorName, a.userId, a.source])).toEqual([
      ["org", "CREATE", "Olga Owner", userId, "setup"],
      ["user", "CREATE", "Olga Owner", userId, "setup"],
    ]);
    // The password is stored only as better-auth's scrypt hash.
    const account = await db().account.findFirstOrThrow({ where: { userId } });
    expect(account.providerId).toBe("credential");
    expect(account.password).not.toContain(OWNER.password);
  });

  it("is refused once an organization exists, even for a second org name", async () => {
    const again = await createFirstOrganization(db(), { ...OWNER, orgName: "Takeover Inc", email: "mallory@evil.test" });
    expect(again).toEqual({ ok: false, reason: "exists" });
    expect(await db().org.count()).toBe(1);
    expect(await db().user.count({ where: { email: "mallory@evil.test" } })).toBe(0);
  });
});

describe("sessions", () => {
  it("a signed cookie finds its session; each sign-in makes a new token", async () => {
    const first = await signIn();
    const second = await signIn();
    expect(first).not.toBe(second);
    expect(await sessionFromHeaders(new Headers({ cookie: first }))).toMatchObject({ userId });
    expect(await sessionFromHeaders(new Headers({ cookie: second }))).toMatchObject({ userId });
  });

  it("a wrong password makes no session", async () => {
    const auth = await getAuth();
    const before = await db().session.count();
    const response = await auth.api.signInEmail({ body: { email: OWNER.email, password: "wrong password!!", rememberMe: false }, asResponse: true });
    expect(response.status).toBe(401);
    expect(await db().session.count()).toBe(before);
  });

  it("refuses a tampered cookie: another token with the old signature, or a changed signature", async () => {
    const cookie = await signIn();
    const [name, value] = cookie.split("=") as [string, string];
    const [token, signature] = decodeURIComponent(value).split(".") as [string, string];
    const otherToken = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(await sessionFromHeaders(new Headers({ cookie: `${name}=${encodeURIComponent(`${otherToken}.${signature}`)}` }))).toBeNull();
    const badSignature = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    expect(await sessionFromHeaders(new Headers({ cookie: `${name}=${encodeURIComponent(`${token}.${badSignature}`)}` }))).toBeNull();
    expect(await sessionFromHeaders(new Headers({ cookie: `${name}=${encodeURIComponent(token)}` }))).toBeNull();
    // The genuine cookie still works.
    expect(await sessionFromHeaders(new Headers({ cookie }))).toMatchObject({ userId });
  });

  it("ends a session idle past the limit, and deletes it", async () => {
    const cookie = await signIn();
    const found = await sessionFromHeaders(new Headers({ cookie }));
    const idleMinutes = 8 * 60;
    await db().session.update({ where: { id: found!.sessionId }, data: { updatedAt: new Date(Date.now() - (idleMinutes + 1) * 60_000) } });
    expect(await sessionFromHeaders(new Headers({ cookie }))).toBeNull();
    expect(await db().session.count({ where: { id: found!.sessionId } })).toBe(0);
  });

  it("slides the idle deadline with use, but never past the absolute limit", async () => {
    const cookie = await signIn();
    const found = (await sessionFromHeaders(new Headers({ cookie })))!;
    // Used 7 h after the last request (under the 8 h idle limit), 6 days after sign-in.
    const now = new Date(Date.now() + 0);
    await db().session.update({ where: { id: found.sessionId }, data: { updatedAt: new Date(now.getTime() - 7 * 3_600_000), createdAt: new Date(now.getTime() - 6 * 86_400_000) } });
    expect(await sessionFromHeaders(new Headers({ cookie }), now)).toMatchObject({ sessionId: found.sessionId });
    const slid = await db().session.findUniqueOrThrow({ where: { id: found.sessionId } });
    expect(slid.updatedAt.getTime()).toBe(now.getTime());
    expect(slid.expiresAt.getTime()).toBe(now.getTime() + 8 * 3_600_000);
    // Past 7 days since sign-in, however recently used: gone.
    await db().session.update({ where: { id: found.sessionId }, data: { createdAt: new Date(now.getTime() - 7 * 86_400_000 - 1000) } });
    expect(await sessionFromHeaders(new Headers({ cookie }), now)).toBeNull();
    expect(await db().session.count({ where: { id: found.sessionId } })).toBe(0);
  });

  it("a removed user's session no longer finds a viewer", async () => {
    const cookie = await signIn();
    const session = (await sessionFromHeaders(new Headers({ cookie })))!;
    expect(await loadViewerForUser(db(), session.userId)).not.toBeNull();
    expect(await loadViewerForUser(db(), 987_654)).toBeNull();
  });

  it("a member's viewer carries their org role and each team role", async () => {
    const owner = (await loadViewerForUser(db(), userId))!;
    const [a, b] = await Promise.all(
      ["viewer-roles-a", "viewer-roles-b"].map((slug) => db().team.create({ data: { orgId: owner.orgId, slug, name: slug, monthlyBudgetUsd: "0" } })),
    );
    const member = await db().user.create({ data: { orgId: owner.orgId, email: "mia@acme.test", name: "Mia Member", role: "MEMBER" } });
    await db().teamMembership.createMany({ data: [{ userId: member.id, teamId: a!.id, role: "EDITOR" }, { userId: member.id, teamId: b!.id, role: "VIEWER" }] });
    const viewer = (await loadViewerForUser(db(), member.id))!;
    expect(viewer).toMatchObject({ userId: member.id, orgId: owner.orgId, orgName: "Acme Research", orgTimeZone: "Europe/Berlin", role: "MEMBER", name: "Mia Member", email: "mia@acme.test" });
    expect([...viewer.teamRoles]).toEqual([
      [a!.id, "EDITOR"],
      [b!.id, "VIEWER"],
    ]);
    expect(owner.teamRoles.size).toBe(0);
  });
});
