import "server-only";
import { orgWhere, teamScopeSql, teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db, Prisma } from "@/lib/db/client";

/** The teams the viewer may see (/teams). */
export async function listTeams({ viewer }: { viewer: Viewer }) {
  return db().team.findMany({
    where: teamWhere(viewer),
    select: { id: true, slug: true, name: true, timeZone: true, monthlyBudgetUsd: true },
    orderBy: { name: "asc" },
  });
}

/** The org's GPU catalog: org-wide, every member sees it. */
export async function listGpuCatalog({ viewer }: { viewer: Viewer }) {
  return db().gpuType.findMany({
    where: orgWhere(viewer),
    select: {
      id: true,
      name: true,
      memoryGb: true,
      peakBf16Tflops: true,
      memoryBandwidthGbps: true,
      prices: {
        select: { id: true, provider: true, pricingModel: true, pricePerGpuHour: true, effectiveFrom: true, effectiveTo: true },
        orderBy: [{ provider: "asc" }, { pricingModel: "asc" }, { effectiveFrom: "asc" }],
      },
    },
    orderBy: { name: "asc" },
  });
}

/** Choices for the dashboard filter bar: the teams the viewer may see and their models; every GPU type of the org. */
export async function filterOptions({ viewer }: { viewer: Viewer }) {
  const [teams, gpuTypes, modelRows] = await Promise.all([
    db().team.findMany({ where: teamWhere(viewer), select: { slug: true, name: true }, orderBy: { name: "asc" } }),
    db().gpuType.findMany({ where: orgWhere(viewer), select: { id: true, name: true }, orderBy: { name: "asc" } }),
    // Distinct in SQL (Prisma's `distinct` fetches every row and dedupes in Node), and for runs a loose index scan per
    // team over training_runs ("teamId", model): one index probe per distinct model, 1.7 ms for 100,000 runs where the
    // plain `select model … union` read them all (123 ms).
    db().$queryRaw<{ model: string }[]>(Prisma.sql`
      select x.model from teams t
      cross join lateral (
        with recursive m(model) as (
          (select r.model from training_runs r where r."teamId" = t.id order by r.model limit 1)
          union all
          select (select r.model from training_runs r where r."teamId" = t.id and r.model > m.model order by r.model limit 1) from m where m.model is not null
        )
        select m.model from m where m.model is not null
      ) x
      where ${teamScopeSql(viewer, Prisma.sql`t.id`)}
      union
      select model from inference_deployments d where ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}`),
  ]);
  const models = modelRows.map((m) => m.model).sort((a, b) => a.localeCompare(b));
  return { teams, gpuTypes, models };
}

export type FilterOptions = Awaited<ReturnType<typeof filterOptions>>;
