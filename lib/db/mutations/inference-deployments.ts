import { authorizeTeam, orgWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { formatInstant } from "@/lib/validation/entities/fields";
import type { InferenceDeploymentValues } from "@/lib/validation/entities/inference-deployment";
import type { FieldErrors } from "@/lib/validation/entities/field-errors";
import { auditSnapshot, writeAuditEntries } from "./audit";
import {
  RollbackWith,
  TEAM_MISSING,
  assertAuthorized,
  claimIdempotencyKey,
  databaseErrorCode,
  invalid,
  notFound,
  settleIdempotencyKey,
  staleVersion,
  teamFieldError,
  trashRecord,
  usageSpan,
  writeTransaction,
  type MutationResult,
  type Tx,
} from "./records";
import { refreshTeamUsage } from "./usage-rollups";
import { lockDeployment, windowsOutsidePeriod } from "./usage-window-rules";

/**
 * Inference deployments written by a person: create (idempotent per form),
 * edit (refused when the deployment changed since the form was opened, or
 * when its recorded usage would fall outside a narrowed active period; a move
 * to another team recomputes both teams' usage rollups), delete (undoable,
 * usage kept for the undo). Each is one transaction with its audit entry.
 * Values come parsed by inferenceDeploymentSchema; the deployment is locked
 * within the viewer's read scope and the write authorized against its team
 * (lib/access/policy.ts); the team chosen in the form must be one the viewer
 * may write.
 */

const GPU_TYPE_MISSING = "GPU type not found; it may have been deleted. Choose another";

/** The team must be one the viewer may write, the GPU type the org's; a stale, forged or read-only id is a field error. */
async function assertReferences(tx: Tx, viewer: Viewer, values: Pick<InferenceDeploymentValues, "teamId" | "gpuTypeId">): Promise<void> {
  const [teamError, gpuType] = await Promise.all([
    teamFieldError(tx, viewer, values.teamId),
    tx.gpuType.findFirst({ where: { id: values.gpuTypeId, ...orgWhere(viewer) }, select: { id: true } }),
  ]);
  const errors: FieldErrors = {};
  if (teamError) errors.teamId = [teamError];
  if (!gpuType) errors.gpuTypeId = [GPU_TYPE_MISSING];
  if (Object.keys(errors).length > 0) throw new RollbackWith(invalid(errors));
}

/** A team or GPU type deleted between the check and the write (foreign key) becomes the same field errors. */
function rethrowForeignKey(error: unknown): never {
  if (databaseErrorCode(error) === "23503") throw new RollbackWith(invalid({ teamId: [TEAM_MISSING], gpuTypeId: [GPU_TYPE_MISSING] }));
  throw error;
}

function toData(values: InferenceDeploymentValues) {
  return { ...values };
}

export async function createInferenceDeployment({
  viewer,
  values,
  idempotencyKey,
}: {
  viewer: Viewer;
  values: InferenceDeploymentValues;
  idempotencyKey: string | null;
}): Promise<MutationResult<{ id: number; isReplay: boolean }>> {
  return writeTransaction(viewer, async (tx, run) => {
    if (idempotencyKey) {
      const earlier = await claimIdempotencyKey(run, { viewer, key: idempotencyKey, action: "inferenceDeployment.create" });
      if (earlier) return { id: Number(earlier), isReplay: true };
    }
    await assertReferences(tx, viewer, values);
    const created = await tx.inferenceDeployment.create({ data: toData(values) }).catch(rethrowForeignKey);
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "inferenceDeployment", entityId: String(created.id), action: "CREATE", before: null, after: auditSnapshot(created) },
    ]);
    if (idempotencyKey) await settleIdempotencyKey(run, { viewer, key: idempotencyKey, entityId: String(created.id) });
    return { id: created.id, isReplay: false };
  });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Refuses a period that would leave recorded usage outside it, naming how much and where on the field that moved. */
