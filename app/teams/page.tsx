import type { Metadata } from "next";
import Link from "next/link";
import type { Route } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { teamsMonthToDate, type TeamSpend } from "@/lib/db/queries/dashboards";
import { resolveView } from "@/lib/db/queries/view";
import { formatPeriod } from "@/lib/domain/labels";
import { FilterNotices } from "@/components/filters/filter-notices";
import { TeamCoverageSection } from "@/app/_coverage/section";
import { ZoneSwitch } from "@/components/filters/zone-switch";
import { formatPercent } from "@/lib/domain/display";
import { formatUsd } from "@/lib/domain/money";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Teams" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TeamsPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  const now = new Date();
  const view = await resolveView({ viewer, searchParams: await searchParams, defaultRange: "mtd", now });
  const figures = await teamsMonthToDate({ viewer, now, timeZone: view.zone.timeZone });
  return (
    <>
      <PageHeader title="Teams" description="Month-to-date spend of each team against its monthly budget." />
      <FilterNotices notices={view.notices} />
      <TeamCoverageSection viewer={viewer} />
      <ZoneSwitch current={view.zone.choice} orgTimeZone={viewer.orgTimeZone} path="/teams" />
      <Card title={`This month to date · ${formatPeriod({ range: { start: figures.range.start, end: now < figures.range.end ? now : figures.range.end }, timeZone: view.zone.timeZone })} · ${view.zone.label}`}>
        {figures.teams.length === 0 ? <EmptyState title="No teams yet">Create a team in Settings to group runs and deployments.</EmptyState> : <TeamsTable teams={figures.teams} />}
      </Card>
    </>
  );
}

function TeamsTable({ teams }: { teams: TeamSpend[] }) {
  return (
    <DataTable
      caption="Teams with month-to-date spend and budget"
      rows={teams}
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
        { key: "training", header: "Training", isNumeric: true, cell: (t) => formatUsd({ cents: t.trainingCents }) },
        { key: "inference", header: "Inference", isNumeric: true, cell: (t) => formatUsd({ cents: t.inferenceCents }) },
        { key: "total", header: "Month to date", isNumeric: true, cell: (t) => <span className="font-medium">{formatUsd({ cents: t.totalCents })}</span> },
        { key: "budget", header: "Budget", isNumeric: true, cell: (t) => formatUsd({ micros: t.budgetMicros }) },
        {
          key: "used",
          header: "Used",
          isNumeric: true,
          cell: (t) => {
            const share = t.budgetMicros > 0n ? (Number(t.totalCents) * 10_000) / Number(t.budgetMicros) : null;
            return <span className={share !== null && share > 1 ? "font-semibold text-red-700" : undefined}>{formatPercent(share)}</span>;
          },
        },
      ]}
    />
  );
}
