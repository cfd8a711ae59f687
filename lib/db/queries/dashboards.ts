import "server-only";
import type Decimal from "decimal.js";
import type { Viewer } from "@/lib/access/viewer";
import { comparisonRange, projectMonthEnd, relativeChange } from "@/lib/domain/burn-rate";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { calendarMonth, lastDays, monthToDate } from "@/lib/domain/date-ranges";
import { gpuHours } from "@/lib/domain/gpu-time-cost";
import { inferenceCost } from "@/lib/domain/inference-cost";
import { sketchBucketValue } from "@/lib/domain/latency-sketch";
import { roundHalfEven } from "@/lib/domain/largest-remainder";
import { parseUsdMicros, unitCostUsd } from "@/lib/domain/money";
import { trainingRunCost } from "@/lib/domain/training-cost";
import { trafficTotals } from "@/lib/domain/usage-rollup";
import type { TimeRange } from "@/lib/domain/time-range";
import type { RunSortKey, TableParams } from "@/lib/validation/dashboard-filters";
import { db } from "../client";
import { queryLedger, type LedgerRow } from "./cost-ledger";
import { toDeploymentInput, toPricePeriods, toTrainingRunInput } from "./engine-inputs";
import { queryUsage } from "./usage-ledger";

/**
 * View data for the pages: SQL aggregates from cost-ledger and usage-ledger,
 * turned into figures by lib/domain. Pages only format what these return.
 */

type PriceKey = `${number}|${string}|${string}`;

