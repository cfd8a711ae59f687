"use client";

import { catalogPricesFor, DECIMAL, DIGITS, enumOptions, type CatalogPriceOption } from "@/components/forms/catalog-options";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Route } from "next";
import { catalogPriceHint, catalogPricePlaceholder } from "@/lib/domain/catalog-price-hint";
import { runCostPreview } from "@/lib/domain/run-cost-preview";
import { PRECISION_LABELS, PRICING_MODEL_LABELS, RUN_STATUS_LABELS, TRAINING_METHOD_LABELS } from "@/lib/domain/labels";
import { PRECISIONS, PRICING_MODELS, RUN_STATUSES, TRAINING_METHODS, type TrainingMethod } from "@/lib/validation/entities/enums";
import { trainingRunSchema } from "@/lib/validation/entities/training-run";
import { readForm, validateForm } from "@/lib/validation/form-input";
import { RUN_FIELD_LABELS, TRAINING_RUN_FORM_FIELDS } from "@/lib/validation/record-forms";
import { CostPreview } from "./cost-preview";
import { CheckboxField, FieldGroup, SelectField, TextAreaField, TextField } from "./fields";
import { RecordFormFrame } from "./record-form-frame";
import { useRecordForm, type FormValues, type RecordFormAction } from "./use-record-form";

export interface RunFormOptions {
  teams: { id: number; name: string }[];
  gpuTypes: { id: number; name: string; peakBf16Tflops: string }[];
  prices: CatalogPriceOption[];
}



/**
 * Create or edit a training run. Validation is the server's schema, run as
 * the person types; the preview is the engine's cost of what is entered.
 */
