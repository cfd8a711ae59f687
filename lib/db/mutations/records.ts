import { ownOrgId } from "@/lib/access/own-org-id";
import { authorize, authorizeTeam, can, canTeam, notFound as notFoundDenied, orgScopeSql, teamScopeSql, teamWhere, type Denied, type OrgAction } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import type { FieldErrors } from "@/lib/validation/entities/field-errors";
import type { ConflictDetails } from "@/lib/validation/form-state";
import { FORM_ERRORS_KEY } from "@/lib/validation/entities/field-errors";
import { db } from "../client";
import type { PrismaClient } from "../create-client";
import { Prisma, prismaRunner, type SqlRunner } from "../sql";
import { auditSnapshot, changedFields, usageWindowEntityId, writeAuditEntries, type AuditEntryInput, type AuditSnapshot, type EntityType } from "./audit";
import { rollCosts } from "./cost-rollups";
import { refreshUsageRollups } from "./usage-rollups";
import { findWindowClash, lockDeployment } from "./usage-window-rules";
import { invalidateOrgData } from "@/lib/cache/read-cache";

/**
 * What every record mutation shares: the result shape actions turn into form
 * state, the transaction wrapper, idempotent creates, optimistic-concurrency
 * conflicts, and delete-with-undo. Entity modules (training-runs.ts, …) hold
 * the rules of their own records and call these.
 */

export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export type MutationFailure =
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  | { ok: false; reason: "conflict"; conflict: ConflictDetails }
  | { ok: false; reason: "notFound"; message: string }
  /** Refused by lib/access/policy.ts: not-found (can't even read it) or forbidden (can read, may not do this). */
  | { ok: false; reason: "denied"; denied: Denied };

export type MutationResult<T> = { ok: true; value: T } | MutationFailure;

export const invalid = (fieldErrors: FieldErrors): MutationFailure => ({ ok: false, reason: "invalid", fieldErrors });
export const formError = (message: string): MutationFailure => invalid({ [FORM_ERRORS_KEY]: [message] });
export const notFound = (message: string): MutationFailure => ({ ok: false, reason: "notFound", message });
export const deniedFailure = (denied: Denied): MutationFailure => ({ ok: false, reason: "denied", denied });

/**
 * Inside a write transaction, after loading the record: rolls back with the
 * refusal when `authorizeTeam`/`authorize` refused (`assertAuthorized(authorizeTeam(viewer, "team:write", run.teamId, "run"))`).
 */
export function assertAuthorized(denied: Denied | null): void {
  if (denied) throw new RollbackWith(deniedFailure(denied));
}

/** Thrown inside a transaction to roll it back and return `failure` as the mutation's result. */
export class RollbackWith extends Error {
  constructor(readonly failure: MutationFailure) {
    super("rolled back");
    this.name = "RollbackWith";
  }
}

/** Items a write rolls up in its own transaction; more (a catalog price touching thousands) are left to the background roller. */
const WRITE_ROLL_LIMIT = 200;

/** Long enough for a deployment with a year of 5-minute usage to be moved or restored with its rollups. */
const TRANSACTION_TIMEOUT_MS = 120_000;

/**
 * Runs `work` in one transaction. Authorization is the work's own: team
 * records are loaded within the viewer's read scope and then checked with
 * `assertAuthorized(authorizeTeam(...))`, since permission depends on the
 * record's team. A `RollbackWith` thrown inside becomes the result; anything
 * else rolls back and propagates (an unexpected failure, for error.tsx).
 */
export async function writeTransaction<T>(viewer: Viewer, work: (tx: Tx, run: SqlRunner) => Promise<T>): Promise<MutationResult<T>> {
  try {
    const value = await db().$transaction(
      async (tx) => {
        const run = prismaRunner(tx);
        const result = await work(tx, run);
        // Items this write created or changed (their rollups were dropped by triggers) are rolled up again here.
        await rollCosts(run, { limit: WRITE_ROLL_LIMIT });
        return result;
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 10_000 },
    );
    return { ok: true, value };
  } catch (error) {
    if (error instanceof RollbackWith) return error.failure;
    throw error;
  } finally {
    // Committed or rolled back: the org's cached figures are recomputed from here on (lib/cache/read-cache.ts).
    invalidateOrgData(viewer.orgId);
  }
}

export const TEAM_MISSING = "Team not found; it may have been deleted. Choose another";

/**
 * The team chosen in a record form (create, or a move to another team): null
 * when the viewer may write its records, else the teamId field's message —
 * "not found" when they can't see the team at all, so a guessed id reveals nothing.
 */
