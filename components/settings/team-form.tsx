"use client";

import type { Route } from "next";
import { useCallback, useState, type ReactNode } from "react";
import { teamSchema } from "@/lib/validation/entities/team";
import { readForm, validateForm } from "@/lib/validation/form-input";
import { slugFromName } from "@/lib/validation/settings-forms";
import { FieldGroup, TextField } from "@/components/forms/fields";
import { RecordFormFrame } from "@/components/forms/record-form-frame";
import { useRecordForm, type FormValues, type RecordFormAction } from "@/components/forms/use-record-form";
import { TimeZoneField } from "./time-zone-field";

export const TEAM_FIELD_LABELS: Record<string, string> = {
  name: "Name",
  slug: "Slug",
  monthlyBudgetUsd: "Monthly budget",
  timeZone: "Time zone",
};

/**
 * Create or edit a team. On a new team the slug follows the name until the
 * person edits the slug itself.
 */
export function TeamForm({
  action,
  initialValues,
  version,
  zones,
  timeZone,
  submitLabel,
  cancelHref,
  extraActions,
}: {
  action: RecordFormAction;
  initialValues: FormValues;
  version?: number;
  /** IANA zones to offer (from the server, so both renders agree). */
  zones: readonly string[];
  timeZone: string;
  submitLabel: string;
  cancelHref: Route;
  extraActions?: ReactNode;
}) {
  const validate = useCallback((values: FormValues) => {
    const result = validateForm(teamSchema, readForm(Object.entries(values), { defaultTimeZone: timeZone }));
    return result.ok ? {} : result.fieldErrors;
  }, [timeZone]);
  const form = useRecordForm({ action, initialValues, validate, version });
  const { values, set, setMany, blur, errorsFor } = form;
  const isNew = version === undefined;
  const [isSlugEdited, setIsSlugEdited] = useState(!isNew || Boolean(initialValues.slug));
  const control = (name: string) => ({ name, label: TEAM_FIELD_LABELS[name]!, value: values[name] ?? "", onChange: set, onBlur: blur, errors: errorsFor(name) });

  const onNameChange = (name: string, value: string) => setMany(isSlugEdited ? { [name]: value } : { [name]: value, slug: slugFromName(value) });
  const onSlugChange = (name: string, value: string) => {
    setIsSlugEdited(true);
    set(name, value);
  };
  const slugChanged = !isNew && values.slug !== initialValues.slug;

  return (
    <RecordFormFrame form={form} timeZone={timeZone} labels={TEAM_FIELD_LABELS} submitLabel={submitLabel} cancelHref={cancelHref} extraActions={extraActions} hasTimes={false}>
      <FieldGroup title="Team">
        <TextField {...control("name")} onChange={onNameChange} isRequired autoFocus placeholder="Applied ML" className="sm:col-span-2" />
        <TextField
          {...control("slug")}
          onChange={onSlugChange}
          isRequired
          placeholder="applied-ml"
          className="sm:col-span-2"
          hint={
            slugChanged
              ? `The team's pages move to /teams/${values.slug || "…"}; links to /teams/${initialValues.slug} stop working.`
              : "Lowercase letters, digits and hyphens; used in links like /teams/applied-ml."
          }
        />
      </FieldGroup>
      <FieldGroup title="Reporting" description="The budget is per calendar month. The team's dashboards count days and months in its time zone.">
        <TextField {...control("monthlyBudgetUsd")} isRequired inputMode="decimal" isNumeric prefix="$" suffix="/month" placeholder="25000.00" />
        <TimeZoneField {...control("timeZone")} isRequired zones={zones} className="sm:col-span-2" />
      </FieldGroup>
    </RecordFormFrame>
  );
}
