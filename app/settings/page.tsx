import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { can } from "@/lib/access/viewer";
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
          can(viewer, "write") ? (
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
  return <TeamsTable teams={await settingsTeams({ viewer })} />;
}

async function GpuTypes() {
  const viewer = await getViewer();
  return <GpuTypesTable gpuTypes={await settingsGpuTypes({ viewer })} />;
}

async function Prices() {
  const viewer = await getViewer();
  return <PriceCatalogTable prices={await settingsPrices({ viewer })} timeZone={viewer.orgTimeZone} now={new Date()} />;
}

async function RecentlyDeleted() {
  const viewer = await getViewer();
  return (
    <RecentlyDeletedList items={await recentlyDeleted({ viewer })} timeZone={viewer.orgTimeZone} now={new Date()} undoDays={UNDO_DAYS} canRestore={can(viewer, "write")} />
  );
}
