import { bucketsBetween } from "@/lib/domain/calendar";
import { QUARTER_MS, rollupQuarters, sumMeasures, type UsageMeasures, type UsageWindowInput } from "@/lib/domain/usage-rollup";
import { Prisma, type SqlRunner } from "../sql";

/**
 * Keeps the usage rollups equal to the raw windows. `refreshUsageRollups`
 * runs in the same transaction as any insert, update or delete of
 * inference_usage_windows and recomputes exactly the rollup rows those
 * windows touch; `rebuildUsageRollups` recomputes everything. Both go through
 * the same two steps — raw windows → 15-minute rows (lib/domain proration),
 * then 15-minute rows → team-hour and per-zone day rows (aggregateQuarters) —
 * so an incremental refresh and a rebuild cannot disagree. Sketch merging
 * runs in TypeScript: PostgreSQL's unnest-and-group of (key, count) pairs
 * measured ~2.5M pairs/s here, several times slower.
 */

/** Longest accepted usage window; bounds the look-back for overlapping windows. */
export const MAX_WINDOW_SECONDS = 31 * 24 * 3600;
const HOUR_MS = 3_600_000;

export interface UsageChange {
  deploymentId: number;
  /** The changed window's span (for an update, call once for the old and once for the new span). */
  start: Date;
  end: Date;
}

interface RawWindowRow {
  windowStart: Date;
  windowSeconds: number;
  requests: string;
  errors: string;
  inputTokens: string;
  cachedInputTokens: string;
  outputTokens: string;
  latencyKeys: number[] | null;
  latencyCounts: number[] | null;
  p50: string | null;
  p95: string | null;
  p99: string | null;
  utilCentiPct: string | null;
}

function toWindowInput(row: RawWindowRow): UsageWindowInput {
  const keys = row.latencyKeys ?? [];
  return {
    windowStart: row.windowStart,
    windowSeconds: row.windowSeconds,
    requests: BigInt(row.requests),
    errors: BigInt(row.errors),
    inputTokens: BigInt(row.inputTokens),
    cachedInputTokens: BigInt(row.cachedInputTokens),
    outputTokens: BigInt(row.outputTokens),
    latency: keys.length > 0 ? { keys, counts: row.latencyCounts ?? [] } : null,
    summaryMs: row.p50 !== null && row.p95 !== null && row.p99 !== null ? { p50: Number(row.p50), p95: Number(row.p95), p99: Number(row.p99) } : null,
    avgGpuUtilizationCentiPct: row.utilCentiPct === null ? null : Number(row.utilCentiPct),
  };
}

const RAW_WINDOW_COLUMNS = Prisma.sql`
  "windowStart", "windowSeconds", requests::text, errors::text, "inputTokens"::text, "cachedInputTokens"::text,
  "outputTokens"::text, "latencyKeys", "latencyCounts", "latencyP50Ms"::text as p50, "latencyP95Ms"::text as p95,
  "latencyP99Ms"::text as p99, round("avgGpuUtilizationPct" * 100)::text as "utilCentiPct"`;

async function loadWindows(run: SqlRunner, deploymentId: number, span: { start: Date; end: Date }): Promise<UsageWindowInput[]> {
  const lookBack = new Date(span.start.getTime() - MAX_WINDOW_SECONDS * 1000);
  const rows = await run.query<RawWindowRow>(Prisma.sql`
    select ${RAW_WINDOW_COLUMNS}
    from inference_usage_windows
    where "deploymentId" = ${deploymentId}
      and "windowStart" < ${span.end} and "windowStart" > ${lookBack}
      and "windowStart" + make_interval(secs => "windowSeconds") > ${span.start}`);
  return rows.map(toWindowInput);
}

type RollupTable = "usage_rollup_quarter" | "usage_rollup_team_hour" | "usage_rollup_day";

interface RollupRow {
  /** Key columns before the measures, in the table's order. */
  timeZone?: string;
  ownerId: number;
  bucketStart: Date;
  measures: UsageMeasures;
}

