import type pg from "pg";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { costRollupApplies, ledgerSql, queryLedger, type LedgerQuery } from "@/lib/db/queries/cost-ledger";
import { chooseUsageSource, queryUsage, usageSql, type UsageQuery, type UsageSource } from "@/lib/db/queries/usage-ledger";
import { pgRunner, type Prisma } from "@/lib/db/sql";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { DAY_MS, HOUR_MS, HOURLY_TEAM_INDEX, ORG, TEAMS } from "./dataset";
import { explainSummary, explainText, latencyStats, NAIVE_RUNS, ROLLUP_RUNS, timeSteps, type LatencyStats, type PlanSummary, type RunPlan } from "./measure";
import { naiveUsageSql, type NaiveUsageRow } from "./naive";

/** What one query run returned; `usage` is a comparable digest per (bucket, group). */
interface PartResult {
  rows: number;
  buckets: number;
  source?: UsageSource;
  usage?: Map<string, string>;
}

interface Runnable {
  run(): Promise<PartResult>;
  statement(): Promise<Prisma.Sql>;
}

interface Part {
  label: string;
  kind: "cost" | "usage";
  rollup: Runnable;
  /** Usage: the same question answered from raw windows; cost: the ledger computed live from the records. */
  naive: Runnable | null;
}

export interface BenchCase {
  key: string;
  title: string;
  detail: string;
  isExtra: boolean;
  parts: Part[];
}

export interface BenchContext {
  client: pg.Client;
  viewer: Viewer;
  now: Date;
  hourlyTeam: { id: number; name: string; timeZone: string };
  deployment: { id: number; name: string };
}

export async function loadContext(client: pg.Client, now: Date): Promise<BenchContext> {
  const user = await client.query<{ userId: number; orgId: number; orgName: string; orgTimeZone: string }>(
    `select u.id as "userId", o.id as "orgId", o.name as "orgName", o."timeZone" as "orgTimeZone"
     from users u join orgs o on o.id = u."orgId" where o.slug = $1 and u.role = 'ADMIN' order by u.id limit 1`,
    [ORG.slug],
  );
  const u = user.rows[0];
  if (!u) throw new Error("benchmark org not found");
  const team = await client.query<{ id: number; name: string; timeZone: string }>(`select id, name, "timeZone" from teams where slug = $1`, [
    TEAMS[HOURLY_TEAM_INDEX]!.slug,
  ]);
  const deployment = await client.query<{ id: number; name: string }>(`select id, name from inference_deployments order by id limit 1`);
  return {
    client,
    viewer: makeViewer({ ...u, role: "ADMIN", name: "Bench Admin" }),
    now,
    hourlyTeam: team.rows[0]!,
    deployment: deployment.rows[0]!,
  };
}

/** The last `count` whole buckets of `unit` in `timeZone` up to the one containing now. */
function lastBuckets(now: Date, unit: BucketUnit, timeZone: string, count: number): { from: Date; to: Date } {
  const span = unit === "hour" ? HOUR_MS : unit === "day" ? DAY_MS : 31 * DAY_MS;
  const buckets = bucketsBetween({ from: new Date(now.getTime() - (count + 2) * span), to: now, unit, timeZone });
  const chosen = buckets.slice(-count);
  return { from: chosen[0]!.start, to: chosen[chosen.length - 1]!.end };
}

function monthOf(instant: string, timeZone: string): { from: Date; to: Date } {
  const at = new Date(instant);
  const [bucket] = bucketsBetween({ from: at, to: new Date(at.getTime() + 1), unit: "month", timeZone });
  return { from: bucket!.start, to: bucket!.end };
}

function distinctBuckets(rows: readonly { bucketStart: Date }[]): number {
  return new Set(rows.map((r) => r.bucketStart.getTime())).size;
}

function ledgerPart(ctx: BenchContext, label: string, q: Omit<LedgerQuery, "viewer" | "now">): Part {
  const run = pgRunner(ctx.client);
  const query: LedgerQuery = { ...q, viewer: ctx.viewer, now: ctx.now };
  // The naive baseline is the ledger computed live from the records (every item × bucket, as before the cost rollup);
  // both must give the same rows, to the micro-dollar and the cent.
  const live = ledgerSql({ ...query, orgViewer: ctx.viewer, isRollupZone: false });
  let rolled: string | undefined;
  const digest = (rows: unknown[]) => JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Date ? v.getTime() : v));
  return {
    label,
    kind: "cost",
    rollup: {
      run: async () => {
        const rows = await queryLedger(query, run);
        rolled ??= digest(rows.map((r) => [r.bucketStart, r.groupKey, r.kind, r.computeCostMicros, r.computeCostCents, r.extraCostCents, r.gpuMs]));
        return { rows: rows.length, buckets: distinctBuckets(rows) };
      },
      statement: async () => ledgerSql({ ...query, orgViewer: ctx.viewer, isRollupZone: await costRollupApplies(query, run) }),
    },
    naive: {
      run: async () => {
        const rows = await run.query<{ bucketStart: Date; groupKey: string; kind: string; computeCostMicros: string; computeCostCents: string; extraCostCents: string; gpuMs: string }>(live);
        const naive = digest(rows.map((r) => [r.bucketStart, r.groupKey, r.kind, r.computeCostMicros, r.computeCostCents, r.extraCostCents, r.gpuMs]));
        if (rolled !== undefined && naive !== rolled) throw new Error(`(${label}) the cost rollup's rows differ from the live ledger's`);
        return { rows: rows.length, buckets: distinctBuckets(rows) };
      },
      statement: async () => live,
    },
  };
}

