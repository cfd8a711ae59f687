import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { canAnyTeam } from "@/lib/access/policy";
import { recordNotice } from "@/lib/db/queries/audit-history";
import { cachedDeploymentsWithMetrics, cachedFilterOptions } from "@/lib/cache/read-models";
import { resolveView } from "@/lib/db/queries/view";
import { formatPeriod } from "@/lib/domain/labels";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { FilterBar } from "@/components/filters/filter-bar";
import { FilterNotices, zoneChoices } from "@/components/filters/filter-notices";
import { TeamCoverageSection } from "@/app/_coverage/section";
import { NoticeBanner } from "@/components/records/notice-banner";
import { DeploymentsTable } from "@/components/tables/deployments-table";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Inference" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function InferencePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const viewer = await getViewer();
  const now = new Date();
  const view = await resolveView({ viewer, searchParams: params, defaultRange: "30d", now });
  const [notice, options, deployments] = await Promise.all([
    recordNotice({ viewer, searchParams: params }),
    cachedFilterOptions({ viewer }),
    cachedDeploymentsWithMetrics({ viewer, now, timeZone: view.zone.timeZone, range: view.range, filters: { teamSlug: view.team?.slug, model: view.filters.model, gpuTypeId: view.filters.gpu } }),
  ]);
  return (
    <>
      <NoticeBanner {...notice} />
      <PageHeader
        title="Inference deployments"
        description="Deployments active in the range. A deployment costs its GPUs whether or not it serves; idle share is the part of that cost paid for GPU time that did no work."
        actions={
          // Only for who may write some team's records (the form offers just those teams).
          canAnyTeam(viewer, "team:write") ? (
            <ButtonLink href={withZone("/inference/new", formZoneChoice(params))} variant="primary">
              New deployment
            </ButtonLink>
          ) : null
        }
      />
      <FilterNotices notices={view.notices} />
      {view.team ? null : <TeamCoverageSection viewer={viewer} />}
      <FilterBar key={JSON.stringify(view.filters)} filters={view.filters} options={options} zones={zoneChoices({ orgTimeZone: viewer.orgTimeZone, teamTimeZone: view.team?.timeZone })} />
      <p className="mb-3 text-xs text-slate-500">
        {formatPeriod({ range: view.range, timeZone: view.zone.timeZone })} · {view.zone.label}. Every figure is within this range; cost per active day divides by the days each deployment was active in it.
      </p>
      <Card>
        <DeploymentsTable deployments={deployments.rows} />
      </Card>
    </>
  );
}