async function assertUsageInsidePeriod(
  run: Parameters<typeof windowsOutsidePeriod>[0],
  { deploymentId, values, timeZone }: { deploymentId: number; values: InferenceDeploymentValues; timeZone: string },
): Promise<void> {
  const outside = await windowsOutsidePeriod(run, { deploymentId, activeFrom: values.activeFrom, activeTo: values.activeTo });
  const errors: FieldErrors = {};
  const at = (instant: Date) => formatInstant(instant, timeZone);
  if (outside.before) {
    errors.activeFrom = [
      `${plural(outside.before.count, "usage record")} ${outside.before.count === 1 ? "starts" : "start"} before this (earliest ${at(outside.before.earliest)}); choose an earlier start, or delete or move that usage first`,
    ];
  }
  if (outside.after) {
    errors.activeTo = [
      `${plural(outside.after.count, "usage record")} ${outside.after.count === 1 ? "ends" : "end"} after this (latest ends ${at(outside.after.latestEnd)}); choose a later end, or delete or move that usage first`,
    ];
  }
  if (Object.keys(errors).length > 0) throw new RollbackWith(invalid(errors));
}

export async function updateInferenceDeployment({
  viewer,
  id,
  expectedVersion,
  values,
  timeZone,
}: {
  viewer: Viewer;
  id: number;
  expectedVersion: number;
  values: InferenceDeploymentValues;
  /** The form's zone, for times in field errors (the team's when not given). */
  timeZone?: string;
}): Promise<MutationResult<{ id: number; version: number }>> {
  return writeTransaction(viewer, async (tx, run) => {
    // The lock keeps usage writes out until this commits, so the period check below holds.
    const locked = await lockDeployment(run, { viewer, deploymentId: id });
    if (!locked) throw new RollbackWith(notFound("This deployment no longer exists: it was deleted after you opened it."));
    // A move needs team:write on both teams: the deployment's (here) and the chosen one (assertReferences).
    assertAuthorized(authorizeTeam(viewer, "team:write", locked.teamId, "deployment"));
    const current = await tx.inferenceDeployment.findUniqueOrThrow({ where: { id } });
    if (current.version !== expectedVersion) {
      throw await staleVersion(run, { viewer, entityType: "inferenceDeployment", entityId: String(id), current, values, noun: "deployment" });
    }
    await assertReferences(tx, viewer, values);
    await assertUsageInsidePeriod(run, { deploymentId: id, values, timeZone: timeZone ?? locked.timeZone });
    const updated = await tx.inferenceDeployment
      .update({ where: { id }, data: { ...toData(values), version: { increment: 1 } } })
      .catch(rethrowForeignKey);
    if (current.teamId !== updated.teamId) {
      // The usage moves with the deployment: the old team's hours and days lose it, the new team's gain it
      // (the deployment's own 15-minute and day rows stay as they are).
      const span = await usageSpan(run, id);
      if (span) await refreshTeamUsage(run, { teamIds: [current.teamId, updated.teamId], ...span });
    }
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "inferenceDeployment", entityId: String(id), action: "UPDATE", before: auditSnapshot(current), after: auditSnapshot(updated) },
    ]);
    return { id, version: updated.version };
  });
}

export async function deleteInferenceDeployment({ viewer, id }: { viewer: Viewer; id: number }): Promise<MutationResult<{ deletedId: number; label: string }>> {
  return writeTransaction(viewer, async (tx, run) => {
    const locked = await lockDeployment(run, { viewer, deploymentId: id });
    if (!locked) throw new RollbackWith(notFound("This deployment was already deleted."));
    assertAuthorized(authorizeTeam(viewer, "team:write", locked.teamId, "deployment"));
    const current = await tx.inferenceDeployment.findUniqueOrThrow({ where: { id } });
    const label = `Deployment ${current.name}`;
    const deletedId = await trashRecord(run, { viewer, entityType: "inferenceDeployment", id, label, before: current });
    return { deletedId, label };
  });
}
