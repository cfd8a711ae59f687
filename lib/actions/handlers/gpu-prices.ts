import type { Viewer } from "@/lib/access/viewer";
import { createGpuPrice, deleteGpuPrice, updateGpuPrice } from "@/lib/db/mutations/gpu-prices";
import { gpuPriceSchema } from "@/lib/validation/entities/gpu-price";
import { messageTimeZone, readForm } from "@/lib/validation/form-input";
import { GPU_PRICE_FORM_FIELDS } from "@/lib/validation/settings-forms";
import type { FormState } from "@/lib/validation/form-state";
import { formEntries, formError, parseForm, recordIdArgument, toFormState } from "./form-result";

/** The price form's submit, minus Next's request plumbing: read, validate, create or update. */
export async function submitGpuPrice({ viewer, id, formData }: { viewer: Viewer; id: unknown; formData: unknown }): Promise<FormState> {
  const form = readForm(formEntries(formData), { ...GPU_PRICE_FORM_FIELDS, defaultTimeZone: viewer.orgTimeZone });
  const timeZone = messageTimeZone(form, viewer.orgTimeZone);
  const parsed = parseForm(gpuPriceSchema, form);
  if (!parsed.ok) return parsed.state;
  if (id === null || id === undefined) {
    const result = await createGpuPrice({
      viewer,
      values: parsed.values,
      idempotencyKey: form.idempotencyKey,
      endCurrentPrice: form.values.endCurrentPrice === "true",
      timeZone,
    });
    return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: v.isReplay }));
  }
  const priceId = recordIdArgument(id);
  if (priceId === null) return { status: "notFound", message: "This price doesn't exist." };
  if (form.version === null) return formError("The form is missing the version it was opened at; reload the page and try again");
  const result = await updateGpuPrice({ viewer, id: priceId, expectedVersion: form.version, values: parsed.values, timeZone });
  return toFormState(result, (v) => ({ status: "saved", id: String(v.id), isReplay: false }));
}

export async function submitGpuPriceDelete({ viewer, id }: { viewer: Viewer; id: unknown }): Promise<FormState> {
  const priceId = recordIdArgument(id);
  if (priceId === null) return { status: "notFound", message: "This price doesn't exist." };
  const result = await deleteGpuPrice({ viewer, id: priceId });
  return toFormState(result, (v) => ({ status: "saved", id: String(priceId), isReplay: false, deletedId: v.deletedId }));
}
