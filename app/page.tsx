import { getViewer } from "@/lib/access/current-viewer";
import { cachedDashboardData, cachedFilterOptions } from "@/lib/cache/read-models";
import { resolveView } from "@/lib/db/queries/view";
import { BudgetAlertsSection } from "@/app/_budgets/sections";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { startSuggestions, SuggestionsSection } from "@/app/_suggestions/section";
import { TeamCoverageSection } from "@/app/_coverage/section";
import { FilterBar } from "@/components/filters/filter-bar";
import { FilterNotices, zoneChoices } from "@/components/filters/filter-notices";
import { PrintHeader } from "@/components/reports/print-header";
import { PageHeader } from "@/components/ui/page-header";
import { formatDateTime, formatPeriod } from "@/lib/domain/labels";
import { filtersToSearch } from "@/lib/validation/dashboard-filters";
import type { Route } from "next";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

// Data is read before anything renders (no streaming): an error then answers
// 500 with the error page, never 200 with an error screen, and the document is
// complete when it arrives. Navigations keep the old view with a pending state.
export default async function OverviewPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  const now = new Date();
  const view = await resolveView({ viewer, searchParams: await searchParams, defaultRange: "mtd", now });
  const suggestionScope = view.team ? ({ kind: "team", teamId: view.team.id } as const) : ({ kind: "org" } as const);
  // Started before the dashboard's queries so both run at once; the panel streams in when it is ready.
  const suggestions = startSuggestions({ viewer, scope: suggestionScope, now, timeZone: view.zone.timeZone });
  const [options, data] = await Promise.all([
    cachedFilterOptions({ viewer }),
    cachedDashboardData({ viewer, scope: view.scope, range: view.range, unit: view.unit, timeZone: view.zone.timeZone, now }),
  ]);
  const { timeZone } = view.zone;
  return (
    <>
      <PrintHeader
        title={`GPU cost overview · ${formatPeriod({ range: view.range, timeZone })}`}
        subject={view.team?.name ?? viewer.orgName}
        zoneLabel={view.zone.label}
        generatedAt={formatDateTime({ instant: now, timeZone })}
      />
      <PageHeader title="Overview" description="What the organization spends on GPUs, where, on what, and what it gets." />
      <FilterNotices notices={view.notices} />
      {view.team ? null : <TeamCoverageSection viewer={viewer} />}
      <FilterBar key={JSON.stringify(view.filters)} filters={view.filters} options={options} zones={zoneChoices({ orgTimeZone: viewer.orgTimeZone, teamTimeZone: view.team?.timeZone })} />
      <BudgetAlertsSection viewer={viewer} now={now} timeZone={timeZone} zoneLabel={view.zone.label} teamId={view.team?.id} />
      <DashboardView data={data} zoneLabel={view.zone.label} showTeams={!view.team} />
      <div className="mt-5">
        <SuggestionsSection
          viewer={viewer}
          scope={suggestionScope}
          timeZone={timeZone}
          zoneLabel={view.zone.label}
          now={now}
          data={suggestions}
          allHref={`/suggestions${filtersToSearch({ team: view.team?.slug, tz: view.filters.tz })}` as Route}
        />
      </div>
    </>
  );
}
