"use client";

import { startTransition, useActionState, useRef, useState, type FormEvent } from "react";
import { FORM_ERRORS_KEY } from "@/lib/validation/entities/field-errors";
import { IDLE, type FormState } from "@/lib/validation/form-state";
import type { CreateApiKeyState, RevokeApiKeyState } from "@/lib/actions/handlers/api-keys";
import { inputClass } from "@/components/forms/fields";
import { buttonClass } from "@/components/ui/button";

/**
 * The API key forms: create (the token shown once, with a copy button) and
 * revoke (behind a confirmation dialog). Plain forms posting to server
 * actions; each shows its own problem next to it and announces it.
 */

type Option = { value: string; label: string; hint: string };
type CreatedState = Extract<CreateApiKeyState, { status: "created" }>;
type CreateAction = (state: CreateApiKeyState, formData: FormData) => Promise<CreateApiKeyState>;
type RevokeAction = (state: RevokeApiKeyState, formData: FormData) => Promise<RevokeApiKeyState>;

function messagesOf(state: CreateApiKeyState | RevokeApiKeyState): string[] {
  if (state.status === "notFound") return [state.message];
  if (state.status === "invalid") return Object.values(state.fieldErrors).flat();
  return [];
}

function errorsOf(state: FormState | CreatedState, name: string): string[] {
  return state.status === "invalid" ? (state.fieldErrors[name] ?? []) : [];
}

function Problem({ messages }: { messages: string[] }) {
  return (
    <div role="alert" aria-live="assertive">
      {messages.length ? <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{messages.join(" ")}</p> : null}
    </div>
  );
}

/** The new key's token, once: a read-only field to select, a copy button and the warning that it won't be shown again. */
function NewKeyToken({ state }: { state: CreatedState }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const fieldRef = useRef<HTMLInputElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(state.token);
      setCopied("copied");
    } catch {
      fieldRef.current?.select();
      setCopied("failed");
    }
  }
  return (
    <div role="status" className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" data-testid="new-api-key">
      <p className="font-medium">
        API key “{state.name}” created (<span className="font-mono">{state.prefix}</span>).
      </p>
      <p className="mt-0.5 text-amber-900">
        Copy it now and store it where the job or gateway reads its secrets. <strong>It won&apos;t be shown again</strong>: Burnrate keeps only a hash of it. If you lose it, revoke this key and create another.
      </p>
      <div className="mt-2 flex flex-col gap-2 sm:flex-row">
        <label htmlFor="new-api-key-token" className="sr-only">
          API key
        </label>
        <input
          id="new-api-key-token"
          ref={fieldRef}
          readOnly
          value={state.token}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
          className={inputClass(false, "font-mono text-xs")}
        />
        <button type="button" onClick={copy} className={`${buttonClass("primary")} shrink-0`}>
          {copied === "copied" ? "Copied" : "Copy key"}
        </button>
      </div>
      <p aria-live="polite" className="mt-1 text-xs">
        {copied === "copied" ? "Copied to the clipboard." : copied === "failed" ? "Copying isn't allowed here: the key is selected, press Ctrl+C (⌘C)." : ""}
      </p>
    </div>
  );
}

