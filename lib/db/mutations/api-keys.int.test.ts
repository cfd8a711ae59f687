import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiKeyTokenMatches, apiKeyTokenPrefix } from "@/lib/access/api-key-token";
import { isDenied } from "@/lib/access/policy";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { submitCreateApiKey, submitRevokeApiKey } from "@/lib/actions/handlers/api-keys";
import { teamApiKeys } from "@/lib/db/queries/api-keys";
import { auditHistory } from "@/lib/db/queries/audit-history";
import { db } from "@/lib/db/client";
import { prismaRunner } from "@/lib/db/sql";
import { MAX_ACTIVE_API_KEYS_PER_TEAM } from "@/lib/validation/api-keys";
import { writeAuditEntries } from "./audit";
import { createApiKey, revokeApiKey } from "./api-keys";

// API keys against a real database: who may create and revoke them, the
// token returned once and stored only as a hash under its prefix, the audit
// entries (creator, client address, never the secret), the list's order, the
// per-team limit, and history lines naming the key.

let client: pg.Client;
let fx: Awaited<ReturnType<typeof createFixture>>;

async function createFixture() {
  const one = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0] as T;
  const org = await one<{ id: number }>(`insert into orgs (slug, name, "timeZone") values ('keys', 'Keys Inc', 'Europe/London') returning id`);
  const user = (email: string, name: string, role: string, orgId = org.id) =>
    one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, $2, $3, $4) returning id`, [orgId, email, name, role]);
  const team = (slug: string, name: string, orgId = org.id) =>
    one<{ id: number }>(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $3, 1000, 'UTC', now()) returning id`, [orgId, slug, name]);
  const research = await team("research", "Research");
  const applied = await team("applied", "Applied");
  const admin = await user("ada@keys.test", "Ada Admin", "ADMIN");
  const teamAdmin = await user("tara@keys.test", "Tara Teamadmin", "MEMBER");
  const appliedAdmin = await user("abe@keys.test", "Abe Applied", "MEMBER");
  const editor = await user("ed@keys.test", "Ed Editor", "MEMBER");
  const reader = await user("vi@keys.test", "Vi Viewer", "MEMBER");
  await client.query(`insert into team_memberships ("userId", "teamId", role) values ($1, $2, 'ADMIN'), ($3, $2, 'EDITOR'), ($4, $2, 'VIEWER'), ($5, $6, 'ADMIN')`, [
    teamAdmin.id,
    research.id,
    editor.id,
    reader.id,
    appliedAdmin.id,
    applied.id,
  ]);
  const rivalOrg = await one<{ id: number }>(`insert into orgs (slug, name) values ('rival-keys', 'Rival') returning id`);
  const rivalTeam = await team("rival-team", "Rival team", rivalOrg.id);
  const rivalOwner = await user("ro@rival.test", "Rita Rival", "OWNER", rivalOrg.id);
  const base = { orgId: org.id, orgName: "Keys Inc", orgTimeZone: "Europe/London" };
  return {
    orgId: org.id,
    researchId: research.id,
    appliedId: applied.id,
    rivalTeamId: rivalTeam.id,
    adminId: admin.id,
    teamAdminId: teamAdmin.id,
    admin: makeViewer({ ...base, userId: admin.id, role: "ADMIN", name: "Ada Admin" }),
    teamAdmin: makeViewer({ ...base, userId: teamAdmin.id, role: "MEMBER", name: "Tara Teamadmin", teamRoles: [[research.id, "ADMIN"]] }),
    appliedAdmin: makeViewer({ ...base, userId: appliedAdmin.id, role: "MEMBER", name: "Abe Applied", teamRoles: [[applied.id, "ADMIN"]] }),
    editor: makeViewer({ ...base, userId: editor.id, role: "MEMBER", name: "Ed Editor", teamRoles: [[research.id, "EDITOR"]] }),
    reader: makeViewer({ ...base, userId: reader.id, role: "MEMBER", name: "Vi Viewer", teamRoles: [[research.id, "VIEWER"]] }),
    rivalOwner: makeViewer({ orgId: rivalOrg.id, orgName: "Rival", orgTimeZone: "UTC", userId: rivalOwner.id, role: "OWNER", name: "Rita Rival" }),
  };
}

/** The team admin's session as an API key would present it (the lead's auth builds this from a bearer token). */
function keyViewer(viewer: Viewer, keyId: number, prefix: string): Viewer {
  return { ...viewer, credential: { kind: "apiKey", keyId, prefix, teamId: fx.researchId, scopes: ["RUNS_WRITE", "USAGE_WRITE", "REPORTS_READ"] }, clientIp: "192.0.2.9" };
}

