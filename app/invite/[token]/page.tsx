import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getOptionalViewer } from "@/lib/access/current-viewer";
import { ORG_ROLE_LABELS, TEAM_ROLE_LABELS } from "@/lib/access/policy";
import { signOutAction } from "@/lib/actions/auth";
import { acceptInvitationAction } from "@/lib/actions/people";
import { INVITATION_UNUSABLE } from "@/lib/db/mutations/people";
import { invitationByToken } from "@/lib/db/queries/people";
import { formatDateTime } from "@/lib/domain/labels";
import { invitationTokenSchema } from "@/lib/validation/people";
import { AuthShell } from "@/components/auth/auth-shell";
import { AcceptInvitationForm } from "@/components/auth/auth-forms";
import { buttonClass } from "@/components/ui/button";

export const metadata: Metadata = { title: "Invitation", robots: { index: false, follow: false } };

const TITLES = { expired: "This invitation has expired", revoked: "This invitation was withdrawn", accepted: "This invitation was already used" } as const;

// Signed out is the normal case here: this page never calls getViewer(), which would send the visitor to sign-in.
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const parsed = invitationTokenSchema.safeParse((await params).token);
  if (!parsed.success) notFound();
  const [viewer, invitation] = await Promise.all([getOptionalViewer(), invitationByToken(parsed.data)]);
  if (!invitation) notFound();

  if (viewer) {
    return (
      <AuthShell title={`Invitation to ${invitation.orgName}`}>
        <p className="text-sm text-slate-700">
          You’re signed in as <strong>{viewer.name}</strong> ({viewer.email}). This invitation is for <strong>{invitation.email}</strong>: sign out first to accept it.
        </p>
        <div className="mt-4 flex flex-wrap gap-2">
          <form action={signOutAction}>
            <button type="submit" className={buttonClass("primary")}>
              Sign out
            </button>
          </form>
          <Link href="/" className={buttonClass("secondary")}>
            Back to Burnrate
          </Link>
        </div>
        <p className="mt-3 text-xs text-slate-500">After signing out, open the invitation link again.</p>
      </AuthShell>
    );
  }

  if (invitation.state !== "valid") {
    return (
      <AuthShell title={TITLES[invitation.state]}>
        <p role="status" className="text-sm text-slate-700">
          {INVITATION_UNUSABLE[invitation.state]}
        </p>
        <p className="mt-2 text-xs text-slate-500">
          Invitation for {invitation.email} to {invitation.orgName}
          {invitation.invitedBy ? `, from ${invitation.invitedBy}` : ""}.
        </p>
        {invitation.state === "accepted" ? (
          <Link href="/sign-in" className={`${buttonClass("primary")} mt-4 w-full`}>
            Sign in
          </Link>
        ) : null}
      </AuthShell>
    );
  }

  const access =
    invitation.role === "MEMBER"
      ? invitation.teamRoles.map((t) => `${TEAM_ROLE_LABELS[t.role]} of ${t.teamName}`).join(", ") || "No teams yet: an admin will give you a role on one"
      : `${ORG_ROLE_LABELS[invitation.role]}: every team`;
  return (
    <AuthShell
      title={`Join ${invitation.orgName} on Burnrate`}
      description={
        <>
          {invitation.invitedBy ? <>{invitation.invitedBy} invited you. </> : null}Choose your name and a password to finish.
        </>
      }
    >
      <dl className="mb-4 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm">
        <dt className="text-slate-500">Email</dt>
        <dd className="font-medium break-all text-slate-900">{invitation.email}</dd>
        <dt className="text-slate-500">Org role</dt>
        <dd className="text-slate-900">{ORG_ROLE_LABELS[invitation.role]}</dd>
        <dt className="text-slate-500">Access</dt>
        <dd className="text-slate-900">{access}</dd>
        <dt className="text-slate-500">Link expires</dt>
        <dd className="text-slate-900 tabular-nums">{formatDateTime({ instant: invitation.expiresAt, timeZone: invitation.orgTimeZone })} ({invitation.orgTimeZone})</dd>
      </dl>
      <AcceptInvitationForm action={acceptInvitationAction.bind(null, parsed.data)} email={invitation.email} />
    </AuthShell>
  );
}
