import { authorize, isDenied } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { sendTestAlert, setAlertWebhook } from "@/lib/db/mutations/budget-alerts";
import { alertWebhookFormSchema } from "@/lib/validation/alert-webhook";
import { FORM_ERRORS_KEY, type FieldErrors } from "@/lib/validation/entities/field-errors";
import type { DeniedState } from "@/lib/validation/form-state";
import { readForm } from "@/lib/validation/form-input";
import { z } from "zod";
import { formEntries, parseForm } from "./form-result";

/**
 * The budget-alert webhook form (Settings), minus Next's plumbing: org:manage
 * (a refusal is a DeniedState the action settles), one zod schema for the URL, results as values. "Send test message"
 * posts to the URL in the field (saved or not) and reports what the receiver
 * answered.
 */
export type AlertWebhookState =
  | { status: "idle" }
  | { status: "invalid"; fieldErrors: FieldErrors }
  | { status: "saved"; url: string | null; isChanged: boolean }
  | { status: "testSent"; httpStatus: number }
  | { status: "testFailed"; message: string }
  | DeniedState;

function parse(viewer: Viewer, formData: unknown) {
  const denied = authorize(viewer, "org:manage");
  if (denied) return { ok: false as const, state: { status: "denied", denied } satisfies AlertWebhookState };
  const parsed = parseForm(alertWebhookFormSchema, readForm(formEntries(formData), { defaultTimeZone: viewer.orgTimeZone }));
  if (!parsed.ok) return { ok: false as const, state: parsed.state as AlertWebhookState };
  return parsed;
}

export async function submitAlertWebhook({ viewer, formData }: { viewer: Viewer; formData: unknown }): Promise<AlertWebhookState> {
  const parsed = parse(viewer, formData);
  if (!parsed.ok) return parsed.state;
  const result = await setAlertWebhook({ viewer, url: parsed.values.alertWebhookUrl });
  if (!result.ok) {
    if (result.reason === "invalid") return { status: "invalid", fieldErrors: result.fieldErrors };
    if (result.reason === "denied") return { status: "denied", denied: result.denied };
    return { status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: ["The org no longer exists"] } };
  }
  return { status: "saved", ...result.value };
}

export async function submitTestAlert({ viewer, formData }: { viewer: Viewer; formData: unknown }): Promise<AlertWebhookState> {
  const parsed = parse(viewer, formData);
  if (!parsed.ok) return parsed.state;
  const url = parsed.values.alertWebhookUrl;
  if (url === null) return { status: "invalid", fieldErrors: { alertWebhookUrl: ["Enter a webhook URL to send a test message to"] } };
  const result = await sendTestAlert({ viewer, url });
  if (isDenied(result)) return { status: "denied", denied: result };
  return result.ok ? { status: "testSent", httpStatus: result.status } : { status: "testFailed", message: result.error };
}

const intentSchema = z.enum(["save", "test"]);

/** The form's submit: `_intent` (the button pressed) says whether to save or to send a test message. */
export async function submitAlertWebhookForm({ viewer, formData }: { viewer: Viewer; formData: unknown }): Promise<AlertWebhookState> {
  const intent = intentSchema.safeParse(formEntries(formData).find(([name]) => name === "_intent")?.[1] ?? "save");
  if (!intent.success) return { status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: ["Unknown button: use Save webhook or Send test message"] } };
  return intent.data === "test" ? submitTestAlert({ viewer, formData }) : submitAlertWebhook({ viewer, formData });
}