async function create(viewer: Viewer, name = "Slurm reporter", scopes: string[] = ["RUNS_WRITE"], teamId = fx.researchId) {
  const result = await createApiKey({ viewer, teamId, name, scopes, clientIp: "203.0.113.7" });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.value;
}

async function audit(entityId: number) {
  const { rows } = await client.query(
    `select action, "actorName", "userId", "subjectType", "subjectId", before, after, source, "clientIp", "apiKeyId" from audit_entries where "entityType" = 'apiKey' and "entityId" = $1 order by id`,
    [String(entityId)],
  );
  return rows;
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  fx = await createFixture();
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from audit_entries; delete from api_keys`);
});

describe("createApiKey", () => {
  it("returns the token once, stores only its SHA-256 under its prefix, and audits the creator and client address without the secret", async () => {
    const { token, key } = await create(fx.teamAdmin, "  Slurm reporter  ", ["USAGE_WRITE", "RUNS_WRITE"]);
    expect(token).toMatch(/^brk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyTokenPrefix(token)).toBe(key.prefix);
    expect(key).toMatchObject({ teamId: fx.researchId, name: "Slurm reporter", scopes: ["RUNS_WRITE", "USAGE_WRITE"] });
    const { rows: [row] } = await client.query(`select * from api_keys where id = $1`, [key.id]);
    expect(row).toMatchObject({ orgId: fx.orgId, teamId: fx.researchId, prefix: key.prefix, createdById: fx.teamAdminId, lastUsedAt: null, revokedAt: null });
    expect(row.secretHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(apiKeyTokenMatches(token, row.secretHash)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(token.slice(key.prefix.length + 1));
    const entries = await audit(key.id);
    expect(entries).toEqual([
      {
        action: "CREATE",
        actorName: "Tara Teamadmin",
        userId: fx.teamAdminId,
        subjectType: "team",
        subjectId: String(fx.researchId),
        before: null,
        after: { name: "Slurm reporter", prefix: key.prefix, scopes: "RUNS_WRITE,USAGE_WRITE", teamId: fx.researchId },
        source: "form",
        clientIp: "203.0.113.7",
        apiKeyId: null,
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(row.secretHash);
    expect(JSON.stringify(entries)).not.toContain(token.slice(key.prefix.length + 1));
  });

  it("gives every key its own token and prefix", async () => {
    const a = await create(fx.teamAdmin, "one");
    const b = await create(fx.teamAdmin, "two");
    expect(a.token).not.toBe(b.token);
    expect(a.key.prefix).not.toBe(b.key.prefix);
  });

  it("lets org admins create keys for any team", async () => {
    expect((await create(fx.admin, "gateway", ["REPORTS_READ"], fx.appliedId)).key.teamId).toBe(fx.appliedId);
  });

  it("refuses editors and viewers of the team (forbidden: they see the team)", async () => {
    for (const viewer of [fx.editor, fx.reader]) {
      const result = await createApiKey({ viewer, teamId: fx.researchId, name: "mine", scopes: ["RUNS_WRITE"] });
      expect(result).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    }
    expect((await client.query(`select count(*)::int as n from api_keys`)).rows[0].n).toBe(0);
  });

  it("answers not-found for a team the viewer can't read: another team's admin, another org", async () => {
    expect(await createApiKey({ viewer: fx.appliedAdmin, teamId: fx.researchId, name: "x", scopes: ["RUNS_WRITE"] })).toMatchObject({ ok: false, reason: "notFound" });
    expect(await createApiKey({ viewer: fx.rivalOwner, teamId: fx.researchId, name: "x", scopes: ["RUNS_WRITE"] })).toMatchObject({ ok: false, reason: "notFound" });
    expect(await createApiKey({ viewer: fx.admin, teamId: fx.rivalTeamId, name: "x", scopes: ["RUNS_WRITE"] })).toMatchObject({ ok: false, reason: "notFound" });
  });

  it("never lets an API key create or revoke keys, whatever its scopes", async () => {
    const { key } = await create(fx.teamAdmin);
    const asKey = keyViewer(fx.teamAdmin, key.id, key.prefix);
    expect(await createApiKey({ viewer: asKey, teamId: fx.researchId, name: "minted", scopes: ["RUNS_WRITE"] })).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await revokeApiKey({ viewer: asKey, keyId: key.id })).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect((await client.query(`select count(*)::int as n, count("revokedAt")::int as revoked from api_keys`)).rows[0]).toEqual({ n: 1, revoked: 0 });
  });

  it("validates the name and scopes, naming the field", async () => {
    const cases: [string, unknown, unknown][] = [
      ["name", "   ", ["RUNS_WRITE"]],
      ["name", "x".repeat(81), ["RUNS_WRITE"]],
      ["name", undefined, ["RUNS_WRITE"]],
      ["scopes", "ok", []],
      ["scopes", "ok", ["ADMIN"]],
      ["scopes", "ok", ["RUNS_WRITE", "RUNS_WRITE"]],
      ["scopes", "ok", "RUNS_WRITE"],
    ];
    for (const [field, name, scopes] of cases) {
      const result = await createApiKey({ viewer: fx.teamAdmin, teamId: fx.researchId, name, scopes });
      expect(result.ok).toBe(false);
      if (result.ok || result.reason !== "invalid") throw new Error(`expected invalid for ${JSON.stringify({ name, scopes })}`);
      expect(Object.keys(result.fieldErrors)).toEqual([field]);
    }
    expect((await create(fx.teamAdmin, "x".repeat(80))).key.name).toHaveLength(80);
  });

  it(`holds at most ${MAX_ACTIVE_API_KEYS_PER_TEAM} active keys per team; a revoked key frees a place`, async () => {
    const keys = [];
    for (let i = 0; i < MAX_ACTIVE_API_KEYS_PER_TEAM; i++) keys.push((await create(fx.teamAdmin, `key ${i}`)).key);
    const refused = await createApiKey({ viewer: fx.teamAdmin, teamId: fx.researchId, name: "one too many", scopes: ["RUNS_WRITE"] });
    expect(refused).toMatchObject({ ok: false, reason: "invalid" });
    if (refused.ok || refused.reason !== "invalid") throw new Error("expected invalid");
    expect(refused.fieldErrors.name?.[0]).toContain(`already has ${MAX_ACTIVE_API_KEYS_PER_TEAM} active API keys`);
    // Another team has its own limit.
    expect((await create(fx.admin, "applied key", ["RUNS_WRITE"], fx.appliedId)).key.teamId).toBe(fx.appliedId);
    expect((await revokeApiKey({ viewer: fx.teamAdmin, keyId: keys[0]!.id })).ok).toBe(true);
    expect((await create(fx.teamAdmin, "replacement")).key.name).toBe("replacement");
  });
});

describe("revokeApiKey", () => {
  it("sets revokedAt and revokedById and audits REVOKE with the client address; a second revoke changes nothing", async () => {
    const { key } = await create(fx.teamAdmin);
    const revoked = await revokeApiKey({ viewer: fx.admin, keyId: key.id, clientIp: "198.51.100.4" });
    expect(revoked).toEqual({ ok: true, value: { id: key.id, prefix: key.prefix, wasRevoked: false } });
    const { rows: [row] } = await client.query(`select "revokedAt", "revokedById" from api_keys where id = $1`, [key.id]);
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect(row.revokedById).toBe(fx.adminId);
    const entries = await audit(key.id);
    expect(entries.map((e) => e.action)).toEqual(["CREATE", "REVOKE"]);
    expect(entries[1]).toMatchObject({
      actorName: "Ada Admin",
      userId: fx.adminId,
      subjectType: "team",
      subjectId: String(fx.researchId),
      clientIp: "198.51.100.4",
      before: { prefix: key.prefix },
      after: { prefix: key.prefix, revokedAt: row.revokedAt.toISOString() },
    });

    expect(await revokeApiKey({ viewer: fx.teamAdmin, keyId: key.id })).toEqual({ ok: true, value: { id: key.id, prefix: key.prefix, wasRevoked: true } });
    expect((await audit(key.id)).map((e) => e.action)).toEqual(["CREATE", "REVOKE"]);
    const { rows: [again] } = await client.query(`select "revokedAt", "revokedById" from api_keys where id = $1`, [key.id]);
    expect(again).toEqual(row);
  });

  it("refuses editors (forbidden) and answers not-found to another team's admin, another org and a missing id", async () => {
    const { key } = await create(fx.teamAdmin);
    expect(await revokeApiKey({ viewer: fx.editor, keyId: key.id })).toMatchObject({ ok: false, reason: "denied", denied: { kind: "forbidden" } });
    expect(await revokeApiKey({ viewer: fx.appliedAdmin, keyId: key.id })).toMatchObject({ ok: false, reason: "notFound" });
    expect(await revokeApiKey({ viewer: fx.rivalOwner, keyId: key.id })).toMatchObject({ ok: false, reason: "notFound" });
    expect(await revokeApiKey({ viewer: fx.admin, keyId: key.id + 1000 })).toMatchObject({ ok: false, reason: "notFound" });
    expect((await client.query(`select "revokedAt" from api_keys where id = $1`, [key.id])).rows[0].revokedAt).toBeNull();
  });
});

describe("teamApiKeys", () => {
  it("lists active keys first, newest first, with the creator's name, last use and status", async () => {
    const first = (await create(fx.teamAdmin, "first")).key;
    const second = (await create(fx.admin, "second", ["REPORTS_READ"])).key;
    const third = (await create(fx.teamAdmin, "third")).key;
    await client.query(`update api_keys set "createdAt" = now() - (interval '1 hour' * (4 - id + $1::int)) where id = any($2)`, [first.id, [first.id, second.id, third.id]]);
    await client.query(`update api_keys set "lastUsedAt" = now() - interval '5 minutes', "lastUsedIp" = '192.0.2.1' where id = $1`, [first.id]);
    await revokeApiKey({ viewer: fx.teamAdmin, keyId: second.id });
    await create(fx.admin, "other team", ["RUNS_WRITE"], fx.appliedId);

    const listed = await teamApiKeys(fx.teamAdmin, fx.researchId);
    if (isDenied(listed)) throw new Error(listed.message);
    expect(listed.team).toMatchObject({ id: fx.researchId, name: "Research" });
    expect(listed.activeCount).toBe(2);
    expect(listed.keys.map((k) => k.name)).toEqual(["third", "first", "second"]);
    expect(listed.keys[1]).toMatchObject({ prefix: first.prefix, scopes: ["RUNS_WRITE"], createdBy: "Tara Teamadmin", lastUsedIp: "192.0.2.1", revokedAt: null, revokedBy: null });
    expect(listed.keys[1]!.lastUsedAt).toBeInstanceOf(Date);
    expect(listed.keys[2]).toMatchObject({ createdBy: "Ada Admin", revokedBy: "Tara Teamadmin", lastUsedAt: null });
    expect(listed.keys[2]!.revokedAt).toBeInstanceOf(Date);
    expect(Object.keys(listed.keys[0]!)).not.toContain("secretHash");
  });

  it("is a team admin's: editors are refused, another team's admin and another org get not-found", async () => {
    expect(await teamApiKeys(fx.editor, fx.researchId)).toMatchObject({ kind: "forbidden" });
    expect(await teamApiKeys(fx.reader, fx.researchId)).toMatchObject({ kind: "forbidden" });
    expect(await teamApiKeys(fx.appliedAdmin, fx.researchId)).toMatchObject({ kind: "not-found" });
    expect(await teamApiKeys(fx.rivalOwner, fx.researchId)).toMatchObject({ kind: "not-found" });
  });
});

describe("the form handlers", () => {
  it("reads the name and the scope checkboxes, returns the token once, and says when a key was already revoked", async () => {
    const form = new FormData();
    form.set("name", "Gateway");
    form.append("scope", "USAGE_WRITE");
    form.append("scope", "REPORTS_READ");
    const created = await submitCreateApiKey({ viewer: fx.teamAdmin, teamId: fx.researchId, formData: form, clientIp: "203.0.113.8" });
    if (created.status !== "created") throw new Error(JSON.stringify(created));
    expect(apiKeyTokenPrefix(created.token)).toBe(created.prefix);
    const { rows: [row] } = await client.query(`select id, scopes from api_keys where prefix = $1`, [created.prefix]);
    expect(row.scopes).toBe("{USAGE_WRITE,REPORTS_READ}");

    const empty = new FormData();
    empty.set("name", "No scopes");
    expect(await submitCreateApiKey({ viewer: fx.teamAdmin, teamId: fx.researchId, formData: empty })).toEqual({ status: "invalid", fieldErrors: { scopes: ["Choose at least one scope"] } });
    expect(await submitCreateApiKey({ viewer: fx.teamAdmin, teamId: "nope", formData: form })).toMatchObject({ status: "notFound" });

    expect(await submitRevokeApiKey({ viewer: fx.teamAdmin, keyId: row.id })).toEqual({ status: "revoked", message: `${created.prefix} is revoked: requests with it are refused from now on.` });
    expect(await submitRevokeApiKey({ viewer: fx.teamAdmin, keyId: row.id })).toEqual({ status: "revoked", message: `${created.prefix} was already revoked; nothing changed.` });
    expect(await submitRevokeApiKey({ viewer: fx.teamAdmin, keyId: "1; drop" })).toMatchObject({ status: "notFound" });
  });
});

describe("history", () => {
  it("lists key changes under the team, and names the key and address of a write made with it", async () => {
    const { key } = await create(fx.teamAdmin);
    await writeAuditEntries(prismaRunner(db()), { viewer: keyViewer(fx.teamAdmin, key.id, key.prefix), source: "api" }, [
      { entityType: "team", entityId: String(fx.researchId), action: "UPDATE", before: { name: "Research" }, after: { name: "Research (API)" } },
    ]);
    const entries = await auditHistory({ viewer: fx.admin, subjectType: "team", subjectId: String(fx.researchId) });
    expect(entries.map((e) => [e.entityType, e.action, e.apiKeyPrefix, e.clientIp])).toEqual([
      ["team", "UPDATE", key.prefix, "192.0.2.9"],
      ["apiKey", "CREATE", null, "203.0.113.7"],
    ]);
  });
});
