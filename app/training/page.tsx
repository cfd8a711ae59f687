import type { Metadata } from "next";
import { NoticeBanner } from "@/components/records/notice-banner";
import { ButtonLink } from "@/components/ui/button";
import { getViewer } from "@/lib/access/current-viewer";
import { canAnyTeam } from "@/lib/access/policy";
import { recordNotice } from "@/lib/db/queries/audit-history";
import { cachedFilterOptions, cachedTrainingCharts, cachedTrainingRunsPage } from "@/lib/cache/read-models";
import { resolveView } from "@/lib/db/queries/view";
import { bucketsBetween } from "@/lib/domain/calendar";
import { formatPeriod } from "@/lib/domain/labels";
import { filtersToSearch, parseTableParams, type TableParams } from "@/lib/validation/dashboard-filters";
import { FilterBar } from "@/components/filters/filter-bar";
import { FilterNotices, zoneChoices } from "@/components/filters/filter-notices";
import { TeamCoverageSection } from "@/app/_coverage/section";
import { TrainingCharts } from "@/components/dashboard/training-charts";
import { TrainingRunsTable } from "@/components/tables/training-runs-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";

export const metadata: Metadata = { title: "Training" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TrainingPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const viewer = await getViewer();
  const now = new Date();
  const view = await resolveView({ viewer, searchParams: params, defaultRange: "30d", now });
  const table = parseTableParams(params);
  const { range, zone } = view;
  const unit = view.unit === "day" && range.end.getTime() - range.start.getTime() > 14 * 86_400_000 ? "week" : view.unit;
  const [notice, options, charts, runs] = await Promise.all([
    recordNotice({ viewer, searchParams: params }),
    cachedFilterOptions({ viewer }),
    cachedTrainingCharts({ viewer, scope: view.scope, range, unit, timeZone: zone.timeZone, now }),
    cachedTrainingRunsPage({
      viewer,
      now,
      filters: { teamSlug: view.team?.slug, model: view.filters.model, gpuTypeId: view.filters.gpu, range },
      table,
      timeZone: zone.timeZone,
    }),
  ]);
  const href = (changes: Partial<TableParams>) => `/training${filtersToSearch({ ...view.filters, ...table, ...changes })}`;
  return (
    <>
      <NoticeBanner {...notice} />
      <PageHeader
        title="Training runs"
        description="Runs active in the range. Cost is GPU time at the price in effect plus storage, data and network."
        actions={
          // Only for who may write some team's records (the forms offer just those teams).
          canAnyTeam(viewer, "team:write") ? (
            <>
              <ButtonLink href="/import">Import CSV</ButtonLink>
              <ButtonLink href="/training/new" variant="primary">
                New run
              </ButtonLink>
            </>
          ) : null
        }
      />
      <FilterNotices notices={view.notices} />
      {view.team ? null : <TeamCoverageSection viewer={viewer} />}
      <FilterBar
        key={JSON.stringify(view.filters)}
        filters={view.filters}
        options={options}
        keep={{ sort: table.sort, dir: table.dir }}
        zones={zoneChoices({ orgTimeZone: viewer.orgTimeZone, teamTimeZone: view.team?.timeZone })}
      />
      <p className="mb-3 text-xs text-slate-500">
        {formatPeriod({ range, timeZone: zone.timeZone })} · {zone.label}. Charts and the first cost figure of each run cover this range; the second, smaller one is the run’s lifetime cost, from start to end (or to now while it runs).
      </p>
      <TrainingCharts
        byModel={charts.byModel}
        byGpu={charts.byGpu}
        gpuHours={charts.gpuHoursByBucket}
        buckets={bucketsBetween({ from: range.start, to: range.end, unit, timeZone: zone.timeZone })}
        unit={unit}
        timeZone={zone.timeZone}
      />
      <Card>
        <TrainingRunsTable
          runs={runs.rows}
          timeZone={zone.timeZone}
          sort={{ key: table.sort, dir: table.dir, hrefFor: (sort, dir) => href({ sort: sort as TableParams["sort"], dir, page: 1 }) }}
        />
        {runs.total > 0 ? <Pagination page={runs.page} pageCount={runs.pageCount} total={runs.total} noun="runs" hrefFor={(page) => href({ page })} /> : null}
      </Card>
    </>
  );
}
