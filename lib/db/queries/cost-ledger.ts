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
  gpuMs: bigint;
  unpricedGpuMs: bigint;
}

interface RawLedgerRow {
  bucketStart: Date;
  bucketEnd: Date;
  groupKey: string;
  groupLabel: string;
  kind: "training" | "inference";
  computeCostMicros: string;
  extraCostMicros: string;
  gpuMs: string;
  unpricedGpuMs: string;
}

const SUB_MICROS_PER_MICRO = 3_600_000;

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
  return Prisma.sql`
    with items as (${Prisma.join(items, " union all ")}),
    segs as (
      select i.kind, i.id, i.s as seg_s, i.e as seg_e, round(i.override * 1000000) as price_micros
      from items i where i.override is not null
      union all
      select i.kind, i.id, greatest(i.s, p."effectiveFrom"), least(i.e, coalesce(p."effectiveTo", 'infinity')), round(p."pricePerGpuHour" * 1000000)
      from items i join gpu_prices p on i.override is null and p."gpuTypeId" = i."gpuTypeId" and p.provider = i.provider
        and p."pricingModel" = i."pricingModel" and p."effectiveFrom" < i.e and coalesce(p."effectiveTo", 'infinity') > i.s
    ),
    pairs as (
      select i.*, b.start as b_s, ${bEnd} as b_e,
        greatest(b.start, i.s, ${from}::timestamptz) as x, least(${bEnd}, i.e, ${to}::timestamptz) as y,
        greatest(b.start, ${clipStart}) as ex, least(${bEnd}, ${clipEnd}) as ey
      from items i cross join lateral ${series} as b(start)
    ),
    costed as (
      select p.kind, p.id, p.b_s, p.b_e,
        burnrate_round_half_even(coalesce(sum(s.price_micros * p."gpuCount" * ${ms(Prisma.sql`s.seg_s`, Prisma.sql`least(s.seg_e, p.y)`)}), 0), ${SUB_MICROS_PER_MICRO})
          - burnrate_round_half_even(coalesce(sum(s.price_micros * p."gpuCount" * ${ms(Prisma.sql`s.seg_s`, Prisma.sql`least(s.seg_e, p.x)`)}), 0), ${SUB_MICROS_PER_MICRO}) as compute_micros,
        coalesce(sum(${ms(Prisma.sql`greatest(s.seg_s, p.x)`, Prisma.sql`least(s.seg_e, p.y)`)}), 0) as priced_ms
      from pairs p left join segs s on s.kind = p.kind and s.id = p.id
      group by p.kind, p.id, p.b_s, p.b_e
    )
    select p.b_s as "bucketStart", p.b_e as "bucketEnd", ${group.key} as "groupKey", min(${group.label}) as "groupLabel", p.kind,
      sum(c.compute_micros)::text as "computeCostMicros",
      sum(burnrate_round_half_even(p.extra_micros * ${ms(Prisma.sql`p.s`, Prisma.sql`p.ey`)}, greatest(${ms(Prisma.sql`p.s`, Prisma.sql`greatest(p.e, p.s + interval '1 millisecond')`)}, 1))
        - burnrate_round_half_even(p.extra_micros * ${ms(Prisma.sql`p.s`, Prisma.sql`p.ex`)}, greatest(${ms(Prisma.sql`p.s`, Prisma.sql`greatest(p.e, p.s + interval '1 millisecond')`)}, 1)))::text as "extraCostMicros",
      sum(p."gpuCount" * ${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)})::bigint::text as "gpuMs",
      sum(p."gpuCount" * (${ms(Prisma.sql`p.x`, Prisma.sql`p.y`)} - c.priced_ms))::bigint::text as "unpricedGpuMs"
    from pairs p
      join costed c on c.kind = p.kind and c.id = p.id and c.b_s = p.b_s
      join teams t on t.id = p."teamId"
      join gpu_types g on g.id = p."gpuTypeId"
    group by p.b_s, p.b_e, p.kind${q.groupBy === "none" ? Prisma.empty : Prisma.sql`, ${group.key}`}
    order by "bucketStart", "groupKey", kind`;
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
    gpuMs: BigInt(r.gpuMs),
    unpricedGpuMs: BigInt(r.unpricedGpuMs),
  }));
}