export function TrainingRunForm({
  action,
  initialValues,
  version,
  options: formOptions,
  timeZone,
  submitLabel,
  cancelHref,
  extraActions,
  now: serverNow,
}: {
  action: RecordFormAction;
  initialValues: FormValues;
  version?: number;
  options: RunFormOptions;
  timeZone: string;
  submitLabel: string;
  cancelHref: Route;
  extraActions?: React.ReactNode;
  /** The server's clock when the page rendered, so the first render matches; the preview then ticks each minute. */
  now: Date;
}) {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const read = useCallback((values: FormValues) => readForm(Object.entries(values), { ...TRAINING_RUN_FORM_FIELDS, defaultTimeZone: timeZone }), [timeZone]);
  const validate = useCallback((values: FormValues) => {
    const result = validateForm(trainingRunSchema({ now: new Date() }), read(values));
    return result.ok ? {} : result.fieldErrors;
  }, [read]);
  const form = useRecordForm({ action, initialValues, validate, version });
  const { values, set, setMany, blur, errorsFor } = form;

  const combos = useMemo(() => {
    const seen = new Map<string, { provider: string; pricingModel: string; price: string }>();
    for (const p of formOptions.prices) {
      if (String(p.gpuTypeId) !== values.gpuTypeId) continue;
      seen.set(`${p.provider}|${p.pricingModel}`, { provider: p.provider, pricingModel: p.pricingModel, price: p.pricePerGpuHour });
    }
    return [...seen.values()];
  }, [formOptions.prices, values.gpuTypeId]);

  const onGpuTypeChange = (name: string, gpuTypeId: string) => {
    const available = formOptions.prices.filter((p) => String(p.gpuTypeId) === gpuTypeId);
    const keepsPrice = available.some((p) => p.provider === values.provider && p.pricingModel === values.pricingModel);
    const first = available[0];
    setMany(keepsPrice || !first ? { [name]: gpuTypeId } : { [name]: gpuTypeId, provider: first.provider, pricingModel: first.pricingModel });
  };

  const preview = useMemo(() => {
    const input = read(values).values;
    const startedAt = input.startedAt ? new Date(input.startedAt) : null;
    const endedAt = input.endedAt ? new Date(input.endedAt) : null;
    if (!DIGITS.test(values.gpuCount ?? "") || !startedAt || Number.isNaN(startedAt.getTime()) || (endedAt && Number.isNaN(endedAt.getTime()))) return null;
    if (endedAt && endedAt <= startedAt) return null;
    const money = (text: string | undefined) => (text && DECIMAL.test(text) ? text.trim() : "0");
    const gpu = formOptions.gpuTypes.find((g) => String(g.id) === values.gpuTypeId);
    try {
      return runCostPreview({
        gpuCount: Number(values.gpuCount),
        startedAt,
        endedAt,
        pricePerGpuHourOverride: values.pricePerGpuHourOverride && DECIMAL.test(values.pricePerGpuHourOverride) ? values.pricePerGpuHourOverride.trim() : null,
        catalogPrices: catalogPricesFor(formOptions.prices, values),
        catalogName: `${values.provider || "?"} ${PRICING_MODEL_LABELS[values.pricingModel as keyof typeof PRICING_MODEL_LABELS] ?? ""}`.trim(),
        storageCostUsd: money(values.storageCostUsd),
        dataCostUsd: money(values.dataCostUsd),
        networkCostUsd: money(values.networkCostUsd),
        tokensProcessed: values.tokensProcessed && DIGITS.test(values.tokensProcessed) ? BigInt(values.tokensProcessed.trim()) : null,
        parameterCount: values.parameterCount && DIGITS.test(values.parameterCount) ? BigInt(values.parameterCount.trim()) : null,
        peakBf16Tflops: gpu?.peakBf16Tflops ?? null,
        // The MFU's FLOPs per token follow the method: 4·N for LoRA/QLoRA, 6·N otherwise.
        method: (TRAINING_METHODS as readonly string[]).includes(values.method ?? "") ? (values.method as TrainingMethod) : null,
        now,
        timeZone,
      });
    } catch {
      return null;
    }
  }, [values, read, formOptions, now, timeZone]);

  /** The catalog price(s) in effect over the entered start..end (start..now while running), not today's price. */
  const catalogHint = useMemo(() => {
    const input = read(values).values;
    const start = input.startedAt ? new Date(input.startedAt) : null;
    const end = input.endedAt ? new Date(input.endedAt) : now;
    const catalogPrices = catalogPricesFor(formOptions.prices, values);
    if (!start || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
      return catalogPriceHint({ catalogPrices, interval: { start: now, end: now }, timeZone });
    }
    return catalogPriceHint({ catalogPrices, interval: { start, end: end > start ? end : start }, timeZone });
  }, [values, read, formOptions.prices, now, timeZone]);
  const control = (name: string) => ({ name, label: RUN_FIELD_LABELS[name]!, value: values[name] ?? "", onChange: set, onBlur: blur, errors: errorsFor(name) });

  return (
    <RecordFormFrame
      form={form}
      timeZone={timeZone}
      labels={RUN_FIELD_LABELS}
      submitLabel={submitLabel}
      cancelHref={cancelHref}
      extraActions={extraActions}
      aside={<CostPreview title="Cost this run adds" lines={preview?.lines ?? []} warnings={preview?.warnings} empty="Enter GPU count and start time to see the cost." />}
    >
      <FieldGroup title="Run">
        <TextField {...control("name")} isRequired autoFocus placeholder="llama-8b-sft-v3" className="sm:col-span-2" />
        <SelectField {...control("teamId")} isRequired placeholder="Choose a team" options={formOptions.teams.map((t) => ({ value: String(t.id), label: t.name }))} />
        <SelectField {...control("status")} isRequired options={enumOptions(RUN_STATUSES, RUN_STATUS_LABELS)} />
        <TextField {...control("model")} isRequired placeholder="Llama-3.1-8B" className="sm:col-span-2" />
        <SelectField {...control("method")} isRequired options={enumOptions(TRAINING_METHODS, TRAINING_METHOD_LABELS)} />
        <SelectField {...control("precision")} isRequired options={enumOptions(PRECISIONS, PRECISION_LABELS)} />
      </FieldGroup>
      <FieldGroup title="Time" description="Leave End empty while the run is going; it is costed up to now.">
        <TextField {...control("startedAt")} type="datetime-local" isRequired hint={timeZone} />
        <TextField {...control("endedAt")} type="datetime-local" hint={timeZone} />
      </FieldGroup>
      <FieldGroup title="GPUs and price" description="The catalog price in effect while the run ran is used unless you enter an override.">
        <SelectField {...control("gpuTypeId")} onChange={onGpuTypeChange} isRequired placeholder="Choose a GPU type" options={formOptions.gpuTypes.map((g) => ({ value: String(g.id), label: g.name }))} />
        <TextField {...control("gpuCount")} isRequired inputMode="numeric" isNumeric suffix="GPUs" />
        <SelectField
          {...control("provider")}
          isRequired
          options={[...new Set([...combos.map((c) => c.provider), ...(values.provider ? [values.provider] : [])])].map((p) => ({ value: p, label: p }))}
          placeholder={combos.length === 0 ? "No catalog price for this GPU" : undefined}
        />
        <SelectField {...control("pricingModel")} isRequired options={enumOptions(PRICING_MODELS, PRICING_MODEL_LABELS)} />
        <TextField
          {...control("pricePerGpuHourOverride")}
          inputMode="decimal"
          isNumeric
          prefix="$"
          suffix="/GPU-h"
          placeholder={catalogHint ? catalogPricePlaceholder(catalogHint.stretches) : ""}
          hint={catalogHint ? catalogHint.text : "No catalog price over these dates: enter one here or add it in Settings"}
        />
      </FieldGroup>
      <FieldGroup title="Other costs" description="Amounts for the whole run, in US dollars.">
        <TextField {...control("storageCostUsd")} inputMode="decimal" isNumeric prefix="$" />
        <TextField {...control("dataCostUsd")} inputMode="decimal" isNumeric prefix="$" />
        <TextField {...control("networkCostUsd")} inputMode="decimal" isNumeric prefix="$" />
      </FieldGroup>
      <FieldGroup title="Results" description="Optional: tokens give $/1M tokens; parameters and tokens give MFU.">
        <TextField {...control("parameterCount")} inputMode="numeric" isNumeric placeholder="8030261248" />
        <TextField {...control("tokensProcessed")} inputMode="numeric" isNumeric placeholder="2500000000" />
        <TextField {...control("throughputTokensPerSec")} inputMode="decimal" isNumeric suffix="tok/s" />
        <TextField {...control("avgGpuUtilizationPct")} inputMode="decimal" isNumeric suffix="%" />
      </FieldGroup>
      <FieldGroup title="Training setup" description="Optional; used by optimization suggestions.">
        <TextField {...control("zeroStage")} inputMode="numeric" isNumeric placeholder="none" />
        <TextField {...control("gradientAccumulationSteps")} inputMode="numeric" isNumeric />
        <CheckboxField {...control("gradientCheckpointing")} />
        <CheckboxField {...control("flashAttention")} />
        <TextAreaField {...control("notes")} className="sm:col-span-2 lg:col-span-4" />
      </FieldGroup>
    </RecordFormFrame>
  );
}
