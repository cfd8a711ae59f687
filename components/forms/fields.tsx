import type { ReactNode } from "react";

/**
 * Controlled inputs for record forms. Each renders its label, hint and
 * errors, wired with aria-describedby/aria-invalid so a screen reader hears
 * the problem with the field; ids are the field names, so an error summary
 * can link to them.
 */

export interface FieldProps {
  name: string;
  label: string;
  hint?: ReactNode;
  errors?: readonly string[];
  isRequired?: boolean;
  className?: string;
}

const describedBy = (name: string, hint: unknown, errors?: readonly string[]) =>
  [hint ? `${name}-hint` : null, errors?.length ? `${name}-error` : null].filter(Boolean).join(" ") || undefined;

export const inputClass = (hasError: boolean, extra = "") =>
  `block w-full rounded-md border bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:outline-2 focus:outline-offset-0 focus:outline-blue-600 disabled:bg-slate-50 ${
    hasError ? "border-red-600" : "border-slate-300"
  } ${extra}`;

export function Field({ name, label, hint, errors, isRequired, className = "", children }: FieldProps & { children: ReactNode }) {
  return (
    <div className={className}>
      <label htmlFor={name} className="mb-1 block text-xs font-medium text-slate-700">
        {label}
        {isRequired ? (
          <span className="text-red-700" aria-hidden="true">
            {" "}
            *
          </span>
        ) : null}
      </label>
      {children}
      {hint ? (
        <p id={`${name}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${name}-error`} className="mt-1 text-xs font-medium text-red-700">
          {errors.join(" · ")}
        </p>
      ) : null}
    </div>
  );
}

interface ControlProps extends FieldProps {
  value: string;
  onChange: (name: string, value: string) => void;
  onBlur?: (name: string) => void;
}

export function TextField({
  type = "text",
  inputMode,
  placeholder,
  prefix,
  suffix,
  autoFocus,
  isNumeric = false,
  list,
  ...props
}: ControlProps & {
  type?: "text" | "datetime-local" | "email";
  /** Id of a <datalist> of suggestions (typing narrows it; any text is still allowed). */
  list?: string;
  inputMode?: "numeric" | "decimal" | "text";
  placeholder?: string;
  prefix?: string;
  suffix?: string;
  autoFocus?: boolean;
  isNumeric?: boolean;
}) {
  const { name, value, onChange, onBlur, errors, hint, isRequired } = props;
  const hasError = Boolean(errors?.length);
  const input = (
    <input
      id={name}
      name={name}
      type={type}
      inputMode={inputMode}
      value={value}
      placeholder={placeholder}
      autoFocus={autoFocus}
      list={list}
      autoComplete="off"
      spellCheck={false}
      aria-invalid={hasError || undefined}
      aria-required={isRequired || undefined}
      aria-describedby={describedBy(name, hint, errors)}
      onChange={(e) => onChange(name, e.target.value)}
      onBlur={() => onBlur?.(name)}
      className={inputClass(hasError, `${isNumeric ? "text-right tabular-nums" : ""} ${prefix ? "pl-6" : ""} ${suffix ? "pr-14" : ""}`)}
    />
  );
  return (
    <Field {...props}>
      {prefix || suffix ? (
        <div className="relative">
          {prefix ? <span className="pointer-events-none absolute inset-y-0 left-2.5 flex items-center text-sm text-slate-500">{prefix}</span> : null}
          {input}
          {suffix ? <span className="pointer-events-none absolute inset-y-0 right-2.5 flex items-center text-xs text-slate-500">{suffix}</span> : null}
        </div>
      ) : (
        input
      )}
    </Field>
  );
}

export function SelectField({ options, placeholder, ...props }: ControlProps & { options: readonly { value: string; label: string }[]; placeholder?: string }) {
  const { name, value, onChange, onBlur, errors, hint, isRequired } = props;
  const hasError = Boolean(errors?.length);
  return (
    <Field {...props}>
      <select
        id={name}
        name={name}
        value={value}
        aria-invalid={hasError || undefined}
        aria-required={isRequired || undefined}
        aria-describedby={describedBy(name, hint, errors)}
        onChange={(e) => onChange(name, e.target.value)}
        onBlur={() => onBlur?.(name)}
        className={inputClass(hasError)}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function TextAreaField(props: ControlProps & { rows?: number }) {
  const { name, value, onChange, onBlur, errors, hint, rows = 3 } = props;
  const hasError = Boolean(errors?.length);
  return (
    <Field {...props}>
      <textarea
        id={name}
        name={name}
        rows={rows}
        value={value}
        aria-invalid={hasError || undefined}
        aria-describedby={describedBy(name, hint, errors)}
        onChange={(e) => onChange(name, e.target.value)}
        onBlur={() => onBlur?.(name)}
        className={inputClass(hasError)}
      />
    </Field>
  );
}

export function CheckboxField({ name, label, hint, errors, value, onChange }: ControlProps) {
  return (
    <div>
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input
          id={name}
          name={name}
          type="checkbox"
          checked={value === "true"}
          value="true"
          aria-describedby={describedBy(name, hint, errors)}
          onChange={(e) => onChange(name, e.target.checked ? "true" : "false")}
          className="size-4 rounded border-slate-300"
        />
        {label}
      </label>
      {hint ? (
        <p id={`${name}-hint`} className="mt-1 pl-6 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${name}-error`} className="mt-1 pl-6 text-xs font-medium text-red-700">
          {errors.join(" · ")}
        </p>
      ) : null}
    </div>
  );
}

/** A titled group of fields in a responsive grid. */
export function FieldGroup({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <fieldset className="border-t border-slate-200 px-4 py-4 first:border-t-0">
      <legend className="sr-only">{title}</legend>
      <div className="mb-3">
        <h2 aria-hidden="true" className="text-sm font-semibold text-slate-800">
          {title}
        </h2>
        {description ? <p className="text-xs text-slate-500">{description}</p> : null}
      </div>
      <div className="grid grid-cols-1 gap-x-4 gap-y-3 sm:grid-cols-2 lg:grid-cols-4">{children}</div>
    </fieldset>
  );
}
