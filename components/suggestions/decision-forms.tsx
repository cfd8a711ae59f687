"use client";

import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { decideSuggestionAction } from "@/lib/actions/suggestion-states";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { buttonClass } from "@/components/ui/button";

/**
 * The panel's decision buttons: each a small form posting to one server
 * action (works without JavaScript too), disabled with "Saving…" while it
 * runs, its error shown next to it. The server checks the role and finds the
 * suggestion itself; the forms only name it.
 */

function messages(state: FormState): string[] {
  if (state.status === "invalid") return Object.values(state.fieldErrors).flat();
  if (state.status === "notFound") return [state.message];
  if (state.status === "conflict") return [state.conflict.message];
  return [];
}

function Submit({ label, pendingLabel, variant = "secondary", describedBy }: { label: string; pendingLabel: string; variant?: "secondary" | "primary" | "ghost"; describedBy?: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending} aria-describedby={describedBy} className={`${buttonClass(variant)} px-2! py-1! text-xs!`}>
      {pending ? pendingLabel : label}
    </button>
  );
}

function DecisionForm({
  suggestionKey,
  timeZone,
  decision,
  label,
  pendingLabel = "Saving…",
  snoozeDays,
  appliedOn,
  variant,
}: {
  suggestionKey: string;
  timeZone: string;
  decision: "dismiss" | "snooze" | "apply" | "reopen";
  label: string;
  pendingLabel?: string;
  snoozeDays?: 7 | 30;
  /** For "apply": today's date in the view's zone, the latest allowed. */
  appliedOn?: string;
  variant?: "secondary" | "primary" | "ghost";
}) {
  const [state, formAction] = useActionState(decideSuggestionAction, IDLE);
  const errors = messages(state);
  const errorId = `${suggestionKey}-${decision}-${snoozeDays ?? ""}-error`;
  return (
    <form action={formAction} data-print="hide" className="flex flex-wrap items-center gap-1.5">
      <input type="hidden" name="suggestionKey" value={suggestionKey} />
      <input type="hidden" name="decision" value={decision} />
      <input type="hidden" name="_timeZone" value={timeZone} />
      {snoozeDays ? <input type="hidden" name="snoozeDays" value={snoozeDays} /> : null}
      {appliedOn ? (
        <label className="flex items-center gap-1 text-xs text-slate-600">
          Applied on
          <input
            type="date"
            name="appliedOn"
            defaultValue={appliedOn}
            max={appliedOn}
            required
            aria-invalid={errors.length > 0 || undefined}
            className="rounded-md border border-slate-300 px-1.5 py-0.5 text-xs tabular-nums"
          />
        </label>
      ) : null}
      <Submit label={label} pendingLabel={pendingLabel} variant={variant} describedBy={errors.length > 0 ? errorId : undefined} />
      {errors.length > 0 ? (
        <span id={errorId} role="alert" className="text-xs text-red-700">
          {errors.join(" ")}
        </span>
      ) : null}
    </form>
  );
}

/** Dismiss, snooze 7 / 30 days, mark applied (on a date, today by default). */
export function OpenSuggestionActions({ suggestionKey, timeZone, today }: { suggestionKey: string; timeZone: string; today: string }) {
  return (
    <div role="group" aria-label="Decide on this suggestion" className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
      <DecisionForm suggestionKey={suggestionKey} timeZone={timeZone} decision="apply" label="Mark applied" appliedOn={today} variant="primary" />
      <DecisionForm suggestionKey={suggestionKey} timeZone={timeZone} decision="snooze" snoozeDays={7} label="Snooze 7 days" />
      <DecisionForm suggestionKey={suggestionKey} timeZone={timeZone} decision="snooze" snoozeDays={30} label="Snooze 30 days" />
      <DecisionForm suggestionKey={suggestionKey} timeZone={timeZone} decision="dismiss" label="Dismiss" variant="ghost" />
    </div>
  );
}

/** Back to open (undo a dismiss, a snooze or "applied"). */
export function ReopenSuggestion({ suggestionKey, timeZone, label = "Reopen" }: { suggestionKey: string; timeZone: string; label?: string }) {
  return <DecisionForm suggestionKey={suggestionKey} timeZone={timeZone} decision="reopen" label={label} pendingLabel="Reopening…" variant="ghost" />;
}