export async function teamFieldError(tx: Tx, viewer: Viewer, teamId: number): Promise<string | null> {
  const team = await tx.team.findFirst({ where: { id: teamId, ...teamWhere(viewer) }, select: { id: true, name: true } });
  if (!team) return TEAM_MISSING;
  if (canTeam(viewer, "team:write", team.id)) return null;
  return `You can view ${team.name} but not add or move records into it (a team editor or admin can); choose a team you edit`;
}

/** An org-level write (teams, GPU catalog, prices, webhook): refused up front when the viewer may not take `action`. */
export async function orgWriteTransaction<T>(viewer: Viewer, action: OrgAction, work: (tx: Tx, run: SqlRunner) => Promise<T>): Promise<MutationResult<T>> {
  const denied = authorize(viewer, action);
  if (denied) return deniedFailure(denied);
  return writeTransaction(viewer, work);
}

/** PostgreSQL's error code on a Prisma/driver error, where there is one (unique_violation 23505, exclusion_violation 23P01). */
export function databaseErrorCode(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const record = e as { code?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
    const original = record.meta?.driverAdapterError?.cause?.originalCode;
    if (typeof original === "string") return original;
    if (typeof record.code === "string" && /^[0-9A-Z]{5}$/.test(record.code)) return record.code;
    e = record.cause;
  }
  if (error && typeof error === "object" && "code" in error && (error as { code: unknown }).code === "P2002") return "23505";
  return null;
}

// ---------------------------------------------------------------------------
// Idempotent creates

/**
 * Claims a form's idempotency key inside the create's transaction. Returns
 * the id of the record an earlier submit of the same form created, or null
 * when this submit is the first. A concurrent second submit blocks on the
 * key's row until the first commits, then finds its record.
 */
export async function claimIdempotencyKey(run: SqlRunner, { viewer, key, action }: { viewer: Viewer; key: string; action: string }): Promise<string | null> {
  const claimed = await run.execute(Prisma.sql`
    insert into idempotency_keys ("orgId", key, action, "entityId") values (${ownOrgId(viewer)}, ${key}, ${action}, '')
    on conflict do nothing`);
  if (claimed === 1) {
    await forgetOldIdempotencyKeys(run, viewer);
    return null;
  }
  const rows = await run.query<{ entityId: string; action: string }>(
    Prisma.sql`select "entityId", action from idempotency_keys where ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and key = ${key}`,
  );
  const row = rows[0];
  if (!row || row.action !== action || row.entityId === "") {
    throw new RollbackWith(formError("This form was already submitted for something else; reload the page and try again"));
  }
  return row.entityId;
}

export async function settleIdempotencyKey(run: SqlRunner, { viewer, key, entityId }: { viewer: Viewer; key: string; entityId: string }): Promise<void> {
  await run.execute(Prisma.sql`update idempotency_keys set "entityId" = ${entityId} where ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and key = ${key}`);
}

/** Keys older than this are forgotten: a form left open for a day is a new submit. */
const IDEMPOTENCY_KEY_TTL = "1 day";

async function forgetOldIdempotencyKeys(run: SqlRunner, viewer: Viewer): Promise<void> {
  await run.execute(Prisma.sql`delete from idempotency_keys where ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and "createdAt" < now() - ${IDEMPOTENCY_KEY_TTL}::interval`);
}

// ---------------------------------------------------------------------------
// Conflicts

/**
 * The conflict an edit based on `expectedVersion` runs into: which fields the
 * person's values differ from what is saved now, and who saved it last.
 */
export async function conflictDetails(
  run: SqlRunner,
  {
    viewer,
    entityType,
    entityId,
    currentVersion,
    saved,
    yours,
    noun,
  }: { viewer: Viewer; entityType: EntityType; entityId: string; currentVersion: number; saved: AuditSnapshot; yours: AuditSnapshot; noun: string },
): Promise<ConflictDetails> {
  const changes = changedFields(saved, yours).map((field) => ({ field, saved: saved[field] ?? null, yours: yours[field] ?? null }));
  const last = await run.query<{ actorName: string; at: Date }>(Prisma.sql`
    select "actorName", at from audit_entries
    where ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and "entityType" = ${entityType} and "entityId" = ${entityId}
    order by at desc, id desc limit 1`);
  const changedBy = last[0] ? { actorName: last[0].actorName, at: last[0].at.toISOString() } : null;
  const who = changedBy ? `${changedBy.actorName} saved a change` : "Someone saved a change";
  return {
    message: `${who} to this ${noun} after you opened it. Your values are kept below; compare them with what is saved now, then save again to overwrite it, or reload to start from the saved ${noun}.`,
    currentVersion,
    changes,
    changedBy,
  };
}

