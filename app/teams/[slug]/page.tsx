import type { Metadata } from "next";
import Link from "next/link";
import type { Route } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { filterOptions } from "@/lib/db/queries/catalog";
import { dashboardData } from "@/lib/db/queries/dashboards";
import { teamBySlug } from "@/lib/db/queries/teams";
import { filtersToSearch, parseDashboardFilters, resolveRange, unitForRange, type DashboardFilters } from "@/lib/validation/dashboard-filters";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { FilterBar } from "@/components/filters/filter-bar";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";
import { DashboardSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Team" };

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function TeamPage({ params, searchParams }: Props) {
  const { slug } = await params;
  const viewer = await getViewer();
  const team = /^[a-z0-9-]{1,64}$/.test(slug) ? await teamBySlug({ viewer, slug }) : null;
  if (!team) notFound();
  const filters = parseDashboardFilters({ range: "mtd", ...(await searchParams) });
  const options = await filterOptions({ viewer });
  return (
    <>
      <Breadcrumbs items={[{ href: "/teams", label: "Teams" }, { label: team.name }]} />
      <PageHeader
        title={team.name}
        description={`Reports in ${team.timeZone}.`}
        actions={
          <nav aria-label="Switch team" className="flex flex-wrap gap-1">
            {options.teams.map((t) => (
              <Link
                key={t.slug}
                href={`/teams/${t.slug}${filtersToSearch({ range: filters.range, from: filters.from, to: filters.to })}` as Route}
                aria-current={t.slug === team.slug ? "page" : undefined}
                className={`rounded-md px-2.5 py-1 text-sm ${t.slug === team.slug ? "bg-slate-900 text-white" : "border border-slate-300 hover:bg-slate-100"}`}
              >
                {t.name}
              </Link>
            ))}
          </nav>
        }
      />
      <FilterBar key={JSON.stringify(filters)} filters={filters} options={options} show={{ model: true, gpu: true }} />
      <Suspense key={JSON.stringify(filters)} fallback={<DashboardSkeleton />}>
        <TeamDashboard teamId={team.id} timeZone={team.timeZone} filters={filters} />
      </Suspense>
    </>
  );
}

async function TeamDashboard({ teamId, timeZone, filters }: { teamId: number; timeZone: string; filters: DashboardFilters }) {
  const viewer = await getViewer();
  const now = new Date();
  const range = resolveRange({ filters, now, timeZone });
  const data = await dashboardData({
    viewer,
    scope: { teamId, model: filters.model, gpuTypeId: filters.gpu },
    range,
    unit: unitForRange(range),
    timeZone,
    isMonthToDate: filters.range === "mtd",
    now,
  });
  return <DashboardView data={data} showTeams={false} />;
}
