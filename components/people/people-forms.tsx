"use client";

import { startTransition, useActionState, useRef, useState, type FormEvent } from "react";
import { FORM_ERRORS_KEY } from "@/lib/validation/entities/field-errors";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import { Field, inputClass } from "@/components/forms/fields";
import { buttonClass } from "@/components/ui/button";

/**
 * The people forms: invite (with the link shown once), role selects, revoke
 * and remove. Plain forms posting to server actions; each shows its own
 * problem next to it and announces it.
 */

type Option = { value: string; label: string };

type InvitedState = { status: "invited"; link: string; email: string; expiresAt: string };
type InviteFormState = FormState | InvitedState | { status: "invalid"; fieldErrors: Record<string, string[]> };
type InviteAction = (state: InviteFormState, formData: FormData) => Promise<InviteFormState>;
type RowAction = (state: FormState, formData: FormData) => Promise<FormState>;

function messagesOf(state: InviteFormState): string[] {
  if (state.status === "notFound") return [state.message];
  if (state.status === "invalid") return Object.values(state.fieldErrors).flat();
  return [];
}

function errorsOf(state: InviteFormState, name: string): string[] {
  return state.status === "invalid" ? (state.fieldErrors[name] ?? []) : [];
}

function Problem({ messages, className = "" }: { messages: string[]; className?: string }) {
  return (
    <div role="alert" aria-live="assertive" className={className}>
      {messages.length ? <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{messages.join(" ")}</p> : null}
    </div>
  );
}

/** The invitation link, once: a read-only field to select and a copy button. */
function InvitationLink({ state, expiresLabel }: { state: InvitedState; expiresLabel: (iso: string) => string }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const fieldRef = useRef<HTMLInputElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(state.link);
      setCopied("copied");
    } catch {
      fieldRef.current?.select();
      setCopied("failed");
    }
  }
  return (
    <div role="status" className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-950" data-testid="invitation-link">
      <p className="font-medium">Invitation for {state.email} is ready.</p>
      <p className="mt-0.5 text-emerald-900">
        Hand this link over yourself (no email is sent). It works once, until {expiresLabel(state.expiresAt)}, and is shown only now: copy it before you leave this page.
      </p>
      <div className="mt-2 flex flex-col gap-2 sm:flex-row">
        <label htmlFor="invitation-link" className="sr-only">
          Invitation link
        </label>
        <input
          id="invitation-link"
          ref={fieldRef}
          readOnly
          value={state.link}
          onFocus={(e) => e.currentTarget.select()}
          className={inputClass(false, "font-mono text-xs")}
        />
        <button type="button" onClick={copy} className={`${buttonClass("primary")} shrink-0`}>
          {copied === "copied" ? "Copied" : "Copy link"}
        </button>
      </div>
      <p aria-live="polite" className="mt-1 text-xs">
        {copied === "copied" ? "Copied to the clipboard." : copied === "failed" ? "Copying isn't allowed here: the link is selected, press Ctrl+C (⌘C)." : ""}
      </p>
    </div>
  );
}

/**
 * "Invite someone": email, org role (org admins), a role per team, expiry.
 * On one team's members page `teams` holds that team alone and `orgRoles` is empty (members only).
 */