/** "Create an API key": a name and the scopes (checkboxes). The token appears above the form once. */
export function CreateApiKeyForm({ action, scopes, activeCount, maxActive }: { action: CreateAction; scopes: Option[]; activeCount: number; maxActive: number }) {
  const [state, formAction, pending] = useActionState(action, IDLE as CreateApiKeyState);
  const nameErrors = errorsOf(state, "name");
  const scopeErrors = errorsOf(state, "scopes");
  const formProblems = state.status === "invalid" ? (state.fieldErrors[FORM_ERRORS_KEY] ?? []) : messagesOf(state);
  // Submitted in a transition rather than as a native form action, so a refused create keeps what was typed
  // (React resets a form after its action); a created key starts a fresh form (the key).
  const keepValues = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => formAction(data));
  };
  return (
    <div>
      {state.status === "created" ? <NewKeyToken key={state.prefix} state={state} /> : null}
      <form key={state.status === "created" ? state.prefix : "form"} action={formAction} onSubmit={keepValues} className="space-y-3" noValidate>
        <Problem messages={formProblems} />
        <div className="max-w-md">
          <label htmlFor="name" className="mb-1 block text-xs font-medium text-slate-700">
            Name
            <span className="text-red-700" aria-hidden="true">
              {" "}
              *
            </span>
          </label>
          <input
            id="name"
            name="name"
            type="text"
            required
            maxLength={80}
            autoComplete="off"
            placeholder="Slurm job reporter"
            aria-invalid={nameErrors.length > 0 || undefined}
            aria-describedby={["name-hint", nameErrors.length ? "name-error" : null].filter(Boolean).join(" ")}
            className={inputClass(nameErrors.length > 0)}
          />
          <p id="name-hint" className="mt-1 text-xs text-slate-500">
            What uses the key, so you know which one to revoke. {activeCount} of {maxActive} active keys in use.
          </p>
          {nameErrors.length ? (
            <p id="name-error" className="mt-1 text-xs font-medium text-red-700">
              {nameErrors.join(" · ")}
            </p>
          ) : null}
        </div>
        <fieldset aria-describedby={scopeErrors.length ? "scopes-error" : undefined}>
          <legend className="mb-1 text-xs font-medium text-slate-700">
            Scopes
            <span className="text-red-700" aria-hidden="true">
              {" "}
              *
            </span>
          </legend>
          <div className="grid gap-2 sm:grid-cols-3">
            {scopes.map((scope) => (
              <label key={scope.value} className="flex items-start gap-2 rounded-md border border-slate-200 px-2.5 py-2 text-sm text-slate-800 has-checked:border-blue-300 has-checked:bg-blue-50">
                <input type="checkbox" name="scope" value={scope.value} className="mt-0.5 size-4 shrink-0 rounded border-slate-300" />
                <span>
                  <span className="block font-medium">{scope.label}</span>
                  <span className="block font-mono text-xs text-slate-500">{scope.hint}</span>
                </span>
              </label>
            ))}
          </div>
          {scopeErrors.length ? (
            <p id="scopes-error" className="mt-1 text-xs font-medium text-red-700">
              {scopeErrors.join(" · ")}
            </p>
          ) : null}
        </fieldset>
        <div className="flex justify-end">
          <button type="submit" disabled={pending} className={buttonClass("primary")}>
            {pending ? "Creating key…" : "Create API key"}
          </button>
        </div>
      </form>
    </div>
  );
}

/** Revoke with a confirmation dialog (native <dialog>: focus trapped, Esc cancels). */
export function RevokeApiKeyButton({ action, id, name, prefix }: { action: RevokeAction; id: string; name: string; prefix: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE as RevokeApiKeyState);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const messages = messagesOf(state);
  return (
    <>
      <button type="button" aria-label={`Revoke the API key ${name} (${prefix})`} className={`${buttonClass("ghost")} py-1 text-red-700`} onClick={() => dialogRef.current?.showModal()}>
        Revoke…
      </button>
      {state.status === "revoked" ? (
        <span role="status" className="sr-only">
          {state.message}
        </span>
      ) : null}
      <dialog ref={dialogRef} aria-labelledby={`${id}-title`} className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 text-left whitespace-normal shadow-xl backdrop:bg-slate-900/40">
        <form action={formAction} className="space-y-3 p-5">
          <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
            Revoke “{name}”?
          </h2>
          <p className="text-sm text-slate-700">
            Requests with <span className="font-mono">{prefix}…</span> are refused from the moment you revoke it, and it can&apos;t be turned back on. Whatever uses it needs a new key.
          </p>
          <Problem messages={messages} />
          <div className="flex justify-end gap-2 pt-1">
            <button type="button" autoFocus className={buttonClass("secondary")} onClick={() => dialogRef.current?.close()}>
              Cancel
            </button>
            <button type="submit" disabled={pending} className={buttonClass("danger")}>
              {pending ? "Revoking…" : "Revoke key"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