async function catalogPrices(viewer: Viewer) {
  const prices = await db().gpuPrice.findMany({
    where: { gpuType: { orgId: viewer.orgId } },
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
  trainingMicros: bigint;
  inferenceMicros: bigint;
  totalMicros: bigint;
  budgetMicros: bigint;
}

export interface OverviewFigures {
  range: TimeRange;
  totalMicros: bigint;
  trainingMicros: bigint;
  inferenceMicros: bigint;
  gpuHours: number;
  unpricedGpuHours: number;
  inferenceTokens: bigint;
  costPerMillionTokensUsd: Decimal | null;
  teams: TeamSpend[];
}

/** Month-to-date spend of the org, split by team and by training/inference. */
export async function overviewFigures({ viewer, now }: { viewer: Viewer; now: Date }): Promise<OverviewFigures> {
  const range = monthToDate({ now, timeZone: viewer.orgTimeZone });
  const common = { viewer, filters: {}, from: range.start, to: range.end, unit: "day" as const, timeZone: viewer.orgTimeZone, isWholeRange: true };
  const [ledger, usage, teams] = await Promise.all([
    queryLedger({ ...common, groupBy: "team", now }),
    queryUsage({ ...common, groupBy: "none" }),
    db().team.findMany({ where: { orgId: viewer.orgId }, select: { id: true, slug: true, name: true, monthlyBudgetUsd: true }, orderBy: { name: "asc" } }),
  ]);
  const sum = (kind: "training" | "inference", teamId?: number) =>
    ledger
      .filter((r) => r.kind === kind && (teamId === undefined || r.groupKey === String(teamId)))
      .reduce((s, r) => s + r.computeCostMicros + r.extraCostMicros, 0n);
  const trainingMicros = sum("training");
  const inferenceMicros = sum("inference");
  const tokens = usage.rows.reduce((s, r) => s + r.inputTokens + r.outputTokens, 0n);
  return {
    range,
    totalMicros: trainingMicros + inferenceMicros,
    trainingMicros,
    inferenceMicros,
    gpuHours: gpuHours({ gpuCount: 1, durationMs: Number(ledger.reduce((s, r) => s + r.gpuMs, 0n)) }),
    unpricedGpuHours: gpuHours({ gpuCount: 1, durationMs: Number(ledger.reduce((s, r) => s + r.unpricedGpuMs, 0n)) }),
    inferenceTokens: tokens,
    costPerMillionTokensUsd: unitCostUsd({ costMicros: inferenceMicros, quantity: tokens, per: 1_000_000 }),
    teams: teams
      .map((t) => {
        const training = sum("training", t.id);
        const inference = sum("inference", t.id);
        return {
          teamId: t.id,
          slug: t.slug,
          name: t.name,
          trainingMicros: training,
          inferenceMicros: inference,
          totalMicros: training + inference,
          budgetMicros: parseUsdMicros(t.monthlyBudgetUsd.toFixed(6)),
        };
      })
      .sort((a, b) => (b.totalMicros > a.totalMicros ? 1 : b.totalMicros < a.totalMicros ? -1 : a.name.localeCompare(b.name))),
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
        team: { orgId: viewer.orgId, ...(filters.teamSlug ? { slug: filters.teamSlug } : {}) },
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
  cost: (r) => r.totalCostMicros,
  perToken: (r) => (r.costPerMillionTokensUsd === null ? null : r.costPerMillionTokensUsd.toNumber()),
  mfu: (r) => r.mfu,
};

export const RUNS_PAGE_SIZE = 50;

/**
 * One page of the runs table, sorted on the server. Cost figures come from the
 * engine per run, so sorting by them happens after computing them; runs with
 * no value for the sort key ("—") go last in either direction.
 */
export async function trainingRunsPage({ viewer, now, filters, table }: { viewer: Viewer; now: Date; filters: RunListFilters; table: TableParams }) {
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
  return { rows: sorted.slice((page - 1) * RUNS_PAGE_SIZE, page * RUNS_PAGE_SIZE), total: sorted.length, page, pageCount };
}

const DEPLOYMENT_WINDOW_DAYS = 30;

/** Deployments with cost, traffic and latency over a range (by default the last 30 local days). */
export async function deploymentsWithMetrics({
  viewer,
  now,
  range = lastDays({ now, days: DEPLOYMENT_WINDOW_DAYS, timeZone: viewer.orgTimeZone }),
  filters = {},
}: {
  viewer: Viewer;
  now: Date;
  range?: TimeRange;
  filters?: RunListFilters;
}) {
  const [deployments, usage, pricesFor] = await Promise.all([
    db().inferenceDeployment.findMany({
      where: {
        team: { orgId: viewer.orgId, ...(filters.teamSlug ? { slug: filters.teamSlug } : {}) },
        ...(filters.model ? { model: filters.model } : {}),
        ...(filters.gpuTypeId ? { gpuTypeId: filters.gpuTypeId } : {}),
        activeFrom: { lt: range.end },
        OR: [{ activeTo: null }, { activeTo: { gt: range.start } }],
      },
      include: { team: { select: { slug: true, name: true } }, gpuType: { select: { name: true } } },
      orderBy: [{ name: "asc" }],
    }),
    queryUsage({ viewer, filters: {}, from: range.start, to: range.end, unit: "day", timeZone: viewer.orgTimeZone, groupBy: "item", isWholeRange: true }),
    catalogPrices(viewer),
  ]);
  const usageById = new Map(usage.rows.map((r) => [r.groupKey, r]));
  return {
    range,
    rows: deployments.map((d) => {
      const u = usageById.get(`inference:${d.id}`);
      const cost = inferenceCost({
        deployment: toDeploymentInput(d, pricesFor(d.gpuTypeId, d.provider, d.pricingModel)),
        range,
        traffic: u
          ? trafficTotals(u)
          : { requests: 0n, errors: 0n, inputTokens: 0n, cachedInputTokens: 0n, outputTokens: 0n, trafficMs: 0, idleMsDuringTraffic: 0 },
        now,
      });
      const p99Ms = u?.p99Key == null ? null : sketchBucketValue(u.p99Key);
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
        costMicros: cost.computeCostMicros,
        costPerDayMicros: roundHalfEven({ numerator: cost.computeCostMicros * 86_400_000n, denominator: BigInt(Math.max(1, range.end.getTime() - range.start.getTime())) }),
        idleShare: cost.idleShare,
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

/** Cost per team per calendar month (org time zone), the last `months` months. */
export async function monthlyCostByTeam({ viewer, now, months = 6 }: { viewer: Viewer; now: Date; months?: number }) {
  const first = calendarMonth({ now, timeZone: viewer.orgTimeZone, offset: months - 1 });
  const last = calendarMonth({ now, timeZone: viewer.orgTimeZone, offset: 0 });
  const rows = await queryLedger({
    viewer,
    filters: {},
    from: first.start,
    to: last.end,
    unit: "month",
    timeZone: viewer.orgTimeZone,
    groupBy: "team",
    now,
  });
  return { range: { start: first.start, end: last.end }, rows };
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
  costMicros: bigint;
}

function topBy(rows: LedgerRow[], n: number): TopItem[] {
  const totals = new Map<string, TopItem>();
  for (const r of rows) {
    const item = totals.get(r.groupKey) ?? { key: r.groupKey, label: r.groupLabel, costMicros: 0n };
    item.costMicros += r.computeCostMicros + r.extraCostMicros;
    totals.set(r.groupKey, item);
  }
  return [...totals.values()].sort((a, b) => (b.costMicros > a.costMicros ? 1 : b.costMicros < a.costMicros ? -1 : a.label.localeCompare(b.label))).slice(0, n);
}

const costOf = (rows: LedgerRow[], kind?: LedgerRow["kind"]) =>
  rows.filter((r) => kind === undefined || r.kind === kind).reduce((s, r) => s + r.computeCostMicros + r.extraCostMicros, 0n);

/**
 * Everything the overview and team dashboards show for a range: KPIs with
 * the comparison period and month-end projection, chart series, top-N tables
 * and budgets. Every figure comes from the ledger/usage queries and the engine.
 */
export async function dashboardData({
  viewer,
  scope,
  range,
  unit,
  timeZone,
  isMonthToDate,
  now,
}: {
  viewer: Viewer;
  scope: DashboardScope;
  range: TimeRange;
  unit: BucketUnit;
  timeZone: string;
  isMonthToDate: boolean;
  now: Date;
}) {
  const filters = {
    ...(scope.teamId ? { teamIds: [scope.teamId] } : {}),
    ...(scope.model ? { models: [scope.model] } : {}),
    ...(scope.gpuTypeId ? { gpuTypeIds: [scope.gpuTypeId] } : {}),
  };
  const base = { viewer, filters, from: range.start, to: range.end, timeZone, now };
  const whole = { ...base, unit: "day" as const, isWholeRange: true };
  const previousMonth = calendarMonth({ now: range.start, timeZone, offset: 1 });
  const compare = comparisonRange({ range, isMonthToDate, previousMonth });
  const thisMonth = calendarMonth({ now, timeZone, offset: 0 });
  const [byBucketTeam, byGpu, byModel, byItem, byKindBucket, previous, usageTotal, usageSeries, usageByItem, deployments, teams, monthToDateByTeam] = await Promise.all([
    queryLedger({ ...base, unit, groupBy: "team" }),
    queryLedger({ ...whole, groupBy: "gpuType" }),
    queryLedger({ ...whole, groupBy: "model" }),
    queryLedger({ ...whole, groupBy: "item" }),
    queryLedger({ ...base, unit, groupBy: "kind" }),
    queryLedger({ ...base, from: compare.start, to: compare.end, unit: "day", groupBy: "none", isWholeRange: true }),
    queryUsage({ ...whole, groupBy: "none" }),
    queryUsage({ ...base, unit, groupBy: "none" }),
    queryUsage({ ...whole, groupBy: "item" }),
    db().inferenceDeployment.findMany({ where: { team: { orgId: viewer.orgId }, ...(scope.teamId ? { teamId: scope.teamId } : {}) }, select: { id: true, name: true, p99SloMs: true } }),
    db().team.findMany({ where: { orgId: viewer.orgId, ...(scope.teamId ? { id: scope.teamId } : {}) }, select: { id: true, slug: true, name: true, monthlyBudgetUsd: true }, orderBy: { name: "asc" } }),
    queryLedger({ viewer, filters: scope.teamId ? { teamIds: [scope.teamId] } : {}, from: thisMonth.start, to: thisMonth.end, unit: "day", timeZone, now, groupBy: "team", isWholeRange: true }),
  ]);
  const total = costOf(byItem);
  const inference = costOf(byItem, "inference");
  const gpuMs = byItem.reduce((s, r) => s + r.gpuMs, 0n);
  const usage = usageTotal.rows[0];
  const tokens = usage ? usage.inputTokens + usage.outputTokens : 0n;
  const rangeSeconds = (range.end.getTime() - Math.min(range.start.getTime(), now.getTime())) / 1000;
  const elapsedSeconds = (Math.min(range.end.getTime(), now.getTime()) - range.start.getTime()) / 1000;
  const sloById = new Map(deployments.map((d) => [`inference:${d.id}`, d]));
  const breaches = usageByItem.rows
    .map((r) => ({ deployment: sloById.get(r.groupKey), p99Ms: r.p99Key === null ? null : sketchBucketValue(r.p99Key) }))
    .filter((x) => x.deployment?.p99SloMs != null && x.p99Ms !== null && x.p99Ms > x.deployment.p99SloMs)
    .map((x) => ({ id: x.deployment!.id, name: x.deployment!.name, p99Ms: x.p99Ms!, sloMs: x.deployment!.p99SloMs! }));
  const tokensByBucket = new Map(usageSeries.rows.map((r) => [r.bucketStart.getTime(), r.inputTokens + r.outputTokens]));
  const buckets = bucketsBetween({ from: range.start, to: range.end, unit, timeZone });
  return {
    range,
    unit,
    timeZone,
    kpis: {
      totalMicros: total,
      trainingMicros: costOf(byItem, "training"),
      inferenceMicros: inference,
      previousMicros: costOf(previous),
      comparison: compare,
      change: relativeChange({ current: total, previous: costOf(previous) }),
      projectedMonthEndMicros: isMonthToDate ? projectMonthEnd({ spentMicros: total, month: thisMonth, now }) : null,
      gpuHours: gpuHours({ gpuCount: 1, durationMs: Number(gpuMs) }),
      costPerMillionTokensUsd: unitCostUsd({ costMicros: inference, quantity: tokens, per: 1_000_000 }),
      qps: usage && elapsedSeconds > 0 ? Number(usage.requests) / elapsedSeconds : null,
      sloBreaches: breaches,
      rangeSeconds,
    },
    series: {
      costByTeam: byBucketTeam,
      costPerMillionTokens: buckets.map((b) => {
        const cost = byKindBucket.filter((r) => r.kind === "inference" && r.bucketStart.getTime() === b.start.getTime()).reduce((s, r) => s + r.computeCostMicros, 0n);
        return { start: b.start, end: b.end, usd: unitCostUsd({ costMicros: cost, quantity: tokensByBucket.get(b.start.getTime()) ?? 0n, per: 1_000_000 }) };
      }),
    },
    costByGpu: topBy(byGpu, 20),
    top: {
      teams: topBy(byBucketTeam, 10),
      models: topBy(byModel, 10),
      deployments: topBy(byItem.filter((r) => r.kind === "inference"), 10),
      runs: topBy(byItem.filter((r) => r.kind === "training"), 10),
    },
    budgets: teams.map((t) => {
      const spent = costOf(monthToDateByTeam.filter((r) => r.groupKey === String(t.id)));
      return {
        teamId: t.id,
        slug: t.slug,
        name: t.name,
        spentMicros: spent,
        projectedMicros: projectMonthEnd({ spentMicros: spent, month: thisMonth, now }),
        budgetMicros: parseUsdMicros(t.monthlyBudgetUsd.toFixed(6)),
      };
    }),
  };
}

export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;

/** Training spend for the runs page charts: cost by model and GPU type, GPU-hours by bucket. */
export async function trainingCharts({ viewer, scope, range, unit, timeZone, now }: { viewer: Viewer; scope: DashboardScope; range: TimeRange; unit: BucketUnit; timeZone: string; now: Date }) {
  const filters = {
    kind: "training" as const,
    ...(scope.teamId ? { teamIds: [scope.teamId] } : {}),
    ...(scope.model ? { models: [scope.model] } : {}),
    ...(scope.gpuTypeId ? { gpuTypeIds: [scope.gpuTypeId] } : {}),
  };
  const base = { viewer, filters, from: range.start, to: range.end, timeZone, now };
  const [byModel, byGpu, hours] = await Promise.all([
    queryLedger({ ...base, unit: "day", groupBy: "model", isWholeRange: true }),
    queryLedger({ ...base, unit: "day", groupBy: "gpuType", isWholeRange: true }),
    queryLedger({ ...base, unit, groupBy: "none" }),
  ]);
  return { byModel: topBy(byModel, 8), byGpu: topBy(byGpu, 8), gpuHoursByBucket: hours };
}
