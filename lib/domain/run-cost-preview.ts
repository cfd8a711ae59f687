/**
 * The cost preview of a training run being entered: what it will add, line
 * by line, and warnings for figures that are probably a slip (a price per
 * node instead of per GPU, tokens in millions, dates a year apart). Pure: the
 * form computes it in the browser with the same engine as the dashboards.
 */
import { formatDuration, formatGpuCount, formatGpuHours, formatPercent, formatPricePerGpuHour, formatUsdRate } from "./display";
import type { GpuTimeLine, PricePeriod } from "./gpu-time-cost";
import { trainingFlopsFactor, type TrainingMethod } from "./estimator/training";
import { formatDateTime, TRAINING_METHOD_LABELS } from "./labels";
import { formatUsd, parseUsdMicros } from "./money";
import { trainingRunCost } from "./training-cost";

export interface PreviewLine {
  label: string;
  value: string;
  how?: string;
  isTotal?: boolean;
}

export interface RunPreviewInput {
  gpuCount: number;
  startedAt: Date;
  endedAt: Date | null;
  pricePerGpuHourOverride: string | null;
  catalogPrices: readonly PricePeriod[];
  /** e.g. "aws On-demand", for the lines' explanations. */
  catalogName: string;
  storageCostUsd: string;
  dataCostUsd: string;
  networkCostUsd: string;
  tokensProcessed: bigint | null;
  parameterCount: bigint | null;
  peakBf16Tflops: string | null;
  /** Sets the MFU's FLOPs per token (6·N, or 4·N for LoRA/QLoRA); counted as full training when not given. */
  method?: TrainingMethod | null;
  now: Date;
  /** The form's zone, for the dates in the lines' labels (UTC when not given). */
  timeZone?: string;
}

/**
 * "8 GPUs × 1 h 30 min × $2.50 / GPU-h": one priced stretch as exact factors,
 * so they multiply to the line's amount (rounded to cents only for display).
 */
export function gpuTimeFactors({ gpuCount, line }: { gpuCount: number; line: Pick<GpuTimeLine, "start" | "end" | "pricePerGpuHourMicros"> }): string {
  const time = `${formatGpuCount(gpuCount)} × ${formatDuration(line.end.getTime() - line.start.getTime())}`;
  return line.pricePerGpuHourMicros === null ? time : `${time} × ${formatPricePerGpuHour(line.pricePerGpuHourMicros)}`;
}

const DAY_MS = 86_400_000;

/** "4 × parameters × tokens ÷ (…)": the method's FLOPs per parameter per token, and why when it is not 6. */
export function mfuHow(method: TrainingMethod | null | undefined): string {
  const factor = trainingFlopsFactor(method);
  const how = `${factor} × parameters × tokens ÷ (GPU-seconds × peak BF16 FLOP/s)`;
  return factor === 6 || !method ? how : `${how}; ${factor}, not 6: ${TRAINING_METHOD_LABELS[method]} computes no weight gradients for the frozen base weights`;
}

