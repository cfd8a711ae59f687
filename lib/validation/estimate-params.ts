import { z } from "zod";
import { DEFAULT_BYTES_PER_TOKEN, DEFAULT_TRAINING_MFU, type TrainingData, type TrainingMethod } from "@/lib/domain/estimator/training";
import type { Quantization } from "@/lib/domain/estimator/inference";
import { microsToDecimalString, parseUsdMicros } from "@/lib/domain/money";
import { QUANTIZATION_LABELS, TRAINING_METHOD_LABELS } from "@/lib/domain/labels";

/**
 * The cost estimator's inputs in the URL (/estimate?tab=…&params=…), so an
 * estimate can be linked and a run or deployment can open it with its own
 * figures. Every parameter is text as typed; each has a zod schema whose
 * message names the field. A bad value never breaks the page: a choice
 * (method, GPU type, …) the page can't show falls back to its default with a
 * notice, and a bad number stays in its field with the message beside it.
 * Pure: the page parses on the server, the form validates as people type.
 */

export const ESTIMATE_TABS = ["training", "inference"] as const;
export type EstimateTab = (typeof ESTIMATE_TABS)[number];

export const TRAINING_KEYS = ["params", "data", "tokens", "bytes", "bpt", "method", "gpu", "gpus", "mfu", "price"] as const;
export const INFERENCE_KEYS = ["iparams", "quant", "igpu", "rps", "in", "out", "latency", "iprice"] as const;
export type TrainingKey = (typeof TRAINING_KEYS)[number];
export type InferenceKey = (typeof INFERENCE_KEYS)[number];
export type TrainingFields = Record<TrainingKey, string>;
export type InferenceFields = Record<InferenceKey, string>;

export const DATA_UNITS = ["tokens", "bytes"] as const;
export type DataUnit = (typeof DATA_UNITS)[number];

export const ESTIMATE_FIELD_LABELS: Record<TrainingKey | InferenceKey, string> = {
  params: "Parameters",
  data: "Training data as",
  tokens: "Training tokens",
  bytes: "Training data size",
  bpt: "Bytes per token",
  method: "Method",
  gpu: "GPU type",
  gpus: "GPU count",
  mfu: "MFU",
  price: "Price per GPU-hour",
  iparams: "Model size",
  quant: "Quantization",
  igpu: "GPU type",
  rps: "Requests per second",
  in: "Input tokens per request",
  out: "Output tokens per request",
  latency: "Latency target",
  iprice: "Price per GPU-hour",
};

const TRAINING_METHODS = Object.keys(TRAINING_METHOD_LABELS) as TrainingMethod[];
const QUANTIZATIONS = Object.keys(QUANTIZATION_LABELS) as Quantization[];

/** The form as it opens without parameters: a Llama-2-7B-sized pre-training run and an 8B chat model's traffic. */
export function defaultTrainingFields(gpu: string): TrainingFields {
  return { params: "7B", data: "tokens", tokens: "2T", bytes: "", bpt: String(DEFAULT_BYTES_PER_TOKEN), method: "PRETRAIN", gpu, gpus: "8", mfu: String(DEFAULT_TRAINING_MFU * 100), price: "" };
}

export function defaultInferenceFields(gpu: string): InferenceFields {
  return { iparams: "8B", quant: "FP16_BF16", igpu: gpu, rps: "5", in: "1000", out: "250", latency: "", iprice: "" };
}

// ---------------------------------------------------------------- numbers

