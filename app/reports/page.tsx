import type { Metadata } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { monthlyCostByTeam } from "@/lib/db/queries/dashboards";
import { formatDateTime } from "@/lib/domain/labels";
import { allocateRounded, formatUsd } from "@/lib/domain/money";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Reports" };

export default function ReportsPage() {
  return (
    <>
      <PageHeader title="Reports" description="Monthly cost by team: training and inference GPU time plus storage, data and network." />
      <Card title="Cost by team and month">
        <Suspense fallback={<TableSkeleton rows={6} />}>
          <MonthlyTable />
        </Suspense>
      </Card>
    </>
  );
}

async function MonthlyTable() {
  const viewer = await getViewer();
  const { rows } = await monthlyCostByTeam({ viewer, now: new Date() });
  if (rows.length === 0) return <EmptyState title="No costs recorded yet">Record a training run or a deployment to see monthly totals.</EmptyState>;
  const months = [...new Set(rows.map((r) => r.bucketStart.getTime()))].sort((a, b) => b - a);
  const teams = [...new Map(rows.map((r) => [r.groupKey, r.groupLabel])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const micros = (month: number, team: string) =>
    rows.filter((r) => r.bucketStart.getTime() === month && r.groupKey === team).reduce((s, r) => s + r.computeCostMicros + r.extraCostMicros, 0n);
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">Cost by team and month ({viewer.orgTimeZone})</caption>
        <thead>
          <tr className="border-b border-slate-200 bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <th scope="col" className="px-3 py-2">Month</th>
            {teams.map(([key, label]) => (
              <th key={key} scope="col" className="px-3 py-2 text-right">{label}</th>
            ))}
            <th scope="col" className="px-3 py-2 text-right">Total</th>
          </tr>
        </thead>
        <tbody>
          {months.map((month) => {
            // Cells are rounded to cents so that each row adds up to its total.
            const cents = allocateRounded({ partsMicros: teams.map(([key]) => micros(month, key)) });
            return (
              <tr key={month} className="border-b border-slate-100 last:border-0">
                <th scope="row" className="px-3 py-1.5 text-left font-medium">
                  {formatDateTime({ instant: new Date(month), timeZone: viewer.orgTimeZone }).slice(0, 7)}
                </th>
                {cents.partsCents.map((c, i) => (
                  <td key={teams[i]![0]} className="px-3 py-1.5 text-right tabular-nums">{formatUsd({ cents: c })}</td>
                ))}
                <td className="px-3 py-1.5 text-right font-semibold tabular-nums">{formatUsd({ cents: cents.totalCents })}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="px-3 py-2 text-xs text-slate-500">Months in {viewer.orgTimeZone}. The current month is to date.</p>
    </div>
  );
}
