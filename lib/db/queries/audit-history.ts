import "server-only";
import { orgScopeSql, seesAllTeams, teamScopeSql } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import type { AuditAction, AuditSnapshot, EntityType } from "@/lib/db/mutations/audit";
import { Prisma, prismaRunner } from "@/lib/db/sql";

export interface AuditHistoryEntry {
  id: string;
  at: Date;
  actorName: string;
  action: AuditAction;
  source: string;
  entityType: EntityType;
  entityId: string;
  before: AuditSnapshot | null;
  after: AuditSnapshot | null;
  changedFields: string[];
  importFileName: string | null;
  /** The visible prefix of the API key that made the change ("brk_3f9a1c2e"), when a key did. */
  apiKeyPrefix: string | null;
  /** The client's address, where the entry recorded it (API writes, API key changes). */
  clientIp: string | null;
}

/** SQL: the columns and joins of an AuditHistoryEntry, for `audit_entries a` (every history list selects these). */
export const AUDIT_HISTORY_SELECT = Prisma.sql`
    select a.id::text as id, a.at, a."actorName", a.action::text as action, a.source, a."entityType", a."entityId",
      a.before, a.after, a."changedFields", b."fileName" as "importFileName", k.prefix as "apiKeyPrefix", a."clientIp"
    from audit_entries a left join import_batches b on b.id = a."importId" left join api_keys k on k.id = a."apiKeyId"`;

/**
 * SQL: the subject of an audit entry (alias `a`) is something the viewer may
 * see — a run or deployment of a team they see, a team they see, or the
 * org-wide catalog (GPU types, prices). Another team's record reads as one
 * without history.
 */
export function auditSubjectVisibleSql(viewer: Viewer): Prisma.Sql {
  const org = orgScopeSql(viewer, Prisma.sql`a."orgId"`);
  if (seesAllTeams(viewer)) return org;
  return Prisma.sql`${org} and (
    (a."subjectType" = 'trainingRun' and exists (select 1 from training_runs r where r.id::text = a."subjectId" and ${teamScopeSql(viewer, Prisma.sql`r."teamId"`)}))
    or (a."subjectType" = 'inferenceDeployment' and exists (select 1 from inference_deployments d where d.id::text = a."subjectId" and ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}))
    or (a."subjectType" = 'team' and exists (select 1 from teams t where t.id::text = a."subjectId" and ${teamScopeSql(viewer, Prisma.sql`t.id`)}))
    or a."subjectType" in ('gpuType', 'gpuPrice'))`;
}

/** A record's history, newest first: its own entries and those of records listed under it (a deployment's usage windows); empty when the viewer may not see the record. */
export async function auditHistory({ viewer, subjectType, subjectId, limit = 100 }: { viewer: Viewer; subjectType: EntityType; subjectId: string; limit?: number }) {
  const rows = await prismaRunner(db()).query<AuditHistoryEntry & { id: bigint | string }>(Prisma.sql`
    ${AUDIT_HISTORY_SELECT}
    where ${auditSubjectVisibleSql(viewer)} and a."subjectType" = ${subjectType} and a."subjectId" = ${subjectId}
    order by a.at desc, a.id desc
    limit ${limit}`);
  return rows.map((row) => ({ ...row, id: String(row.id) })) as AuditHistoryEntry[];
}

/**
 * SQL: a deleted_records row (alias `d`) is about something the viewer may
 * see: every deleted record of the org for org owners and admins; for others,
 * runs and deployments of their teams, usage records of their teams'
 * deployments and the org-wide catalog (GPU types, prices) — never a deleted
 * team or another team's record.
 */
function deletedRecordVisibleSql(viewer: Viewer): Prisma.Sql {
  const org = orgScopeSql(viewer, Prisma.sql`d."orgId"`);
  if (seesAllTeams(viewer)) return org;
  return Prisma.sql`${org} and (
    (d."entityType" in ('trainingRun', 'inferenceDeployment') and ${teamScopeSql(viewer, Prisma.sql`(d.payload->'row'->>'teamId')::int`)})
    or (d."entityType" = 'usageWindow' and exists (
      select 1 from inference_deployments x where x.id = (d.payload->'row'->>'deploymentId')::int and ${teamScopeSql(viewer, Prisma.sql`x."teamId"`)}))
    or d."entityType" in ('gpuType', 'gpuPrice'))`;
}

/** The label of a deleted record the viewer may see (for the "… deleted. Undo" notice), or null. */
export async function deletedRecordLabel({ viewer, id }: { viewer: Viewer; id: number }): Promise<string | null> {
  const [row] = await prismaRunner(db()).query<{ label: string }>(Prisma.sql`
    select d.label from deleted_records d where d.id = ${id} and d."restoredAt" is null and ${deletedRecordVisibleSql(viewer)}`);
  return row?.label ?? null;
}

/** Props for the notice a write's redirect asks for: "?notice=created|saved|restored" or "?deleted=<id>" (with Undo). */
export async function recordNotice({ viewer, searchParams }: { viewer: Viewer; searchParams: Record<string, string | string[] | undefined> }) {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const notice = first(searchParams.notice);
  const deleted = first(searchParams.deleted);
  if (deleted && /^\d{1,9}$/.test(deleted)) {
    const label = await deletedRecordLabel({ viewer, id: Number(deleted) });
    return label ? { deletedId: deleted, deletedLabel: `${label} deleted.` } : {};
  }
  return { notice };
}