export function runCostPreview(input: RunPreviewInput): { lines: PreviewLine[]; warnings: string[] } {
  const cost = trainingRunCost({ run: { ...input }, now: input.now });
  const lines: PreviewLine[] = [];
  const warnings: string[] = [];
  const durationMs = cost.interval.end.getTime() - cost.interval.start.getTime();
  const hours = durationMs / 3_600_000;
  const timeZone = input.timeZone ?? "UTC";
  lines.push({
    label: "GPU-hours",
    value: formatGpuHours(cost.gpuHours),
    how: `${formatGpuCount(input.gpuCount)} × ${formatDuration(durationMs)}${cost.isRunning ? " so far" : ""}`,
  });
  const priced = cost.lines.filter((line) => line.source !== "none");
  for (const line of priced) {
    lines.push({
      label: priced.length > 1 ? `Compute from ${formatDateTime({ instant: line.start, timeZone })}` : "Compute",
      value: formatUsd({ micros: line.costMicros }),
      how: `${gpuTimeFactors({ gpuCount: input.gpuCount, line })} (${line.source === "override" ? "override" : `catalog: ${input.catalogName}`})`,
    });
  }
  for (const [label, micros] of [
    ["Storage", cost.storageCostMicros],
    ["Data", cost.dataCostMicros],
    ["Network", cost.networkCostMicros],
  ] as const) {
    if (micros > 0n) lines.push({ label, value: formatUsd({ micros }) });
  }
  lines.push({ label: cost.isRunning ? "Total so far" : "Total", value: formatUsd({ micros: cost.totalCostMicros }), isTotal: true });
  if (cost.costPerMillionTokensUsd && input.tokensProcessed) {
    lines.push({ label: "Cost per 1M tokens", value: formatUsdRate(cost.costPerMillionTokensUsd), how: `Total ÷ ${input.tokensProcessed.toLocaleString("en-US")} tokens processed` });
  }
  if (cost.mfu !== null) lines.push({ label: "MFU", value: formatPercent(cost.mfu), how: mfuHow(input.method) });

  if (cost.isRunning) {
    const current = cost.lines.at(-1);
    if (current?.pricePerGpuHourMicros) {
      lines.push({
        label: "Accruing",
        value: `${formatUsd({ micros: current.pricePerGpuHourMicros * BigInt(input.gpuCount) })}/h`,
        how: `${formatGpuCount(input.gpuCount)} × ${formatPricePerGpuHour(current.pricePerGpuHourMicros)}, while the run has no end time`,
      });
    }
  }
  if (cost.hasUnpricedTime) {
    warnings.push(
      `${formatGpuHours(cost.unpricedGpuHours)} have no catalog price for ${input.catalogName} and are not charged — add a price in Settings or enter a price override.`,
    );
  }
  const catalogNow = input.catalogPrices.find((p) => p.effectiveFrom <= input.startedAt && (p.effectiveTo === null || p.effectiveTo > input.startedAt));
  if (input.pricePerGpuHourOverride && catalogNow) {
    const override = parseUsdMicros(input.pricePerGpuHourOverride);
    const catalog = parseUsdMicros(catalogNow.pricePerGpuHour);
    if (catalog > 0n && (override >= catalog * 4n || override * 4n <= catalog)) {
      const ratio = Number(override) / Number(catalog);
      warnings.push(
        `The override ${formatPricePerGpuHour(override)} is ${ratio >= 1 ? `${ratio.toFixed(1)}×` : `1/${(1 / ratio).toFixed(1)} of`} the catalog price ${formatPricePerGpuHour(catalog)} — prices are per GPU-hour, not per node-hour.`,
      );
    }
  }
  if (hours > 60 * 24) warnings.push(`The run lasts ${Math.round(hours / 24)} days — check the start and end dates.`);
  if (input.gpuCount >= 4096) warnings.push(`${input.gpuCount.toLocaleString("en-US")} GPUs — check the GPU count.`);
  if (cost.totalCostMicros > 1_000_000n * 1_000_000n) warnings.push("Over $1,000,000 — check GPU count, dates and price.");
  if (cost.mfu !== null && cost.mfu > 1) {
    warnings.push(`An MFU of ${(cost.mfu * 100).toFixed(0)}% is impossible — check parameter count and tokens (whole numbers, not millions or billions).`);
  }
  if (input.tokensProcessed !== null && input.tokensProcessed > 0n && cost.gpuHours >= 1) {
    const perGpuSecond = Number(input.tokensProcessed) / (cost.gpuHours * 3600);
    if (perGpuSecond < 1) {
      warnings.push(`${input.tokensProcessed.toLocaleString("en-US")} tokens is under 1 token per GPU-second — were tokens entered in millions or billions?`);
    }
  }
  if (input.endedAt && input.endedAt.getTime() - input.startedAt.getTime() < 60_000) warnings.push("The run lasts under a minute — check the end time.");
  if (input.startedAt.getTime() < input.now.getTime() - 5 * 365 * DAY_MS) warnings.push("The run started over 5 years ago — check the year.");
  return { lines, warnings };
}
