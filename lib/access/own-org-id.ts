import type { Viewer } from "./viewer";

/**
 * The viewer's org id as a value, where it is written or handed on rather
 * than matched: the `orgId` of a new org-owned row (audit entries, deleted
 * records, import batches, idempotency keys, month closures, GPU types,
 * teams, suggestion decisions), the key of an org-wide advisory lock, or the
 * org a background job runs for. Never a scope clause: those come from
 * policy.ts (`orgWhere`, `orgScopeSql`, `teamWhere`, `teamRecordWhere`, …).
 */
export function ownOrgId(viewer: Pick<Viewer, "orgId">): number {
  return viewer.orgId;
}
