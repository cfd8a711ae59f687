import type { Metadata } from "next";
import Link from "next/link";
import type { Route } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { overviewFigures } from "@/lib/db/queries/dashboards";
import { formatPercent } from "@/lib/domain/display";
import { formatUsd } from "@/lib/domain/money";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Teams" };

export default function TeamsPage() {
  return (
    <>
      <PageHeader title="Teams" description="Month-to-date spend of each team against its monthly budget." />
      <Card>
        <Suspense fallback={<TableSkeleton rows={5} />}>
          <Teams />
        </Suspense>
      </Card>
    </>
  );
}

async function Teams() {
  const viewer = await getViewer();
  const figures = await overviewFigures({ viewer, now: new Date() });
  if (figures.teams.length === 0) return <EmptyState title="No teams yet">Create a team in Settings to group runs and deployments.</EmptyState>;
  return (
    <DataTable
      caption="Teams with month-to-date spend and budget"
      rows={figures.teams}
      rowKey={(t) => t.teamId}
      columns={[
        {
          key: "name",
          header: "Team",
          cell: (t) => (
            <Link href={`/teams/${t.slug}` as Route} className="font-medium text-blue-800 hover:underline">
              {t.name}
            </Link>
          ),
        },
        { key: "training", header: "Training", isNumeric: true, cell: (t) => formatUsd({ micros: t.trainingMicros }) },
        { key: "inference", header: "Inference", isNumeric: true, cell: (t) => formatUsd({ micros: t.inferenceMicros }) },
        { key: "total", header: "Month to date", isNumeric: true, cell: (t) => <span className="font-medium">{formatUsd({ micros: t.totalMicros })}</span> },
        { key: "budget", header: "Budget", isNumeric: true, cell: (t) => formatUsd({ micros: t.budgetMicros }) },
        {
          key: "used",
          header: "Used",
          isNumeric: true,
          cell: (t) => {
            const share = t.budgetMicros > 0n ? Number(t.totalMicros) / Number(t.budgetMicros) : null;
            return <span className={share !== null && share > 1 ? "font-semibold text-red-700" : undefined}>{formatPercent(share)}</span>;
          },
        },
      ]}
    />
  );
}
