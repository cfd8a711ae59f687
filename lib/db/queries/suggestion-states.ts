import "server-only";
import { canAnyTeam, canTeam, orgTeamRowWhere, teamIdsFor, teamRecordWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { bucketStart } from "@/lib/domain/calendar";
import { lastDays } from "@/lib/domain/date-ranges";
import { suggestionsFor } from "@/lib/domain/suggestions";
import { deploymentMonthlyCents, runMonthlyComputeCents } from "@/lib/domain/suggestions/derived";
import { comparisonWindows, deploymentMetric, deploymentOutcome, RULE_METRIC, runOutcome, runsComputeRate, type Outcome } from "@/lib/domain/suggestions/outcome";
import type { Suggestion } from "@/lib/domain/suggestions/types";
import type { TimeRange } from "@/lib/domain/time-range";
import { parseSuggestionKey, suggestionSnapshotSchema, type SuggestionKey, type SuggestionSnapshot } from "@/lib/validation/suggestion-states";
import { db } from "../client";
import type { SuggestionStatusValue } from "../mutations/suggestion-states";
import { loadSuggestionFacts, suggestionPeriod, type SuggestionScope } from "./suggestions";

/**
 * Suggestions with what people decided about them (suggestion_states):
 * - open: listed and not decided, or snoozed until an instant that has passed;
 * - dismissed and snoozed: hidden, but counted and listed on request (only
 *   those the rules still raise);
 * - applied: every applied decision in the scope, whether or not the rule
 *   still fires, with its before/after (lib/domain/suggestions/outcome.ts)
 *   read through loadSuggestionFacts, the same read model the rules use.
 */

export interface StoredSuggestionState {
  id: number;
  key: SuggestionKey;
  teamId: number;
  status: SuggestionStatusValue;
  snoozedUntil: Date | null;
  appliedAt: Date | null;
  snapshot: SuggestionSnapshot;
  actorName: string;
  updatedAt: Date;
}

function scopeWhere(scope: SuggestionScope) {
  switch (scope.kind) {
    case "org":
      return {};
    case "team":
      return { teamId: scope.teamId };
    case "run":
      return { itemKind: "run", itemId: scope.id };
    case "deployment":
      return { itemKind: "deployment", itemId: scope.id };
  }
}

/** The decisions within the scope (a team's: those kept under it) about teams the viewer may see, newest first. Rows that fail to parse are left out. */
export async function loadSuggestionStates({ viewer, scope }: { viewer: Viewer; scope: SuggestionScope }): Promise<StoredSuggestionState[]> {
  const rows = await db().suggestionState.findMany({ where: { AND: [orgTeamRowWhere(viewer), scopeWhere(scope)] }, orderBy: [{ updatedAt: "desc" }, { id: "desc" }] });
  const states: StoredSuggestionState[] = [];
  for (const row of rows) {
    const key = parseSuggestionKey(row.suggestionKey);
    const snapshot = suggestionSnapshotSchema.safeParse(row.snapshot);
    if (!key || !snapshot.success) continue;
    states.push({
      id: row.id,
      key,
      teamId: row.teamId,
      status: row.status,
      snoozedUntil: row.snoozedUntil,
      appliedAt: row.appliedAt,
      snapshot: snapshot.data,
      actorName: row.actorName,
      updatedAt: row.updatedAt,
    });
  }
  return states;
}

export interface DecidedSuggestion {
  suggestion: Suggestion;
  state: StoredSuggestionState;
}

export interface MergedSuggestions {
  open: Suggestion[];
  dismissed: DecidedSuggestion[];
  snoozed: DecidedSuggestion[];
  applied: StoredSuggestionState[];
}

/** Pure: the listed suggestions (ranked) with the decisions at `now`. */
export function mergeSuggestionStates({ suggestions, states, now }: { suggestions: readonly Suggestion[]; states: readonly StoredSuggestionState[]; now: Date }): MergedSuggestions {
  const byKey = new Map(states.map((s) => [s.key.key, s]));
  const merged: MergedSuggestions = { open: [], dismissed: [], snoozed: [], applied: states.filter((s) => s.status === "APPLIED") };
  for (const suggestion of suggestions) {
    const state = byKey.get(suggestion.id);
    if (!state || (state.status === "SNOOZED" && state.snoozedUntil !== null && state.snoozedUntil.getTime() <= now.getTime())) merged.open.push(suggestion);
    else if (state.status === "DISMISSED") merged.dismissed.push({ suggestion, state });
    else if (state.status === "SNOOZED") merged.snoozed.push({ suggestion, state });
  }
  return merged;
}

/**
 * The suggestion as the rules raise it now for its item (the suggestions
 * period in `timeZone`), with the snapshot to store: the metric it is meant
 * to move and the monthly cost its saving is a share of. Null when the rule
 * no longer fires for the item (or there is no such item).
 */
export async function currentSuggestion({ viewer, key, now, timeZone = viewer.orgTimeZone }: { viewer: Viewer; key: SuggestionKey; now: Date; timeZone?: string }): Promise<{ suggestion: Suggestion; snapshot: SuggestionSnapshot } | null> {
  const scope: SuggestionScope = { kind: key.itemKind, id: key.itemId };
  const period = suggestionPeriod({ now, timeZone });
  const facts = await loadSuggestionFacts({ viewer, scope, period, now, timeZone });
  const suggestion = suggestionsFor(facts).find((s) => s.id === key.key);
  if (!suggestion) return null;
  const run = facts.runs.find((r) => r.id === key.itemId);
  const deployment = facts.deployments.find((d) => d.id === key.itemId);
  const metricKind = RULE_METRIC[key.ruleId];
  const metric = key.itemKind === "run" ? (run ? runsComputeRate([run]) : null) : deployment ? deploymentMetric(metricKind, deployment) : null;
  const base = key.itemKind === "run" ? (run ? runMonthlyComputeCents(run) : null) : deployment ? deploymentMonthlyCents(deployment) : null;
  return { suggestion, snapshot: { suggestion: { ...suggestion, evidence: [...suggestion.evidence] }, period, metric, baseMonthlyCents: base } };
}

/** The whole local days in `timeZone` covering [start, end). */
function wholeDays(range: TimeRange, timeZone: string): TimeRange {
  const start = bucketStart({ instant: range.start, unit: "day", timeZone });
  const end = lastDays({ now: new Date(range.end.getTime() - 1), days: 1, timeZone }).end;
  return { start, end: end.getTime() > start.getTime() ? end : lastDays({ now: start, days: 1, timeZone }).end };
}

/** Before/after of an applied suggestion; null when the item is gone or nothing has elapsed yet. */
export async function appliedOutcome({ viewer, state, now, timeZone }: { viewer: Viewer; state: StoredSuggestionState; now: Date; timeZone: string }): Promise<Outcome | null> {
  if (!state.appliedAt) return null;
  const windows = comparisonWindows({ appliedAt: state.appliedAt, now, timeZone });
  if (!windows) return null;
  const { suggestion } = state.snapshot;
  const estimate = suggestion.monthlySaving;
  if (state.key.itemKind === "deployment") {
    const scope: SuggestionScope = { kind: "deployment", id: state.key.itemId };
    const [before, after] = await Promise.all([
      loadSuggestionFacts({ viewer, scope, period: windows.before, now, timeZone }),
      loadSuggestionFacts({ viewer, scope, period: windows.after, now, timeZone }),
    ]);
    const find = (facts: typeof before) => facts.deployments.find((d) => d.id === state.key.itemId) ?? null;
    return deploymentOutcome({ ruleId: state.key.ruleId, windows, before: find(before), after: find(after), estimate, costsMoney: suggestion.costsMoney ?? false });
  }
  const run = await db().trainingRun.findFirst({
    where: { ...teamRecordWhere(viewer), id: state.key.itemId },
    select: { id: true, teamId: true, model: true, startedAt: true, endedAt: true },
  });
  if (!run) return null;
  const runPeriod = wholeDays({ start: run.startedAt, end: run.endedAt && run.endedAt.getTime() < now.getTime() ? run.endedAt : now }, timeZone);
  const laterIds = (
    await db().trainingRun.findMany({
      where: { ...teamRecordWhere(viewer), teamId: run.teamId, model: run.model, id: { not: run.id }, startedAt: { gte: windows.after.start } },
      select: { id: true },
    })
  ).map((r) => r.id);
  const [own, later] = await Promise.all([
    loadSuggestionFacts({ viewer, scope: { kind: "run", id: run.id }, period: runPeriod, now, timeZone }),
    laterIds.length > 0 ? loadSuggestionFacts({ viewer, scope: { kind: "team", teamId: run.teamId }, period: windows.after, now, timeZone }) : Promise.resolve({ runs: [], deployments: [] }),
  ]);
  const ownFacts = own.runs.find((r) => r.id === run.id) ?? null;
  const base = state.snapshot.baseMonthlyCents ?? (ownFacts ? runMonthlyComputeCents(ownFacts) : 0n);
  return runOutcome({
    run: ownFacts,
    runPeriod,
    later: later.runs.filter((r) => laterIds.includes(r.id)),
    afterPeriod: windows.afterElapsed,
    baseMonthlyCents: base,
    estimate,
  });
}

export interface AppliedSuggestion {
  state: StoredSuggestionState;
  outcome: Outcome | null;
}

export interface SuggestionPanelData {
  period: TimeRange;
  timeZone: string;
  /** May the viewer act on suggestions of the panel's scope (its team's, or at least one team's on org-wide panels)? */
  canWrite: boolean;
  /** The teams whose suggestions the viewer may act on ("all": every team); per suggestion, check its teamId. */
  writableTeamIds: number[] | "all";
  open: Suggestion[];
  dismissed: DecidedSuggestion[];
  snoozed: DecidedSuggestion[];
  applied: AppliedSuggestion[];
}

/** At most this many applied suggestions get a before/after per panel (newest first). */
const MAX_APPLIED = 10;

/** Everything a suggestions panel shows for a scope, in `timeZone` (the view's). */
export async function suggestionPanelData(
  { viewer, scope, now, timeZone = viewer.orgTimeZone }: { viewer: Viewer; scope: SuggestionScope; now: Date; timeZone?: string },
  /** How the period's facts are read (the read cache reads runs and deployments apart: lib/cache/read-models.ts). */
  loadFacts: typeof loadSuggestionFacts = loadSuggestionFacts,
): Promise<SuggestionPanelData> {
  const period = suggestionPeriod({ now, timeZone });
  const [facts, states] = await Promise.all([loadFacts({ viewer, scope, period, now, timeZone }), loadSuggestionStates({ viewer, scope })]);
  const merged = mergeSuggestionStates({ suggestions: suggestionsFor(facts), states, now });
  const applied = await Promise.all(merged.applied.slice(0, MAX_APPLIED).map(async (state) => ({ state, outcome: await appliedOutcome({ viewer, state, now, timeZone }) })));
  return { period, timeZone, canWrite: canWriteScope(viewer, scope, facts, states), writableTeamIds: teamIdsFor(viewer, "team:write"), open: merged.open, dismissed: merged.dismissed, snoozed: merged.snoozed, applied };
}

/** team:write on the scope's team; on an item's panel, on the item's team; on the org's, on any team. */
function canWriteScope(
  viewer: Viewer,
  scope: SuggestionScope,
  facts: { runs: readonly { id: number; teamId: number }[]; deployments: readonly { id: number; teamId: number }[] },
  states: readonly StoredSuggestionState[],
): boolean {
  switch (scope.kind) {
    case "org":
      return canAnyTeam(viewer, "team:write");
    case "team":
      return canTeam(viewer, "team:write", scope.teamId);
    case "run":
    case "deployment": {
      // The item's team from its facts, else from a decision about it; with neither, the panel has nothing to act on.
      const teamId = (scope.kind === "run" ? facts.runs : facts.deployments).find((i) => i.id === scope.id)?.teamId ?? states[0]?.teamId;
      return teamId !== undefined && canTeam(viewer, "team:write", teamId);
    }
  }
}
