import { authorizeTeam, teamScopeSql, usageDeploymentWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { fieldErrors } from "@/lib/validation/entities/field-errors";
import { compareDecimals } from "@/lib/validation/entities/fields";
import { usageWindowSchema, type UsageWindowValues } from "@/lib/validation/entities/usage-window";
import { db } from "../client";
import { Prisma, prismaRunner, type SqlRunner } from "../sql";
import { auditSnapshot, usageWindowEntityId, writeAuditEntries } from "./audit";
import {
  RollbackWith,
  assertAuthorized,
  claimIdempotencyKey,
  conflictDetails,
  databaseErrorCode,
  invalid,
  notFound,
  settleIdempotencyKey,
  trashUsageWindow,
  writeTransaction,
  type MutationResult,
} from "./records";
import { applyUsageWindowChanges, refreshUsageRollups, usageWindowInput } from "./usage-rollups";
import { describeWindow, findWindowClash, lockDeployment, type DeploymentPeriodRow } from "./usage-window-rules";

/**
 * A deployment's usage over one period, written by a person: create
 * (idempotent per form; a second period with the same start or one that
 * overlaps a recorded period is a field error), edit (refused when the period
 * changed since the form was opened), delete (undoable). Each write locks the
 * deployment, re-checks the period against the deployment as it is now,
 * refreshes the usage rollups it touches and writes its audit entry — all in
 * one transaction. Entries are listed under the deployment.
 */

export interface UsageWindowKey {
  deploymentId: number;
  windowStart: Date;
}

/** The deployment a usage form belongs to, as its schema needs it, with its team; null when the viewer can't read it. */
export async function deploymentPeriod({ viewer, deploymentId }: { viewer: Viewer; deploymentId: number }) {
  const [row] = await prismaRunner(db()).query<DeploymentPeriodRow>(Prisma.sql`
    select d.id, d."teamId", d.name, d."activeFrom", d."activeTo", t."timeZone"
    from inference_deployments d join teams t on t.id = d."teamId"
    where d.id = ${deploymentId} and ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}`);
  return row ?? null;
}

/**
 * The schema's checks again, against the deployment locked in this
 * transaction: its period may have changed since the form was parsed.
 */
function assertValidNow(values: UsageWindowValues, deployment: DeploymentPeriodRow, now: Date, timeZone: string): void {
  const parsed = usageWindowSchema({ now, deployment, timeZone }).safeParse(values);
  if (!parsed.success) throw new RollbackWith(invalid(fieldErrors(parsed)));
}

async function assertNoClash(run: SqlRunner, values: UsageWindowValues, deployment: DeploymentPeriodRow, timeZone: string, exceptStart?: Date): Promise<void> {
  const clash = await findWindowClash(run, {
    deploymentId: deployment.id,
    start: values.windowStart,
    seconds: values.windowSeconds,
    exceptStart,
    timeZone,
  });
  if (clash) throw new RollbackWith(invalid({ [clash.field]: [clash.message] }));
}

function endOf(start: Date, seconds: number): Date {
  return new Date(start.getTime() + seconds * 1000);
}

function toData(values: UsageWindowValues) {
  const { deploymentId: _deploymentId, ...data } = values;
  return data;
}

/** Locks the deployment (read scope) and authorizes the usage write against its team. */
async function lockOwnDeployment(run: SqlRunner, viewer: Viewer, deploymentId: number): Promise<DeploymentPeriodRow> {
  const deployment = await lockDeployment(run, { viewer, deploymentId });
  if (!deployment) throw new RollbackWith(notFound("This deployment no longer exists: it was deleted after you opened the form."));
  assertAuthorized(authorizeTeam(viewer, "team:write", deployment.teamId, "deployment"));
  return deployment;
}

export async function createUsageWindow({
  viewer,
  values,
  idempotencyKey,
  now,
  timeZone,
}: {
  viewer: Viewer;
  values: UsageWindowValues;
  idempotencyKey: string | null;
  now: Date;
  /** The form's zone: times in field errors are given in it (the team's when not given). */
  timeZone?: string;
}): Promise<MutationResult<UsageWindowKey & { windowSeconds: number; isReplay: boolean }>> {
  return writeTransaction(viewer, async (tx, run) => {
    if (idempotencyKey) {
      const earlier = await claimIdempotencyKey(run, { viewer, key: idempotencyKey, action: "usageWindow.create" });
      if (earlier) {
        const [id, start] = earlier.split("@");
        const deploymentId = Number(id);
        const isVisible = Number.isSafeInteger(deploymentId) && (await tx.inferenceDeployment.count({ where: usageDeploymentWhere(viewer, deploymentId) })) > 0;
        const window = isVisible ? await tx.inferenceUsageWindow.findFirst({ where: { deploymentId, windowStart: new Date(start ?? "") } }) : null;
        return { deploymentId, windowStart: new Date(start ?? ""), windowSeconds: window?.windowSeconds ?? values.windowSeconds, isReplay: true };
      }
    }
    const deployment = await lockOwnDeployment(run, viewer, values.deploymentId);
    assertValidNow(values, deployment, now, timeZone ?? deployment.timeZone);
    await assertNoClash(run, values, deployment, timeZone ?? deployment.timeZone);
    const created = await tx.inferenceUsageWindow
      .create({ data: { deploymentId: deployment.id, ...toData(values) } })
      .catch((error: unknown) => {
        // Only a concurrent import can get here first (form writes hold the deployment's lock).
        if (databaseErrorCode(error) === "23505") throw new RollbackWith(invalid({ windowStart: ["Usage with this start was recorded meanwhile; edit that record instead"] }));
        throw error;
      });
    await applyUsageWindowChanges(run, { added: [{ deploymentId: deployment.id, window: usageWindowInput(created) }] });
    const entityId = usageWindowEntityId(deployment.id, created.windowStart);
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "usageWindow", entityId, subject: { type: "inferenceDeployment", id: String(deployment.id) }, action: "CREATE", before: null, after: auditSnapshot(created) },
    ]);
    if (idempotencyKey) await settleIdempotencyKey(run, { viewer, key: idempotencyKey, entityId });
    return { deploymentId: deployment.id, windowStart: created.windowStart, windowSeconds: created.windowSeconds, isReplay: false };
  });
}

