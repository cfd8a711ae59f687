"use client";

import { useActionState, useState } from "react";
import { alertWebhookAction } from "@/lib/actions/alert-webhook";
import type { AlertWebhookState } from "@/lib/actions/handlers/alert-webhook";
import { FORM_ERRORS_KEY } from "@/lib/validation/entities/field-errors";
import { Field, inputClass } from "@/components/forms/fields";
import { buttonClass } from "@/components/ui/button";

const IDLE: AlertWebhookState = { status: "idle" };

/**
 * The org's budget-alert webhook (admins): save or clear the URL, or post a
 * test message to what is in the field and see the receiver's answer. The
 * answer is in a polite live region, so a screen reader hears it.
 */
export function AlertWebhookForm({ url }: { url: string | null }) {
  const [latest, action, isPending] = useActionState(alertWebhookAction, IDLE);
  // Controlled, so React's reset of a form after its action leaves the URL in the field.
  const [value, setValue] = useState(url ?? "");
  const fieldErrors = latest.status === "invalid" ? (latest.fieldErrors.alertWebhookUrl ?? []) : [];
  const formErrors = latest.status === "invalid" ? (latest.fieldErrors[FORM_ERRORS_KEY] ?? []) : [];
  return (
    <form action={action} noValidate className="space-y-3 p-4">
      <Field
        name="alertWebhookUrl"
        label="Webhook URL"
        errors={fieldErrors}
        hint="Budget alerts (80% and 100% of a team's budget, spent or projected) are posted here as JSON with a Slack-compatible text field, once per team and month. Leave empty to turn posting off; alerts still show on the overview."
      >
        <input
          id="alertWebhookUrl"
          name="alertWebhookUrl"
          type="url"
          inputMode="url"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="https://hooks.slack.com/services/…"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={fieldErrors.length > 0 || undefined}
          aria-describedby={`alertWebhookUrl-hint${fieldErrors.length ? " alertWebhookUrl-error" : ""}`}
          className={inputClass(fieldErrors.length > 0)}
        />
      </Field>
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" name="_intent" value="save" disabled={isPending} className={buttonClass("primary")}>
          Save webhook
        </button>
        <button type="submit" name="_intent" value="test" disabled={isPending} className={buttonClass("secondary")}>
          Send test message
        </button>
        {isPending ? <span className="text-xs text-slate-500">Working…</span> : null}
      </div>
      <div aria-live="polite" className="text-sm">
        {formErrors.map((message) => (
          <p key={message} className="font-medium text-red-800">
            {message}
          </p>
        ))}
        {latest.status === "saved" ? (
          <p className="text-emerald-800">{latest.url === null ? "Webhook removed: alerts are no longer posted." : latest.isChanged ? "Webhook saved. Alerts due this month are posted now." : "No change: that webhook was already saved."}</p>
        ) : null}
        {latest.status === "testSent" ? <p className="text-emerald-800">Test message delivered: the receiver answered HTTP {latest.httpStatus}.</p> : null}
        {latest.status === "testFailed" ? <p className="font-medium text-red-800">Test message not delivered. {latest.message}.</p> : null}
      </div>
    </form>
  );
}
