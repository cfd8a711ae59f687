"use client";

import { useMemo } from "react";
import { formatGpuHours, formatPricePerGpuHour } from "@/lib/domain/display";
import { formatQuantity } from "@/lib/domain/estimator/format";
import {
  compareTrainingAcrossGpus,
  DEFAULT_BYTES_PER_TOKEN,
  DEFAULT_TRAINING_MFU,
  trainingFlopsFactorNote,
  type TrainingEstimate,
  type TrainingMethod,
  type TrainingWorkload,
} from "@/lib/domain/estimator/training";
import { TRAINING_METHOD_LABELS } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { ESTIMATE_FIELD_LABELS, priceParam, validateTraining, type TrainingFields, type TrainingKey } from "@/lib/validation/estimate-params";
import { SelectField, TextField } from "@/components/forms/fields";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Assumptions, chosenRowClass, FixFields, gpuComparisonColumn, OutputList, priceFor, priceHint, type EstimatorGpu } from "./parts";

/** "3.2 days", or hours under a day. */
export function formatWallClock(estimate: Pick<TrainingEstimate, "wallClockHours" | "wallClockDays">): string {
  return estimate.wallClockDays >= 1 ? `${formatQuantity(estimate.wallClockDays)} days` : `${formatQuantity(estimate.wallClockHours)} h`;
}

type Row = TrainingEstimate & { pricePerGpuHourMicros: bigint | null; priceSource: string; isChosen: boolean };

const METHOD_SOURCES =
  "6·N: Kaplan et al. 2020, “Scaling Laws for Neural Language Models” §2.1; Hoffmann et al. 2022 (Chinchilla), C ≈ 6·N·D. 4·N: Hu et al. 2021, “LoRA” — frozen weights get no weight gradients; QLoRA (Dettmers et al. 2023) counted as LoRA. MFU: Chowdhery et al. 2022 (PaLM), Appendix B; default from Llama Team 2024, “The Llama 3 Herd of Models”, Table 4.";

