import type { Metadata, Route } from "next";
import { notFound, redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { authorizeTeam, can } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { deleteTeamAction, saveTeamAction } from "@/lib/actions/teams";
import { auditHistory, recordNotice } from "@/lib/db/queries/audit-history";
import { currentTeamSlug, teamFormValues } from "@/lib/db/queries/settings";
import { describeRecords } from "@/lib/domain/record-counts";
import { timeZoneNames } from "@/lib/domain/time-zones";
import { AuditHistory } from "@/components/records/audit-history";
import { API_KEY_FIELD_LABELS } from "@/components/api-keys/api-keys-table";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { NoticeBanner } from "@/components/records/notice-banner";
import { TEAM_FIELD_LABELS, TeamForm } from "@/components/settings/team-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit team" };

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditTeamPage({ params, searchParams }: Props) {
  const { slug } = await params;
  if (!/^[a-z0-9-]{1,64}$/.test(slug)) notFound();
  const viewer = await getViewer();
  const team = await teamFormValues({ viewer, slug });
  if (!team) {
    // An old link from before the slug changed.
    const current = await currentTeamSlug({ viewer, slug });
    if (current) redirect(`/settings/teams/${current}/edit` as Route);
    notFound();
  }
  // Org admins edit the team; its own team admin (team:manage) only its monthly budget (the mutation enforces it).
  const isOrgAdmin = can(viewer, "org:manage");
  const denied = isOrgAdmin ? null : authorizeTeam(viewer, "team:manage", team.id, "team");
  if (denied) return deniedPage(denied, { href: "/settings", label: "Back to settings" });
  const hasRecords = team.counts.runs + team.counts.deployments > 0;
  return (
    <>
      <Breadcrumbs items={[{ href: "/settings", label: "Settings" }, { href: `/teams/${team.slug}` as Route, label: team.name }, { label: "Edit" }]} />
      <NoticeBanner {...await recordNotice({ viewer, searchParams: await searchParams })} />
      <PageHeader
        title={`Edit team “${team.name}”`}
        description={`It has ${describeRecords(team.counts)}.${isOrgAdmin ? "" : " As its team admin you can change its monthly budget; its name, slug and time zone are an org admin's to change."} Saving is refused if someone else changed this team since you opened it; nothing is lost either way.`}
        actions={
          !isOrgAdmin ? null : hasRecords ? (
            <span className="max-w-xs text-xs text-slate-600">Can&apos;t be deleted while it has runs or deployments: move or delete them first.</span>
          ) : (
            <DeleteRecordButton action={deleteTeamAction.bind(null, team.id)} noun="team" name={team.name} consequence="It has no runs or deployments." />
          )
        }
      />
      <div className="space-y-5">
        <TeamForm
          action={saveTeamAction.bind(null, team.id)}
          initialValues={team.values}
          version={team.version}
          zones={timeZoneNames()}
          timeZone={viewer.orgTimeZone}
          submitLabel="Save changes"
          cancelHref="/settings"
        />
          <History teamId={team.id} />
      </div>
    </>
  );
}

async function History({ teamId }: { teamId: number }) {
  const viewer = await getViewer();
  const entries = await auditHistory({ viewer, subjectType: "team", subjectId: String(teamId) });
  return <AuditHistory entries={entries} timeZone={viewer.orgTimeZone} labels={{ ...API_KEY_FIELD_LABELS, ...TEAM_FIELD_LABELS }} />;
}
