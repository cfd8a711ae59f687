import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { can } from "@/lib/access/policy";
import { cachedMonthReport, cachedTeamCoverage } from "@/lib/cache/read-models";
import { teamBySlug } from "@/lib/db/queries/teams";
import { resolveView } from "@/lib/db/queries/view";
import { monthOf, monthTitle, reportMonthSchema } from "@/lib/reports/month";
import { MonthReportView } from "@/components/reports/month-report";

/**
 * What /reports/[month] and /reports/[month]/[team] share: the month and team
 * from the path (invalid or unknown → 404), the view's zone from ?tz=, and
 * the whole report read before anything renders (no streaming), so a bad
 * address answers 404 and a failure 500.
 */
export type ReportSearchParams = Promise<Record<string, string | string[] | undefined>>;

const TEAM_SLUG = /^[a-z0-9-]{1,64}$/;

const teamFor = cache(async (slug: string) => {
  if (!TEAM_SLUG.test(slug)) return null;
  return teamBySlug({ viewer: await getViewer(), slug });
});

function parseMonth(month: string): string | null {
  const parsed = reportMonthSchema.safeParse(month);
  return parsed.success ? parsed.data : null;
}

export async function reportMetadata({ month, teamSlug }: { month: string; teamSlug?: string }): Promise<Metadata> {
  const valid = parseMonth(month);
  if (!valid) return { title: "Cost report" };
  const team = teamSlug ? await teamFor(teamSlug) : null;
  return { title: `${monthTitle(valid)}${team ? ` · ${team.name}` : ""} · Cost report` };
}

/** The report page's content; called by the page (not rendered as a child) so everything is read before rendering starts. */
export async function renderMonthReport({ month: monthParam, teamSlug, searchParams }: { month: string; teamSlug?: string; searchParams: ReportSearchParams }) {
  const month = parseMonth(monthParam);
  if (!month) notFound();
  const viewer = await getViewer();
  const team = teamSlug === undefined ? null : await teamFor(teamSlug);
  if (teamSlug !== undefined && !team) notFound();
  const now = new Date();
  const params = await searchParams;
  // Only the zone comes from the query: the month is in the path, and the team (if any) too.
  const view = await resolveView({ viewer, searchParams: { tz: params.tz }, defaultRange: "mtd", pageTeam: team, now });
  const timeZone = view.zone.timeZone;
  const [report, coverage] = await Promise.all([
    cachedMonthReport({ viewer, month, timeZone, ...(team ? { teamId: team.id } : {}), now }),
    team ? Promise.resolve(null) : cachedTeamCoverage(viewer),
  ]);
  const notice = typeof params.notice === "string" ? params.notice : undefined;
  return (
    <MonthReportView
      report={report}
      org={{ name: viewer.orgName, timeZone: viewer.orgTimeZone }}
      canCloseMonths={can(viewer, "org:manage")}
      zone={view.zone}
      notices={view.notices}
      team={team ? { slug: team.slug, name: team.name, timeZone: team.timeZone } : null}
      currentMonth={monthOf({ instant: now, timeZone })}
      notice={notice}
      coverage={coverage}
    />
  );
}
