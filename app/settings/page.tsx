import type { Metadata } from "next";
import Link from "next/link";
import type { Route } from "next";
import { authorize, can, canAnyTeam, teamIdsFor } from "@/lib/access/policy";
import { getViewer } from "@/lib/access/current-viewer";
import { recentlyDeleted, UNDO_DAYS } from "@/lib/db/mutations/records";
import { recordNotice } from "@/lib/db/queries/audit-history";
import { settingsGpuTypes, settingsPrices, settingsTeams } from "@/lib/db/queries/settings";
import { NoticeBanner } from "@/components/records/notice-banner";
import { BudgetAlertSettings } from "@/app/_budgets/settings-section";
import { GpuTypesTable, PriceCatalogTable, RecentlyDeletedList, TeamsTable } from "@/components/settings/settings-tables";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Settings" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SettingsPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  return (
    <>
      <NoticeBanner {...await recordNotice({ viewer, searchParams: await searchParams })} />
      <PageHeader
        title="Settings"
        description="Teams, GPU types and the price catalog that costs are computed from."
        actions={
          // Teams, the GPU catalog and prices are the org admins' (org:manage).
          can(viewer, "org:manage") ? (
            <>
              <ButtonLink href="/settings/teams/new">New team</ButtonLink>
              <ButtonLink href="/settings/gpu-types/new">New GPU type</ButtonLink>
              <ButtonLink href="/settings/prices/new" variant="primary">
                Add price
              </ButtonLink>
            </>
          ) : null
        }
      />
      {authorize(viewer, "org:manage") === null ? (
        <p className="-mt-3 mb-4 text-sm">
          <Link href={"/settings/people" as Route} className="font-medium text-blue-700 hover:underline">
            People and invitations →
          </Link>
        </p>
      ) : null}
      <div className="space-y-5">
        <Card title="Teams">
            <Teams />
        </Card>
        <BudgetAlertSettings />
        <Card title="GPU types">
            <GpuTypes />
        </Card>
        <Card title="Recently deleted">
            <RecentlyDeleted />
        </Card>
        <div id="prices">
          <Card title="GPU price catalog">
              <Prices />
          </Card>
        </div>
      </div>
    </>
  );
}

async function Teams() {
  const viewer = await getViewer();
  // Org admins edit every team; a team's own admin (team:manage) its budget.
  return <TeamsTable teams={await settingsTeams({ viewer })} editableTeamIds={can(viewer, "org:manage") ? "all" : teamIdsFor(viewer, "team:manage")} />;
}

async function GpuTypes() {
  const viewer = await getViewer();
  return <GpuTypesTable gpuTypes={await settingsGpuTypes({ viewer })} canManage={can(viewer, "org:manage")} />;
}

async function Prices() {
  const viewer = await getViewer();
  return <PriceCatalogTable prices={await settingsPrices({ viewer })} timeZone={viewer.orgTimeZone} now={new Date()} canManage={can(viewer, "org:manage")} />;
}

async function RecentlyDeleted() {
  const viewer = await getViewer();
  return (
    <RecentlyDeletedList items={await recentlyDeleted({ viewer })} timeZone={viewer.orgTimeZone} now={new Date()} undoDays={UNDO_DAYS} canRestore={can(viewer, "org:manage") || canAnyTeam(viewer, "team:write")} />
  );
}
