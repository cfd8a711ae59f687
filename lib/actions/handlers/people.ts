import type { Viewer } from "@/lib/access/viewer";
import { acceptInvitation, createInvitation, removePerson, revokeInvitation, setOrgRole, setTeamRole } from "@/lib/db/mutations/people";
import { acceptInvitationSchema } from "@/lib/validation/auth";
import { fieldErrors } from "@/lib/validation/entities/field-errors";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { invitationInputFromForm, invitationSchema, invitationTokenSchema, orgRoleFormSchema, teamRoleFormSchema } from "@/lib/validation/people";
import { formEntries, formError, recordIdArgument, toFormState } from "./form-result";

/**
 * The people forms' submits, minus Next's request plumbing: read, validate,
 * call the mutation, answer with form state. Plain functions of a viewer, so
 * tests call them directly.
 */

/** A sent invitation: the link to hand over, shown once (only its hash is stored). */
export type InviteState = FormState | { status: "invited"; link: string; email: string; expiresAt: string };

const saved = (id: number): FormState => ({ status: "saved", id: String(id), isReplay: false });

/**
 * Invites someone. `teamId` set: the invite form of one team's members page,
 * which sends only that team's role (the org role is Member).
 */
export async function submitInvitation({ viewer, formData, origin, teamId }: { viewer: Viewer; formData: unknown; origin: URL; teamId?: unknown }): Promise<InviteState> {
  const input = invitationInputFromForm(formEntries(formData));
  if (teamId !== undefined) {
    const id = recordIdArgument(teamId);
    if (id === null) return { status: "notFound", message: "This team doesn't exist." };
    input.role = "MEMBER";
    input.teamRoles = (input.teamRoles as { teamId: string; role: string }[]).filter((g) => g.teamId === String(id));
    if ((input.teamRoles as unknown[]).length === 0) return { status: "invalid", fieldErrors: { [`team.${id}`]: ["Choose the role they get on this team"] } };
  }
  const parsed = invitationSchema.safeParse(input);
  if (!parsed.success) return { status: "invalid", fieldErrors: fieldErrors(parsed) };
  const result = await createInvitation(viewer, parsed.data);
  if (!result.ok) return toFormState(result, () => IDLE);
  const link = new URL(`/invite/${result.value.token}`, origin).toString();
  return { status: "invited", link, email: result.value.email, expiresAt: result.value.expiresAt.toISOString() };
}

export async function submitRevokeInvitation({ viewer, id }: { viewer: Viewer; id: unknown }): Promise<FormState> {
  const invitationId = recordIdArgument(id);
  if (invitationId === null) return { status: "notFound", message: "This invitation doesn't exist." };
  return toFormState(await revokeInvitation(viewer, invitationId), (v) => saved(v.id));
}

export async function submitOrgRole({ viewer, userId, formData }: { viewer: Viewer; userId: unknown; formData: unknown }): Promise<FormState> {
  const id = recordIdArgument(userId);
  if (id === null) return { status: "notFound", message: "This person is no longer in the organization." };
  const parsed = orgRoleFormSchema.safeParse(Object.fromEntries(formEntries(formData)));
  if (!parsed.success) return { status: "invalid", fieldErrors: fieldErrors(parsed) };
  return toFormState(await setOrgRole(viewer, id, parsed.data.role), (v) => saved(v.id));
}

export async function submitRemovePerson({ viewer, userId }: { viewer: Viewer; userId: unknown }): Promise<FormState> {
  const id = recordIdArgument(userId);
  if (id === null) return { status: "notFound", message: "This person is no longer in the organization." };
  return toFormState(await removePerson(viewer, id), (v) => saved(v.id));
}

export async function submitTeamRole({ viewer, teamId, userId, formData }: { viewer: Viewer; teamId: unknown; userId: unknown; formData: unknown }): Promise<FormState> {
  const team = recordIdArgument(teamId);
  const person = recordIdArgument(userId);
  if (team === null) return { status: "notFound", message: "This team doesn't exist." };
  if (person === null) return { status: "notFound", message: "This person is no longer in the organization." };
  const parsed = teamRoleFormSchema.safeParse(Object.fromEntries(formEntries(formData)));
  if (!parsed.success) return { status: "invalid", fieldErrors: fieldErrors(parsed) };
  return toFormState(await setTeamRole(viewer, team, person, parsed.data.role), (v) => saved(v.userId));
}

/** Accepting an invitation: the new person's email and password to sign in with, or the form's errors. */
export async function submitAcceptInvitation({ token, formData }: { token: unknown; formData: unknown }): Promise<{ ok: true; email: string; password: string } | { ok: false; state: FormState }> {
  const parsedToken = invitationTokenSchema.safeParse(token);
  if (!parsedToken.success) return { ok: false, state: formError("This invitation link is unknown: check that you copied all of it.") };
  const entries = Object.fromEntries(formEntries(formData));
  const parsed = acceptInvitationSchema.safeParse({ name: entries.name, password: entries.password, confirmPassword: entries.confirmPassword });
  if (!parsed.success) return { ok: false, state: { status: "invalid", fieldErrors: fieldErrors(parsed) } };
  const result = await acceptInvitation({ token: parsedToken.data, name: parsed.data.name, password: parsed.data.password });
  if (!result.ok) return { ok: false, state: result.reason === "notFound" ? formError(result.message) : toFormState(result, () => IDLE) };
  return { ok: true, email: result.value.email, password: parsed.data.password };
}
