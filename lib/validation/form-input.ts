import { localToInstant } from "@/lib/domain/local-time";
import type { z } from "zod";
import { fieldErrors, type FieldErrors } from "./entities/field-errors";

/**
 * A submitted form → the plain object the entity schemas parse. Shared by the
 * browser (inline validation as a person types) and the server action
 * (authoritative), so both read the same values. datetime-local inputs carry
 * no zone: they are read in the form's time zone (the `_timeZone` field).
 */

/** Hidden fields every record form carries; never part of the record. */
export const FORM_META = {
  version: "_version",
  idempotencyKey: "_idempotencyKey",
  timeZone: "_timeZone",
} as const;

const META_NAMES = new Set<string>(Object.values(FORM_META));

export type FormEntries = Iterable<[string, FormDataEntryValue]>;

export interface FormInput {
  /** Field name → submitted text (checkbox "on"); files are ignored. */
  values: Record<string, string>;
  /** Field errors from reading local times (a time skipped by a DST change). */
  errors: FieldErrors;
  version: number | null;
  idempotencyKey: string | null;
  timeZone: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the form. `dateTimeFields` are converted from local wall-clock text
 * to ISO instants; `checkboxes` are "true"/"false" (an unchecked box is absent
 * from FormData). Unknown names pass through for the schema to ignore.
 */
export function readForm(entries: FormEntries, { dateTimeFields = [], checkboxes = [], defaultTimeZone }: { dateTimeFields?: readonly string[]; checkboxes?: readonly string[]; defaultTimeZone: string }): FormInput {
  const raw = new Map<string, string>();
  for (const [name, value] of entries) {
    if (typeof value === "string" && !raw.has(name)) raw.set(name, value);
  }
  const timeZone = raw.get(FORM_META.timeZone)?.trim() || defaultTimeZone;
  const values: Record<string, string> = {};
  const errors: FieldErrors = {};
  for (const [name, value] of raw) {
    if (!META_NAMES.has(name)) values[name] = value;
  }
  for (const name of checkboxes) values[name] = raw.has(name) && raw.get(name) !== "false" ? "true" : "false";
  for (const name of dateTimeFields) {
    const text = values[name]?.trim();
    if (!text || /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text)) continue;
    const result = localToInstant({ local: text, timeZone });
    if (result.ok) values[name] = result.instant.toISOString();
    else if (result.reason === "skipped") errors[name] = [`${text.replace("T", " ")} doesn't exist in ${timeZone}: clocks skip that hour`];
    else if (result.reason === "unknownZone") errors[name] = [`Unknown time zone ${timeZone}`];
    // Other unreadable text goes to the schema unchanged, which says what is wrong with it.
  }
  const versionText = raw.get(FORM_META.version)?.trim() ?? "";
  const version = /^\d{1,9}$/.test(versionText) ? Number(versionText) : null;
  const key = raw.get(FORM_META.idempotencyKey)?.trim() ?? "";
  return { values, errors, version, idempotencyKey: UUID.test(key) ? key.toLowerCase() : null, timeZone };
}

/** Merges field errors, keeping each message once. */
export function mergeFieldErrors(...sources: FieldErrors[]): FieldErrors {
  const merged: FieldErrors = {};
  for (const source of sources) {
    for (const [field, messages] of Object.entries(source)) {
      const list = (merged[field] ??= []);
      for (const message of messages) if (!list.includes(message)) list.push(message);
    }
  }
  return merged;
}

/**
 * Parses a read form with an entity schema — in the browser as a person
 * types and in the server action. An error from reading a local time replaces
 * the schema's message for that field (which would only say it has no zone).
 */
export function validateForm<T>(schema: z.ZodType<T>, form: FormInput): { ok: true; values: T } | { ok: false; fieldErrors: FieldErrors } {
  const parsed = schema.safeParse(form.values);
  const schemaErrors = fieldErrors(parsed);
  for (const field of Object.keys(form.errors)) delete schemaErrors[field];
  const errors = mergeFieldErrors(form.errors, schemaErrors);
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
  return { ok: true, values: parsed.data };
}

/**
 * The zone a form's messages give times in: the form's own (`_timeZone`, the
 * zone its times were entered in) when it names a real zone, else `fallback`
 * — a forged zone must not make a message fail to format.
 */
export function messageTimeZone(form: Pick<FormInput, "timeZone">, fallback: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: form.timeZone });
    return form.timeZone;
  } catch {
    return fallback;
  }
}
