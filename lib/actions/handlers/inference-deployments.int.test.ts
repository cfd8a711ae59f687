import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureRollupTimeZones } from "@/lib/db/mutations/usage-rollups";
import { pgRunner } from "@/lib/db/sql";
import {
  deploymentFields,
  expectNamedRejection,
  expectRollupsEqualRebuild,
  form,
  hostileValue,
  savedId,
  tableDigests,
  usageFields,
} from "@/lib/testing/inference-records";
import { createOrgFixture, tableCounts, type OrgFixture } from "@/lib/testing/org-fixture";
import { submitInferenceDeployment, submitInferenceDeploymentDelete } from "./inference-deployments";
import { submitRestore } from "./records";
import { submitUsageWindow } from "./usage-windows";

// Record keeping for inference deployments against a real database:
// idempotent creates, version conflicts, a period that would strand usage,
// team moves with their rollups, audit entries, rollback, undo, hostile input.
let fx: OrgFixture;
let client: pg.Client;
const now = new Date("2026-11-20T12:00:00Z");

const fields = (overrides: Record<string, string> = {}) => deploymentFields(fx, overrides);

async function audit(entityId: string) {
  const { rows } = await client.query(
    `select action, before, after, "changedFields", "actorName", source from audit_entries where "entityType" = 'inferenceDeployment' and "entityId" = $1 order by id`,
    [entityId],
  );
  return rows;
}

async function created(overrides: Record<string, string> = {}): Promise<string> {
  return savedId(await submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: form(fields(overrides)) }));
}

