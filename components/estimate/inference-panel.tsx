"use client";

import { useMemo } from "react";
import { formatGpuCount, formatMs, formatPerMillionTokens, formatPricePerGpuHour, formatUsdRate } from "@/lib/domain/display";
import { formatQuantity } from "@/lib/domain/estimator/format";
import { estimateInference, HOURS_PER_MONTH, type InferenceEstimate, type InferenceWorkload, type Quantization } from "@/lib/domain/estimator/inference";
import { QUANTIZATION_LABELS } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { ESTIMATE_FIELD_LABELS, priceParam, validateInference, type InferenceFields, type InferenceKey } from "@/lib/validation/estimate-params";
import { SelectField, TextField } from "@/components/forms/fields";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Assumptions, chosenRowClass, FixFields, gpuComparisonColumn, OutputList, priceFor, priceHint, type EstimatorGpu } from "./parts";

type Row =
  | { gpuName: string; isChosen: boolean; priceSource: string; pricePerGpuHourMicros: bigint | null; estimate: InferenceEstimate; error?: never }
  | { gpuName: string; isChosen: boolean; priceSource: string; pricePerGpuHourMicros: bigint | null; estimate?: never; error: string };

const BOUND_LABELS = { "memory-bandwidth": "memory-bandwidth-bound", compute: "compute-bound" } as const;

const SOURCES =
  "Forward pass ≈ 2·N FLOPs per token: Kaplan et al. 2020. Memory-bandwidth utilization: Databricks, “LLM Inference Performance Engineering: Best Practices” (2023). Usable memory 90% and at most 256 sequences: vLLM's defaults (gpu_memory_utilization, max_num_seqs).";

function compareRows(a: Row, b: Row): number {
  if (a.error !== undefined || b.error !== undefined) return a.error === undefined ? -1 : b.error === undefined ? 1 : a.gpuName.localeCompare(b.gpuName);
  const x = a.estimate.monthlyCostMicros;
  const y = b.estimate.monthlyCostMicros;
  if (x !== null && y !== null && x !== y) return x < y ? -1 : 1;
  if (x === null && y !== null) return 1;
  if (y === null && x !== null) return -1;
  return a.estimate.gpuCount - b.estimate.gpuCount;
}

