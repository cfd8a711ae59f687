import type { Metadata } from "next";
import Link from "next/link";
import type { Route } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { cachedMonthlyCostByTeam, cachedReportMonths } from "@/lib/cache/read-models";
import { settingsTeams } from "@/lib/db/queries/settings";
import { resolveView } from "@/lib/db/queries/view";
import { formatDateTime } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { monthTitle } from "@/lib/reports/month";
import { FilterNotices } from "@/components/filters/filter-notices";
import { TeamCoverageSection } from "@/app/_coverage/section";
import { ZoneSwitch } from "@/components/filters/zone-switch";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { ScrollRegion } from "@/components/ui/scroll-region";

export const metadata: Metadata = { title: "Reports" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ReportsPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  const now = new Date();
  const view = await resolveView({ viewer, searchParams: await searchParams, defaultRange: "mtd", now });
  const { timeZone } = view.zone;
  const [report, listed, teams] = await Promise.all([
    cachedMonthlyCostByTeam({ viewer, now, timeZone }),
    cachedReportMonths({ viewer, timeZone, now }),
    settingsTeams({ viewer }),
  ]);
  // Links keep the zone; "team" has no team here, so it is the org's zone.
  const tz = view.zone.choice === "utc" ? "?tz=utc" : "";
  const slugById = new Map(teams.map((t) => [String(t.id), t.slug]));
  const th = "px-3 py-2 text-right whitespace-nowrap";
  // Months as columns, oldest first, so the table's width does not grow with the number of teams.
  const months = [...report.months].reverse();
  const monthKey = (start: Date) => formatDateTime({ instant: start, timeZone }).slice(0, 7);
  const hasClosedMonth = listed.months.some((m) => m.closure !== null);
  // Figures that open a report: a quiet underline, so the table still reads as numbers.
  const cellLink = "rounded-sm underline decoration-slate-300 underline-offset-4 hover:text-blue-800 hover:decoration-blue-700";
  return (
    <>
      <PageHeader title="Reports" description="Monthly cost reports: training and inference GPU time plus storage, data and network, by team." />
      <FilterNotices notices={view.notices} />
      <TeamCoverageSection viewer={viewer} />
      <ZoneSwitch current={view.zone.choice} orgTimeZone={viewer.orgTimeZone} path="/reports" />
      <div className="space-y-5">
        <Card title={`Monthly reports · ${view.zone.label}`}>
          {listed.months.length === 0 ? (
            <EmptyState title="No reports yet">Record a training run or a deployment to see its month here.</EmptyState>
          ) : (
            <ScrollRegion label="Monthly reports">
              <table className="w-full border-collapse text-sm">
                <caption className="sr-only">Monthly reports, newest first ({view.zone.label})</caption>
                <thead>
                  <tr className="border-b border-slate-200 bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    <th scope="col" className="w-48 px-3 py-2">Month</th>
                    <th scope="col" className="px-3 py-2">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {listed.months.map((m) => (
                    <tr key={m.month} className="border-b border-slate-100 last:border-0 hover:bg-slate-50">
                      <th scope="row" className="whitespace-nowrap px-3 py-1.5 text-left font-medium">
                        <Link href={`/reports/${m.month}${tz}` as Route} className="text-blue-800 hover:underline">
                          {monthTitle(m.month)}
                        </Link>
                      </th>
                      <td className="px-3 py-1.5 text-slate-700">
                        {m.closure ? (
                          <span className="flex flex-wrap items-center gap-2">
                            <Badge tone="good">Closed</Badge>
                            <span>
                              by {m.closure.closedByName} on <span className="whitespace-nowrap">{formatDateTime({ instant: m.closure.closedAt, timeZone })}</span>
                            </span>
                          </span>
                        ) : m.isInProgress ? (
                          <Badge tone="info">In progress</Badge>
                        ) : (
                          <Badge>Open</Badge>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          )}
        </Card>
        <Card title={`Cost by team and month · ${view.zone.label}`}>
          {report.months.length === 0 ? (
            <EmptyState title="No costs recorded yet">Record a training run or a deployment to see monthly totals.</EmptyState>
          ) : (
            <>
              <ScrollRegion label="Cost by team and month">
                <table className="w-full border-collapse text-sm">
                  <caption className="sr-only">Cost by team and month ({view.zone.label})</caption>
                  <thead>
                    <tr className="border-b border-slate-200 bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                      <th scope="col" className="px-3 py-2">Team</th>
                      {months.map((m) => (
                        <th key={m.monthStart.getTime()} scope="col" className={th}>
                          <Link href={`/reports/${monthKey(m.monthStart)}${tz}` as Route} className={cellLink}>
                            {monthKey(m.monthStart)}
                          </Link>
                        </th>
                      ))}
                      <th scope="col" className={th}>Total</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.teams.map((t, i) => {
                      const slug = slugById.get(t.key);
                      return (
                        <tr key={t.key} className="border-b border-slate-100">
                          <th scope="row" className="px-3 py-1.5 text-left font-medium">{t.label}</th>
                          {months.map((m) => {
                            const text = formatUsd({ cents: m.cellsCents[i]! });
                            return (
                              <td key={m.monthStart.getTime()} className="px-3 py-1.5 text-right tabular-nums">
                                {slug ? (
                                  <Link
                                    href={`/reports/${monthKey(m.monthStart)}/${slug}${tz}` as Route}
                                    aria-label={`${text}: ${t.label}, ${monthTitle(monthKey(m.monthStart))} report`}
                                    className={cellLink}
                                  >
                                    {text}
                                  </Link>
                                ) : (
                                  text
                                )}
                              </td>
                            );
                          })}
                          <td className="px-3 py-1.5 text-right font-semibold tabular-nums">{formatUsd({ cents: report.teamTotalsCents[i]! })}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                  <tfoot>
                    <tr className="border-t-2 border-slate-300 font-semibold">
                      <th scope="row" className="px-3 py-1.5 text-left">All teams</th>
                      {months.map((m) => (
                        <td key={m.monthStart.getTime()} className="px-3 py-1.5 text-right tabular-nums">
                          <Link href={`/reports/${monthKey(m.monthStart)}${tz}` as Route} className={cellLink}>
                            {formatUsd({ cents: m.totalCents })}
                          </Link>
                        </td>
                      ))}
                      <td className="px-3 py-1.5 text-right tabular-nums">{formatUsd({ cents: report.totalCents })}</td>
                    </tr>
                  </tfoot>
                </table>
              </ScrollRegion>
              <p className="px-3 py-2 text-xs text-slate-500">
                Months in {view.zone.label}; the current month is to date. Each cell is the sum of its runs&apos; and deployments&apos; cents, so rows and columns add up to their totals,
                and opens that team&apos;s report for the month.
                {hasClosedMonth ? " Closed months show current figures here; their reports show the figures as closed, with later changes billed as corrections in the next open month." : ""}
              </p>
            </>
          )}
        </Card>
      </div>
    </>
  );
}
