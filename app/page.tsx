import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { overviewFigures } from "@/lib/db/queries/dashboards";
import { formatGpuHours, formatPercent, formatUsdRate } from "@/lib/domain/display";
import { formatDateTime } from "@/lib/domain/labels";
import { allocateRounded, formatUsd } from "@/lib/domain/money";
import { Card, Stat } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="What the organization spends on GPUs this month, and what it gets." />
      <Suspense
        fallback={
          <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
            {Array.from({ length: 5 }, (_, i) => (
              <Skeleton key={i} className="h-20" />
            ))}
          </div>
        }
      >
        <Figures />
      </Suspense>
    </>
  );
}

async function Figures() {
  const viewer = await getViewer();
  const figures = await overviewFigures({ viewer, now: new Date() });
  // Team cells are rounded to cents so that they add up to the displayed total.
  const teamCents = allocateRounded({ partsMicros: figures.teams.map((t) => t.totalMicros) });
  const through = formatDateTime({ instant: new Date(figures.range.end.getTime() - 1), timeZone: viewer.orgTimeZone }).slice(0, 10);
  return (
    <div className="space-y-5">
      <p className="text-xs text-slate-500">
        Month to date, {formatDateTime({ instant: figures.range.start, timeZone: viewer.orgTimeZone }).slice(0, 10)} – {through} ({viewer.orgTimeZone})
      </p>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        <Stat label="Spend" value={formatUsd({ cents: teamCents.totalCents })} hint={figures.unpricedGpuHours > 0 ? `${formatGpuHours(figures.unpricedGpuHours)} GPU-h without a price` : undefined} />
        <Stat label="Training" value={formatUsd({ micros: figures.trainingMicros })} />
        <Stat label="Inference" value={formatUsd({ micros: figures.inferenceMicros })} />
        <Stat label="GPU-hours" value={formatGpuHours(figures.gpuHours)} />
        <Stat label="Inference $/1M tokens" value={formatUsdRate(figures.costPerMillionTokensUsd)} hint="Inference cost ÷ (input + output tokens)" />
      </div>
      <Card title="Spend by team">
        {figures.teams.length === 0 ? (
          <EmptyState title="No teams yet">Create a team in Settings, then record runs and deployments for it.</EmptyState>
        ) : (
          <DataTable
            caption="Spend by team, month to date"
            rows={figures.teams.map((t, i) => ({ ...t, cents: teamCents.partsCents[i]! }))}
            rowKey={(t) => t.teamId}
            columns={[
              { key: "team", header: "Team", cell: (t) => <span className="font-medium">{t.name}</span> },
              { key: "training", header: "Training", isNumeric: true, cell: (t) => formatUsd({ micros: t.trainingMicros }) },
              { key: "inference", header: "Inference", isNumeric: true, cell: (t) => formatUsd({ micros: t.inferenceMicros }) },
              { key: "total", header: "Total", isNumeric: true, cell: (t) => <span className="font-medium">{formatUsd({ cents: t.cents })}</span> },
              { key: "budget", header: "Monthly budget", isNumeric: true, cell: (t) => formatUsd({ micros: t.budgetMicros }) },
              {
                key: "used",
                header: "Budget used",
                isNumeric: true,
                cell: (t) => {
                  const share = t.budgetMicros > 0n ? Number(t.totalMicros) / Number(t.budgetMicros) : null;
                  return <span className={share !== null && share > 1 ? "font-semibold text-red-700" : undefined}>{formatPercent(share)}</span>;
                },
              },
            ]}
          />
        )}
      </Card>
    </div>
  );
}