const OWNER_COLUMN: Record<RollupTable, Prisma.Sql> = {
  usage_rollup_quarter: Prisma.sql`"deploymentId"`,
  usage_rollup_team_hour: Prisma.sql`"teamId"`,
  usage_rollup_day: Prisma.sql`"deploymentId"`,
};

/** Inserts rollup rows in batches; sketches travel as array literals. */
async function insertRollupRows(run: SqlRunner, table: RollupTable, rows: RollupRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2_000) {
    const batch = rows.slice(i, i + 2_000);
    const col = <T>(f: (m: UsageMeasures) => T) => batch.map((r) => f(r.measures));
    const zoneColumn = table === "usage_rollup_day" ? Prisma.sql`"timeZone", ` : Prisma.empty;
    const zoneValue = table === "usage_rollup_day" ? Prisma.sql`tz, ` : Prisma.empty;
    await run.execute(Prisma.sql`
      insert into ${Prisma.raw(table)} (${zoneColumn}${OWNER_COLUMN[table]}, "bucketStart", "windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs",
        requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts")
      select ${zoneValue}o, b, wc, wms, ims, ums, upm / 100, r, e, it, ct, ot, ar, lk::smallint[], lc::bigint[]
      from unnest(${batch.map((r) => r.timeZone ?? "")}::text[], ${batch.map((r) => r.ownerId)}::int[], ${batch.map((r) => r.bucketStart)}::timestamptz[],
        ${col((m) => m.windowCount)}::int[], ${col((m) => m.windowMs.toString())}::bigint[], ${col((m) => m.idleMs.toString())}::bigint[],
        ${col((m) => m.utilMs.toString())}::bigint[], ${col((m) => m.utilCentiPctMs.toString())}::numeric[], ${col((m) => m.requests.toString())}::bigint[],
        ${col((m) => m.errors.toString())}::bigint[], ${col((m) => m.inputTokens.toString())}::bigint[], ${col((m) => m.cachedInputTokens.toString())}::bigint[],
        ${col((m) => m.outputTokens.toString())}::bigint[], ${col((m) => m.approxRequests.toString())}::bigint[],
        ${col((m) => `{${m.latency.keys.join(",")}}`)}::text[], ${col((m) => `{${m.latency.counts.join(",")}}`)}::text[])
        as t(tz, o, b, wc, wms, ims, ums, upm, r, e, it, ct, ot, ar, lk, lc)`);
  }
}

interface QuarterRow {
  deploymentId: number;
  bucketStart: Date;
  measures: UsageMeasures;
}

interface RawQuarterRow {
  deploymentId: number;
  bucketStart: Date;
  windowCount: number;
  windowMs: string;
  idleMs: string;
  utilMs: string;
  utilCentiPctMs: string;
  requests: string;
  errors: string;
  inputTokens: string;
  cachedInputTokens: string;
  outputTokens: string;
  approxRequests: string;
  latencyKeys: number[];
  latencyCounts: string;
}

/** Loads 15-minute rows of some deployments in [start, end). */
async function loadQuarters(run: SqlRunner, scope: { deploymentIds: number[]; start: Date; end: Date }): Promise<QuarterRow[]> {
  const rows = await run.query<RawQuarterRow>(Prisma.sql`
    select "deploymentId", "bucketStart", "windowCount", "windowMs"::text, "idleMs"::text, "utilMs"::text,
      ("utilPctMs" * 100)::bigint::text as "utilCentiPctMs", requests::text, errors::text, "inputTokens"::text,
      "cachedInputTokens"::text, "outputTokens"::text, "approxRequests"::text, "latencyKeys", "latencyCounts"::text
    from usage_rollup_quarter
    where "deploymentId" = any(${scope.deploymentIds}::int[]) and "bucketStart" >= ${scope.start} and "bucketStart" < ${scope.end}
    order by "deploymentId", "bucketStart"`);
  return rows.map((r) => ({
    deploymentId: r.deploymentId,
    bucketStart: r.bucketStart,
    measures: {
      windowCount: r.windowCount,
      windowMs: BigInt(r.windowMs),
      idleMs: BigInt(r.idleMs),
      utilMs: BigInt(r.utilMs),
      utilCentiPctMs: BigInt(r.utilCentiPctMs),
      requests: BigInt(r.requests),
      errors: BigInt(r.errors),
      inputTokens: BigInt(r.inputTokens),
      cachedInputTokens: BigInt(r.cachedInputTokens),
      outputTokens: BigInt(r.outputTokens),
      approxRequests: BigInt(r.approxRequests),
      latency: { keys: r.latencyKeys ?? [], counts: r.latencyCounts.slice(1, -1).split(",").filter(Boolean).map(Number) },
    },
  }));
}

