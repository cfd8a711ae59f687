import "server-only";
import { orgScopeSql } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { sketchBucketValue } from "@/lib/domain/latency-sketch";
import type { PriceUsed, PricingModelCode, ReportLine } from "@/lib/reports/line";
import { Prisma, type SqlRunner } from "../sql";
import { costRollupApplies, ledgerSql } from "./cost-ledger";
import { chooseUsageSource, queryUsage, type UsageSource } from "./usage-ledger";

/**
 * Live report lines: one row per item (run or deployment) per month or day of
 * the report's zone, straight from the cost ledger (the same SQL, grouped by
 * item, so a line's cents are the dashboards' cents) joined with the item's
 * attributes, its usage rollups (tokens, requests, p99) and the prices that
 * applied.
 */
export interface LiveLinesQuery {
  viewer: Viewer;
  teamIds?: number[];
  /** Month (or day) boundaries in `timeZone`. */
  from: Date;
  to: Date;
  granularity: "month" | "day";
  timeZone: string;
  now: Date;
}

export interface RawLine {
  periodStart: Date;
  periodEnd: Date;
  kind: "training" | "inference";
  itemId: number;
  itemName: string;
  teamId: number;
  teamSlug: string;
  teamName: string;
  model: string;
  gpuTypeId: number;
  gpuTypeName: string;
  provider: string;
  pricingModel: PricingModelCode;
  gpuCount: number;
  chargeStart: Date;
  chargeEnd: Date;
  computeMicros: string;
  computeCents: string;
  extraMicros: string;
  extraCents: string;
  gpuMs: string;
  unpricedGpuMs: string;
  activeMs: string;
  trainingTokens: string | null;
  /** The record's own price per GPU-hour in micro-dollars, null when the catalog prices it. */
  overrideMicros: string | null;
}

/**
 * The lines' SQL: the ledger grouped by item joined with the item's
 * attributes, in report order. Usage and prices are joined in Node
 * (`liveLinesReader`): per line, a merged latency sketch and a JSON array of
 * prices built in PostgreSQL cost more than the ledger itself at the 10M
 * tier.
 */
export function liveLinesSql(q: LiveLinesQuery, { isRollupZone }: Pick<LinesSources, "isRollupZone">): Prisma.Sql {
  const filters = q.teamIds ? { teamIds: q.teamIds } : {};
  const unit = q.granularity;
  const ledger = ledgerSql({ orgViewer: q.viewer, filters, from: q.from, to: q.to, unit, timeZone: q.timeZone, groupBy: "item", now: q.now, isRollupZone, withItemLabels: false });
  const msBetween = (a: Prisma.Sql, b: Prisma.Sql) => Prisma.sql`greatest(0, extract(epoch from (${b}) - (${a})) * 1000)`;
  const tokensUpTo = (t: Prisma.Sql) => Prisma.sql`floor(i."tokensProcessed"::numeric * ${msBetween(Prisma.sql`i.s`, t)} / greatest(${msBetween(Prisma.sql`i.s`, Prisma.sql`i.e1`)}, 1))`;
  return Prisma.sql`
    with ledger as (${ledger}),
    -- Each line's item, one index lookup per line (a lateral union is never flattened into a hash of every run),
    -- materialized so that teams and GPU types are then hashed once (left to the planner, they were re-hashed
    -- for every line). Only the columns used: an unused ledger label is never computed.
    lines as materialized (
      select l."bucketStart", l."bucketEnd", l.kind, l."computeCostMicros", l."computeCostCents", l."extraCostMicros", l."extraCostCents",
        l."gpuMs", l."unpricedGpuMs", l."activeMs",
        i.id, i.name, i."teamId", i.model, i."gpuTypeId", i.provider, i."pricingModel", i."gpuCount", i.override, i."tokensProcessed", i.s, i.e1
      from ledger l
      cross join lateral (
        select r.id, r.name, r."teamId", r.model, r."gpuTypeId", r.provider, r."pricingModel", r."gpuCount",
          r."pricePerGpuHourOverride" as override, r."tokensProcessed", r."startedAt" as s, r."endedAt" as e
        from training_runs r where l.kind = 'training' and r.id = split_part(l."groupKey", ':', 2)::int
        union all
        select d.id, d.name, d."teamId", d.model, d."gpuTypeId", d.provider, d."pricingModel", d."gpuCount",
          d."pricePerGpuHourOverride", null, d."activeFrom", d."activeTo"
        from inference_deployments d where l.kind = 'inference' and d.id = split_part(l."groupKey", ':', 2)::int
      ) r
      cross join lateral (
        select r.id, r.name, r."teamId", r.model, r."gpuTypeId", r.provider, r."pricingModel", r."gpuCount", r.override, r."tokensProcessed", r.s,
          -- A zero-length run's extras land at its start (cost-ledger.ts): its charge period is its first millisecond.
          greatest(coalesce(r.e, ${q.now}::timestamptz), r.s + interval '1 millisecond') as e1
      ) i
    )
    select i."bucketStart" as "periodStart", i."bucketEnd" as "periodEnd", i.kind, i.id as "itemId", i.name as "itemName",
      t.id as "teamId", t.slug as "teamSlug", t.name as "teamName", i.model, g.id as "gpuTypeId", g.name as "gpuTypeName",
      i.provider, i."pricingModel"::text as "pricingModel", i."gpuCount",
      cp.cs as "chargeStart", cp.ce as "chargeEnd",
      i."computeCostMicros" as "computeMicros", i."computeCostCents" as "computeCents",
      i."extraCostMicros" as "extraMicros", i."extraCostCents" as "extraCents",
      i."gpuMs", i."unpricedGpuMs", i."activeMs",
      case when i.kind = 'training' and i."tokensProcessed" is not null then (${tokensUpTo(Prisma.sql`cp.ce`)} - ${tokensUpTo(Prisma.sql`cp.cs`)})::text end as "trainingTokens",
      round(i.override * 1000000)::text as "overrideMicros"
    from lines i
    cross join lateral (
      select greatest(i."bucketStart", i.s, ${q.from}::timestamptz) as cs, least(i."bucketEnd", i.e1, ${q.to}::timestamptz) as ce
    ) cp
    join teams t on t.id = i."teamId"
    join gpu_types g on g.id = i."gpuTypeId"
    order by t.name, t.id, i.kind desc, i.name, i.id, i."bucketStart"`;
}

