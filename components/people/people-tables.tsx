import type { ReactNode } from "react";
import type { InvitationRow, PersonTeamRole } from "@/lib/db/queries/people";
import { formatDateTime } from "@/lib/domain/labels";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

/** Shared pieces of the people pages (server components: rows in, markup out). */

export function TeamRoleList({ roles, labels }: { roles: PersonTeamRole[]; labels: Record<string, string> }) {
  if (roles.length === 0) return <span className="text-slate-400">No teams</span>;
  return (
    <ul className="flex flex-wrap gap-1">
      {roles.map((r) => (
        <li key={r.teamId}>
          <Badge>
            {r.teamName} · {labels[r.role] ?? r.role}
          </Badge>
        </li>
      ))}
    </ul>
  );
}

/** "in 6 days", "in 5 hours", "expired 2 days ago": how long a link has left. */
export function expiryLabel(expiresAt: Date, now: Date): string {
  const ms = expiresAt.getTime() - now.getTime();
  const hours = Math.round(Math.abs(ms) / 3_600_000);
  const span = hours >= 48 ? `${Math.round(hours / 24)} days` : hours === 1 ? "1 hour" : hours < 1 ? "less than an hour" : `${hours} hours`;
  return ms > 0 ? `in ${span}` : `expired ${span} ago`;
}

export function InvitationsTable({
  invitations,
  orgRoleLabels,
  teamRoleLabels,
  timeZone,
  now,
  revokeButton,
  showOrgRole = true,
}: {
  invitations: InvitationRow[];
  orgRoleLabels: Record<string, string>;
  teamRoleLabels: Record<string, string>;
  timeZone: string;
  now: Date;
  revokeButton: (invitation: InvitationRow) => ReactNode;
  showOrgRole?: boolean;
}) {
  if (invitations.length === 0) {
    return <EmptyState title="No pending invitations">Invitations you create are listed here until they are accepted, revoked or a month past their expiry.</EmptyState>;
  }
  return (
    <DataTable
      caption="Pending invitations"
      rows={invitations}
      rowKey={(i) => i.id}
      columns={[
        { key: "email", header: "Email", cell: (i) => <span className="font-medium text-slate-900">{i.email}</span> },
        ...(showOrgRole ? [{ key: "role", header: "Org role", cell: (i: InvitationRow) => orgRoleLabels[i.role] ?? i.role }] : []),
        {
          key: "teams",
          header: "Team roles",
          canWrap: true,
          cell: (i) => (i.role === "MEMBER" ? <TeamRoleList roles={i.teamRoles} labels={teamRoleLabels} /> : <span className="text-slate-500">Every team</span>),
        },
        { key: "by", header: "Invited by", cell: (i) => i.invitedBy ?? <span className="text-slate-400">Removed person</span> },
        {
          key: "expires",
          header: "Expires",
          cell: (i) => (
            <span className="inline-flex items-center gap-1.5">
              {i.isExpired ? <Badge tone="warn">Expired</Badge> : null}
              <span title={`${formatDateTime({ instant: i.expiresAt, timeZone })} (${timeZone})`}>{expiryLabel(i.expiresAt, now)}</span>
            </span>
          ),
        },
        { key: "actions", header: "", cell: (i) => (i.canRevoke ? <div className="text-right">{revokeButton(i)}</div> : null) },
      ]}
    />
  );
}
