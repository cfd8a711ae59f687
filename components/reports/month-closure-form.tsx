"use client";

import { useActionState } from "react";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { buttonClass } from "@/components/ui/button";

/**
 * Close or reopen a month, with a confirmation step: the first button opens
 * a panel saying what happens (a <details>, so it works without JavaScript
 * and from the keyboard), the second submits. Failures (the month is not
 * over, someone closed it just now) are shown in the panel.
 */
export function MonthClosureForm({
  action,
  mode,
  monthLabel,
  consequence,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  mode: "close" | "reopen";
  /** "October 2026" */
  monthLabel: string;
  /** What closing or reopening does, in a sentence or two. */
  consequence: string;
}) {
  const [state, formAction, isPending] = useActionState(action, IDLE);
  const message = state.status === "notFound" ? state.message : state.status === "invalid" ? Object.values(state.fieldErrors).flat().join(" ") : null;
  const verb = mode === "close" ? "Close" : "Reopen";
  return (
    <details data-print="hide" open={message ? true : undefined} className="group rounded-lg border border-slate-200 bg-white">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-lg px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 [&::-webkit-details-marker]:hidden">
        <span aria-hidden="true" className="inline-block transition-transform group-open:rotate-90">
          ▸
        </span>
        {verb} {monthLabel}…
      </summary>
      <form action={formAction} className="space-y-3 border-t border-slate-200 px-4 py-3">
        <p className="max-w-2xl text-sm text-slate-700">{consequence}</p>
        {message ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
            {message}
          </p>
        ) : null}
        <button type="submit" disabled={isPending} className={buttonClass(mode === "close" ? "primary" : "danger")}>
          {isPending ? (mode === "close" ? "Closing…" : "Reopening…") : `${verb} ${monthLabel}`}
        </button>
      </form>
    </details>
  );
}