const LATENCY_COLUMNS = ["latencyP50Ms", "latencyP95Ms", "latencyP99Ms"] as const;

function sameDecimal(a: { toFixed(): string } | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return compareDecimals(a.toFixed(), b) === 0;
}

export async function updateUsageWindow({
  viewer,
  key,
  expectedVersion,
  values,
  now,
  timeZone,
}: {
  viewer: Viewer;
  /** The window as the form opened it. */
  key: UsageWindowKey;
  expectedVersion: number;
  values: UsageWindowValues;
  now: Date;
  /** The form's zone: times in field errors are given in it (the team's when not given). */
  timeZone?: string;
}): Promise<MutationResult<UsageWindowKey & { windowSeconds: number; version: number }>> {
  return writeTransaction(viewer, async (tx, run) => {
    const deployment = await lockOwnDeployment(run, viewer, key.deploymentId);
    const where = { deploymentId_windowStart: { deploymentId: key.deploymentId, windowStart: key.windowStart } };
    const current = await tx.inferenceUsageWindow.findUnique({ where });
    if (!current) throw new RollbackWith(notFound("This usage record no longer exists: it was deleted, or its start was changed, after you opened it."));
    const entityId = usageWindowEntityId(key.deploymentId, key.windowStart);
    const conflict = async () =>
      new RollbackWith({
        ok: false,
        reason: "conflict",
        conflict: await conflictDetails(run, {
          viewer,
          entityType: "usageWindow",
          entityId,
          currentVersion: current.version,
          saved: auditSnapshot(current),
          yours: auditSnapshot({ ...current, ...values }),
          noun: "usage record",
        }),
      });
    if (current.version !== expectedVersion) throw await conflict();
    assertValidNow(values, deployment, now, timeZone ?? deployment.timeZone);
    await assertNoClash(run, values, deployment, timeZone ?? deployment.timeZone, key.windowStart);
    // Percentiles typed over a recorded latency histogram replace it; left as they were, the histogram stays.
    const isLatencyRetyped = LATENCY_COLUMNS.some((column) => !sameDecimal(current[column], values[column]));
    const { count } = await tx.inferenceUsageWindow
      .updateMany({
        where: { deploymentId: key.deploymentId, windowStart: key.windowStart, version: expectedVersion },
        data: { ...toData(values), ...(isLatencyRetyped ? { latencyKeys: [], latencyCounts: [] } : {}), version: { increment: 1 } },
      })
      .catch((error: unknown) => {
        if (databaseErrorCode(error) === "23505") throw new RollbackWith(invalid({ windowStart: ["Usage with this start was recorded meanwhile; edit that record instead"] }));
        throw error;
      });
    // Only an import writing without the deployment's lock can make this 0.
    if (count === 0) throw await conflict();
    const updated = await tx.inferenceUsageWindow.findUniqueOrThrow({
      where: { deploymentId_windowStart: { deploymentId: key.deploymentId, windowStart: values.windowStart } },
    });
    await refreshUsageRollups(run, [
      { deploymentId: key.deploymentId, start: current.windowStart, end: endOf(current.windowStart, current.windowSeconds) },
      { deploymentId: key.deploymentId, start: updated.windowStart, end: endOf(updated.windowStart, updated.windowSeconds) },
    ]);
    await writeAuditEntries(run, { viewer, source: "form" }, [
      {
        entityType: "usageWindow",
        // A moved start gives the window a new key; the entry is filed under the key it has now.
        entityId: usageWindowEntityId(key.deploymentId, updated.windowStart),
        subject: { type: "inferenceDeployment", id: String(key.deploymentId) },
        action: "UPDATE",
        before: auditSnapshot(current),
        after: auditSnapshot(updated),
      },
    ]);
    return { deploymentId: key.deploymentId, windowStart: updated.windowStart, windowSeconds: updated.windowSeconds, version: updated.version };
  });
}

export async function deleteUsageWindow({ viewer, key }: { viewer: Viewer; key: UsageWindowKey }): Promise<MutationResult<{ deletedId: number; label: string }>> {
  return writeTransaction(viewer, async (tx, run) => {
    const deployment = await lockDeployment(run, { viewer, deploymentId: key.deploymentId });
    if (!deployment) throw new RollbackWith(notFound("This usage record was already deleted with its deployment."));
    assertAuthorized(authorizeTeam(viewer, "team:write", deployment.teamId, "deployment"));
    const current = await tx.inferenceUsageWindow.findUnique({ where: { deploymentId_windowStart: key } });
    if (!current) throw new RollbackWith(notFound("This usage record was already deleted."));
    const label = `Usage ${describeWindow({ start: current.windowStart, seconds: current.windowSeconds, timeZone: deployment.timeZone })} of ${deployment.name}`;
    const deletedId = await trashUsageWindow(run, { viewer, deploymentId: key.deploymentId, windowStart: key.windowStart, label, before: current });
    return { deletedId, label };
  });
}
