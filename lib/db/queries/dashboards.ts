import "server-only";
import { orgWhere, teamRecordWhere, teamScopeSql, teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { comparisonPeriod, projectMonthEnd, relativeChange } from "@/lib/domain/burn-rate";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { calendarMonth, lastDays, monthToDate } from "@/lib/domain/date-ranges";
import { gpuHours } from "@/lib/domain/gpu-time-cost";
import { inferenceCost, NO_TRAFFIC } from "@/lib/domain/inference-cost";
import { sketchBucketValue } from "@/lib/domain/latency-sketch";
import { roundHalfEven } from "@/lib/domain/largest-remainder";
import { microsToCents, parseUsdMicros, unitCostUsd } from "@/lib/domain/money";
import { trainingRunCost } from "@/lib/domain/training-cost";
import { trafficTotals } from "@/lib/domain/usage-rollup";
import type { TimeRange } from "@/lib/domain/time-range";
import type { RunSortKey, TableParams } from "@/lib/validation/dashboard-filters";
import { db } from "../client";
import { queryLedger, rowCents, sumCents, type LedgerRow } from "./cost-ledger";
import { liveLedgerSql } from "./ledger-sql";
import { Prisma, prismaRunner } from "../sql";
import { toDeploymentInput, toPricePeriods, toTrainingRunInput } from "./engine-inputs";
import { chooseUsageSource, queryUsage, usageSql, type UsageQuery } from "./usage-ledger";

/**
 * View data for the pages: SQL aggregates from cost-ledger and usage-ledger,
 * turned into figures by lib/domain. Pages only format what these return.
 */

type PriceKey = `${number}|${string}|${string}`;

async function catalogPrices(viewer: Viewer) {
  const prices = await db().gpuPrice.findMany({
    where: { gpuType: orgWhere(viewer) },
    select: { gpuTypeId: true, provider: true, pricingModel: true, pricePerGpuHour: true, effectiveFrom: true, effectiveTo: true },
    orderBy: { effectiveFrom: "asc" },
  });
  const byKey = new Map<PriceKey, typeof prices>();
  for (const p of prices) {
    const key: PriceKey = `${p.gpuTypeId}|${p.provider}|${p.pricingModel}`;
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  return (gpuTypeId: number, provider: string, pricingModel: string) => toPricePeriods(byKey.get(`${gpuTypeId}|${provider}|${pricingModel}`) ?? []);
}

export interface TeamSpend {
  teamId: number;
  slug: string;
  name: string;
  trainingCents: bigint;
  inferenceCents: bigint;
  totalCents: bigint;
  budgetMicros: bigint;
}

/** Month-to-date spend per team (this month in the view's zone), split by training/inference, in cents. */
export async function teamsMonthToDate({ viewer, now, timeZone }: { viewer: Viewer; now: Date; timeZone: string }): Promise<{ range: TimeRange; teams: TeamSpend[] }> {
  const range = monthToDate({ now, timeZone });
  const [ledger, teams] = await Promise.all([
    queryLedger({ viewer, filters: {}, from: range.start, to: range.end, unit: "day", timeZone, groupBy: "team", now, isWholeRange: true }),
    db().team.findMany({ where: teamWhere(viewer), select: { id: true, slug: true, name: true, monthlyBudgetUsd: true }, orderBy: { name: "asc" } }),
  ]);
  return {
    range,
    teams: teams
      .map((t) => {
        const mine = ledger.filter((r) => r.groupKey === String(t.id));
        const training = sumCents(mine, "training");
        const inference = sumCents(mine, "inference");
        return {
          teamId: t.id,
          slug: t.slug,
          name: t.name,
          trainingCents: training,
          inferenceCents: inference,
          totalCents: training + inference,
          budgetMicros: parseUsdMicros(t.monthlyBudgetUsd.toFixed(6)),
        };
      })
      .sort((a, b) => (b.totalCents > a.totalCents ? 1 : b.totalCents < a.totalCents ? -1 : a.name.localeCompare(b.name))),
  };
}

export interface RunListFilters {
  teamSlug?: string;
  model?: string;
  gpuTypeId?: number;
  /** Runs that overlap this range. */
  range?: TimeRange;
}

const RUN_INCLUDE = { team: { select: { slug: true, name: true } }, gpuType: { select: { name: true, peakBf16Tflops: true } } } as const;

function runListWhere(viewer: Viewer, filters: RunListFilters) {
  return {
    team: { ...teamWhere(viewer), ...(filters.teamSlug ? { slug: filters.teamSlug } : {}) },
    ...(filters.model ? { model: filters.model } : {}),
    ...(filters.gpuTypeId ? { gpuTypeId: filters.gpuTypeId } : {}),
    ...(filters.range ? { startedAt: { lt: filters.range.end }, OR: [{ endedAt: null }, { endedAt: { gte: filters.range.start } }] } : {}),
  };
}

/** Training runs matching the filters, each with its engine cost figures (newest first, at most `limit`). */
export async function trainingRunsWithCost({ viewer, now, filters = {}, limit = 20_000 }: { viewer: Viewer; now: Date; filters?: RunListFilters; limit?: number }) {
  const [runs, pricesFor] = await Promise.all([
    db().trainingRun.findMany({ where: runListWhere(viewer, filters), include: RUN_INCLUDE, orderBy: [{ startedAt: "desc" }, { id: "desc" }], take: limit }),
    catalogPrices(viewer),
  ]);
  return runs.map((run) => runWithCost(run, pricesFor, now));
}

type RunWithRelations = Awaited<ReturnType<ReturnType<typeof db>["trainingRun"]["findMany"]>>[number] & {
  team: { slug: string; name: string };
  gpuType: { name: string; peakBf16Tflops: import("@/lib/db/generated/client").Prisma.Decimal };
};

function runWithCost(run: RunWithRelations, pricesFor: Awaited<ReturnType<typeof catalogPrices>>, now: Date) {
  const cost = trainingRunCost({ run: toTrainingRunInput(run, pricesFor(run.gpuTypeId, run.provider, run.pricingModel)), now });
  return {
    id: run.id,
    name: run.name,
    model: run.model,
    method: run.method,
    precision: run.precision,
    gpuCount: run.gpuCount,
    gpuTypeName: run.gpuType.name,
    provider: run.provider,
    pricingModel: run.pricingModel,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    team: run.team,
    gpuHours: cost.gpuHours,
    totalCostMicros: cost.totalCostMicros,
    lifetimeCostCents: cost.totalCostCents,
    hasUnpricedTime: cost.hasUnpricedTime,
    costPerMillionTokensUsd: cost.costPerMillionTokensUsd,
    mfu: cost.mfu,
  };
}

export type TrainingRunRow = ReturnType<typeof runWithCost>;

export const RUNS_PAGE_SIZE = 50;

/**
 * One page of the runs table, sorted and paged in SQL over every matching run
 * (nothing truncated). Cost sorts read each run's lifetime total from its cost
 * rollup (training_runs.costRolledCents, lib/db/mutations/cost-rollups.ts) and
 * compute only unrolled runs (running, or just changed) live with the ledger's
 * SQL; the page's figures then come from the engine per run, as everywhere.
 * Runs with no value for the sort key ("—") go last in either direction; ties
 * go newest id first.
 */
export async function trainingRunsPage({ viewer, now, filters, table, timeZone }: { viewer: Viewer; now: Date; filters: RunListFilters; table: TableParams; timeZone: string }) {
  const run = prismaRunner(db());
  const where = runListSql(viewer, filters);
  const [counted] = await run.query<{ total: number }>(Prisma.sql`
    select count(*)::int as total from training_runs r join teams t on t.id = r."teamId" where ${where}`);
  const total = counted?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / RUNS_PAGE_SIZE));
  const page = Math.min(table.page, pageCount);
  const needsCost = table.sort === "cost" || table.sort === "perToken";
  const live = needsCost
    ? liveLedgerSql({
        filters: { kind: "training" },
        from: new Date(0),
        to: FAR_FUTURE,
        unit: "day",
        timeZone,
        groupBy: "item",
        now,
        isWholeRange: true,
        isRollupZone: true,
        scope: (alias) => teamScopeSql(viewer, Prisma.sql`${Prisma.raw(alias)}."teamId"`),
      })
    : null;
  const costCents = Prisma.sql`coalesce(case when r."costRolledTo" is not null then r."costRolledCents" end, l."computeCostCents" + l."extraCostCents")`;
  const costMicros = Prisma.sql`coalesce(case when r."costRolledTo" is not null then r."costRolledMicros" end, l."computeCostMicros" + l."extraCostMicros")`;
  const seconds = Prisma.sql`extract(epoch from (greatest(coalesce(r."endedAt", ${now}::timestamptz), r."startedAt") - r."startedAt"))`;
  const key: Record<RunSortKey, Prisma.Sql> = {
    started: Prisma.sql`r."startedAt"`,
    name: Prisma.sql`lower(r.name) collate "C"`,
    team: Prisma.sql`lower(t.name) collate "C"`,
    model: Prisma.sql`lower(r.model) collate "C"`,
    gpuHours: Prisma.sql`r."gpuCount" * ${seconds}`,
    cost: costCents,
    perToken: Prisma.sql`case when r."tokensProcessed" > 0 then ${costMicros}::numeric / r."tokensProcessed" end`,
    // lib/domain/training-cost.ts modelFlopsUtilization: flops/token factor (4 for LoRA/QLoRA, else 6) × N × tokens / (GPU-seconds × peak).
    mfu: Prisma.sql`case when r."parameterCount" > 0 and r."tokensProcessed" > 0 and g."peakBf16Tflops" > 0 and r."gpuCount" * ${seconds} > 0
      then (case when r.method in ('LORA', 'QLORA') then 4 else 6 end) * r."parameterCount"::numeric * r."tokensProcessed"
        / (r."gpuCount" * ${seconds} * g."peakBf16Tflops" * 1e12) end`,
  };
  const dir = table.dir === "asc" ? Prisma.sql`asc` : Prisma.sql`desc`;
  const ids = await run.query<{ id: number }>(Prisma.sql`
    ${live ? Prisma.sql`with live as (${live})` : Prisma.empty}
    select r.id
    from training_runs r join teams t on t.id = r."teamId" join gpu_types g on g.id = r."gpuTypeId"
      ${live ? Prisma.sql`left join live l on l."groupKey" = 'training:' || r.id` : Prisma.empty}
    where ${where}
    order by (${key[table.sort]}) is null, ${key[table.sort]} ${dir}, r.id desc
    offset ${(page - 1) * RUNS_PAGE_SIZE} limit ${RUNS_PAGE_SIZE}`);
  const [found, pricesFor] = await Promise.all([
    db().trainingRun.findMany({ where: { id: { in: ids.map((r) => r.id) } }, include: RUN_INCLUDE }),
    catalogPrices(viewer),
  ]);
  const byId = new Map(found.map((r) => [r.id, r]));
  const rows = ids.flatMap(({ id }) => {
    const r = byId.get(id);
    return r ? [runWithCost(r, pricesFor, now)] : [];
  });
  // The same line items the dashboards sum: each run's cents within the range.
  const inRange =
    filters.range && rows.length > 0
      ? await queryLedger({ viewer, filters: { runIds: rows.map((r) => r.id) }, from: filters.range.start, to: filters.range.end, unit: "day", timeZone, groupBy: "item", now, isWholeRange: true })
      : [];
  const inRangeById = new Map(inRange.map((r) => [r.groupKey, rowCents(r)]));
  return {
    rows: rows.map((r) => ({ ...r, inRangeCostCents: filters.range ? (inRangeById.get(`training:${r.id}`) ?? 0n) : null })),
    total,
    page,
    pageCount,
  };
}

