"use client";

import type { Route } from "next";
import { useCallback, useMemo, type ReactNode } from "react";
import { formatPricePerGpuHour } from "@/lib/domain/display";
import { formatDateTime, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { parseUsdMicros } from "@/lib/domain/money";
import { PRICING_MODELS, type PricingModel } from "@/lib/validation/entities/enums";
import { findOverlappingPeriod, gpuPriceSchema, overlapFieldErrors, type PricePeriod } from "@/lib/validation/entities/gpu-price";
import { readForm, validateForm } from "@/lib/validation/form-input";
import { GPU_PRICE_FORM_FIELDS } from "@/lib/validation/settings-forms";
import { CheckboxField, FieldGroup, SelectField, TextField } from "@/components/forms/fields";
import { RecordFormFrame } from "@/components/forms/record-form-frame";
import { useRecordForm, type FormValues, type RecordFormAction } from "@/components/forms/use-record-form";

export const GPU_PRICE_FIELD_LABELS: Record<string, string> = {
  gpuTypeId: "GPU type",
  provider: "Provider",
  pricingModel: "Pricing model",
  pricePerGpuHour: "Price per GPU-hour",
  effectiveFrom: "Effective from",
  effectiveTo: "Effective until",
  endCurrentPrice: "End the current price",
};

export interface PriceFormOptions {
  gpuTypes: { id: number; name: string }[];
  /** The org's catalog, to show the current price and catch overlaps as the person types. */
  prices: { id: number; gpuTypeId: number; provider: string; pricingModel: PricingModel; pricePerGpuHour: string; effectiveFrom: Date; effectiveTo: Date | null }[];
  /** Providers to suggest (the catalog's, then common ones). */
  providers: string[];
}

const showPrice = (text: string) => formatPricePerGpuHour(parseUsdMicros(text));

/**
 * Add or edit a catalog price. Overlaps with the catalog the page was opened
 * with show as the person types; the server checks again against what is
 * saved. A new price can end the open-ended current one of its GPU, provider
 * and pricing model (on by default).
 */
export function GpuPriceForm({
  action,
  initialValues,
  version,
  priceId,
  options,
  timeZone,
  submitLabel,
  cancelHref,
  extraActions,
  now,
}: {
  action: RecordFormAction;
  initialValues: FormValues;
  version?: number;
  /** Set when editing: the price never overlaps itself. */
  priceId?: number;
  options: PriceFormOptions;
  timeZone: string;
  submitLabel: string;
  cancelHref: Route;
  extraActions?: ReactNode;
  /** The server's clock when the page rendered (so both renders agree). */
  now: Date;
}) {
  const isNew = priceId === undefined;
  const periods: (PricePeriod & { id: number; pricePerGpuHour: string })[] = useMemo(
    () => options.prices.map((p) => ({ ...p, effectiveFrom: new Date(p.effectiveFrom), effectiveTo: p.effectiveTo ? new Date(p.effectiveTo) : null })),
    [options.prices],
  );
  const read = useCallback((values: FormValues) => readForm(Object.entries(values), { ...GPU_PRICE_FORM_FIELDS, defaultTimeZone: timeZone }), [timeZone]);

  /** The open-ended price of the candidate's key that started before it: the one "End the current price" ends. */
  const currentOf = useCallback(
    (candidate: Pick<PricePeriod, "gpuTypeId" | "provider" | "pricingModel">, from: Date | null) =>
      periods.find(
        (p) =>
          p.id !== priceId &&
          p.gpuTypeId === candidate.gpuTypeId &&
          p.provider === candidate.provider &&
          p.pricingModel === candidate.pricingModel &&
          p.effectiveTo === null &&
          (from === null || p.effectiveFrom < from),
      ) ?? null,
    [periods, priceId],
  );

  const validate = useCallback(
    (values: FormValues) => {
      const result = validateForm(gpuPriceSchema, read(values));
      if (!result.ok) return result.fieldErrors;
      const candidate: PricePeriod = { ...result.values, ...(priceId === undefined ? {} : { id: priceId }) };
      const ending = isNew && values.endCurrentPrice === "true" && candidate.effectiveTo === null ? currentOf(candidate, candidate.effectiveFrom) : null;
      const existing = periods.map((p) => (p === ending ? { ...p, effectiveTo: candidate.effectiveFrom } : p));
      const overlap = findOverlappingPeriod(candidate, existing);
      return overlap ? overlapFieldErrors(candidate, overlap, timeZone) : {};
    },
    [read, periods, priceId, isNew, currentOf, timeZone],
  );
  const form = useRecordForm({ action, initialValues, validate, version });
  const { values, set, blur, errorsFor } = form;
  const control = (name: string) => ({ name, label: GPU_PRICE_FIELD_LABELS[name]!, value: values[name] ?? "", onChange: set, onBlur: blur, errors: errorsFor(name) });

  const key = { gpuTypeId: Number(values.gpuTypeId), provider: (values.provider ?? "").trim().toLowerCase(), pricingModel: values.pricingModel as PricingModel };
  const fromText = read(values).values.effectiveFrom;
  // readForm turns a readable local time into an ISO instant (…Z); anything else isn't a time yet.
  const from = fromText?.endsWith("Z") && !Number.isNaN(Date.parse(fromText)) ? new Date(fromText) : null;
  const current = currentOf(key, from);
  const canEndCurrent = isNew && current !== null && !(values.effectiveTo ?? "").trim();
  const history = periods.filter((p) => p.id !== priceId && p.gpuTypeId === key.gpuTypeId && p.provider === key.provider && p.pricingModel === key.pricingModel);
  const startsInPast = from !== null && from < now;

  return (
    <RecordFormFrame form={form} timeZone={timeZone} labels={GPU_PRICE_FIELD_LABELS} submitLabel={submitLabel} cancelHref={cancelHref} extraActions={extraActions}>
      <FieldGroup title="What it prices" description="Runs and deployments find their price by GPU type, provider and pricing model.">
        <SelectField {...control("gpuTypeId")} isRequired placeholder="Choose a GPU type" options={options.gpuTypes.map((g) => ({ value: String(g.id), label: g.name }))} />
        <TextField {...control("provider")} isRequired list="known-providers" placeholder="aws" hint="Lowercase key, e.g. aws, gcp, lambda-labs, on-prem" />
        <datalist id="known-providers">
          {options.providers.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <SelectField {...control("pricingModel")} isRequired options={PRICING_MODELS.map((m) => ({ value: m, label: PRICING_MODEL_LABELS[m] }))} />
        <TextField
          {...control("pricePerGpuHour")}
          isRequired
          autoFocus
          inputMode="decimal"
          isNumeric
          prefix="$"
          suffix="/GPU-h"
          placeholder={current ? Number(current.pricePerGpuHour).toString() : "2.50"}
          hint={current ? `Current: ${showPrice(current.pricePerGpuHour)} since ${formatDateTime({ instant: current.effectiveFrom, timeZone })}` : "Up to 6 decimal places"}
        />
      </FieldGroup>
      <FieldGroup title="When it applies" description="Work is charged at the price in effect while it ran. Leave “until” empty for a price that holds until a new one starts.">
        <TextField
          {...control("effectiveFrom")}
          type="datetime-local"
          isRequired
          hint={startsInPast ? `${timeZone} · starts in the past: work already recorded from then on is costed at this price` : timeZone}
        />
        <TextField {...control("effectiveTo")} type="datetime-local" hint={`${timeZone} · optional`} />
        {canEndCurrent && current ? (
          <div className="sm:col-span-2">
            <CheckboxField
              {...control("endCurrentPrice")}
              label="End the current price when this one takes effect"
              hint={`${showPrice(current.pricePerGpuHour)} from ${formatDateTime({ instant: current.effectiveFrom, timeZone })} gets “until” set to this price's start. Both changes are saved together.`}
            />
          </div>
        ) : null}
      </FieldGroup>
      {history.length > 0 ? (
        <div className="border-t border-slate-200 px-4 py-3">
          <h2 className="mb-1 text-xs font-semibold text-slate-700">Other periods for this GPU, provider and pricing model</h2>
          <ul className="space-y-0.5 text-xs tabular-nums text-slate-600">
            {history.map((p) => (
              <li key={p.id}>
                {formatDateTime({ instant: p.effectiveFrom, timeZone })} → {p.effectiveTo ? formatDateTime({ instant: p.effectiveTo, timeZone }) : "no end"} · {showPrice(p.pricePerGpuHour)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </RecordFormFrame>
  );
}
