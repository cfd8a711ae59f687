import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appliedOutcome, loadSuggestionStates, mergeSuggestionStates } from "@/lib/db/queries/suggestion-states";
import type { Suggestion } from "@/lib/domain/suggestions/types";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { auditOf, form, insertDeploymentWithUsage, insertRun } from "@/lib/testing/settings-helpers";
import type { SuggestionSnapshot } from "@/lib/validation/suggestion-states";
import { submitSuggestionDecision, type SuggestionLookup } from "./suggestion-states";

// Decisions on suggestions against a real database: persisted per the item's
// team (from the database, not the suggestion), who and when, audited,
// snoozes that end at their instant, reopening, roles, and field errors.
let fx: OrgFixture;
let client: pg.Client;
let deploymentId: number;
let runId: number;

const now = new Date("2026-10-20T10:00:00Z");
const PERIOD = { start: new Date("2026-09-21T00:00:00Z"), end: now };

function suggestionFor(kind: "run" | "deployment", id: number, ruleId: Suggestion["ruleId"] = "idle-capacity"): Suggestion {
  return {
    id: `${ruleId}:${kind}:${id}`,
    ruleId,
    title: "Scale down a mostly idle deployment",
    // A team id the database doesn't back: the state must be kept under the item's real team.
    subject: { kind, id, name: "chat-prod", teamId: 999_999 },
    evidence: [{ label: "Idle share of recorded time", value: "62.0%", period: PERIOD }],
    action: "Run 1 GPU instead of 2",
    monthlySaving: { lowCents: 120_000n, highCents: 180_000n },
    confidence: "medium",
    effectSource: { kind: "assumption", text: "Idle time costs what busy time costs" },
  };
}

function snapshotOf(suggestion: Suggestion): SuggestionSnapshot {
  return {
    suggestion: { ...suggestion, evidence: [...suggestion.evidence] },
    period: PERIOD,
    metric: { kind: "idleShare", label: "Idle share of recorded time", value: 0.62, text: "62.0%" },
    baseMonthlyCents: 365_000n,
  };
}

/** The rules "raise" exactly these suggestions (the read model is tested on its own). */
const raised = () => [suggestionFor("deployment", deploymentId), suggestionFor("run", runId, "mixed-precision")];
const lookup: SuggestionLookup = async ({ key }) => {
  const s = raised().find((x) => x.id === key.key);
  return s ? { snapshot: snapshotOf(s) } : null;
};

const decide = (fields: Record<string, string>, options: { viewer?: OrgFixture["viewer"]; at?: Date } = {}) =>
  submitSuggestionDecision({ viewer: options.viewer ?? fx.viewer, formData: form(fields), now: options.at ?? now, lookup });