const FAR_FUTURE = new Date("9999-01-01T00:00:00Z");

/** The runs list's filters as SQL over training_runs r join teams t (the viewer's teams, lib/access/policy.ts). */
function runListSql(viewer: Viewer, filters: RunListFilters): Prisma.Sql {
  const parts = [teamScopeSql(viewer, Prisma.sql`r."teamId"`)];
  if (filters.teamSlug) parts.push(Prisma.sql`t.slug = ${filters.teamSlug}`);
  if (filters.model) parts.push(Prisma.sql`r.model = ${filters.model}`);
  if (filters.gpuTypeId) parts.push(Prisma.sql`r."gpuTypeId" = ${filters.gpuTypeId}`);
  if (filters.range) parts.push(Prisma.sql`r."startedAt" < ${filters.range.end} and (r."endedAt" is null or r."endedAt" >= ${filters.range.start})`);
  return Prisma.join(parts, " and ");
}

const DEPLOYMENT_WINDOW_DAYS = 30;

/** Deployments with cost, traffic and latency over a range (by default the last 30 local days). */
export async function deploymentsWithMetrics({
  viewer,
  now,
  timeZone = viewer.orgTimeZone,
  range = lastDays({ now, days: DEPLOYMENT_WINDOW_DAYS, timeZone }),
  filters = {},
}: {
  viewer: Viewer;
  now: Date;
  timeZone?: string;
  range?: TimeRange;
  filters?: RunListFilters;
}) {
  const [deployments, usage, pricesFor, ledger] = await Promise.all([
    db().inferenceDeployment.findMany({
      where: {
        team: { ...teamWhere(viewer), ...(filters.teamSlug ? { slug: filters.teamSlug } : {}) },
        ...(filters.model ? { model: filters.model } : {}),
        ...(filters.gpuTypeId ? { gpuTypeId: filters.gpuTypeId } : {}),
        activeFrom: { lt: range.end },
        OR: [{ activeTo: null }, { activeTo: { gt: range.start } }],
      },
      include: { team: { select: { slug: true, name: true } }, gpuType: { select: { name: true } } },
      orderBy: [{ name: "asc" }],
    }),
    queryUsage({ viewer, filters: {}, from: range.start, to: range.end, unit: "day", timeZone, groupBy: "item", isWholeRange: true }),
    catalogPrices(viewer),
    // The cents every page shows for a deployment and a period: its ledger line items.
    queryLedger({ viewer, filters: { kind: "inference" }, from: range.start, to: range.end, unit: "day", timeZone, groupBy: "item", now, isWholeRange: true }),
  ]);
  const usageById = new Map(usage.rows.map((r) => [r.groupKey, r]));
  const ledgerById = new Map(ledger.map((r) => [r.groupKey, r]));
  return {
    range,
    rows: deployments.map((d) => {
      const u = usageById.get(`inference:${d.id}`);
      const cost = inferenceCost({
        deployment: toDeploymentInput(d, pricesFor(d.gpuTypeId, d.provider, d.pricingModel)),
        range,
        // No records in the range: idle share, QPS and $/1M tokens are "no data" (null), not idle.
        traffic: u ? trafficTotals(u) : NO_TRAFFIC,
        now,
      });
      const p99Ms = u?.p99Key == null ? null : sketchBucketValue(u.p99Key);
      const line = ledgerById.get(`inference:${d.id}`);
      const costCents = line ? rowCents(line) : 0n;
      // Days the deployment was active within the range so far (partial days count by their hours).
      const activeDays = line ? Number(line.activeMs) / 86_400_000 : 0;
      return {
        id: d.id,
        name: d.name,
        model: d.model,
        servingEngine: d.servingEngine,
        quantization: d.quantization,
        batching: d.batching,
        gpuCount: d.gpuCount,
        gpuTypeName: d.gpuType.name,
        team: d.team,
        isActive: d.activeTo === null || d.activeTo > now,
        costCents,
        activeDays,
        /** Cost ÷ the days it was active within the range, in cents (a rate: rounded once, half-even). */
        costPerDayCents: activeDays > 0 && line ? roundHalfEven({ numerator: costCents * 86_400_000n, denominator: line.activeMs }) : null,
        /** Idle time ÷ recorded time (inference-cost.ts); null when no usage is recorded in the range. */
        idleShare: cost.idleShare,
        hasUsageRecords: cost.recordedMs > 0,
        /** Time-weighted GPU utilization over windows with traffic, 0..1. */
        utilization: u && u.utilMs > 0n ? Number(u.utilPctMs) / 100 / Number(u.utilMs) : null,
        costPerMillionTokensUsd: cost.metrics.costPerMillionTokensUsd,
        qps: cost.metrics.qps,
        p99Ms,
        p99SloMs: d.p99SloMs,
        isBreachingSlo: p99Ms !== null && d.p99SloMs !== null && p99Ms > d.p99SloMs,
        isLatencyApproximate: (u?.approxRequests ?? 0n) > 0n,
      };
    }),
  };
}