/** What to throw when an edit was based on a stale version: the conflict with what is saved now. */
export async function staleVersion(
  run: SqlRunner,
  { viewer, entityType, entityId, current, values, noun }: { viewer: Viewer; entityType: EntityType; entityId: string; current: Record<string, unknown> & { version: number }; values: object; noun: string },
): Promise<RollbackWith> {
  const saved = auditSnapshot(current);
  const yours = auditSnapshot({ ...current, ...values });
  return new RollbackWith({ ok: false, reason: "conflict", conflict: await conflictDetails(run, { viewer, entityType, entityId, currentVersion: current.version, saved, yours, noun }) });
}

// ---------------------------------------------------------------------------
// Delete with undo

/** Runs and deployments that reference a team or a GPU type (what blocks deleting it). */
export async function runsAndDeploymentsUsing(run: SqlRunner, { column, id }: { column: "teamId" | "gpuTypeId"; id: number }): Promise<{ runs: number; deployments: number }> {
  const reference = Prisma.raw(`"${column}"`);
  const [counts] = await run.query<{ runs: number; deployments: number }>(Prisma.sql`
    select (select count(*)::int from training_runs where ${reference} = ${id}) as runs,
      (select count(*)::int from inference_deployments where ${reference} = ${id}) as deployments`);
  return counts ?? { runs: 0, deployments: 0 };
}

/** Table of each entity type. Identifiers come only from this map, never from input. */
const TABLES = {
  team: "teams",
  gpuType: "gpu_types",
  gpuPrice: "gpu_prices",
  trainingRun: "training_runs",
  inferenceDeployment: "inference_deployments",
} as const satisfies Partial<Record<EntityType, string>>;

type TrashableEntity = keyof typeof TABLES;

/**
 * Dependent rows removed with a record: a deployment's usage windows, a GPU
 * type's prices. Children with `auditAs` are records with their own history
 * (a price), so each gets its own DELETE and RESTORE entry.
 */
const CHILDREN: Partial<Record<TrashableEntity, { table: string; foreignKey: string; auditAs?: EntityType }>> = {
  inferenceDeployment: { table: "inference_usage_windows", foreignKey: "deploymentId" },
  gpuType: { table: "gpu_prices", foreignKey: "gpuTypeId", auditAs: "gpuPrice" },
};

/** Audit entries for the children of `id` that have their own history (read before a delete, after a restore). */
async function childAuditEntries(run: SqlRunner, entityType: TrashableEntity, id: number, action: "DELETE" | "RESTORE"): Promise<AuditEntryInput[]> {
  const child = CHILDREN[entityType];
  if (!child?.auditAs) return [];
  const rows = await run.query<Record<string, unknown> & { id: unknown }>(
    Prisma.sql`select * from ${Prisma.raw(`"${child.table}"`)} where ${Prisma.raw(`"${child.foreignKey}"`)} = ${id} order by id`,
  );
  const auditAs = child.auditAs;
  return rows.map((row) => ({
    entityType: auditAs,
    entityId: String(row.id),
    action,
    before: action === "DELETE" ? auditSnapshot(row) : null,
    after: action === "RESTORE" ? auditSnapshot(row) : null,
  }));
}

/** How long a delete can be undone. */
export const UNDO_DAYS = 30;

/**
 * Deletes a record and its dependent rows, keeping them (exactly, as
 * PostgreSQL's row JSON) so `restoreDeleted` can put them back, and writes
 * the audit entry. Returns the deleted-record id for an Undo button. A
 * deployment's usage rollups are removed through refreshUsageRollups.
 */
