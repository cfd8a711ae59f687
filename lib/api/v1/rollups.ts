import "server-only";
import type { z } from "zod";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { ledgerStatement, queryLedger, rowCents, type LedgerQuery, type LedgerRow } from "@/lib/db/queries/cost-ledger";
import type { LedgerFilters, LedgerGroup } from "@/lib/db/queries/filters-sql";
import { chooseUsageSource, queryUsage, usageSql, type UsageQuery, type UsageRow } from "@/lib/db/queries/usage-ledger";
import { resolveView } from "@/lib/db/queries/view";
import { Prisma, prismaRunner } from "@/lib/db/sql";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { roundHalfEven } from "@/lib/domain/largest-remainder";
import { sketchBucketValue } from "@/lib/domain/latency-sketch";
import { approximationNote } from "@/lib/domain/percentiles";
import { gpuHoursText } from "@/lib/reports/line-csv";
import { v1Error, v1Json } from "./responses";
import { MAX_ROLLUP_BUCKETS, type RollupGroup, type rollupsQuerySchema } from "./reads-schema";

/**
 * GET /api/v1/rollups: the dashboards' figures per time bucket and group,
 * from the dashboards' own read paths — the filters and zone resolved by
 * resolveView (as every page), cost from the cost ledger (queryLedger: cents
 * as displayed, micro-dollars, GPU-ms), traffic and latency from the usage
 * ledger (queryUsage: rollups, merged sketches), and $/1M tokens as the
 * overview computes it (each deployment's cost for the share of its active
 * time with records; dashboards.ts recordedRates / recordedCostByBucket).
 * Every read scopes itself by the viewer (an API key: its one team).
 */

type RollupsQuery = z.output<typeof rollupsQuerySchema>;

const LEDGER_GROUP: Record<RollupGroup, Exclude<LedgerGroup, "kind">> = { none: "none", team: "team", model: "model", gpu: "gpuType", item: "item" };

/** The shortest bucket of each unit, to refuse an oversized request before listing its buckets. */
const MIN_UNIT_MS: Record<BucketUnit, number> = { hour: 3_600_000, day: 23 * 3_600_000, week: 7 * 86_400_000 - 3_600_000, month: 28 * 86_400_000 - 3_600_000 };