export type DeploymentRow = Awaited<ReturnType<typeof deploymentsWithMetrics>>["rows"][number];

/** Cost per team per calendar month in the view's zone, the last `months` months (the current one to date). */
export async function monthlyCostByTeam({ viewer, now, timeZone, months = 6 }: { viewer: Viewer; now: Date; timeZone: string; months?: number }) {
  const first = calendarMonth({ now, timeZone, offset: months - 1 });
  const last = calendarMonth({ now, timeZone, offset: 0 });
  const rows = await queryLedger({ viewer, filters: {}, from: first.start, to: last.end, unit: "month", timeZone, groupBy: "team", now });
  const monthStarts = [...new Set(rows.map((r) => r.bucketStart.getTime()))].sort((a, b) => b - a);
  const teams = [...new Map(rows.map((r) => [r.groupKey, r.groupLabel])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const cell = (month: number, team: string) => sumCents(rows.filter((r) => r.bucketStart.getTime() === month && r.groupKey === team));
  const lines = monthStarts.map((month) => {
    const cells = teams.map(([key]) => cell(month, key));
    return { monthStart: new Date(month), cellsCents: cells, totalCents: cells.reduce((a, b) => a + b, 0n) };
  });
  return {
    range: { start: first.start, end: last.end },
    teams: teams.map(([key, label]) => ({ key, label })),
    months: lines,
    teamTotalsCents: teams.map((_, i) => lines.reduce((s, l) => s + l.cellsCents[i]!, 0n)),
    totalCents: lines.reduce((s, l) => s + l.totalCents, 0n),
  };
}

export interface DashboardScope {
  /** Limit everything to one team (team dashboards). */
  teamId?: number;
  model?: string;
  gpuTypeId?: number;
}

export interface TopItem {
  key: string;
  label: string;
  costCents: bigint;
}

function topBy(rows: LedgerRow[], n: number): TopItem[] {
  const totals = new Map<string, TopItem>();
  for (const r of rows) {
    const item = totals.get(r.groupKey) ?? { key: r.groupKey, label: r.groupLabel, costCents: 0n };
    item.costCents += rowCents(r);
    totals.set(r.groupKey, item);
  }
  return [...totals.values()].sort((a, b) => (b.costCents > a.costCents ? 1 : b.costCents < a.costCents ? -1 : a.label.localeCompare(b.label))).slice(0, n);
}

function scopeFilters(scope: DashboardScope) {
  return {
    ...(scope.teamId ? { teamIds: [scope.teamId] } : {}),
    ...(scope.model ? { models: [scope.model] } : {}),
    ...(scope.gpuTypeId ? { gpuTypeIds: [scope.gpuTypeId] } : {}),
  };
}

/**
 * Usage-based rates over the time that has usage records: each deployment's
 * cost in the range is taken for the share of its active time that has
 * records (a deployment without records adds nothing), so $/1M tokens is not
 * diluted by unreported time; QPS is each deployment's requests over its
 * recorded seconds, summed. Null when nothing was recorded.
 */
function recordedRates({ costRows, usageRows }: { costRows: LedgerRow[]; usageRows: { groupKey: string; windowMs: bigint; requests: bigint; inputTokens: bigint; outputTokens: bigint }[] }) {
  const cost = new Map(costRows.filter((r) => r.kind === "inference").map((r) => [r.groupKey, r]));
  let recordedCostMicros = 0n;
  let tokens = 0n;
  let qps: number | null = null;
  for (const u of usageRows) {
    if (u.windowMs <= 0n) continue;
    const c = cost.get(u.groupKey);
    if (c && c.activeMs > 0n) recordedCostMicros += (c.computeCostMicros * (u.windowMs < c.activeMs ? u.windowMs : c.activeMs)) / c.activeMs;
    tokens += u.inputTokens + u.outputTokens;
    qps = (qps ?? 0) + Number(u.requests) / (Number(u.windowMs) / 1000);
  }
  return { costPerMillionTokensUsd: unitCostUsd({ costMicros: recordedCostMicros, quantity: tokens, per: 1_000_000 }), qps, tokens };
}

const TOP_ITEMS = 10;

/** Recorded time and tokens per bucket and deployment, for deployments with records in the bucket. */
interface RecordedUsage {
  bucketStart: number;
  groupKey: string;
  windowMs: bigint;
  tokens: bigint;
}

/**
 * The usage ledger's rows per deployment and bucket, reduced to what
 * recordedCostByBucket needs: recorded time and tokens of the rows with
 * records. No label is looked up and no latency sketch leaves the database
 * (the chart shows no percentile).
 */
async function recordedUsage(usage: UsageQuery): Promise<RecordedUsage[]> {
  if (usage.to.getTime() <= usage.from.getTime()) return [];
  const run = prismaRunner(db());
  const source = await chooseUsageSource(usage, run);
  const rows = await run.query<{ bucketStart: Date; groupKey: string; windowMs: string; tokens: string }>(Prisma.sql`
    select u."bucketStart", u."groupKey", u."windowMs", (u."inputTokens"::numeric + u."outputTokens"::numeric)::text as tokens
    from (${usageSql(usage, source, "node")}) u
    where u."windowMs"::numeric > 0`);
  return rows.map((r) => ({ bucketStart: r.bucketStart.getTime(), groupKey: r.groupKey, windowMs: BigInt(r.windowMs), tokens: BigInt(r.tokens) }));
}

/**
 * recordedRates' cost and tokens per bucket, from the ledger's rows per
 * deployment and bucket (records: cached with the dashboard's costs) and
 * recordedUsage's (same scope and buckets; recomputed after usage ingest),
 * in integer arithmetic: each deployment's compute micro-dollars ×
 * min(recorded, active) ÷ active, truncated, summed with its tokens over
 * deployments with records (the API's rollups, lib/api/v1/rollups.ts, do
 * the same in SQL).
 */
function recordedCostByBucket(costs: readonly LedgerRow[], usage: readonly RecordedUsage[]): Map<number, { costMicros: bigint; tokens: bigint }> {
  const cost = new Map<string, LedgerRow>();
  for (const c of costs) if (c.kind === "inference") cost.set(`${c.bucketStart.getTime()}|${c.groupKey}`, c);
  const byBucket = new Map<number, { costMicros: bigint; tokens: bigint }>();
  for (const u of usage) {
    const c = cost.get(`${u.bucketStart}|${u.groupKey}`);
    const bucket = byBucket.get(u.bucketStart) ?? { costMicros: 0n, tokens: 0n };
    if (c && c.activeMs > 0n) bucket.costMicros += (c.computeCostMicros * (u.windowMs < c.activeMs ? u.windowMs : c.activeMs)) / c.activeMs;
    bucket.tokens += u.tokens;
    byBucket.set(u.bucketStart, bucket);
  }
  return byBucket;
}

/** What a dashboard is computed from: the same arguments for both of its parts (dashboardLedger, dashboardUsage). */
export interface DashboardArgs {
  viewer: Viewer;
  scope: DashboardScope;
  range: TimeRange;
  unit: BucketUnit;
  timeZone: string;
  now: Date;
}

function dashboardFrame({ viewer, scope, range, timeZone, now }: DashboardArgs) {
  const filters = scopeFilters(scope);
  const base = { viewer, filters, from: range.start, to: range.end, timeZone, now };
  const whole = { ...base, unit: "day" as const, isWholeRange: true };
  const comparison = comparisonPeriod({ range, now, timeZone });
  const thisMonth = calendarMonth({ now, timeZone, offset: 0 });
  const isCurrentMonth = range.start.getTime() === thisMonth.start.getTime() && range.end.getTime() <= thisMonth.end.getTime() && range.end.getTime() >= now.getTime();
  const inferenceOnly = { ...filters, kind: "inference" as const };
  // Totals come from the model rows (grouped by model and kind); per item, only the deployments and the
  // top runs leave the database (24,500 runs in 90 days at the 10M bench tier).
  return { filters, base, whole, comparison, thisMonth, isCurrentMonth, inferenceOnly };
}

/**
 * A dashboard's costs, budgets and names: ledger queries and records only,
 * no usage — so it stays cached while usage is written (read-models.ts).
 */
export async function dashboardLedger(args: DashboardArgs) {
  const { viewer, scope, unit, timeZone, now } = args;
  const { filters, base, whole, comparison, thisMonth, inferenceOnly } = dashboardFrame(args);
  const [byBucketTeam, byGpu, byModel, deploymentItems, topRuns, current, previous, deployments, teams, monthToDateByTeam, deploymentsByBucket] = await Promise.all([
    queryLedger({ ...base, unit, groupBy: "team" }),
    queryLedger({ ...whole, groupBy: "gpuType" }),
    queryLedger({ ...whole, groupBy: "model" }),
    queryLedger({ ...whole, filters: inferenceOnly, groupBy: "item" }),
    queryLedger({ ...whole, filters: { ...filters, kind: "training" }, groupBy: "item", topPerKind: TOP_ITEMS }),
    comparison ? queryLedger({ ...base, from: comparison.current.start, to: comparison.current.end, unit: "day", groupBy: "none", isWholeRange: true }) : Promise.resolve([]),
    comparison ? queryLedger({ ...base, from: comparison.previous.start, to: comparison.previous.end, unit: "day", groupBy: "none", isWholeRange: true }) : Promise.resolve([]),
    db().inferenceDeployment.findMany({ where: { ...teamRecordWhere(viewer), ...(scope.teamId ? { teamId: scope.teamId } : {}) }, select: { id: true, name: true, p99SloMs: true } }),
    db().team.findMany({ where: { AND: [teamWhere(viewer), scope.teamId ? { id: scope.teamId } : {}] }, select: { id: true, slug: true, name: true, monthlyBudgetUsd: true }, orderBy: { name: "asc" } }),
    queryLedger({ viewer, filters: scope.teamId ? { teamIds: [scope.teamId] } : {}, from: thisMonth.start, to: thisMonth.end, unit: "day", timeZone, now, groupBy: "team", isWholeRange: true }),
    // Each deployment's cost per bucket, for the recorded cost per 1M tokens (joined with the traffic in assembleDashboard).
    queryLedger({ ...base, filters: inferenceOnly, unit, groupBy: "item" }),
  ]);
  return { byBucketTeam, byGpu, byModel, deploymentItems, topRuns, current, previous, deployments, teams, monthToDateByTeam, deploymentsByBucket };
}

/** A dashboard's traffic: usage per deployment, and recorded time and tokens per bucket and deployment (reads usage only). */
export async function dashboardUsage(args: DashboardArgs) {
  const { unit } = args;
  const { base, whole } = dashboardFrame(args);
  const [recordedByItem, usageByItem] = await Promise.all([recordedUsage({ ...base, unit, groupBy: "item" }), queryUsage({ ...whole, groupBy: "item" })]);
  return { recordedByItem, usageByItem };
}

/** Everything a dashboard shows, from its two parts (each cached on its own: read-models.ts cachedDashboardData). */
export function assembleDashboard(
  args: DashboardArgs,
  { byBucketTeam, byGpu, byModel, deploymentItems, topRuns, current, previous, deployments, teams, monthToDateByTeam, deploymentsByBucket }: Awaited<ReturnType<typeof dashboardLedger>>,
  { recordedByItem, usageByItem }: Awaited<ReturnType<typeof dashboardUsage>>,
) {
  const recordedByBucket = recordedCostByBucket(deploymentsByBucket, recordedByItem);
  const { range, unit, timeZone, now } = args;
  const { comparison, thisMonth, isCurrentMonth } = dashboardFrame(args);
  const trainingCents = sumCents(byModel, "training");
  const inferenceCents = sumCents(byModel, "inference");
  const totalCents = trainingCents + inferenceCents;
  const gpuMs = byModel.reduce((s, r) => s + r.gpuMs, 0n);
  const rates = recordedRates({ costRows: deploymentItems, usageRows: usageByItem.rows });
  const sloById = new Map(deployments.map((d) => [`inference:${d.id}`, d]));
  const breaches = usageByItem.rows
    .map((r) => ({ deployment: sloById.get(r.groupKey), p99Ms: r.p99Key === null ? null : sketchBucketValue(r.p99Key) }))
    .filter((x) => x.deployment?.p99SloMs != null && x.p99Ms !== null && x.p99Ms > x.deployment.p99SloMs)
    .map((x) => ({ id: x.deployment!.id, name: x.deployment!.name, p99Ms: x.p99Ms!, sloMs: x.deployment!.p99SloMs! }));
  const buckets = bucketsBetween({ from: range.start, to: range.end, unit, timeZone });
  const currentCents = sumCents(current);
  const previousCents = sumCents(previous);
  const monthSpent = (teamId: number) => sumCents(monthToDateByTeam.filter((r) => r.groupKey === String(teamId)));
  return {
    range,
    unit,
    timeZone,
    kpis: {
      totalCents,
      trainingCents,
      inferenceCents,
      comparison: comparison && { ...comparison, currentCents, previousCents, change: relativeChange({ current: currentCents, previous: previousCents }) },
      projectedMonthEndCents: isCurrentMonth ? projectMonthEnd({ spentCents: totalCents, month: thisMonth, now }) : null,
      gpuHours: gpuHours({ gpuCount: 1, durationMs: Number(gpuMs) }),
      costPerMillionTokensUsd: rates.costPerMillionTokensUsd,
      qps: rates.qps,
      hasUsageRecords: usageByItem.rows.some((r) => r.windowMs > 0n),
      sloBreaches: breaches,
    },
    series: {
      costByTeam: byBucketTeam.map((r) => ({ bucketStart: r.bucketStart, groupKey: r.groupKey, groupLabel: r.groupLabel, costCents: rowCents(r) })),
      costPerMillionTokens: buckets.map((b) => {
        const recorded = recordedByBucket.get(b.start.getTime());
        const usd = unitCostUsd({ costMicros: recorded?.costMicros ?? 0n, quantity: recorded?.tokens ?? 0n, per: 1_000_000 });
        return { start: b.start, end: b.end, usd };
      }),
    },
    costByGpu: topBy(byGpu, 20),
    top: {
      teams: topBy(byBucketTeam, 10),
      models: topBy(byModel, 10),
      deployments: topBy(deploymentItems, TOP_ITEMS),
      runs: topBy(topRuns, TOP_ITEMS),
    },
    budgets: {
      month: thisMonth,
      teams: teams.map((t) => {
        const spent = monthSpent(t.id);
        return {
          teamId: t.id,
          slug: t.slug,
          name: t.name,
          spentCents: spent,
          projectedCents: projectMonthEnd({ spentCents: spent, month: thisMonth, now }),
          budgetCents: microsToCents(parseUsdMicros(t.monthlyBudgetUsd.toFixed(6))),
        };
      }),
    },
  };
}

/**
 * Everything the overview and team dashboards show for a scope, range and
 * zone: KPIs (in cents: Spend is Training + Inference) with the comparison
 * period and month-end projection, chart series, top-N tables and budgets.
 */
export async function dashboardData(args: DashboardArgs) {
  const [ledger, usage] = await Promise.all([dashboardLedger(args), dashboardUsage(args)]);
  return assembleDashboard(args, ledger, usage);
}

export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;

/** Training spend for the runs page charts: cost by model and GPU type, GPU-hours by bucket. */
export async function trainingCharts({ viewer, scope, range, unit, timeZone, now }: { viewer: Viewer; scope: DashboardScope; range: TimeRange; unit: BucketUnit; timeZone: string; now: Date }) {
  const filters = { kind: "training" as const, ...scopeFilters(scope) };
  const base = { viewer, filters, from: range.start, to: range.end, timeZone, now };
  const [byModel, byGpu, hours] = await Promise.all([
    queryLedger({ ...base, unit: "day", groupBy: "model", isWholeRange: true }),
    queryLedger({ ...base, unit: "day", groupBy: "gpuType", isWholeRange: true }),
    queryLedger({ ...base, unit, groupBy: "none" }),
  ]);
  return { byModel: topBy(byModel, 8), byGpu: topBy(byGpu, 8), gpuHoursByBucket: hours };
}