/** The org's catalog prices, in micro-dollars, by (GPU type, provider, pricing model), each list in time order. */
function catalogSql(viewer: Viewer): Prisma.Sql {
  return Prisma.sql`
    select gp."gpuTypeId", gp.provider, gp."pricingModel"::text as "pricingModel", round(gp."pricePerGpuHour" * 1000000)::text as micros,
      gp."effectiveFrom", gp."effectiveTo"
    from gpu_prices gp join gpu_types g on g.id = gp."gpuTypeId"
    where ${orgScopeSql(viewer, Prisma.sql`g."orgId"`)}
    order by gp."effectiveFrom"`;
}

interface CatalogPrice {
  micros: bigint;
  from: Date;
  /** null: open-ended. */
  to: Date | null;
}

const catalogKey = (gpuTypeId: number, provider: string, pricingModel: string) => `${gpuTypeId}|${provider}|${pricingModel}`;

/**
 * The prices a line used over its charge period [cs, ce): the record's own
 * price, else every catalog period of its (GPU type, provider, pricing
 * model) overlapping it, clipped to it, in time order (catalog periods of
 * one key never overlap: gpu_prices_no_overlap).
 */
function pricesUsed(catalog: ReadonlyMap<string, CatalogPrice[]>, r: RawLine, cs: Date, ce: Date): PriceUsed[] {
  if (r.overrideMicros !== null) return [{ pricePerGpuHourMicros: BigInt(r.overrideMicros), source: "override", from: cs, to: ce }];
  const periods = catalog.get(catalogKey(Number(r.gpuTypeId), r.provider, r.pricingModel));
  if (!periods) return [];
  const start = cs.getTime();
  const end = ce.getTime();
  const used: PriceUsed[] = [];
  for (const p of periods) {
    const from = p.from.getTime();
    const to = p.to === null ? Infinity : p.to.getTime();
    if (from < end && to > start) used.push({ pricePerGpuHourMicros: p.micros, source: "catalog", from: from > start ? p.from : cs, to: to < end ? p.to! : ce });
  }
  return used;
}

/** An item's traffic in one period (usage rollups), for the lines of inference deployments. */
interface LineUsage {
  windowMs: bigint;
  requests: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  p99Key: number | null;
}

const usageKey = (groupKey: string, bucketStart: Date) => `${groupKey}|${bucketStart.getTime()}`;

