import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { auditOf, form, insertDeploymentWithUsage, insertRun, key, settingsSnapshot } from "@/lib/testing/settings-helpers";
import { submitRestore } from "./records";
import { submitTeam, submitTeamDelete } from "./teams";

// Record keeping for teams against a real database: unique slugs (also under
// concurrent creates), version conflicts, audit entries, rollback, rollups
// for new time zones, refusing to delete a team with records, undo, and
// hostile input.
let fx: OrgFixture;
let client: pg.Client;

function teamFields(overrides: Record<string, string> = {}): Record<string, string> {
  return { slug: "platform", name: "Platform", monthlyBudgetUsd: "25000.00", timeZone: "Asia/Kolkata", _idempotencyKey: key(), ...overrides };
}

async function createTeam(overrides: Record<string, string> = {}): Promise<string> {
  const state = await submitTeam({ viewer: fx.viewer, id: null, formData: form(teamFields(overrides)) });
  if (state.status !== "saved") throw new Error(JSON.stringify(state));
  return state.id;
}

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from training_runs; delete from inference_deployments; delete from audit_entries; delete from idempotency_keys; delete from deleted_records; delete from rollup_time_zones; delete from usage_rollup_team_hour; delete from usage_rollup_team_day`);
  await client.query(`delete from teams where id <> all($1)`, [[fx.teamId, fx.otherTeamId, fx.foreignTeamId]]);
  await client.query(`update teams set slug = 'research', name = 'Research', "monthlyBudgetUsd" = 1000, "timeZone" = 'Europe/London', version = 1 where id = $1`, [fx.teamId]);
});

describe("create", () => {
  it("saves a team with an audit entry and materializes day rollups for its new time zone", async () => {
    await insertDeploymentWithUsage(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId });
    const state = await submitTeam({ viewer: fx.viewer, id: null, formData: form(teamFields({ timeZone: "asia/kolkata" })) });
    expect(state).toMatchObject({ status: "saved", isReplay: false, slug: "platform" });
    if (state.status !== "saved") return;
    const { rows: [team] } = await client.query(`select "orgId", slug, name, "monthlyBudgetUsd"::text as budget, "timeZone", version from teams where id = $1`, [state.id]);
    expect(team).toEqual({ orgId: fx.orgId, slug: "platform", name: "Platform", budget: "25000.000000", timeZone: "Asia/Kolkata", version: 1 });
    const entries = await auditOf(client, "team", state.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "CREATE", before: null, actorName: "Ada Admin", source: "form" });
    expect(entries[0].after).toMatchObject({ slug: "platform", monthlyBudgetUsd: "25000", timeZone: "Asia/Kolkata" });
    const { rows: zones } = await client.query(`select "timeZone" from rollup_time_zones where "timeZone" = 'Asia/Kolkata'`);
    expect(zones).toHaveLength(1);
    // The research team's deployment now has day rows in Kolkata days (starting 18:30 UTC).
    const { rows: days } = await client.query(`select "bucketStart", requests::int from usage_rollup_day where "timeZone" = 'Asia/Kolkata'`);
    expect(days).toEqual([{ bucketStart: new Date("2026-02-28T18:30:00Z"), requests: 100 }]);
  });

  it("creates one team when the same form is submitted twice, one after the other or at once", async () => {
    const fields = teamFields();
    const first = await submitTeam({ viewer: fx.viewer, id: null, formData: form(fields) });
    const second = await submitTeam({ viewer: fx.viewer, id: null, formData: form(fields) });
    expect(second).toMatchObject({ status: "saved", isReplay: true, id: first.status === "saved" ? first.id : "", slug: "platform" });
    const concurrent = teamFields({ slug: "infra", name: "Infra" });
    const results = await Promise.all([1, 2, 3].map(() => submitTeam({ viewer: fx.viewer, id: null, formData: form(concurrent) })));
    expect(new Set(results.map((r) => (r.status === "saved" ? r.id : r.status))).size).toBe(1);
    expect(results.filter((r) => r.status === "saved" && !r.isReplay)).toHaveLength(1);
    const { rows } = await client.query(`select slug from teams where "orgId" = $1 order by slug`, [fx.orgId]);
    expect(rows.map((r) => r.slug)).toEqual(["applied", "infra", "platform", "research"]);
  });

  it("refuses a slug another team of the org uses as a field error, but allows one another org uses", async () => {
    const before = await settingsSnapshot(client);
    const state = await submitTeam({ viewer: fx.viewer, id: null, formData: form(teamFields({ slug: "research" })) });
    expect(state.status === "invalid" && state.fieldErrors).toEqual({ slug: ["Another team already uses the slug “research”; choose another"] });
    expect(await settingsSnapshot(client)).toEqual(before);
    expect((await submitTeam({ viewer: fx.viewer, id: null, formData: form(teamFields({ slug: "rival-team" })) })).status).toBe("saved");
  });

  it("lets exactly one of several concurrent creates of the same slug win; the others get the slug error", async () => {
    const results = await Promise.all(
      ["Platform A", "Platform B", "Platform C", "Platform D"].map((name) => submitTeam({ viewer: fx.viewer, id: null, formData: form(teamFields({ name })) })),
    );
    expect(results.filter((r) => r.status === "saved")).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== "saved")) {
      expect(r.status === "invalid" && r.fieldErrors).toEqual({ slug: ["Another team already uses the slug “platform”; choose another"] });
    }
    const { rows } = await client.query(`select count(*)::int as n from teams where slug = 'platform'`);
    expect(rows[0].n).toBe(1);
    expect((await client.query(`select count(*)::int as n from audit_entries where "entityType" = 'team'`)).rows[0].n).toBe(1);
  });

  it("shows every field problem at once and writes nothing", async () => {
    const before = await settingsSnapshot(client);
    const state = await submitTeam({ viewer: fx.viewer, id: null, formData: form({ slug: "Bad Slug", name: "", monthlyBudgetUsd: "$1,000", timeZone: "Mars/Olympus", _idempotencyKey: key() }) });
    expect(state.status === "invalid" && Object.keys(state.fieldErrors).sort()).toEqual(["monthlyBudgetUsd", "name", "slug", "timeZone"]);
    expect(await settingsSnapshot(client)).toEqual(before);
  });

  it("refuses anyone who doesn't manage the org (forbidden), writing nothing", async () => {
    const before = await settingsSnapshot(client);
    for (const member of [fx.readOnlyViewer, fx.memberViewer, fx.teamAdminViewer, fx.otherTeamViewer]) {
      expect(await submitTeam({ viewer: member, id: null, formData: form(teamFields()) })).toEqual({ status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not manage the organization (an org admin can)." } });
      expect(await submitTeamDelete({ viewer: member, id: fx.otherTeamId })).toEqual({ status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not manage the organization (an org admin can)." } });
    }
    expect(await settingsSnapshot(client)).toEqual(before);
  });

  it("lets a team's own admin change its monthly budget (team:manage) but nothing else; editors, viewers and other teams can't", async () => {
    const before = await settingsSnapshot(client);
    const research = { slug: "research", name: "Research", monthlyBudgetUsd: "1000", timeZone: "Europe/London", _version: "1" };
    expect(await submitTeam({ viewer: fx.teamAdminViewer, id: fx.teamId, formData: form({ ...research, name: "Research Lab" }) })).toEqual({
      status: "denied",
      denied: { ok: false, kind: "forbidden", message: "A team admin may change the team's monthly budget; its name, slug and time zone are an org admin's to change." },
    });
    for (const member of [fx.memberViewer, fx.readOnlyViewer]) {
      expect(await submitTeam({ viewer: member, id: fx.teamId, formData: form({ ...research, monthlyBudgetUsd: "1200" }) })).toMatchObject({ status: "denied", denied: { kind: "forbidden" } });
    }
    // Another team's admin-less member: the team doesn't exist for them.
    expect(await submitTeam({ viewer: fx.otherTeamViewer, id: fx.teamId, formData: form({ ...research, monthlyBudgetUsd: "1200" }) })).toMatchObject({ status: "notFound" });
    expect(await settingsSnapshot(client)).toEqual(before);
    expect(await submitTeam({ viewer: fx.teamAdminViewer, id: fx.teamId, formData: form({ ...research, monthlyBudgetUsd: "1200" }) })).toMatchObject({ status: "saved" });
    const { rows: [team] } = await client.query(`select name, "monthlyBudgetUsd"::int as budget from teams where id = $1`, [fx.teamId]);
    expect(team).toEqual({ name: "Research", budget: 1200 });
  });

  it("rolls everything back (team, rollup zones, idempotency key) when a later step fails", async () => {
    const before = await settingsSnapshot(client);
    await client.query(`create function fail_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$`);
    await client.query(`create trigger fail_audit before insert on audit_entries for each row execute function fail_audit()`);
    const fields = teamFields();
    try {
      await expect(submitTeam({ viewer: fx.viewer, id: null, formData: form(fields) })).rejects.toThrow();
    } finally {
      await client.query(`drop trigger fail_audit on audit_entries; drop function fail_audit()`);
    }
    expect(await settingsSnapshot(client)).toEqual(before);
    // The key was released with the rollback: resubmitting the same form now saves.
    expect(await submitTeam({ viewer: fx.viewer, id: null, formData: form(fields) })).toMatchObject({ status: "saved", isReplay: false });
  });
});

describe("edit", () => {
  it("saves an edit, bumps the version, records before and after, and reports the new slug", async () => {
    const state = await submitTeam({ viewer: fx.ownerViewer, id: fx.teamId, formData: form(teamFields({ slug: "research-lab", name: "Research", monthlyBudgetUsd: "1500", timeZone: "Europe/London", _version: "1" })) });
    expect(state).toMatchObject({ status: "saved", id: String(fx.teamId), slug: "research-lab" });
    const entries = await auditOf(client, "team", fx.teamId);
    expect(entries.map((e) => e.action)).toEqual(["UPDATE"]);
    expect(entries[0]).toMatchObject({ changedFields: ["monthlyBudgetUsd", "slug"], actorName: "Olga Owner" });
    expect(entries[0].before).toMatchObject({ slug: "research", monthlyBudgetUsd: "1000" });
    expect(entries[0].after).toMatchObject({ slug: "research-lab", monthlyBudgetUsd: "1500" });
    const { rows: [team] } = await client.query(`select version, slug from teams where id = $1`, [fx.teamId]);
    expect(team).toEqual({ version: 2, slug: "research-lab" });
  });

  it("materializes rollups for a time zone the team moves to", async () => {
    await insertDeploymentWithUsage(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId });
    const state = await submitTeam({ viewer: fx.viewer, id: fx.teamId, formData: form(teamFields({ slug: "research", name: "Research", timeZone: "Asia/Kathmandu", _version: "1" })) });
    expect(state.status).toBe("saved");
    const { rows } = await client.query(`select "bucketStart" from usage_rollup_day where "timeZone" = 'Asia/Kathmandu'`);
    expect(rows).toEqual([{ bucketStart: new Date("2026-02-28T18:15:00Z") }]);
  });

  it("refuses an edit from a stale form, showing what changed and who changed it, and loses neither change", async () => {
    const fields = { slug: "research", name: "Research", monthlyBudgetUsd: "1000", timeZone: "Europe/London" };
    const maxSave = await submitTeam({ viewer: fx.ownerViewer, id: fx.teamId, formData: form({ ...fields, monthlyBudgetUsd: "2000", _version: "1" }) });
    expect(maxSave.status).toBe("saved");
    const adaSave = await submitTeam({ viewer: fx.viewer, id: fx.teamId, formData: form({ ...fields, name: "Research & Eval", _version: "1" }) });
    expect(adaSave.status).toBe("conflict");
    if (adaSave.status !== "conflict") return;
    expect(adaSave.conflict).toMatchObject({ currentVersion: 2, changedBy: { actorName: "Olga Owner" } });
    expect(adaSave.conflict.changes).toEqual([
      { field: "monthlyBudgetUsd", saved: "2000", yours: "1000" },
      { field: "name", saved: "Research", yours: "Research & Eval" },
    ]);
    expect(adaSave.conflict.message).toMatch(/Olga Owner saved a change to this team after you opened it/);
    const { rows: [team] } = await client.query(`select version, name, "monthlyBudgetUsd"::int as budget from teams where id = $1`, [fx.teamId]);
    expect(team).toEqual({ version: 2, name: "Research", budget: 2000 });
    const merged = await submitTeam({ viewer: fx.viewer, id: fx.teamId, formData: form({ ...fields, monthlyBudgetUsd: "2000", name: "Research & Eval", _version: "2" }) });
    expect(merged.status).toBe("saved");
    const { rows: [after] } = await client.query(`select version, name, "monthlyBudgetUsd"::int as budget from teams where id = $1`, [fx.teamId]);
    expect(after).toEqual({ version: 3, name: "Research & Eval", budget: 2000 });
  });

  it("lets exactly one of two concurrent edits of the same version win", async () => {
    const results = await Promise.all(
      ["10", "20"].map((budget) => submitTeam({ viewer: fx.viewer, id: fx.teamId, formData: form(teamFields({ slug: "research", monthlyBudgetUsd: budget, _version: "1" })) })),
    );
    expect(results.map((r) => r.status).sort()).toEqual(["conflict", "saved"]);
    expect((await auditOf(client, "team", fx.teamId)).filter((e) => e.action === "UPDATE")).toHaveLength(1);
  });

  it("refuses renaming to another team's slug as a field error", async () => {
    const state = await submitTeam({ viewer: fx.viewer, id: fx.teamId, formData: form(teamFields({ slug: "applied", _version: "1" })) });
    expect(state.status === "invalid" && state.fieldErrors.slug).toEqual(["Another team already uses the slug “applied”; choose another"]);
  });

  it("refuses an edit without the version it was opened at", async () => {
    const state = await submitTeam({ viewer: fx.viewer, id: fx.teamId, formData: form(teamFields({ slug: "research" })) });
    expect(state.status === "invalid" && state.fieldErrors._form?.[0]).toMatch(/missing the version/);
  });

  it("reports a team deleted meanwhile, and another org's team, as not found", async () => {
    const id = await createTeam();
    await submitTeamDelete({ viewer: fx.viewer, id });
    expect((await submitTeam({ viewer: fx.viewer, id, formData: form(teamFields({ _version: "1" })) })).status).toBe("notFound");
    const before = await settingsSnapshot(client);
    expect((await submitTeam({ viewer: fx.viewer, id: fx.foreignTeamId, formData: form(teamFields({ slug: "rival-team", _version: "1" })) })).status).toBe("notFound");
    expect(await settingsSnapshot(client)).toEqual(before);
  });
});

describe("delete and undo", () => {
  it("refuses to delete a team with runs or deployments, naming the counts, and changes nothing", async () => {
    await insertRun(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId, name: "a" });
    await insertRun(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId, name: "b" });
    await insertDeploymentWithUsage(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId });
    const before = await settingsSnapshot(client);
    const state = await submitTeamDelete({ viewer: fx.viewer, id: fx.teamId });
    expect(state.status === "invalid" && state.fieldErrors._form).toEqual([
      "Research still has 2 training runs and 1 deployment. Move them to another team or delete them first; deleting a team never deletes its records.",
    ]);
    expect(await settingsSnapshot(client)).toEqual(before);
  });

  it("deletes an empty team, then restores it exactly, with audit entries for both", async () => {
    const id = await createTeam();
    const row = async () => (await client.query(`select to_jsonb(t) as row from teams t where id = $1`, [id])).rows[0]?.row;
    const original = await row();
    const deleted = await submitTeamDelete({ viewer: fx.viewer, id });
    expect(deleted.status === "saved" && deleted.deletedId).toBeGreaterThan(0);
    expect(await row()).toBeUndefined();
    if (deleted.status !== "saved") return;
    const { rows: [trashed] } = await client.query(`select label, "entityType" from deleted_records where id = $1`, [deleted.deletedId]);
    expect(trashed).toEqual({ label: "Team Platform", entityType: "team" });
    const restored = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(restored).toMatchObject({ status: "saved", id, path: "/settings" });
    expect(await row()).toEqual(original);
    expect((await auditOf(client, "team", id)).map((e) => e.action)).toEqual(["CREATE", "DELETE", "RESTORE"]);
  });

  it("can't undo a delete once another team took the slug", async () => {
    const id = await createTeam();
    const deleted = await submitTeamDelete({ viewer: fx.viewer, id });
    await createTeam({ name: "Platform 2" });
    if (deleted.status !== "saved") throw new Error("not deleted");
    const restored = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(restored.status === "invalid" && restored.fieldErrors._form?.[0]).toMatch(/^Can't restore Team Platform: Something with the same name or key was created since/);
  });

  it("doesn't let another org delete a team or undo its delete", async () => {
    const id = await createTeam();
    const stranger = { ...fx.viewer, orgId: fx.orgId + 1000 };
    expect((await submitTeamDelete({ viewer: stranger, id })).status).toBe("notFound");
    const deleted = await submitTeamDelete({ viewer: fx.viewer, id });
    if (deleted.status !== "saved") throw new Error("not deleted");
    expect((await submitRestore({ viewer: stranger, deletedId: deleted.deletedId })).status).toBe("notFound");
    expect((await submitTeamDelete({ viewer: fx.viewer, id: fx.foreignTeamId })).status).toBe("notFound");
  });
});

describe("hostile input", () => {
  const fieldNames = ["slug", "name", "monthlyBudgetUsd", "timeZone", "_idempotencyKey", "_version", "orgId", "id", "__proto__", "constructor"];
  const hostile = fc.oneof(
    fc.string(),
    fc.constantFrom("", " ", "-1", "0", "1", "1e309", "NaN", "9".repeat(40), "=cmd|' /C calc'!A0", "\u0000", "😀", "<script>", "research", "applied", "UTC", "+05:00", "Etc/GMT+5", "'; drop table teams; --"),
    fc.stringMatching(/^[a-z0-9-]{1,70}$/),
    fc.integer().map(String),
  );

  it("never throws, never writes on rejection, and every rejection names a field", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...fieldNames), hostile, { maxKeys: 6 }), fc.constantFrom("create", "edit", "missing"), async (overrides, mode) => {
        const before = await settingsSnapshot(client);
        const id = mode === "create" ? null : mode === "edit" ? fx.otherTeamId : "999999";
        const base = mode === "create" ? teamFields() : teamFields({ slug: "applied", _version: String((await client.query(`select version from teams where id = $1`, [fx.otherTeamId])).rows[0].version) });
        const state = await submitTeam({ viewer: fx.viewer, id, formData: form({ ...base, ...overrides }) });
        expect(["saved", "invalid", "notFound", "conflict"]).toContain(state.status);
        if (state.status === "invalid") {
          expect(Object.keys(state.fieldErrors).length).toBeGreaterThan(0);
          for (const [field, messages] of Object.entries(state.fieldErrors)) {
            expect(field === "_form" || fieldNames.includes(field)).toBe(true);
            expect(messages.length > 0 && messages.every((m) => m.length > 0)).toBe(true);
          }
        }
        if (state.status !== "saved") expect(await settingsSnapshot(client)).toEqual(before);
      }),
      { numRuns: 120 },
    );
  });

  it("never throws on forged delete ids, and deletes nothing", async () => {
    const before = await settingsSnapshot(client);
    await fc.assert(
      // Ids of real teams are left out: the point is forged values, not deleting the fixture.
      fc.asyncProperty(fc.oneof(fc.string().filter((s) => !/^\d+$/.test(s)), fc.integer({ min: 100_000 }), fc.integer({ max: 0 }), fc.double(), fc.constant(null), fc.object()), async (id) => {
        const state = await submitTeamDelete({ viewer: fx.viewer, id });
        expect(state.status).toBe("notFound");
      }),
      { numRuns: 60 },
    );
    expect(await settingsSnapshot(client)).toEqual(before);
  });

  it("treats forged arguments as rejections without throwing", async () => {
    const before = await settingsSnapshot(client);
    expect((await submitTeam({ viewer: fx.viewer, id: null, formData: { slug: "x" } })).status).toBe("invalid");
    expect((await submitTeam({ viewer: fx.viewer, id: "1; drop", formData: form(teamFields({ _version: "1" })) })).status).toBe("notFound");
    for (const id of [-1, 0, 1.5, "abc", 2 ** 40, null, {}]) expect((await submitTeamDelete({ viewer: fx.viewer, id })).status).toBe("notFound");
    expect(await settingsSnapshot(client)).toEqual(before);
  });
});
