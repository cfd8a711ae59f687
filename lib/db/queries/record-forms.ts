import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { Prisma, prismaRunner } from "@/lib/db/sql";

/** A catalog price as forms use it: exact decimal text, instants as Dates. */
export interface CatalogPriceOption {
  gpuTypeId: number;
  provider: string;
  pricingModel: string;
  pricePerGpuHour: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

/** What the run and deployment forms offer: the org's teams, GPU types and catalog prices (for defaults and the cost preview). */
export async function recordFormOptions({ viewer }: { viewer: Viewer }) {
  const [teams, gpuTypes, prices] = await Promise.all([
    db().team.findMany({ where: { orgId: viewer.orgId }, select: { id: true, slug: true, name: true, timeZone: true }, orderBy: { name: "asc" } }),
    db().gpuType.findMany({ where: { orgId: viewer.orgId }, select: { id: true, name: true, peakBf16Tflops: true }, orderBy: { name: "asc" } }),
    prismaRunner(db()).query<CatalogPriceOption>(Prisma.sql`
      select p."gpuTypeId", p.provider, p."pricingModel"::text as "pricingModel", p."pricePerGpuHour"::text as "pricePerGpuHour",
        p."effectiveFrom", p."effectiveTo"
      from gpu_prices p join gpu_types g on g.id = p."gpuTypeId"
      where g."orgId" = ${viewer.orgId}
      order by p."gpuTypeId", p.provider, p."pricingModel", p."effectiveFrom"`),
  ]);
  return {
    teams,
    gpuTypes: gpuTypes.map((g) => ({ id: g.id, name: g.name, peakBf16Tflops: g.peakBf16Tflops.toFixed(2) })),
    prices,
  };
}

export type RecordFormOptions = Awaited<ReturnType<typeof recordFormOptions>>;
