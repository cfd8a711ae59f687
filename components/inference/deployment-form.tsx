"use client";

import { catalogPricesFor, DECIMAL, DIGITS, enumOptions, type CatalogPriceOption } from "@/components/forms/catalog-options";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Route } from "next";
import { catalogPriceHint, catalogPricePlaceholder } from "@/lib/domain/catalog-price-hint";
import { deploymentCostPreview } from "@/lib/domain/deployment-cost-preview";
import { BATCHING_LABELS, PRICING_MODEL_LABELS, QUANTIZATION_LABELS, SERVING_ENGINE_LABELS } from "@/lib/domain/labels";
import { BATCHINGS, PRICING_MODELS, QUANTIZATIONS, SERVING_ENGINES } from "@/lib/validation/entities/enums";
import { inferenceDeploymentSchema } from "@/lib/validation/entities/inference-deployment";
import { readForm, validateForm } from "@/lib/validation/form-input";
import { DEPLOYMENT_FIELD_LABELS, INFERENCE_DEPLOYMENT_FORM } from "@/lib/validation/inference-forms";
import { CostPreview } from "@/components/forms/cost-preview";
import { FieldGroup, SelectField, TextField } from "@/components/forms/fields";
import { RecordFormFrame } from "@/components/forms/record-form-frame";
import { useRecordForm, type FormValues, type RecordFormAction } from "@/components/forms/use-record-form";

export interface DeploymentFormOptions {
  teams: { id: number; name: string }[];
  gpuTypes: { id: number; name: string }[];
  prices: CatalogPriceOption[];
}

/**
 * Create or edit an inference deployment. Validation is the server's schema,
 * run as the person types; choosing a GPU type picks its first catalog
 * provider and pricing model, and the preview shows what the GPUs cost.
 */
