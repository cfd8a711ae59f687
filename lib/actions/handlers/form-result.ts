import type { MutationResult } from "@/lib/db/mutations/records";
import { FORM_ERRORS_KEY, type FieldErrors } from "@/lib/validation/entities/field-errors";
import type { FormState } from "@/lib/validation/form-state";
import type { FormInput } from "@/lib/validation/form-input";
import { validateForm } from "@/lib/validation/form-input";
import type { z } from "zod";

/** validateForm with the failure as form state. */
export function parseForm<T>(schema: z.ZodType<T>, form: FormInput): { ok: true; values: T } | { ok: false; state: FormState } {
  const result = validateForm(schema, form);
  return result.ok ? result : { ok: false, state: { status: "invalid", fieldErrors: result.fieldErrors } };
}

export function formError(message: string): FormState {
  const fieldErrors: FieldErrors = { [FORM_ERRORS_KEY]: [message] };
  return { status: "invalid", fieldErrors };
}

/** A mutation's result as form state; `saved` maps the success value. */
export function toFormState<T>(result: MutationResult<T>, saved: (value: T) => FormState): FormState {
  if (result.ok) return saved(result.value);
  switch (result.reason) {
    case "invalid":
      return { status: "invalid", fieldErrors: result.fieldErrors };
    case "conflict":
      return { status: "conflict", conflict: result.conflict };
    case "notFound":
      return { status: "notFound", message: result.message };
    case "denied":
      return { status: "denied", denied: result.denied };
  }
}

/** A record id from a bound argument or a path segment (untrusted), or null. */
export function recordIdArgument(value: unknown): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1 && value <= 2_147_483_647) return value;
  if (typeof value === "string" && /^\d{1,10}$/.test(value)) return recordIdArgument(Number(value));
  return null;
}

/** A form's entries, or none when the argument isn't FormData (a forged call). */
export function formEntries(formData: unknown): [string, FormDataEntryValue][] {
  return formData instanceof FormData ? [...formData.entries()] : [];
}
