"use client";

import { useActionState, useId, type ReactNode } from "react";
import type { AuthFormState } from "@/lib/actions/auth";
import { FORM_ERRORS_KEY } from "@/lib/validation/entities/field-errors";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/forms/fields";

type AuthAction = (previous: AuthFormState, formData: FormData) => Promise<AuthFormState>;

const IDLE: AuthFormState = { status: "idle" };

function errorsOf(state: AuthFormState, name: string): string[] {
  return state.status === "invalid" ? (state.fieldErrors[name] ?? []) : [];
}

/** The form-level problem (wrong password, rate limit), announced to screen readers. */
function FormProblem({ state }: { state: AuthFormState }) {
  const messages = errorsOf(state, FORM_ERRORS_KEY);
  return (
    <div role="alert" aria-live="assertive">
      {messages.length ? <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{messages.join(" ")}</p> : null}
    </div>
  );
}

function typed(state: AuthFormState, name: string): string | undefined {
  return state.status === "invalid" ? state.values?.[name] : undefined;
}

function Input({ name, label, type = "text", autoComplete, state, hint, defaultValue, children }: {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  state: AuthFormState;
  hint?: string;
  defaultValue?: string;
  children?: ReactNode;
}) {
  const errors = errorsOf(state, name);
  const described = [hint ? `${name}-hint` : null, errors.length ? `${name}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={name} className="mb-1 block text-xs font-medium text-slate-700">
        {label}
      </label>
      {children ?? (
        <input
          id={name}
          name={name}
          type={type}
          autoComplete={autoComplete}
          // Keyed by the typed value so a refused submit shows it again (React resets forms after an action).
          key={typed(state, name) ?? defaultValue ?? ""}
          defaultValue={typed(state, name) ?? defaultValue}
          required
          aria-invalid={errors.length > 0 || undefined}
          aria-describedby={described}
          className={inputClass(errors.length > 0)}
        />
      )}
      {hint ? (
        <p id={`${name}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {errors.length ? (
        <p id={`${name}-error`} className="mt-1 text-xs font-medium text-red-700">
          {errors.join(" · ")}
        </p>
      ) : null}
    </div>
  );
}

export function SignInForm({ action, next }: { action: AuthAction; next: string | null }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="space-y-3" noValidate>
      <FormProblem state={state} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Input name="email" label="Email" type="email" autoComplete="username" state={state} />
      <Input name="password" label="Password" type="password" autoComplete="current-password" state={state} />
      <button type="submit" disabled={pending} className={`${buttonClass("primary")} w-full`}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

/** A one-button form (demo user, SSO). */
export function ButtonForm({ action, label, pendingLabel, variant = "secondary", children }: {
  action: AuthAction;
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary";
  children?: ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const id = useId();
  return (
    <form action={formAction}>
      <button type="submit" disabled={pending} aria-describedby={`${id}-d`} className={`${buttonClass(variant)} w-full justify-between text-left`}>
        <span>{pending ? pendingLabel : label}</span>
        <span id={`${id}-d`} className="text-xs font-normal text-slate-500">
          {children}
        </span>
      </button>
      <FormProblem state={state} />
    </form>
  );
}

export function SetupForm({ action, zones, defaultZone }: { action: AuthAction; zones: readonly string[]; defaultZone: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const zoneErrors = errorsOf(state, "timeZone");
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <FormProblem state={state} />
      <fieldset className="space-y-3">
        <legend className="mb-1 text-sm font-semibold text-slate-800">Organization</legend>
        <Input name="orgName" label="Organization name" autoComplete="organization" state={state} />
        <Input name="timeZone" label="Reporting time zone" state={state} hint="Org-wide reports, months and budgets are counted in this zone; teams may report in their own.">
          <select
            id="timeZone"
            name="timeZone"
            key={typed(state, "timeZone") ?? defaultZone}
            defaultValue={typed(state, "timeZone") ?? defaultZone}
            aria-invalid={zoneErrors.length > 0 || undefined}
            aria-describedby={["timeZone-hint", zoneErrors.length ? "timeZone-error" : null].filter(Boolean).join(" ")}
            className={inputClass(zoneErrors.length > 0)}
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </Input>
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="mb-1 text-sm font-semibold text-slate-800">You, the first owner</legend>
        <Input name="name" label="Your name" autoComplete="name" state={state} />
        <Input name="email" label="Email" type="email" autoComplete="email" state={state} />
        <Input name="password" label="Password" type="password" autoComplete="new-password" state={state} hint="At least 10 characters." />
        <Input name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" state={state} />
      </fieldset>
      <button type="submit" disabled={pending} className={`${buttonClass("primary")} w-full`}>
        {pending ? "Setting up…" : "Create organization"}
      </button>
    </form>
  );
}

/** Accepting an invitation: the invitee picks their name and password (the email is the invitation's). */
export function AcceptInvitationForm({ action, email }: { action: AuthAction; email: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="space-y-3" noValidate>
      <FormProblem state={state} />
      {/* For password managers: the account's user name. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Input name="name" label="Your name" autoComplete="name" state={state} />
      <Input name="password" label="Password" type="password" autoComplete="new-password" state={state} hint="At least 10 characters." />
      <Input name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" state={state} />
      <button type="submit" disabled={pending} className={`${buttonClass("primary")} w-full`}>
        {pending ? "Creating your account…" : "Accept and sign in"}
      </button>
    </form>
  );
}