function usagePart(ctx: BenchContext, label: string, q: Omit<UsageQuery, "viewer">): Part {
  const run = pgRunner(ctx.client);
  const query: UsageQuery = { ...q, viewer: ctx.viewer };
  const naive = naiveUsageSql({
    orgId: ctx.viewer.orgId,
    from: q.from,
    to: q.to,
    unit: q.unit,
    timeZone: q.timeZone,
    groupBy: q.groupBy === "gpuType" ? "none" : q.groupBy,
    teamIds: q.filters.teamIds,
    deploymentIds: q.filters.deploymentIds,
  });
  const digest = (bucketStart: Date, groupKey: string, r: { requests: unknown; inputTokens: unknown; p50Key: number | null; p95Key: number | null; p99Key: number | null }) =>
    [`${bucketStart.getTime()}|${groupKey}`, `${String(r.requests)}|${String(r.inputTokens)}|${r.p50Key}|${r.p95Key}|${r.p99Key}`] as const;
  return {
    label,
    kind: "usage",
    rollup: {
      run: async () => {
        const { source, rows } = await queryUsage(query, run);
        return { rows: rows.length, buckets: distinctBuckets(rows), source, usage: new Map(rows.map((r) => digest(r.bucketStart, r.groupKey, r))) };
      },
      statement: async () => usageSql(query, await chooseUsageSource(query, run), "node"),
    },
    naive: {
      run: async () => {
        const rows = await run.query<NaiveUsageRow>(naive);
        return { rows: rows.length, buckets: distinctBuckets(rows), usage: new Map(rows.map((r) => digest(r.bucketStart, r.groupKey, r))) };
      },
      statement: async () => naive,
    },
  };
}

/** The four required queries plus an org-wide usage view, and a bucket-count sweep of the hourly query. */
export function buildCases(ctx: BenchContext): BenchCase[] {
  const orgZone = ctx.viewer.orgTimeZone;
  const team = ctx.hourlyTeam;
  const days90 = lastBuckets(ctx.now, "day", orgZone, 90);
  const year = lastBuckets(ctx.now, "day", orgZone, 365);
  const month = monthOf("2026-09-15T12:00:00Z", orgZone);
  const hours = (days: number) => ({ from: new Date(ctx.now.getTime() - days * DAY_MS), to: ctx.now });
  const none = {};
  return [
    {
      key: "a",
      title: "Org cost by day, 90 days",
      detail: `queryLedger unit day, ${orgZone}, groupBy team, no filters, ${days90.from.toISOString()} → ${days90.to.toISOString()}`,
      isExtra: false,
      parts: [ledgerPart(ctx, "cost by team", { ...days90, unit: "day", timeZone: orgZone, groupBy: "team", filters: none })],
    },
    {
      key: "b",
      title: `One team's p99 latency by hour, 30 days`,
      detail: `queryUsage unit hour, team "${team.name}" (${team.timeZone}), groupBy team, last 720 hours`,
      isExtra: false,
      parts: [usagePart(ctx, "usage by hour", { ...hours(30), unit: "hour", timeZone: team.timeZone, groupBy: "team", filters: { teamIds: [team.id] } })],
    },
    {
      key: "c",
      title: "One month's report totals by team and model",
      detail: `September 2026 in ${orgZone} (unit month): queryLedger groupBy team, queryLedger groupBy model, queryUsage groupBy model`,
      isExtra: false,
      parts: [
        ledgerPart(ctx, "cost by team", { ...month, unit: "month", timeZone: orgZone, groupBy: "team", filters: none }),
        ledgerPart(ctx, "cost by model", { ...month, unit: "month", timeZone: orgZone, groupBy: "model", filters: none }),
        usagePart(ctx, "usage by model", { ...month, unit: "month", timeZone: orgZone, groupBy: "model", filters: none }),
      ],
    },
    {
      key: "d",
      title: "A single deployment over a year",
      detail: `deployment "${ctx.deployment.name}", unit day, ${orgZone}, groupBy item, last 365 days: queryLedger + queryUsage`,
      isExtra: false,
      parts: [
        ledgerPart(ctx, "cost by day", { ...year, unit: "day", timeZone: orgZone, groupBy: "item", filters: { deploymentIds: [ctx.deployment.id] } }),
        usagePart(ctx, "usage by day", { ...year, unit: "day", timeZone: orgZone, groupBy: "item", filters: { deploymentIds: [ctx.deployment.id] } }),
      ],
    },
    {
      key: "e",
      title: "Extra: org usage by day, 90 days",
      detail: `queryUsage unit day, ${orgZone}, groupBy team, no filters (the usage chart beside (a))`,
      isExtra: true,
      parts: [usagePart(ctx, "usage by team", { ...days90, unit: "day", timeZone: orgZone, groupBy: "team", filters: none })],
    },
  ];
}

