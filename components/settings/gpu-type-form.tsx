"use client";

import type { Route } from "next";
import { useCallback, type ReactNode } from "react";
import { gpuTypeSchema } from "@/lib/validation/entities/gpu-type";
import { readForm, validateForm } from "@/lib/validation/form-input";
import { FieldGroup, TextField } from "@/components/forms/fields";
import { RecordFormFrame } from "@/components/forms/record-form-frame";
import { useRecordForm, type FormValues, type RecordFormAction } from "@/components/forms/use-record-form";

export const GPU_TYPE_FIELD_LABELS: Record<string, string> = {
  name: "Name",
  memoryGb: "Memory",
  peakBf16Tflops: "Peak BF16 TFLOPS",
  memoryBandwidthGbps: "Memory bandwidth",
};

/** Datasheet specs (dense BF16, no sparsity) of common GPUs: picking a name fills the empty spec fields. */
const KNOWN_GPUS: Record<string, { memoryGb: string; peakBf16Tflops: string; memoryBandwidthGbps: string }> = {
  "H100 80GB": { memoryGb: "80", peakBf16Tflops: "989.5", memoryBandwidthGbps: "3350" },
  "H200 141GB": { memoryGb: "141", peakBf16Tflops: "989.5", memoryBandwidthGbps: "4800" },
  "B200 180GB": { memoryGb: "180", peakBf16Tflops: "2250", memoryBandwidthGbps: "8000" },
  "A100 80GB": { memoryGb: "80", peakBf16Tflops: "312", memoryBandwidthGbps: "2039" },
  "A100 40GB": { memoryGb: "40", peakBf16Tflops: "312", memoryBandwidthGbps: "1555" },
  "L40S 48GB": { memoryGb: "48", peakBf16Tflops: "362.05", memoryBandwidthGbps: "864" },
  "L4 24GB": { memoryGb: "24", peakBf16Tflops: "121", memoryBandwidthGbps: "300" },
  "MI300X 192GB": { memoryGb: "192", peakBf16Tflops: "1307.4", memoryBandwidthGbps: "5300" },
};

const SPEC_FIELDS = ["memoryGb", "peakBf16Tflops", "memoryBandwidthGbps"] as const;

/** Create or edit a GPU type. */
export function GpuTypeForm({
  action,
  initialValues,
  version,
  timeZone,
  submitLabel,
  cancelHref,
  extraActions,
}: {
  action: RecordFormAction;
  initialValues: FormValues;
  version?: number;
  timeZone: string;
  submitLabel: string;
  cancelHref: Route;
  extraActions?: ReactNode;
}) {
  const validate = useCallback((values: FormValues) => {
    const result = validateForm(gpuTypeSchema, readForm(Object.entries(values), { defaultTimeZone: timeZone }));
    return result.ok ? {} : result.fieldErrors;
  }, [timeZone]);
  const form = useRecordForm({ action, initialValues, validate, version });
  const { values, set, setMany, blur, errorsFor } = form;
  const control = (name: string) => ({ name, label: GPU_TYPE_FIELD_LABELS[name]!, value: values[name] ?? "", onChange: set, onBlur: blur, errors: errorsFor(name) });

  const onNameChange = (name: string, value: string) => {
    const known = KNOWN_GPUS[value.trim()];
    const fill = known ? Object.fromEntries(SPEC_FIELDS.filter((field) => !values[field]?.trim()).map((field) => [field, known[field]])) : {};
    setMany({ [name]: value, ...fill });
  };

  return (
    <RecordFormFrame form={form} timeZone={timeZone} labels={GPU_TYPE_FIELD_LABELS} submitLabel={submitLabel} cancelHref={cancelHref} extraActions={extraActions} hasTimes={false}>
      <FieldGroup title="GPU type" description="Peak throughput is dense BF16 (no sparsity); MFU and utilization are measured against it.">
        <div className="sm:col-span-2">
          <TextField
            {...control("name")}
            onChange={onNameChange}
            isRequired
            autoFocus
            placeholder="H100 80GB"
            list="known-gpus"
            hint="Pick a common GPU from the list to fill in its datasheet specs, then check them."
          />
          <datalist id="known-gpus">
            {Object.keys(KNOWN_GPUS).map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </div>
        <TextField {...control("memoryGb")} isRequired inputMode="numeric" isNumeric suffix="GB" placeholder="80" />
        <TextField {...control("peakBf16Tflops")} isRequired inputMode="decimal" isNumeric placeholder="989.5" />
        <TextField {...control("memoryBandwidthGbps")} isRequired inputMode="decimal" isNumeric suffix="GB/s" placeholder="3350" />
      </FieldGroup>
    </RecordFormFrame>
  );
}
