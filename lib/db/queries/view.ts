import "server-only";
import { orgWhere, teamRecordWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import type { BucketUnit } from "@/lib/domain/calendar";
import { reportingZone, type ReportingZone } from "@/lib/domain/reporting-zone";
import type { TimeRange } from "@/lib/domain/time-range";
import {
  parseDashboardFilters,
  resolveRange,
  unitForRange,
  type DashboardFilters,
  type FilterNotice,
  type RangePreset,
} from "@/lib/validation/dashboard-filters";
import { db } from "../client";
import { teamBySlug } from "./teams";

type SearchParams = Record<string, string | string[] | undefined>;
type Team = NonNullable<Awaited<ReturnType<typeof teamBySlug>>>;

export interface View {
  /** The filters as applied (unknown or invalid ones removed). */
  filters: DashboardFilters;
  /** What was asked for but not applied, by parameter. */
  notices: FilterNotice[];
  /** The team in scope: the page's own, or the team filter's. */
  team: Team | null;
  zone: ReportingZone;
  range: TimeRange;
  unit: BucketUnit;
  scope: { teamId?: number; model?: string; gpuTypeId?: number };
}

/**
 * One view for a page: its filters checked against what the viewer may see
 * (an unknown team — or one they may not see, which reads the same — model
 * or GPU type is a notice, not a filter that matches nothing), its reporting
 * zone and its range in that zone. Every dashboard,
 * list and detail page resolves its view here, so the same URL means the same
 * scope, period and zone everywhere.
 */
export async function resolveView({
  viewer,
  searchParams,
  defaultRange,
  pageTeam,
  now,
}: {
  viewer: Viewer;
  searchParams: SearchParams;
  defaultRange: RangePreset;
  /** The page's own team (team dashboards), or the record's team (detail pages). */
  pageTeam?: Team | { timeZone: string } | null;
  now: Date;
}): Promise<View> {
  const { filters, notices } = parseDashboardFilters(searchParams, { range: defaultRange });
  const [filterTeam, modelExists, gpuExists] = await Promise.all([
    filters.team && !pageTeam ? teamBySlug({ viewer, slug: filters.team }) : Promise.resolve(null),
    filters.model ? modelInOrg(viewer, filters.model) : Promise.resolve(true),
    filters.gpu ? db().gpuType.count({ where: { ...orgWhere(viewer), id: filters.gpu } }).then((n) => n > 0) : Promise.resolve(true),
  ]);
  if (filters.team && !pageTeam && !filterTeam) {
    notices.push({ param: "team", message: `No team "${filters.team}": the team filter was not applied.` });
    delete filters.team;
  }
  if (filters.model && !modelExists) {
    notices.push({ param: "model", message: `No run or deployment of model "${filters.model}": the model filter was not applied.` });
    delete filters.model;
  }
  if (filters.gpu && !gpuExists) {
    notices.push({ param: "gpu", message: `No GPU type ${filters.gpu}: the GPU filter was not applied.` });
    delete filters.gpu;
  }
  const team = filterTeam ?? (pageTeam && "id" in pageTeam ? pageTeam : null);
  const teamTimeZone = pageTeam?.timeZone ?? filterTeam?.timeZone ?? null;
  if (filters.tz === "team" && !teamTimeZone) {
    notices.push({ param: "tz", message: "tz team needs a team: pick a team to report in its time zone. Showing the org's zone." });
    filters.tz = "org";
  }
  const zone = reportingZone({ choice: filters.tz, orgTimeZone: viewer.orgTimeZone, teamTimeZone });
  const range = resolveRange({ filters, now, timeZone: zone.timeZone });
  return {
    filters,
    notices,
    team,
    zone,
    range,
    unit: unitForRange(range),
    scope: { teamId: team?.id, model: filters.model, gpuTypeId: filters.gpu },
  };
}

async function modelInOrg(viewer: Viewer, model: string): Promise<boolean> {
  const [runs, deployments] = await Promise.all([
    db().trainingRun.count({ where: { ...teamRecordWhere(viewer), model }, take: 1 }),
    db().inferenceDeployment.count({ where: { ...teamRecordWhere(viewer), model }, take: 1 }),
  ]);
  return runs + deployments > 0;
}
