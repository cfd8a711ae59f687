import { describe, expect, it } from "vitest";
import {
  defaultInferenceFields,
  defaultTrainingFields,
  deploymentEstimateHref,
  estimateSearch,
  parseBytes,
  parseCount,
  readEstimateParams,
  trainingRunEstimateHref,
  validateInference,
  validateTraining,
} from "./estimate-params";

const GPUS = ["A100 80GB", "H100 80GB", "L40S 48GB"];
const query = (href: string) => Object.fromEntries(new URL(href, "http://x").searchParams);

describe("parseCount and parseBytes", () => {
  it("read counts with exponents, thousands separators and K/M/B/T suffixes", () => {
    expect(parseCount("7e9")).toBe(7e9);
    expect(parseCount("7B")).toBe(7e9);
    expect(parseCount("1.8t")).toBe(1.8e12);
    expect(parseCount("6,738,415,616")).toBe(6_738_415_616);
    expect(parseCount("405 B")).toBe(405e9);
    expect(parseCount("seven")).toBeNull();
    expect(parseCount("-7")).toBeNull();
    expect(parseCount("7X")).toBeNull();
  });

  it("read sizes in decimal units", () => {
    expect(parseBytes("8 TB")).toBe(8e12);
    expect(parseBytes("500GB")).toBe(500e9);
    expect(parseBytes("8e12")).toBe(8e12);
    expect(parseBytes("2P")).toBe(2e15);
    expect(parseBytes("12 B")).toBe(12);
    expect(parseBytes("8 TiB")).toBeNull();
  });
});

describe("validateTraining", () => {
  it("turns the defaults into the estimator's input, leaving default MFU and bytes per token unset so the estimate says 'default'", () => {
    const result = validateTraining(defaultTrainingFields("A100 80GB"), GPUS);
    expect(result).toEqual({
      ok: true,
      value: { activeParameters: 7e9, data: { tokens: 2e12 }, method: "PRETRAIN", gpuName: "A100 80GB", gpuCount: 8, mfu: undefined, pricePerGpuHourMicros: null },
    });
    const bytes = validateTraining({ ...defaultTrainingFields("A100 80GB"), data: "bytes", bytes: "8 TB", bpt: "3.5", mfu: "45", price: "$2.25" }, GPUS);
    expect(bytes.ok && bytes.value).toMatchObject({ data: { bytes: 8e12, bytesPerToken: 3.5 }, mfu: 0.45, pricePerGpuHourMicros: 2_250_000n });
  });

  it("names the field in every message, and only checks the data field in use", () => {
    const result = validateTraining({ ...defaultTrainingFields("A100 80GB"), params: "lots", tokens: "", bytes: "nonsense", gpus: "0", mfu: "120", price: "2.1234567", gpu: "TPU v5" }, GPUS);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      params: "Parameters: enter a positive number such as 7e9 or 7B",
      tokens: "Training tokens: required",
      gpu: "GPU type: “TPU v5” is not a GPU type in this org's catalog",
      gpus: "GPU count: at least 1",
      mfu: "MFU: at most 100%",
      price: "Price per GPU-hour: enter dollars per GPU-hour such as 2.50 (up to 6 decimals), or leave empty for the catalog price",
    });
  });
});

describe("validateInference", () => {
  it("accepts the defaults and zero traffic, and names bad fields", () => {
    expect(validateInference({ ...defaultInferenceFields("L40S 48GB"), rps: "0", latency: "1500" }, GPUS)).toEqual({
      ok: true,
      value: { parameters: 8e9, quantization: "FP16_BF16", gpuName: "L40S 48GB", requestsPerSecond: 0, inputTokensPerRequest: 1000, outputTokensPerRequest: 250, latencyTargetMs: 1500, pricePerGpuHourMicros: null },
    });
    const bad = validateInference({ ...defaultInferenceFields("L40S 48GB"), out: "0", in: "1.5", latency: "-3" }, GPUS);
    expect(bad.ok ? null : bad.errors).toEqual({
      out: "Output tokens per request: at least 1",
      in: "Input tokens per request: enter a whole number such as 1000",
      latency: "Latency target: enter a number such as 2000",
    });
  });
});

