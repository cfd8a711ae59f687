import type { Metadata } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { recordNotice } from "@/lib/db/queries/audit-history";
import { filterOptions } from "@/lib/db/queries/catalog";
import { deploymentsWithMetrics } from "@/lib/db/queries/dashboards";
import { parseDashboardFilters, resolveRange, type DashboardFilters } from "@/lib/validation/dashboard-filters";
import { FilterBar } from "@/components/filters/filter-bar";
import { NoticeBanner } from "@/components/records/notice-banner";
import { DeploymentsTable } from "@/components/tables/deployments-table";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Inference" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function InferencePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const filters = parseDashboardFilters(params);
  return (
    <>
      <Suspense fallback={null}>
        <Notice searchParams={params} />
      </Suspense>
      <PageHeader
        title="Inference deployments"
        description="Deployments active in the range. A deployment costs its GPUs whether or not it serves; idle share is the part of that cost paid for GPU time that did no work."
        actions={
          <ButtonLink href="/inference/new" variant="primary">
            New deployment
          </ButtonLink>
        }
      />
      <Suspense fallback={null}>
        <Filters filters={filters} />
      </Suspense>
      <Card>
        <Suspense key={JSON.stringify(filters)} fallback={<TableSkeleton />}>
          <Deployments filters={filters} />
        </Suspense>
      </Card>
    </>
  );
}

/** "Deleted. Undo" after a deployment was deleted (?deleted=<id>). */
async function Notice({ searchParams }: { searchParams: Record<string, string | string[] | undefined> }) {
  const viewer = await getViewer();
  return <NoticeBanner {...await recordNotice({ viewer, searchParams })} />;
}

async function Filters({ filters }: { filters: DashboardFilters }) {
  const viewer = await getViewer();
  return <FilterBar key={JSON.stringify(filters)} filters={filters} options={await filterOptions({ viewer })} />;
}

async function Deployments({ filters }: { filters: DashboardFilters }) {
  const viewer = await getViewer();
  const now = new Date();
  const range = resolveRange({ filters, now, timeZone: viewer.orgTimeZone });
  const { rows } = await deploymentsWithMetrics({ viewer, now, range, filters: { teamSlug: filters.team, model: filters.model, gpuTypeId: filters.gpu } });
  return <DeploymentsTable deployments={rows} />;
}
