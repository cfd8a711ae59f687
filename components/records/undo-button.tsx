"use client";

import { useActionState } from "react";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { buttonClass } from "@/components/ui/button";

/** Restores a deleted record (restoreDeletedAction bound to its deleted-record id). */
export function UndoButton({
  action,
  label = "Undo",
  accessibleName,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  label?: string;
  /** A name that tells several buttons apart for screen readers, e.g. "Restore run llama-sft". */
  accessibleName?: string;
}) {
  const [state, formAction, isPending] = useActionState(action, IDLE);
  const message = state.status === "notFound" ? state.message : state.status === "invalid" ? Object.values(state.fieldErrors).flat().join(" ") : null;
  return (
    <form action={formAction} className="inline-flex items-center gap-2">
      <button type="submit" disabled={isPending} aria-label={accessibleName} className={buttonClass("secondary")}>
        {isPending ? "Restoring…" : label}
      </button>
      {message ? (
        <span role="alert" className="text-sm text-red-800">
          {message}
        </span>
      ) : null}
    </form>
  );
}