export async function trashRecord(
  run: SqlRunner,
  { viewer, entityType, id, label, before }: { viewer: Viewer; entityType: TrashableEntity; id: number; label: string; before: Record<string, unknown> },
): Promise<number> {
  const table = Prisma.raw(`"${TABLES[entityType]}"`);
  const child = CHILDREN[entityType];
  // The payload is built and later restored inside PostgreSQL, so numerics and int8 never pass through a JS number.
  const children = child
    ? Prisma.sql`(select coalesce(jsonb_agg(to_jsonb(c)), '[]'::jsonb) from ${Prisma.raw(`"${child.table}"`)} c where ${Prisma.raw(`"${child.foreignKey}"`)} = ${id})`
    : Prisma.sql`'[]'::jsonb`;
  const [trashed] = await run.query<{ id: number }>(Prisma.sql`
    insert into deleted_records ("orgId", "entityType", "entityId", label, payload, "deletedById")
    select ${ownOrgId(viewer)}, ${entityType}, ${String(id)}, ${label}, jsonb_build_object('row', to_jsonb(t), 'children', ${children}), ${viewer.userId}
    from ${table} t where id = ${id}
    returning id`);
  if (!trashed) throw new RollbackWith(notFound("It was already deleted."));
  const childEntries = await childAuditEntries(run, entityType, id, "DELETE");
  if (entityType === "inferenceDeployment") {
    // Usage goes first, while the deployment still names its team, so the team's hour rollups are recomputed too.
    const span = await usageSpan(run, id);
    await run.execute(Prisma.sql`delete from inference_usage_windows where "deploymentId" = ${id}`);
    if (span) await refreshUsageRollups(run, [{ deploymentId: id, ...span }]);
  }
  await run.execute(Prisma.sql`delete from ${table} where id = ${id}`);
  await writeAuditEntries(run, { viewer, source: "form" }, [
    { entityType, entityId: String(id), action: "DELETE", before: auditSnapshot(before), after: null },
    ...childEntries,
  ]);
  await run.execute(Prisma.sql`delete from deleted_records where "deletedAt" < now() - make_interval(days => ${UNDO_DAYS})`);
  return trashed.id;
}

/** The instants a deployment's usage windows cover, or null without any. */
export async function usageSpan(run: SqlRunner, deploymentId: number): Promise<{ start: Date; end: Date } | null> {
  const [span] = await run.query<{ start: Date | null; end: Date | null }>(Prisma.sql`
    select min("windowStart") as start, max("windowStart" + make_interval(secs => "windowSeconds")) as end
    from inference_usage_windows where "deploymentId" = ${deploymentId}`);
  return span?.start && span.end ? { start: span.start, end: span.end } : null;
}

/**
 * Deletes one usage window (a composite key, so not through trashRecord),
 * keeping its row for undo, refreshing the rollups it fed, with an audit
 * entry listed under its deployment. The caller holds the deployment's lock.
 */
export async function trashUsageWindow(
  run: SqlRunner,
  { viewer, deploymentId, windowStart, label, before }: { viewer: Viewer; deploymentId: number; windowStart: Date; label: string; before: Record<string, unknown> },
): Promise<number> {
  const entityId = usageWindowEntityId(deploymentId, windowStart);
  const [trashed] = await run.query<{ id: number; windowSeconds: number }>(Prisma.sql`
    insert into deleted_records ("orgId", "entityType", "entityId", label, payload, "deletedById")
    select ${ownOrgId(viewer)}, 'usageWindow', ${entityId}, ${label}, jsonb_build_object('row', to_jsonb(w), 'children', '[]'::jsonb), ${viewer.userId}
    from inference_usage_windows w where "deploymentId" = ${deploymentId} and "windowStart" = ${windowStart}
    returning id, (payload->'row'->>'windowSeconds')::int as "windowSeconds"`);
  if (!trashed) throw new RollbackWith(notFound("This usage record was already deleted."));
  await run.execute(Prisma.sql`delete from inference_usage_windows where "deploymentId" = ${deploymentId} and "windowStart" = ${windowStart}`);
  await refreshUsageRollups(run, [{ deploymentId, start: windowStart, end: new Date(windowStart.getTime() + trashed.windowSeconds * 1000) }]);
  await writeAuditEntries(run, { viewer, source: "form" }, [
    {
      entityType: "usageWindow",
      entityId,
      subject: { type: "inferenceDeployment", id: String(deploymentId) },
      action: "DELETE",
      before: auditSnapshot(before),
      after: null,
    },
  ]);
  return trashed.id;
}