export function InferencePanel({ gpus, fields, onChange }: { gpus: EstimatorGpu[]; fields: InferenceFields; onChange: (name: string, value: string) => void }) {
  const names = useMemo(() => gpus.map((g) => g.name), [gpus]);
  const validated = useMemo(() => validateInference(fields, names), [fields, names]);
  const rows = useMemo(() => {
    if (!validated.ok) return null;
    const v = validated.value;
    const workload: InferenceWorkload = {
      parameters: v.parameters,
      quantization: v.quantization,
      requestsPerSecond: v.requestsPerSecond,
      inputTokensPerRequest: v.inputTokensPerRequest,
      outputTokensPerRequest: v.outputTokensPerRequest,
      latencyTargetMs: v.latencyTargetMs,
    };
    const chosen = { name: v.gpuName, enteredMicros: v.pricePerGpuHourMicros };
    const all = gpus.map((g): Row => {
      const price = priceFor(g, chosen);
      const base = { gpuName: g.name, isChosen: g.name === v.gpuName, priceSource: price.source, pricePerGpuHourMicros: price.micros };
      try {
        const gpu = { name: g.name, memoryGb: g.memoryGb, peakBf16Tflops: g.peakBf16Tflops, memoryBandwidthGbps: g.memoryBandwidthGbps, pricePerGpuHourMicros: price.micros };
        return { ...base, estimate: estimateInference({ ...workload, gpu }) };
      } catch (error) {
        return { ...base, error: error instanceof Error ? error.message : String(error) };
      }
    });
    return all.sort(compareRows);
  }, [validated, gpus]);

  const errorOf = (key: InferenceKey) => (validated.ok ? undefined : validated.errors[key] ? [validated.errors[key]!] : undefined);
  const control = (key: InferenceKey) => ({ name: key, label: ESTIMATE_FIELD_LABELS[key], value: fields[key], onChange, errors: errorOf(key) });
  const gpu = gpus.find((g) => g.name === fields.igpu);
  const chosen = rows?.find((r) => r.isChosen);

  return (
    <div className="grid gap-5 xl:grid-cols-[minmax(0,23rem)_minmax(0,1fr)]">
      <Card title="Model and traffic" className="self-start">
        <div className="grid grid-cols-2 gap-3 px-4 py-3">
          <TextField {...control("iparams")} isNumeric hint="All parameters of a dense model: 8e9, 8B, 70B." />
          <SelectField
            {...control("quant")}
            options={(Object.keys(QUANTIZATION_LABELS) as Quantization[]).map((q) => ({ value: q, label: QUANTIZATION_LABELS[q] }))}
            hint="Bytes per weight: 2, 1 (FP8/INT8), 0.5 (INT4)."
          />
          <SelectField
            {...control("igpu")}
            className="col-span-2"
            options={gpus.map((g) => ({ value: g.name, label: `${g.name} · ${g.memoryGb} GB · ${g.memoryBandwidthGbps} GB/s` }))}
            hint="From this org's GPU catalog: memory, bandwidth and peak BF16 TFLOPS."
          />
          <TextField {...control("rps")} isNumeric inputMode="decimal" suffix="req/s" hint="Expected average." />
          <TextField {...control("latency")} isNumeric inputMode="decimal" suffix="ms" placeholder="none" hint="Per request, end to end; e.g. the p99 SLO." />
          <TextField {...control("in")} isNumeric inputMode="numeric" />
          <TextField {...control("out")} isNumeric inputMode="numeric" />
          <TextField {...control("iprice")} className="col-span-2" isNumeric inputMode="decimal" prefix="$" suffix="/ GPU-h" placeholder={gpu?.catalogPrice ? priceParam(BigInt(gpu.catalogPrice.micros)) : ""} hint={priceHint(gpu, fields.iprice)} />
        </div>
      </Card>
      <div className="min-w-0 space-y-5">
        <Card title={chosen?.estimate ? `Estimate · ${chosen.gpuName}` : "Estimate"}>
          {!validated.ok ? (
            <FixFields errors={Object.values(validated.errors) as string[]} />
          ) : !chosen || chosen.error !== undefined ? (
            <FixFields errors={[chosen?.error ?? "The estimate could not be computed."]} />
          ) : (
            <ChosenEstimate estimate={chosen.estimate} />
          )}
        </Card>
        {rows ? (
          <Card title="Across GPU types">
            <DataTable
              caption="The same model and traffic on each GPU type of the catalog, cheapest per month first"
              rows={rows}
              rowKey={(r) => r.gpuName}
              rowClassName={chosenRowClass}
              columns={[
                gpuComparisonColumn(),
                {
                  key: "gpus",
                  header: "GPUs",
                  isNumeric: true,
                  cell: (r) =>
                    r.estimate ? (
                      <span className="block">
                        {formatGpuCount(r.estimate.gpuCount)}
                        <span className="block text-xs text-slate-600">
                          {r.estimate.replicas} {r.estimate.replicas === 1 ? "replica" : "replicas"} × {r.estimate.gpusPerReplica}
                        </span>
                      </span>
                    ) : (
                      <span className="text-xs text-slate-600" title={r.error}>
                        Does not fit
                      </span>
                    ),
                },
                {
                  key: "tps",
                  header: "Tokens/s per GPU",
                  isNumeric: true,
                  cell: (r) =>
                    r.estimate ? (
                      <span className="block">
                        ≈ {formatQuantity(r.estimate.tokensPerSecondPerGpu)}
                        <span className="block text-xs text-slate-600">{BOUND_LABELS[r.estimate.bindingBound]}</span>
                      </span>
                    ) : (
                      "—"
                    ),
                },
                {
                  key: "latency",
                  header: "Latency",
                  isNumeric: true,
                  cell: (r) =>
                    r.estimate ? <span className={r.estimate.meetsLatencyTarget === false ? "text-red-700" : undefined}>{formatMs(r.estimate.latencyMs)}</span> : "—",
                },
                {
                  key: "price",
                  header: "Price",
                  isNumeric: true,
                  cell: (r) => (
                    <span className="block">
                      {r.pricePerGpuHourMicros === null ? "No price" : formatPricePerGpuHour(r.pricePerGpuHourMicros)}
                      <span className="block text-xs text-slate-600">{r.priceSource}</span>
                    </span>
                  ),
                },
                { key: "perM", header: "$/1M tokens", isNumeric: true, cell: (r) => (r.estimate ? formatUsdRate(r.estimate.costPerMillionTokensUsd) : "—") },
                {
                  key: "month",
                  header: "Per month",
                  isNumeric: true,
                  cell: (r) => <span className="font-medium">{r.estimate ? (r.estimate.monthlyCostMicros === null ? "No price" : formatUsd({ micros: r.estimate.monthlyCostMicros })) : "—"}</span>,
                },
              ]}
            />
            <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
              Same model, quantization, traffic and latency target on every type; GPUs = replicas × GPUs per replica. Each type at its lowest on-demand catalog price in effect today
              {fields.iprice.trim() === "" ? "" : ", the chosen type at the price entered"}; a month is {HOURS_PER_MONTH} hours. Latency in red misses the target even at 8 GPUs per replica and a batch of 1.
            </p>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

function ChosenEstimate({ estimate: e }: { estimate: InferenceEstimate }) {
  const bound = BOUND_LABELS[e.bindingBound];
  return (
    <>
      <OutputList
        label="Inference estimate"
        outputs={[
          { label: "GPUs needed", value: formatGpuCount(e.gpuCount), formula: `${e.formula.gpuCount}; ${e.formula.gpusPerReplica}`, isEmphasized: true },
          {
            label: "Tokens/s per GPU",
            value: (
              <span className="inline-flex flex-wrap items-center gap-1.5">
                ≈ {formatQuantity(e.tokensPerSecondPerGpu)} tokens/s <Badge tone="neutral">estimate, {bound}</Badge>
              </span>
            ),
            formula: e.formula.throughput,
            isEmphasized: true,
          },
          { label: "$/1M tokens", value: formatPerMillionTokens(e.costPerMillionTokensUsd), formula: e.formula.costPerMillionTokens, isEmphasized: true },
          { label: "Monthly cost", value: e.monthlyCostMicros === null ? "No price" : formatUsd({ micros: e.monthlyCostMicros }), formula: e.formula.monthlyCost, isEmphasized: true },
          {
            label: "Latency per request",
            value: (
              <span className="inline-flex flex-wrap items-center gap-1.5">
                {formatMs(e.latencyMs)}
                {e.meetsLatencyTarget === null ? null : e.meetsLatencyTarget ? <Badge tone="good">meets target</Badge> : <Badge tone="bad">misses target</Badge>}
              </span>
            ),
            formula: e.formula.latency,
          },
          { label: "Capacity used", value: `${formatQuantity(e.utilization * 100)}%`, formula: `Traffic ÷ (${e.replicas} replica${e.replicas === 1 ? "" : "s"} × ${formatQuantity(e.requestsPerSecondPerReplica)} req/s each)` },
        ]}
      />
      <h3 className="border-t border-slate-200 px-4 pt-3 text-xs font-semibold uppercase tracking-wide text-slate-500">How the throughput is bounded</h3>
      <OutputList
        label="Inference estimate details"
        outputs={[
          { label: "Memory-bandwidth bound", value: `${formatQuantity(e.outputTokensPerSecondPerGpu.memoryBound)} output tokens/s`, formula: e.formula.memoryBound },
          { label: "Compute bound", value: `${formatQuantity(e.outputTokensPerSecondPerGpu.computeBound)} output tokens/s`, formula: e.formula.computeBound },
          { label: "Batch", value: `${e.batchSize} sequences`, formula: e.formula.batchSize },
          { label: "Weights", value: `${formatQuantity(e.weightsGb)} GB`, formula: e.formula.weights },
          { label: "GPUs for the weights", value: formatGpuCount(e.gpusForMemory), formula: e.formula.gpusForMemory },
          { label: "KV cache per token", value: `${formatQuantity(e.kvCacheBytesPerToken)} bytes`, formula: e.formula.kvCache },
        ]}
      />
      <Assumptions items={e.assumptions} sources={SOURCES} />
    </>
  );
}
