import type pg from "pg";
import { pgRunner, Prisma } from "../sql";
import { rebuildUsageRollups } from "./usage-rollups";

/**
 * The format the usage rollups are built in. Bump it when a change to how
 * raw windows become rollup rows (lib/domain usage-rollup.ts, summary-sketch.ts)
 * makes a recomputation differ from the stored rows, and say below which
 * windows it changes; applying migrations (npm start, npm run db:migrate,
 * scripts/lib/schema-engine.ts) then rebuilds the rollups once.
 *   1  summary-only windows as point masses (51% at p50, 45% at p95, 4% at
 *      p99); a window spanning quarters split key by key.
 *   2  summary-only windows interpolated through p50/p95/p99 in log space
 *      (summary-sketch.ts); sketches split across quarters by shortfall
 *      (usage-rollup.ts splitSketch).
 */
export const ROLLUP_FORMAT_VERSION = 2;

/**
 * Whether any raw window's rollup rows differ between format 1 and 2:
 * summary-only windows that served requests, and sketches of more than one
 * key spanning more than one 15-minute bucket (a one-key sketch splits the
 * same way in both). Without such windows the stored rows are already right.
 */
const CHANGED_SINCE_FORMAT_1 = Prisma.sql`
  select exists (
    select 1 from inference_usage_windows w
    where (coalesce(cardinality(w."latencyKeys"), 0) = 0 and w.requests > w.errors
           and w."latencyP50Ms" is not null and w."latencyP95Ms" is not null and w."latencyP99Ms" is not null)
       or (cardinality(w."latencyKeys") > 1
           and floor(extract(epoch from w."windowStart") * 1000 / 900000)
             <> floor((extract(epoch from w."windowStart") * 1000 + w."windowSeconds" * 1000 - 1) / 900000))
  ) as "changed"`;

/** The rollups were built by a newer Burnrate (its format is unknown here). */
export class RollupFormatTooNewError extends Error {
  constructor(readonly version: number) {
    super(`the usage rollups are in format ${version}, newer than this code's ${ROLLUP_FORMAT_VERSION} — they were built by a newer Burnrate; update the code (git pull)`);
    this.name = "RollupFormatTooNewError";
  }
}

export interface RollupFormatUpgrade {
  from: number;
  to: number;
  /** Set when the rollups were rebuilt; null when the stored rows already matched (or there were none). */
  rebuilt: { deployments: number; quarters: number; seconds: number } | null;
}

/**
 * Brings the stored rollups to ROLLUP_FORMAT_VERSION in one transaction:
 * rebuilds them from the raw windows (rebuildUsageRollups) when they were
 * built in an older format that differs for this data, then stores the
 * version. Concurrent callers queue on the format row; the later ones find
 * the new version and do nothing. Null when already current. Refuses a
 * database whose rollups are in a newer format than this code writes.
 */
export async function upgradeRollupFormat(client: pg.ClientBase): Promise<RollupFormatUpgrade | null> {
  const run = pgRunner(client);
  await client.query("begin");
  try {
    // No row: rollups from before formats were recorded (format 1), or a fresh database.
    await run.execute(Prisma.sql`insert into rollup_format (id, version) values (1, 1) on conflict (id) do nothing`);
    const [row] = await run.query<{ version: number }>(Prisma.sql`select version from rollup_format where id = 1 for update`);
    const from = row!.version;
    if (from > ROLLUP_FORMAT_VERSION) throw new RollupFormatTooNewError(from);
    if (from === ROLLUP_FORMAT_VERSION) {
      await client.query("commit");
      return null;
    }
    const [{ changed } = { changed: false }] = await run.query<{ changed: boolean }>(CHANGED_SINCE_FORMAT_1);
    let rebuilt: RollupFormatUpgrade["rebuilt"] = null;
    if (changed) {
      const started = performance.now();
      const result = await rebuildUsageRollups(run);
      rebuilt = { ...result, seconds: (performance.now() - started) / 1000 };
    }
    await run.execute(Prisma.sql`update rollup_format set version = ${ROLLUP_FORMAT_VERSION} where id = 1`);
    await client.query("commit");
    return { from, to: ROLLUP_FORMAT_VERSION, rebuilt };
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  }
}

/** After a full rebuild with this code (npm run db:rollups): the rollups are in the current format. */
export async function markRollupFormatCurrent(client: pg.ClientBase): Promise<void> {
  await pgRunner(client).execute(Prisma.sql`
    insert into rollup_format (id, version) values (1, ${ROLLUP_FORMAT_VERSION})
    on conflict (id) do update set version = excluded.version`);
}