async function stateRows() {
  const { rows } = await client.query(`select "orgId", "teamId", "suggestionKey", "ruleId", "itemKind", "itemId", status::text, "snoozedUntil", "appliedAt", "userId", "actorName", snapshot from suggestion_states order by id`);
  return rows;
}

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  deploymentId = await insertDeploymentWithUsage(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId });
  runId = await insertRun(client, { teamId: fx.otherTeamId, gpuTypeId: fx.gpuTypeId });
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from suggestion_states; delete from audit_entries`);
});

describe("decisions", () => {
  it("dismisses under the item's team, with who, the snapshot and an audit entry", async () => {
    const key = `idle-capacity:deployment:${deploymentId}`;
    const state = await decide({ suggestionKey: key, decision: "dismiss" });
    expect(state).toEqual({ status: "saved", id: expect.any(String), isReplay: false });
    const [row] = await stateRows();
    expect(row).toMatchObject({ orgId: fx.orgId, teamId: fx.teamId, suggestionKey: key, ruleId: "idle-capacity", itemKind: "deployment", itemId: deploymentId, status: "DISMISSED" });
    expect(row).toMatchObject({ snoozedUntil: null, appliedAt: null, userId: fx.viewer.userId, actorName: "Ada Admin" });
    // Money in the snapshot is exact decimal text, periods are ISO instants.
    expect(row.snapshot.suggestion.monthlySaving).toEqual({ lowCents: "120000", highCents: "180000" });
    expect(row.snapshot.metric).toEqual({ kind: "idleShare", label: "Idle share of recorded time", value: 0.62, text: "62.0%" });
    expect(row.snapshot.period).toEqual({ start: "2026-09-21T00:00:00.000Z", end: "2026-10-20T10:00:00.000Z" });
    const entries = await auditOf(client, "suggestion", key);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "CREATE", before: null, actorName: "Ada Admin", source: "form" });
    expect(entries[0].after).toMatchObject({ status: "DISMISSED", teamId: fx.teamId, savingLowCents: "120000", savingHighCents: "180000", metric: "Idle share of recorded time: 62.0%" });

    const states = await loadSuggestionStates({ viewer: fx.viewer, scope: { kind: "org" } });
    const merged = mergeSuggestionStates({ suggestions: raised(), states, now });
    expect(merged.open.map((s) => s.id)).toEqual([`mixed-precision:run:${runId}`]);
    expect(merged.dismissed.map((d) => d.suggestion.id)).toEqual([key]);
  });

  it("snoozes for 7 days: hidden until snoozedUntil, shown again from that instant on", async () => {
    const key = `idle-capacity:deployment:${deploymentId}`;
    await decide({ suggestionKey: key, decision: "dismiss" });
    expect(await decide({ suggestionKey: key, decision: "snooze", snoozeDays: "7" })).toMatchObject({ status: "saved" });
    const until = new Date(now.getTime() + 7 * 86_400_000);
    const rows = await stateRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "SNOOZED", snoozedUntil: until });
    const entries = await auditOf(client, "suggestion", key);
    expect(entries.map((e) => e.action)).toEqual(["CREATE", "UPDATE"]);
    expect(entries[1].before).toMatchObject({ status: "DISMISSED" });
    expect(entries[1].changedFields).toEqual(expect.arrayContaining(["status", "snoozedUntil"]));

    const states = await loadSuggestionStates({ viewer: fx.viewer, scope: { kind: "deployment", id: deploymentId } });
    const at = (instant: Date) => mergeSuggestionStates({ suggestions: raised(), states, now: instant });
    expect(at(new Date(until.getTime() - 1)).snoozed.map((d) => d.suggestion.id)).toEqual([key]);
    expect(at(new Date(until.getTime() - 1)).open.map((s) => s.id)).not.toContain(key);
    expect(at(until).open.map((s) => s.id)).toContain(key);
    expect(at(until).snoozed).toEqual([]);
  });

  it("marks applied on a local date of the form's zone and keeps it per team", async () => {
    const key = `mixed-precision:run:${runId}`;
    const state = await decide({ suggestionKey: key, decision: "apply", appliedOn: "2026-10-06", _timeZone: "America/New_York" });
    expect(state).toMatchObject({ status: "saved" });
    const [row] = await stateRows();
    // Midnight in New York on Oct 6 (EDT, UTC−4); the run belongs to the other team.
    expect(row).toMatchObject({ status: "APPLIED", appliedAt: new Date("2026-10-06T04:00:00Z"), teamId: fx.otherTeamId });
    expect(await loadSuggestionStates({ viewer: fx.viewer, scope: { kind: "team", teamId: fx.otherTeamId } })).toHaveLength(1);
    expect(await loadSuggestionStates({ viewer: fx.viewer, scope: { kind: "team", teamId: fx.teamId } })).toEqual([]);
    const states = await loadSuggestionStates({ viewer: fx.viewer, scope: { kind: "org" } });
    const merged = mergeSuggestionStates({ suggestions: raised(), states, now });
    expect(merged.applied.map((s) => s.key.key)).toEqual([key]);
    expect(merged.applied[0]!.snapshot.baseMonthlyCents).toBe(365_000n);
    expect(merged.open.map((s) => s.id)).not.toContain(key);
  });

  it("applies now when no date is given, and reopens with an audited delete", async () => {
    const key = `idle-capacity:deployment:${deploymentId}`;
    await decide({ suggestionKey: key, decision: "apply" }, { viewer: fx.memberViewer });
    expect((await stateRows())[0]).toMatchObject({ status: "APPLIED", appliedAt: now, actorName: "Max Member" });
    expect(await decide({ suggestionKey: key, decision: "reopen" })).toMatchObject({ status: "saved" });
    expect(await stateRows()).toEqual([]);
    const entries = await auditOf(client, "suggestion", key);
    expect(entries.map((e) => e.action)).toEqual(["CREATE", "DELETE"]);
    expect(entries[1]).toMatchObject({ after: null, actorName: "Ada Admin" });
    expect(entries[1].before).toMatchObject({ status: "APPLIED", decidedBy: "Max Member" });
  });
});

describe("refusals", () => {
  it("names the field of bad input", async () => {
    const key = `idle-capacity:deployment:${deploymentId}`;
    expect(await decide({ suggestionKey: key, decision: "snooze" })).toEqual({ status: "invalid", fieldErrors: { snoozeDays: ["Snooze for 7 or 30 days"] } });
    expect(await decide({ suggestionKey: key, decision: "snooze", snoozeDays: "3" })).toEqual({ status: "invalid", fieldErrors: { snoozeDays: ["Snooze for 7 or 30 days"] } });
    expect(await decide({ suggestionKey: "idle-capacity:team:1", decision: "dismiss" })).toMatchObject({ status: "invalid", fieldErrors: { suggestionKey: [expect.stringContaining("Not a suggestion")] } });
    expect(await decide({ suggestionKey: "'; drop table suggestion_states; --", decision: "dismiss" })).toMatchObject({ status: "invalid", fieldErrors: { suggestionKey: [expect.any(String)] } });
    expect(await decide({ suggestionKey: key, decision: "delete" })).toEqual({ status: "invalid", fieldErrors: { decision: ["Choose dismiss, snooze, applied or reopen"] } });
    expect(await decide({ decision: "dismiss" })).toMatchObject({ status: "invalid", fieldErrors: { suggestionKey: [expect.any(String)] } });
    expect(await decide({ suggestionKey: key, decision: "apply", appliedOn: "2026-02-30" })).toEqual({ status: "invalid", fieldErrors: { appliedOn: ["Applied on must be a date (YYYY-MM-DD)"] } });
    expect(await decide({ suggestionKey: key, decision: "apply", appliedOn: "2026-10-21" })).toEqual({ status: "invalid", fieldErrors: { appliedOn: ["Applied on can't be in the future"] } });
    expect(await decide({ suggestionKey: key, decision: "apply", appliedOn: "2025-01-01" })).toEqual({ status: "invalid", fieldErrors: { appliedOn: ["Applied on must be within the last 365 days"] } });
    expect(await stateRows()).toEqual([]);
  });

  it("refuses read-only viewers, other orgs' items and suggestions that no longer apply", async () => {
    const key = `idle-capacity:deployment:${deploymentId}`;
    expect(await decide({ suggestionKey: key, decision: "dismiss" }, { viewer: fx.readOnlyViewer })).toEqual({ status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not change this team's records (a team editor or admin can)." } });
    const { rows } = await client.query(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, 'rival-chat', 'm', 'VLLM', 'NONE', 'CONTINUOUS', $2, 'aws', 'ON_DEMAND', 1, '2026-03-01', now()) returning id`,
      [fx.foreignTeamId, fx.foreignGpuTypeId],
    );
    const foreign = `idle-capacity:deployment:${rows[0].id}`;
    const foreignLookup: SuggestionLookup = async ({ key: k }) => ({ snapshot: snapshotOf({ ...suggestionFor("deployment", k.itemId), id: k.key }) });
    expect(await submitSuggestionDecision({ viewer: fx.viewer, formData: form({ suggestionKey: foreign, decision: "dismiss" }), now, lookup: foreignLookup })).toEqual({
      status: "notFound",
      message: `No deployment #${rows[0].id} in this organization`,
    });
    expect(await decide({ suggestionKey: `prefix-caching:deployment:${deploymentId}`, decision: "dismiss" })).toMatchObject({ status: "notFound", message: expect.stringContaining("no longer applies") });
    expect(await stateRows()).toEqual([]);
    expect(await auditOf(client, "suggestion", key)).toEqual([]);
  });
});