/**
 * Groups 15-minute rows into coarser rows — the one aggregation behind both
 * the incremental refresh and the rebuild of team-hour and day rollups.
 */
function aggregateQuarters(
  quarters: Iterable<QuarterRow>,
  keyOf: (q: QuarterRow) => { ownerId: number; bucketStart: number },
): RollupRow[] {
  const groups = new Map<string, { ownerId: number; bucketStart: number; parts: UsageMeasures[] }>();
  for (const q of quarters) {
    const key = keyOf(q);
    const id = `${key.ownerId}|${key.bucketStart}`;
    const group = groups.get(id);
    if (group) group.parts.push(q.measures);
    else groups.set(id, { ...key, parts: [q.measures] });
  }
  return [...groups.values()].map((g) => ({
    ownerId: g.ownerId,
    bucketStart: new Date(g.bucketStart),
    measures: sumMeasures(g.parts),
  }));
}

const HOUR = (q: QuarterRow) => Math.floor(q.bucketStart.getTime() / HOUR_MS) * HOUR_MS;

/** Local-day start (ms) of each instant in a zone, memoized per day boundary pair. */
function dayStartFinder(timeZone: string): (instant: Date) => number {
  let current: { start: number; end: number } | undefined;
  return (instant) => {
    const t = instant.getTime();
    if (!current || t < current.start || t >= current.end) {
      const [day] = bucketsBetween({ from: instant, to: new Date(t + 1), unit: "day", timeZone });
      current = { start: day!.start.getTime(), end: day!.end.getTime() };
    }
    return current.start;
  };
}

function dayRows(quarters: QuarterRow[], timeZone: string): RollupRow[] {
  const dayStart = dayStartFinder(timeZone);
  return aggregateQuarters(quarters, (q) => ({ ownerId: q.deploymentId, bucketStart: dayStart(q.bucketStart) })).map((r) => ({ ...r, timeZone }));
}

async function rollupZones(run: SqlRunner): Promise<string[]> {
  const zones = await run.query<{ timeZone: string }>(Prisma.sql`select "timeZone" from rollup_time_zones order by "timeZone"`);
  return zones.map((z) => z.timeZone);
}

/**
 * Two transactions refreshing the same rollup rows at once (usage of two
 * deployments of one team, a form and an import) would each compute from a
 * snapshot without the other's uncommitted rows, then collide on the rows'
 * keys or leave one contribution out. A transaction-scoped advisory lock per
 * deployment and per team, taken in id order before the rows are recomputed,
 * makes the second wait for the first to commit and then read its rows.
 */
const ROLLUP_LOCK_CLASS = { deployment: 710_001, team: 710_002 } as const;

async function lockRollupOwners(run: SqlRunner, kind: keyof typeof ROLLUP_LOCK_CLASS, ids: Iterable<number>): Promise<void> {
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    await run.execute(Prisma.sql`select 1 from pg_advisory_xact_lock(${ROLLUP_LOCK_CLASS[kind]}::int, ${id}::int)`);
  }
}

