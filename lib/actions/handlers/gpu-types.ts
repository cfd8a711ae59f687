import type { Viewer } from "@/lib/access/viewer";
import { createGpuType, deleteGpuType, updateGpuType } from "@/lib/db/mutations/gpu-types";
import { gpuTypeSchema } from "@/lib/validation/entities/gpu-type";
import { readForm } from "@/lib/validation/form-input";
import type { FormState } from "@/lib/validation/form-state";
import { formEntries, formError, parseForm, recordIdArgument, toFormState } from "./form-result";

/** The GPU type form's submit, minus Next's request plumbing: read, validate, create or update. */
export async function submitGpuType({ viewer, id, formData }: { viewer: Viewer; id: unknown; formData: unknown }): Promise<FormState> {
  const form = readForm(formEntries(formData), { defaultTimeZone: viewer.orgTimeZone });
  const parsed = parseForm(gpuTypeSchema, form);
  if (!parsed.ok) return parsed.state;
  if (id === null || id === undefined) {
    const result = await createGpuType({ viewer, values: parsed.values, idempotencyKey: form.idempotencyKey });
    return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: v.isReplay }));
  }
  const gpuTypeId = recordIdArgument(id);
  if (gpuTypeId === null) return { status: "notFound", message: "This GPU type doesn't exist." };
  if (form.version === null) return formError("The form is missing the version it was opened at; reload the page and try again");
  const result = await updateGpuType({ viewer, id: gpuTypeId, expectedVersion: form.version, values: parsed.values });
  return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: false }));
}

export async function submitGpuTypeDelete({ viewer, id }: { viewer: Viewer; id: unknown }): Promise<FormState> {
  const gpuTypeId = recordIdArgument(id);
  if (gpuTypeId === null) return { status: "notFound", message: "This GPU type doesn't exist." };
  const result = await deleteGpuType({ viewer, id: gpuTypeId });
  return toFormState(result, (v) => ({ status: "saved", id: String(gpuTypeId), isReplay: false, deletedId: v.deletedId }));
}
