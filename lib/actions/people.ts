"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getOptionalViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import type { Viewer } from "@/lib/access/viewer";
import { startSession } from "@/lib/auth/sign-in";
import { publicUrl } from "@/lib/env";
import { FORM_ERRORS_KEY } from "@/lib/validation/entities/field-errors";
import type { FormState } from "@/lib/validation/form-state";
import type { AuthFormState } from "./auth";
import { guardedAction } from "./guard";
import { submitAcceptInvitation, submitInvitation, submitOrgRole, submitRemovePerson, submitRevokeInvitation, submitTeamRole, type InviteState } from "./handlers/people";

/** Pages that list people or invitations. */
function revalidatePeople(): void {
  revalidatePath("/settings/people");
  revalidatePath("/teams/[slug]/members", "page");
}

/** Invites someone (teamId: from one team's members page); answers with the link, shown once. */
export const inviteAction = guardedAction(async (viewer: Viewer, teamId: number | null, _previous: InviteState, formData: FormData): Promise<InviteState> => {
  const state = await submitInvitation({ viewer, formData, origin: publicUrl(), ...(teamId === null ? {} : { teamId }) });
  if (state.status === "invited") revalidatePeople();
  return state;
});

export const revokeInvitationAction = guardedAction(async (viewer: Viewer, id: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitRevokeInvitation({ viewer, id });
  if (state.status === "saved") revalidatePeople();
  return state;
});

export const setOrgRoleAction = guardedAction(async (viewer: Viewer, userId: number, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitOrgRole({ viewer, userId, formData });
  if (state.status === "saved") revalidatePath("/", "layout");
  return state;
});

export const removePersonAction = guardedAction(async (viewer: Viewer, userId: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitRemovePerson({ viewer, userId });
  if (state.status === "saved") revalidatePeople();
  return state;
});

export const setTeamRoleAction = guardedAction(async (viewer: Viewer, teamId: number, userId: number, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitTeamRole({ viewer, teamId, userId, formData });
  if (state.status === "saved") revalidatePeople();
  return state;
});

/**
 * Accepts an invitation (signed out: the link is the credential), then signs
 * the new person in and takes them to the overview.
 */
export async function acceptInvitationAction(token: string, _previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  if (await getOptionalViewer()) return { status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: ["You are signed in as someone else: sign out first, then open the link again."] } };
  const accepted = await submitAcceptInvitation({ token, formData });
  if (!accepted.ok) return accepted.state.status === "invalid" ? accepted.state : { status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: ["This invitation can't be accepted."] } };
  if (!(await startSession(accepted.email, accepted.password))) {
    return { status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: ["Your account was created, but signing in failed: sign in with your email and new password."] } };
  }
  redirect("/");
}