describe("before/after of an applied run suggestion", () => {
  it("says there is no comparable run until the team runs the same model again, then compares $/1M tokens from the ledger", async () => {
    // The applied run: 8 GPUs × 24 h × $2.50 = $480.00 of compute for 480M tokens = $1.00 / 1M tokens.
    await client.query(`update training_runs set "tokensProcessed" = 480000000 where id = $1`, [runId]);
    const key = `mixed-precision:run:${runId}`;
    await decide({ suggestionKey: key, decision: "apply", appliedOn: "2026-10-06", _timeZone: "UTC" });
    const [state] = await loadSuggestionStates({ viewer: fx.viewer, scope: { kind: "run", id: runId } });
    const before = await appliedOutcome({ viewer: fx.viewer, state: state!, now, timeZone: "UTC" });
    expect(before).toMatchObject({ subjectKind: "run", actualMonthlySavingCents: null, verdict: { kind: "noData", text: "No comparable run yet (estimate $1,200.00–$1,800.00/month)" } });
    expect(before!.before.metric.text).toBe("$1.00 / 1M tokens");

    // A later run of the same model by the same team: $480.00 for 960M tokens = $0.50 / 1M tokens.
    const later = await insertRun(client, { teamId: fx.otherTeamId, gpuTypeId: fx.gpuTypeId, name: "later", startedAt: "2026-10-10T00:00:00Z", endedAt: "2026-10-11T00:00:00Z" });
    await client.query(`update training_runs set "tokensProcessed" = 960000000 where id = $1`, [later]);
    try {
      const after = await appliedOutcome({ viewer: fx.viewer, state: state!, now, timeZone: "UTC" });
      expect(after!.after.metric.text).toBe("$0.50 / 1M tokens");
      expect(after!.after.note).toBe("1 later run of Llama-3.1-8B");
      expect(after!.trend).toBe("better");
      // Half the compute per token on the run's $3,650.00 a month when applied = $1,825.00.
      expect(after!.actualMonthlySavingCents).toBe(182_500n);
      expect(after!.verdict).toEqual({ kind: "materialized", text: "Saved $1,825.00/month (estimated $1,200.00–$1,800.00/month)" });
    } finally {
      await client.query(`delete from training_runs where id = $1`, [later]);
    }
  });
});
