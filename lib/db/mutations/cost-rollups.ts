import { liveLedgerSql } from "../queries/ledger-sql";
import { Prisma, type SqlRunner } from "../sql";

/**
 * Keeps cost_rollup_day: each item's ledger line items per local day, in every
 * zone of rollup_time_zones, up to the item's watermark `costRolledTo`.
 *
 * - A finished training run or deployment is rolled whole (watermark = its end).
 * - A serving deployment is rolled up to a past instant W (a quarter hour at
 *   least an hour back) and the ledger computes only [W, now) live; running
 *   training runs are never rolled, since their storage/data/network costs are
 *   spread over a duration that is still growing.
 * - The rows are computed with the live ledger's own SQL (liveLedgerSql,
 *   grouped by item and day from the item's start), so a rolled day is the
 *   same cents the live ledger gives, and any sum of days telescopes to the
 *   item's total (round(cum(y)) − round(cum(x)) per day).
 *
 * Invalidation is the database's: triggers (migration cost_rollups_and_team_days)
 * delete an item's rows and clear its watermark whenever anything its cost
 * depends on changes (times, GPUs, prices, team, model, extras, a catalog
 * price of its GPU type, a new rollup zone). Writes then call `rollCosts`
 * inside their transaction to roll what they touched; whatever is left
 * (a catalog change touching thousands of items) is computed live and rolled
 * by the background roller. A missed roll is slower, never wrong.
 *
 * Concurrency: pending items are claimed with FOR UPDATE SKIP LOCKED, so two
 * rollers never roll the same item, and a write that changes an item waits for
 * (or is waited on by) the roller holding it.
 */

const QUARTER_MS = 15 * 60_000;
/** Serving deployments are rolled to a quarter hour at least this far back, so a request's `now` is (almost) never before it. */
const SERVING_LAG_MS = 60 * 60_000;
/** A serving deployment's watermark is advanced once it is this far behind. */
const ADVANCE_AFTER_MS = 6 * 3600_000;
const EPOCH = new Date("1970-01-01T00:00:00Z");

export function servingWatermark(now: Date): Date {
  return new Date(Math.floor((now.getTime() - SERVING_LAG_MS) / QUARTER_MS) * QUARTER_MS);
}

export interface RollOptions {
  now?: Date;
  /** Most items of each kind to roll in this call (a write rolls what it touched; the background roller works in chunks). */
  limit?: number;
  /** Also move serving deployments' watermarks forward (the background roller). */
  isAdvancing?: boolean;
}

export interface RollResult {
  runs: number;
  deployments: number;
}