const COUNT_SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12 };
const BYTE_SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)(?:e\+?(\d{1,2}))?`;
const COUNT = new RegExp(`^${NUMBER}\\s*([kmbgt])?$`, "i");
const BYTES = new RegExp(`^${NUMBER}\\s*(?:([kmgtp])b?|b)?$`, "i");
const PLAIN = new RegExp(`^${NUMBER}$`, "i");

/** "7e9", "7B", "1.8T", "6,738,415,616" → a number; null when it is not one. K, M, B (or G), T are 10^3…10^12. */
export function parseCount(text: string): number | null {
  const m = COUNT.exec(text.replace(/[,_\s](?=\d)/g, "").trim());
  if (!m) return null;
  const value = Number(m[1]) * 10 ** Number(m[2] ?? 0) * (m[3] ? COUNT_SUFFIX[m[3].toLowerCase()]! : 1);
  return Number.isFinite(value) ? value : null;
}

/** "8 TB", "500GB", "4e12" (bytes) → bytes, decimal units (1 TB = 10^12 bytes); null when it is not a size. */
export function parseBytes(text: string): number | null {
  const m = BYTES.exec(text.replace(/[,_](?=\d)/g, "").trim());
  if (!m) return null;
  const value = Number(m[1]) * 10 ** Number(m[2] ?? 0) * (m[3] ? BYTE_SUFFIX[m[3].toLowerCase()]! : 1);
  return Number.isFinite(value) ? value : null;
}

function parsePlain(text: string): number | null {
  const m = PLAIN.exec(text.replace(/,(?=\d{3})/g, "").trim());
  return m ? Number(m[1]) * 10 ** Number(m[2] ?? 0) : null;
}

// ---------------------------------------------------------------- field schemas

type Parsed<T> = { value: T } | { error: string };

/** A text field whose message names it: "Parameters: enter a positive number such as 7e9 or 7B". */
function field<T>(key: TrainingKey | InferenceKey, parse: (text: string) => Parsed<T>) {
  const label = ESTIMATE_FIELD_LABELS[key];
  return z
    .string()
    .max(64, `${label}: at most 64 characters`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${label}: control characters are not allowed`)
    .transform((text, ctx) => {
      const result = parse(text.trim());
      if ("error" in result) {
        ctx.addIssue({ code: "custom", message: `${label}: ${result.error}` });
        return z.NEVER;
      }
      return result.value;
    });
}

const required = <T>(parse: (text: string) => Parsed<T>) => (text: string): Parsed<T> => (text === "" ? { error: "required" } : parse(text));

const count = (example: string, max: number, maxText: string) =>
  required((text): Parsed<number> => {
    const n = parseCount(text);
    if (n === null || n <= 0) return { error: `enter a positive number such as ${example}` };
    if (n > max) return { error: `at most ${maxText}` };
    return { value: n };
  });

const decimal = ({ min, max, example, isMinExclusive = true, unit = "" }: { min: number; max: number; example: string; isMinExclusive?: boolean; unit?: string }) =>
  required((text): Parsed<number> => {
    const n = parsePlain(text);
    if (n === null) return { error: `enter a number such as ${example}` };
    if (isMinExclusive ? n <= min : n < min) return { error: isMinExclusive ? `must be more than ${min}${unit}` : `must be at least ${min}${unit}` };
    if (n > max) return { error: `at most ${max.toLocaleString("en-US")}${unit}` };
    return { value: n };
  });

const integer = ({ min, max, example }: { min: number; max: number; example: string }) =>
  required((text): Parsed<number> => {
    const plain = text.replace(/,(?=\d{3})/g, "");
    if (!/^\d{1,9}$/.test(plain)) return { error: `enter a whole number such as ${example}` };
    const n = Number(plain);
    if (n < min) return { error: `at least ${min}` };
    if (n > max) return { error: `at most ${max.toLocaleString("en-US")}` };
    return { value: n };
  });

/** A price in dollars per GPU-hour, up to 6 decimals (micro-dollars, as the catalog stores it); empty = the catalog price. */
const price = (text: string): Parsed<bigint | null> => {
  if (text === "") return { value: null };
  const plain = text.replace(/^\$/, "").trim();
  if (!/^\d{1,5}(\.\d{1,6})?$/.test(plain)) return { error: "enter dollars per GPU-hour such as 2.50 (up to 6 decimals), or leave empty for the catalog price" };
  return { value: parseUsdMicros(plain) };
};

const choice = <T extends string>(options: readonly T[], names: string) => (text: string): Parsed<T> =>
  (options as readonly string[]).includes(text) ? { value: text as T } : { error: `choose one of ${names}` };

