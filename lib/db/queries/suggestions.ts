import "server-only";
import { teamRecordWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import type { BucketUnit } from "@/lib/domain/calendar";
import { lastDays } from "@/lib/domain/date-ranges";
import { parseUsdMicros } from "@/lib/domain/money";
import { suggestionsFor } from "@/lib/domain/suggestions";
import type { CatalogPrice, DeploymentFacts, GpuTypeFacts, RunFacts, Suggestion } from "@/lib/domain/suggestions/types";
import { trainingRunCost } from "@/lib/domain/training-cost";
import { durationMs, type TimeRange } from "@/lib/domain/time-range";
import { unitForRange } from "@/lib/validation/dashboard-filters";
import { db } from "../client";
import { prismaRunner, Prisma } from "../sql";
import { listGpuCatalog } from "./catalog";
import { queryLedger } from "./cost-ledger";
import { deploymentFigures } from "./details";
import { toDeploymentInput, toPricePeriods, toTrainingRunInput } from "./engine-inputs";
import { has, scopeSql, type LedgerFilters } from "./filters-sql";
import { queryUsage, type UsageRow } from "./usage-ledger";

/**
 * The suggestions read model: the facts the rules in lib/domain/suggestions
 * read (RunFacts, DeploymentFacts), filled from the same read models the
 * pages use, so every amount in a suggestion's evidence is the cents a page
 * shows for the same item and period:
 * - runs: the cost ledger's line items for the period (computeCostCents,
 *   extraCostCents, GPU-ms), lifetime MFU from the engine (trainingRunCost,
 *   as the run page);
 * - deployments: the cost split serving : idle : untracked of details.ts
 *   deploymentFigures (the deployment page's), over the usage ledger's rows
 *   per bucket of the period in the view's zone; traffic and whole-period
 *   percentiles from the usage ledger's whole-range row; the longest
 *   stretch without usage records from the raw windows;
 * - catalog: every GPU type of the org with the prices in effect at the
 *   period's last instant.
 * Every read is limited to the teams the viewer may see (lib/access/policy.ts),
 * so the org scope's facts are those teams' items only.
 * Bounded round trips whatever the number of items, all in parallel: one
 * query each for the ledger, runs, deployments, the catalog and the gaps,
 * and two usage-ledger reads, each over all of the scope's items.
 */

export type SuggestionScope = { kind: "org" } | { kind: "team"; teamId: number } | { kind: "run"; id: number } | { kind: "deployment"; id: number };

/** Days of the window listSuggestions reads. */
export const SUGGESTION_WINDOW_DAYS = 30;

const HOUR_MS = 3_600_000;

function scopeFilters(scope: SuggestionScope): LedgerFilters {
  switch (scope.kind) {
    case "org":
      return {};
    case "team":
      return { teamIds: [scope.teamId] };
    case "run":
      return { runIds: [scope.id], kind: "training" };
    case "deployment":
      return { deploymentIds: [scope.id], kind: "inference" };
  }
}

/** Prisma `where` for the scope's runs or deployments among the teams the viewer may see. */
function scopeWhere(viewer: Viewer, scope: SuggestionScope, kind: "run" | "deployment") {
  return {
    ...teamRecordWhere(viewer),
    ...(scope.kind === "team" ? { teamId: scope.teamId } : {}),
    ...(scope.kind === kind ? { id: scope.id } : {}),
  };
}

function micros(value: Prisma.Decimal): bigint {
  return parseUsdMicros(value.toFixed(6));
}

type Catalog = Awaited<ReturnType<typeof listGpuCatalog>>;

/** Every GPU type with its prices in effect at `at` (the period's last instant). */
function catalogFacts(catalog: Catalog, at: Date): Map<number, GpuTypeFacts> {
  const atMs = at.getTime();
  return new Map(
    catalog.map((g) => [
      g.id,
      {
        id: g.id,
        name: g.name,
        memoryGb: g.memoryGb,
        peakBf16Tflops: Number(g.peakBf16Tflops),
        memoryBandwidthGbps: Number(g.memoryBandwidthGbps),
        prices: g.prices
          .filter((p) => p.effectiveFrom.getTime() <= atMs && (p.effectiveTo === null || atMs < p.effectiveTo.getTime()))
          .map((p): CatalogPrice => ({ provider: p.provider, pricingModel: p.pricingModel, pricePerGpuHourMicros: micros(p.pricePerGpuHour) })),
      },
    ]),
  );
}

/** Every price period of one (GPU type, provider, pricing model), oldest first (the engine's input). */
function pricePeriods(catalog: Catalog, item: { gpuTypeId: number; provider: string; pricingModel: string }) {
  const prices = catalog.find((g) => g.id === item.gpuTypeId)?.prices ?? [];
  return toPricePeriods(
    prices.filter((p) => p.provider === item.provider && p.pricingModel === item.pricingModel).sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime()),
  );
}

