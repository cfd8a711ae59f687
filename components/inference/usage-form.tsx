"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import type { Route } from "next";
import type { InferenceDeploymentCostInput } from "@/lib/domain/inference-cost";
import { formatDateTime } from "@/lib/domain/labels";
import { usageCostPreview } from "@/lib/domain/usage-cost-preview";
import { usageWindowSchema } from "@/lib/validation/entities/usage-window";
import { readForm, validateForm } from "@/lib/validation/form-input";
import { SAVE_AND_ADD_NEXT, USAGE_FIELD_LABELS, USAGE_LENGTH_PRESETS, USAGE_WINDOW_FORM } from "@/lib/validation/inference-forms";
import { CostPreview } from "@/components/forms/cost-preview";
import { Field, FieldGroup, inputClass, TextField } from "@/components/forms/fields";
import { RecordFormFrame } from "@/components/forms/record-form-frame";
import { useRecordForm, type FormValues, type RecordFormAction } from "@/components/forms/use-record-form";
import { buttonClass } from "@/components/ui/button";

export interface UsageFormDeployment {
  id: number;
  name: string;
  activeFrom: Date;
  activeTo: Date | null;
  pricing: InferenceDeploymentCostInput;
  /** e.g. "aws On-demand". */
  catalogName: string;
  /** e.g. "8 × H100 80GB". */
  gpuLabel: string;
}

const DIGITS = /^\s*\d+\s*$/;
const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** "≈ 96M" under a count as it is typed: a slip of three zeros shows at once. */
function magnitude(text: string | undefined): string | undefined {
  if (!text || !DIGITS.test(text)) return undefined;
  const n = BigInt(text.trim());
  return n >= 10_000n ? `≈ ${compact.format(Number(n))}` : undefined;
}

const count = (text: string | undefined) => (text && DIGITS.test(text) ? BigInt(text.trim()) : 0n);

/**
 * One period's usage totals for a deployment: start and length (quick
 * choices or seconds), traffic, latency percentiles (all or none), GPU
 * utilization. The server's schema runs as the person types; the preview is
 * the deployment's GPU cost over the period and what the traffic makes of it.
 * With `isSaveAndNext`, Enter (the primary button) saves and opens the next
 * period; "Save" saves and goes back to the deployment.
 */