export const trainingFieldSchemas = {
  params: field("params", count("7e9 or 7B", 1e14, "100T parameters")),
  data: field("data", choice(DATA_UNITS, "tokens, bytes")),
  tokens: field("tokens", count("2e12 or 2T", 1e17, "1e17 tokens")),
  bytes: field(
    "bytes",
    required((text) => {
      const n = parseBytes(text);
      if (n === null || n <= 0) return { error: "enter a size such as 8 TB, 500 GB or 8e12 (bytes)" };
      if (n > 1e18) return { error: "at most 1,000 PB" };
      return { value: n };
    }),
  ),
  bpt: field("bpt", decimal({ min: 0, max: 100, example: "4" })),
  method: field("method", choice(TRAINING_METHODS, Object.values(TRAINING_METHOD_LABELS).join(", "))),
  gpus: field("gpus", integer({ min: 1, max: 1_000_000, example: "8" })),
  mfu: field("mfu", decimal({ min: 0, max: 100, example: "38", unit: "%" })),
  price: field("price", price),
};

export const inferenceFieldSchemas = {
  iparams: field("iparams", count("8e9 or 8B", 1e14, "100T parameters")),
  quant: field("quant", choice(QUANTIZATIONS, Object.values(QUANTIZATION_LABELS).join(", "))),
  rps: field("rps", decimal({ min: 0, max: 1_000_000, example: "5 or 0.25", isMinExclusive: false })),
  in: field("in", integer({ min: 0, max: 10_000_000, example: "1000" })),
  out: field("out", integer({ min: 1, max: 10_000_000, example: "250" })),
  latency: field("latency", (text): Parsed<number | null> => (text === "" ? { value: null } : decimal({ min: 0, max: 3_600_000, example: "2000", unit: " ms" })(text))),
  iprice: field("iprice", price),
};

const gpuField = (key: "gpu" | "igpu", gpuNames: readonly string[]) =>
  field(key, required((text) => (gpuNames.includes(text) ? { value: text } : { error: `“${text}” is not a GPU type in this org's catalog` })));

// ---------------------------------------------------------------- validation

export interface TrainingValues {
  activeParameters: number;
  data: TrainingData;
  method: TrainingMethod;
  gpuName: string;
  gpuCount: number;
  /** A fraction; undefined when it is the default (the estimate says so). */
  mfu: number | undefined;
  /** Null: the catalog price. */
  pricePerGpuHourMicros: bigint | null;
}

export interface InferenceValues {
  parameters: number;
  quantization: Quantization;
  gpuName: string;
  requestsPerSecond: number;
  inputTokensPerRequest: number;
  outputTokensPerRequest: number;
  latencyTargetMs: number | null;
  pricePerGpuHourMicros: bigint | null;
}

export type Validated<V, K extends string> = { ok: true; value: V } | { ok: false; errors: Partial<Record<K, string>> };

function validate<K extends string>(schemas: Record<K, z.ZodType>, fields: Record<K, string>, keys: readonly K[]) {
  const values = {} as Record<K, unknown>;
  const errors: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const result = schemas[key].safeParse(fields[key]);
    if (result.success) values[key] = result.data;
    else errors[key] = result.error.issues[0]?.message ?? `${ESTIMATE_FIELD_LABELS[key as TrainingKey]}: invalid`;
  }
  return { values, errors };
}

export function validateTraining(fields: TrainingFields, gpuNames: readonly string[]): Validated<TrainingValues, TrainingKey> {
  const dataKeys = fields.data === "bytes" ? (["bytes", "bpt"] as const) : (["tokens"] as const);
  const keys: TrainingKey[] = ["params", "data", ...dataKeys, "method", "gpu", "gpus", "mfu", "price"];
  const { values, errors } = validate<TrainingKey>({ ...trainingFieldSchemas, gpu: gpuField("gpu", gpuNames) }, fields, keys);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const bytesPerToken = values.bpt as number | undefined;
  const mfuPercent = values.mfu as number;
  return {
    ok: true,
    value: {
      activeParameters: values.params as number,
      data:
        values.data === "bytes"
          ? { bytes: values.bytes as number, ...(bytesPerToken === DEFAULT_BYTES_PER_TOKEN ? {} : { bytesPerToken }) }
          : { tokens: values.tokens as number },
      method: values.method as TrainingMethod,
      gpuName: values.gpu as string,
      gpuCount: values.gpus as number,
      mfu: mfuPercent === DEFAULT_TRAINING_MFU * 100 ? undefined : mfuPercent / 100,
      pricePerGpuHourMicros: values.price as bigint | null,
    },
  };
}