export function InviteForm({
  action,
  orgRoles,
  teams,
  teamRoles,
  expiryDays,
  timeZone,
}: {
  action: InviteAction;
  /** The org roles this person may give (empty: Member only, the field is hidden). */
  orgRoles: Option[];
  teams: { id: number; name: string }[];
  teamRoles: Option[];
  expiryDays: { min: number; max: number; default: number };
  timeZone: string;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE as InviteFormState);
  const [role, setRole] = useState(orgRoles.find((o) => o.value === "MEMBER")?.value ?? "MEMBER");
  const singleTeam = orgRoles.length === 0 && teams.length === 1;
  const formProblems = state.status === "invalid" ? [...(state.fieldErrors[FORM_ERRORS_KEY] ?? []), ...(state.fieldErrors.teamRoles ?? [])] : messagesOf(state);
  // Submitted in a transition rather than as a native form action, so a refused invite keeps what was typed
  // (React resets a form after its action); a sent one starts a fresh form (the key).
  const keepValues = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => formAction(data));
  };
  const expiresLabel = (iso: string) =>
    `${new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso)).replace(",", "")} (${timeZone})`;
  return (
    <div>
      {state.status === "invited" ? <InvitationLink key={state.link} state={state} expiresLabel={expiresLabel} /> : null}
      <form key={state.status === "invited" ? state.link : "form"} action={formAction} onSubmit={keepValues} className="space-y-3" noValidate>
        <Problem messages={formProblems} />
        <div className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)]">
          <Field name="email" label="Email" errors={errorsOf(state, "email")} isRequired>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="off"
              required
              placeholder="grace@example.com"
              aria-invalid={errorsOf(state, "email").length > 0 || undefined}
              aria-describedby={errorsOf(state, "email").length ? "email-error" : undefined}
              className={inputClass(errorsOf(state, "email").length > 0)}
            />
          </Field>
          {orgRoles.length ? (
            <Field name="role" label="Org role" errors={errorsOf(state, "role")}>
              <select id="role" name="role" value={role} onChange={(e) => setRole(e.target.value)} className={inputClass(errorsOf(state, "role").length > 0)}>
                {orgRoles.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <input type="hidden" name="role" value="MEMBER" />
          )}
          <Field name="expiresInDays" label="Link expires in" errors={errorsOf(state, "expiresInDays")} hint={`${expiryDays.min}–${expiryDays.max} days`}>
            <div className="flex items-center gap-2">
              <div className="w-20">
                <input
                  id="expiresInDays"
                  name="expiresInDays"
                  type="number"
                  inputMode="numeric"
                  min={expiryDays.min}
                  max={expiryDays.max}
                  step={1}
                  defaultValue={expiryDays.default}
                  aria-describedby={["expiresInDays-hint", errorsOf(state, "expiresInDays").length ? "expiresInDays-error" : null].filter(Boolean).join(" ")}
                  aria-invalid={errorsOf(state, "expiresInDays").length > 0 || undefined}
                  className={inputClass(errorsOf(state, "expiresInDays").length > 0, "text-right tabular-nums")}
                />
              </div>
              <span className="text-sm text-slate-600">days</span>
            </div>
          </Field>
        </div>
        {role === "MEMBER" ? (
          teams.length ? (
            <fieldset>
              <legend className="mb-1 text-xs font-medium text-slate-700">{singleTeam ? "Role on this team" : "Team roles"}</legend>
              {singleTeam ? null : <p className="mb-2 text-xs text-slate-500">A member sees only the teams they have a role on.</p>}
              <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
                {teams.map((team) => {
                  const name = `team.${team.id}`;
                  const errors = errorsOf(state, name);
                  return (
                    <div key={team.id} className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 px-2.5 py-1.5">
                      <label htmlFor={name} className="min-w-0 flex-1 truncate text-sm text-slate-800" title={team.name}>
                        {team.name}
                      </label>
                      <div className="w-32 shrink-0">
                        <select
                          id={name}
                          name={name}
                          defaultValue={singleTeam ? "VIEWER" : ""}
                          aria-invalid={errors.length > 0 || undefined}
                          aria-describedby={errors.length ? `${name}-error` : undefined}
                          className={inputClass(errors.length > 0)}
                        >
                          {singleTeam ? null : <option value="">No access</option>}
                          {teamRoles.map((o) => (
                            <option key={o.value} value={o.value}>
                              {o.label}
                            </option>
                          ))}
                        </select>
                      </div>
                      {errors.length ? (
                        <p id={`${name}-error`} className="basis-full text-xs font-medium text-red-700">
                          {errors.join(" · ")}
                        </p>
                      ) : null}
                    </div>
                  );
                })}
              </div>
            </fieldset>
          ) : (
            <p className="text-sm text-slate-600">There are no teams yet: a member will see nothing until they get a role on one.</p>
          )
        ) : (
          <p className="text-sm text-slate-600">Owners and admins are admins of every team.</p>
        )}
        <div className="flex justify-end">
          <button type="submit" disabled={pending} className={buttonClass("primary")}>
            {pending ? "Creating link…" : "Create invitation link"}
          </button>
        </div>
      </form>
    </div>
  );
}

/** A role select with its own Save button (works without JavaScript and by keyboard). */
export function RoleSelectForm({ action, options, value, label, fieldName = "role" }: { action: RowAction; options: Option[]; value: string; label: string; fieldName?: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const [selected, setSelected] = useState(value);
  const messages = messagesOf(state);
  return (
    <form action={formAction} className="flex max-w-72 flex-wrap items-center gap-1.5">
      <div className="w-32 shrink-0">
        <select name={fieldName} aria-label={label} value={selected} onChange={(e) => setSelected(e.target.value)} className={inputClass(messages.length > 0, "py-1")}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={pending || selected === value} aria-label={`Save: ${label}`} className={`${buttonClass("secondary")} py-1`}>
        {pending ? "Saving…" : "Save"}
      </button>
      {messages.length ? (
        <span role="alert" className="basis-full text-xs whitespace-normal text-red-800">
          {messages.join(" ")}
        </span>
      ) : null}
    </form>
  );
}

/** One button that runs an action (revoke), with its problem beside it. */
export function ActionButton({ action, label, pendingLabel, accessibleName }: { action: RowAction; label: string; pendingLabel: string; accessibleName: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const messages = messagesOf(state);
  return (
    <form action={formAction} className="inline-flex flex-wrap items-center justify-end gap-2">
      <button type="submit" disabled={pending} aria-label={accessibleName} className={`${buttonClass("secondary")} py-1`}>
        {pending ? pendingLabel : label}
      </button>
      {messages.length ? (
        <span role="alert" className="text-xs whitespace-normal text-red-800">
          {messages.join(" ")}
        </span>
      ) : null}
    </form>
  );
}

/** Remove with a confirmation dialog (native <dialog>: focus trapped, Esc cancels). */
export function ConfirmRemoveButton({ action, id, title, consequence, confirmLabel, accessibleName, fields = {} }: {
  action: RowAction;
  /** Hidden fields the action reads (taking someone off a team posts an empty role). */
  fields?: Record<string, string>;
  id: string;
  title: string;
  consequence: string;
  confirmLabel: string;
  accessibleName: string;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const messages = messagesOf(state);
  return (
    <>
      <button type="button" aria-label={accessibleName} className={`${buttonClass("ghost")} py-1 text-red-700`} onClick={() => dialogRef.current?.showModal()}>
        Remove…
      </button>
      <dialog ref={dialogRef} aria-labelledby={`${id}-title`} className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 text-left whitespace-normal shadow-xl backdrop:bg-slate-900/40">
        <form action={formAction} className="space-y-3 p-5">
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          <p className="text-sm text-slate-700">{consequence}</p>
          <Problem messages={messages} />
          <div className="flex justify-end gap-2 pt-1">
            <button type="button" autoFocus className={buttonClass("secondary")} onClick={() => dialogRef.current?.close()}>
              Cancel
            </button>
            <button type="submit" disabled={pending} className={buttonClass("danger")}>
              {pending ? "Removing…" : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