describe("readEstimateParams", () => {
  it("uses defaults for absent parameters, keeps typed text (bad or empty) for the form to mark, and falls back with a notice for choices it can't show", () => {
    const read = readEstimateParams({ tab: "inference", params: "", tokens: "abc", method: "DPO", gpu: "TPU", quant: "INT8", igpu: "H100 80GB", rps: ["2", "3"] }, GPUS);
    expect(read.tab).toBe("inference");
    expect(read.training).toMatchObject({ params: "", tokens: "abc", method: "PRETRAIN", gpu: "A100 80GB", gpus: "8" });
    expect(read.inference).toMatchObject({ quant: "INT8", igpu: "H100 80GB", rps: "2" });
    expect(read.notices).toEqual([
      "Method: “DPO” is not one of Pretrain, Full fine-tune, LoRA, QLoRA, Other; showing Pretrain.",
      "Training GPU type: “TPU” is not one of A100 80GB, H100 80GB, L40S 48GB; showing A100 80GB.",
      "Requests per second: given more than once; the first value is used.",
    ]);
    expect(readEstimateParams({ tab: "costs", mfu: "x".repeat(65) }, GPUS).notices).toEqual([
      "Tab: “costs” is not one of training, inference; showing training.",
      "MFU: not a usable value (over 64 characters or control characters); the default is used.",
    ]);
  });

  it("round-trips through estimateSearch, which writes only what differs from the defaults", () => {
    const state = readEstimateParams({}, GPUS);
    expect(estimateSearch(state, "A100 80GB")).toBe("");
    const changed = { ...state, tab: "inference" as const, training: { ...state.training, gpu: "H100 80GB", price: "3" }, inference: { ...state.inference, quant: "INT4" } };
    const search = estimateSearch(changed, "A100 80GB");
    expect(search).toBe("?tab=inference&gpu=H100+80GB&price=3&quant=INT4");
    const back = readEstimateParams(query(search), GPUS);
    expect(back).toEqual({ ...changed, notices: [] });
  });
});

describe("opening the estimator from a record", () => {
  it("fills in a run's parameters, tokens, method, GPU type, count and price, and marks figures it does not record", () => {
    const href = trainingRunEstimateHref({ parameterCount: 6_738_415_616n, tokensProcessed: 2_000_000_000_000n, method: "LORA", gpuTypeName: "A100 80GB", gpuCount: 8, pricePerGpuHourMicros: 1_290_000n });
    expect(href).toBe("/estimate?params=6738415616&tokens=2000000000000&method=LORA&gpu=A100+80GB&gpus=8&price=1.29");
    const read = readEstimateParams(query(href), GPUS);
    expect(validateTraining(read.training, GPUS)).toMatchObject({ ok: true, value: { activeParameters: 6_738_415_616, data: { tokens: 2e12 }, method: "LORA", gpuCount: 8, pricePerGpuHourMicros: 1_290_000n } });
    const unknown = readEstimateParams(query(trainingRunEstimateHref({ parameterCount: null, tokensProcessed: null, method: "PRETRAIN", gpuTypeName: "H100 80GB", gpuCount: 1, pricePerGpuHourMicros: null })), GPUS);
    expect(unknown.training).toMatchObject({ params: "", tokens: "", price: "" });
    expect(validateTraining(unknown.training, GPUS)).toMatchObject({ ok: false, errors: { params: "Parameters: required", tokens: "Training tokens: required" } });
  });

  it("fills in a deployment's model, quantization, GPU, observed traffic per request and p99 SLO; traffic without records stays at the defaults", () => {
    const href = deploymentEstimateHref({
      parameterCount: 70_000_000_000n,
      quantization: "FP8",
      gpuTypeName: "H100 80GB",
      pricePerGpuHourMicros: 4_000_000n,
      qps: 3.14159,
      requests: 1000n,
      inputTokens: 1_234_567n,
      outputTokens: 321_000n,
      p99SloMs: 2500,
    });
    expect(href).toBe("/estimate?tab=inference&iparams=70000000000&quant=FP8&igpu=H100+80GB&iprice=4&rps=3.14&in=1235&out=321&latency=2500");
    expect(validateInference(readEstimateParams(query(href), GPUS).inference, GPUS)).toMatchObject({
      ok: true,
      value: { parameters: 7e10, quantization: "FP8", requestsPerSecond: 3.14, inputTokensPerRequest: 1235, outputTokensPerRequest: 321, latencyTargetMs: 2500, pricePerGpuHourMicros: 4_000_000n },
    });
    const noRecords = deploymentEstimateHref({ parameterCount: null, quantization: "NONE", gpuTypeName: "L40S 48GB", pricePerGpuHourMicros: null, qps: null, requests: 0, inputTokens: 0, outputTokens: 0, p99SloMs: null });
    expect(noRecords).toBe("/estimate?tab=inference&iparams=&quant=NONE&igpu=L40S+48GB");
  });
});