export function validateInference(fields: InferenceFields, gpuNames: readonly string[]): Validated<InferenceValues, InferenceKey> {
  const { values, errors } = validate<InferenceKey>({ ...inferenceFieldSchemas, igpu: gpuField("igpu", gpuNames) }, fields, INFERENCE_KEYS);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      parameters: values.iparams as number,
      quantization: values.quant as Quantization,
      gpuName: values.igpu as string,
      requestsPerSecond: values.rps as number,
      inputTokensPerRequest: values.in as number,
      outputTokensPerRequest: values.out as number,
      latencyTargetMs: values.latency as number | null,
      pricePerGpuHourMicros: values.iprice as bigint | null,
    },
  };
}

// ---------------------------------------------------------------- the URL

type Query = Record<string, string | string[] | undefined>;

export interface EstimateParams {
  tab: EstimateTab;
  training: TrainingFields;
  inference: InferenceFields;
  /** Parameters that could not be used as given, each naming its field. */
  notices: string[];
}

/**
 * The form's fields from the URL. A parameter not given takes its default; one
 * given (even empty) is used as typed, so a record without a parameter count
 * opens with that field empty and marked. A choice the page can't show (an
 * unknown method, quantization or GPU type, a repeated or overlong
 * parameter) falls back to the default with a notice naming the field.
 */
export function readEstimateParams(query: Query, gpuNames: readonly string[]): EstimateParams {
  const notices: string[] = [];
  const defaultGpu = gpuNames[0] ?? "";
  const raw = (key: string, label: string): string | undefined => {
    const value = query[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) {
      notices.push(`${label}: given more than once; the first value is used.`);
      return raw1(value[0], label);
    }
    return raw1(value, label);
  };
  const raw1 = (value: string | undefined, label: string) => {
    if (value === undefined) return undefined;
    if (value.length > 64 || /[\u0000-\u001f\u007f]/.test(value)) {
      notices.push(`${label}: not a usable value (over 64 characters or control characters); the default is used.`);
      return undefined;
    }
    return value.trim();
  };
  const pick = <T extends string>(key: string, label: string, options: readonly T[], fallback: T, describe: (v: T) => string = (v) => v): T => {
    const value = raw(key, label);
    if (value === undefined) return fallback;
    const parsed = options.length > 0 ? z.enum(options as readonly [T, ...T[]]).safeParse(value) : null;
    if (parsed?.success) return parsed.data;
    notices.push(`${label}: “${value}” is not one of ${options.map(describe).join(", ") || "the choices"}; showing ${describe(fallback) || "none"}.`);
    return fallback;
  };

  const tab = pick("tab", "Tab", ESTIMATE_TABS, "training");
  const t = defaultTrainingFields(defaultGpu);
  const i = defaultInferenceFields(defaultGpu);
  const training: TrainingFields = { ...t };
  const inference: InferenceFields = { ...i };
  training.data = pick("data", ESTIMATE_FIELD_LABELS.data, DATA_UNITS, "tokens");
  training.method = pick("method", ESTIMATE_FIELD_LABELS.method, TRAINING_METHODS, "PRETRAIN", (m) => TRAINING_METHOD_LABELS[m]);
  training.gpu = pick("gpu", "Training GPU type", gpuNames, defaultGpu);
  inference.quant = pick("quant", ESTIMATE_FIELD_LABELS.quant, QUANTIZATIONS, "FP16_BF16", (q) => QUANTIZATION_LABELS[q]);
  inference.igpu = pick("igpu", "Inference GPU type", gpuNames, defaultGpu);
  for (const key of ["params", "tokens", "bytes", "bpt", "gpus", "mfu", "price"] as const) training[key] = raw(key, ESTIMATE_FIELD_LABELS[key]) ?? t[key];
  for (const key of ["iparams", "rps", "in", "out", "latency", "iprice"] as const) inference[key] = raw(key, ESTIMATE_FIELD_LABELS[key]) ?? i[key];
  return { tab, training, inference, notices };
}