/** Recomputes one team's hour rows over [start, end) (widened to whole UTC hours). */
async function refreshTeamHours(run: SqlRunner, teamId: number, span: { start: Date; end: Date }): Promise<void> {
  const start = new Date(Math.floor(span.start.getTime() / HOUR_MS) * HOUR_MS);
  const end = new Date(Math.ceil(span.end.getTime() / HOUR_MS) * HOUR_MS);
  const deployments = await run.query<{ id: number }>(Prisma.sql`select id from inference_deployments where "teamId" = ${teamId}`);
  const quarters = await loadQuarters(run, { deploymentIds: deployments.map((d) => d.id), start, end });
  await run.execute(Prisma.sql`delete from usage_rollup_team_hour where "teamId" = ${teamId} and "bucketStart" >= ${start} and "bucketStart" < ${end}`);
  await insertRollupRows(run, "usage_rollup_team_hour", aggregateQuarters(quarters, (q) => ({ ownerId: teamId, bucketStart: HOUR(q) })));
}

/** Recomputes one deployment's day rows, in every materialized zone, for the local days overlapping [start, end). */
async function refreshDays(run: SqlRunner, deploymentId: number, span: { start: Date; end: Date }, zones: string[]): Promise<void> {
  for (const timeZone of zones) {
    const days = bucketsBetween({ from: span.start, to: span.end, unit: "day", timeZone });
    if (days.length === 0) continue;
    const start = days[0]!.start;
    const end = days.at(-1)!.end;
    const quarters = await loadQuarters(run, { deploymentIds: [deploymentId], start, end });
    await run.execute(Prisma.sql`delete from usage_rollup_day
      where "timeZone" = ${timeZone} and "deploymentId" = ${deploymentId} and "bucketStart" >= ${start} and "bucketStart" < ${end}`);
    await insertRollupRows(run, "usage_rollup_day", dayRows(quarters, timeZone));
  }
}

function quarterSpan(start: Date, end: Date): { start: Date; end: Date } {
  return {
    start: new Date(Math.floor(start.getTime() / QUARTER_MS) * QUARTER_MS),
    end: new Date(Math.ceil(end.getTime() / QUARTER_MS) * QUARTER_MS),
  };
}

/** Recomputes the rollup rows touched by changed windows. Call inside the write's transaction. */
export async function refreshUsageRollups(run: SqlRunner, changes: UsageChange[]): Promise<void> {
  if (changes.length === 0) return;
  const spans = new Map<number, { start: Date; end: Date }>();
  for (const change of changes) {
    spans.set(change.deploymentId, widen(spans.get(change.deploymentId), quarterSpan(change.start, change.end)));
  }
  const deploymentIds = [...spans.keys()];
  await lockRollupOwners(run, "deployment", deploymentIds);
  const teams = await run.query<{ id: number; teamId: number }>(
    Prisma.sql`select id, "teamId" from inference_deployments where id = any(${deploymentIds}::int[])`,
  );
  const zones = await rollupZones(run);
  // A team's hours depend on all its deployments: recompute them once per team
  // over the union of the changed spans, not once per deployment.
  const teamSpans = new Map<number, { start: Date; end: Date }>();
  for (const [deploymentId, span] of spans) {
    await run.execute(Prisma.sql`delete from usage_rollup_quarter
      where "deploymentId" = ${deploymentId} and "bucketStart" >= ${span.start} and "bucketStart" < ${span.end}`);
    const windows = await loadWindows(run, deploymentId, span);
    const quarters = rollupQuarters(windows, span);
    await insertRollupRows(
      run,
      "usage_rollup_quarter",
      [...quarters].map(([bucketStart, measures]) => ({ ownerId: deploymentId, bucketStart: new Date(bucketStart), measures })),
    );
    await refreshDays(run, deploymentId, span, zones);
    const teamId = teams.find((t) => t.id === deploymentId)?.teamId;
    if (teamId !== undefined) teamSpans.set(teamId, widen(teamSpans.get(teamId), span));
  }
  await lockRollupOwners(run, "team", teamSpans.keys());
  for (const [teamId, span] of teamSpans) await refreshTeamHours(run, teamId, span);
}

