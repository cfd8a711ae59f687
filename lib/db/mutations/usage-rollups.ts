import { QUARTER_MS, rollupQuarters, type UsageMeasures, type UsageWindowInput } from "@/lib/domain/usage-rollup";
import { Prisma, type SqlRunner } from "../sql";

/**
 * Keeps the usage rollups equal to the raw windows. `refreshUsageRollups`
 * runs in the same transaction as any insert, update or delete of
 * inference_usage_windows and recomputes exactly the rollup rows those
 * windows touch; `rebuildUsageRollups` recomputes everything. Both go through
 * the same two steps — raw windows → 15-minute rows (lib/domain proration),
 * then 15-minute rows → team-hour and per-zone day rows (SQL) — so an
 * incremental refresh and a rebuild cannot disagree.
 */

/** Longest accepted usage window; bounds the look-back for overlapping windows. */
export const MAX_WINDOW_SECONDS = 31 * 24 * 3600;
const HOUR_MS = 3_600_000;
const EPOCH = Prisma.sql`timestamptz '2000-01-01 00:00:00+00'`;

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

/** Inserts 15-minute rows in batches, sketches passed as array literals. */
async function insertQuarters(run: SqlRunner, deploymentId: number, quarters: Map<number, UsageMeasures>): Promise<void> {
  const entries = [...quarters.entries()];
  for (let i = 0; i < entries.length; i += 2_000) {
    const batch = entries.slice(i, i + 2_000);
    const col = <T>(f: (m: UsageMeasures) => T) => batch.map(([, m]) => f(m));
    await run.execute(Prisma.sql`
      insert into usage_rollup_quarter ("deploymentId", "bucketStart", "windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs",
        requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts")
      select ${deploymentId}, b, wc, wms, ims, ums, upm / 100, r, e, it, ct, ot, ar, lk::smallint[], lc::bigint[]
      from unnest(${batch.map(([start]) => new Date(start))}::timestamptz[], ${col((m) => m.windowCount)}::int[],
        ${col((m) => m.windowMs.toString())}::bigint[], ${col((m) => m.idleMs.toString())}::bigint[], ${col((m) => m.utilMs.toString())}::bigint[],
        ${col((m) => m.utilCentiPctMs.toString())}::numeric[], ${col((m) => m.requests.toString())}::bigint[], ${col((m) => m.errors.toString())}::bigint[],
        ${col((m) => m.inputTokens.toString())}::bigint[], ${col((m) => m.cachedInputTokens.toString())}::bigint[], ${col((m) => m.outputTokens.toString())}::bigint[],
        ${col((m) => m.approxRequests.toString())}::bigint[], ${col((m) => `{${m.latency.keys.join(",")}}`)}::text[], ${col((m) => `{${m.latency.counts.join(",")}}`)}::text[])
        as t(b, wc, wms, ims, ums, upm, r, e, it, ct, ot, ar, lk, lc)`);
  }
}

const MEASURE_SUMS = Prisma.sql`
  sum("windowCount")::int, sum("windowMs"), sum("idleMs"), sum("utilMs"), sum("utilPctMs"), sum(requests), sum(errors),
  sum("inputTokens"), sum("cachedInputTokens"), sum("outputTokens"), sum("approxRequests")`;
const MEASURE_COLUMNS = Prisma.sql`"windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs", requests, errors, "inputTokens",
  "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts"`;

/**
 * Rebuilds team-hour rows from 15-minute rows: all of them, or those of the
 * given teams in [start, end) (widened to whole UTC hours).
 */
async function recomputeTeamHours(run: SqlRunner, scope?: { teamIds: number[]; start: Date; end: Date }): Promise<void> {
  const start = scope && new Date(Math.floor(scope.start.getTime() / HOUR_MS) * HOUR_MS);
  const end = scope && new Date(Math.ceil(scope.end.getTime() / HOUR_MS) * HOUR_MS);
  const where = scope
    ? Prisma.sql`where d."teamId" = any(${scope.teamIds}::int[]) and q."bucketStart" >= ${start} and q."bucketStart" < ${end}`
    : Prisma.empty;
  if (scope) {
    await run.execute(Prisma.sql`delete from usage_rollup_team_hour
      where "teamId" = any(${scope.teamIds}::int[]) and "bucketStart" >= ${start} and "bucketStart" < ${end}`);
  } else {
    await run.execute(Prisma.sql`truncate usage_rollup_team_hour`);
  }
  await run.execute(Prisma.sql`
    insert into usage_rollup_team_hour ("teamId", "bucketStart", ${MEASURE_COLUMNS})
    with src as (
      select d."teamId" as g, date_bin('1 hour', q."bucketStart", ${EPOCH}) as b, q.*
      from usage_rollup_quarter q join inference_deployments d on d.id = q."deploymentId" ${where}
    ), sums as (
      select g, b, ${MEASURE_SUMS} from src group by g, b
    ), pairs as (
      select g, b, u.k, sum(u.c) as c from src, unnest(src."latencyKeys", src."latencyCounts") as u(k, c) group by g, b, u.k
    ), sketches as (
      select g, b, array_agg(k order by k) as keys, array_agg(c order by k) as counts from pairs group by g, b
    )
    select sums.*, coalesce(sketches.keys, '{}'), coalesce(sketches.counts, '{}')
    from sums left join sketches using (g, b)`);
}

/**
 * Rebuilds per-zone day rows from 15-minute rows: all of them, or those of the
 * given deployments whose local day overlaps [start, end), for every zone in
 * rollup_time_zones (or only `timeZones`).
 */
