import { authorizeTeam, orgWhere, teamRecordWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import type { TrainingRunValues } from "@/lib/validation/entities/training-run";
import { formatInstant } from "@/lib/validation/entities/fields";
import { auditSnapshot, writeAuditEntries } from "./audit";
import {
  RollbackWith,
  assertAuthorized,
  claimIdempotencyKey,
  databaseErrorCode,
  invalid,
  notFound,
  settleIdempotencyKey,
  staleVersion,
  teamFieldError,
  trashRecord,
  writeTransaction,
  type MutationResult,
  type Tx,
} from "./records";

/**
 * Training runs written by a person: create (idempotent per form), edit
 * (refused when the run changed since the form was opened), delete (undoable).
 * Each is one transaction with its audit entry. Values come parsed by
 * trainingRunSchema; the run is loaded within the viewer's read scope and the
 * write authorized against its team (lib/access/policy.ts); the team chosen in
 * the form must be one the viewer may write.
 */

/** The team must be one the viewer may write, the GPU type the org's; a stale, forged or read-only id is a field error. */
async function assertReferences(tx: Tx, viewer: Viewer, values: Pick<TrainingRunValues, "teamId" | "gpuTypeId">): Promise<void> {
  const [teamError, gpuType] = await Promise.all([
    teamFieldError(tx, viewer, values.teamId),
    tx.gpuType.findFirst({ where: { id: values.gpuTypeId, ...orgWhere(viewer) }, select: { id: true } }),
  ]);
  const errors: Record<string, string[]> = {};
  if (teamError) errors.teamId = [teamError];
  if (!gpuType) errors.gpuTypeId = ["GPU type not found; it may have been deleted. Choose another"];
  if (Object.keys(errors).length > 0) throw new RollbackWith(invalid(errors));
}

/** `timeZone` is the form's, so the start reads as the person entered it (UTC when not given). */
function duplicateNameError(values: Pick<TrainingRunValues, "name" | "startedAt">, timeZone: string | undefined) {
  return invalid({
    name: [`This team already has a run named “${values.name}” that started ${formatInstant(values.startedAt, timeZone)}; rename this one or edit that run`],
  });
}

async function assertUniqueName(tx: Tx, values: TrainingRunValues, timeZone: string | undefined, exceptId?: number): Promise<void> {
  const clash = await tx.trainingRun.findFirst({
    where: { teamId: values.teamId, name: values.name, startedAt: values.startedAt, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw new RollbackWith(duplicateNameError(values, timeZone));
}

/** A unique-key race lost to a concurrent write becomes the same field error the pre-check gives. */
function rethrowUnique(error: unknown, values: TrainingRunValues, timeZone: string | undefined): never {
  if (databaseErrorCode(error) === "23505") throw new RollbackWith(duplicateNameError(values, timeZone));
  throw error;
}

function toData(values: TrainingRunValues) {
  return { ...values };
}

export async function createTrainingRun({
  viewer,
  values,
  idempotencyKey,
  timeZone,
}: {
  viewer: Viewer;
  values: TrainingRunValues;
  idempotencyKey: string | null;
  /** The form's zone, for times in field errors (UTC when not given). */
  timeZone?: string;
}): Promise<MutationResult<{ id: number; isReplay: boolean }>> {
  return writeTransaction(viewer, async (tx, run) => {
    if (idempotencyKey) {
      const earlier = await claimIdempotencyKey(run, { viewer, key: idempotencyKey, action: "trainingRun.create" });
      if (earlier) return { id: Number(earlier), isReplay: true };
    }
    await assertReferences(tx, viewer, values);
    await assertUniqueName(tx, values, timeZone);
    const created = await tx.trainingRun.create({ data: toData(values) }).catch((error: unknown) => rethrowUnique(error, values, timeZone));
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "trainingRun", entityId: String(created.id), action: "CREATE", before: null, after: auditSnapshot(created) },
    ]);
    if (idempotencyKey) await settleIdempotencyKey(run, { viewer, key: idempotencyKey, entityId: String(created.id) });
    return { id: created.id, isReplay: false };
  });
}

/** The run if the viewer may read it (else null: not found, whoever asks); the write is then authorized against its team. */
async function findOwnRun(tx: Tx, viewer: Viewer, id: number) {
  return tx.trainingRun.findFirst({ where: { id, ...teamRecordWhere(viewer) } });
}

export async function updateTrainingRun({
  viewer,
  id,
  expectedVersion,
  values,
  timeZone,
}: {
  viewer: Viewer;
  id: number;
  expectedVersion: number;
  values: TrainingRunValues;
  /** The form's zone, for times in field errors (UTC when not given). */
  timeZone?: string;
}): Promise<MutationResult<{ id: number; version: number }>> {
  return writeTransaction(viewer, async (tx, run) => {
    const current = await findOwnRun(tx, viewer, id);
    if (!current) throw new RollbackWith(notFound("This run no longer exists: it was deleted after you opened it."));
    // A move needs team:write on both teams: the run's (here) and the chosen one (assertReferences).
    assertAuthorized(authorizeTeam(viewer, "team:write", current.teamId, "run"));
    await assertReferences(tx, viewer, values);
    await assertUniqueName(tx, values, timeZone, id);
    const { count } = await tx.trainingRun
      .updateMany({ where: { id, version: expectedVersion }, data: { ...toData(values), version: { increment: 1 } } })
      .catch((error: unknown) => rethrowUnique(error, values, timeZone));
    if (count === 0) {
      throw await staleVersion(run, { viewer, entityType: "trainingRun", entityId: String(id), current, values, noun: "run" });
    }
    const updated = await tx.trainingRun.findUniqueOrThrow({ where: { id } });
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "trainingRun", entityId: String(id), action: "UPDATE", before: auditSnapshot(current), after: auditSnapshot(updated) },
    ]);
    return { id, version: updated.version };
  });
}

export async function deleteTrainingRun({ viewer, id }: { viewer: Viewer; id: number }): Promise<MutationResult<{ deletedId: number; label: string }>> {
  return writeTransaction(viewer, async (tx, run) => {
    const current = await findOwnRun(tx, viewer, id);
    if (!current) throw new RollbackWith(notFound("This run was already deleted."));
    assertAuthorized(authorizeTeam(viewer, "team:write", current.teamId, "run"));
    const label = `Run ${current.name}`;
    const deletedId = await trashRecord(run, { viewer, entityType: "trainingRun", id, label, before: current });
    return { deletedId, label };
  });
}
