import type { Viewer } from "@/lib/access/viewer";
import { createTrainingRun, deleteTrainingRun, updateTrainingRun } from "@/lib/db/mutations/training-runs";
import { trainingRunSchema } from "@/lib/validation/entities/training-run";
import { messageTimeZone, readForm } from "@/lib/validation/form-input";
import { TRAINING_RUN_FORM_FIELDS } from "@/lib/validation/record-forms";
import type { FormState } from "@/lib/validation/form-state";
import { formEntries, formError, parseForm, recordIdArgument, toFormState } from "./form-result";


/**
 * The run form's submit, minus Next's request plumbing (so tests call it with
 * any viewer and any input): read, validate, create or update.
 */
export async function submitTrainingRun({ viewer, id, formData, now }: { viewer: Viewer; id: unknown; formData: unknown; now: Date }): Promise<FormState> {
  const form = readForm(formEntries(formData), { ...TRAINING_RUN_FORM_FIELDS, defaultTimeZone: viewer.orgTimeZone });
  const timeZone = messageTimeZone(form, viewer.orgTimeZone);
  const parsed = parseForm(trainingRunSchema({ now }), form);
  if (!parsed.ok) return parsed.state;
  if (id === null || id === undefined) {
    const result = await createTrainingRun({ viewer, values: parsed.values, idempotencyKey: form.idempotencyKey, timeZone });
    return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: v.isReplay }));
  }
  const runId = recordIdArgument(id);
  if (runId === null) return { status: "notFound", message: "This run doesn't exist." };
  if (form.version === null) return formError("The form is missing the version it was opened at; reload the page and try again");
  const result = await updateTrainingRun({ viewer, id: runId, expectedVersion: form.version, values: parsed.values, timeZone });
  return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: false }));
}

export async function submitTrainingRunDelete({ viewer, id }: { viewer: Viewer; id: unknown }): Promise<FormState> {
  const runId = recordIdArgument(id);
  if (runId === null) return { status: "notFound", message: "This run doesn't exist." };
  const result = await deleteTrainingRun({ viewer, id: runId });
  return toFormState(result, (v) => ({ status: "saved", id: String(runId), isReplay: false, deletedId: v.deletedId }));
}
