import "server-only";
import { orgWhere, teamRecordWhere, teamWhere } from "@/lib/access/policy";
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
import { toDeploymentInput, toPricePeriods, toTrainingRunInput } from "./engine-inputs";
import { queryUsage } from "./usage-ledger";

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

/** Training runs matching the filters, each with its engine cost figures. */
export async function trainingRunsWithCost({ viewer, now, filters = {}, limit = 20_000 }: { viewer: Viewer; now: Date; filters?: RunListFilters; limit?: number }) {
  const [runs, pricesFor] = await Promise.all([
    db().trainingRun.findMany({
      where: {
        team: { ...teamWhere(viewer), ...(filters.teamSlug ? { slug: filters.teamSlug } : {}) },
        ...(filters.model ? { model: filters.model } : {}),
        ...(filters.gpuTypeId ? { gpuTypeId: filters.gpuTypeId } : {}),
        ...(filters.range ? { startedAt: { lt: filters.range.end }, OR: [{ endedAt: null }, { endedAt: { gte: filters.range.start } }] } : {}),
      },
      include: { team: { select: { slug: true, name: true } }, gpuType: { select: { name: true, peakBf16Tflops: true } } },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take: limit,
    }),
    catalogPrices(viewer),
  ]);
  return runs.map((run) => {
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
  });
}

export type TrainingRunRow = Awaited<ReturnType<typeof trainingRunsWithCost>>[number];

const RUN_SORT: Record<RunSortKey, (r: TrainingRunRow) => number | string | bigint | null> = {
  started: (r) => r.startedAt.getTime(),
  name: (r) => r.name.toLowerCase(),
  team: (r) => r.team.name.toLowerCase(),
  model: (r) => r.model.toLowerCase(),
  gpuHours: (r) => r.gpuHours,
  cost: (r) => r.lifetimeCostCents,
  perToken: (r) => (r.costPerMillionTokensUsd === null ? null : r.costPerMillionTokensUsd.toNumber()),
  mfu: (r) => r.mfu,
};

export const RUNS_PAGE_SIZE = 50;

/**
 * One page of the runs table, sorted on the server. Cost figures come from the
 * engine per run, so sorting by them happens after computing them; runs with
 * no value for the sort key ("—") go last in either direction.
 */
export async function trainingRunsPage({ viewer, now, filters, table, timeZone }: { viewer: Viewer; now: Date; filters: RunListFilters; table: TableParams; timeZone: string }) {
  const all = await trainingRunsWithCost({ viewer, now, filters });
  const key = RUN_SORT[table.sort];
  const sign = table.dir === "asc" ? 1 : -1;
  const sorted = [...all].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sign || b.id - a.id;
  });
  const pageCount = Math.max(1, Math.ceil(sorted.length / RUNS_PAGE_SIZE));
  const page = Math.min(table.page, pageCount);
  const rows = sorted.slice((page - 1) * RUNS_PAGE_SIZE, page * RUNS_PAGE_SIZE);
  // The same line items the dashboards sum: each run's cents within the range.
  const inRange =
    filters.range && rows.length > 0
      ? await queryLedger({ viewer, filters: { runIds: rows.map((r) => r.id) }, from: filters.range.start, to: filters.range.end, unit: "day", timeZone, groupBy: "item", now, isWholeRange: true })
      : [];
  const inRangeById = new Map(inRange.map((r) => [r.groupKey, rowCents(r)]));
  return {
    rows: rows.map((r) => ({ ...r, inRangeCostCents: filters.range ? (inRangeById.get(`training:${r.id}`) ?? 0n) : null })),
    total: sorted.length,
    page,
    pageCount,
  };
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

