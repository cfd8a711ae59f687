import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { can, isDenied, ORG_ROLE_LABELS, ORG_ROLES, TEAM_ROLE_LABELS, TEAM_ROLES } from "@/lib/access/policy";
import { inviteAction, removePersonAction, revokeInvitationAction, setOrgRoleAction } from "@/lib/actions/people";
import { invitableTeams, orgPeople, pendingInvitations } from "@/lib/db/queries/people";
import { formatDateTime } from "@/lib/domain/labels";
import { INVITATION_DAYS_DEFAULT, INVITATION_DAYS_MAX, INVITATION_DAYS_MIN } from "@/lib/validation/people";
import { ActionButton, ConfirmRemoveButton, InviteForm, RoleSelectForm } from "@/components/people/people-forms";
import { InvitationsTable, TeamRoleList } from "@/components/people/people-tables";
import { deniedPage } from "@/app/_access/denied";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "People" };

export default async function PeoplePage() {
  const viewer = await getViewer();
  const now = new Date();
  const [people, invitations, teams] = await Promise.all([orgPeople(viewer), pendingInvitations(viewer, { now }), invitableTeams(viewer)]);
  // An org admin's page: everyone else is told what it takes.
  if (isDenied(people)) return deniedPage(people, { href: "/settings", label: "Back to Settings" });
  if (isDenied(invitations)) return deniedPage(invitations, { href: "/settings", label: "Back to Settings" });
  const isOwner = can(viewer, "org:own");
  const orgRoleOptions = ORG_ROLES.map((role) => ({ value: role, label: ORG_ROLE_LABELS[role] }));
  const grantable = orgRoleOptions.filter((o) => isOwner || o.value !== "OWNER");
  const teamRoleOptions = TEAM_ROLES.map((role) => ({ value: role, label: TEAM_ROLE_LABELS[role] }));
  const zone = viewer.orgTimeZone;
  return (
    <>
      <Breadcrumbs items={[{ href: "/settings", label: "Settings" }, { label: "People" }]} />
      <PageHeader
        title="People"
        description={`Who can sign in to ${viewer.orgName}, with what role. Owners and admins manage everything and are admins of every team; members see only the teams they have a role on.`}
      />
      <div className="space-y-5">
        <Card title="Invite someone">
          <div className="px-4 py-3">
            <InviteForm
              action={inviteAction.bind(null, null)}
              orgRoles={grantable}
              teams={teams.map((t) => ({ id: t.id, name: t.name }))}
              teamRoles={teamRoleOptions}
              expiryDays={{ min: INVITATION_DAYS_MIN, max: INVITATION_DAYS_MAX, default: INVITATION_DAYS_DEFAULT }}
              timeZone={zone}
            />
          </div>
        </Card>
        <Card title={`People (${people.length})`}>
          <DataTable
            caption="People in the organization"
            rows={people}
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
                header: "Org role",
                cell: (p) =>
                  p.role === "OWNER" && !isOwner ? (
                    <span title="Only an owner can change an owner's role">{ORG_ROLE_LABELS.OWNER}</span>
                  ) : (
                    <RoleSelectForm action={setOrgRoleAction.bind(null, p.id)} options={grantable} value={p.role} label={`Org role of ${p.name}`} />
                  ),
              },
              {
                key: "teams",
                header: "Team roles",
                canWrap: true,
                cell: (p) => (p.role === "MEMBER" ? <TeamRoleList roles={p.teamRoles} labels={TEAM_ROLE_LABELS} /> : <span className="text-slate-500">Admin of every team</span>),
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
                cell: (p) =>
                  p.id === viewer.userId || (p.role === "OWNER" && !isOwner) ? null : (
                    <div className="text-right">
                      <ConfirmRemoveButton
                        action={removePersonAction.bind(null, p.id)}
                        id={`remove-${p.id}`}
                        title={`Remove ${p.name}?`}
                        consequence={`${p.name} (${p.email}) is signed out everywhere and can no longer sign in. Their records and audit entries stay. To let them back in, invite them again.`}
                        confirmLabel="Remove"
                        accessibleName={`Remove ${p.name}`}
                      />
                    </div>
                  ),
              },
            ]}
          />
        </Card>
        <Card title="Pending invitations">
          <InvitationsTable
            invitations={invitations}
            orgRoleLabels={ORG_ROLE_LABELS}
            teamRoleLabels={TEAM_ROLE_LABELS}
            timeZone={zone}
            now={now}
            revokeButton={(i) => <ActionButton action={revokeInvitationAction.bind(null, i.id)} label="Revoke" pendingLabel="Revoking…" accessibleName={`Revoke the invitation for ${i.email}`} />}
          />
        </Card>
        <p className="text-xs text-slate-500">Times in {zone} (org).</p>
      </div>
    </>
  );
}
