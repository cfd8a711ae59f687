/** Human labels for enum values and instants, shared by pages and exports. */
import { pad2, wallClock } from "./local-time";

export const TRAINING_METHOD_LABELS = {
  PRETRAIN: "Pretrain",
  FULL_FINE_TUNE: "Full fine-tune",
  LORA: "LoRA",
  QLORA: "QLoRA",
  OTHER: "Other",
} as const;

export const PRECISION_LABELS = { FP32: "FP32", FP16: "FP16", BF16: "BF16", FP8: "FP8" } as const;

export const RUN_STATUS_LABELS = {
  QUEUED: "Queued",
  RUNNING: "Running",
  SUCCEEDED: "Succeeded",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
} as const;

export const PRICING_MODEL_LABELS = {
  ON_DEMAND: "On-demand",
  SPOT: "Spot",
  RESERVED: "Reserved",
  ON_PREM: "On-prem",
} as const;

export const SERVING_ENGINE_LABELS = {
  VLLM: "vLLM",
  TGI: "TGI",
  TENSORRT_LLM: "TensorRT-LLM",
  SGLANG: "SGLang",
  LLAMA_CPP: "llama.cpp",
  OTHER: "Other",
} as const;

export const QUANTIZATION_LABELS = {
  NONE: "None",
  FP16_BF16: "FP16/BF16",
  FP8: "FP8",
  INT8: "INT8",
  INT4: "INT4/AWQ/GPTQ",
} as const;

export const BATCHING_LABELS = {
  NONE: "None",
  STATIC: "Static",
  DYNAMIC: "Dynamic",
  CONTINUOUS: "Continuous",
} as const;

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-03 14:05" in the given IANA zone (24-hour, sortable). */
export function formatDateTime({ instant, timeZone }: { instant: Date | null; timeZone: string }): string {
  if (!instant) return "—";
  // From the zone's wall clock (exports format one or two per line); Intl, as before, where it can't say.
  const w = wallClock(instant, timeZone);
  if (w) return `${w.year}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}`;
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    dateTimeFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * A half-open period as people read it, in the view's zone: whole local days
 * as inclusive dates ("2026-10-01 – 2026-10-31"), a partial last day with its
 * end time ("2026-10-01 – 2026-10-30 20:40").
 */
export function formatPeriod({ range, timeZone }: { range: { start: Date; end: Date }; timeZone: string }): string {
  const start = formatDateTime({ instant: range.start, timeZone });
  const end = formatDateTime({ instant: range.end, timeZone });
  const startText = start.endsWith(" 00:00") ? start.slice(0, 10) : start;
  if (end.endsWith(" 00:00")) {
    const lastDay = formatDateTime({ instant: new Date(range.end.getTime() - 1), timeZone }).slice(0, 10);
    return lastDay === startText ? lastDay : `${startText} – ${lastDay}`;
  }
  return `${startText} – ${end}`;
}