/**
 * The longest stretch of each deployment's active time in [start, end)
 * without any usage record, edges included (the whole active time when it
 * has none), from the raw windows in one query. Windows of one deployment
 * never overlap (every write refuses overlaps), so the previous window's end
 * is where a gap starts, and the only window starting before `start` that
 * can reach into it is the last one (one index probe, not a look-back scan).
 */
async function largestGaps({ viewer, filters, start, end, now }: { viewer: Viewer; filters: LedgerFilters; start: Date; end: Date; now: Date }): Promise<Map<number, number>> {
  const windowEnd = Prisma.sql`least(u."windowStart" + u."windowSeconds" * interval '1 second', a.e)`;
  // Per deployment (lateral), so the primary key's order feeds the window function without a sort.
  const rows = await prismaRunner(db()).query<{ id: number; gapMs: string }>(Prisma.sql`
    with a as (
      select d.id, greatest(d."activeFrom", ${start}::timestamptz) as s, least(coalesce(d."activeTo", ${now}::timestamptz), ${end}::timestamptz) as e
      from inference_deployments d
      where ${scopeSql(viewer, filters, "d")} ${has(filters.deploymentIds) ? Prisma.sql`and d.id = any(${filters.deploymentIds}::int[])` : Prisma.empty}
        and d."activeFrom" < ${end} and coalesce(d."activeTo", ${now}) > ${start}
    )
    select a.id, greatest(0, round(extract(epoch from g.gap) * 1000))::bigint::text as "gapMs"
    from a cross join lateral (
      select greatest(max(x.gap), a.e - coalesce(max(x.e), a.s)) as gap
      from (
        select greatest(u."windowStart", a.s) - coalesce(lag(${windowEnd}) over (order by u."windowStart"), a.s) as gap, ${windowEnd} as e
        from (
          (select w."windowStart", w."windowSeconds" from inference_usage_windows w
            where w."deploymentId" = a.id and w."windowStart" < a.s order by w."windowStart" desc limit 1)
          union all
          (select w."windowStart", w."windowSeconds" from inference_usage_windows w
            where w."deploymentId" = a.id and w."windowStart" >= a.s and w."windowStart" < a.e)
        ) u
        where u."windowStart" + u."windowSeconds" * interval '1 second' > a.s
      ) x
    ) g
    where a.e > a.s`);
  return new Map(rows.map((r) => [r.id, Number(r.gapMs)]));
}

function byItem<T extends { groupKey: string }>(rows: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows) {
    const list = map.get(r.groupKey);
    if (list) list.push(r);
    else map.set(r.groupKey, [r]);
  }
  return map;
}

/**
 * Facts for the scope over `period` (end clipped to now). `period` should
 * be whole local days in `timeZone` (as every page's range is): the
 * deployment cost split is computed per hour (periods up to 2 days) or day,
 * as the deployment page computes it. `timeZone` defaults to the org's.
 */
