import type { Viewer } from "@/lib/access/viewer";
import { createUsageWindow, deleteUsageWindow, deploymentPeriod, updateUsageWindow } from "@/lib/db/mutations/usage-windows";
import { usageWindowSchema } from "@/lib/validation/entities/usage-window";
import { messageTimeZone, readForm } from "@/lib/validation/form-input";
import { USAGE_WINDOW_FORM } from "@/lib/validation/inference-forms";
import type { FormState } from "@/lib/validation/form-state";
import { parseUsageWindowStart } from "@/lib/validation/usage-window-start";
import { formEntries, formError, parseForm, recordIdArgument, toFormState } from "./form-result";


/** A usage form's result; a saved window says where it ends, for "Save and add next". */
export type UsageWindowFormState = FormState & { window?: { start: string; seconds: number } };

const NO_DEPLOYMENT: FormState = { status: "notFound", message: "This deployment doesn't exist: it may have been deleted." };
const NO_WINDOW: FormState = { status: "notFound", message: "This usage record doesn't exist: it may have been deleted or moved." };

/**
 * The usage form's submit, minus Next's request plumbing (so tests call it
 * with any viewer and any input). The deployment comes from the URL, never
 * from the form; it is loaded first because the schema checks the period
 * against its active period (and the mutation checks again under its lock).
 * `start` is null for a new window, else the start of the window being edited.
 */
export async function submitUsageWindow({
  viewer,
  deploymentId,
  start,
  formData,
  now,
}: {
  viewer: Viewer;
  deploymentId: unknown;
  start: unknown;
  formData: unknown;
  now: Date;
}): Promise<UsageWindowFormState> {
  const id = recordIdArgument(deploymentId);
  if (id === null) return NO_DEPLOYMENT;
  const isEdit = start !== null && start !== undefined;
  const windowStart = isEdit ? parseUsageWindowStart(start) : null;
  if (isEdit && windowStart === null) return NO_WINDOW;
  const deployment = await deploymentPeriod({ viewer, deploymentId: id });
  if (!deployment) return NO_DEPLOYMENT;
  // Times are read, and named in messages, in the form's zone (the view's reporting zone, the org's by default).
  const form = readForm(formEntries(formData), { ...USAGE_WINDOW_FORM, defaultTimeZone: viewer.orgTimeZone });
  const timeZone = messageTimeZone(form, viewer.orgTimeZone);
  form.values.deploymentId = String(id);
  const parsed = parseForm(usageWindowSchema({ now, deployment, timeZone }), form);
  if (!parsed.ok) return parsed.state;
  if (windowStart === null) {
    const result = await createUsageWindow({ viewer, values: parsed.values, idempotencyKey: form.idempotencyKey, now, timeZone });
    return toFormState(result, (v) => ({ status: "saved", id: String(id), isReplay: v.isReplay, window: { start: v.windowStart.toISOString(), seconds: v.windowSeconds } }));
  }
  if (form.version === null) return formError("The form is missing the version it was opened at; reload the page and try again");
  const result = await updateUsageWindow({ viewer, key: { deploymentId: id, windowStart }, expectedVersion: form.version, values: parsed.values, now, timeZone });
  return toFormState(result, (v) => ({ status: "saved", id: String(id), isReplay: false, window: { start: v.windowStart.toISOString(), seconds: v.windowSeconds } }));
}

export async function submitUsageWindowDelete({ viewer, deploymentId, start }: { viewer: Viewer; deploymentId: unknown; start: unknown }): Promise<FormState> {
  const id = recordIdArgument(deploymentId);
  if (id === null) return NO_DEPLOYMENT;
  const windowStart = parseUsageWindowStart(start);
  if (windowStart === null) return NO_WINDOW;
  const result = await deleteUsageWindow({ viewer, key: { deploymentId: id, windowStart } });
  return toFormState(result, (v) => ({ status: "saved", id: String(id), isReplay: false, deletedId: v.deletedId }));
}
