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
import { submitInferenceDeployment } from "./inference-deployments";
import { submitRestore } from "./records";
import { submitUsageWindow, submitUsageWindowDelete, type UsageWindowFormState } from "./usage-windows";

// Record keeping for a deployment's usage periods against a real database:
// one period per start, no overlaps, inside the active period and not in the
// future, idempotent creates, version conflicts, rollups maintained in the
// same transaction (equal to a rebuild), audit entries under the deployment,
// delete with undo, rollback, hostile input.
let fx: OrgFixture;
let client: pg.Client;
let deploymentId: string;
const now = new Date("2026-11-20T12:00:00Z");
const NOV_10 = "2026-11-10T00:00:00.000Z";

const create = (overrides: Record<string, string> = {}, viewer = fx.viewer) =>
  submitUsageWindow({ viewer, deploymentId, start: null, formData: form(usageFields(overrides)), now });
const edit = (start: string, overrides: Record<string, string>, viewer = fx.viewer) =>
  submitUsageWindow({ viewer, deploymentId, start, formData: form(usageFields(overrides)), now });

function windowOf(state: UsageWindowFormState) {
  if (state.status !== "saved" || !state.window) throw new Error(`expected saved, got ${JSON.stringify(state)}`);
  return state.window;
}

async function windows() {
  const { rows } = await client.query(
    `select "windowStart", "windowSeconds", requests::text, "cachedInputTokens"::text as cached, "latencyP99Ms"::text as p99, version
     from inference_usage_windows where "deploymentId" = $1 order by "windowStart"`,
    [deploymentId],
  );
  return rows;
}

