import "server-only";
import { orgScopeSql, orgWhere, teamRecordWhere, teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { Prisma, prismaRunner } from "@/lib/db/sql";
import { instantToLocal } from "@/lib/domain/local-time";

/** A catalog price as forms use it: exact decimal text, instants as Dates. */
export interface CatalogPriceOption {
  gpuTypeId: number;
  provider: string;
  pricingModel: string;
  pricePerGpuHour: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

/** What the run and deployment forms offer: the teams the viewer may write to, the org's GPU types and catalog prices (for defaults and the cost preview). */
export async function recordFormOptions({ viewer }: { viewer: Viewer }) {
  const [teams, gpuTypes, prices] = await Promise.all([
    db().team.findMany({ where: teamWhere(viewer, "team:write"), select: { id: true, slug: true, name: true, timeZone: true }, orderBy: { name: "asc" } }),
    db().gpuType.findMany({ where: orgWhere(viewer), select: { id: true, name: true, peakBf16Tflops: true }, orderBy: { name: "asc" } }),
    prismaRunner(db()).query<CatalogPriceOption>(Prisma.sql`
      select p."gpuTypeId", p.provider, p."pricingModel"::text as "pricingModel", p."pricePerGpuHour"::text as "pricePerGpuHour",
        p."effectiveFrom", p."effectiveTo"
      from gpu_prices p join gpu_types g on g.id = p."gpuTypeId"
      where ${orgScopeSql(viewer, Prisma.sql`g."orgId"`)}
      order by p."gpuTypeId", p.provider, p."pricingModel", p."effectiveFrom"`),
  ]);
  return {
    teams,
    gpuTypes: gpuTypes.map((g) => ({ id: g.id, name: g.name, peakBf16Tflops: g.peakBf16Tflops.toFixed(2) })),
    prices,
  };
}

export type RecordFormOptions = Awaited<ReturnType<typeof recordFormOptions>>;

/** A stored value as a form input shows it: instants as local wall-clock text in `timeZone`, numbers exact. */
export function toFormValue(value: unknown, timeZone: string): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return instantToLocal({ instant: value, timeZone });
  if (typeof value === "object" && value !== null && "toFixed" in value && "decimalPlaces" in value) {
    const decimal = value as { toFixed(dp?: number): string };
    return decimal.toFixed();
  }
  return String(value);
}

const RUN_FORM_KEYS = [
  "teamId", "name", "model", "parameterCount", "method", "precision", "gradientCheckpointing", "flashAttention", "zeroStage",
  "gradientAccumulationSteps", "gpuTypeId", "provider", "pricingModel", "gpuCount", "startedAt", "endedAt", "status",
  "tokensProcessed", "throughputTokensPerSec", "avgGpuUtilizationPct", "pricePerGpuHourOverride", "storageCostUsd",
  "dataCostUsd", "networkCostUsd", "notes",
] as const;

/**
 * A run as its edit form starts: values, the version it was loaded at, its
 * name and team; null when the viewer may not see it (whether they may edit
 * it is the page's check, on `teamId`).
 */
export async function trainingRunFormValues({ viewer, id, timeZone }: { viewer: Viewer; id: number; timeZone: string }) {
  const run = await db().trainingRun.findFirst({ where: { ...teamRecordWhere(viewer), id } });
  if (!run) return null;
  const values: Record<string, string> = {};
  for (const key of RUN_FORM_KEYS) values[key] = toFormValue(run[key], timeZone);
  return { values, version: run.version, name: run.name, id: run.id, teamId: run.teamId };
}