export function TrainingPanel({ gpus, fields, onChange }: { gpus: EstimatorGpu[]; fields: TrainingFields; onChange: (name: string, value: string) => void }) {
  const names = useMemo(() => gpus.map((g) => g.name), [gpus]);
  const validated = useMemo(() => validateTraining(fields, names), [fields, names]);
  const result = useMemo(() => {
    if (!validated.ok) return null;
    const v = validated.value;
    const workload: TrainingWorkload = { ...v.data, activeParameters: v.activeParameters, method: v.method, gpuCount: v.gpuCount, ...(v.mfu === undefined ? {} : { mfu: v.mfu }) };
    const chosen = { name: v.gpuName, enteredMicros: v.pricePerGpuHourMicros };
    const prices = gpus.map((g) => priceFor(g, chosen));
    try {
      const estimates = compareTrainingAcrossGpus(
        workload,
        gpus.map((g, i) => ({ name: g.name, peakBf16Tflops: g.peakBf16Tflops, pricePerGpuHourMicros: prices[i]!.micros })),
      );
      const rows: Row[] = estimates.map((e, i) => ({ ...e, pricePerGpuHourMicros: prices[i]!.micros, priceSource: prices[i]!.source, isChosen: e.gpuName === v.gpuName }));
      // Cheapest first; types without a price (no cost) last, by GPU-hours.
      rows.sort((a, b) =>
        a.costMicros !== null && b.costMicros !== null ? (a.costMicros < b.costMicros ? -1 : a.costMicros > b.costMicros ? 1 : a.gpuHours - b.gpuHours) : a.costMicros === null ? (b.costMicros === null ? a.gpuHours - b.gpuHours : 1) : -1,
      );
      return { ok: true as const, chosen: rows.find((r) => r.isChosen)!, rows };
    } catch (error) {
      return { ok: false as const, message: error instanceof Error ? error.message : String(error) };
    }
  }, [validated, gpus]);

  const errorOf = (key: TrainingKey) => (validated.ok ? undefined : validated.errors[key] ? [validated.errors[key]!] : undefined);
  const control = (key: TrainingKey) => ({ name: key, label: ESTIMATE_FIELD_LABELS[key], value: fields[key], onChange, errors: errorOf(key) });
  const gpu = gpus.find((g) => g.name === fields.gpu);
  const method = (Object.keys(TRAINING_METHOD_LABELS) as TrainingMethod[]).includes(fields.method as TrainingMethod) ? (fields.method as TrainingMethod) : null;

  return (
    <div className="grid gap-5 xl:grid-cols-[minmax(0,23rem)_minmax(0,1fr)]">
      <Card title="Training run" className="self-start">
        <div className="grid grid-cols-2 gap-3 px-4 py-3">
          <TextField
            {...control("params")}
            className="col-span-2"
            isNumeric
            inputMode="text"
            hint="Parameters used per token: all of a dense model's; for a mixture-of-experts model the active ones (DeepSeek-V3: 37B of 671B). 7e9, 7B or 6,738,415,616."
          />
          <SelectField
            {...control("data")}
            options={[
              { value: "tokens", label: "Tokens" },
              { value: "bytes", label: "Bytes" },
            ]}
          />
          {fields.data === "bytes" ? (
            <>
              <TextField {...control("bytes")} isNumeric hint="8 TB, 500 GB or 8e12; 1 TB = 10¹² bytes." />
              <TextField
                {...control("bpt")}
                className="col-span-2"
                isNumeric
                inputMode="decimal"
                suffix="bytes/token"
                hint={`Default ${DEFAULT_BYTES_PER_TOKEN}: English prose with a Llama-style BPE tokenizer (about 4 characters per token). Code, markup and non-English text have fewer — measure with the model's tokenizer.`}
              />
            </>
          ) : (
            <TextField {...control("tokens")} isNumeric hint="2e12 or 2T." />
          )}
          <SelectField
            {...control("method")}
            className="col-span-2"
            options={(Object.keys(TRAINING_METHOD_LABELS) as TrainingMethod[]).map((m) => ({ value: m, label: TRAINING_METHOD_LABELS[m] }))}
            hint={`${trainingFlopsFactorNote(method)}. Sources under “Assumptions”.`}
          />
          <SelectField
            {...control("gpu")}
            className="col-span-2"
            options={gpus.map((g) => ({ value: g.name, label: `${g.name} · ${g.peakBf16Tflops} TFLOPS` }))}
            hint="From this org's GPU catalog; peak dense BF16 TFLOPS."
          />
          <TextField {...control("gpus")} isNumeric inputMode="numeric" suffix="GPUs" />
          <TextField
            {...control("mfu")}
            isNumeric
            inputMode="decimal"
            suffix="%"
            hint={`Default ${DEFAULT_TRAINING_MFU * 100}%. Use a past run's measured MFU when there is one.`}
          />
          <TextField {...control("price")} className="col-span-2" isNumeric inputMode="decimal" prefix="$" suffix="/ GPU-h" placeholder={gpu?.catalogPrice ? priceParam(BigInt(gpu.catalogPrice.micros)) : ""} hint={priceHint(gpu, fields.price)} />
        </div>
      </Card>
      <div className="min-w-0 space-y-5">
        <Card title={result?.ok ? `Estimate · ${result.chosen.gpuCount} × ${result.chosen.gpuName}` : "Estimate"}>
          {!validated.ok ? (
            <FixFields errors={Object.values(validated.errors) as string[]} />
          ) : !result?.ok ? (
            <FixFields errors={[result?.message ?? "The estimate could not be computed."]} />
          ) : (
            <>
              <OutputList
                label="Training estimate"
                outputs={[
                  { label: "FLOPs", value: `${formatQuantity(result.chosen.flops)} FLOPs`, formula: result.chosen.formula.flops },
                  { label: "GPU-hours", value: formatGpuHours(result.chosen.gpuHours), formula: result.chosen.formula.gpuHours, isEmphasized: true },
                  { label: "Wall clock", value: formatWallClock(result.chosen), formula: result.chosen.formula.wallClock, isEmphasized: true },
                  { label: "Cost", value: result.chosen.costMicros === null ? "No price" : formatUsd({ micros: result.chosen.costMicros }), formula: result.chosen.formula.cost, isEmphasized: true },
                  ...(fields.data === "bytes" ? [{ label: "Training tokens", value: `${formatQuantity(result.chosen.tokens)} tokens`, formula: result.chosen.formula.tokens }] : []),
                  { label: "FLOPs per token", value: `${result.chosen.flopsFactor} × N = ${formatQuantity(result.chosen.flopsPerToken)}`, formula: trainingFlopsFactorNote(result.chosen.method) },
                ]}
              />
              <Assumptions items={result.chosen.assumptions} sources={METHOD_SOURCES} />
            </>
          )}
        </Card>
        {result?.ok ? (
          <Card title="Across GPU types">
            <DataTable
              caption="The same training run on each GPU type of the catalog, cheapest first"
              rows={result.rows}
              rowKey={(r) => r.gpuName}
              rowClassName={chosenRowClass}
              columns={[
                gpuComparisonColumn(),
                { key: "price", header: "Price", isNumeric: true, cell: (r) => <PriceCell micros={r.pricePerGpuHourMicros} source={r.priceSource} /> },
                { key: "gpuHours", header: "GPU-hours", isNumeric: true, cell: (r) => formatGpuHours(r.gpuHours) },
                { key: "wall", header: "Wall clock", isNumeric: true, cell: (r) => formatWallClock(r) },
                { key: "cost", header: "Cost", isNumeric: true, cell: (r) => <span className="font-medium">{r.costMicros === null ? "No price" : formatUsd({ micros: r.costMicros })}</span> },
              ]}
            />
            <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
              Same parameters, tokens, method, MFU and GPU count ({result.chosen.gpuCount}, for the wall clock) on every type; GPU-hours = FLOPs ÷ (the type&apos;s peak BF16 FLOP/s × MFU). Each type at its lowest on-demand catalog price in effect today
              {fields.price.trim() === "" ? "" : `, the chosen type at the price entered`}. The same MFU on every type is an assumption: older or smaller GPUs often reach a higher MFU than H100s.
            </p>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

function PriceCell({ micros, source }: { micros: bigint | null; source: string }) {
  return (
    <span className="block">
      {micros === null ? "No price" : formatPricePerGpuHour(micros)}
      <span className="block text-xs text-slate-600">{source}</span>
    </span>
  );
}
