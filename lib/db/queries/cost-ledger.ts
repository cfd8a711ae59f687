import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import type { BucketUnit } from "@/lib/domain/calendar";
import { db } from "../client";
import { prismaRunner, Prisma, type SqlRunner } from "../sql";
import { bucketStart } from "@/lib/domain/calendar";
import { bucketEndSql, bucketStartSql, isSingleBucket } from "./buckets-sql";
import { liveLedgerSql } from "./ledger-sql";
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
  /**
   * Only each bucket's and kind's N groups with the most cents, and every
   * group tied with the N-th (so a caller's own tie-break picks the same N);
   * the rest never leave the database.
   */
  topPerKind?: number;
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

export interface LedgerSqlOptions extends Omit<LedgerQuery, "viewer"> {
  orgViewer: Viewer;
  /**
   * The zone's cost rollup (cost_rollup_day) may answer: the zone is in
   * rollup_time_zones and `from`/`to` are local midnights (see
   * `costRollupApplies`). Finished items then come from their day rows and
   * only the unrolled remainder of each item is computed live.
   */
  isRollupZone?: boolean;
  /** false: item groups without their names (`groupLabel` null), for a caller that joins the items itself. */
  withItemLabels?: boolean;
}

/** The stored part: finished items' (and serving deployments' rolled) day rows of the zone, mapped onto the requested buckets. */
function rolledLedgerSql(q: LedgerSqlOptions): Prisma.Sql | null {
  const { filters, from, to } = q;
  const spec = { unit: q.unit, timeZone: q.timeZone };
  const wantTraining = !has(filters.deploymentIds) && filters.kind !== "inference";
  const wantInference = !has(filters.runIds) && filters.kind !== "training";
  if (!wantTraining && !wantInference) return null;
  // One kind as an equality, so an item filter can use the primary key (timeZone, kind, itemId, bucketStart).
  const kinds = wantTraining && wantInference ? Prisma.empty : Prisma.sql`and r.kind = ${wantTraining ? "training" : "inference"}`;
  const ids = has(filters.runIds)
    ? Prisma.sql`and r."itemId" = any(${filters.runIds}::int[])`
    : has(filters.deploymentIds)
      ? Prisma.sql`and r."itemId" = any(${filters.deploymentIds}::int[])`
      : Prisma.empty;
  // Weeks and months: the day rows summed per day and group first, then each day mapped to its bucket — the zone
  // conversion once per day and group instead of once per row (a year of training by GPU type: 269 → 51 ms).
  // One bucket (a month's report, a range's totals): every row's bucket is [from, to), with no zone math per row.
  const isConstant = q.isWholeRange === true || isSingleBucket(q);
  const isDayFirst = (q.unit === "week" || q.unit === "month") && !isConstant && q.groupBy !== "item";
  const bucket = isConstant ? Prisma.sql`${from}::timestamptz` : q.unit === "day" || isDayFirst ? Prisma.sql`r."bucketStart"` : bucketStartSql(spec, Prisma.sql`r."bucketStart"`, from);
  const bucketEnd = isConstant ? Prisma.sql`${to}::timestamptz` : bucketEndSql(spec, Prisma.sql`a.b`);
  // Grouped by the stored integer columns; the text key is made once per group (24,000 runs in 90 days).
  const key = {
    team: Prisma.sql`r."teamId"`,
    model: Prisma.sql`r.model`,
    gpuType: Prisma.sql`r."gpuTypeId"`,
    kind: Prisma.sql`r.kind`,
    item: Prisma.sql`r."itemId"`,
    none: Prisma.sql`'all'::text`,
  }[q.groupBy];
  const groupKey = {
    team: Prisma.sql`a.k::text`,
    model: Prisma.sql`a.k`,
    gpuType: Prisma.sql`a.k::text`,
    kind: Prisma.sql`a.k`,
    item: Prisma.sql`a.kind || ':' || a.k`,
    none: Prisma.sql`a.k`,
  }[q.groupBy];
  const days = Prisma.sql`
      select ${bucket} as b, ${key} as k, r.kind, sum(r."computeMicros") as cm, sum(r."extraMicros") as em, sum(r."computeCents") as cc,
        sum(r."extraCents") as ec, sum(r."gpuMs") as g, sum(r."activeMs") as am, sum(r."unpricedGpuMs") as u
      from cost_rollup_day r
      where r."timeZone" = ${q.timeZone} and r."bucketStart" >= ${from} and r."bucketStart" < ${to}
        and ${scopeSql(q.orgViewer, filters, "r")} ${kinds} ${ids}
      group by 1, 2, 3`;
  // Labels of groups the live part doesn't have are looked up by ledgerSql once per final group (null here).
  return Prisma.sql`
    select a.b as "bucketStart", ${bucketEnd} as "bucketEnd", ${groupKey} as "groupKey", null::text as "groupLabel", a.kind,
      a.cm as "computeCostMicros", a.em as "extraCostMicros", a.cc as "computeCostCents", a.ec as "extraCostCents",
      a.g as "gpuMs", a.am as "activeMs", a.u as "unpricedGpuMs"
      ${q.topPerKind ? Prisma.sql`, rank() over (partition by a.b, a.kind order by a.cc + a.ec desc) as rk` : Prisma.empty}
    from (${isDayFirst ? Prisma.sql`
      select ${bucketStartSql(spec, Prisma.sql`d.b`, from)} as b, d.k, d.kind, sum(d.cm) as cm, sum(d.em) as em, sum(d.cc) as cc,
        sum(d.ec) as ec, sum(d.g) as g, sum(d.am) as am, sum(d.u) as u
      from (${days}) d
      group by 1, 2, 3` : days}
    ) a`;
}