/** Rolls pending items up in every rollup zone. Call inside a transaction. */
export async function rollCosts(run: SqlRunner, options: RollOptions = {}): Promise<RollResult> {
  const now = options.now ?? new Date();
  const limit = options.limit ?? 500;
  const w = servingWatermark(now);
  const zones = (await run.query<{ timeZone: string }>(Prisma.sql`select "timeZone" from rollup_time_zones order by "timeZone"`)).map((z) => z.timeZone);
  if (zones.length === 0) return { runs: 0, deployments: 0 };
  const runIds = (
    await run.query<{ id: number }>(Prisma.sql`
      select id from training_runs
      where "costRolledTo" is null and "endedAt" is not null and "endedAt" <= ${w}
      order by id limit ${limit} for update skip locked`)
  ).map((r) => r.id);
  const advance = options.isAdvancing
    ? Prisma.sql`or ("costRolledTo" < least(coalesce("activeTo", 'infinity'::timestamptz), ${w}::timestamptz) - ${`${ADVANCE_AFTER_MS / 1000} seconds`}::interval)`
    : Prisma.empty;
  const deploymentIds = (
    await run.query<{ id: number }>(Prisma.sql`
      select id from inference_deployments
      where "activeFrom" < ${w} and ("costRolledTo" is null ${advance})
      order by id limit ${limit} for update skip locked`)
  ).map((r) => r.id);
  if (runIds.length === 0 && deploymentIds.length === 0) return { runs: 0, deployments: 0 };

  if (deploymentIds.length > 0) {
    await run.execute(Prisma.sql`delete from cost_rollup_day where kind = 'inference' and "itemId" = any(${deploymentIds}::int[])`);
  }
  if (runIds.length > 0) {
    await run.execute(Prisma.sql`delete from cost_rollup_day where kind = 'training' and "itemId" = any(${runIds}::int[])`);
  }
  const all = () => Prisma.sql`true`;
  for (const timeZone of zones) {
    const base = { unit: "day" as const, timeZone, groupBy: "item" as const, from: EPOCH, scope: all };
    if (runIds.length > 0) {
      // Every claimed run ended by w: a day past it bounds the series without clipping a zero-length run's extras.
      const ledger = liveLedgerSql({ ...base, filters: { runIds }, to: new Date(w.getTime() + 86_400_000), now: w });
      if (ledger) await run.execute(insertRows(timeZone, ledger, "training_runs"));
    }
    if (deploymentIds.length > 0) {
      const ledger = liveLedgerSql({ ...base, filters: { deploymentIds }, to: w, now: w });
      if (ledger) await run.execute(insertRows(timeZone, ledger, "inference_deployments"));
    }
  }
  if (runIds.length > 0) {
    // The lifetime total the runs list sorts by: Σ of the run's day rows in one zone (every zone's days sum to the same).
    await run.execute(Prisma.sql`
      update training_runs r set "costRolledTo" = greatest(r."endedAt", r."startedAt"), "costRolledCents" = t.cents, "costRolledMicros" = t.micros
      from (
        select u.id, coalesce(sum(c."computeCents" + c."extraCents"), 0) as cents, coalesce(sum(c."computeMicros" + c."extraMicros"), 0) as micros
        from unnest(${runIds}::int[]) as u(id)
        left join cost_rollup_day c on c."timeZone" = ${zones[0]!} and c.kind = 'training' and c."itemId" = u.id
        group by u.id
      ) t
      where r.id = t.id`);
  }
  if (deploymentIds.length > 0) {
    await run.execute(Prisma.sql`
      update inference_deployments
      set "costRolledTo" = case when "activeTo" is not null and "activeTo" <= ${w} then greatest("activeTo", "activeFrom") else ${w}::timestamptz end
      where id = any(${deploymentIds}::int[])`);
  }
  return { runs: runIds.length, deployments: deploymentIds.length };
}

function insertRows(timeZone: string, ledger: Prisma.Sql, table: "training_runs" | "inference_deployments"): Prisma.Sql {
  return Prisma.sql`
    insert into cost_rollup_day ("timeZone", kind, "itemId", "bucketStart", "teamId", model, "gpuTypeId",
      "computeMicros", "extraMicros", "computeCents", "extraCents", "gpuMs", "unpricedGpuMs", "activeMs")
    select ${timeZone}, l.kind, i.id, l."bucketStart", i."teamId", i.model, i."gpuTypeId",
      l."computeCostMicros", l."extraCostMicros", l."computeCostCents", l."extraCostCents", l."gpuMs", l."unpricedGpuMs", l."activeMs"
    from (${ledger}) l
    join ${Prisma.raw(table)} i on i.id = split_part(l."groupKey", ':', 2)::int`;
}

/**
 * Rolls everything pending, in chunks of `chunk` items per transaction
 * (`transaction` opens one per chunk). For bulk loads, migrations and the
 * background roller.
 */
export async function rollAllCosts(
  transaction: <T>(work: (run: SqlRunner) => Promise<T>) => Promise<T>,
  options: { now?: Date; chunk?: number; isAdvancing?: boolean; onProgress?: (done: RollResult) => void } = {},
): Promise<RollResult> {
  const total: RollResult = { runs: 0, deployments: 0 };
  for (;;) {
    const done = await transaction((run) => rollCosts(run, { now: options.now, limit: options.chunk ?? 2_000, isAdvancing: options.isAdvancing }));
    total.runs += done.runs;
    total.deployments += done.deployments;
    options.onProgress?.(total);
    if (done.runs === 0 && done.deployments === 0) return total;
  }
}

/** Drops every cost rollup and rolls everything again, in the caller's transaction (`npm run db:rollups`, the seed). */
export async function rebuildCostRollups(run: SqlRunner, options: { now?: Date } = {}): Promise<RollResult> {
  await run.execute(Prisma.sql`update training_runs set "costRolledTo" = null where "costRolledTo" is not null`);
  await run.execute(Prisma.sql`update inference_deployments set "costRolledTo" = null where "costRolledTo" is not null`);
  await run.execute(Prisma.sql`delete from cost_rollup_day`);
  return rollCosts(run, { now: options.now, limit: 100_000_000 });
}
