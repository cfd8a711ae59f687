import type { Metadata } from "next";
import type { Route } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { resolveView } from "@/lib/db/queries/view";
import { filtersToSearch } from "@/lib/validation/dashboard-filters";
import { SuggestionsSection } from "@/app/_suggestions/section";
import { FilterNotices } from "@/components/filters/filter-notices";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Suggestions" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * Every open suggestion of the org or of one team (`?team=`), with its
 * evidence and decision forms, and the dismissed, snoozed and applied ones.
 * The overview and team pages show the largest savings and link here.
 */
export default async function SuggestionsPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  const now = new Date();
  const view = await resolveView({ viewer, searchParams: await searchParams, defaultRange: "mtd", now });
  const scope = view.team ? ({ kind: "team", teamId: view.team.id } as const) : ({ kind: "org" } as const);
  const back = view.team
    ? { href: `/teams/${view.team.slug}${filtersToSearch({ tz: view.filters.tz })}` as Route, label: view.team.name }
    : { href: `/${filtersToSearch({ tz: view.filters.tz })}` as Route, label: "Overview" };
  return (
    <>
      <Breadcrumbs items={[back, { label: "Suggestions" }]} />
      <PageHeader
        title={view.team ? `Suggestions for ${view.team.name}` : "Suggestions"}
        description="Every open optimization suggestion, ranked by estimated monthly saving, with the figures behind it; and the ones dismissed, snoozed or applied."
      />
      <FilterNotices notices={view.notices} />
      <SuggestionsSection viewer={viewer} scope={scope} timeZone={view.zone.timeZone} zoneLabel={view.zone.label} now={now} title="Open suggestions" listAll />
    </>
  );
}