export async function rollupsResponse({ viewer, query, request }: { viewer: Viewer; query: RollupsQuery; request: Request }): Promise<Response> {
  const now = new Date();
  // Cross-parameter rules (each value is already valid): refused here by name instead of shown as a notice.
  if (query.to !== undefined && query.from === undefined) return v1Error(400, "bad-request", "to needs from: a custom range needs a from date (YYYY-MM-DD).", { field: "from" });
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) return v1Error(400, "bad-request", `to ${query.to} is before from ${query.from}.`, { field: "to" });
  if (query.range === "custom" && query.from === undefined) return v1Error(400, "bad-request", "range custom needs from (and optionally to) dates.", { field: "range" });
  if (query.range !== undefined && query.range !== "custom" && query.from !== undefined) {
    return v1Error(400, "bad-request", `range ${query.range} and from/to contradict each other: leave range out (or use range=custom) with from/to.`, { field: "range" });
  }
  if (query.tz === "team" && query.team === undefined) return v1Error(400, "bad-request", "tz team needs a team: add team=<slug>, or use tz=org or tz=utc.", { field: "tz" });

  const url = new URL(request.url);
  const searchParams = Object.fromEntries(
    ["range", "from", "to", "team", "model", "gpu", "tz"].flatMap((name) => {
      const value = url.searchParams.get(name);
      return value === null || value === "" ? [] : [[name, value]];
    }),
  );
  const view = await resolveView({ viewer, searchParams, defaultRange: "mtd", now });
  for (const notice of view.notices) {
    // Only lookups can still fail: a team the viewer can't see, a model or GPU type without records.
    if (notice.param === "team") return v1Error(404, "not-found", `No team "${query.team}" in this organization.`, { field: "team" });
    if (notice.param === "model") return v1Error(400, "bad-request", `model "${query.model}": no training run or deployment of this model that you may see.`, { field: "model" });
    if (notice.param === "gpu") return v1Error(400, "bad-request", `gpu ${query.gpu}: no such GPU type in the price catalog.`, { field: "gpu" });
    return v1Error(400, "bad-request", notice.message, { field: notice.param });
  }
  const { range, zone } = view;
  const unit = query.unit ?? view.unit;
  const span = range.end.getTime() - range.start.getTime();
  const buckets = span / MIN_UNIT_MS[unit] > MAX_ROLLUP_BUCKETS + 2 ? Infinity : bucketsBetween({ from: range.start, to: range.end, unit, timeZone: zone.timeZone }).length;
  if (buckets > MAX_ROLLUP_BUCKETS) {
    return v1Error(400, "bad-request", `unit ${unit} makes more than ${MAX_ROLLUP_BUCKETS.toLocaleString("en-US")} buckets over this range: pick a larger unit or a shorter range.`, { field: "unit" });
  }

  const filters: LedgerFilters = {
    ...(view.scope.teamId ? { teamIds: [view.scope.teamId] } : {}),
    ...(view.scope.model ? { models: [view.scope.model] } : {}),
    ...(view.scope.gpuTypeId ? { gpuTypeIds: [view.scope.gpuTypeId] } : {}),
  };
  const groupBy = LEDGER_GROUP[query.groupBy];
  const base = { viewer, filters, from: range.start, to: range.end, timeZone: zone.timeZone };
  const [ledger, usage, usageTotal, recorded, recordedTotal] = await Promise.all([
    queryLedger({ ...base, unit, groupBy, now }),
    queryUsage({ ...base, unit, groupBy }),
    queryUsage({ ...base, unit, groupBy: "none", isWholeRange: true }),
    recordedCost({ ledger: { ...base, filters: { ...filters, kind: "inference" }, unit, groupBy: "item", now }, usage: { ...base, unit, groupBy: "item" } }, query.groupBy),
    recordedCost({ ledger: { ...base, filters: { ...filters, kind: "inference" }, unit, groupBy: "item", now, isWholeRange: true }, usage: { ...base, unit, groupBy: "item", isWholeRange: true } }, "none"),
  ]);

  const rows = new Map<string, Row>();
  const rowFor = (bucketStart: Date, bucketEnd: Date, key: string, label: string) => {
    const id = `${bucketStart.getTime()}|${key}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { bucketStart, bucketEnd, key, label, ledger: [], usage: null }));
    return row;
  };
  for (const r of ledger) rowFor(r.bucketStart, r.bucketEnd, r.groupKey, r.groupLabel).ledger.push(r);
  for (const u of usage.rows) rowFor(u.bucketStart, u.bucketEnd, u.groupKey, u.groupLabel).usage = u;
  const sorted = [...rows.values()].sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const out = sorted.map((row) => ({
    bucketStart: row.bucketStart,
    bucketEnd: row.bucketEnd,
    group: query.groupBy === "none" ? null : { key: row.key, label: row.label },
    cost: cost(row.ledger),
    gpuMs: sum(row.ledger, (r) => r.gpuMs),
    gpuHours: gpuHoursText(sum(row.ledger, (r) => r.gpuMs)),
    usage: row.usage && usageJson(row.usage, recorded.get(`${row.bucketStart.getTime()}|${row.key}`)),
  }));
  const totalGpuMs = sum(ledger, (r) => r.gpuMs);
  const totalUsage = usageTotal.rows[0];
  return v1Json({
    zone,
    range,
    unit,
    groupBy: query.groupBy,
    filters: { team: view.team?.slug ?? null, model: view.filters.model ?? null, gpu: view.filters.gpu ?? null },
    totals: {
      // The cents rule: the total is the sum of the parts shown.
      cost: cost(ledger),
      gpuMs: totalGpuMs,
      gpuHours: gpuHoursText(totalGpuMs),
      usage: totalUsage ? usageJson(totalUsage, recordedTotal.get(`${range.start.getTime()}|all`)) : null,
    },
    rows: out,
  });
}

interface Row {
  bucketStart: Date;
  bucketEnd: Date;
  key: string;
  label: string;
  ledger: LedgerRow[];
  usage: UsageRow | null;
}

function sum<T>(rows: readonly T[], pick: (row: T) => bigint): bigint {
  return rows.reduce((s, r) => s + pick(r), 0n);
}

function cost(rows: readonly LedgerRow[]) {
  const trainingCents = sum(rows, (r) => (r.kind === "training" ? rowCents(r) : 0n));
  const inferenceCents = sum(rows, (r) => (r.kind === "inference" ? rowCents(r) : 0n));
  const computeMicros = sum(rows, (r) => r.computeCostMicros);
  const extraMicros = sum(rows, (r) => r.extraCostMicros);
  return { totalCents: trainingCents + inferenceCents, trainingCents, inferenceCents, totalMicros: computeMicros + extraMicros, computeMicros, extraMicros };
}

function usageJson(u: UsageRow, recorded: { costMicros: bigint; tokens: bigint } | undefined) {
  const ms = (key: number | null) => (key === null ? null : sketchBucketValue(key));
  return {
    requests: u.requests,
    errors: u.errors,
    inputTokens: u.inputTokens,
    cachedInputTokens: u.cachedInputTokens,
    outputTokens: u.outputTokens,
    recordedMs: u.windowMs,
    costPerMillionTokensMicros: recorded && recorded.tokens > 0n ? roundHalfEven({ numerator: recorded.costMicros * 1_000_000n, denominator: recorded.tokens }) : null,
    latency: {
      p50Ms: ms(u.p50Key),
      p95Ms: ms(u.p95Key),
      p99Ms: ms(u.p99Key),
      approximateRequests: u.approxRequests,
      note: approximationNote({ approximateRequests: u.approxRequests, requestCount: u.requests - u.errors }),
    },
  };
}

/** The deployment's group key for a grouping (the deployment row joined by the usage ledger's item key). */
const DEPLOYMENT_GROUP: Record<RollupGroup, Prisma.Sql> = {
  none: Prisma.sql`'all'`,
  team: Prisma.sql`d."teamId"::text`,
  model: Prisma.sql`d.model`,
  gpu: Prisma.sql`d."gpuTypeId"::text`,
  item: Prisma.sql`u."groupKey"`,
};

/**
 * Recorded cost and tokens per bucket and group: dashboards.ts
 * recordedCostByBucket's arithmetic (each deployment's compute micro-dollars
 * × min(recorded, active) ÷ active, truncated, over deployments with
 * records), summed per group instead of per bucket only. The deployments are
 * those the two scoped ledgers returned; the join only names their group.
 */
async function recordedCost({ ledger, usage }: { ledger: LedgerQuery; usage: UsageQuery }, group: RollupGroup): Promise<Map<string, { costMicros: bigint; tokens: bigint }>> {
  if (usage.to.getTime() <= usage.from.getTime()) return new Map();
  const run = prismaRunner(db());
  const [costSql, source] = await Promise.all([ledgerStatement(ledger, run), chooseUsageSource(usage, run)]);
  const rows = await run.query<{ bucketStart: Date; groupKey: string; costMicros: string; tokens: string }>(Prisma.sql`
    select u."bucketStart", ${DEPLOYMENT_GROUP[group]} as "groupKey",
      coalesce(sum(div(c."computeCostMicros"::numeric * least(u."windowMs"::numeric, c."activeMs"::numeric), c."activeMs"::numeric))
        filter (where c."activeMs"::numeric > 0), 0)::text as "costMicros",
      sum(u."inputTokens"::numeric + u."outputTokens"::numeric)::text as tokens
    from (${usageSql(usage, source, "node")}) u
      join inference_deployments d on d.id = split_part(u."groupKey", ':', 2)::int
      left join (${costSql}) c on c."bucketStart" = u."bucketStart" and c."groupKey" = u."groupKey" and c.kind = 'inference'
    where u."windowMs"::numeric > 0
    group by 1, 2`);
  return new Map(rows.map((r) => [`${r.bucketStart.getTime()}|${r.groupKey}`, { costMicros: BigInt(r.costMicros), tokens: BigInt(r.tokens) }]));
}
