import { ownOrgId } from "@/lib/access/own-org-id";
import { authorizeTeam, canTeam, orgWhere, teamRecordWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import type { SuggestionKey, SuggestionSnapshot } from "@/lib/validation/suggestion-states";
import { Prisma } from "../sql";
import type { AuditSnapshot } from "./audit";
import { writeAuditEntries } from "./audit";
import { assertAuthorized, notFound, RollbackWith, writeTransaction, type MutationResult, type Tx } from "./records";

/**
 * What people decided about suggestions (suggestion_states): dismissed,
 * snoozed until an instant, or applied at an instant — one row per org and
 * suggestion key, kept under the item's team as the database has it (never
 * the team a client claims), with who and when, and the suggestion as shown
 * (the snapshot: the "before"). Reopening deletes the row. Deciding takes
 * team:write on the item's team (checked after loading the item); every change is audited as entity
 * "suggestion" in the same transaction.
 */

export type SuggestionStatusValue = "DISMISSED" | "SNOOZED" | "APPLIED";

export interface SuggestionStateInput {
  key: SuggestionKey;
  status: SuggestionStatusValue;
  /** SNOOZED only. */
  snoozedUntil: Date | null;
  /** APPLIED only. */
  appliedAt: Date | null;
  snapshot: SuggestionSnapshot;
}

/** The snapshot as JSON: cents as decimal strings, instants as ISO strings. */
export function snapshotJson(snapshot: SuggestionSnapshot): object {
  return JSON.parse(JSON.stringify(snapshot, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))) as object;
}

/** The item's team, from the database and within the teams the viewer may read; null when there is no such item for them. */
export async function itemTeamId(tx: Tx, viewer: Viewer, key: Pick<SuggestionKey, "itemKind" | "itemId">): Promise<number | null> {
  const where = { id: key.itemId, ...teamRecordWhere(viewer) };
  const row =
    key.itemKind === "run"
      ? await tx.trainingRun.findFirst({ where, select: { teamId: true } })
      : await tx.inferenceDeployment.findFirst({ where, select: { teamId: true } });
  return row?.teamId ?? null;
}

interface StateRow {
  teamId: number;
  status: SuggestionStatusValue;
  snoozedUntil: Date | null;
  appliedAt: Date | null;
  actorName: string;
}

function auditOf(row: StateRow, snapshot: SuggestionSnapshot | null): AuditSnapshot {
  return {
    status: row.status,
    teamId: row.teamId,
    snoozedUntil: row.snoozedUntil?.toISOString() ?? null,
    appliedAt: row.appliedAt?.toISOString() ?? null,
    decidedBy: row.actorName,
    ...(snapshot
      ? {
          title: snapshot.suggestion.title,
          savingLowCents: snapshot.suggestion.monthlySaving.lowCents.toString(),
          savingHighCents: snapshot.suggestion.monthlySaving.highCents.toString(),
          metric: snapshot.metric ? `${snapshot.metric.label}: ${snapshot.metric.text}` : null,
        }
      : {}),
  };
}

const noItem = (key: SuggestionKey) => notFound(`No ${key.itemKind === "run" ? "training run" : "deployment"} #${key.itemId} in this organization`);

/** Dismisses, snoozes or marks a suggestion applied (replacing an earlier decision), audited. */
export async function saveSuggestionState({ viewer, input }: { viewer: Viewer; input: SuggestionStateInput }): Promise<MutationResult<{ id: number; teamId: number; status: SuggestionStatusValue }>> {
  const { key, status } = input;
  const snoozedUntil = status === "SNOOZED" ? input.snoozedUntil : null;
  const appliedAt = status === "APPLIED" ? input.appliedAt : null;
  if (status === "SNOOZED" && !snoozedUntil) throw new RangeError("A snooze needs snoozedUntil");
  if (status === "APPLIED" && !appliedAt) throw new RangeError("Applied needs appliedAt");
  return writeTransaction(viewer, async (tx, run) => {
    const teamId = await itemTeamId(tx, viewer, key);
    if (teamId === null) throw new RollbackWith(noItem(key));
    assertAuthorized(authorizeTeam(viewer, "team:write", teamId, key.itemKind === "run" ? "training run" : "deployment"));
    // Org-wide lock: two people deciding at once serialize, and the audit's "before" is the row they replace.
    await run.query(Prisma.sql`select pg_advisory_xact_lock(hashtext('burnrate:suggestion_states'), ${ownOrgId(viewer)}::int)::text`);
    const existing = await tx.suggestionState.findUnique({ where: { orgId_suggestionKey: { ...orgWhere(viewer), suggestionKey: key.key } } });
    const data = {
      teamId,
      ruleId: key.ruleId,
      itemKind: key.itemKind,
      itemId: key.itemId,
      status,
      snoozedUntil,
      appliedAt,
      snapshot: snapshotJson(input.snapshot),
      userId: viewer.userId,
      actorName: viewer.name,
    };
    const saved = await tx.suggestionState.upsert({
      where: { orgId_suggestionKey: { ...orgWhere(viewer), suggestionKey: key.key } },
      create: { orgId: ownOrgId(viewer), suggestionKey: key.key, ...data },
      update: data,
    });
    await writeAuditEntries(run, { viewer, source: "form" }, [
      {
        entityType: "suggestion",
        entityId: key.key,
        action: existing ? "UPDATE" : "CREATE",
        before: existing ? auditOf(existing as StateRow, null) : null,
        after: auditOf({ teamId, status, snoozedUntil, appliedAt, actorName: viewer.name }, input.snapshot),
      },
    ]);
    return { id: saved.id, teamId, status };
  });
}

/** Back to open: the decision is removed (audited as a delete). Not deciding anything is not an error. */
export async function reopenSuggestionState({ viewer, key }: { viewer: Viewer; key: SuggestionKey }): Promise<MutationResult<{ key: string; removed: boolean }>> {
  return writeTransaction(viewer, async (tx, run) => {
    await run.query(Prisma.sql`select pg_advisory_xact_lock(hashtext('burnrate:suggestion_states'), ${ownOrgId(viewer)}::int)::text`);
    const existing = await tx.suggestionState.findUnique({ where: { orgId_suggestionKey: { ...orgWhere(viewer), suggestionKey: key.key } } });
    // Reopening takes team:write on the item's team now (the decision's team when the item is gone).
    // An item the viewer can't see is no item, whatever was decided about it.
    const teamId = (await itemTeamId(tx, viewer, key)) ?? (existing && canTeam(viewer, "team:read", existing.teamId) ? existing.teamId : null);
    if (teamId === null) throw new RollbackWith(noItem(key));
    assertAuthorized(authorizeTeam(viewer, "team:write", teamId, "suggestion"));
    if (!existing) return { key: key.key, removed: false };
    await tx.suggestionState.delete({ where: { id: existing.id } });
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "suggestion", entityId: key.key, action: "DELETE", before: auditOf(existing as StateRow, null), after: null },
    ]);
    return { key: key.key, removed: true };
  });
}