/** Deployments' traffic per period, keyed by item and period start (readLineUsage). */
export type LineUsageMap = ReadonlyMap<string, LineUsage>;

/** The lines' SQL and how to turn each of its rows into a report line (with its usage and prices). */
export interface LiveLinesReader {
  sql: Prisma.Sql;
  parse: (r: RawLine) => ReportLine;
}

/**
 * Reads what the lines are joined with in Node — the period's usage per
 * deployment and period (usage-ledger.ts, sketches merged in Node) and the
 * org's catalog prices — and returns the lines' SQL with a parser that joins
 * them. Run on the connection (snapshot) the lines are read from.
 */
export async function liveLinesReader(q: LiveLinesQuery, run: SqlRunner): Promise<LiveLinesReader> {
  const started = await startLiveLines(q, run);
  return { sql: started.sql, parse: await started.parser };
}

/** The lines' SQL at once, and their parser once the usage and prices it joins are read. */
export interface StartedLiveLines {
  sql: Prisma.Sql;
  parser: Promise<(r: RawLine) => ReportLine>;
}

/**
 * liveLinesReader without waiting for the joins: the usage query (the larger
 * of the two) runs through `inParallel` — on another connection reading the
 * same snapshot, for an export — while the caller starts the lines' SQL on
 * `run`.
 */
export async function startLiveLines(
  q: LiveLinesQuery,
  run: SqlRunner,
  inParallel?: <T>(work: (usageRun: SqlRunner) => Promise<T>) => Promise<T>,
  { withUsage = true }: LinesOptions = {},
): Promise<StartedLiveLines> {
  const sources = await linesSources(q, run);
  const usage = !withUsage ? Promise.resolve(null) : inParallel ? inParallel((usageRun) => readLineUsage(q, usageRun)) : readLineUsage(q, run);
  // Without a second connection, one statement at a time on `run` (a transaction's connection takes no more).
  const catalog = inParallel ? readCatalog(q.viewer, run) : usage.then(() => readCatalog(q.viewer, run));
  const parser = Promise.all([usage, catalog]).then(([u, c]) => (r: RawLine) => parseLiveLine(r, u, c));
  // Awaited by the caller after it has started the lines' SQL; a failure meanwhile is not an unhandled rejection.
  parser.catch(() => undefined);
  return { sql: liveLinesSql(q, sources), parser };
}

/** Every deployment's traffic in the query's periods (usage rollups, merged in Node), for `withLineUsage`. */
export async function readLineUsage(q: LiveLinesQuery, run: SqlRunner): Promise<Map<string, LineUsage>> {
  const usageRows = await queryUsage(
    { viewer: q.viewer, filters: q.teamIds ? { teamIds: q.teamIds } : {}, from: q.from, to: q.to, unit: q.granularity, timeZone: q.timeZone, groupBy: "item" },
    run,
  );
  const usage = new Map<string, LineUsage>();
  for (const u of usageRows.rows) {
    usage.set(usageKey(u.groupKey, u.bucketStart), {
      windowMs: u.windowMs,
      requests: u.requests,
      inputTokens: u.inputTokens,
      cachedInputTokens: u.cachedInputTokens,
      outputTokens: u.outputTokens,
      p99Key: u.p99Key,
    });
  }
  return usage;
}

async function readCatalog(viewer: Viewer, run: SqlRunner): Promise<Map<string, CatalogPrice[]>> {
  const catalog = new Map<string, CatalogPrice[]>();
  for (const p of await run.query<{ gpuTypeId: number; provider: string; pricingModel: string; micros: string; effectiveFrom: Date; effectiveTo: Date | null }>(catalogSql(viewer))) {
    const key = catalogKey(Number(p.gpuTypeId), p.provider, p.pricingModel);
    const list = catalog.get(key) ?? [];
    list.push({ micros: BigInt(p.micros), from: asDate(p.effectiveFrom), to: p.effectiveTo === null ? null : asDate(p.effectiveTo) });
    catalog.set(key, list);
  }
  return catalog;
}

/** node-postgres already made a Date of a timestamptz: no copy (in the Next.js server every `new Date` is wrapped, and slow). */
function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function big(value: string | null): bigint | null {
  return value === null ? null : BigInt(value);
}

