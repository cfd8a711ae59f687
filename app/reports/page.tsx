import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { monthlyCostByTeam } from "@/lib/db/queries/dashboards";
import { resolveView } from "@/lib/db/queries/view";
import { formatDateTime } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { FilterNotices } from "@/components/filters/filter-notices";
import { ZoneSwitch } from "@/components/filters/zone-switch";
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
  const report = await monthlyCostByTeam({ viewer, now, timeZone: view.zone.timeZone });
  const th = "px-3 py-2 text-right whitespace-nowrap";
  // Months as columns, oldest first, so the table's width does not grow with the number of teams.
  const months = [...report.months].reverse();
  const monthLabel = (start: Date) => formatDateTime({ instant: start, timeZone: view.zone.timeZone }).slice(0, 7);
  return (
    <>
      <PageHeader title="Reports" description="Monthly cost by team: training and inference GPU time plus storage, data and network." />
      <FilterNotices notices={view.notices} />
      <ZoneSwitch current={view.zone.choice} orgTimeZone={viewer.orgTimeZone} path="/reports" />
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
                        {monthLabel(m.monthStart)}
                      </th>
                    ))}
                    <th scope="col" className={th}>Total</th>
                  </tr>
                </thead>
                <tbody>
                  {report.teams.map((t, i) => (
                    <tr key={t.key} className="border-b border-slate-100">
                      <th scope="row" className="px-3 py-1.5 text-left font-medium">{t.label}</th>
                      {months.map((m) => (
                        <td key={m.monthStart.getTime()} className="px-3 py-1.5 text-right tabular-nums">{formatUsd({ cents: m.cellsCents[i]! })}</td>
                      ))}
                      <td className="px-3 py-1.5 text-right font-semibold tabular-nums">{formatUsd({ cents: report.teamTotalsCents[i]! })}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr className="border-t-2 border-slate-300 font-semibold">
                    <th scope="row" className="px-3 py-1.5 text-left">All teams</th>
                    {months.map((m) => (
                      <td key={m.monthStart.getTime()} className="px-3 py-1.5 text-right tabular-nums">{formatUsd({ cents: m.totalCents })}</td>
                    ))}
                    <td className="px-3 py-1.5 text-right tabular-nums">{formatUsd({ cents: report.totalCents })}</td>
                  </tr>
                </tfoot>
              </table>
            </ScrollRegion>
            <p className="px-3 py-2 text-xs text-slate-500">
              Months in {view.zone.label}; the current month is to date. Each cell is the sum of its runs&apos; and deployments&apos; cents, so rows and columns add up to their totals.
            </p>
          </>
        )}
      </Card>
    </>
  );
}
