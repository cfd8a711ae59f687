import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import type { BucketUnit } from "@/lib/domain/calendar";
import { db } from "../client";
import { prismaRunner, Prisma, type SqlRunner } from "../sql";
import { bucketEndSql, bucketSeriesSql } from "./buckets-sql";
import { has, scopeSql, type LedgerFilters, type LedgerGroup } from "./filters-sql";

/**
 * What GPU time cost, per time bucket and group, for training runs and
 * inference deployments in one ledger, computed in PostgreSQL.
 *
 * Rounding (lib/domain/money.ts): an item's exact cost from its start to an
 * instant t, cum(t), is a whole number of sub-micro-dollars (price in
 * micro-dollars × GPUs × milliseconds). The cost of [x, y) is
 * round(cum(y)) − round(cum(x)), rounding half-even to micro-dollars. The
 * parts therefore telescope: buckets of any size (hours, days, months, in any
 * zone) sum exactly to the item's rounded total, and a month equals the sum of
 * its days. Extra costs (storage, data, network) are spread over the run's
 * time the same way.
 */

export interface LedgerQuery {
  viewer: Viewer;
  filters: LedgerFilters;
  from: Date;
  to: Date;
  unit: BucketUnit;
  timeZone: string;
  groupBy: LedgerGroup;
  now: Date;
  /** One bucket for the whole of [from, to) instead of one per `unit`. */
  isWholeRange?: boolean;
}

export interface LedgerRow {
  bucketStart: Date;
  bucketEnd: Date;
  groupKey: string;
  groupLabel: string;
  kind: "training" | "inference";
  computeCostMicros: bigint;
  extraCostMicros: bigint;
  /**
   * Cents as displayed: each line item (item × bucket × compute/extra) is
   * round¢(cum(y)) − round¢(cum(x)) of the item's cumulative micro-dollars,
   * and a group's cents are the sum of its items' cents (the cents rule).
   */
  computeCostCents: bigint;
  extraCostCents: bigint;
  gpuMs: bigint;
  unpricedGpuMs: bigint;
  /** Σ over the group's items of the time each was active in the bucket (ms, not × GPUs). */
  activeMs: bigint;
}

interface RawLedgerRow {
  bucketStart: Date;
  bucketEnd: Date;
  groupKey: string;
  groupLabel: string;
  kind: "training" | "inference";
  computeCostMicros: string;
  extraCostMicros: string;
  computeCostCents: string;
  extraCostCents: string;
  gpuMs: string;
  unpricedGpuMs: string;
  activeMs: string;
}

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

export function ledgerSql(q: Omit<LedgerQuery, "viewer"> & { orgViewer: Viewer }): Prisma.Sql {
  const { filters, from, to, now } = q;
  const spec = { unit: q.unit, timeZone: q.timeZone };
  const wantTraining = !has(filters.deploymentIds) && filters.kind !== "inference";
  const wantInference = !has(filters.runIds) && filters.kind !== "training";
  const training = Prisma.sql`
    select 'training' as kind, r.id, r.name, r."teamId", r.model, r."gpuTypeId", r.provider, r."pricingModel", r."gpuCount",
      r."pricePerGpuHourOverride" as override, r."startedAt" as s, greatest(coalesce(r."endedAt", ${now}), r."startedAt") as e,
      round((r."storageCostUsd" + r."dataCostUsd" + r."networkCostUsd") * 1000000) as extra_micros
    from training_runs r
    where ${scopeSql(q.orgViewer, filters, "r")} ${has(filters.runIds) ? Prisma.sql`and r.id = any(${filters.runIds}::int[])` : Prisma.empty}
      and r."startedAt" < ${to} and coalesce(r."endedAt", ${now}) >= ${from}`;
  const inference = Prisma.sql`
    select 'inference' as kind, d.id, d.name, d."teamId", d.model, d."gpuTypeId", d.provider, d."pricingModel", d."gpuCount",
      d."pricePerGpuHourOverride" as override, d."activeFrom" as s, greatest(coalesce(d."activeTo", ${now}), d."activeFrom") as e,
      0::numeric as extra_micros
    from inference_deployments d
    where ${scopeSql(q.orgViewer, filters, "d")} ${has(filters.deploymentIds) ? Prisma.sql`and d.id = any(${filters.deploymentIds}::int[])` : Prisma.empty}
      and d."activeFrom" < ${to} and coalesce(d."activeTo", ${now}) > ${from}`;
  const items = [wantTraining ? training : null, wantInference ? inference : null].filter((x): x is Prisma.Sql => x !== null);
  if (items.length === 0) return Prisma.sql`select null::timestamptz as "bucketStart" where false`;
  const group = groupSql(q.groupBy);
  // Extras of a zero-length run land at its start instant.
  const clipStart = Prisma.sql`greatest(i.s, ${from}::timestamptz)`;
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
      sum(c.compute_micros)::text as "computeCostMicros",
      sum(${extraUpTo(Prisma.sql`p.ey`)} - ${extraUpTo(Prisma.sql`p.ex`)})::text as "extraCostMicros",
      sum(c.compute_cents)::text as "computeCostCents",
      sum(${cents(extraUpTo(Prisma.sql`p.ey`))} - ${cents(extraUpTo(Prisma.sql`p.ex`))})::text as "extraCostCents",
      sum(p."gpuCount" * ${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)})::bigint::text as "gpuMs",
      sum(${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)})::bigint::text as "activeMs",
      sum(p."gpuCount" * (${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)} - c.priced_ms))::bigint::text as "unpricedGpuMs"
    from (
      select i.*, b.start as b_s, ${bEnd} as b_e,
        greatest(b.start, i.s, ${from}::timestamptz) as x, least(${bEnd}, i.e, ${to}::timestamptz) as y,
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
    group by p.b_s, p.b_e, p.kind${q.groupBy === "none" ? Prisma.empty : Prisma.sql`, ${group.key}`}
    order by "bucketStart", "groupKey", kind`;
}

/** A ledger row's displayed cents: its line items' compute and extra cents (money.ts rule 6). */
export function rowCents(row: Pick<LedgerRow, "computeCostCents" | "extraCostCents">): bigint {
  return row.computeCostCents + row.extraCostCents;
}

/** Σ of rows' cents, optionally of one kind. */
export function sumCents(rows: readonly LedgerRow[], kind?: LedgerRow["kind"]): bigint {
  return rows.reduce((s, r) => (kind === undefined || r.kind === kind ? s + rowCents(r) : s), 0n);
}

export async function queryLedger(q: LedgerQuery, run: SqlRunner = prismaRunner(db())): Promise<LedgerRow[]> {
  if (q.to.getTime() <= q.from.getTime()) return [];
  const rows = await run.query<RawLedgerRow>(ledgerSql({ ...q, orgViewer: q.viewer }));
  return rows.map((r) => ({
    bucketStart: r.bucketStart,
    bucketEnd: r.bucketEnd,
    groupKey: r.groupKey,
    groupLabel: r.groupLabel,
    kind: r.kind,
    computeCostMicros: BigInt(r.computeCostMicros),
    extraCostMicros: BigInt(r.extraCostMicros),
    computeCostCents: BigInt(r.computeCostCents),
    extraCostCents: BigInt(r.extraCostCents),
    gpuMs: BigInt(r.gpuMs),
    unpricedGpuMs: BigInt(r.unpricedGpuMs),
    activeMs: BigInt(r.activeMs),
  }));
}
