import { ownOrgId } from "@/lib/access/own-org-id";
import { authorize, canTeam, forbidden, orgScopeSql, orgWhere, teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { describeRecords } from "@/lib/domain/record-counts";
import type { TeamValues } from "@/lib/validation/entities/team";
import { Prisma } from "../sql";
import { auditSnapshot, writeAuditEntries } from "./audit";
import {
  RollbackWith,
  assertAuthorized,
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
  writeTransaction,
  type MutationResult,
  type Tx,
} from "./records";
import { ensureRollupTimeZones } from "./usage-rollups";

/**
 * Teams written by a person: create (idempotent per form), edit (refused when
 * the team changed since the form was opened), delete (only when empty;
 * undoable). A new team or a new time zone gets its day rollups in the same
 * transaction, so the team's dashboards answer from rollups at once.
 */

function duplicateSlugError(slug: string) {
  return invalid({ slug: [`Another team already uses the slug “${slug}”; choose another`] });
}

async function assertUniqueSlug(tx: Tx, viewer: Viewer, slug: string, exceptId?: number): Promise<void> {
  const clash = await tx.team.findFirst({
    where: { ...orgWhere(viewer), slug, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw new RollbackWith(duplicateSlugError(slug));
}

/** A slug taken by a concurrent write becomes the same field error the pre-check gives. */
function rethrowUnique(error: unknown, values: TeamValues): never {
  if (databaseErrorCode(error) === "23505") throw new RollbackWith(duplicateSlugError(values.slug));
  throw error;
}

export async function createTeam({
  viewer,
  values,
  idempotencyKey,
}: {
  viewer: Viewer;
  values: TeamValues;
  idempotencyKey: string | null;
}): Promise<MutationResult<{ id: number; slug: string; isReplay: boolean }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    if (idempotencyKey) {
      const earlier = await claimIdempotencyKey(run, { viewer, key: idempotencyKey, action: "team.create" });
      if (earlier) {
        const team = await tx.team.findFirst({ where: { id: Number(earlier), ...orgWhere(viewer) }, select: { slug: true } });
        return { id: Number(earlier), slug: team?.slug ?? values.slug, isReplay: true };
      }
    }
    await assertUniqueSlug(tx, viewer, values.slug);
    const created = await tx.team.create({ data: { ...values, orgId: ownOrgId(viewer) } }).catch((error: unknown) => rethrowUnique(error, values));
    await ensureRollupTimeZones(run);
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "team", entityId: String(created.id), action: "CREATE", before: null, after: auditSnapshot(created) },
    ]);
    if (idempotencyKey) await settleIdempotencyKey(run, { viewer, key: idempotencyKey, entityId: String(created.id) });
    return { id: created.id, slug: created.slug, isReplay: false };
  });
}

/** The team if the viewer may see it (org admins: every team; members: theirs), else null. */
async function findOwnTeam(tx: Tx, viewer: Viewer, id: number) {
  return tx.team.findFirst({ where: { id, ...teamWhere(viewer) } });
}

/**
 * Who may save a team form: an org admin any change; the team's own admin
 * (team:manage) only its monthly budget — name, slug and time zone stay the
 * org admins' to change.
 */
function authorizeTeamUpdate(viewer: Viewer, current: { id: number; slug: string; name: string; timeZone: string }, values: TeamValues) {
  const asOrgAdmin = authorize(viewer, "org:manage");
  if (!asOrgAdmin) return null;
  if (!canTeam(viewer, "team:manage", current.id)) return asOrgAdmin;
  const onlyBudget = values.slug === current.slug && values.name === current.name && values.timeZone === current.timeZone;
  return onlyBudget ? null : forbidden("A team admin may change the team's monthly budget; its name, slug and time zone are an org admin's to change.");
}

export async function updateTeam({
  viewer,
  id,
  expectedVersion,
  values,
}: {
  viewer: Viewer;
  id: number;
  expectedVersion: number;
  values: TeamValues;
}): Promise<MutationResult<{ id: number; slug: string; version: number }>> {
  return writeTransaction(viewer, async (tx, run) => {
    const current = await findOwnTeam(tx, viewer, id);
    if (!current) throw new RollbackWith(notFound("This team no longer exists: it was deleted after you opened it."));
    assertAuthorized(authorizeTeamUpdate(viewer, current, values));
    await assertUniqueSlug(tx, viewer, values.slug, id);
    const { count } = await tx.team
      .updateMany({ where: { id, ...orgWhere(viewer), version: expectedVersion }, data: { ...values, version: { increment: 1 } } })
      .catch((error: unknown) => rethrowUnique(error, values));
    if (count === 0) {
      throw await staleVersion(run, { viewer, entityType: "team", entityId: String(id), current, values, noun: "team" });
    }
    if (values.timeZone !== current.timeZone) await ensureRollupTimeZones(run);
    const updated = await tx.team.findUniqueOrThrow({ where: { id } });
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "team", entityId: String(id), action: "UPDATE", before: auditSnapshot(current), after: auditSnapshot(updated) },
    ]);
    return { id, slug: updated.slug, version: updated.version };
  });
}

/**
 * Deletes an empty team (undoable). A team with runs or deployments is
 * refused: the database would cascade them away, and nothing here disappears
 * silently. The row is locked first, so a run added concurrently either
 * lands before the count (and blocks the delete) or fails after it.
 */
export async function deleteTeam({ viewer, id }: { viewer: Viewer; id: number }): Promise<MutationResult<{ deletedId: number; label: string }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    const [locked] = await run.query<{ id: number }>(Prisma.sql`select id from teams where id = ${id} and ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} for update`);
    const current = locked ? await findOwnTeam(tx, viewer, id) : null;
    if (!current) throw new RollbackWith(notFound("This team was already deleted."));
    const counts = await runsAndDeploymentsUsing(run, { column: "teamId", id });
    if (counts.runs + counts.deployments > 0) {
      throw new RollbackWith(
        formError(`${current.name} still has ${describeRecords(counts)}. Move them to another team or delete them first; deleting a team never deletes its records.`),
      );
    }
    const label = `Team ${current.name}`;
    const deletedId = await trashRecord(run, { viewer, entityType: "team", id, label, before: current });
    return { deletedId, label };
  });
}
