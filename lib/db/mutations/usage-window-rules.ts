import { teamScopeSql } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { formatDateTime } from "@/lib/domain/labels";
import { Prisma, type SqlRunner } from "../sql";
import { lockDeploymentUsage } from "./usage-rollups";

/**
 * Rules a usage window must meet against the other windows of its deployment,
 * shared by the form writes (usage-windows.ts) and undo (records.ts). Kept
 * free of records.ts so both can import it.
 *
 * Windows of one deployment may not overlap. The rollups would accept it —
 * they prorate each window by time and add them — but two totals for the
 * same stretch of time count its traffic twice (and its busy time, which
 * hides idle cost), so a person entering periods by hand is told which
 * recorded period the new one runs into.
 */

export interface DeploymentPeriodRow {
  id: number;
  teamId: number;
  name: string;
  activeFrom: Date;
  activeTo: Date | null;
  /** The zone the deployment's team reports in: where its forms read and show local times. */
  timeZone: string;
}

/**
 * Locks the viewer's deployment for the rest of the transaction and returns
 * its active period, or null when it doesn't exist (or is on a team the
 * viewer can't read: callers then authorize the write against `teamId`). Every write of a window, and every change of the deployment's
 * period or team, takes this lock first, so checks of windows against the
 * period and against each other can't race. The deployment's usage lock
 * (lockDeploymentUsage, which batch writers take before their row lock)
 * comes first, so every path takes the two in one order, and a delete waits
 * for a batch in flight before it copies and deletes the windows (not after,
 * when the batch's share of its team's rollup rows would be left behind).
 */
export async function lockDeployment(run: SqlRunner, { viewer, deploymentId }: { viewer: Viewer; deploymentId: number }): Promise<DeploymentPeriodRow | null> {
  await lockDeploymentUsage(run, [deploymentId]);
  const [row] = await run.query<DeploymentPeriodRow>(Prisma.sql`
    select d.id, d."teamId", d.name, d."activeFrom", d."activeTo", t."timeZone"
    from inference_deployments d join teams t on t.id = d."teamId"
    where d.id = ${deploymentId} and ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}
    for no key update of d`);
  return row ?? null;
}

/** "2026-11-18 00:00–2026-11-19 00:00 (Europe/London)": a window as the person entered it. */
export function describeWindow({ start, seconds, timeZone }: { start: Date; seconds: number; timeZone: string }): string {
  const end = new Date(start.getTime() + seconds * 1000);
  return `${formatDateTime({ instant: start, timeZone })}–${formatDateTime({ instant: end, timeZone })} (${timeZone})`;
}

export type WindowClash = { field: "windowStart" | "windowSeconds"; message: string };

/**
 * The first recorded window of the deployment that the window
 * [start, start + seconds) would share its start with or overlap, as a field
 * error; null when there is none. `exceptStart` leaves out the window being
 * edited.
 */
export async function findWindowClash(
  run: SqlRunner,
  { deploymentId, start, seconds, exceptStart, timeZone }: { deploymentId: number; start: Date; seconds: number; exceptStart?: Date; timeZone: string },
): Promise<WindowClash | null> {
  const end = new Date(start.getTime() + seconds * 1000);
  const except = Prisma.sql`(${exceptStart ?? null}::timestamptz is null or "windowStart" <> ${exceptStart ?? null}::timestamptz)`;
  // Recorded windows never overlap one another: of those starting before `start`, only the last can reach past it.
  const [other] = await run.query<{ windowStart: Date; windowSeconds: number }>(Prisma.sql`
    select "windowStart", "windowSeconds" from (
      (select "windowStart", "windowSeconds" from inference_usage_windows
       where "deploymentId" = ${deploymentId} and "windowStart" < ${start} and ${except}
       order by "windowStart" desc limit 1)
      union all
      (select "windowStart", "windowSeconds" from inference_usage_windows
       where "deploymentId" = ${deploymentId} and "windowStart" >= ${start} and "windowStart" < ${end} and ${except}
       order by "windowStart" limit 1)
    ) w
    where "windowStart" + make_interval(secs => "windowSeconds") > ${start}
    order by "windowStart" limit 1`);
  if (!other) return null;
  const recorded = describeWindow({ start: other.windowStart, seconds: other.windowSeconds, timeZone });
  if (other.windowStart.getTime() === start.getTime()) {
    return { field: "windowStart", message: `Usage starting ${formatDateTime({ instant: start, timeZone })} is already recorded (${recorded}); edit that record instead` };
  }
  const field = other.windowStart < start ? "windowStart" : "windowSeconds";
  return {
    field,
    message: `Overlaps the usage recorded for ${recorded}; periods of one deployment can't overlap, or their traffic would count twice`,
  };
}

/** Where the deployment's usage lies outside a proposed active period: counts and the extreme instants. */
export async function windowsOutsidePeriod(
  run: SqlRunner,
  { deploymentId, activeFrom, activeTo }: { deploymentId: number; activeFrom: Date; activeTo: Date | null },
): Promise<{ before: { count: number; earliest: Date } | null; after: { count: number; latestEnd: Date } | null }> {
  const [row] = await run.query<{ beforeCount: number; earliest: Date | null; afterCount: number; latestEnd: Date | null }>(Prisma.sql`
    with w as (
      select "windowStart" as s, "windowStart" + make_interval(secs => "windowSeconds") as e
      from inference_usage_windows where "deploymentId" = ${deploymentId}
    )
    select
      (count(*) filter (where s < ${activeFrom}))::int as "beforeCount",
      min(s) filter (where s < ${activeFrom}) as earliest,
      (count(*) filter (where ${activeTo}::timestamptz is not null and e > ${activeTo}::timestamptz))::int as "afterCount",
      max(e) filter (where ${activeTo}::timestamptz is not null and e > ${activeTo}::timestamptz) as "latestEnd"
    from w`);
  return {
    before: row && row.beforeCount > 0 && row.earliest ? { count: row.beforeCount, earliest: row.earliest } : null,
    after: row && row.afterCount > 0 && row.latestEnd ? { count: row.afterCount, latestEnd: row.latestEnd } : null,
  };
}
