import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import type { AuditSnapshot, EntityType } from "@/lib/db/mutations/audit";
import { Prisma, prismaRunner } from "@/lib/db/sql";

export interface AuditHistoryEntry {
  id: string;
  at: Date;
  actorName: string;
  action: "CREATE" | "UPDATE" | "DELETE" | "RESTORE";
  source: string;
  entityType: EntityType;
  entityId: string;
  before: AuditSnapshot | null;
  after: AuditSnapshot | null;
  changedFields: string[];
  importFileName: string | null;
}

/** A record's history, newest first: its own entries and those of records listed under it (a deployment's usage windows). */
export async function auditHistory({ viewer, subjectType, subjectId, limit = 100 }: { viewer: Viewer; subjectType: EntityType; subjectId: string; limit?: number }) {
  const rows = await prismaRunner(db()).query<AuditHistoryEntry & { id: bigint | string }>(Prisma.sql`
    select a.id::text as id, a.at, a."actorName", a.action::text as action, a.source, a."entityType", a."entityId",
      a.before, a.after, a."changedFields", b."fileName" as "importFileName"
    from audit_entries a left join import_batches b on b.id = a."importId"
    where a."orgId" = ${viewer.orgId} and a."subjectType" = ${subjectType} and a."subjectId" = ${subjectId}
    order by a.at desc, a.id desc
    limit ${limit}`);
  return rows.map((row) => ({ ...row, id: String(row.id) })) as AuditHistoryEntry[];
}

/** The label of a record deleted by the viewer's org (for the "… deleted. Undo" notice), or null. */
export async function deletedRecordLabel({ viewer, id }: { viewer: Viewer; id: number }): Promise<string | null> {
  const row = await db().deletedRecord.findFirst({ where: { id, orgId: viewer.orgId, restoredAt: null }, select: { label: true } });
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
