import { ownOrgId } from "@/lib/access/own-org-id";
import { orgScopeSql, orgWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { describeRecords } from "@/lib/domain/record-counts";
import type { GpuTypeValues } from "@/lib/validation/entities/gpu-type";
import { Prisma } from "../sql";
import { auditSnapshot, writeAuditEntries } from "./audit";
import {
  RollbackWith,
  claimIdempotencyKey,
  databaseErrorCode,
  formError,
  invalid,
  notFound,
  settleIdempotencyKey,
  runsAndDeploymentsUsing,
  staleVersion,
  trashRecord,
  orgWriteTransaction,
  type MutationResult,
  type Tx,
} from "./records";

/**
 * GPU types written by a person: create (idempotent per form), edit (refused
 * when the type changed since the form was opened), delete (only while no run
 * or deployment uses it; its prices go with it and come back with Undo).
 */

function duplicateNameError(existing: string) {
  return invalid({ name: [`A GPU type named “${existing}” already exists; edit it or choose another name`] });
}

/**
 * Names are compared without case, so "h100 80gb" doesn't become a second
 * H100 80GB that prices and imports then have to tell apart.
 */
async function assertUniqueName(tx: Tx, viewer: Viewer, name: string, exceptId?: number): Promise<void> {
  const clash = await tx.gpuType.findFirst({
    where: { ...orgWhere(viewer), name: { equals: name, mode: "insensitive" }, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
    select: { name: true },
  });
  if (clash) throw new RollbackWith(duplicateNameError(clash.name));
}

function rethrowUnique(error: unknown, values: GpuTypeValues): never {
  if (databaseErrorCode(error) === "23505") throw new RollbackWith(duplicateNameError(values.name));
  throw error;
}

export async function createGpuType({
  viewer,
  values,
  idempotencyKey,
}: {
  viewer: Viewer;
  values: GpuTypeValues;
  idempotencyKey: string | null;
}): Promise<MutationResult<{ id: number; isReplay: boolean }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    if (idempotencyKey) {
      const earlier = await claimIdempotencyKey(run, { viewer, key: idempotencyKey, action: "gpuType.create" });
      if (earlier) return { id: Number(earlier), isReplay: true };
    }
    await assertUniqueName(tx, viewer, values.name);
    const created = await tx.gpuType.create({ data: { ...values, orgId: ownOrgId(viewer) } }).catch((error: unknown) => rethrowUnique(error, values));
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "gpuType", entityId: String(created.id), action: "CREATE", before: null, after: auditSnapshot(created) },
    ]);
    if (idempotencyKey) await settleIdempotencyKey(run, { viewer, key: idempotencyKey, entityId: String(created.id) });
    return { id: created.id, isReplay: false };
  });
}

async function findOwnGpuType(tx: Tx, viewer: Viewer, id: number) {
  return tx.gpuType.findFirst({ where: { id, ...orgWhere(viewer) } });
}

export async function updateGpuType({
  viewer,
  id,
  expectedVersion,
  values,
}: {
  viewer: Viewer;
  id: number;
  expectedVersion: number;
  values: GpuTypeValues;
}): Promise<MutationResult<{ id: number; version: number }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    const current = await findOwnGpuType(tx, viewer, id);
    if (!current) throw new RollbackWith(notFound("This GPU type no longer exists: it was deleted after you opened it."));
    await assertUniqueName(tx, viewer, values.name, id);
    const { count } = await tx.gpuType
      .updateMany({ where: { id, ...orgWhere(viewer), version: expectedVersion }, data: { ...values, version: { increment: 1 } } })
      .catch((error: unknown) => rethrowUnique(error, values));
    if (count === 0) {
      throw await staleVersion(run, { viewer, entityType: "gpuType", entityId: String(id), current, values, noun: "GPU type" });
    }
    const updated = await tx.gpuType.findUniqueOrThrow({ where: { id } });
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "gpuType", entityId: String(id), action: "UPDATE", before: auditSnapshot(current), after: auditSnapshot(updated) },
    ]);
    return { id, version: updated.version };
  });
}

/**
 * Deletes a GPU type no run or deployment uses, with its prices (kept for
 * Undo). The row is locked first so a run added concurrently is either
 * counted or refused by its foreign key.
 */
export async function deleteGpuType({ viewer, id }: { viewer: Viewer; id: number }): Promise<MutationResult<{ deletedId: number; label: string }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    const [locked] = await run.query<{ id: number }>(Prisma.sql`select id from gpu_types where id = ${id} and ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} for update`);
    const current = locked ? await findOwnGpuType(tx, viewer, id) : null;
    if (!current) throw new RollbackWith(notFound("This GPU type was already deleted."));
    const counts = await runsAndDeploymentsUsing(run, { column: "gpuTypeId", id });
    if (counts.runs + counts.deployments > 0) {
      throw new RollbackWith(
        formError(`${current.name} is used by ${describeRecords(counts)}. Move them to another GPU type or delete them first.`),
      );
    }
    const label = `GPU type ${current.name}`;
    const deletedId = await trashRecord(run, { viewer, entityType: "gpuType", id, label, before: current });
    return { deletedId, label };
  });
}