/** A final group's label from its key (groups only the rolled part answered); team and GPU type names are joined by ledgerSql. */
function groupLabelSql(groupBy: Exclude<LedgerGroup, "team" | "gpuType">, g: { key: Prisma.Sql; kind: Prisma.Sql }): Prisma.Sql {
  switch (groupBy) {
    case "model":
    case "kind":
      return g.key;
    case "item":
      return Prisma.sql`case when ${g.kind} = 'training' then (select x.name from training_runs x where x.id = split_part(${g.key}, ':', 2)::int)
        else (select x.name from inference_deployments x where x.id = split_part(${g.key}, ':', 2)::int) end`;
    case "none":
      return Prisma.sql`'All'::text`;
  }
}

export function ledgerSql(q: LedgerSqlOptions): Prisma.Sql {
  const live = liveLedgerSql({ ...q, scope: (alias) => scopeSql(q.orgViewer, q.filters, alias) });
  // Filters no item can pass (run ids with kind inference, …): no rows, in ledgerSql's columns (a caller may union it).
  if (live === null) {
    return Prisma.sql`select null::timestamptz as "bucketStart", null::timestamptz as "bucketEnd", null::text as "groupKey", null::text as "groupLabel", null::text as kind,
      null::text as "computeCostMicros", null::text as "extraCostMicros", null::text as "computeCostCents", null::text as "extraCostCents",
      null::text as "gpuMs", null::text as "activeMs", null::text as "unpricedGpuMs" where false`;
  }
  const rolled = q.isRollupZone ? rolledLedgerSql(q) : null;
  const columns = Prisma.sql`"bucketStart", "bucketEnd", "groupKey", "groupLabel", kind, "computeCostMicros", "extraCostMicros", "computeCostCents", "extraCostCents", "gpuMs", "activeMs", "unpricedGpuMs"`;
  // Top N: a live part never takes cents away (prices and extras are ≥ 0, so cum(t) never falls), so a
  // group without one that is outside the day rows' own top N (with ties) can't reach the top N; only
  // the rest is summed and ranked (the runs of 90 days: 24,000 groups, about 100 candidates).
  const parts = !rolled
    ? live
    : q.topPerKind
      ? Prisma.sql`
        with live as (${live})
        select ${columns} from live
        union all
        select ${columns} from (${rolled}) r
        where r.rk <= ${q.topPerKind}
          or exists (select 1 from live l where l."bucketStart" = r."bucketStart" and l."groupKey" = r."groupKey" and l.kind = r.kind)`
      : Prisma.sql`(${live}) union all (${rolled})`;
  // Ties at the N-th place are all kept (rank), so a caller ranking by its own tie-break gets the same top N.
  const rank = q.topPerKind
    ? Prisma.sql`, rank() over (partition by "bucketStart", kind order by sum("computeCostCents") + sum("extraCostCents") desc) as rk`
    : Prisma.empty;
  const grouped = Prisma.sql`
      select "bucketStart", "bucketEnd", "groupKey", min("groupLabel") as label, kind,
        sum("computeCostMicros")::text as "computeCostMicros", sum("extraCostMicros")::text as "extraCostMicros",
        sum("computeCostCents")::text as "computeCostCents", sum("extraCostCents")::text as "extraCostCents",
        sum("gpuMs")::bigint::text as "gpuMs", sum("activeMs")::bigint::text as "activeMs", sum("unpricedGpuMs")::bigint::text as "unpricedGpuMs"
        ${rank}
      from (${parts}) parts
      group by "bucketStart", "bucketEnd", "groupKey", kind`;
  if (q.groupBy === "item" && q.withItemLabels !== false) {
    // Item names looked up once per item rather than once per (bucket × item) row: 90 days of deployments by day
    // are 8,800 rows of 100 items (a lookup per row took ~115 ms of a 290 ms query at the 10M tier).
    return Prisma.sql`
    with g as materialized (
      select * from (${grouped}) g ${q.topPerKind ? Prisma.sql`where g.rk <= ${q.topPerKind}` : Prisma.empty}
    ),
    names as (
      select k."groupKey", ${groupLabelSql("item", { key: Prisma.sql`k."groupKey"`, kind: Prisma.sql`k.kind` })} as name
      from (select distinct "groupKey", kind from g where label is null) k
    )
    select g."bucketStart", g."bucketEnd", g."groupKey", coalesce(g.label, n.name) as "groupLabel", g.kind,
      g."computeCostMicros", g."extraCostMicros", g."computeCostCents", g."extraCostCents", g."gpuMs", g."activeMs", g."unpricedGpuMs"
    from g left join names n on n."groupKey" = g."groupKey"
    order by g."bucketStart", g."groupKey", g.kind`;
  }
  // Team and GPU type names by one hash join rather than a lookup per (bucket × group) row (1,800 rows for 90 days by team).
  const groupBy = q.groupBy;
  const labelTable = groupBy === "team" ? Prisma.sql`teams` : groupBy === "gpuType" ? Prisma.sql`gpu_types` : null;
  const label =
    groupBy === "team" || groupBy === "gpuType"
      ? Prisma.sql`coalesce(g.label, lt.name)`
      : groupBy === "item"
        ? Prisma.sql`g.label`
        : Prisma.sql`coalesce(g.label, ${groupLabelSql(groupBy, { key: Prisma.sql`g."groupKey"`, kind: Prisma.sql`g.kind` })})`;
  return Prisma.sql`
    select g."bucketStart", g."bucketEnd", g."groupKey", ${label} as "groupLabel", g.kind,
      g."computeCostMicros", g."extraCostMicros", g."computeCostCents", g."extraCostCents", g."gpuMs", g."activeMs", g."unpricedGpuMs"
    from (${grouped}) g
    ${labelTable ? Prisma.sql`left join ${labelTable} lt on lt.id::text = g."groupKey"` : Prisma.empty}
    ${q.topPerKind ? Prisma.sql`where g.rk <= ${q.topPerKind}` : Prisma.empty}
    order by g."bucketStart", g."groupKey", g.kind`;
}