function groupByBucket<Row extends { bucketStart: Date }>(rows: readonly Row[]): Map<number, Row[]> {
  const byBucket = new Map<number, Row[]>();
  for (const r of rows) {
    const key = r.bucketStart.getTime();
    const list = byBucket.get(key);
    if (list) list.push(r);
    else byBucket.set(key, [r]);
  }
  return byBucket;
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

/**
 * Everything the overview and team dashboards show for a scope, range and
 * zone: KPIs (in cents: Spend is Training + Inference) with the comparison
 * period and month-end projection, chart series, top-N tables and budgets.
 */
export async function dashboardData({
  viewer,
  scope,
  range,
  unit,
  timeZone,
  now,
}: {
  viewer: Viewer;
  scope: DashboardScope;
  range: TimeRange;
  unit: BucketUnit;
  timeZone: string;
  now: Date;
}) {
  const filters = scopeFilters(scope);
  const base = { viewer, filters, from: range.start, to: range.end, timeZone, now };
  const whole = { ...base, unit: "day" as const, isWholeRange: true };
  const comparison = comparisonPeriod({ range, now, timeZone });
  const thisMonth = calendarMonth({ now, timeZone, offset: 0 });
  const isCurrentMonth = range.start.getTime() === thisMonth.start.getTime() && range.end.getTime() <= thisMonth.end.getTime() && range.end.getTime() >= now.getTime();
  const inferenceOnly = { ...filters, kind: "inference" as const };
  const [byBucketTeam, byGpu, byModel, byItem, byBucketItem, current, previous, usageByItem, usageByBucketItem, deployments, teams, monthToDateByTeam] = await Promise.all([
    queryLedger({ ...base, unit, groupBy: "team" }),
    queryLedger({ ...whole, groupBy: "gpuType" }),
    queryLedger({ ...whole, groupBy: "model" }),
    queryLedger({ ...whole, groupBy: "item" }),
    queryLedger({ ...base, filters: inferenceOnly, unit, groupBy: "item" }),
    comparison ? queryLedger({ ...base, from: comparison.current.start, to: comparison.current.end, unit: "day", groupBy: "none", isWholeRange: true }) : Promise.resolve([]),
    comparison ? queryLedger({ ...base, from: comparison.previous.start, to: comparison.previous.end, unit: "day", groupBy: "none", isWholeRange: true }) : Promise.resolve([]),
    queryUsage({ ...whole, groupBy: "item" }),
    queryUsage({ ...base, unit, groupBy: "item" }),
    db().inferenceDeployment.findMany({ where: { ...teamRecordWhere(viewer), ...(scope.teamId ? { teamId: scope.teamId } : {}) }, select: { id: true, name: true, p99SloMs: true } }),
    db().team.findMany({ where: { AND: [teamWhere(viewer), scope.teamId ? { id: scope.teamId } : {}] }, select: { id: true, slug: true, name: true, monthlyBudgetUsd: true }, orderBy: { name: "asc" } }),
    queryLedger({ viewer, filters: scope.teamId ? { teamIds: [scope.teamId] } : {}, from: thisMonth.start, to: thisMonth.end, unit: "day", timeZone, now, groupBy: "team", isWholeRange: true }),
  ]);
  const trainingCents = sumCents(byItem, "training");
  const inferenceCents = sumCents(byItem, "inference");
  const totalCents = trainingCents + inferenceCents;
  const gpuMs = byItem.reduce((s, r) => s + r.gpuMs, 0n);
  const rates = recordedRates({ costRows: byItem, usageRows: usageByItem.rows });
  const sloById = new Map(deployments.map((d) => [`inference:${d.id}`, d]));
  const breaches = usageByItem.rows
    .map((r) => ({ deployment: sloById.get(r.groupKey), p99Ms: r.p99Key === null ? null : sketchBucketValue(r.p99Key) }))
    .filter((x) => x.deployment?.p99SloMs != null && x.p99Ms !== null && x.p99Ms > x.deployment.p99SloMs)
    .map((x) => ({ id: x.deployment!.id, name: x.deployment!.name, p99Ms: x.p99Ms!, sloMs: x.deployment!.p99SloMs! }));
  const buckets = bucketsBetween({ from: range.start, to: range.end, unit, timeZone });
  // Rows by bucket once, not a scan of every row per bucket (2,160 hourly buckets over 90 days).
  const costByBucket = groupByBucket(byBucketItem);
  const usageByBucket = groupByBucket(usageByBucketItem.rows);
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
        const key = b.start.getTime();
        const usd = recordedRates({ costRows: costByBucket.get(key) ?? [], usageRows: usageByBucket.get(key) ?? [] }).costPerMillionTokensUsd;
        return { start: b.start, end: b.end, usd };
      }),
    },
    costByGpu: topBy(byGpu, 20),
    top: {
      teams: topBy(byBucketTeam, 10),
      models: topBy(byModel, 10),
      deployments: topBy(byItem.filter((r) => r.kind === "inference"), 10),
      runs: topBy(byItem.filter((r) => r.kind === "training"), 10),
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