async function audit() {
  const { rows } = await client.query(
    `select "entityId", action, before, after, "changedFields", "actorName", source from audit_entries
     where "entityType" = 'usageWindow' and "subjectType" = 'inferenceDeployment' and "subjectId" = $1 order by id`,
    [deploymentId],
  );
  return rows;
}

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await ensureRollupTimeZones(pgRunner(client));
  deploymentId = savedId(await submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: form(deploymentFields(fx, { activeTo: "2026-11-30T00:00" })) }));
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from inference_usage_windows; delete from audit_entries; delete from idempotency_keys; delete from deleted_records;
    delete from usage_rollup_quarter; delete from usage_rollup_team_hour; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_day`);
});

describe("create", () => {
  it("saves a period read in the form's zone, with rollups and an audit entry under the deployment", async () => {
    const state = await create();
    expect(state).toMatchObject({ status: "saved", id: deploymentId, isReplay: false, window: { start: NOV_10, seconds: 86400 } });
    expect(await windows()).toEqual([{ windowStart: new Date(NOV_10), windowSeconds: 86400, requests: "120000", cached: "30000000", p99: "1400.500", version: 1 }]);
    const day = (await client.query(`select requests::text, "inputTokens"::text from usage_rollup_day where "timeZone" = 'Europe/London'`)).rows;
    expect(day).toEqual([{ requests: "120000", inputTokens: "96000000" }]);
    await expectRollupsEqualRebuild(client);
    const entries = await audit();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entityId: `${deploymentId}@${NOV_10}`, action: "CREATE", before: null, actorName: "Ada Admin" });
    expect(entries[0].after).toMatchObject({ windowStart: NOV_10, requests: "120000", latencyP99Ms: "1400.5", avgGpuUtilizationPct: "41.5" });
  });

  it("reads the start in the org's zone when the form names none", async () => {
    const fields = usageFields();
    delete fields._timeZone;
    expect(windowOf(await submitUsageWindow({ viewer: fx.viewer, deploymentId, start: null, formData: form(fields), now })).start).toBe(NOV_10);
  });

  it("creates one period when the same form is submitted twice, one after the other or at once", async () => {
    const same = usageFields();
    const first = await submitUsageWindow({ viewer: fx.viewer, deploymentId, start: null, formData: form(same), now });
    const second = await submitUsageWindow({ viewer: fx.viewer, deploymentId, start: null, formData: form(same), now });
    expect(second).toMatchObject({ status: "saved", isReplay: true, window: windowOf(first) });
    const concurrent = usageFields({ windowStart: "2026-11-11T00:00" });
    const results = await Promise.all([1, 2, 3, 4].map(() => submitUsageWindow({ viewer: fx.viewer, deploymentId, start: null, formData: form(concurrent), now })));
    expect(results.map((r) => r.status)).toEqual(["saved", "saved", "saved", "saved"]);
    expect(results.filter((r) => r.status === "saved" && !r.isReplay)).toHaveLength(1);
    expect((await windows()).map((w) => w.windowStart.toISOString())).toEqual([NOV_10, "2026-11-11T00:00:00.000Z"]);
    expect(await audit()).toHaveLength(2);
    await expectRollupsEqualRebuild(client);
  });

  it("refuses a second period with the same start (a new form) as a field error on the start", async () => {
    await create();
    const before = await tableDigests(client);
    const again = await create({ requests: "5", errors: "0", latencyP50Ms: "", latencyP95Ms: "", latencyP99Ms: "" });
    expect(again).toEqual({
      status: "invalid",
      fieldErrors: { windowStart: ["Usage starting 2026-11-10 00:00 is already recorded (2026-11-10 00:00–2026-11-11 00:00 (Europe/London)); edit that record instead"] },
    });
    expect(await tableDigests(client)).toEqual(before);
  });

  it("refuses overlapping periods, naming the recorded one, and accepts adjacent ones", async () => {
    await create();
    const inside = await create({ windowStart: "2026-11-10T12:00", windowSeconds: "3600" });
    expect(inside.status === "invalid" && inside.fieldErrors).toEqual({
      windowStart: ["Overlaps the usage recorded for 2026-11-10 00:00–2026-11-11 00:00 (Europe/London); periods of one deployment can't overlap, or their traffic would count twice"],
    });
    const runsInto = await create({ windowStart: "2026-11-09T23:00", windowSeconds: "7200" });
    expect(runsInto.status === "invalid" && Object.keys(runsInto.fieldErrors)).toEqual(["windowSeconds"]);
    const concurrentOverlaps = await Promise.all([
      create({ windowStart: "2026-11-12T00:00", windowSeconds: "86400" }),
      create({ windowStart: "2026-11-12T06:00", windowSeconds: "86400" }),
    ]);
    expect(concurrentOverlaps.map((s) => s.status).sort()).toEqual(["invalid", "saved"]);
    expect((await create({ windowStart: "2026-11-09T00:00" })).status).toBe("saved");
    expect((await create({ windowStart: "2026-11-11T00:00" })).status).toBe("saved");
    expect((await windows()).length).toBe(4);
    await expectRollupsEqualRebuild(client);
  });

  it("keeps periods inside the active period and out of the future, and checks the sums", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ windowStart: "2026-10-31T23:00" }, "windowStart"],
      [{ windowStart: "2026-11-20T00:00" }, "windowSeconds"],
      [{ windowStart: "2026-11-20T12:00" }, "windowSeconds"],
      [{ windowStart: "2026-11-21T00:00" }, "windowStart"],
      [{ cachedInputTokens: "96000001" }, "cachedInputTokens"],
      [{ errors: "120001" }, "errors"],
      [{ latencyP95Ms: "100" }, "latencyP95Ms"],
      [{ latencyP99Ms: "" }, "latencyP99Ms"],
      [{ windowSeconds: String(31 * 86400 + 1) }, "windowSeconds"],
      [{ avgGpuUtilizationPct: "100.01" }, "avgGpuUtilizationPct"],
    ];
    const before = await tableDigests(client);
    for (const [overrides, field] of cases) {
      const state = await create(overrides);
      expect(state.status === "invalid" && Object.keys(state.fieldErrors), JSON.stringify(overrides)).toEqual([field]);
    }
    expect(await tableDigests(client)).toEqual(before);
  });

  it("refuses a deployment that isn't the viewer's, and a read-only viewer, writing nothing", async () => {
    const before = await tableDigests(client);
    const stranger = { ...fx.viewer, orgId: fx.orgId + 1000 };
    expect((await create({}, stranger)).status).toBe("notFound");
    const readOnly = await create({}, fx.readOnlyViewer);
    expect(readOnly).toEqual({ status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not change this team's records (a team editor or admin can)." } });
    // A forged deploymentId field is ignored: the deployment comes from the URL.
    expect((await create({ deploymentId: "999999" })).status).toBe("saved");
    expect((await windows()).length).toBe(1);
    await client.query(`delete from inference_usage_windows; delete from audit_entries; delete from idempotency_keys; delete from usage_rollup_quarter; delete from usage_rollup_team_hour; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_day`);
    expect(await tableDigests(client)).toEqual(before);
  });

  it("rolls the window, its rollups and its audit entry back when a rollup write fails", async () => {
    const before = await tableCounts();
    await client.query(`create function fail_rollup() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`);
    await client.query(`create trigger fail_rollup before insert on usage_rollup_team_hour for each row execute function fail_rollup()`);
    try {
      await expect(create()).rejects.toThrow();
    } finally {
      await client.query(`drop trigger fail_rollup on usage_rollup_team_hour; drop function fail_rollup()`);
    }
    expect(await tableCounts()).toEqual(before);
  });
});

describe("the form's zone (the view's reporting zone)", () => {
  // A deployment of the New York team that went live at 00:00 on 1 October in London (BST, 23:00 UTC the day before).
  let nyDeploymentId: string;
  beforeAll(async () => {
    nyDeploymentId = savedId(
      await submitInferenceDeployment({
        viewer: fx.viewer,
        id: null,
        formData: form(deploymentFields(fx, { teamId: String(fx.otherTeamId), name: "ny-chat", activeFrom: "2026-10-01T00:00", activeTo: "2026-11-30T00:00" })),
      }),
    );
  });
  const submit = (fields: Record<string, string>) => submitUsageWindow({ viewer: fx.viewer, deploymentId: nyDeploymentId, start: null, formData: form(usageFields(fields)), now });
  const startOf = async (state: UsageWindowFormState) => windowOf(state).start;

  it("lands a start entered with tz=utc and with the org's zone on the instant named in that zone, not the team's", async () => {
    // 10 October 00:00: in UTC it is 00:00Z; in the org's London (BST) it is 23:00Z the day before; New York's would be 04:00Z.
    expect(await startOf(await submit({ windowStart: "2026-10-10T00:00", windowSeconds: "3600", _timeZone: "UTC" }))).toBe("2026-10-10T00:00:00.000Z");
    expect(await startOf(await submit({ windowStart: "2026-10-11T00:00", windowSeconds: "3600", _timeZone: "Europe/London" }))).toBe("2026-10-10T23:00:00.000Z");
    const fields = usageFields({ windowStart: "2026-10-13T00:00", windowSeconds: "3600" });
    delete fields._timeZone;
    expect(await startOf(await submitUsageWindow({ viewer: fx.viewer, deploymentId: nyDeploymentId, start: null, formData: form(fields), now }))).toBe("2026-10-12T23:00:00.000Z");
    expect((await windows()).length).toBe(0); // the other deployment's
    const { rows } = await client.query(`select "windowStart" from inference_usage_windows where "deploymentId" = $1 order by 1`, [nyDeploymentId]);
    expect(rows.map((r) => r.windowStart.toISOString())).toEqual(["2026-10-10T00:00:00.000Z", "2026-10-10T23:00:00.000Z", "2026-10-12T23:00:00.000Z"]);
  });

  it("names times in overlap and period messages in the form's zone", async () => {
    await submit({ windowStart: "2026-10-10T00:00", _timeZone: "UTC" });
    const before = await tableDigests(client);
    const inUtc = await submit({ windowStart: "2026-10-10T12:00", windowSeconds: "3600", _timeZone: "UTC" });
    expect(inUtc.status === "invalid" && inUtc.fieldErrors).toEqual({
      windowStart: ["Overlaps the usage recorded for 2026-10-10 00:00–2026-10-11 00:00 (UTC); periods of one deployment can't overlap, or their traffic would count twice"],
    });
    const inLondon = await submit({ windowStart: "2026-10-10T12:00", windowSeconds: "3600", _timeZone: "Europe/London" });
    expect(inLondon.status === "invalid" && inLondon.fieldErrors).toEqual({
      windowStart: ["Overlaps the usage recorded for 2026-10-10 01:00–2026-10-11 01:00 (Europe/London); periods of one deployment can't overlap, or their traffic would count twice"],
    });
    const sameStart = await submit({ windowStart: "2026-10-10T01:00", _timeZone: "Europe/London" });
    expect(sameStart.status === "invalid" && sameStart.fieldErrors.windowStart?.[0]).toBe(
      "Usage starting 2026-10-10 01:00 is already recorded (2026-10-10 01:00–2026-10-11 01:00 (Europe/London)); edit that record instead",
    );
    const early = await submit({ windowStart: "2026-09-30T12:00", windowSeconds: "3600", _timeZone: "UTC" });
    expect(early.status === "invalid" && early.fieldErrors).toEqual({ windowStart: ["Window starts before the deployment went live (2026-09-30 23:00 (UTC))"] });
    const earlyInNewYork = await submit({ windowStart: "2026-09-30T12:00", windowSeconds: "3600", _timeZone: "America/New_York" });
    expect(earlyInNewYork.status === "invalid" && earlyInNewYork.fieldErrors).toEqual({ windowStart: ["Window starts before the deployment went live (2026-09-30 19:00 (America/New_York))"] });
    expect(await tableDigests(client)).toEqual(before);
  });

  it("falls back to the org's zone for messages when the form's zone is not a zone", async () => {
    await submit({ windowStart: "2026-10-10T00:00", _timeZone: "UTC" });
    const forged = await submit({ windowStart: "2026-10-10T12:00:00Z", windowSeconds: "3600", _timeZone: "Mars/Olympus_Mons" });
    expect(forged.status === "invalid" && forged.fieldErrors.windowStart?.[0]).toMatch(/^Overlaps the usage recorded for 2026-10-10 01:00–2026-10-11 01:00 \(Europe\/London\)/);
  });
});

describe("edit", () => {
  it("saves an edit, bumps the version, records before and after, and keeps rollups equal to a rebuild", async () => {
    await create();
    const state = await edit(NOV_10, { requests: "150000", outputTokens: "30000000", _version: "1" }, fx.memberViewer);
    expect(state).toMatchObject({ status: "saved", window: { start: NOV_10, seconds: 86400 } });
    expect((await windows())[0]).toMatchObject({ requests: "150000", version: 2 });
    const entries = await audit();
    expect(entries.map((e) => e.action)).toEqual(["CREATE", "UPDATE"]);
    expect(entries[1]).toMatchObject({ changedFields: ["outputTokens", "requests"], actorName: "Max Member" });
    expect([entries[1].before.requests, entries[1].after.requests]).toEqual(["120000", "150000"]);
    await expectRollupsEqualRebuild(client);
  });

  it("moves a period's start and length, refreshing both the old and the new span", async () => {
    await create();
    await create({ windowStart: "2026-11-12T00:00" });
    const moved = await edit(NOV_10, { windowStart: "2026-11-11T00:00", windowSeconds: "3600", _version: "1" });
    expect(windowOf(moved)).toEqual({ start: "2026-11-11T00:00:00.000Z", seconds: 3600 });
    expect((await windows()).map((w) => w.windowStart.toISOString())).toEqual(["2026-11-11T00:00:00.000Z", "2026-11-12T00:00:00.000Z"]);
    expect((await client.query(`select count(*)::int as n from usage_rollup_quarter where "bucketStart" < '2026-11-11'`)).rows[0].n).toBe(0);
    await expectRollupsEqualRebuild(client);
    // Onto another period's start, or overlapping it: refused.
    const clash = await edit("2026-11-11T00:00:00.000Z", { windowStart: "2026-11-11T12:00", windowSeconds: "86400", _version: "2" });
    expect(clash.status === "invalid" && Object.keys(clash.fieldErrors)).toEqual(["windowSeconds"]);
    // The window itself is not a clash with its own old span.
    expect((await edit("2026-11-11T00:00:00.000Z", { windowStart: "2026-11-11T00:30", windowSeconds: "3600", _version: "2" })).status).toBe("saved");
  });

  it("refuses an edit from a stale form, showing what changed, and loses neither change", async () => {
    await create();
    expect((await edit(NOV_10, { requests: "150000", _version: "1" }, fx.memberViewer)).status).toBe("saved");
    const stale = await edit(NOV_10, { errors: "99", _version: "1" });
    expect(stale.status).toBe("conflict");
    if (stale.status !== "conflict") return;
    expect(stale.conflict.currentVersion).toBe(2);
    expect(stale.conflict.changedBy?.actorName).toBe("Max Member");
    expect(stale.conflict.changes).toEqual([
      { field: "errors", saved: "60", yours: "99" },
      { field: "requests", saved: "150000", yours: "120000" },
    ]);
    expect((await windows())[0]).toMatchObject({ requests: "150000", version: 2 });
    expect((await edit(NOV_10, { requests: "150000", errors: "99", _version: "2" })).status).toBe("saved");
    expect((await windows())[0]).toMatchObject({ requests: "150000", version: 3 });
  });

  it("lets exactly one of two concurrent edits of the same version win", async () => {
    await create();
    const results = await Promise.all(["130000", "140000"].map((requests) => edit(NOV_10, { requests, _version: "1" })));
    expect(results.map((r) => r.status).sort()).toEqual(["conflict", "saved"]);
    expect((await audit()).filter((e) => e.action === "UPDATE")).toHaveLength(1);
    await expectRollupsEqualRebuild(client);
  });

  it("replaces a recorded latency histogram only when the percentiles are retyped", async () => {
    await create({ latencyP50Ms: "", latencyP95Ms: "", latencyP99Ms: "" });
    await client.query(`update inference_usage_windows set "latencyKeys" = '{10,20}', "latencyCounts" = '{5,7}'`);
    await edit(NOV_10, { latencyP50Ms: "", latencyP95Ms: "", latencyP99Ms: "", requests: "120001", _version: "1" });
    expect((await client.query(`select "latencyKeys" from inference_usage_windows`)).rows[0].latencyKeys).toEqual([10, 20]);
    await edit(NOV_10, { requests: "120001", _version: "2" });
    expect((await client.query(`select "latencyKeys", "latencyP50Ms"::text as p50 from inference_usage_windows`)).rows[0]).toEqual({ latencyKeys: [], p50: "180.000" });
  });

  it("reports a period deleted meanwhile, or a malformed start, as not found", async () => {
    await create();
    await submitUsageWindowDelete({ viewer: fx.viewer, deploymentId, start: NOV_10 });
    expect((await edit(NOV_10, { _version: "1" })).status).toBe("notFound");
    expect((await edit("2026-11-10T00:00", { _version: "1" })).status).toBe("notFound");
    expect((await edit("yesterday", { _version: "1" })).status).toBe("notFound");
  });
});

describe("a deployment's active period", () => {
  it("refuses to shrink it past recorded usage, and usage past a period shrunk meanwhile", async () => {
    await create();
    const shrink = await submitInferenceDeployment({
      viewer: fx.viewer,
      id: deploymentId,
      formData: form(deploymentFields(fx, { activeFrom: "2026-11-10T06:00", activeTo: "2026-11-30T00:00", _version: "1" })),
    });
    expect(shrink.status === "invalid" && shrink.fieldErrors.activeFrom?.[0]).toMatch(/^1 usage record starts before this \(earliest 2026-11-10 00:00 \(Europe\/London\)\)/);
    // The period is shrunk to end on the 15th (nothing recorded after it yet) ...
    const tighter = await submitInferenceDeployment({
      viewer: fx.viewer,
      id: deploymentId,
      formData: form(deploymentFields(fx, { activeTo: "2026-11-15T00:00", _version: "1" })),
    });
    expect(tighter.status).toBe("saved");
    // ... so a form opened before that can no longer add the 16th.
    const late = await create({ windowStart: "2026-11-16T00:00" });
    expect(late.status === "invalid" && late.fieldErrors.windowStart?.[0]).toMatch(/after the deployment stopped/);
    await client.query(`update inference_deployments set "activeTo" = '2026-11-30T00:00Z', version = version + 1 where id = $1`, [deploymentId]);
  });
});

describe("delete and undo", () => {
  it("deletes a period, then restores it exactly, with rollups equal to a rebuild and audit entries for both", async () => {
    await create({ inputTokens: "999999999999999" });
    await create({ windowStart: "2026-11-11T00:00" });
    const original = await windows();
    const deleted = await submitUsageWindowDelete({ viewer: fx.viewer, deploymentId, start: String(Date.parse(NOV_10)) });
    expect(deleted).toMatchObject({ status: "saved", id: deploymentId });
    if (deleted.status !== "saved" || !deleted.deletedId) throw new Error("not deleted");
    expect((await windows()).length).toBe(1);
    await expectRollupsEqualRebuild(client);
    const { rows: [trash] } = await client.query(`select label, "entityType" from deleted_records where id = $1`, [deleted.deletedId]);
    expect(trash).toEqual({ entityType: "usageWindow", label: "Usage 2026-11-10 00:00–2026-11-11 00:00 (Europe/London) of chat-prod" });
    const restored = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(restored).toMatchObject({ status: "saved", id: deploymentId, path: `/inference/${deploymentId}` });
    expect(await windows()).toEqual(original);
    await expectRollupsEqualRebuild(client);
    expect((await audit()).map((e) => `${e.action} ${e.entityId}`)).toEqual([
      `CREATE ${deploymentId}@${NOV_10}`,
      `CREATE ${deploymentId}@2026-11-11T00:00:00.000Z`,
      `DELETE ${deploymentId}@${NOV_10}`,
      `RESTORE ${deploymentId}@${NOV_10}`,
    ]);
    const [, , deleteEntry, restoreEntry] = await audit();
    // Exact, and as the row was (ISO instants, counts as digit strings).
    expect([deleteEntry.before.inputTokens, restoreEntry.after.inputTokens, restoreEntry.after.windowStart]).toEqual(["999999999999999", "999999999999999", NOV_10]);
    expect((await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId })).status).toBe("notFound");
    expect((await submitUsageWindowDelete({ viewer: fx.viewer, deploymentId, start: "2026-11-12T00:00:00Z" })).status).toBe("notFound");
  });

  it("refuses an undo that would overlap usage recorded since, or fall outside a narrowed period, leaving both as they are", async () => {
    await create();
    const deleted = await submitUsageWindowDelete({ viewer: fx.viewer, deploymentId, start: NOV_10 });
    if (deleted.status !== "saved" || !deleted.deletedId) throw new Error("not deleted");
    await create({ windowStart: "2026-11-10T12:00", windowSeconds: "3600" });
    const before = await tableDigests(client);
    const blocked = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(blocked.status === "invalid" && blocked.fieldErrors._form?.[0]).toMatch(/^Can't restore Usage 2026-11-10 00:00.*: Overlaps the usage recorded for 2026-11-10 12:00–2026-11-10 13:00/);
    expect(await tableDigests(client)).toEqual(before);
    await client.query(`delete from inference_usage_windows`);
    await client.query(`update inference_deployments set "activeFrom" = '2026-11-10T06:00Z' where id = $1`, [deploymentId]);
    try {
      const outside = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
      expect(outside.status === "invalid" && outside.fieldErrors._form?.[0]).toMatch(/active period no longer covers it/);
    } finally {
      await client.query(`update inference_deployments set "activeFrom" = '2026-11-01T00:00Z' where id = $1`, [deploymentId]);
    }
    expect((await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId })).status).toBe("saved");
  });

  it("doesn't let another org or a read-only viewer delete", async () => {
    await create();
    const stranger = { ...fx.viewer, orgId: fx.orgId + 1000 };
    expect((await submitUsageWindowDelete({ viewer: stranger, deploymentId, start: NOV_10 })).status).toBe("notFound");
    expect(await submitUsageWindowDelete({ viewer: fx.readOnlyViewer, deploymentId, start: NOV_10 })).toEqual({ status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not change this team's records (a team editor or admin can)." } });
    expect((await windows()).length).toBe(1);
  });
});

describe("concurrent writes to one team's usage", () => {
  it("save usage of two deployments of one team at once, both counted in the team's hours", async () => {
    const other = savedId(await submitInferenceDeployment({ viewer: fx.viewer, id: null, formData: form(deploymentFields(fx, { name: "chat-canary" })) }));
    try {
      for (const day of ["01", "02", "03", "04", "05", "06"]) {
        const results = await Promise.all(
          [deploymentId, other].map((id) => submitUsageWindow({ viewer: fx.viewer, deploymentId: id, start: null, formData: form(usageFields({ windowStart: `2026-11-${day}T00:00` })), now })),
        );
        expect(results.map((r) => r.status)).toEqual(["saved", "saved"]);
      }
      const { rows } = await client.query(`select sum(requests)::text as requests from usage_rollup_team_hour where "teamId" = $1`, [fx.teamId]);
      expect(rows[0].requests).toBe(String(2 * 6 * 120_000));
      await expectRollupsEqualRebuild(client);
    } finally {
      await client.query(`delete from inference_deployments where id = $1`, [other]);
    }
  });
});

describe("a week of daily totals by hand", () => {
  it("adds up on the deployment's day rollups, each period starting where the last ended", async () => {
    let start = "2026-11-09T00:00";
    for (let day = 0; day < 7; day++) {
      const saved = windowOf(await create({ windowStart: start, requests: String(100_000 + day), latencyP50Ms: "", latencyP95Ms: "", latencyP99Ms: "" }));
      // "Save and add next": the next form starts at this one's end, shown in the team's zone.
      const end = new Date(Date.parse(saved.start) + saved.seconds * 1000);
      start = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/London", dateStyle: "short", timeStyle: "short" }).format(end).replace(" ", "T");
    }
    const { rows } = await client.query(`select count(*)::int as days, sum(requests)::text as requests from usage_rollup_day where "timeZone" = 'Europe/London'`);
    expect(rows[0]).toEqual({ days: 7, requests: String(7 * 100_000 + 21) });
    await expectRollupsEqualRebuild(client);
  });
});

describe("hostile input", () => {
  const fieldNames = [...Object.keys(usageFields()), "deploymentId", "__proto__", "constructor"];
  const reported = fieldNames.filter((f) => !f.startsWith("_"));
  const hostileId = fc.oneof(hostileValue, fc.anything(), fc.constantFrom("1", "2", "999999"));
  const hostileStart = fc.oneof(hostileValue, fc.anything(), fc.constantFrom(NOV_10, String(Date.parse(NOV_10)), "2026-11-11T00:00:00+01:00"));

  it("create and edit never throw, never write on rejection, and every rejection names a field", async () => {
    await create();
    await create({ windowStart: "2026-11-12T00:00" });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...fieldNames), hostileValue, { maxKeys: 8 }),
        fc.constantFrom<"create" | "edit">("create", "edit"),
        fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileId }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileStart }),
        fc.integer({ min: 1, max: 19 * 24 - 1 }),
        async (overrides, mode, forgedId, forgedStart, hour) => {
          const before = await tableDigests(client);
          const [first] = await windows();
          const start = mode === "create" ? null : (forgedStart ?? first?.windowStart.toISOString() ?? NOV_10);
          const windowStart = new Date(Date.UTC(2026, 10, 1) + hour * 3_600_000).toISOString().slice(0, 16);
          const fields = usageFields({ windowStart, windowSeconds: "3600", _version: String(first?.version ?? 1), ...overrides });
          const state = await submitUsageWindow({ viewer: fx.viewer, deploymentId: forgedId ?? deploymentId, start, formData: form(fields), now });
          expectNamedRejection(state, reported);
          if (state.status !== "saved") expect(await tableDigests(client)).toEqual(before);
        },
      ),
      { numRuns: 150 },
    );
    await expectRollupsEqualRebuild(client);
  });

  it("delete with forged arguments never throws and deletes nothing it isn't asked to", async () => {
    await create();
    await fc.assert(
      fc.asyncProperty(hostileId, hostileStart, async (id, start) => {
        const before = await tableDigests(client);
        const state = await submitUsageWindowDelete({ viewer: fx.viewer, deploymentId: id, start });
        if (state.status === "saved") {
          await create();
          return;
        }
        expect(state.status).toBe("notFound");
        expect(await tableDigests(client)).toEqual(before);
      }),
      { numRuns: 80 },
    );
    await expectRollupsEqualRebuild(client);
  });

  it("treats a forged non-FormData argument as a rejection", async () => {
    const state = await submitUsageWindow({ viewer: fx.viewer, deploymentId, start: null, formData: { windowStart: NOV_10 }, now });
    expect(state.status).toBe("invalid");
  });
});