/** Puts a trashed usage window back, if its deployment still exists, still covers it, and nothing recorded since overlaps it. */
async function restoreUsageWindow(
  run: SqlRunner,
  { viewer, deletedId, label, row }: { viewer: Viewer; deletedId: number; label: string; row: Record<string, unknown> },
): Promise<RestoredRecord> {
  const deploymentId = Number(row.deploymentId);
  const windowStart = new Date(String(row.windowStart));
  const seconds = Number(row.windowSeconds);
  const deployment = Number.isSafeInteger(deploymentId) ? await lockDeployment(run, { viewer, deploymentId }) : null;
  // Gone, or on a team the viewer can't read: for someone who sees every team it was deleted; for others, nothing to undo.
  if (!deployment) throw new RollbackWith(can(viewer, "org:manage") ? formError(`Can't restore ${label}: ${RESTORE_CONFLICTS["23503"]}`) : notFound(NOTHING_TO_UNDO));
  assertAuthorized(authorizeTeam(viewer, "team:write", deployment.teamId, "deleted record"));
  const end = windowStart.getTime() + seconds * 1000;
  if (windowStart < deployment.activeFrom || (deployment.activeTo && end > deployment.activeTo.getTime())) {
    throw new RollbackWith(formError(`Can't restore ${label}: the deployment's active period no longer covers it; widen the period, then undo again.`));
  }
  const clash = await findWindowClash(run, { deploymentId, start: windowStart, seconds, timeZone: deployment.timeZone });
  if (clash) throw new RollbackWith(formError(`Can't restore ${label}: ${clash.message}.`));
  await run.execute(Prisma.sql`insert into inference_usage_windows
    select r.* from deleted_records d, jsonb_populate_record(null::inference_usage_windows, d.payload->'row') r where d.id = ${deletedId}`);
  await refreshUsageRollups(run, [{ deploymentId, start: windowStart, end: new Date(end) }]);
  await run.execute(Prisma.sql`update deleted_records set "restoredAt" = now() where id = ${deletedId}`);
  // Read back from the table, not the JSON payload: counts above 2^53 must stay exact in the log.
  const [restored] = await run.query<Record<string, unknown>>(Prisma.sql`
    select * from inference_usage_windows where "deploymentId" = ${deploymentId} and "windowStart" = ${windowStart}`);
  await writeAuditEntries(run, { viewer, source: "undo" }, [
    {
      entityType: "usageWindow",
      entityId: usageWindowEntityId(deploymentId, windowStart),
      subject: { type: "inferenceDeployment", id: String(deploymentId) },
      action: "RESTORE",
      before: null,
      after: auditSnapshot(restored ?? row),
    },
  ]);
  return { entityType: "usageWindow", id: deploymentId, label };
}

export interface RestoredRecord {
  entityType: TrashableEntity | "usageWindow";
  /** The record's id; for a usage window, its deployment's. */
  id: number;
  label: string;
}

/** Messages for what can block a restore: something new took the record's place. */
const RESTORE_CONFLICTS: Record<string, string> = {
  "23505": "Something with the same name or key was created since; rename or delete it, then undo again.",
  "23P01": "A price for the same GPU, provider and pricing model now covers part of this period; change it, then undo again.",
  "23503": "What it belonged to (its team or GPU type) was deleted too; restore that first.",
};

const NOTHING_TO_UNDO = "There is nothing to undo: it is too old or was never deleted.";

/**
 * Who may undo a delete: team:write on the record's team (a run's or a
 * deployment's own team, as the deleted row names it); org:manage for teams
 * and the GPU catalog. A usage window is checked against its deployment's
 * team once the deployment is locked (restoreUsageWindow).
 */
function authorizeRestore(viewer: Viewer, entityType: TrashableEntity, row: Record<string, unknown>): Denied | null {
  if (entityType === "trainingRun" || entityType === "inferenceDeployment") {
    const teamId = Number(row.teamId);
    return Number.isSafeInteger(teamId) ? authorizeTeam(viewer, "team:write", teamId, "deleted record") : notFoundDenied(NOTHING_TO_UNDO);
  }
  return authorize(viewer, "org:manage");
}

