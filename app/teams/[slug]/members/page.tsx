import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { isDenied, ORG_ROLE_LABELS, TEAM_ROLE_LABELS, TEAM_ROLES } from "@/lib/access/policy";
import { inviteAction, revokeInvitationAction, setTeamRoleAction } from "@/lib/actions/people";
import { pendingInvitations, teamMembers } from "@/lib/db/queries/people";
import { teamBySlug } from "@/lib/db/queries/teams";
import { formatDateTime } from "@/lib/domain/labels";
import { INVITATION_DAYS_DEFAULT, INVITATION_DAYS_MAX, INVITATION_DAYS_MIN } from "@/lib/validation/people";
import { ActionButton, ConfirmRemoveButton, InviteForm, RoleSelectForm } from "@/components/people/people-forms";
import { InvitationsTable } from "@/components/people/people-tables";
import { deniedPage } from "@/app/_access/denied";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Team members" };

type Props = { params: Promise<{ slug: string }> };

export default async function TeamMembersPage({ params }: Props) {
  const { slug } = await params;
  const viewer = await getViewer();
  const team = /^[a-z0-9-]{1,64}$/.test(slug) ? await teamBySlug({ viewer, slug }) : null;
  if (!team) notFound();
  const now = new Date();
  const [data, invitations] = await Promise.all([teamMembers(viewer, team.id), pendingInvitations(viewer, { teamId: team.id, now })]);
  // A team admin's page (org admins are admins of every team): the team's other members are told what it takes.
  const back = { href: `/teams/${team.slug}` as Route, label: `Back to ${team.name}` };
  if (isDenied(data)) return deniedPage(data, back);
  if (isDenied(invitations)) return deniedPage(invitations, back);
  const zone = viewer.orgTimeZone;
  const teamRoleOptions = TEAM_ROLES.map((role) => ({ value: role, label: TEAM_ROLE_LABELS[role] }));
  return (
    <>
      <Breadcrumbs items={[{ href: "/teams", label: "Teams" }, { href: `/teams/${team.slug}` as Route, label: team.name }, { label: "Members" }]} />
      <PageHeader
        title={`${team.name} members`}
        description="Who can see this team's data and who can change it. Viewers read, editors also record runs and deployments, team admins also manage members, the budget and API keys."
        actions={<ButtonLink href={`/teams/${team.slug}/api-keys` as Route}>API keys</ButtonLink>}
      />
      <div className="space-y-5">
        <Card title="Invite someone to this team">
          <div className="px-4 py-3">
            <InviteForm
              action={inviteAction.bind(null, team.id)}
              orgRoles={[]}
              teams={[{ id: team.id, name: team.name }]}
              teamRoles={teamRoleOptions}
              expiryDays={{ min: INVITATION_DAYS_MIN, max: INVITATION_DAYS_MAX, default: INVITATION_DAYS_DEFAULT }}
              timeZone={zone}
            />
          </div>
        </Card>
        <Card title={`Members (${data.members.length})`}>
          {data.members.length === 0 ? (
            <EmptyState title="No members yet">Invite someone above; org owners and admins, listed below, already manage this team.</EmptyState>
          ) : (
            <DataTable
              caption={`Members of ${team.name}`}
              rows={data.members}
              rowKey={(p) => p.id}
              columns={[
                {
                  key: "name",
                  header: "Person",
                  cell: (p) => (
                    <div>
                      <div className="font-medium text-slate-900">
                        {p.name}
                        {p.id === viewer.userId ? <span className="ml-1 text-xs font-normal text-slate-500">(you)</span> : null}
                      </div>
                      <div className="text-xs text-slate-500">{p.email}</div>
                    </div>
                  ),
                },
                {
                  key: "role",
                  header: "Team role",
                  cell: (p) => (
                    <RoleSelectForm action={setTeamRoleAction.bind(null, team.id, p.id)} options={teamRoleOptions} value={p.teamRoles[0]?.role ?? ""} label={`Role of ${p.name} on ${team.name}`} />
                  ),
                },
                {
                  key: "lastSignIn",
                  header: "Last sign-in",
                  cell: (p) =>
                    p.lastSignInAt ? (
                      <span className="tabular-nums">{formatDateTime({ instant: p.lastSignInAt, timeZone: zone })}</span>
                    ) : (
                      <span className="text-slate-400" title="No session on record: sessions are deleted when they end">
                        No data
                      </span>
                    ),
                },
                {
                  key: "actions",
                  header: "",
                  cell: (p) => (
                    <div className="text-right">
                      <ConfirmRemoveButton
                        action={setTeamRoleAction.bind(null, team.id, p.id)}
                        fields={{ role: "" }}
                        id={`remove-${p.id}`}
                        title={`Remove ${p.name} from ${team.name}?`}
                        consequence={`${p.name} loses access to ${team.name}'s data. They stay in the organization with their other teams.`}
                        confirmLabel="Remove from team"
                        accessibleName={`Remove ${p.name} from ${team.name}`}
                      />
                    </div>
                  ),
                },
              ]}
            />
          )}
        </Card>
        <Card title="Pending invitations to this team">
          <InvitationsTable
            invitations={invitations}
            orgRoleLabels={ORG_ROLE_LABELS}
            teamRoleLabels={TEAM_ROLE_LABELS}
            timeZone={zone}
            now={now}
            showOrgRole={false}
            revokeButton={(i) => <ActionButton action={revokeInvitationAction.bind(null, i.id)} label="Revoke" pendingLabel="Revoking…" accessibleName={`Revoke the invitation for ${i.email}`} />}
          />
        </Card>
        <Card title="Org owners and admins">
          <p className="px-4 pt-3 text-sm text-slate-600">They are admins of every team without being members; their roles are changed under Settings → People.</p>
          <ul className="divide-y divide-slate-100 px-4 py-2 text-sm">
            {data.orgAdmins.map((a) => (
              <li key={a.id} className="flex flex-wrap items-baseline justify-between gap-2 py-1.5">
                <span>
                  <span className="font-medium text-slate-900">{a.name}</span> <span className="text-xs text-slate-500">{a.email}</span>
                </span>
                <span className="text-xs text-slate-600">Org {ORG_ROLE_LABELS[a.role].toLowerCase()}</span>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}
