import type { Metadata } from "next";
import Link from "next/link";
import type { Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { canTeam } from "@/lib/access/policy";
import { cachedDashboardData, cachedFilterOptions } from "@/lib/cache/read-models";
import { teamBySlug } from "@/lib/db/queries/teams";
import { resolveView } from "@/lib/db/queries/view";
import { filtersToSearch } from "@/lib/validation/dashboard-filters";
import { TeamBudgetSection } from "@/app/_budgets/sections";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { startSuggestions, SuggestionsSection } from "@/app/_suggestions/section";
import { FilterBar } from "@/components/filters/filter-bar";
import { FilterNotices, zoneChoices } from "@/components/filters/filter-notices";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Team" };

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function TeamPage({ params, searchParams }: Props) {
  const { slug } = await params;
  const viewer = await getViewer();
  const team = /^[a-z0-9-]{1,64}$/.test(slug) ? await teamBySlug({ viewer, slug }) : null;
  if (!team) notFound();
  const now = new Date();
  const view = await resolveView({ viewer, searchParams: await searchParams, defaultRange: "mtd", pageTeam: team, now });
  // Started before the dashboard's queries so both run at once.
  const suggestions = startSuggestions({ viewer, scope: { kind: "team", teamId: team.id }, now, timeZone: view.zone.timeZone });
  const [options, data] = await Promise.all([
    cachedFilterOptions({ viewer }),
    cachedDashboardData({ viewer, scope: { ...view.scope, teamId: team.id }, range: view.range, unit: view.unit, timeZone: view.zone.timeZone, now }),
  ]);
  const { range: rangePreset, from, to, tz } = view.filters;
  return (
    <>
      <Breadcrumbs items={[{ href: "/teams", label: "Teams" }, { label: team.name }]} />
      <PageHeader
        title={team.name}
        description={`Team time zone ${team.timeZone}. Figures in ${view.zone.label}.`}
        actions={
          <>
          {canTeam(viewer, "team:manage", team.id) ? (
            <>
              <Link href={`/teams/${team.slug}/members` as Route} className="rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-100">
                Members
              </Link>
              <Link href={`/teams/${team.slug}/api-keys` as Route} className="rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-100">
                API keys
              </Link>
            </>
          ) : null}
          <nav aria-label="Switch team" className="flex flex-wrap gap-1">
            {options.teams.map((t) => (
              <Link
                key={t.slug}
                href={`/teams/${t.slug}${filtersToSearch({ range: rangePreset, from, to, tz })}` as Route}
                aria-current={t.slug === team.slug ? "page" : undefined}
                className={`rounded-md px-2.5 py-1 text-sm ${t.slug === team.slug ? "bg-slate-900 text-white" : "border border-slate-300 hover:bg-slate-100"}`}
              >
                {t.name}
              </Link>
            ))}
          </nav>
          </>
        }
      />
      <FilterNotices notices={view.notices} />
      <FilterBar
        key={JSON.stringify(view.filters)}
        filters={view.filters}
        options={options}
        show={{ model: true, gpu: true }}
        zones={zoneChoices({ orgTimeZone: viewer.orgTimeZone, teamTimeZone: team.timeZone })}
      />
      <TeamBudgetSection viewer={viewer} now={now} timeZone={view.zone.timeZone} zoneLabel={view.zone.label} teamId={team.id} />
      <DashboardView data={data} zoneLabel={view.zone.label} showTeams={false} />
      <div className="mt-5">
        <SuggestionsSection
          viewer={viewer}
          scope={{ kind: "team", teamId: team.id }}
          timeZone={view.zone.timeZone}
          zoneLabel={view.zone.label}
          now={now}
          data={suggestions}
          allHref={`/suggestions${filtersToSearch({ team: team.slug, tz })}` as Route}
        />
      </div>
    </>
  );
}
