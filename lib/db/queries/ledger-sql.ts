import type { LedgerQuery } from "./cost-ledger";
import { bucketEndSql, bucketSeriesSql } from "./buckets-sql";
import { has, type LedgerGroup } from "./filters-sql";
import { Prisma } from "../sql";

/**
 * The cost ledger's live SQL, without "server-only" so the roller
 * (lib/db/mutations/cost-rollups.ts) can run it from scripts and the seed.
 * See cost-ledger.ts for the rounding rule.
 */

const SUB_MICROS_PER_MICRO = 3_600_000;
const MICROS_PER_CENT = 10_000;

function groupSql(groupBy: LedgerGroup): { key: Prisma.Sql; label: Prisma.Sql } {
  switch (groupBy) {
    case "team":
      return { key: Prisma.sql`p."teamId"::text`, label: Prisma.sql`t.name` };
    case "model":
      return { key: Prisma.sql`p.model`, label: Prisma.sql`p.model` };
    case "gpuType":
      return { key: Prisma.sql`p."gpuTypeId"::text`, label: Prisma.sql`g.name` };
    case "kind":
      return { key: Prisma.sql`p.kind`, label: Prisma.sql`p.kind` };
    case "item":
      return { key: Prisma.sql`p.kind || ':' || p.id`, label: Prisma.sql`p.name` };
    case "none":
      return { key: Prisma.sql`'all'::text`, label: Prisma.sql`'All'::text` };
  }
}

function ms(from: Prisma.Sql, to: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`greatest(0, extract(epoch from (${to}) - (${from})) * 1000)`;
}

/**
 * The live ledger: items × buckets priced from the catalog. `scope` restricts
 * the items (a viewer's teams and filters); with `isRollupZone`, only each
 * item's part after its rollup watermark (`costRolledTo`) is computed. Shared
 * with the roller (lib/db/mutations/cost-rollups.ts), which computes the rows
 * it stores with exactly this SQL.
 */
