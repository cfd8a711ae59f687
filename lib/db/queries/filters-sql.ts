import { teamScopeSql } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { Prisma } from "../sql";

/** What a dashboard can narrow to. Empty arrays mean "no filter". */
export interface LedgerFilters {
  teamIds?: number[];
  models?: string[];
  gpuTypeIds?: number[];
  deploymentIds?: number[];
  runIds?: number[];
  /** Only training runs or only inference deployments. */
  kind?: "training" | "inference";
}

export type LedgerGroup = "none" | "team" | "model" | "gpuType" | "kind" | "item";

export function has<T>(values: T[] | undefined): values is T[] {
  return values !== undefined && values.length > 0;
}

/** The viewer's visible teams (lib/access/policy.ts) plus filters for a table aliased `alias` with teamId/model/gpuTypeId columns. */
export function scopeSql(viewer: Viewer, filters: LedgerFilters, alias: string): Prisma.Sql {
  const a = Prisma.raw(alias);
  const parts: Prisma.Sql[] = [teamScopeSql(viewer, Prisma.sql`${a}."teamId"`)];
  if (has(filters.teamIds)) parts.push(Prisma.sql`${a}."teamId" = any(${filters.teamIds}::int[])`);
  if (has(filters.models)) parts.push(Prisma.sql`${a}.model = any(${filters.models}::text[])`);
  if (has(filters.gpuTypeIds)) parts.push(Prisma.sql`${a}."gpuTypeId" = any(${filters.gpuTypeIds}::int[])`);
  return Prisma.join(parts, " and ");
}