export function DeploymentForm({
  action,
  initialValues,
  version,
  options: formOptions,
  timeZone,
  submitLabel,
  cancelHref,
  extraActions,
  usageNote,
  now: serverNow,
}: {
  action: RecordFormAction;
  initialValues: FormValues;
  version?: number;
  options: DeploymentFormOptions;
  timeZone: string;
  submitLabel: string;
  cancelHref: Route;
  extraActions?: ReactNode;
  /** Shown under the active period on edit: how much usage is recorded (it must stay inside the period). */
  usageNote?: string;
  now: Date;
}) {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const read = useCallback((values: FormValues) => readForm(Object.entries(values), { ...INFERENCE_DEPLOYMENT_FORM, defaultTimeZone: timeZone }), [timeZone]);
  const validate = useCallback((values: FormValues) => {
    const result = validateForm(inferenceDeploymentSchema, read(values));
    return result.ok ? {} : result.fieldErrors;
  }, [read]);
  const form = useRecordForm({ action, initialValues, validate, version });
  const { values, set, setMany, blur, errorsFor } = form;

  const providers = useMemo(() => {
    const seen = new Set<string>();
    for (const p of formOptions.prices) if (String(p.gpuTypeId) === values.gpuTypeId) seen.add(p.provider);
    if (values.provider) seen.add(values.provider);
    return [...seen];
  }, [formOptions.prices, values.gpuTypeId, values.provider]);

  /** A new GPU type keeps the provider and pricing model if it has a catalog price for them, else takes its first. */
  const onGpuTypeChange = (name: string, gpuTypeId: string) => {
    const available = formOptions.prices.filter((p) => String(p.gpuTypeId) === gpuTypeId);
    const keepsPrice = available.some((p) => p.provider === values.provider && p.pricingModel === values.pricingModel);
    const first = available[0];
    setMany(keepsPrice || !first ? { [name]: gpuTypeId } : { [name]: gpuTypeId, provider: first.provider, pricingModel: first.pricingModel });
  };
  const onProviderChange = (name: string, provider: string) => {
    const available = formOptions.prices.filter((p) => String(p.gpuTypeId) === values.gpuTypeId && p.provider === provider);
    const keepsModel = available.some((p) => p.pricingModel === values.pricingModel);
    setMany(keepsModel || !available[0] ? { [name]: provider } : { [name]: provider, pricingModel: available[0].pricingModel });
  };

  const catalogName = `${values.provider || "?"} ${PRICING_MODEL_LABELS[values.pricingModel as keyof typeof PRICING_MODEL_LABELS] ?? ""}`.trim();
  const catalogPrices = useMemo(() => catalogPricesFor(formOptions.prices, values), [formOptions.prices, values]);
  /** The catalog price(s) in effect over the entered active period (up to now while serving), not just today's. */
  const catalogHint = useMemo(() => {
    const input = read(values).values;
    const start = input.activeFrom ? new Date(input.activeFrom) : now;
    const end = input.activeTo ? new Date(input.activeTo) : now;
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return catalogPriceHint({ catalogPrices, interval: { start: now, end: now }, timeZone });
    return catalogPriceHint({ catalogPrices, interval: { start, end: end > start ? end : start }, timeZone });
  }, [values, read, catalogPrices, now, timeZone]);

  const preview = useMemo(() => {
    const input = read(values).values;
    const activeFrom = input.activeFrom ? new Date(input.activeFrom) : null;
    const activeTo = input.activeTo ? new Date(input.activeTo) : null;
    if (!DIGITS.test(values.gpuCount ?? "") || Number(values.gpuCount) < 1 || !activeFrom || Number.isNaN(activeFrom.getTime())) return null;
    if (activeTo && (Number.isNaN(activeTo.getTime()) || activeTo <= activeFrom)) return null;
    try {
      return deploymentCostPreview({
        deployment: {
          gpuCount: Number(values.gpuCount),
          pricePerGpuHourOverride: values.pricePerGpuHourOverride && DECIMAL.test(values.pricePerGpuHourOverride) ? values.pricePerGpuHourOverride.trim() : null,
          catalogPrices,
          activeFrom,
          activeTo,
        },
        catalogName,
        now,
      });
    } catch {
      return null;
    }
  }, [values, read, catalogPrices, catalogName, now]);

  const control = (name: string) => ({ name, label: DEPLOYMENT_FIELD_LABELS[name]!, value: values[name] ?? "", onChange: set, onBlur: blur, errors: errorsFor(name) });

  return (
    <RecordFormFrame
      form={form}
      timeZone={timeZone}
      labels={DEPLOYMENT_FIELD_LABELS}
      submitLabel={submitLabel}
      cancelHref={cancelHref}
      extraActions={extraActions}
      aside={<CostPreview title="What its GPUs cost" lines={preview?.lines ?? []} warnings={preview?.warnings} empty="Enter GPU count and active from to see the cost." />}
    >
      <FieldGroup title="Deployment">
        <TextField {...control("name")} isRequired autoFocus placeholder="chat-prod" className="sm:col-span-2" />
        <SelectField {...control("teamId")} isRequired placeholder="Choose a team" options={formOptions.teams.map((t) => ({ value: String(t.id), label: t.name }))} />
        <TextField {...control("parameterCount")} inputMode="numeric" isNumeric placeholder="70600000000" hint="Optional, whole number" />
        <TextField {...control("model")} isRequired placeholder="meta-llama/Llama-3.1-70B-Instruct" className="sm:col-span-2 lg:col-span-4" />
      </FieldGroup>
      <FieldGroup title="Serving">
        <SelectField {...control("servingEngine")} isRequired options={enumOptions(SERVING_ENGINES, SERVING_ENGINE_LABELS)} />
        <SelectField {...control("quantization")} isRequired options={enumOptions(QUANTIZATIONS, QUANTIZATION_LABELS)} />
        <SelectField {...control("batching")} isRequired options={enumOptions(BATCHINGS, BATCHING_LABELS)} />
        <TextField {...control("maxBatchSize")} inputMode="numeric" isNumeric placeholder="none" />
        <TextField {...control("p99SloMs")} inputMode="numeric" isNumeric suffix="ms" placeholder="none" hint="Shown as a line on the latency chart" />
      </FieldGroup>
      <FieldGroup title="GPUs and price" description="It costs its GPUs over its whole active period, at the catalog price in effect unless you enter an override.">
        <SelectField {...control("gpuTypeId")} onChange={onGpuTypeChange} isRequired placeholder="Choose a GPU type" options={formOptions.gpuTypes.map((g) => ({ value: String(g.id), label: g.name }))} />
        <TextField {...control("gpuCount")} isRequired inputMode="numeric" isNumeric suffix="GPUs" />
        <SelectField
          {...control("provider")}
          onChange={onProviderChange}
          isRequired
          options={providers.map((p) => ({ value: p, label: p }))}
          placeholder={providers.length === 0 ? "No catalog price for this GPU" : undefined}
        />
        <SelectField {...control("pricingModel")} isRequired options={enumOptions(PRICING_MODELS, PRICING_MODEL_LABELS)} />
        <TextField
          {...control("pricePerGpuHourOverride")}
          inputMode="decimal"
          isNumeric
          prefix="$"
          suffix="/GPU-h"
          placeholder={catalogHint ? catalogPricePlaceholder(catalogHint.stretches) : ""}
          hint={catalogHint ? `${catalogHint.text} · ${catalogName}` : `No catalog price for ${catalogName} over these dates: enter one here or add it in Settings`}
          className="sm:col-span-2"
        />
      </FieldGroup>
      <FieldGroup title="Active period" description={usageNote ?? "Leave Active until empty while it is still serving; it is costed up to now."}>
        <TextField {...control("activeFrom")} type="datetime-local" isRequired hint={timeZone} className="lg:col-span-2" />
        <TextField {...control("activeTo")} type="datetime-local" hint={`${timeZone} · empty while serving`} className="lg:col-span-2" />
      </FieldGroup>
    </RecordFormFrame>
  );
}
