"use client";

import { useActionState, useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { flushSync } from "react-dom";
import type { FieldErrors } from "@/lib/validation/entities/field-errors";
import { IDLE, type FormState } from "@/lib/validation/form-state";

export type FormValues = Record<string, string>;
export type RecordFormAction = (state: FormState, formData: FormData) => Promise<FormState>;

/**
 * State of a record form: controlled values, the same validation as the
 * server running as the person types (shown for a field once it was left or
 * the form was submitted), the server action's answer, and the hidden
 * version / idempotency key that make saves safe to repeat and to race.
 */
export function useRecordForm({
  action,
  initialValues,
  validate,
  version: initialVersion,
}: {
  action: RecordFormAction;
  initialValues: FormValues;
  validate: (values: FormValues) => FieldErrors;
  /** The version the record was loaded at; absent when creating. */
  version?: number;
}) {
  const [state, formAction, isPending] = useActionState(action, IDLE);
  const [values, setValues] = useState(initialValues);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [isAttempted, setIsAttempted] = useState(false);
  // The values as last submitted: a server error is shown for a field until its value changes.
  const [submittedValues, setSubmittedValues] = useState<FormValues>(initialValues);
  const [version, setVersion] = useState(initialVersion);
  // One key per opened form: a repeated submit (double click, retry after a timeout) finds the first one's record.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const formRef = useRef<HTMLFormElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  const clientErrors = useMemo(() => validate(values), [validate, values]);
  const serverErrors: FieldErrors = state.status === "invalid" ? state.fieldErrors : {};

  useEffect(() => {
    if (state.status === "invalid" || state.status === "conflict" || state.status === "notFound") summaryRef.current?.focus();
  }, [state]);

  const set = useCallback((name: string, value: string) => setValues((current) => ({ ...current, [name]: value })), []);
  const setMany = useCallback((changes: FormValues) => setValues((current) => ({ ...current, ...changes })), []);
  const blur = useCallback((name: string) => setTouched((current) => (current.has(name) ? current : new Set(current).add(name))), []);

  const errorsFor = (name: string): string[] | undefined => {
    const client = isAttempted || touched.has(name) ? clientErrors[name] : undefined;
    if (client?.length) return client;
    return (values[name] ?? "") === (submittedValues[name] ?? "") ? serverErrors[name] : undefined;
  };

  /** Errors to list above the form: the client's after a blocked submit, else the server's. */
  const summaryErrors: FieldErrors = isAttempted && Object.keys(clientErrors).length > 0 ? clientErrors : serverErrors;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    setIsAttempted(true);
    if (Object.keys(clientErrors).length > 0) {
      event.preventDefault();
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setSubmittedValues(values);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      formRef.current?.requestSubmit();
    }
  };

  /** After a conflict: save these values over the newer version, on purpose. */
  const overwrite = (currentVersion: number) => {
    flushSync(() => setVersion(currentVersion));
    formRef.current?.requestSubmit();
  };

  return { state, formAction, isPending, values, set, setMany, blur, errorsFor, summaryErrors, onSubmit, onKeyDown, overwrite, version, idempotencyKey, formRef, summaryRef };
}

export type RecordFormApi = ReturnType<typeof useRecordForm>;