function widen(a: { start: Date; end: Date } | undefined, b: { start: Date; end: Date }): { start: Date; end: Date } {
  if (!a) return b;
  return { start: new Date(Math.min(a.start.getTime(), b.start.getTime())), end: new Date(Math.max(a.end.getTime(), b.end.getTime())) };
}

/**
 * Recomputes a team's hour rows over [start, end): for when a deployment (and
 * its usage) leaves the team, which refreshUsageRollups — keyed by the
 * deployment's current team — cannot see.
 */
export async function refreshTeamUsageHours(run: SqlRunner, { teamId, start, end }: { teamId: number; start: Date; end: Date }): Promise<void> {
  await lockRollupOwners(run, "team", [teamId]);
  await refreshTeamHours(run, teamId, { start, end });
}

/** Makes sure day rollups exist for the org's and every team's time zone. */
export async function ensureRollupTimeZones(run: SqlRunner): Promise<string[]> {
  const added = await run.query<{ timeZone: string }>(Prisma.sql`
    insert into rollup_time_zones ("timeZone")
    select "timeZone" from orgs union select "timeZone" from teams
    on conflict do nothing
    returning "timeZone"`);
  const zones = added.map((z) => z.timeZone);
  if (zones.length === 0) return zones;
  const deployments = await run.query<{ id: number }>(Prisma.sql`select id from inference_deployments order by id`);
  for (const { id } of deployments) {
    const quarters = await loadQuarters(run, { deploymentIds: [id], start: new Date("1900-01-01T00:00:00Z"), end: new Date("9999-01-01T00:00:00Z") });
    for (const timeZone of zones) await insertRollupRows(run, "usage_rollup_day", dayRows(quarters, timeZone));
  }
  return zones;
}

/**
 * Recomputes every rollup from the raw windows, one team at a time: each
 * deployment's windows → 15-minute rows → its day rows per zone, and the
 * team's hour rows from all of its deployments.
 */
export async function rebuildUsageRollups(
  run: SqlRunner,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<{ deployments: number; quarters: number }> {
  await run.execute(Prisma.sql`truncate usage_rollup_quarter, usage_rollup_team_hour, usage_rollup_day`);
  await run.execute(Prisma.sql`
    insert into rollup_time_zones ("timeZone")
    select "timeZone" from orgs union select "timeZone" from teams
    on conflict do nothing`);
  const zones = await rollupZones(run);
  const deployments = await run.query<{ id: number; teamId: number }>(Prisma.sql`select id, "teamId" from inference_deployments order by "teamId", id`);
  let quarterCount = 0;
  let teamQuarters: QuarterRow[] = [];
  const flushTeam = async (teamId: number) => {
    await insertRollupRows(run, "usage_rollup_team_hour", aggregateQuarters(teamQuarters, (q) => ({ ownerId: teamId, bucketStart: HOUR(q) })));
    teamQuarters = [];
  };
  for (const [index, { id, teamId }] of deployments.entries()) {
    const rows = await run.query<RawWindowRow>(Prisma.sql`
      select ${RAW_WINDOW_COLUMNS} from inference_usage_windows where "deploymentId" = ${id} order by "windowStart"`);
    const quarters: QuarterRow[] = [...rollupQuarters(rows.map(toWindowInput))]
      .sort(([a], [b]) => a - b)
      .map(([bucketStart, measures]) => ({ deploymentId: id, bucketStart: new Date(bucketStart), measures }));
    quarterCount += quarters.length;
    await insertRollupRows(run, "usage_rollup_quarter", quarters.map((q) => ({ ownerId: id, bucketStart: q.bucketStart, measures: q.measures })));
    for (const timeZone of zones) await insertRollupRows(run, "usage_rollup_day", dayRows(quarters, timeZone));
    teamQuarters.push(...quarters);
    if (deployments[index + 1]?.teamId !== teamId) await flushTeam(teamId);
    options.onProgress?.(index + 1, deployments.length);
  }
  return { deployments: deployments.length, quarters: quarterCount };
}