/**
 * Whether `cost_rollup_day` can answer a ledger query: day, week and month
 * buckets (or one whole range) between local midnights of a zone whose day
 * rollups are kept, as of an instant no serving deployment is rolled past.
 * Anything else (hours, a zone without rollups, a range starting mid-day, a
 * past "now") is computed live from the records — same figures, slower.
 */
export async function costRollupApplies(
  q: Pick<LedgerQuery, "unit" | "timeZone" | "from" | "to" | "now">,
  run: SqlRunner,
): Promise<boolean> {
  if (q.unit === "hour") return false;
  const isMidnight = (t: Date) => bucketStart({ instant: t, unit: "day", timeZone: q.timeZone }).getTime() === t.getTime();
  if (!isMidnight(q.from) || !isMidnight(q.to)) return false;
  // A serving deployment's rows reach its watermark; a query "as of" an earlier instant (a fixed `now` in a
  // test or a benchmark on old data) must not see them, so it is answered live.
  const [row] = await run.query<{ ok: boolean }>(Prisma.sql`
    select exists (select 1 from rollup_time_zones where "timeZone" = ${q.timeZone})
      and coalesce((select max("costRolledTo") from inference_deployments where "activeTo" is null), '-infinity'::timestamptz) <= ${q.now}::timestamptz as ok`);
  return row?.ok === true;
}

