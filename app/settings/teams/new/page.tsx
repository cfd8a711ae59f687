import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { authorize } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { saveTeamAction } from "@/lib/actions/teams";
import { timeZoneNames } from "@/lib/domain/time-zones";
import { TeamForm } from "@/components/settings/team-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "New team" };

export default async function NewTeamPage() {
  const viewer = await getViewer();
  // Org-managed: refused on the server for anyone who doesn't manage the org, not just hidden.
  const denied = authorize(viewer, "org:manage");
  if (denied) return deniedPage(denied, { href: "/settings", label: "Back to settings" });
  return (
    <>
      <Breadcrumbs items={[{ href: "/settings", label: "Settings" }, { label: "New team" }]} />
      <PageHeader title="New team" description="Teams own runs and deployments, have a monthly budget and report in their own time zone." />
      <TeamForm
        action={saveTeamAction.bind(null, null)}
        initialValues={{ name: "", slug: "", monthlyBudgetUsd: "", timeZone: viewer.orgTimeZone }}
        zones={timeZoneNames()}
        timeZone={viewer.orgTimeZone}
        submitLabel="Create team"
        cancelHref="/settings"
      />
    </>
  );
}
