import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";

export async function listTeams({ viewer }: { viewer: Viewer }) {
  return db().team.findMany({
    where: { orgId: viewer.orgId },
    select: { id: true, slug: true, name: true, timeZone: true, monthlyBudgetUsd: true },
    orderBy: { name: "asc" },
  });
}

export async function listGpuCatalog({ viewer }: { viewer: Viewer }) {
  return db().gpuType.findMany({
    where: { orgId: viewer.orgId },
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

/** Choices for the dashboard filter bar. */
export async function filterOptions({ viewer }: { viewer: Viewer }) {
  const [teams, gpuTypes, runModels, deploymentModels] = await Promise.all([
    db().team.findMany({ where: { orgId: viewer.orgId }, select: { slug: true, name: true }, orderBy: { name: "asc" } }),
    db().gpuType.findMany({ where: { orgId: viewer.orgId }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db().trainingRun.findMany({ where: { team: { orgId: viewer.orgId } }, select: { model: true }, distinct: ["model"] }),
    db().inferenceDeployment.findMany({ where: { team: { orgId: viewer.orgId } }, select: { model: true }, distinct: ["model"] }),
  ]);
  const models = [...new Set([...runModels, ...deploymentModels].map((m) => m.model))].sort((a, b) => a.localeCompare(b));
  return { teams, gpuTypes, models };
}

export type FilterOptions = Awaited<ReturnType<typeof filterOptions>>;