/** A ledger row's displayed cents: its line items' compute and extra cents (money.ts rule 6). */
export function rowCents(row: Pick<LedgerRow, "computeCostCents" | "extraCostCents">): bigint {
  return row.computeCostCents + row.extraCostCents;
}

/** Σ of rows' cents, optionally of one kind. */
export function sumCents(rows: readonly LedgerRow[], kind?: LedgerRow["kind"]): bigint {
  return rows.reduce((s, r) => (kind === undefined || r.kind === kind ? s + rowCents(r) : s), 0n);
}

/** The statement queryLedger runs (rows as RawLedgerRow: amounts as text), for callers that aggregate it further in SQL. */
export async function ledgerStatement(q: LedgerQuery, run: SqlRunner): Promise<Prisma.Sql> {
  const isRollupZone = await costRollupApplies(q, run);
  if (!isRollupZone && q.isWholeRange && !q.topPerKind && q.unit !== "hour") {
    // A whole range from a local midnight to a moment that is not one (a comparison period up to now):
    // its whole days from the rollup, the rest of its last day live, summed per group. Exact: an item's cents
    // over [from, to) are round¢(cum(to)) − round¢(cum(from)), which telescope at the cut, as its micro-dollars,
    // GPU-ms and active time add up.
    const cut = bucketStart({ instant: q.to, unit: "day", timeZone: q.timeZone });
    if (cut.getTime() > q.from.getTime() && (await costRollupApplies({ ...q, to: cut }, run))) return wholeRangeAcrossCutSql(q, cut);
  }
  return ledgerSql({ ...q, orgViewer: q.viewer, isRollupZone });
}

/** A whole-range ledger as the sum of [from, cut) from the rollup and [cut, to) live, one row per group like ledgerSql's. */
function wholeRangeAcrossCutSql(q: LedgerQuery, cut: Date): Prisma.Sql {
  const rolled = ledgerSql({ ...q, orgViewer: q.viewer, to: cut, isRollupZone: true });
  const live = ledgerSql({ ...q, orgViewer: q.viewer, from: cut, isRollupZone: false });
  return Prisma.sql`
    select ${q.from}::timestamptz as "bucketStart", ${q.to}::timestamptz as "bucketEnd", "groupKey", min("groupLabel") as "groupLabel", kind,
      sum("computeCostMicros"::numeric)::text as "computeCostMicros", sum("extraCostMicros"::numeric)::text as "extraCostMicros",
      sum("computeCostCents"::numeric)::text as "computeCostCents", sum("extraCostCents"::numeric)::text as "extraCostCents",
      sum("gpuMs"::numeric)::bigint::text as "gpuMs", sum("activeMs"::numeric)::bigint::text as "activeMs", sum("unpricedGpuMs"::numeric)::bigint::text as "unpricedGpuMs"
    from ((${rolled}) union all (${live})) parts
    group by "groupKey", kind
    order by "groupKey", kind`;
}

export async function queryLedger(q: LedgerQuery, run: SqlRunner = prismaRunner(db())): Promise<LedgerRow[]> {
  if (q.to.getTime() <= q.from.getTime()) return [];
  const rows = await run.query<RawLedgerRow>(await ledgerStatement(q, run));
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
