import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { filterOptions } from "@/lib/db/queries/catalog";
import { dashboardData } from "@/lib/db/queries/dashboards";
import { teamBySlug } from "@/lib/db/queries/teams";
import { parseDashboardFilters, resolveRange, unitForRange, type DashboardFilters } from "@/lib/validation/dashboard-filters";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { FilterBar } from "@/components/filters/filter-bar";
import { PageHeader } from "@/components/ui/page-header";
import { DashboardSkeleton } from "@/components/ui/skeleton";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function OverviewPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const filters = parseDashboardFilters({ range: "mtd", ...params });
  return (
    <>
      <PageHeader title="Overview" description="What the organization spends on GPUs, where, on what, and what it gets." />
      <Suspense fallback={null}>
        <Filters filters={filters} />
      </Suspense>
      <Suspense key={JSON.stringify(filters)} fallback={<DashboardSkeleton />}>
        <Overview filters={filters} />
      </Suspense>
    </>
  );
}

async function Filters({ filters }: { filters: DashboardFilters }) {
  const viewer = await getViewer();
  return <FilterBar key={JSON.stringify(filters)} filters={filters} options={await filterOptions({ viewer })} />;
}

async function Overview({ filters }: { filters: DashboardFilters }) {
  const viewer = await getViewer();
  const now = new Date();
  const timeZone = viewer.orgTimeZone;
  const range = resolveRange({ filters, now, timeZone });
  const team = filters.team ? await teamBySlug({ viewer, slug: filters.team }) : null;
  const data = await dashboardData({
    viewer,
    scope: { teamId: team?.id, model: filters.model, gpuTypeId: filters.gpu },
    range,
    unit: unitForRange(range),
    timeZone,
    isMonthToDate: filters.range === "mtd",
    now,
  });
  return <DashboardView data={data} showTeams={!filters.team} />;
}
