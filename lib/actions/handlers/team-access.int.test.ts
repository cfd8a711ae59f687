import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recentlyDeleted } from "@/lib/db/mutations/records";
import type { Suggestion } from "@/lib/domain/suggestions/types";
import { deploymentFields, usageFields } from "@/lib/testing/inference-records";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { form, insertDeploymentWithUsage, insertRun, key } from "@/lib/testing/settings-helpers";
import type { SuggestionSnapshot } from "@/lib/validation/suggestion-states";
import { submitInferenceDeployment, submitInferenceDeploymentDelete } from "./inference-deployments";
import { submitRestore } from "./records";
import { submitSuggestionDecision, type SuggestionLookup } from "./suggestion-states";
import { submitTrainingRun, submitTrainingRunDelete } from "./training-runs";
import { submitUsageWindow, submitUsageWindowDelete } from "./usage-windows";

// Team-level authorization of every record write, against a real database:
// the editor of team A writes A and can't reach B (not found, nothing
// changed); a viewer of A is refused (forbidden); a viewer of B can't see A;
// an org admin writes both. Writes are authorized after loading the record,
// against the record's own team.

let fx: OrgFixture;
let client: pg.Client;
const now = new Date("2026-11-20T12:00:00Z");

/** Every table a record write can touch, as one md5 per table: equal digests mean nothing was written. */
const TABLES = [
  "training_runs", "inference_deployments", "inference_usage_windows", "usage_rollup_quarter", "usage_rollup_team_hour", "usage_rollup_day",
  "audit_entries", "deleted_records", "idempotency_keys", "suggestion_states", "teams",
];
async function digests(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await client.query(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d from ${table} t`);
    out[table] = `${rows[0].n}:${rows[0].d}`;
  }
  return out;
}

const FORBIDDEN_WRITE = { status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not change this team's records (a team editor or admin can)." } };
const TEAM_MISSING = { teamId: ["Team not found; it may have been deleted. Choose another"] };
const readOnlyTeam = (name: string) => ({ teamId: [`You can view ${name} but not add or move records into it (a team editor or admin can); choose a team you edit`] });

function runFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    teamId: String(fx.teamId),
    name: `run-${key().slice(0, 8)}`,
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
    _timeZone: "Europe/London",
    _idempotencyKey: key(),
    ...overrides,
  };
}

let runA: number;
let runB: number;
let depA: number;
let depB: number;

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(
    `delete from suggestion_states; delete from inference_usage_windows; delete from inference_deployments; delete from training_runs;
     delete from audit_entries; delete from idempotency_keys; delete from deleted_records;
     delete from usage_rollup_quarter; delete from usage_rollup_team_hour; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_day`,
  );
  runA = await insertRun(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId, name: "run-a" });
  runB = await insertRun(client, { teamId: fx.otherTeamId, gpuTypeId: fx.gpuTypeId, name: "run-b" });
  depA = await insertDeploymentWithUsage(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId, activeFrom: "2026-11-01T00:00:00Z" });
  depB = await insertDeploymentWithUsage(client, { teamId: fx.otherTeamId, gpuTypeId: fx.gpuTypeId, activeFrom: "2026-11-01T00:00:00Z" });
});

describe("training runs", () => {
  const edit = (viewer: OrgFixture["viewer"], id: number, overrides: Record<string, string> = {}) =>
    submitTrainingRun({ viewer, id, formData: form(runFields({ name: "renamed", _version: "1", ...overrides })), now });

  it("editor of A: writes A; B's runs don't exist for them, and B can't be chosen or moved into; nothing changes", async () => {
    const before = await digests();
    expect(await edit(fx.memberViewer, runB)).toMatchObject({ status: "notFound" });
    expect(await submitTrainingRunDelete({ viewer: fx.memberViewer, id: runB })).toMatchObject({ status: "notFound" });
    expect(await submitTrainingRun({ viewer: fx.memberViewer, id: null, formData: form(runFields({ teamId: String(fx.otherTeamId) })), now })).toEqual({ status: "invalid", fieldErrors: TEAM_MISSING });
    // A move from A to B needs team:write on both.
    expect(await edit(fx.memberViewer, runA, { teamId: String(fx.otherTeamId) })).toEqual({ status: "invalid", fieldErrors: TEAM_MISSING });
    expect(await digests()).toEqual(before);

    expect(await edit(fx.memberViewer, runA)).toMatchObject({ status: "saved" });
    expect(await submitTrainingRun({ viewer: fx.memberViewer, id: null, formData: form(runFields()), now })).toMatchObject({ status: "saved" });
    expect(await submitTrainingRunDelete({ viewer: fx.memberViewer, id: runA })).toMatchObject({ status: "saved" });
    const { rows } = await client.query(`select "actorName", action from audit_entries where "entityType" = 'trainingRun' order by id`);
    expect(rows).toEqual([
      { actorName: "Max Member", action: "UPDATE" },
      { actorName: "Max Member", action: "CREATE" },
      { actorName: "Max Member", action: "DELETE" },
    ]);
  });

  it("viewer of A: forbidden on A's runs (edit, delete) and a field error for A as a new run's team; viewer of B: A's run is not found", async () => {
    const before = await digests();
    expect(await edit(fx.readOnlyViewer, runA)).toEqual(FORBIDDEN_WRITE);
    expect(await submitTrainingRunDelete({ viewer: fx.readOnlyViewer, id: runA })).toEqual(FORBIDDEN_WRITE);
    expect(await submitTrainingRun({ viewer: fx.readOnlyViewer, id: null, formData: form(runFields()), now })).toEqual({ status: "invalid", fieldErrors: readOnlyTeam("Research") });
    expect(await edit(fx.otherTeamViewer, runA)).toMatchObject({ status: "notFound" });
    expect(await submitTrainingRunDelete({ viewer: fx.otherTeamViewer, id: runA })).toMatchObject({ status: "notFound" });
    expect(await digests()).toEqual(before);
  });

  it("org admin and team admin: the org admin writes and moves across teams; a team admin writes its own team only", async () => {
    expect(await edit(fx.teamAdminViewer, runA)).toMatchObject({ status: "saved" });
    expect(await edit(fx.teamAdminViewer, runB)).toMatchObject({ status: "notFound" });
    expect(await edit(fx.viewer, runB, { teamId: String(fx.otherTeamId), name: "b-renamed" })).toMatchObject({ status: "saved" });
    expect(await edit(fx.viewer, runA, { teamId: String(fx.otherTeamId), name: "moved", _version: "2" })).toMatchObject({ status: "saved" });
    expect((await client.query(`select "teamId" from training_runs where id = $1`, [runA])).rows[0].teamId).toBe(fx.otherTeamId);
  });
});

describe("inference deployments", () => {
  const edit = (viewer: OrgFixture["viewer"], id: number, overrides: Record<string, string> = {}) =>
    submitInferenceDeployment({ viewer, id, formData: form(deploymentFields(fx, { name: "renamed", _version: "1", ...overrides })) });

  it("editor of A: writes A; B is not found and can't be chosen or moved into; nothing changes", async () => {
    const before = await digests();
    expect(await edit(fx.memberViewer, depB)).toMatchObject({ status: "notFound" });
    expect(await submitInferenceDeploymentDelete({ viewer: fx.memberViewer, id: depB })).toMatchObject({ status: "notFound" });
    expect(await submitInferenceDeployment({ viewer: fx.memberViewer, id: null, formData: form(deploymentFields(fx, { teamId: String(fx.otherTeamId) })) })).toEqual({ status: "invalid", fieldErrors: TEAM_MISSING });
    expect(await edit(fx.memberViewer, depA, { teamId: String(fx.otherTeamId) })).toEqual({ status: "invalid", fieldErrors: TEAM_MISSING });
    expect(await digests()).toEqual(before);
    expect(await edit(fx.memberViewer, depA)).toMatchObject({ status: "saved" });
    expect(await submitInferenceDeploymentDelete({ viewer: fx.memberViewer, id: depA })).toMatchObject({ status: "saved" });
  });

  it("viewer of A: forbidden; viewer of B: not found; org admin: writes B", async () => {
    const before = await digests();
    expect(await edit(fx.readOnlyViewer, depA)).toEqual(FORBIDDEN_WRITE);
    expect(await submitInferenceDeploymentDelete({ viewer: fx.readOnlyViewer, id: depA })).toEqual(FORBIDDEN_WRITE);
    expect(await submitInferenceDeployment({ viewer: fx.readOnlyViewer, id: null, formData: form(deploymentFields(fx)) })).toEqual({ status: "invalid", fieldErrors: readOnlyTeam("Research") });
    expect(await edit(fx.otherTeamViewer, depA)).toMatchObject({ status: "notFound" });
    expect(await digests()).toEqual(before);
    expect(await edit(fx.viewer, depB, { teamId: String(fx.otherTeamId) })).toMatchObject({ status: "saved" });
  });
});

describe("usage windows", () => {
  const create = (viewer: OrgFixture["viewer"], deploymentId: number) =>
    submitUsageWindow({ viewer, deploymentId, start: null, formData: form(usageFields()), now });
  const START = "2026-11-01T00:00:00.000Z";

  it("editor of A records A's usage; B's deployment is not found; viewer of A is forbidden; org admin records B's", async () => {
    const before = await digests();
    expect(await create(fx.memberViewer, depB)).toMatchObject({ status: "notFound" });
    expect(await submitUsageWindowDelete({ viewer: fx.memberViewer, deploymentId: depB, start: START })).toMatchObject({ status: "notFound" });
    expect(await submitUsageWindow({ viewer: fx.memberViewer, deploymentId: depB, start: START, formData: form(usageFields({ _version: "1" })), now })).toMatchObject({ status: "notFound" });
    expect(await create(fx.readOnlyViewer, depA)).toEqual(FORBIDDEN_WRITE);
    expect(await submitUsageWindowDelete({ viewer: fx.readOnlyViewer, deploymentId: depA, start: START })).toEqual(FORBIDDEN_WRITE);
    expect(await submitUsageWindow({ viewer: fx.readOnlyViewer, deploymentId: depA, start: START, formData: form(usageFields({ windowStart: "2026-11-01T00:00", windowSeconds: "3600", _version: "1" })), now })).toEqual(FORBIDDEN_WRITE);
    expect(await create(fx.otherTeamViewer, depA)).toMatchObject({ status: "notFound" });
    expect(await digests()).toEqual(before);

    expect(await create(fx.memberViewer, depA)).toMatchObject({ status: "saved" });
    expect(await submitUsageWindowDelete({ viewer: fx.memberViewer, deploymentId: depA, start: START })).toMatchObject({ status: "saved" });
    expect(await create(fx.viewer, depB)).toMatchObject({ status: "saved" });
  });
});

describe("restore (undo)", () => {
  it("takes team:write on the deleted record's team: editor of A restores A, B's delete doesn't exist for them, viewer of A is forbidden", async () => {
    const deleted = async (id: number) => {
      const state = await submitTrainingRunDelete({ viewer: fx.viewer, id });
      if (state.status !== "saved" || state.deletedId === undefined) throw new Error(JSON.stringify(state));
      return state.deletedId;
    };
    const deletedA = await deleted(runA);
    const deletedB = await deleted(runB);
    const window = await submitUsageWindowDelete({ viewer: fx.viewer, deploymentId: depB, start: "2026-11-01T00:00:00.000Z" });
    if (window.status !== "saved") throw new Error(JSON.stringify(window));

    // Recently deleted lists only what the person may undo.
    expect((await recentlyDeleted({ viewer: fx.memberViewer })).map((d) => d.id)).toEqual([deletedA]);
    expect(await recentlyDeleted({ viewer: fx.readOnlyViewer })).toEqual([]);
    expect((await recentlyDeleted({ viewer: fx.viewer })).map((d) => d.id).sort()).toEqual([deletedA, deletedB, window.deletedId].sort());

    const before = await digests();
    // Another team's delete answers exactly as an id that was never deleted.
    const nothing = { status: "notFound", message: "There is nothing to undo: it is too old or was never deleted." };
    expect(await submitRestore({ viewer: fx.memberViewer, deletedId: deletedB })).toEqual(nothing);
    expect(await submitRestore({ viewer: fx.memberViewer, deletedId: 999_999_999 })).toEqual(nothing);
    expect(await submitRestore({ viewer: fx.memberViewer, deletedId: window.deletedId })).toEqual(nothing);
    expect(await submitRestore({ viewer: fx.readOnlyViewer, deletedId: deletedA })).toEqual(FORBIDDEN_WRITE);
    expect(await submitRestore({ viewer: fx.otherTeamViewer, deletedId: deletedA })).toEqual(nothing);
    expect(await digests()).toEqual(before);

    expect(await submitRestore({ viewer: fx.memberViewer, deletedId: deletedA })).toMatchObject({ status: "saved", path: `/training/${runA}` });
    expect(await submitRestore({ viewer: fx.viewer, deletedId: deletedB })).toMatchObject({ status: "saved", path: `/training/${runB}` });
    expect(await submitRestore({ viewer: fx.viewer, deletedId: window.deletedId })).toMatchObject({ status: "saved", path: `/inference/${depB}` });
  });

  it("takes org:manage for teams and the GPU catalog", async () => {
    await client.query(`delete from gpu_prices where "gpuTypeId" in (select id from gpu_types where name = 'Spare')`);
    const { rows } = await client.query(
      `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'Spare', 80, 989.5, 3350) returning id`,
      [fx.orgId],
    );
    const { submitGpuTypeDelete } = await import("./gpu-types");
    const state = await submitGpuTypeDelete({ viewer: fx.viewer, id: rows[0].id });
    if (state.status !== "saved" || state.deletedId === undefined) throw new Error(JSON.stringify(state));
    const before = await digests();
    for (const member of [fx.memberViewer, fx.teamAdminViewer, fx.readOnlyViewer]) {
      expect(await submitRestore({ viewer: member, deletedId: state.deletedId })).toMatchObject({ status: "denied", denied: { kind: "forbidden" } });
    }
    expect(await digests()).toEqual(before);
    expect(await submitRestore({ viewer: fx.ownerViewer, deletedId: state.deletedId })).toMatchObject({ status: "saved" });
  });
});

describe("suggestion decisions", () => {
  const PERIOD = { start: new Date("2026-09-21T00:00:00.000Z"), end: new Date("2026-10-20T10:00:00.000Z") };
  const snapshotFor = (id: number): SuggestionSnapshot => {
    const suggestion: Suggestion = {
      id: `idle-capacity:deployment:${id}`,
      ruleId: "idle-capacity",
      title: "Scale down a mostly idle deployment",
      subject: { kind: "deployment", id, name: "chat-prod", teamId: 0 },
      evidence: [{ label: "Idle share of recorded time", value: "62.0%", period: PERIOD }],
      action: "Run 1 GPU instead of 2",
      monthlySaving: { lowCents: 120_000n, highCents: 180_000n },
      confidence: "medium",
      effectSource: { kind: "assumption", text: "Idle time costs what busy time costs" },
    };
    return { suggestion: { ...suggestion, evidence: [...suggestion.evidence] }, period: PERIOD, metric: { kind: "idleShare", label: "Idle share of recorded time", value: 0.62, text: "62.0%" }, baseMonthlyCents: 365_000n };
  };
  const lookup: SuggestionLookup = async ({ key: k }) => ({ snapshot: snapshotFor(k.itemId) });
  const decide = (viewer: OrgFixture["viewer"], deploymentId: number, decision = "dismiss") =>
    submitSuggestionDecision({ viewer, formData: form({ suggestionKey: `idle-capacity:deployment:${deploymentId}`, decision }), now, lookup });

  it("take team:write on the item's team: editor of A decides A's, B's item doesn't exist for them; viewer of A is forbidden; org admin decides B's", async () => {
    const before = await digests();
    expect(await decide(fx.memberViewer, depB)).toEqual({ status: "notFound", message: `No deployment #${depB} in this organization` });
    expect(await decide(fx.readOnlyViewer, depA)).toEqual(FORBIDDEN_WRITE);
    expect(await decide(fx.otherTeamViewer, depA)).toMatchObject({ status: "notFound" });
    expect(await digests()).toEqual(before);

    expect(await decide(fx.memberViewer, depA)).toMatchObject({ status: "saved" });
    expect(await decide(fx.viewer, depB)).toMatchObject({ status: "saved" });
    // Reopening is a decision too.
    expect(await decide(fx.readOnlyViewer, depA, "reopen")).toEqual(FORBIDDEN_WRITE);
    expect(await decide(fx.memberViewer, depB, "reopen")).toMatchObject({ status: "notFound" });
    expect((await client.query(`select count(*)::int as n from suggestion_states`)).rows[0].n).toBe(2);
    expect(await decide(fx.memberViewer, depA, "reopen")).toMatchObject({ status: "saved" });
  });
});
