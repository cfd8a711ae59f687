import type { Viewer } from "@/lib/access/viewer";
import { createInferenceDeployment, deleteInferenceDeployment, updateInferenceDeployment } from "@/lib/db/mutations/inference-deployments";
import { inferenceDeploymentSchema } from "@/lib/validation/entities/inference-deployment";
import { messageTimeZone, readForm } from "@/lib/validation/form-input";
import { INFERENCE_DEPLOYMENT_FORM } from "@/lib/validation/inference-forms";
import type { FormState } from "@/lib/validation/form-state";
import { formEntries, formError, parseForm, recordIdArgument, toFormState } from "./form-result";


/**
 * The deployment form's submit, minus Next's request plumbing (so tests call
 * it with any viewer and any input): read, validate, create or update.
 */
export async function submitInferenceDeployment({ viewer, id, formData }: { viewer: Viewer; id: unknown; formData: unknown }): Promise<FormState> {
  const form = readForm(formEntries(formData), { ...INFERENCE_DEPLOYMENT_FORM, defaultTimeZone: viewer.orgTimeZone });
  const parsed = parseForm(inferenceDeploymentSchema, form);
  if (!parsed.ok) return parsed.state;
  if (id === null || id === undefined) {
    const result = await createInferenceDeployment({ viewer, values: parsed.values, idempotencyKey: form.idempotencyKey });
    return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: v.isReplay }));
  }
  const deploymentId = recordIdArgument(id);
  if (deploymentId === null) return { status: "notFound", message: "This deployment doesn't exist." };
  if (form.version === null) return formError("The form is missing the version it was opened at; reload the page and try again");
  const result = await updateInferenceDeployment({ viewer, id: deploymentId, expectedVersion: form.version, values: parsed.values, timeZone: messageTimeZone(form, viewer.orgTimeZone) });
  return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: false }));
}

export async function submitInferenceDeploymentDelete({ viewer, id }: { viewer: Viewer; id: unknown }): Promise<FormState> {
  const deploymentId = recordIdArgument(id);
  if (deploymentId === null) return { status: "notFound", message: "This deployment doesn't exist." };
  const result = await deleteInferenceDeployment({ viewer, id: deploymentId });
  return toFormState(result, (v) => ({ status: "saved", id: String(deploymentId), isReplay: false, deletedId: v.deletedId }));
}