/** The query string of a form state: the tab and every field that differs from its default ("" when all are defaults). */
export function estimateSearch({ tab, training, inference }: Omit<EstimateParams, "notices">, defaultGpu: string): string {
  const params = new URLSearchParams();
  if (tab !== "training") params.set("tab", tab);
  const t = defaultTrainingFields(defaultGpu);
  const i = defaultInferenceFields(defaultGpu);
  for (const key of TRAINING_KEYS) if (training[key] !== t[key]) params.set(key, training[key]);
  for (const key of INFERENCE_KEYS) if (inference[key] !== i[key]) params.set(key, inference[key]);
  const text = params.toString();
  return text ? `?${text}` : "";
}

// ---------------------------------------------------------------- opening from a record

/** "2.5" from 2,500,000 µ$: the price as the price field takes it. */
export function priceParam(micros: bigint): string {
  return microsToDecimalString(micros).replace(/\.?0+$/, "");
}

/**
 * /estimate with a training run's figures: parameters, tokens processed,
 * method, GPU type and count, and the price it ran at (its current price
 * period). A figure the run does not record is sent empty, so the field is
 * marked for the person to fill in rather than silently defaulted.
 */
export function trainingRunEstimateHref(run: {
  parameterCount: bigint | null;
  tokensProcessed: bigint | null;
  method: TrainingMethod;
  gpuTypeName: string;
  gpuCount: number;
  pricePerGpuHourMicros: bigint | null;
}): string {
  const params = new URLSearchParams({
    params: run.parameterCount === null ? "" : run.parameterCount.toString(),
    tokens: run.tokensProcessed === null ? "" : run.tokensProcessed.toString(),
    method: run.method,
    gpu: run.gpuTypeName,
    gpus: String(run.gpuCount),
  });
  if (run.pricePerGpuHourMicros !== null) params.set("price", priceParam(run.pricePerGpuHourMicros));
  return `/estimate?${params.toString()}`;
}

/** Three significant digits, plain: 0.0123, 4.56, 1230. */
function significant(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * /estimate?tab=inference with a deployment's figures: model size,
 * quantization, GPU type, its price, the traffic observed (requests per
 * second and tokens per request over recorded time) and its p99 SLO as the
 * latency target. Traffic the deployment has no records for is left at the
 * estimator's defaults (no data is not zero traffic); a missing model size is
 * sent empty so the field asks for it.
 */
export function deploymentEstimateHref(deployment: {
  parameterCount: bigint | null;
  quantization: Quantization;
  gpuTypeName: string;
  pricePerGpuHourMicros: bigint | null;
  /** Requests per second of recorded time; null without records. */
  qps: number | null;
  requests: bigint | number;
  inputTokens: bigint | number;
  outputTokens: bigint | number;
  p99SloMs: number | null;
}): string {
  const params = new URLSearchParams({
    tab: "inference",
    iparams: deployment.parameterCount === null ? "" : deployment.parameterCount.toString(),
    quant: deployment.quantization,
    igpu: deployment.gpuTypeName,
  });
  if (deployment.pricePerGpuHourMicros !== null) params.set("iprice", priceParam(deployment.pricePerGpuHourMicros));
  const requests = Number(deployment.requests);
  if (deployment.qps !== null) params.set("rps", significant(deployment.qps));
  if (requests > 0) {
    params.set("in", String(Math.round(Number(deployment.inputTokens) / requests)));
    params.set("out", String(Math.max(1, Math.round(Number(deployment.outputTokens) / requests))));
  }
  if (deployment.p99SloMs !== null) params.set("latency", String(deployment.p99SloMs));
  return `/estimate?${params.toString()}`;
}
