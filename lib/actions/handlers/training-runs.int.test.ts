import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOrgFixture, tableCounts, type OrgFixture } from "@/lib/testing/org-fixture";
import { submitRestore } from "./records";
import { submitTrainingRun, submitTrainingRunDelete } from "./training-runs";

// Record keeping for training runs against a real database: idempotent
// creates, version conflicts, audit entries, rollback, undo, and hostile input.
let fx: OrgFixture;
let client: pg.Client;
const now = new Date("2026-11-20T12:00:00Z");

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

const key = () => crypto.randomUUID();

function runFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    teamId: String(fx.teamId),
    name: "sft-llama-8b",
    model: "Llama-3.1-8B",
    method: "LORA",
    precision: "BF16",
    gpuTypeId: String(fx.gpuTypeId),
    provider: "aws",
    pricingModel: "ON_DEMAND",
    gpuCount: "8",
    startedAt: "2026-11-18T09:00",
    endedAt: "2026-11-18T19:00",
    status: "SUCCEEDED",
    storageCostUsd: "12.50",
    _timeZone: "Europe/London",
    _idempotencyKey: key(),
    ...overrides,
  };
}

async function audit(entityId: string) {
  const { rows } = await client.query(`select action, before, after, "changedFields", "actorName", source from audit_entries where "entityType" = 'trainingRun' and "entityId" = $1 order by id`, [entityId]);
  return rows;
}

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from training_runs; delete from audit_entries; delete from idempotency_keys; delete from deleted_records`);
});

describe("create", () => {
  it("saves a run read in the form's time zone, with an audit entry", async () => {
    const state = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields()), now });
    expect(state).toMatchObject({ status: "saved", isReplay: false });
    if (state.status !== "saved") return;
    const { rows: [run] } = await client.query(`select "startedAt", "endedAt", "storageCostUsd"::text, version from training_runs where id = $1`, [state.id]);
    expect(run.startedAt.toISOString()).toBe("2026-11-18T09:00:00.000Z");
    expect(run.storageCostUsd).toBe("12.500000");
    expect(run.version).toBe(1);
    const entries = await audit(state.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "CREATE", before: null, actorName: "Ada Admin", source: "form" });
    expect(entries[0].after).toMatchObject({ name: "sft-llama-8b", gpuCount: 8, storageCostUsd: "12.5", startedAt: "2026-11-18T09:00:00.000Z" });
  });

  it("creates one run when the same form is submitted twice, one after the other or at once", async () => {
    const fields = runFields();
    const first = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(fields), now });
    const second = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(fields), now });
    expect(second).toMatchObject({ status: "saved", isReplay: true, id: first.status === "saved" ? first.id : "" });
    const concurrent = runFields({ name: "concurrent" });
    const results = await Promise.all([1, 2, 3].map(() => submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(concurrent), now })));
    expect(new Set(results.map((r) => (r.status === "saved" ? r.id : r.status))).size).toBe(1);
    expect(results.filter((r) => r.status === "saved" && !r.isReplay)).toHaveLength(1);
    const { rows } = await client.query(`select name from training_runs order by name`);
    expect(rows.map((r) => r.name)).toEqual(["concurrent", "sft-llama-8b"]);
  });

  it("refuses a second run with the same team, name and start as a field error", async () => {
    await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields()), now });
    const again = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields()), now });
    expect(again.status).toBe("invalid");
    if (again.status === "invalid") expect(again.fieldErrors.name?.[0]).toMatch(/already has a run named/);
    // The same start entered in another zone's wall-clock time (09:00 London = 14:45 Kathmandu) is named in the form's zone.
    const inKathmandu = await submitTrainingRun({
      viewer: fx.viewer,
      id: null,
      formData: form(runFields({ startedAt: "2026-11-18T14:45", endedAt: "2026-11-19T00:45", _timeZone: "Asia/Kathmandu", _idempotencyKey: key() })),
      now,
    });
    expect(inKathmandu.status === "invalid" && inKathmandu.fieldErrors.name).toEqual([
      "This team already has a run named “sft-llama-8b” that started 2026-11-18 14:45 (Asia/Kathmandu); rename this one or edit that run",
    ]);
  });

  it("refuses another org's team and GPU type, and a read-only viewer, writing nothing", async () => {
    const before = await tableCounts();
    const foreign = await submitTrainingRun({
      viewer: fx.viewer,
      id: null,
      formData: form(runFields({ teamId: String(fx.foreignTeamId), gpuTypeId: String(fx.foreignGpuTypeId) })),
      now,
    });
    expect(foreign.status === "invalid" && Object.keys(foreign.fieldErrors).sort()).toEqual(["gpuTypeId", "teamId"]);
    const readOnly = await submitTrainingRun({ viewer: fx.readOnlyViewer, id: null, formData: form(runFields()), now });
    expect(readOnly).toEqual({ status: "invalid", fieldErrors: { teamId: ["You can view Research but not add or move records into it (a team editor or admin can); choose a team you edit"] } });
    expect(await tableCounts()).toEqual(before);
  });

  it("names the field for a local time that a DST change skips", async () => {
    const state = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields({ startedAt: "2026-03-29T01:30", endedAt: "2026-03-29T05:00" })), now });
    expect(state.status === "invalid" && state.fieldErrors).toEqual({ startedAt: ["2026-03-29 01:30 doesn't exist in Europe/London: clocks skip that hour"] });
  });

  it("rolls everything back when a later step of the write fails", async () => {
    const before = await tableCounts();
    await client.query(`create function fail_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$`);
    await client.query(`create trigger fail_audit before insert on audit_entries for each row execute function fail_audit()`);
    try {
      await expect(submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields()), now })).rejects.toThrow();
    } finally {
      await client.query(`drop trigger fail_audit on audit_entries; drop function fail_audit()`);
    }
    expect(await tableCounts()).toEqual(before);
  });
});

describe("edit", () => {
  async function created(): Promise<string> {
    const state = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields()), now });
    if (state.status !== "saved") throw new Error(JSON.stringify(state));
    return state.id;
  }

  it("saves an edit, bumps the version and records before and after", async () => {
    const id = await created();
    const state = await submitTrainingRun({ viewer: fx.memberViewer, id, formData: form(runFields({ gpuCount: "16", _version: "1" })), now });
    expect(state).toMatchObject({ status: "saved", id });
    const entries = await audit(id);
    expect(entries.map((e) => e.action)).toEqual(["CREATE", "UPDATE"]);
    expect(entries[1]).toMatchObject({ changedFields: ["gpuCount"], actorName: "Max Member" });
    expect(entries[1].before.gpuCount).toBe(8);
    expect(entries[1].after.gpuCount).toBe(16);
    const { rows: [run] } = await client.query(`select version, "gpuCount" from training_runs where id = $1`, [id]);
    expect(run).toEqual({ version: 2, gpuCount: 16 });
  });

  it("refuses an edit from a stale form, showing what changed, and loses neither change", async () => {
    const id = await created();
    // Two people open version 1; Max saves first.
    const maxSave = await submitTrainingRun({ viewer: fx.memberViewer, id, formData: form(runFields({ gpuCount: "16", _version: "1" })), now });
    expect(maxSave.status).toBe("saved");
    const adaSave = await submitTrainingRun({ viewer: fx.viewer, id, formData: form(runFields({ notes: "re-run after OOM", _version: "1" })), now });
    expect(adaSave.status).toBe("conflict");
    if (adaSave.status !== "conflict") return;
    expect(adaSave.conflict.currentVersion).toBe(2);
    expect(adaSave.conflict.changedBy?.actorName).toBe("Max Member");
    expect(adaSave.conflict.changes).toEqual([
      { field: "gpuCount", saved: 16, yours: 8 },
      { field: "notes", saved: null, yours: "re-run after OOM" },
    ]);
    const { rows: [run] } = await client.query(`select version, "gpuCount", notes from training_runs where id = $1`, [id]);
    expect(run).toEqual({ version: 2, gpuCount: 16, notes: null });
    // Ada merges and saves against the version she was shown.
    const merged = await submitTrainingRun({ viewer: fx.viewer, id, formData: form(runFields({ gpuCount: "16", notes: "re-run after OOM", _version: "2" })), now });
    expect(merged.status).toBe("saved");
    const { rows: [after] } = await client.query(`select version, "gpuCount", notes from training_runs where id = $1`, [id]);
    expect(after).toEqual({ version: 3, gpuCount: 16, notes: "re-run after OOM" });
  });

  it("lets exactly one of two concurrent edits of the same version win", async () => {
    const id = await created();
    const results = await Promise.all(
      ["16", "32"].map((gpuCount) => submitTrainingRun({ viewer: fx.viewer, id, formData: form(runFields({ gpuCount, _version: "1" })), now })),
    );
    expect(results.map((r) => r.status).sort()).toEqual(["conflict", "saved"]);
    expect((await audit(id)).filter((e) => e.action === "UPDATE")).toHaveLength(1);
  });

  it("reports a run deleted meanwhile as not found", async () => {
    const id = await created();
    await submitTrainingRunDelete({ viewer: fx.viewer, id });
    const state = await submitTrainingRun({ viewer: fx.viewer, id, formData: form(runFields({ _version: "1" })), now });
    expect(state.status).toBe("notFound");
  });
});

describe("delete and undo", () => {
  it("deletes, then restores the run exactly, with audit entries for both", async () => {
    const state = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields({ tokensProcessed: "9007199254740993" })), now });
    if (state.status !== "saved") throw new Error("not saved");
    const snapshot = async () => (await client.query(`select *, "tokensProcessed"::text as tokens from training_runs where id = $1`, [state.id])).rows[0];
    const original = await snapshot();
    const deleted = await submitTrainingRunDelete({ viewer: fx.viewer, id: state.id });
    expect(deleted.status === "saved" && deleted.deletedId).toBeGreaterThan(0);
    expect(await snapshot()).toBeUndefined();
    if (deleted.status !== "saved") return;
    const restored = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(restored).toMatchObject({ status: "saved", id: state.id, path: `/training/${state.id}` });
    expect(await snapshot()).toEqual(original);
    expect((await audit(state.id)).map((e) => e.action)).toEqual(["CREATE", "DELETE", "RESTORE"]);
    expect((await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId })).status).toBe("notFound");
  });

  it("doesn't let another org undo or delete", async () => {
    const state = await submitTrainingRun({ viewer: fx.viewer, id: null, formData: form(runFields()), now });
    if (state.status !== "saved") throw new Error("not saved");
    const stranger = { ...fx.viewer, orgId: fx.orgId + 1000 };
    expect((await submitTrainingRunDelete({ viewer: stranger, id: state.id })).status).toBe("notFound");
  });
});

describe("hostile input", () => {
  const fieldNames = ["teamId", "name", "model", "method", "precision", "gpuTypeId", "provider", "pricingModel", "gpuCount", "startedAt", "status", "storageCostUsd", "_timeZone", "_idempotencyKey"].concat(["endedAt", "tokensProcessed", "pricePerGpuHourOverride", "zeroStage", "notes", "__proto__", "constructor"]);
  const hostile = fc.oneof(
    fc.string(),
    fc.constantFrom("", " ", "-1", "1e309", "NaN", "Infinity", "0x10", "9".repeat(40), "=cmd|' /C calc'!A0", "\u0000", "😀", "<script>", "null", "2026-02-30T10:00", "'; drop table training_runs; --"),
    fc.integer().map(String),
  );

  it("never throws, never writes on rejection, and every rejection names a field", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...fieldNames), hostile, { maxKeys: 12 }), fc.boolean(), async (overrides, isEdit) => {
        const before = await tableCounts();
        const state = await submitTrainingRun({ viewer: fx.viewer, id: isEdit ? "999999" : null, formData: form(runFields(overrides)), now });
        expect(["saved", "invalid", "notFound"]).toContain(state.status);
        if (state.status === "invalid") {
          expect(Object.keys(state.fieldErrors).length).toBeGreaterThan(0);
          for (const [field, messages] of Object.entries(state.fieldErrors)) {
            expect(field === "_form" || fieldNames.includes(field)).toBe(true);
            expect(messages.every((m) => m.length > 0)).toBe(true);
          }
        }
        if (state.status !== "saved") expect(await tableCounts()).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it("treats a forged non-FormData argument and a forged id as rejections", async () => {
    expect((await submitTrainingRun({ viewer: fx.viewer, id: null, formData: { teamId: 1 }, now })).status).toBe("invalid");
    expect((await submitTrainingRun({ viewer: fx.viewer, id: "1; drop", formData: form(runFields({ _version: "1" })), now })).status).toBe("notFound");
    expect((await submitTrainingRunDelete({ viewer: fx.viewer, id: -1 })).status).toBe("notFound");
  });
});
