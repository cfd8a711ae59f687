import Decimal from "decimal.js";
import { ownOrgId } from "@/lib/access/own-org-id";
import type { Viewer } from "@/lib/access/viewer";
import { isDecimalLike, Prisma, type SqlRunner } from "../sql";

/**
 * The audit log: every create, update, delete and restore — from a form, an
 * import or an undo — writes entries here in the same transaction as the
 * change itself. Values are stored as JSON scalars: money and big counts as
 * decimal strings (never floats), instants as ISO strings, so "before" and
 * "after" read exactly as the database held them.
 */

export type EntityType = "team" | "gpuType" | "gpuPrice" | "trainingRun" | "inferenceDeployment" | "usageWindow" | "monthClosure" | "org" | "suggestion" | "user" | "invitation" | "apiKey";
export type AuditAction = "CREATE" | "UPDATE" | "DELETE" | "RESTORE" | "USE" | "REVOKE";
export type AuditSource = "form" | "import" | "undo" | "setup" | "api" | "prometheus";

export type AuditValue = string | number | boolean | null;
export type AuditSnapshot = Record<string, AuditValue>;

/** Columns that change on every write and say nothing about the record. */
// costRolled*: the cost rollup's watermark and totals (lib/db/mutations/cost-rollups.ts), not part of the record.
const BOOKKEEPING = new Set(["id", "createdAt", "updatedAt", "version", "latencyKeys", "latencyCounts", "costRolledTo", "costRolledCents", "costRolledMicros"]);

/** One column value as an exact JSON scalar. */
export function auditValue(value: unknown): AuditValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && isDecimalLike(value)) return value.toFixed();
  return JSON.stringify(value);
}

/** A row as the audit log stores it: bookkeeping columns dropped, values exact. */
export function auditSnapshot(row: Record<string, unknown>): AuditSnapshot {
  const snapshot: AuditSnapshot = {};
  for (const [key, value] of Object.entries(row)) {
    if (BOOKKEEPING.has(key) || typeof value === "function") continue;
    snapshot[key] = auditValue(value);
  }
  return snapshot;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Equal as stored: "2.5" and "2.500000" are the same numeric value. */
function sameValue(a: AuditValue, b: AuditValue): boolean {
  if (a === b) return true;
  if (typeof a === "string" && typeof b === "string" && DECIMAL.test(a) && DECIMAL.test(b)) return new Decimal(a).equals(b);
  return false;
}

/** Keys whose values differ between two snapshots, in a stable order. */
export function changedFields(before: AuditSnapshot | null, after: AuditSnapshot | null): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter((key) => !sameValue(before?.[key] ?? null, after?.[key] ?? null)).sort();
}

/** How an actor and a source are recorded on every entry of one write. */
export interface AuditContext {
  /** An API key viewer's writes are recorded with the key and the client's address. */
  viewer: Pick<Viewer, "orgId" | "userId" | "name" | "credential" | "clientIp">;
  source: AuditSource;
  importId?: number | null;
}

export interface AuditEntryInput {
  entityType: EntityType;
  entityId: string;
  /** The record whose history lists this entry; defaults to the entity itself. */
  subject?: { type: EntityType; id: string };
  action: AuditAction;
  before: AuditSnapshot | null;
  after: AuditSnapshot | null;
}

/** A usage window's id in the log: its deployment and start instant (its primary key). */
export function usageWindowEntityId(deploymentId: number, windowStart: Date): string {
  return `${deploymentId}@${windowStart.toISOString()}`;
}

const CHUNK = 2_000;

/** Writes entries (one statement per 2,000) inside the caller's transaction. An update that changed nothing writes nothing. */
export async function writeAuditEntries(run: SqlRunner, context: AuditContext, entries: readonly AuditEntryInput[]): Promise<number> {
  const rows = entries
    .map((entry) => ({ entry, changed: changedFields(entry.before, entry.after) }))
    .filter(({ entry, changed }) => entry.action !== "UPDATE" || changed.length > 0);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await run.execute(Prisma.sql`
      insert into audit_entries ("orgId", "userId", "actorName", "entityType", "entityId", "subjectType", "subjectId",
        action, before, after, "changedFields", source, "importId", "apiKeyId", "clientIp")
      select ${ownOrgId(context.viewer)}, ${context.viewer.userId}, ${context.viewer.name}, e."entityType", e."entityId",
        e."subjectType", e."subjectId", e.action::"AuditAction", e.before, e.after,
        array(select jsonb_array_elements_text(e.changed)), ${context.source}, ${context.importId ?? null}::int,
        ${context.viewer.credential?.keyId ?? null}::int, ${context.viewer.clientIp ?? null}::text
      from jsonb_to_recordset(${JSON.stringify(
        chunk.map(({ entry, changed }) => ({
          entityType: entry.entityType,
          entityId: entry.entityId,
          subjectType: entry.subject?.type ?? entry.entityType,
          subjectId: entry.subject?.id ?? entry.entityId,
          action: entry.action,
          before: entry.before,
          after: entry.after,
          changed,
        })),
      )}::jsonb) as e("entityType" text, "entityId" text, "subjectType" text, "subjectId" text, action text,
        before jsonb, after jsonb, changed jsonb)`);
  }
  return rows.length;
}
