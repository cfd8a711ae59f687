import "server-only";
import { orgScopeSql, orgWhere, teamRecordWhere, teamScopeSql, teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { Prisma, prismaRunner } from "@/lib/db/sql";
import type { PricingModel } from "@/lib/validation/entities/enums";
import { toFormValue } from "./record-forms";

/**
 * Read models of the Settings pages: the lists with what uses each record,
 * and each record as its edit form starts (values as inputs show them, the
 * version it was loaded at, and what a change or delete would affect).
 */

const counts = (n: unknown) => Number(n ?? 0);

/** The teams the viewer may see, with how many runs and deployments each has (a team with records can't be deleted). */
export async function settingsTeams({ viewer }: { viewer: Viewer }) {
  const rows = await prismaRunner(db()).query<{ id: number; slug: string; name: string; timeZone: string; monthlyBudgetUsd: string; runs: number; deployments: number }>(Prisma.sql`
    select t.id, t.slug, t.name, t."timeZone", t."monthlyBudgetUsd"::text as "monthlyBudgetUsd",
      (select count(*)::int from training_runs r where r."teamId" = t.id) as runs,
      (select count(*)::int from inference_deployments d where d."teamId" = t.id) as deployments
    from teams t where ${teamScopeSql(viewer, Prisma.sql`t.id`)}
    order by t.name`);
  return rows.map((row) => ({ ...row, runs: counts(row.runs), deployments: counts(row.deployments) }));
}

/**
 * GPU types (org-wide: every member sees the catalog) with their specs (exact
 * text) and how many prices each has, and how many runs and deployments of
 * the teams the viewer may see use it (all of them for the org admins who
 * edit the catalog).
 */
export async function settingsGpuTypes({ viewer }: { viewer: Viewer }) {
  const rows = await prismaRunner(db()).query<{
    id: number;
    name: string;
    memoryGb: number;
    peakBf16Tflops: string;
    memoryBandwidthGbps: string;
    prices: number;
    runs: number;
    deployments: number;
  }>(Prisma.sql`
    select g.id, g.name, g."memoryGb", g."peakBf16Tflops"::text as "peakBf16Tflops", g."memoryBandwidthGbps"::text as "memoryBandwidthGbps",
      (select count(*)::int from gpu_prices p where p."gpuTypeId" = g.id) as prices,
      (select count(*)::int from training_runs r where r."gpuTypeId" = g.id and ${teamScopeSql(viewer, Prisma.sql`r."teamId"`)}) as runs,
      (select count(*)::int from inference_deployments d where d."gpuTypeId" = g.id and ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}) as deployments
    from gpu_types g where ${orgScopeSql(viewer, Prisma.sql`g."orgId"`)}
    order by g.name`);
  return rows.map((row) => ({ ...row, prices: counts(row.prices), runs: counts(row.runs), deployments: counts(row.deployments) }));
}

export interface CatalogPrice {
  id: number;
  gpuTypeId: number;
  gpuTypeName: string;
  provider: string;
  pricingModel: PricingModel;
  /** Exact decimal text, e.g. "2.500000". */
  pricePerGpuHour: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

/** Every catalog price of the org, by GPU, provider, pricing model and start. */
export async function settingsPrices({ viewer }: { viewer: Viewer }): Promise<CatalogPrice[]> {
  return prismaRunner(db()).query<CatalogPrice>(Prisma.sql`
    select p.id, p."gpuTypeId", g.name as "gpuTypeName", p.provider, p."pricingModel"::text as "pricingModel",
      p."pricePerGpuHour"::text as "pricePerGpuHour", p."effectiveFrom", p."effectiveTo"
    from gpu_prices p join gpu_types g on g.id = p."gpuTypeId"
    where ${orgScopeSql(viewer, Prisma.sql`g."orgId"`)}
    order by g.name, p.provider, p."pricingModel", p."effectiveFrom"`);
}

/** A team as its edit form starts, with what it holds; null when the viewer sees no team with this slug. */
export async function teamFormValues({ viewer, slug }: { viewer: Viewer; slug: string }) {
  const team = await db().team.findFirst({ where: { ...teamWhere(viewer), slug } });
  if (!team) return null;
  const [runs, deployments] = await Promise.all([db().trainingRun.count({ where: { teamId: team.id } }), db().inferenceDeployment.count({ where: { teamId: team.id } })]);
  const budget = team.monthlyBudgetUsd;
  return {
    id: team.id,
    name: team.name,
    slug: team.slug,
    version: team.version,
    values: { slug: team.slug, name: team.name, monthlyBudgetUsd: budget.decimalPlaces() <= 2 ? budget.toFixed(2) : budget.toFixed(), timeZone: team.timeZone },
    counts: { runs, deployments },
  };
}

/**
 * The slug a team has now, when `slug` was one of its earlier slugs (from the
 * audit log), so old links to its edit page still arrive; null otherwise.
 */
export async function currentTeamSlug({ viewer, slug }: { viewer: Viewer; slug: string }): Promise<string | null> {
  const [row] = await prismaRunner(db()).query<{ slug: string }>(Prisma.sql`
    select t.slug from audit_entries a join teams t on t.id::text = a."entityId" and t."orgId" = a."orgId"
    where ${orgScopeSql(viewer, Prisma.sql`a."orgId"`)} and ${teamScopeSql(viewer, Prisma.sql`t.id`)} and a."entityType" = 'team' and a.action = 'UPDATE' and a.before->>'slug' = ${slug}
    order by a.at desc, a.id desc limit 1`);
  return row && row.slug !== slug ? row.slug : null;
}

/** A GPU type as its edit form starts, with its prices and what uses it; null when not the viewer's. */
export async function gpuTypeFormValues({ viewer, id }: { viewer: Viewer; id: number }) {
  const gpuType = await db().gpuType.findFirst({ where: { ...orgWhere(viewer), id } });
  if (!gpuType) return null;
  const [runs, deployments, prices] = await Promise.all([
    db().trainingRun.count({ where: { ...teamRecordWhere(viewer), gpuTypeId: id } }),
    db().inferenceDeployment.count({ where: { ...teamRecordWhere(viewer), gpuTypeId: id } }),
    db().gpuPrice.count({ where: { gpuTypeId: id } }),
  ]);
  return {
    id,
    name: gpuType.name,
    version: gpuType.version,
    values: {
      name: gpuType.name,
      memoryGb: String(gpuType.memoryGb),
      peakBf16Tflops: gpuType.peakBf16Tflops.toFixed(),
      memoryBandwidthGbps: gpuType.memoryBandwidthGbps.toFixed(),
    },
    counts: { runs, deployments, prices },
  };
}

/**
 * Runs and deployments whose cost a catalog price period sets: on that GPU
 * type, provider and pricing model, without a price override, active at some
 * point in [from, to). Prices are looked up by that key, not by id, so
 * editing or deleting the period changes what they cost. Counted over the
 * teams the viewer may see (every team for the org admins who edit prices).
 */
export async function pricedRecordCounts({
  viewer,
  gpuTypeId,
  provider,
  pricingModel,
  from,
  to,
}: {
  viewer: Viewer;
  gpuTypeId: number;
  provider: string;
  pricingModel: string;
  from: Date;
  to: Date | null;
}): Promise<{ runs: number; deployments: number }> {
  const end = to ?? new Date("9999-01-01T00:00:00Z");
  const [row] = await prismaRunner(db()).query<{ runs: number; deployments: number }>(Prisma.sql`
    select
      (select count(*)::int from training_runs r
        where ${teamScopeSql(viewer, Prisma.sql`r."teamId"`)} and r."gpuTypeId" = ${gpuTypeId} and r.provider = ${provider} and r."pricingModel"::text = ${pricingModel}
          and r."pricePerGpuHourOverride" is null and r."startedAt" < ${end} and coalesce(r."endedAt", now()) > ${from}) as runs,
      (select count(*)::int from inference_deployments d
        where ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)} and d."gpuTypeId" = ${gpuTypeId} and d.provider = ${provider} and d."pricingModel"::text = ${pricingModel}
          and d."pricePerGpuHourOverride" is null and d."activeFrom" < ${end} and coalesce(d."activeTo", now()) > ${from}) as deployments`);
  return { runs: counts(row?.runs), deployments: counts(row?.deployments) };
}

/** A price as its edit form starts (times in `timeZone`), with its GPU's name and the records it prices; null when not the viewer's. */
export async function gpuPriceFormValues({ viewer, id, timeZone }: { viewer: Viewer; id: number; timeZone: string }) {
  const price = await db().gpuPrice.findFirst({ where: { id, gpuType: orgWhere(viewer) }, include: { gpuType: { select: { name: true } } } });
  if (!price) return null;
  const amount = price.pricePerGpuHour;
  const impact = await pricedRecordCounts({
    viewer,
    gpuTypeId: price.gpuTypeId,
    provider: price.provider,
    pricingModel: price.pricingModel,
    from: price.effectiveFrom,
    to: price.effectiveTo,
  });
  return {
    id,
    gpuTypeId: price.gpuTypeId,
    gpuTypeName: price.gpuType.name,
    version: price.version,
    period: { provider: price.provider, pricingModel: price.pricingModel, effectiveFrom: price.effectiveFrom, effectiveTo: price.effectiveTo },
    values: {
      gpuTypeId: String(price.gpuTypeId),
      provider: price.provider,
      pricingModel: price.pricingModel,
      pricePerGpuHour: amount.decimalPlaces() <= 2 ? amount.toFixed(2) : amount.toFixed(),
      effectiveFrom: toFormValue(price.effectiveFrom, timeZone),
      effectiveTo: toFormValue(price.effectiveTo, timeZone),
    },
    impact,
  };
}

/** Providers offered on the price form after the catalog's own. */
const COMMON_PROVIDERS = ["aws", "gcp", "azure", "oci", "coreweave", "lambda", "runpod", "on-prem"];

/** What the price form needs: GPU types, the catalog (current prices, overlaps as the person types) and providers to suggest. */
export async function priceFormOptions({ viewer }: { viewer: Viewer }) {
  const [gpuTypes, prices] = await Promise.all([
    db().gpuType.findMany({ where: orgWhere(viewer), select: { id: true, name: true }, orderBy: { name: "asc" } }),
    settingsPrices({ viewer }),
  ]);
  const used = new Map<string, number>();
  for (const p of prices) used.set(p.provider, (used.get(p.provider) ?? 0) + 1);
  const byUse = [...used.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([provider]) => provider);
  const providers = [...new Set([...byUse, ...COMMON_PROVIDERS])];
  return { gpuTypes, prices, providers, mostUsedProvider: byUse[0] ?? null };
}