export async function loadSuggestionFacts({
  viewer,
  scope,
  period,
  now,
  timeZone = viewer.orgTimeZone,
  part,
}: {
  viewer: Viewer;
  scope: SuggestionScope;
  period: TimeRange;
  now: Date;
  timeZone?: string;
  /**
   * Only the runs' facts (records and prices: the ledger, never usage) or
   * only the deployments' (their records, prices and usage), for the read
   * cache to keep the runs' across usage ingest. Both when left out.
   */
  part?: "runs" | "deployments";
}): Promise<{ runs: RunFacts[]; deployments: DeploymentFacts[] }> {
  const clipped: TimeRange = { start: period.start, end: new Date(Math.min(period.end.getTime(), now.getTime())) };
  if (clipped.end.getTime() <= clipped.start.getTime()) return { runs: [], deployments: [] };
  const wantRuns = scope.kind !== "deployment" && part !== "deployments";
  const wantDeployments = scope.kind !== "run" && part !== "runs";
  const filters = scopeFilters(scope);
  // The deployment page's buckets up to 95 days (hours, then days); days beyond, where the page switches to
  // weeks: days nest in any whole-day period, while an ISO week could start before it.
  const unit: BucketUnit = unitForRange(period) === "hour" ? "hour" : "day";
  const usageQuery = { viewer, filters, from: period.start, to: period.end, unit, timeZone, groupBy: "item" as const };
  const [catalog, ledger, runs, deployments, usageSeries, usageTotal, gaps] = await Promise.all([
    listGpuCatalog({ viewer }),
    // The runs' cents (deployments' come from deploymentFigures).
    wantRuns ? queryLedger({ viewer, filters: { ...filters, kind: "training" }, from: clipped.start, to: clipped.end, unit, timeZone, groupBy: "item", now, isWholeRange: true }) : Promise.resolve([]),
    wantRuns
      ? db().trainingRun.findMany({
          where: {
            ...scopeWhere(viewer, scope, "run"),
            startedAt: { lt: clipped.end },
            OR: [{ endedAt: null }, { endedAt: { gte: clipped.start } }],
            // Implied (a rolled run's watermark is greatest(end, start)); lets the watermark's index find them.
            AND: [{ OR: [{ costRolledTo: null }, { costRolledTo: { gte: clipped.start } }] }],
          },
          include: { gpuType: true },
          orderBy: { id: "asc" },
        })
      : Promise.resolve([]),
    wantDeployments
      ? db().inferenceDeployment.findMany({
          where: { ...scopeWhere(viewer, scope, "deployment"), activeFrom: { lt: clipped.end }, OR: [{ activeTo: null }, { activeTo: { gt: clipped.start } }] },
          orderBy: { id: "asc" },
        })
      : Promise.resolve([]),
    wantDeployments ? queryUsage(usageQuery) : Promise.resolve({ rows: [] as UsageRow[] }),
    wantDeployments ? queryUsage({ ...usageQuery, isWholeRange: true }) : Promise.resolve({ rows: [] as UsageRow[] }),
    wantDeployments ? largestGaps({ viewer, filters, start: clipped.start, end: clipped.end, now }) : Promise.resolve(new Map<number, number>()),
  ]);
  // Prices "in effect at the end of the period": at its last instant.
  const gpuTypes = catalogFacts(catalog, new Date(clipped.end.getTime() - 1));
  const ledgerByItem = byItem(ledger);
  const seriesByItem = byItem(usageSeries.rows);
  const totalByItem = byItem(usageTotal.rows);

  const runFacts: RunFacts[] = [];
  for (const run of runs) {
    const row = ledgerByItem.get(`training:${run.id}`)?.[0];
    if (!row || (row.activeMs <= 0n && row.computeCostCents === 0n && row.extraCostCents === 0n)) continue;
    const gpuType = gpuTypes.get(run.gpuTypeId)!;
    // Lifetime MFU exactly as the run page computes it.
    const lifetime = trainingRunCost({ run: toTrainingRunInput(run, pricePeriods(catalog, run)), now });
    runFacts.push({
      id: run.id,
      name: run.name,
      teamId: run.teamId,
      model: run.model,
      parameterCount: run.parameterCount,
      method: run.method,
      precision: run.precision,
      gradientCheckpointing: run.gradientCheckpointing,
      flashAttention: run.flashAttention,
      zeroStage: run.zeroStage,
      gradientAccumulationSteps: run.gradientAccumulationSteps,
      gpuCount: run.gpuCount,
      provider: run.provider,
      pricingModel: run.pricingModel,
      status: run.status,
      gpuType,
      period: clipped,
      computeCents: row.computeCostCents,
      extraCents: row.extraCostCents,
      gpuHours: Number(row.gpuMs) / HOUR_MS,
      mfu: lifetime.mfu,
      avgGpuUtilizationPct: run.avgGpuUtilizationPct === null ? null : Number(run.avgGpuUtilizationPct),
      tokensProcessed: run.tokensProcessed,
    });
  }

  const deploymentFacts: DeploymentFacts[] = [];
  for (const d of deployments) {
    const key = `inference:${d.id}`;
    const totalRow = totalByItem.get(key)?.[0];
    const figures = deploymentFigures({
      pricing: toDeploymentInput(d, pricePeriods(catalog, d)),
      activeFrom: d.activeFrom,
      range: period,
      unit,
      timeZone,
      rows: seriesByItem.get(key) ?? [],
      totalRow,
      now,
    });
    const { summary, cents, latency } = figures;
    const activeMs = summary.activeInterval === null ? 0 : durationMs(summary.activeInterval);
    if (activeMs <= 0) continue;
    const gpuType = gpuTypes.get(d.gpuTypeId)!;
    const catalogPrice = gpuType.prices.find((p) => p.provider === d.provider && p.pricingModel === d.pricingModel);
    const trafficMs = totalRow ? Math.min(summary.recordedMs, Number(totalRow.windowMs - totalRow.idleMs)) : 0;
    deploymentFacts.push({
      id: d.id,
      name: d.name,
      teamId: d.teamId,
      model: d.model,
      parameterCount: d.parameterCount,
      servingEngine: d.servingEngine,
      quantization: d.quantization,
      batching: d.batching,
      maxBatchSize: d.maxBatchSize,
      gpuCount: d.gpuCount,
      provider: d.provider,
      pricingModel: d.pricingModel,
      pricePerGpuHourMicros: d.pricePerGpuHourOverride !== null ? micros(d.pricePerGpuHourOverride) : (catalogPrice?.pricePerGpuHourMicros ?? null),
      hasPriceOverride: d.pricePerGpuHourOverride !== null,
      p99SloMs: d.p99SloMs,
      activeFrom: d.activeFrom,
      activeTo: d.activeTo,
      isActive: d.activeTo === null || d.activeTo.getTime() > clipped.end.getTime(),
      period: clipped,
      cost: { servingCents: cents.total - cents.idle - cents.untracked, idleCents: cents.idle, untrackedCents: cents.untracked },
      activeMs,
      recordedMs: summary.recordedMs,
      trafficMs,
      idleMs: summary.idleMs,
      largestGapMs: gaps.get(d.id) ?? activeMs,
      utilization: figures.utilizationPct === null ? null : figures.utilizationPct / 100,
      requests: totalRow?.requests ?? 0n,
      inputTokens: totalRow?.inputTokens ?? 0n,
      cachedInputTokens: totalRow?.cachedInputTokens ?? 0n,
      outputTokens: totalRow?.outputTokens ?? 0n,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      gpuType,
      alternativeGpuTypes: [...gpuTypes.values()].filter((g) => g.id !== d.gpuTypeId),
    });
  }
  return { runs: runFacts, deployments: deploymentFacts };
}

/**
 * The window suggestions are computed over: the dashboards' "Last 30 days"
 * (30 whole local days in `timeZone`, today included) with its end clipped to
 * now. Chosen over a sliding [now − 30 days, now) so that the evidence's
 * cents are the cents the overview, team and item pages show at range=30d
 * for the same item, and the usage rollups answer on their day grid.
 */
export function suggestionPeriod({ now, timeZone }: { now: Date; timeZone: string }): TimeRange {
  const days = lastDays({ now, days: SUGGESTION_WINDOW_DAYS, timeZone });
  return { start: days.start, end: now.getTime() < days.end.getTime() ? now : days.end };
}

/** The trailing 30 days ending `now` (suggestionPeriod), facts → suggestionsFor(). */
export async function listSuggestions({
  viewer,
  scope,
  now,
  timeZone = viewer.orgTimeZone,
}: {
  viewer: Viewer;
  scope: SuggestionScope;
  now: Date;
  timeZone?: string;
}): Promise<{ period: TimeRange; suggestions: Suggestion[] }> {
  const period = suggestionPeriod({ now, timeZone });
  const facts = await loadSuggestionFacts({ viewer, scope, period, now, timeZone });
  return { period, suggestions: suggestionsFor(facts) };
}
