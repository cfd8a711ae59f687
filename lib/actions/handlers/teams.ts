import type { Viewer } from "@/lib/access/viewer";
import { createTeam, deleteTeam, updateTeam } from "@/lib/db/mutations/teams";
import { teamSchema } from "@/lib/validation/entities/team";
import { readForm } from "@/lib/validation/form-input";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { formEntries, formError, parseForm, recordIdArgument, toFormState } from "./form-result";

/** A saved team form also says where the team now lives (its slug may have changed). */
export type TeamFormState = FormState & { slug?: string };

/** The team form's submit, minus Next's request plumbing: read, validate, create or update. */
export async function submitTeam({ viewer, id, formData }: { viewer: Viewer; id: unknown; formData: unknown }): Promise<TeamFormState> {
  const form = readForm(formEntries(formData), { defaultTimeZone: viewer.orgTimeZone });
  const parsed = parseForm(teamSchema, form);
  if (!parsed.ok) return parsed.state;
  if (id === null || id === undefined) {
    const result = await createTeam({ viewer, values: parsed.values, idempotencyKey: form.idempotencyKey });
    if (!result.ok) return toFormState(result, () => IDLE);
    return { status: "saved", id: String(result.value.id), isReplay: result.value.isReplay, slug: result.value.slug };
  }
  const teamId = recordIdArgument(id);
  if (teamId === null) return { status: "notFound", message: "This team doesn't exist." };
  if (form.version === null) return formError("The form is missing the version it was opened at; reload the page and try again");
  const result = await updateTeam({ viewer, id: teamId, expectedVersion: form.version, values: parsed.values });
  if (!result.ok) return toFormState(result, () => IDLE);
  return { status: "saved", id: String(result.value.id), isReplay: false, slug: result.value.slug };
}

export async function submitTeamDelete({ viewer, id }: { viewer: Viewer; id: unknown }): Promise<FormState> {
  const teamId = recordIdArgument(id);
  if (teamId === null) return { status: "notFound", message: "This team doesn't exist." };
  const result = await deleteTeam({ viewer, id: teamId });
  return toFormState(result, (v) => ({ status: "saved", id: String(teamId), isReplay: false, deletedId: v.deletedId }));
}
