import type { Metadata } from "next";
import { NoticeBanner } from "@/components/records/notice-banner";
import { ButtonLink } from "@/components/ui/button";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { recordNotice } from "@/lib/db/queries/audit-history";
import { filterOptions } from "@/lib/db/queries/catalog";
import { trainingCharts, trainingRunsPage } from "@/lib/db/queries/dashboards";
import { teamBySlug } from "@/lib/db/queries/teams";
import { bucketsBetween } from "@/lib/domain/calendar";
import {
  filtersToSearch,
  parseDashboardFilters,
  parseTableParams,
  resolveRange,
  unitForRange,
  type DashboardFilters,
  type TableParams,
} from "@/lib/validation/dashboard-filters";
import { FilterBar } from "@/components/filters/filter-bar";
import { TrainingCharts } from "@/components/dashboard/training-charts";
import { TrainingRunsTable } from "@/components/tables/training-runs-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Training" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TrainingPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const filters = parseDashboardFilters(params);
  const table = parseTableParams(params);
  return (
    <>
      <Suspense fallback={null}>
        <Notice searchParams={params} />
      </Suspense>
      <PageHeader
        title="Training runs"
        description="Runs active in the range. Cost is GPU time at the price in effect plus storage, data and network."
        actions={
          <>
            <ButtonLink href="/import">Import CSV</ButtonLink>
            <ButtonLink href="/training/new" variant="primary">
              New run
            </ButtonLink>
          </>
        }
      />
      <Suspense fallback={<TableSkeleton rows={2} />}>
        <Filters filters={filters} table={table} />
      </Suspense>
      <Suspense key={`charts-${JSON.stringify(filters)}`} fallback={<Skeleton className="mb-5 h-72 w-full" />}>
        <Charts filters={filters} />
      </Suspense>
      <Card>
        <Suspense key={JSON.stringify(params)} fallback={<TableSkeleton />}>
          <Runs filters={filters} table={table} />
        </Suspense>
      </Card>
    </>
  );
}

async function Filters({ filters, table }: { filters: DashboardFilters; table: TableParams }) {
  const viewer = await getViewer();
  const options = await filterOptions({ viewer });
  return <FilterBar key={JSON.stringify(filters)} filters={filters} options={options} keep={{ sort: table.sort, dir: table.dir }} />;
}

async function Charts({ filters }: { filters: DashboardFilters }) {
  const viewer = await getViewer();
  const now = new Date();
  const timeZone = viewer.orgTimeZone;
  const range = resolveRange({ filters, now, timeZone });
  const unit = unitForRange(range) === "day" && range.end.getTime() - range.start.getTime() > 14 * 86_400_000 ? "week" : unitForRange(range);
  const team = filters.team ? await teamBySlug({ viewer, slug: filters.team }) : null;
  const charts = await trainingCharts({ viewer, scope: { teamId: team?.id, model: filters.model, gpuTypeId: filters.gpu }, range, unit, timeZone, now });
  return (
    <TrainingCharts
      byModel={charts.byModel}
      byGpu={charts.byGpu}
      gpuHours={charts.gpuHoursByBucket}
      buckets={bucketsBetween({ from: range.start, to: range.end, unit, timeZone })}
      unit={unit}
      timeZone={timeZone}
    />
  );
}

async function Runs({ filters, table }: { filters: DashboardFilters; table: TableParams }) {
  const viewer = await getViewer();
  const now = new Date();
  const range = resolveRange({ filters, now, timeZone: viewer.orgTimeZone });
  const result = await trainingRunsPage({
    viewer,
    now,
    filters: { teamSlug: filters.team, model: filters.model, gpuTypeId: filters.gpu, range },
    table,
  });
  const href = (changes: Partial<TableParams>) => `/training${filtersToSearch({ ...filters, ...table, ...changes })}`;
  return (
    <>
      <TrainingRunsTable
        runs={result.rows}
        timeZone={viewer.orgTimeZone}
        sort={{ key: table.sort, dir: table.dir, hrefFor: (sort, dir) => href({ sort: sort as TableParams["sort"], dir, page: 1 }) }}
      />
      {result.total > 0 ? <Pagination page={result.page} pageCount={result.pageCount} total={result.total} noun="runs" hrefFor={(page) => href({ page })} /> : null}
    </>
  );
}

async function Notice({ searchParams }: { searchParams: Record<string, string | string[] | undefined> }) {
  return <NoticeBanner {...await recordNotice({ viewer: await getViewer(), searchParams })} />;
}
