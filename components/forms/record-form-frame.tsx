"use client";

import type { Route } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { FORM_ERRORS_KEY } from "@/lib/validation/entities/field-errors";
import { FORM_META } from "@/lib/validation/form-input";
import { buttonClass } from "@/components/ui/button";
import type { RecordFormApi } from "./use-record-form";

/**
 * The frame every record form shares: the error summary and conflict panel
 * above the fields, hidden version / idempotency key / time zone, and the
 * footer with Save (disabled while saving, so a double click sends once) and
 * Cancel. Ctrl/⌘+Enter saves from anywhere in the form.
 */
export function RecordFormFrame({
  form,
  timeZone,
  labels,
  submitLabel,
  cancelHref,
  aside,
  extraActions,
  hasTimes = true,
  children,
}: {
  form: RecordFormApi;
  timeZone: string;
  /** Field name → label, for the error summary and the conflict table. */
  labels: Record<string, string>;
  submitLabel: string;
  cancelHref: Route;
  /** Shown beside the fields on wide screens (the cost preview). */
  aside?: ReactNode;
  extraActions?: ReactNode;
  /** Whether the form has date-time fields (read in `timeZone`), so the footer says which zone. */
  hasTimes?: boolean;
  children: ReactNode;
}) {
  const { state, formAction, isPending, summaryErrors, onSubmit, onKeyDown, formRef, summaryRef, version, idempotencyKey } = form;
  const fieldMessages = Object.entries(summaryErrors).filter(([field]) => field !== FORM_ERRORS_KEY);
  const formMessages = summaryErrors[FORM_ERRORS_KEY] ?? [];
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate className="grid grid-cols-1 gap-5 xl:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="min-w-0 space-y-4">
        <div ref={summaryRef} tabIndex={-1} className="space-y-3 outline-none" aria-live="polite">
          {fieldMessages.length > 0 || formMessages.length > 0 ? (
            <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900">
              {formMessages.map((message) => (
                <p key={message} className="font-medium">
                  {message}
                </p>
              ))}
              {fieldMessages.length > 0 ? (
                <>
                  <p className="font-medium">
                    {fieldMessages.length === 1 ? "1 field needs attention" : `${fieldMessages.length} fields need attention`}:
                  </p>
                  <ul className="mt-1 list-disc pl-5">
                    {fieldMessages.map(([field, messages]) => (
                      <li key={field}>
                        <a href={`#${field}`} className="underline underline-offset-2">
                          {labels[field] ?? field}
                        </a>
                        : {messages.join(" · ")}
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </div>
          ) : null}
          {state.status === "notFound" ? (
            <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900">
              {state.message}
            </div>
          ) : null}
          {state.status === "conflict" ? <ConflictPanel form={form} labels={labels} timeZone={timeZone} /> : null}
        </div>
        <div className="rounded-lg border border-slate-200 bg-white">{children}</div>
        <input type="hidden" name={FORM_META.timeZone} value={timeZone} />
        <input type="hidden" name={FORM_META.idempotencyKey} value={idempotencyKey} />
        {version !== undefined ? <input type="hidden" name={FORM_META.version} value={version} /> : null}
        <div className="flex flex-wrap items-center gap-2">
          <button type="submit" disabled={isPending} className={buttonClass("primary")}>
            {isPending ? "Saving…" : submitLabel}
          </button>
          <Link href={cancelHref} className={buttonClass("ghost")}>
            Cancel
          </Link>
          {extraActions}
          <span className="ml-auto text-xs text-slate-500">
            {hasTimes ? `Times in ${timeZone} · ` : null}
            <kbd className="rounded border border-slate-300 px-1">Ctrl</kbd>+<kbd className="rounded border border-slate-300 px-1">Enter</kbd> saves
          </span>
        </div>
      </div>
      {aside ? (
        // Named: the layout's sidebar is a complementary landmark too.
        <aside aria-label="Preview" className="xl:sticky xl:top-4 xl:self-start">
          {aside}
        </aside>
      ) : null}
    </form>
  );
}

function show(value: string | number | boolean | null): string {
  if (value === null || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

/** What changed under the person's feet, side by side with what they entered; they choose which to keep. */
function ConflictPanel({ form, labels, timeZone }: { form: RecordFormApi; labels: Record<string, string>; timeZone: string }) {
  if (form.state.status !== "conflict") return null;
  const { conflict } = form.state;
  return (
    <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950">
      <p className="font-medium">Not saved: this record changed since you opened it.</p>
      <p className="mt-1">
        {conflict.changedBy ? `${conflict.changedBy.actorName} saved it at ${new Date(conflict.changedBy.at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone })}. ` : null}
        Your values are still in the form. Where they differ from what is saved now:
      </p>
      {conflict.changes.length > 0 ? (
        <table className="mt-2 w-full text-left text-xs">
          <thead>
            <tr className="text-amber-900">
              <th className="py-1 pr-3 font-medium">Field</th>
              <th className="py-1 pr-3 font-medium">Saved now</th>
              <th className="py-1 font-medium">Yours</th>
            </tr>
          </thead>
          <tbody>
            {conflict.changes.map((change) => (
              <tr key={change.field} className="border-t border-amber-200">
                <td className="py-1 pr-3">{labels[change.field] ?? change.field}</td>
                <td className="py-1 pr-3 font-mono">{show(change.saved)}</td>
                <td className="py-1 font-mono">{show(change.yours)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="mt-1">Your values match what is saved now.</p>
      )}
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="button" className={buttonClass("primary")} onClick={() => form.overwrite(conflict.currentVersion)}>
          Save mine over it
        </button>
        <button type="button" className={buttonClass("secondary")} onClick={() => window.location.reload()}>
          Discard mine and load the saved version
        </button>
      </div>
    </div>
  );
}