export function UsageForm({
  action,
  initialValues,
  version,
  deployment,
  timeZone,
  submitLabel,
  cancelHref,
  isSaveAndNext = false,
  autoFocusField = "windowStart",
  now: serverNow,
}: {
  action: RecordFormAction;
  initialValues: FormValues;
  version?: number;
  deployment: UsageFormDeployment;
  /** The view's reporting zone (the org's by default), as every record form: the start is entered and shown in it. */
  timeZone: string;
  submitLabel: string;
  cancelHref: Route;
  isSaveAndNext?: boolean;
  autoFocusField?: "windowStart" | "requests";
  now: Date;
}) {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const read = useCallback(
    (values: FormValues) => {
      const form = readForm(Object.entries(values), { ...USAGE_WINDOW_FORM, defaultTimeZone: timeZone });
      form.values.deploymentId = String(deployment.id);
      return form;
    },
    [timeZone, deployment.id],
  );
  const validate = useCallback(
    (values: FormValues) => {
      const schema = usageWindowSchema({
        now: new Date(),
        deployment: { id: deployment.id, activeFrom: new Date(deployment.activeFrom), activeTo: deployment.activeTo ? new Date(deployment.activeTo) : null },
        timeZone,
      });
      const result = validateForm(schema, read(values));
      return result.ok ? {} : result.fieldErrors;
    },
    [read, deployment.id, deployment.activeFrom, deployment.activeTo, timeZone],
  );
  const form = useRecordForm({ action, initialValues, validate, version });
  const { values, set, blur, errorsFor } = form;

  const presetOf = (seconds: string | undefined) => USAGE_LENGTH_PRESETS.find((p) => String(p.seconds) === seconds?.trim());
  const [isCustomLength, setIsCustomLength] = useState(() => !presetOf(initialValues.windowSeconds));

  /** The period's end (for the hint) and the cost preview, from the values as the server will read them. */
  const { end, preview } = useMemo(() => {
    const startText = read(values).values.windowStart;
    const startMs = startText ? Date.parse(startText) : Number.NaN;
    const seconds = DIGITS.test(values.windowSeconds ?? "") ? Number(values.windowSeconds) : null;
    if (!Number.isFinite(startMs) || !seconds || seconds > 31 * 86_400) return { end: null, preview: null };
    const periodEnd = new Date(startMs + seconds * 1000);
    try {
      return {
        end: periodEnd,
        preview: usageCostPreview({
          deployment: deployment.pricing,
          catalogName: deployment.catalogName,
          windowStart: new Date(startMs),
          windowSeconds: seconds,
          requests: count(values.requests),
          errors: count(values.errors),
          inputTokens: count(values.inputTokens),
          cachedInputTokens: count(values.cachedInputTokens),
          outputTokens: count(values.outputTokens),
          avgGpuUtilizationPct: values.avgGpuUtilizationPct && DECIMAL.test(values.avgGpuUtilizationPct) ? Number(values.avgGpuUtilizationPct) : null,
          now,
        }),
      };
    } catch {
      return { end: periodEnd, preview: null };
    }
  }, [read, values, deployment, now]);

  const control = (name: string) => ({ name, label: USAGE_FIELD_LABELS[name]!, value: values[name] ?? "", onChange: set, onBlur: blur, errors: errorsFor(name) });
  const lengthErrors = errorsFor("windowSeconds");
  const periodHint = `${timeZone} · active ${formatDateTime({ instant: new Date(deployment.activeFrom), timeZone })} – ${deployment.activeTo ? formatDateTime({ instant: new Date(deployment.activeTo), timeZone }) : "now"}`;

  return (
    <RecordFormFrame
      form={form}
      timeZone={timeZone}
      labels={USAGE_FIELD_LABELS}
      submitLabel={submitLabel}
      cancelHref={cancelHref}
      extraActions={
        isSaveAndNext ? (
          <button type="submit" name={SAVE_AND_ADD_NEXT.name} value="done" disabled={form.isPending} className={buttonClass("secondary")}>
            Save and finish
          </button>
        ) : null
      }
      aside={
        <CostPreview
          title="Cost of this period"
          lines={preview?.lines ?? []}
          warnings={preview?.warnings}
          empty="Enter the start and length to see what the deployment's GPUs cost over the period."
        />
      }
    >
      {isSaveAndNext ? <input type="hidden" name={SAVE_AND_ADD_NEXT.name} value={SAVE_AND_ADD_NEXT.value} /> : null}
      <FieldGroup title="Period" description={`Totals of ${deployment.name} (${deployment.gpuLabel}) over one period. Periods can't overlap.`}>
        <TextField {...control("windowStart")} type="datetime-local" isRequired autoFocus={autoFocusField === "windowStart"} hint={periodHint} className="sm:col-span-2" />
        <Field
          name="windowSeconds"
          label="Length"
          isRequired
          errors={lengthErrors}
          hint={end ? `Ends ${formatDateTime({ instant: end, timeZone })} (${timeZone})` : "Up to 31 days"}
          className="sm:col-span-2"
        >
          <div className="flex gap-2">
            {/* The choice keeps its own width beside the seconds box (a width class on the select lost to inputClass's w-full). */}
            <div className={isCustomLength ? "w-44 shrink-0" : "w-full"}>
              <select
                id={isCustomLength ? "windowLength" : "windowSeconds"}
                aria-label={isCustomLength ? "Length choice" : undefined}
                value={isCustomLength ? "custom" : (values.windowSeconds ?? "")}
                aria-invalid={(!isCustomLength && Boolean(lengthErrors?.length)) || undefined}
                aria-describedby={[`windowSeconds-hint`, lengthErrors?.length ? "windowSeconds-error" : null].filter(Boolean).join(" ")}
                onChange={(e) => {
                  if (e.target.value === "custom") {
                    setIsCustomLength(true);
                  } else {
                    setIsCustomLength(false);
                    set("windowSeconds", e.target.value);
                  }
                }}
                onBlur={() => blur("windowSeconds")}
                className={inputClass(!isCustomLength && Boolean(lengthErrors?.length))}
              >
                {USAGE_LENGTH_PRESETS.map((p) => (
                  <option key={p.seconds} value={String(p.seconds)}>
                    {p.label}
                  </option>
                ))}
                <option value="custom">Custom (seconds)</option>
              </select>
            </div>
            {isCustomLength ? (
              <div className="relative min-w-0 flex-1">
                <input
                  id="windowSeconds"
                  name="windowSeconds"
                  inputMode="numeric"
                  autoComplete="off"
                  value={values.windowSeconds ?? ""}
                  aria-label="Length in seconds"
                  aria-invalid={Boolean(lengthErrors?.length) || undefined}
                  aria-describedby={["windowSeconds-hint", lengthErrors?.length ? "windowSeconds-error" : null].filter(Boolean).join(" ")}
                  onChange={(e) => set("windowSeconds", e.target.value)}
                  onBlur={() => blur("windowSeconds")}
                  className={inputClass(Boolean(lengthErrors?.length), "pr-9 text-right tabular-nums")}
                />
                <span className="pointer-events-none absolute inset-y-0 right-2.5 flex items-center text-xs text-slate-500">s</span>
              </div>
            ) : (
              <input type="hidden" name="windowSeconds" value={values.windowSeconds ?? ""} />
            )}
          </div>
        </Field>
      </FieldGroup>
      <FieldGroup title="Traffic" description="Raw counts over the whole period (not thousands or millions). Input tokens include cached ones.">
        <TextField {...control("requests")} isRequired autoFocus={autoFocusField === "requests"} inputMode="numeric" isNumeric suffix="req" hint={magnitude(values.requests)} />
        <TextField {...control("errors")} inputMode="numeric" isNumeric suffix="req" placeholder="0" hint={magnitude(values.errors)} />
        <TextField {...control("inputTokens")} isRequired inputMode="numeric" isNumeric suffix="tokens" hint={magnitude(values.inputTokens)} />
        <TextField {...control("cachedInputTokens")} inputMode="numeric" isNumeric suffix="tokens" placeholder="0" hint={magnitude(values.cachedInputTokens)} />
        <TextField {...control("outputTokens")} isRequired inputMode="numeric" isNumeric suffix="tokens" hint={magnitude(values.outputTokens)} />
        <TextField {...control("avgGpuUtilizationPct")} inputMode="decimal" isNumeric suffix="%" placeholder="not measured" hint="Average over the period" />
      </FieldGroup>
      <FieldGroup title="Latency" description="Optional: enter all three percentiles or none. Merged into dashboard percentiles as an estimate, interpolated through the three in log space.">
        <TextField {...control("latencyP50Ms")} inputMode="decimal" isNumeric suffix="ms" />
        <TextField {...control("latencyP95Ms")} inputMode="decimal" isNumeric suffix="ms" />
        <TextField {...control("latencyP99Ms")} inputMode="decimal" isNumeric suffix="ms" />
      </FieldGroup>
    </RecordFormFrame>
  );
}