/** Three days of daily usage, 10–12 November (London). */
async function withUsage(id: string): Promise<void> {
  for (const day of ["10", "11", "12"]) {
    savedId(await submitUsageWindow({ viewer: fx.viewer, deploymentId: id, start: null, formData: form(usageFields({ windowStart: `2026-11-${day}T00:00` })), now }));
  }
}

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await ensureRollupTimeZones(pgRunner(client));
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from inference_deployments; delete from audit_entries; delete from idempotency_keys; delete from deleted_records;
    delete from usage_rollup_quarter; delete from usage_rollup_team_hour; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_day`);
});

describe("create", () => {
  it("saves a deployment read in the form's time zone, with an audit entry", async () => {
    const id = await created();
    const { rows: [d] } = await client.query(`select "activeFrom", "activeTo", "gpuCount", "pricePerGpuHourOverride", version from inference_deployments where id = $1`, [id]);
    expect(d).toEqual({ activeFrom: new Date("2026-11-01T00:00:00Z"), activeTo: null, gpuCount: 8, pricePerGpuHourOverride: null, version: 1 });
    const entries = await audit(id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "CREATE", before: null, actorName: "Ada Admin", source: "form" });
    expect(entries[0].after).toMatchObject({ name: "chat-prod", gpuCount: 8, provider: "aws", activeFrom: "2026-11-01T00:00:00.000Z", activeTo: null });
  });

  it("creates one deployment when the same form is submitted twice, one after the other or at once", async () => {
    const same = fields();
    const first = await submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: form(same) });
    const second = await submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: form(same) });
    expect(second).toMatchObject({ status: "saved", isReplay: true, id: savedId(first) });
    const concurrent = fields({ name: "concurrent" });
    const results = await Promise.all([1, 2, 3, 4].map(() => submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: form(concurrent) })));
    expect(new Set(results.map((r) => savedId(r))).size).toBe(1);
    expect(results.filter((r) => r.status === "saved" && !r.isReplay)).toHaveLength(1);
    const { rows } = await client.query(`select name from inference_deployments order by name`);
    expect(rows.map((r) => r.name)).toEqual(["chat-prod", "concurrent"]);
    expect((await client.query(`select count(*)::int as n from audit_entries`)).rows[0].n).toBe(2);
  });

  it("refuses another org's team and GPU type, and a read-only viewer, writing nothing", async () => {
    const before = await tableDigests(client);
    const foreign = await submitInferenceDeployment({
      viewer: fx.viewer,
      id: null,
      formData: form(fields({ teamId: String(fx.foreignTeamId), gpuTypeId: String(fx.foreignGpuTypeId) })),
    });
    expect(foreign.status === "invalid" && Object.keys(foreign.fieldErrors).sort()).toEqual(["gpuTypeId", "teamId"]);
    const readOnly = await submitInferenceDeployment({ viewer: fx.readOnlyViewer, id: null, formData: form(fields()) });
    expect(readOnly).toEqual({ status: "invalid", fieldErrors: { teamId: ["You can view Research but not add or move records into it (a team editor or admin can); choose a team you edit"] } });
    expect(await tableDigests(client)).toEqual(before);
  });

  it("reports every field problem at once, including the cross-field period rule", async () => {
    const state = await submitInferenceDeployment({
      viewer: fx.viewer,
      id: null,
      formData: form(fields({ gpuCount: "0", activeTo: "2026-10-01T00:00", servingEngine: "triton", name: "" })),
    });
    expect(state.status === "invalid" && Object.keys(state.fieldErrors).sort()).toEqual(["activeTo", "gpuCount", "name", "servingEngine"]);
  });

  it("rolls everything back when a later step of the write fails", async () => {
    const before = await tableCounts();
    await client.query(`create function fail_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$`);
    await client.query(`create trigger fail_audit before insert on audit_entries for each row execute function fail_audit()`);
    try {
      await expect(submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: form(fields()) })).rejects.toThrow();
    } finally {
      await client.query(`drop trigger fail_audit on audit_entries; drop function fail_audit()`);
    }
    expect(await tableCounts()).toEqual(before);
  });
});

describe("edit", () => {
  it("saves an edit, bumps the version and records before and after", async () => {
    const id = await created();
    const state = await submitInferenceDeployment({ viewer: fx.memberViewer, id, formData: form(fields({ gpuCount: "16", pricePerGpuHourOverride: "1.95", _version: "1" })) });
    expect(state).toMatchObject({ status: "saved", id });
    const entries = await audit(id);
    expect(entries.map((e) => e.action)).toEqual(["CREATE", "UPDATE"]);
    expect(entries[1]).toMatchObject({ changedFields: ["gpuCount", "pricePerGpuHourOverride"], actorName: "Max Member" });
    expect([entries[1].before.gpuCount, entries[1].after.gpuCount]).toEqual([8, 16]);
    expect([entries[1].before.pricePerGpuHourOverride, entries[1].after.pricePerGpuHourOverride]).toEqual([null, "1.95"]);
    const { rows: [d] } = await client.query(`select version, "gpuCount" from inference_deployments where id = $1`, [id]);
    expect(d).toEqual({ version: 2, gpuCount: 16 });
  });

  it("refuses an edit from a stale form, showing what changed, and loses neither change", async () => {
    const id = await created();
    expect((await submitInferenceDeployment({ viewer: fx.memberViewer, id, formData: form(fields({ gpuCount: "16", _version: "1" })) })).status).toBe("saved");
    const stale = await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ p99SloMs: "1500", _version: "1" })) });
    expect(stale.status).toBe("conflict");
    if (stale.status !== "conflict") return;
    expect(stale.conflict.currentVersion).toBe(2);
    expect(stale.conflict.changedBy?.actorName).toBe("Max Member");
    expect(stale.conflict.changes).toEqual([
      { field: "gpuCount", saved: 16, yours: 8 },
      { field: "p99SloMs", saved: 2000, yours: 1500 },
    ]);
    expect((await client.query(`select version, "gpuCount", "p99SloMs" from inference_deployments where id = $1`, [id])).rows[0]).toEqual({ version: 2, gpuCount: 16, p99SloMs: 2000 });
    const merged = await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ gpuCount: "16", p99SloMs: "1500", _version: "2" })) });
    expect(merged.status).toBe("saved");
    expect((await client.query(`select version, "gpuCount", "p99SloMs" from inference_deployments where id = $1`, [id])).rows[0]).toEqual({ version: 3, gpuCount: 16, p99SloMs: 1500 });
  });

  it("lets exactly one of two concurrent edits of the same version win", async () => {
    const id = await created();
    const results = await Promise.all(["16", "32"].map((gpuCount) => submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ gpuCount, _version: "1" })) })));
    expect(results.map((r) => r.status).sort()).toEqual(["conflict", "saved"]);
    expect((await audit(id)).filter((e) => e.action === "UPDATE")).toHaveLength(1);
  });

  it("refuses a period that would leave recorded usage outside it, naming how many and the earliest/latest", async () => {
    const id = await created();
    await withUsage(id);
    const before = await tableDigests(client);
    const later = await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ activeFrom: "2026-11-11T06:00", _version: "1" })) });
    expect(later).toEqual({
      status: "invalid",
      fieldErrors: {
        activeFrom: [
          "2 usage records start before this (earliest 2026-11-10 00:00 (Europe/London)); choose an earlier start, or delete or move that usage first",
        ],
      },
    });
    const earlier = await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ activeTo: "2026-11-12T12:00", _version: "1" })) });
    expect(earlier).toEqual({
      status: "invalid",
      fieldErrors: {
        activeTo: ["1 usage record ends after this (latest ends 2026-11-13 00:00 (Europe/London)); choose a later end, or delete or move that usage first"],
      },
    });
    expect(await tableDigests(client)).toEqual(before);
    // Exactly around the usage is fine.
    const tight = await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ activeFrom: "2026-11-10T00:00", activeTo: "2026-11-13T00:00", _version: "1" })) });
    expect(tight.status).toBe("saved");
  });

  it("moves a deployment and its usage to another team, recomputing both teams' rollups", async () => {
    const id = await created();
    await withUsage(id);
    const teamHours = async (teamId: number) =>
      (await client.query(`select coalesce(sum(requests), 0)::text as requests from usage_rollup_team_hour where "teamId" = $1`, [teamId])).rows[0].requests;
    expect([await teamHours(fx.teamId), await teamHours(fx.otherTeamId)]).toEqual(["360000", "0"]);
    const moved = await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ teamId: String(fx.otherTeamId), _version: "1" })) });
    expect(moved.status).toBe("saved");
    expect([await teamHours(fx.teamId), await teamHours(fx.otherTeamId)]).toEqual(["0", "360000"]);
    await expectRollupsEqualRebuild(client);
  });

  it("reports a deployment deleted meanwhile as not found", async () => {
    const id = await created();
    await submitInferenceDeploymentDelete({ viewer: fx.viewer, id });
    expect((await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields({ _version: "1" })) })).status).toBe("notFound");
  });

  it("asks for the version when an edit form lacks it", async () => {
    const id = await created();
    const state = await submitInferenceDeployment({ viewer: fx.viewer, id, formData: form(fields()) });
    expect(state.status === "invalid" && state.fieldErrors._form?.[0]).toMatch(/missing the version/);
  });
});

describe("delete and undo", () => {
  it("deletes with its usage, then restores both exactly, rollups equal to a rebuild at each step", async () => {
    const id = await created({ parameterCount: "70600000000" });
    await withUsage(id);
    const snapshot = async () => ({
      deployment: (await client.query(`select * from inference_deployments where id = $1`, [id])).rows,
      usage: (await client.query(`select *, requests::text as r from inference_usage_windows where "deploymentId" = $1 order by "windowStart"`, [id])).rows,
    });
    const original = await snapshot();
    const quartersBefore = (await client.query(`select count(*)::int as n from usage_rollup_quarter`)).rows[0].n;
    const deleted = await submitInferenceDeploymentDelete({ viewer: fx.viewer, id });
    expect(deleted.status === "saved" && deleted.deletedId).toBeGreaterThan(0);
    if (deleted.status !== "saved") return;
    expect(await snapshot()).toEqual({ deployment: [], usage: [] });
    expect((await client.query(`select count(*)::int as n from usage_rollup_quarter`)).rows[0].n).toBe(0);
    await expectRollupsEqualRebuild(client);
    const restored = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(restored).toMatchObject({ status: "saved", id, path: `/inference/${id}` });
    expect(await snapshot()).toEqual(original);
    expect((await client.query(`select count(*)::int as n from usage_rollup_quarter`)).rows[0].n).toBe(quartersBefore);
    await expectRollupsEqualRebuild(client);
    expect((await audit(id)).map((e) => e.action)).toEqual(["CREATE", "DELETE", "RESTORE"]);
    expect((await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId })).status).toBe("notFound");
  });

  it("doesn't let another org delete, and a read-only viewer can't", async () => {
    const id = await created();
    const stranger = { ...fx.viewer, orgId: fx.orgId + 1000 };
    expect((await submitInferenceDeploymentDelete({ viewer: stranger, id })).status).toBe("notFound");
    expect(await submitInferenceDeploymentDelete({ viewer: fx.readOnlyViewer, id })).toEqual({ status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not change this team's records (a team editor or admin can)." } });
    expect((await client.query(`select count(*)::int as n from inference_deployments`)).rows[0].n).toBe(1);
  });
});

describe("hostile input", () => {
  const required = Object.keys(deploymentFields({ teamId: 1, gpuTypeId: 1 } as unknown as OrgFixture));
  const fieldNames = [...required, "parameterCount", "pricePerGpuHourOverride", "__proto__", "constructor"];

  it("create and edit never throw, never write on rejection, and every rejection names a field", async () => {
    const id = await created();
    await withUsage(id);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...fieldNames), hostileValue, { maxKeys: 10 }),
        fc.constantFrom<"create" | "edit" | "missing">("create", "edit", "missing"),
        async (overrides, mode) => {
          const before = await tableDigests(client);
          const version = (await client.query(`select version from inference_deployments where id = $1`, [id])).rows[0]?.version ?? 1;
          const target = mode === "create" ? null : mode === "edit" ? id : "999999";
          const state = await submitInferenceDeployment({ viewer: fx.viewer, id: target, formData: form(fields({ _version: String(version), ...overrides })) });
          expectNamedRejection(state, fieldNames.filter((f) => !f.startsWith("_")));
          if (state.status !== "saved") expect(await tableDigests(client)).toEqual(before);
        },
      ),
      { numRuns: 120 },
    );
    await expectRollupsEqualRebuild(client);
  });

  it("delete with forged ids never throws and deletes nothing", async () => {
    await created();
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileValue, fc.anything()), async (id) => {
        const before = await tableDigests(client);
        const state = await submitInferenceDeploymentDelete({ viewer: fx.viewer, id });
        if (state.status === "saved") return; // a hostile value that happens to name the real id
        expect(state.status).toBe("notFound");
        expect(await tableDigests(client)).toEqual(before);
      }),
      { numRuns: 80 },
    );
  });

  it("treats a forged non-FormData argument and a forged id as rejections", async () => {
    expect((await submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: { teamId: 1 } })).status).toBe("invalid");
    expect((await submitInferenceDeployment({ viewer: fx.viewer, id: "1; drop", formData: form(fields({ _version: "1" })) })).status).toBe("notFound");
    expect((await submitInferenceDeploymentDelete({ viewer: fx.viewer, id: -1 })).status).toBe("notFound");
  });
});
