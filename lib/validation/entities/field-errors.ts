import type { z } from "zod";

/** Messages per field path ("gpuCount", "latency.p95"); problems with the whole input are under FORM_ERRORS_KEY. */
export type FieldErrors = Record<string, string[]>;

export const FORM_ERRORS_KEY = "_form";

/**
 * Turns a safeParse result into messages per field for a form or an action's
 * result value: empty on success, each message once per field, in the order
 * the schema found them.
 */
export function fieldErrors(result: z.ZodSafeParseResult<unknown>): FieldErrors {
  const errors: FieldErrors = {};
  if (result.success) return errors;
  for (const issue of result.error.issues) {
    const key = issue.path.length === 0 ? FORM_ERRORS_KEY : issue.path.map(String).join(".");
    const messages = (errors[key] ??= []);
    if (!messages.includes(issue.message)) messages.push(issue.message);
  }
  return errors;
}