export function liveLedgerSql(
  q: Omit<LedgerQuery, "viewer"> & { scope: (alias: "r" | "d") => Prisma.Sql; isRollupZone?: boolean },
): Prisma.Sql | null {
  const { filters, from, to, now } = q;
  const spec = { unit: q.unit, timeZone: q.timeZone };
  const wantTraining = !has(filters.deploymentIds) && filters.kind !== "inference";
  const wantInference = !has(filters.runIds) && filters.kind !== "training";
  // Rolled runs are rolled whole (only finished runs are); a deployment may be
  // rolled up to a past watermark while it keeps serving.
  // Live: a rolled run's watermark is greatest(end, start), so `costRolledTo >= from` follows from `endedAt >= from`
  // but lets the watermark's index find the runs of a recent range instead of reading all 100,000.
  const runLive = q.isRollupZone ? Prisma.sql`and r."costRolledTo" is null` : Prisma.sql`and (r."costRolledTo" is null or r."costRolledTo" >= ${from})`;
  const deploymentLive = q.isRollupZone
    ? Prisma.sql`and (d."costRolledTo" is null or d."costRolledTo" < coalesce(d."activeTo", 'infinity'::timestamptz)) and coalesce(d."costRolledTo", d."activeFrom") < ${to}`
    : Prisma.empty;
  const deploymentFrom = q.isRollupZone ? Prisma.sql`greatest(d."activeFrom", coalesce(d."costRolledTo", d."activeFrom"))` : Prisma.sql`d."activeFrom"`;
  const training = Prisma.sql`
    select 'training' as kind, r.id, r.name, r."teamId", r.model, r."gpuTypeId", r.provider, r."pricingModel", r."gpuCount",
      r."pricePerGpuHourOverride" as override, r."startedAt" as s, greatest(coalesce(r."endedAt", ${now}), r."startedAt") as e,
      r."startedAt" as lo,
      round((r."storageCostUsd" + r."dataCostUsd" + r."networkCostUsd") * 1000000) as extra_micros
    from training_runs r
    where ${q.scope("r")} ${has(filters.runIds) ? Prisma.sql`and r.id = any(${filters.runIds}::int[])` : Prisma.empty}
      and r."startedAt" < ${to} and coalesce(r."endedAt", ${now}) >= ${from} ${runLive}`;
  const inference = Prisma.sql`
    select 'inference' as kind, d.id, d.name, d."teamId", d.model, d."gpuTypeId", d.provider, d."pricingModel", d."gpuCount",
      d."pricePerGpuHourOverride" as override, d."activeFrom" as s, greatest(coalesce(d."activeTo", ${now}), d."activeFrom") as e,
      ${deploymentFrom} as lo,
      0::numeric as extra_micros
    from inference_deployments d
    where ${q.scope("d")} ${has(filters.deploymentIds) ? Prisma.sql`and d.id = any(${filters.deploymentIds}::int[])` : Prisma.empty}
      and d."activeFrom" < ${to} and coalesce(d."activeTo", ${now}) > ${from} ${deploymentLive}`;
  const items = [wantTraining ? training : null, wantInference ? inference : null].filter((x): x is Prisma.Sql => x !== null);
  if (items.length === 0) return null;
  const group = groupSql(q.groupBy);
  // Extras of a zero-length run land at its start instant.
  const clipStart = Prisma.sql`greatest(i.s, i.lo, ${from}::timestamptz)`;
  const clipEnd = Prisma.sql`least(greatest(i.e, i.s + interval '1 millisecond'), ${to}::timestamptz)`;
  const bEnd = q.isWholeRange ? Prisma.sql`${to}::timestamptz` : bucketEndSql(spec, Prisma.sql`b.start`);
  const series = q.isWholeRange ? Prisma.sql`(select ${from}::timestamptz)` : bucketSeriesSql(spec, clipStart, clipEnd, from);
  const subMicros = (t: Prisma.Sql) => Prisma.sql`burnrate_round_half_even(coalesce(sum(seg.price_micros * p."gpuCount" * ${ms(Prisma.sql`seg.seg_s`, Prisma.sql`least(seg.seg_e, ${t})`)}), 0), ${SUB_MICROS_PER_MICRO})`;
  const cents = (micros: Prisma.Sql) => Prisma.sql`burnrate_round_half_even(${micros}, ${MICROS_PER_CENT})`;
  const runMs = ms(Prisma.sql`p.s`, Prisma.sql`greatest(p.e, p.s + interval '1 millisecond')`);
  const extraUpTo = (t: Prisma.Sql) => Prisma.sql`burnrate_round_half_even(p.extra_micros * ${ms(Prisma.sql`p.s`, t)}, greatest(${runMs}, 1))`;
  const labelJoins =
    q.groupBy === "team" ? Prisma.sql`join teams t on t.id = p."teamId"` : q.groupBy === "gpuType" ? Prisma.sql`join gpu_types g on g.id = p."gpuTypeId"` : Prisma.empty;
  // One pass: items × their buckets (pairs), each pair's cost from the price
  // periods it overlaps (an index lookup per pair), then one aggregation.
  return Prisma.sql`
    with items as (${Prisma.join(items, " union all ")})
    select p.b_s as "bucketStart", p.b_e as "bucketEnd", ${group.key} as "groupKey", min(${group.label}) as "groupLabel", p.kind,
      sum(c.compute_micros) as "computeCostMicros",
      sum(${extraUpTo(Prisma.sql`p.ey`)} - ${extraUpTo(Prisma.sql`p.ex`)}) as "extraCostMicros",
      sum(c.compute_cents) as "computeCostCents",
      sum(${cents(extraUpTo(Prisma.sql`p.ey`))} - ${cents(extraUpTo(Prisma.sql`p.ex`))}) as "extraCostCents",
      sum(p."gpuCount" * ${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)}) as "gpuMs",
      sum(${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)}) as "activeMs",
      sum(p."gpuCount" * (${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)} - c.priced_ms)) as "unpricedGpuMs"
    from (
      select i.*, b.start as b_s, ${bEnd} as b_e,
        greatest(b.start, i.s, i.lo, ${from}::timestamptz) as x, least(${bEnd}, i.e, ${to}::timestamptz) as y,
        greatest(b.start, ${clipStart}) as ex, least(${bEnd}, ${clipEnd}) as ey
      from items i cross join lateral ${series} as b(start)
    ) p
    cross join lateral (
      select cum.y_micros - cum.x_micros as compute_micros, ${cents(Prisma.sql`cum.y_micros`)} - ${cents(Prisma.sql`cum.x_micros`)} as compute_cents,
        cum.priced_ms
      from (
      select ${subMicros(Prisma.sql`p.y`)} as y_micros, ${subMicros(Prisma.sql`p.x`)} as x_micros,
        coalesce(sum(${ms(Prisma.sql`greatest(seg.seg_s, p.x)`, Prisma.sql`least(seg.seg_e, p.y)`)}), 0) as priced_ms
      from (
        select p.s as seg_s, p.e as seg_e, round(p.override * 1000000) as price_micros where p.override is not null
        union all
        select greatest(p.s, gp."effectiveFrom"), least(p.e, coalesce(gp."effectiveTo", 'infinity')), round(gp."pricePerGpuHour" * 1000000)
        from gpu_prices gp
        where p.override is null and gp."gpuTypeId" = p."gpuTypeId" and gp.provider = p.provider and gp."pricingModel" = p."pricingModel"
          and gp."effectiveFrom" < p.e and coalesce(gp."effectiveTo", 'infinity') > p.s
      ) seg
      ) cum
    ) c
    ${labelJoins}
    group by p.b_s, p.b_e, p.kind${q.groupBy === "none" ? Prisma.empty : Prisma.sql`, ${group.key}`}`;
}

