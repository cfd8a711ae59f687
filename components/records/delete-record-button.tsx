"use client";

import { useActionState, useRef } from "react";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { buttonClass } from "@/components/ui/button";

/**
 * Delete with a confirmation dialog (native <dialog>: focus trapped, Esc
 * cancels). The action deletes and redirects; failures are shown in the dialog.
 */
export function DeleteRecordButton({
  action,
  noun,
  name,
  consequence,
  id = "delete",
  triggerLabel = "Delete…",
  triggerAriaLabel,
  triggerClassName,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  /** "run", "deployment", … */
  noun: string;
  name: string;
  /** What else goes with it, e.g. "Its 2,016 usage windows are deleted with it." */
  consequence?: string;
  /** Unique per page when several delete buttons share it (one per table row). */
  id?: string;
  triggerLabel?: string;
  /** The trigger's accessible name when its label is the same on every row, e.g. "Delete usage 2026-11-10 00:00". */
  triggerAriaLabel?: string;
  triggerClassName?: string;
}) {
  const [state, formAction, isPending] = useActionState(action, IDLE);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const message = state.status === "notFound" ? state.message : state.status === "invalid" ? Object.values(state.fieldErrors).flat().join(" ") : null;
  return (
    <>
      <button type="button" aria-label={triggerAriaLabel} className={triggerClassName ?? buttonClass("secondary")} onClick={() => dialogRef.current?.showModal()}>
        {triggerLabel}
      </button>
      <dialog ref={dialogRef} aria-labelledby={`${id}-title`} className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40">
        <form action={formAction} className="space-y-3 p-5">
          <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
            Delete {noun} “{name}”?
          </h2>
          <p className="text-sm text-slate-700">
            {consequence ? `${consequence} ` : null}You can undo this for 30 days from the notice shown after deleting, or from Settings → Recently deleted.
          </p>
          {message ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
              {message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2 pt-1">
            <button type="button" autoFocus className={buttonClass("secondary")} onClick={() => dialogRef.current?.close()}>
              Keep it
            </button>
            <button type="submit" disabled={isPending} className={buttonClass("danger")}>
              {isPending ? "Deleting…" : `Delete ${noun}`}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
