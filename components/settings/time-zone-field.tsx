import { Field, inputClass, type FieldProps } from "@/components/forms/fields";

/** "UTC+05:30" for a zone right now, or null for a name Intl doesn't know (yet: the person is still typing). */
function currentOffset(zone: string): string | null {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date()).find((p) => p.type === "timeZoneName");
    return part ? part.value.replace("GMT", "UTC").replace(/^UTC$/, "UTC±00:00") : null;
  } catch {
    return null;
  }
}

/**
 * An IANA time zone: a text box over the list of zones (a native datalist),
 * so typing "lond" or "kolk" narrows the list and the keyboard picks one.
 * The schema decides whether what was typed is a zone.
 */
export function TimeZoneField({
  zones,
  value,
  onChange,
  onBlur,
  ...props
}: FieldProps & { zones: readonly string[]; value: string; onChange: (name: string, value: string) => void; onBlur?: (name: string) => void }) {
  const { name, errors, isRequired } = props;
  const hasError = Boolean(errors?.length);
  const offset = currentOffset(value.trim());
  const hint = props.hint ?? (offset ? `${offset} now · type a city or region to search` : "Type a city or region to search, e.g. London");
  const describedBy = [`${name}-hint`, hasError ? `${name}-error` : null].filter(Boolean).join(" ");
  return (
    <Field {...props} hint={hint}>
      <input
        id={name}
        name={name}
        type="text"
        list={`${name}-zones`}
        value={value}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={hasError || undefined}
        aria-required={isRequired || undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(name, e.target.value)}
        onBlur={() => onBlur?.(name)}
        className={inputClass(hasError)}
      />
      <datalist id={`${name}-zones`}>
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </Field>
  );
}