async function recomputeDays(
  run: SqlRunner,
  scope?: { deploymentIds?: number[]; start?: Date; end?: Date; timeZones?: string[] },
): Promise<void> {
  const zoneFilter = scope?.timeZones ? Prisma.sql`where "timeZone" = any(${scope.timeZones}::text[])` : Prisma.empty;
  const bounds =
    scope?.start && scope.end
      ? Prisma.sql`date_trunc('day', ${scope.start}::timestamptz at time zone "timeZone") at time zone "timeZone" as f,
          (date_trunc('day', (${scope.end}::timestamptz - interval '1 millisecond') at time zone "timeZone") + interval '1 day') at time zone "timeZone" as t`
      : Prisma.sql`'-infinity'::timestamptz as f, 'infinity'::timestamptz as t`;
  const deploymentFilter = scope?.deploymentIds ? Prisma.sql`and q."deploymentId" = any(${scope.deploymentIds}::int[])` : Prisma.empty;
  const zones = Prisma.sql`zones as (select "timeZone" as tz, ${bounds} from rollup_time_zones ${zoneFilter})`;
  await run.execute(Prisma.sql`
    with ${zones}
    delete from usage_rollup_day q using zones
    where q."timeZone" = zones.tz and q."bucketStart" >= zones.f and q."bucketStart" < zones.t ${deploymentFilter}`);
  await run.execute(Prisma.sql`
    insert into usage_rollup_day ("timeZone", "deploymentId", "bucketStart", ${MEASURE_COLUMNS})
    with ${zones}, src as (
      select zones.tz, q."deploymentId" as g, date_trunc('day', q."bucketStart" at time zone zones.tz) at time zone zones.tz as b, q.*
      from usage_rollup_quarter q join zones on q."bucketStart" >= zones.f and q."bucketStart" < zones.t
      where true ${deploymentFilter}
    ), sums as (
      select tz, g, b, ${MEASURE_SUMS} from src group by tz, g, b
    ), pairs as (
      select tz, g, b, u.k, sum(u.c) as c from src, unnest(src."latencyKeys", src."latencyCounts") as u(k, c) group by tz, g, b, u.k
    ), sketches as (
      select tz, g, b, array_agg(k order by k) as keys, array_agg(c order by k) as counts from pairs group by tz, g, b
    )
    select sums.*, coalesce(sketches.keys, '{}'), coalesce(sketches.counts, '{}')
    from sums left join sketches using (tz, g, b)`);
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
    const span = quarterSpan(change.start, change.end);
    const existing = spans.get(change.deploymentId);
    spans.set(
      change.deploymentId,
      existing
        ? { start: new Date(Math.min(existing.start.getTime(), span.start.getTime())), end: new Date(Math.max(existing.end.getTime(), span.end.getTime())) }
        : span,
    );
  }
  const deploymentIds = [...spans.keys()];
  const teams = await run.query<{ id: number; teamId: number }>(
    Prisma.sql`select id, "teamId" from inference_deployments where id = any(${deploymentIds}::int[])`,
  );
  for (const [deploymentId, span] of spans) {
    await run.execute(Prisma.sql`delete from usage_rollup_quarter
      where "deploymentId" = ${deploymentId} and "bucketStart" >= ${span.start} and "bucketStart" < ${span.end}`);
    const windows = await loadWindows(run, deploymentId, span);
    await insertQuarters(run, deploymentId, rollupQuarters(windows, span));
    const teamId = teams.find((t) => t.id === deploymentId)?.teamId;
    if (teamId !== undefined) await recomputeTeamHours(run, { teamIds: [teamId], ...span });
    await recomputeDays(run, { deploymentIds: [deploymentId], ...span });
  }
}

/** Makes sure day rollups exist for the org's and every team's time zone. */
export async function ensureRollupTimeZones(run: SqlRunner): Promise<string[]> {
  const added = await run.query<{ timeZone: string }>(Prisma.sql`
    insert into rollup_time_zones ("timeZone")
    select "timeZone" from orgs union select "timeZone" from teams
    on conflict do nothing
    returning "timeZone"`);
  const zones = added.map((z) => z.timeZone);
  if (zones.length > 0) await recomputeDays(run, { timeZones: zones });
  return zones;
}

/** Recomputes every rollup from the raw windows. */
export async function rebuildUsageRollups(
  run: SqlRunner,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<{ deployments: number; quarters: number }> {
  await run.execute(Prisma.sql`truncate usage_rollup_quarter, usage_rollup_day`);
  await run.execute(Prisma.sql`
    insert into rollup_time_zones ("timeZone")
    select "timeZone" from orgs union select "timeZone" from teams
    on conflict do nothing`);
  const deployments = await run.query<{ id: number }>(Prisma.sql`select id from inference_deployments order by id`);
  let quarters = 0;
  for (const [index, { id }] of deployments.entries()) {
    const rows = await run.query<RawWindowRow>(Prisma.sql`
      select ${RAW_WINDOW_COLUMNS} from inference_usage_windows where "deploymentId" = ${id} order by "windowStart"`);
    const rollup = rollupQuarters(rows.map(toWindowInput));
    quarters += rollup.size;
    await insertQuarters(run, id, rollup);
    options.onProgress?.(index + 1, deployments.length);
  }
  await recomputeTeamHours(run);
  await recomputeDays(run);
  return { deployments: deployments.length, quarters };
}