function parseLiveLine(r: RawLine, usage: LineUsageMap | null, catalog: ReadonlyMap<string, CatalogPrice[]>): ReportLine {
  const isInference = r.kind === "inference";
  const periodStart = asDate(r.periodStart);
  const chargeStart = asDate(r.chargeStart);
  const chargeEnd = asDate(r.chargeEnd);
  const line: ReportLine = {
    lineType: "charge",
    kind: r.kind,
    itemId: Number(r.itemId),
    itemName: r.itemName,
    teamId: Number(r.teamId),
    teamSlug: r.teamSlug,
    teamName: r.teamName,
    model: r.model,
    gpuTypeId: Number(r.gpuTypeId),
    gpuTypeName: r.gpuTypeName,
    provider: r.provider,
    pricingModel: r.pricingModel,
    gpuCount: Number(r.gpuCount),
    periodStart,
    periodEnd: asDate(r.periodEnd),
    chargeStart,
    chargeEnd,
    computeMicros: BigInt(r.computeMicros),
    computeCents: BigInt(r.computeCents),
    extraMicros: BigInt(r.extraMicros),
    extraCents: BigInt(r.extraCents),
    gpuMs: BigInt(r.gpuMs),
    unpricedGpuMs: BigInt(r.unpricedGpuMs),
    activeMs: BigInt(r.activeMs),
    recordedMs: isInference ? 0n : null,
    requests: null,
    inputTokens: null,
    cachedInputTokens: null,
    outputTokens: null,
    trainingTokens: big(r.trainingTokens),
    p99LatencyMs: null,
    prices: pricesUsed(catalog, r, chargeStart, chargeEnd),
  };
  return usage ? withLineUsage(line, usage) : line;
}

/**
 * A live line with its traffic from `usage` (readLineUsage): for a
 * deployment, the period's recorded time (0 when no window covers it), and
 * requests, tokens and p99 when some window does; a training run's line as
 * it is. Lines read without usage (`usage: false`) get it here later, so the
 * cost part of a report can be cached apart from its traffic.
 */
export function withLineUsage(line: ReportLine, usage: LineUsageMap): ReportLine {
  if (line.kind !== "inference" || line.lineType !== "charge") return line;
  const u = usage.get(usageKey(`inference:${line.itemId}`, line.periodStart));
  if (!u) return line.recordedMs === 0n && line.requests === null ? line : { ...line, recordedMs: 0n, requests: null, inputTokens: null, cachedInputTokens: null, outputTokens: null, p99LatencyMs: null };
  return {
    ...line,
    recordedMs: u.windowMs,
    requests: u.requests,
    inputTokens: u.inputTokens,
    cachedInputTokens: u.cachedInputTokens,
    outputTokens: u.outputTokens,
    p99LatencyMs: u.p99Key !== null ? sketchBucketValue(u.p99Key) : null,
  };
}

export interface LinesSources {
  usageSource: UsageSource;
  /** The cost rollup answers finished items (cost-ledger.ts costRollupApplies). */
  isRollupZone: boolean;
}

/** Which rollups answer the query (the zone's day rollups when materialized). */
export async function linesSources(q: LiveLinesQuery, run: SqlRunner): Promise<LinesSources> {
  const usageSource = await chooseUsageSource({ viewer: q.viewer, filters: {}, from: q.from, to: q.to, unit: q.granularity, timeZone: q.timeZone, groupBy: "item" }, run);
  const isRollupZone = await costRollupApplies({ unit: q.granularity, timeZone: q.timeZone, from: q.from, to: q.to, now: q.now }, run);
  return { usageSource, isRollupZone };
}

export interface LinesOptions {
  /**
   * false: deployments' lines without their traffic (recorded time 0, no
   * requests, tokens or p99) and no usage read — for the cost part of a
   * report, joined with `readLineUsage` later (`withLineUsage`). Cents never
   * depend on usage.
   */
  withUsage?: boolean;
}

/** All live lines at once (report pages, closing). Exports stream instead (lib/db/stream.ts). */
export async function queryLiveLines(q: LiveLinesQuery, run: SqlRunner, options: LinesOptions = {}): Promise<ReportLine[]> {
  if (q.to.getTime() <= q.from.getTime()) return [];
  // The joins first, then the lines: `run` may be a transaction's connection, which takes one statement at a time.
  const started = await startLiveLines(q, run, undefined, options);
  const parse = await started.parser;
  const rows = await run.query<RawLine>(started.sql);
  return rows.map(parse);
}