export const SWEEP_DAYS = [1, 7, 30, 90] as const;

export function buildSweep(ctx: BenchContext): BenchCase[] {
  const team = ctx.hourlyTeam;
  return SWEEP_DAYS.map((days) => ({
    key: `b${days}`,
    title: `Team p99 by hour, ${days} day${days === 1 ? "" : "s"}`,
    detail: `${days * 24} hourly buckets`,
    isExtra: true,
    parts: [
      usagePart(ctx, "usage by hour", {
        from: new Date(ctx.now.getTime() - days * DAY_MS),
        to: ctx.now,
        unit: "hour",
        timeZone: team.timeZone,
        groupBy: "team",
        filters: { teamIds: [team.id] },
      }),
    ],
  }));
}

export interface PartMeasurement {
  label: string;
  kind: "cost" | "usage";
  source?: UsageSource;
  rollup: LatencyStats;
  naive: LatencyStats | null;
  rollupPlan: PlanSummary;
  naivePlan: PlanSummary | null;
  rows: number;
  buckets: number;
  /** Usage only: rollup answer equals the raw-row answer (requests, tokens, p50/p95/p99 keys per bucket and group). */
  isMatch: boolean | null;
  explain: string;
}

export interface CaseMeasurement {
  key: string;
  title: string;
  detail: string;
  isExtra: boolean;
  parts: PartMeasurement[];
  total: LatencyStats;
  naiveTotal: LatencyStats | null;
}

function sameDigest(a: Map<string, string> | undefined, b: Map<string, string> | undefined): boolean {
  if (!a || !b || a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export async function measureCase(
  ctx: BenchContext,
  c: BenchCase,
  options: { rollupRuns?: RunPlan; naiveRuns?: RunPlan; isNaive?: boolean; log: (line: string) => void },
): Promise<CaseMeasurement> {
  // The previous case's garbage (a naive read can hold a million raw windows) is collected before this case is timed.
  (globalThis as { gc?: () => void }).gc?.();
  const last: PartResult[] = [];
  const lastNaive: PartResult[] = [];
  const rollupSteps = c.parts.map((p, i) => async () => (last[i] = await p.rollup.run()));
  const rollupTimes = await timeSteps(rollupSteps, options.rollupRuns ?? ROLLUP_RUNS);
  const hasNaive = options.isNaive !== false && c.parts.some((p) => p.naive !== null);
  const naiveSteps = c.parts.map((p, i) => async () => (lastNaive[i] = await (p.naive ?? p.rollup).run()));
  const naiveTimes = hasNaive ? await timeSteps(naiveSteps, options.naiveRuns ?? NAIVE_RUNS) : null;
  const parts: PartMeasurement[] = [];
  for (const [i, p] of c.parts.entries()) {
    const result = last[i]!;
    const statement = await p.rollup.statement();
    parts.push({
      label: p.label,
      kind: p.kind,
      source: result.source,
      rollup: latencyStats(rollupTimes.steps[i]!),
      naive: naiveTimes && p.naive ? latencyStats(naiveTimes.steps[i]!) : null,
      rollupPlan: await explainSummary(ctx.client, statement),
      naivePlan: p.naive && hasNaive ? await explainSummary(ctx.client, await p.naive.statement()) : null,
      rows: result.rows,
      buckets: result.buckets,
      // Cost parts compare every row to the micro-dollar and the cent inside the naive run, which throws on a difference.
      isMatch: p.naive && hasNaive ? (p.kind === "cost" ? true : sameDigest(result.usage, lastNaive[i]?.usage)) : null,
      explain: await explainText(ctx.client, statement),
    });
  }
  const m: CaseMeasurement = {
    key: c.key,
    title: c.title,
    detail: c.detail,
    isExtra: c.isExtra,
    parts,
    total: latencyStats(rollupTimes.total),
    naiveTotal: naiveTimes ? latencyStats(naiveTimes.total) : null,
  };
  const fmt = (s: LatencyStats | null) => (s ? `p50 ${s.p50.toFixed(1)} / p95 ${s.p95.toFixed(1)} ms (${s.runs} runs)` : "—");
  options.log(`  (${c.key}) ${c.title}: rollup ${fmt(m.total)}; naive ${fmt(m.naiveTotal)}`);
  return m;
}