/** Puts a deleted record and its dependent rows back exactly as they were, with an audit entry (authorized against the record's team). */
export async function restoreDeleted({ viewer, deletedId }: { viewer: Viewer; deletedId: number }): Promise<MutationResult<RestoredRecord>> {
  return writeTransaction(viewer, async (_tx, run) => {
    const [trashed] = await run.query<{ entityType: TrashableEntity; entityId: string; label: string; restoredAt: Date | null; after: Record<string, unknown> }>(Prisma.sql`
      select "entityType", "entityId", label, "restoredAt", payload->'row' as after from deleted_records
      where id = ${deletedId} and ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and "deletedAt" >= now() - make_interval(days => ${UNDO_DAYS})
      for update`);
    const isUsageWindow = (trashed?.entityType as string | undefined) === "usageWindow";
    if (!trashed || !(trashed.entityType in TABLES || isUsageWindow)) throw new RollbackWith(notFound(NOTHING_TO_UNDO));
    if (isUsageWindow) {
      // Through its deployment's team, before saying anything more about it (restoreUsageWindow checks again under the lock).
      const [deployment] = await run.query<{ teamId: number }>(Prisma.sql`
        select d."teamId" from inference_deployments d
        where d.id = ${Number(trashed.after.deploymentId) || 0} and ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}`);
      if (!deployment && !can(viewer, "org:manage")) throw new RollbackWith(notFound(NOTHING_TO_UNDO));
      if (deployment) assertAuthorized(authorizeTeam(viewer, "team:write", deployment.teamId, "deleted record"));
    } else {
      const denied = authorizeRestore(viewer, trashed.entityType, trashed.after);
      // Another team's deleted record is no deleted record: the same answer as an id that never existed.
      if (denied?.kind === "not-found") throw new RollbackWith(notFound(NOTHING_TO_UNDO));
      assertAuthorized(denied);
    }
    if (trashed.restoredAt) throw new RollbackWith(notFound("It was restored already."));
    if (isUsageWindow) return restoreUsageWindow(run, { viewer, deletedId, label: trashed.label, row: trashed.after });
    const table = Prisma.raw(`"${TABLES[trashed.entityType]}"`);
    const child = CHILDREN[trashed.entityType];
    try {
      await run.execute(Prisma.sql`insert into ${table}
        select r.* from deleted_records d, jsonb_populate_record(null::${table}, d.payload->'row') r where d.id = ${deletedId}`);
      if (child) {
        const childTable = Prisma.raw(`"${child.table}"`);
        await run.execute(Prisma.sql`insert into ${childTable}
          select r.* from deleted_records d, jsonb_populate_recordset(null::${childTable}, d.payload->'children') r where d.id = ${deletedId}`);
      }
    } catch (error) {
      const code = databaseErrorCode(error);
      const message = code ? RESTORE_CONFLICTS[code] : undefined;
      if (!message) throw error;
      throw new RollbackWith(formError(`Can't restore ${trashed.label}: ${message}`));
    }
    const id = Number(trashed.entityId);
    if (trashed.entityType === "inferenceDeployment") {
      const span = await usageSpan(run, id);
      if (span) await refreshUsageRollups(run, [{ deploymentId: id, ...span }]);
    }
    await run.execute(Prisma.sql`update deleted_records set "restoredAt" = now() where id = ${deletedId}`);
    await writeAuditEntries(run, { viewer, source: "undo" }, [
      { entityType: trashed.entityType, entityId: trashed.entityId, action: "RESTORE", before: null, after: auditSnapshot(trashed.after) },
      ...(await childAuditEntries(run, trashed.entityType, id, "RESTORE")),
    ]);
    return { entityType: trashed.entityType, id, label: trashed.label };
  });
}

/**
 * Recently deleted records the viewer may undo, newest first, for "Recently
 * deleted": runs, deployments and usage of teams they may write (by the team
 * the deleted row names; a usage window's through its deployment), teams and
 * the GPU catalog for those who manage the org.
 */
export async function recentlyDeleted({ viewer, limit = 50 }: { viewer: Viewer; limit?: number }) {
  const recordTeam = Prisma.sql`(case when d."entityType" = 'usageWindow'
      then (select x."teamId" from inference_deployments x where x.id = (d.payload->'row'->>'deploymentId')::int)
      else (d.payload->'row'->>'teamId')::int end)`;
  const orgRecords = can(viewer, "org:manage") ? Prisma.sql`d."entityType" in ('team', 'gpuType', 'gpuPrice')` : Prisma.sql`false`;
  return prismaRunner(db()).query<{ id: number; entityType: string; entityId: string; label: string; deletedAt: Date; deletedBy: string | null }>(Prisma.sql`
    select d.id, d."entityType", d."entityId", d.label, d."deletedAt", u.name as "deletedBy"
    from deleted_records d left join users u on u.id = d."deletedById"
    where ${orgScopeSql(viewer, Prisma.sql`d."orgId"`)} and d."restoredAt" is null
      and (${orgRecords} or (d."entityType" in ('trainingRun', 'inferenceDeployment', 'usageWindow') and ${teamScopeSql(viewer, recordTeam, "team:write")})) and d."deletedAt" >= now() - make_interval(days => ${UNDO_DAYS})
    order by d."deletedAt" desc limit ${limit}`);
}
