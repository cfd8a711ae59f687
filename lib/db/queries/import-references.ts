import { orgScopeSql } from "@/lib/access/policy";
import type { ImportKind } from "@/lib/import/kinds";
import type { ImportReferences } from "@/lib/import/references";
import { Prisma, type SqlRunner } from "../sql";

/**
 * The teams, GPU types and deployments an import may name: the org's own,
 * nothing else (`orgId` from orgWhere(viewer)). Team permissions are applied
 * on top by loadScopedImportReferences (lib/db/mutations/imports.ts).
 */
export async function loadImportReferences(
  run: SqlRunner,
  { orgId, kind, isLocking = false }: { orgId: number; kind: ImportKind; /** Usage: lock the deployments until commit, as every usage write does (their periods can't change under the import). */ isLocking?: boolean },
): Promise<ImportReferences> {
  if (kind === "trainingRuns") {
    // One after the other: inside a transaction both run on the same connection anyway.
    const teams = await run.query<{ id: number; slug: string }>(Prisma.sql`select id, slug from teams where ${orgScopeSql({ orgId }, Prisma.sql`"orgId"`)} order by slug`);
    const gpuTypes = await run.query<{ id: number; name: string }>(Prisma.sql`select id, name from gpu_types where ${orgScopeSql({ orgId }, Prisma.sql`"orgId"`)} order by name`);
    return { teams, gpuTypes, deployments: [] };
  }
  const deployments = await run.query<{ id: number; name: string; activeFrom: Date; activeTo: Date | null }>(Prisma.sql`
    select d.id, d.name, d."activeFrom", d."activeTo"
    from inference_deployments d join teams t on t.id = d."teamId"
    where ${orgScopeSql({ orgId }, Prisma.sql`t."orgId"`)}
    order by d.id
    ${isLocking ? Prisma.sql`for no key update of d` : Prisma.empty}`);
  return { teams: [], gpuTypes: [], deployments };
}

/** When a deployment's stored traffic starts and ends (null without windows). */
export async function storedWindowSpan(run: SqlRunner, deploymentId: number): Promise<{ first: Date; lastEnd: Date } | null> {
  const [span] = await run.query<{ first: Date | null; lastEnd: Date | null }>(Prisma.sql`
    select min("windowStart") as first, max("windowStart" + make_interval(secs => "windowSeconds")) as "lastEnd"
    from inference_usage_windows where "deploymentId" = ${deploymentId}`);
  return span?.first && span.lastEnd ? { first: span.first, lastEnd: span.lastEnd } : null;
}
