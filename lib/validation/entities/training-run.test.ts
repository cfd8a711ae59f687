import { describe, expect, it } from "vitest";
import { CLOCK_SKEW_MS } from "./fields";
import { trainingRunSchema } from "./training-run";
import { accept, addMs, chars, itChecksCases, reject } from "./test-cases";

const now = new Date("2026-06-01T12:00:00Z");
const schema = trainingRunSchema({ now });
const start = new Date("2026-05-01T00:00:00Z");

// What a form posts for a finished run: every value a string, unchecked boxes absent.
const base = {
  teamId: "3",
  name: "llama-3-8b-sft",
  model: "meta-llama/Llama-3.1-8B",
  parameterCount: "8030000000",
  method: "FULL_FINE_TUNE",
  precision: "BF16",
  zeroStage: "",
  gradientAccumulationSteps: "8",
  gpuTypeId: "1",
  provider: "aws",
  pricingModel: "ON_DEMAND",
  gpuCount: "64",
  startedAt: "2026-05-01T00:00:00Z",
  endedAt: "2026-05-03T06:30:00Z",
  status: "SUCCEEDED",
  tokensProcessed: "",
  throughputTokensPerSec: "",
  avgGpuUtilizationPct: "",
  pricePerGpuHourOverride: "",
  storageCostUsd: "",
  dataCostUsd: "120.50",
  networkCostUsd: "",
  notes: "",
};

describe("trainingRunSchema", () => {
  it("parses a form's strings into the stored shape", () => {
    expect(schema.parse(base)).toEqual({
      teamId: 3,
      name: "llama-3-8b-sft",
      model: "meta-llama/Llama-3.1-8B",
      parameterCount: 8_030_000_000n,
      method: "FULL_FINE_TUNE",
      precision: "BF16",
      gradientCheckpointing: false,
      flashAttention: false,
      zeroStage: null,
      gradientAccumulationSteps: 8,
      gpuTypeId: 1,
      provider: "aws",
      pricingModel: "ON_DEMAND",
      gpuCount: 64,
      startedAt: start,
      endedAt: new Date("2026-05-03T06:30:00Z"),
      status: "SUCCEEDED",
      tokensProcessed: null,
      throughputTokensPerSec: null,
      avgGpuUtilizationPct: null,
      pricePerGpuHourOverride: null,
      storageCostUsd: "0",
      dataCostUsd: "120.5",
      networkCostUsd: "0",
      notes: null,
    });
  });

  it("parses an API's typed values to the same result", () => {
    const typed = {
      teamId: 3,
      name: "llama-3-8b-sft",
      model: "meta-llama/Llama-3.1-8B",
      parameterCount: 8_030_000_000,
      method: "FULL_FINE_TUNE",
      precision: "BF16",
      gradientCheckpointing: false,
      flashAttention: false,
      zeroStage: null,
      gradientAccumulationSteps: 8,
      gpuTypeId: 1,
      provider: "aws",
      pricingModel: "ON_DEMAND",
      gpuCount: 64,
      startedAt: start,
      endedAt: new Date("2026-05-03T06:30:00Z"),
      status: "SUCCEEDED",
      dataCostUsd: "120.50",
    };
    expect(schema.parse(typed)).toEqual(schema.parse(base));
  });

  describe("identity and model", () => {
    itChecksCases(schema, base, [
      ["team missing asks for a choice", { teamId: "" }, reject("teamId", "Choose a team")],
      ["name of 200 characters accepted", { name: chars(200) }, accept()],
      ["name of 201 characters rejected", { name: chars(201) }, reject("name", "Name must be at most 200 characters")],
      ["name missing rejected", { name: undefined }, reject("name", "Name is required")],
      ["model of 200 characters accepted", { model: chars(200) }, accept()],
      ["model of 201 characters rejected", { model: chars(201) }, reject("model", "Model must be at most 200 characters")],
      ["model missing rejected", { model: "  " }, reject("model", "Model is required")],
      ["parameter count empty: not given", { parameterCount: "" }, accept({ parameterCount: null })],
      ["parameter count absent: not given", { parameterCount: undefined }, accept({ parameterCount: null })],
      ["parameter count 0 rejected", { parameterCount: "0" }, reject("parameterCount", "Parameter count must be at least 1")],
      ["parameter count 1 accepted", { parameterCount: "1" }, accept({ parameterCount: 1n })],
      ["parameter count 1e13 accepted", { parameterCount: "10000000000000" }, accept({ parameterCount: 10n ** 13n })],
      ["parameter count 1e13 + 1 rejected", { parameterCount: "10000000000001" }, reject("parameterCount", "Parameter count must be at most 10,000,000,000,000")],
      ["parameter count as a number accepted", { parameterCount: 7e9 }, accept({ parameterCount: 7_000_000_000n })],
      ["parameter count as a bigint accepted", { parameterCount: 70n }, accept({ parameterCount: 70n })],
      ["parameter count in exponent notation rejected", { parameterCount: "7e9" }, reject("parameterCount", /written in digits/)],
      ["fractional parameter count rejected", { parameterCount: "7.5" }, reject("parameterCount", "Parameter count must be a whole number")],
    ]);
  });

  describe("method and precision", () => {
    itChecksCases(schema, base, [
      ["method value accepted", { method: "LORA" }, accept({ method: "LORA" })],
      ["method label accepted", { method: "QLoRA" }, accept({ method: "QLORA" })],
      ["method words accepted", { method: "full fine-tune" }, accept({ method: "FULL_FINE_TUNE" })],
      ["unknown method rejected", { method: "DPO" }, reject("method", "Training method must be one of Pretrain, Full fine-tune, LoRA, QLoRA or Other")],
      ["precision in lower case accepted", { precision: "fp8" }, accept({ precision: "FP8" })],
      ["unknown precision rejected", { precision: "INT8" }, reject("precision")],
    ]);
  });

  describe("training setup", () => {
    itChecksCases(schema, base, [
      ["checked box accepted", { gradientCheckpointing: "on" }, accept({ gradientCheckpointing: true })],
      ["unchecked box (absent) is false", { gradientCheckpointing: undefined }, accept({ gradientCheckpointing: false })],
      ["'true' accepted", { flashAttention: "true" }, accept({ flashAttention: true })],
      ["'false' accepted", { flashAttention: "false" }, accept({ flashAttention: false })],
      ["boolean accepted", { flashAttention: true }, accept({ flashAttention: true })],
      ["other words rejected", { flashAttention: "maybe" }, reject("flashAttention", "Flash attention must be yes or no")],
      ["ZeRO stage empty: not used", { zeroStage: "" }, accept({ zeroStage: null })],
      ["ZeRO stage -1 rejected", { zeroStage: "-1" }, reject("zeroStage", "ZeRO stage cannot be negative")],
      ["ZeRO stage 0 accepted (not 'empty')", { zeroStage: "0" }, accept({ zeroStage: 0 })],
      ["ZeRO stage 3 accepted", { zeroStage: 3 }, accept({ zeroStage: 3 })],
      ["ZeRO stage 4 rejected", { zeroStage: "4" }, reject("zeroStage", "ZeRO stage must be at most 3")],
      ["accumulation steps empty: the default 1", { gradientAccumulationSteps: "" }, accept({ gradientAccumulationSteps: 1 })],
      ["accumulation steps 0 rejected", { gradientAccumulationSteps: "0" }, reject("gradientAccumulationSteps", "Gradient accumulation steps must be at least 1")],
      ["accumulation steps 1 accepted", { gradientAccumulationSteps: "1" }, accept({ gradientAccumulationSteps: 1 })],
      ["accumulation steps 4096 accepted", { gradientAccumulationSteps: "4096" }, accept({ gradientAccumulationSteps: 4096 })],
      ["accumulation steps 4097 rejected", { gradientAccumulationSteps: "4097" }, reject("gradientAccumulationSteps", "Gradient accumulation steps must be at most 4,096")],
    ]);
  });

  describe("hardware and price", () => {
    itChecksCases(schema, base, [
      ["GPU type missing asks for a choice", { gpuTypeId: "" }, reject("gpuTypeId", "Choose a GPU type")],
      ["GPU count 0 rejected", { gpuCount: "0" }, reject("gpuCount", "GPU count must be at least 1")],
      ["GPU count 1 accepted", { gpuCount: "1" }, accept({ gpuCount: 1 })],
      ["GPU count 100000 accepted", { gpuCount: "100000" }, accept({ gpuCount: 100_000 })],
      ["GPU count 100001 rejected", { gpuCount: "100001" }, reject("gpuCount", "GPU count must be at most 100,000")],
      ["GPU count empty rejected as missing, not 0", { gpuCount: "" }, reject("gpuCount", "GPU count is required")],
      ["GPU count fractional rejected", { gpuCount: 1.5 }, reject("gpuCount", "GPU count must be a whole number")],
      ["provider lowercased", { provider: "CoreWeave" }, accept({ provider: "coreweave" })],
      ["pricing model label accepted", { pricingModel: "Spot" }, accept({ pricingModel: "SPOT" })],
      ["override 0 rejected", { pricePerGpuHourOverride: "0" }, reject("pricePerGpuHourOverride", "Price override must be greater than 0")],
      ["override one micro-dollar accepted", { pricePerGpuHourOverride: "0.000001" }, accept({ pricePerGpuHourOverride: "0.000001" })],
      ["override 10000 accepted", { pricePerGpuHourOverride: "10000" }, accept()],
      ["override 10000.000001 rejected", { pricePerGpuHourOverride: "10000.000001" }, reject("pricePerGpuHourOverride", "Price override must be at most $10,000")],
      ["override with 7 decimals rejected", { pricePerGpuHourOverride: "2.1234567" }, reject("pricePerGpuHourOverride")],
    ]);
  });

  describe("time and status", () => {
    const latest = addMs(now, CLOCK_SKEW_MS);
    itChecksCases(schema, base, [
      ["end = start rejected", { endedAt: start }, reject("endedAt", "End must be after start")],
      ["end = start + 1 ms accepted", { endedAt: addMs(start, 1) }, accept({ endedAt: addMs(start, 1) })],
      ["end before start rejected", { endedAt: "2026-04-30T00:00:00Z" }, reject("endedAt", "End must be after start")],
      ["start at now + clock skew accepted", { startedAt: latest, endedAt: "", status: "RUNNING" }, accept({ startedAt: latest })],
      ["start 1 ms beyond the clock skew rejected", { startedAt: addMs(latest, 1), endedAt: "", status: "RUNNING" }, reject("startedAt", "Start can't be in the future")],
      ["end at now + clock skew accepted", { endedAt: latest }, accept({ endedAt: latest })],
      ["end 1 ms beyond the clock skew rejected", { endedAt: addMs(latest, 1) }, reject("endedAt", /End can't be in the future/)],
      ["start without a zone rejected", { startedAt: "2026-05-01T09:00" }, reject("startedAt", /needs a time zone/)],
      ["start missing rejected", { startedAt: "" }, reject("startedAt", "Start is required")],
      ["running without an end accepted", { status: "RUNNING", endedAt: "" }, accept({ status: "RUNNING", endedAt: null })],
      ["running with an end rejected on status", { status: "RUNNING" }, reject("status", /A running run has no end time/)],
      ["queued without an end accepted", { status: "queued", endedAt: undefined }, accept({ status: "QUEUED" })],
      ["queued with an end rejected on status", { status: "QUEUED" }, reject("status", /A queued run has no end time/)],
      ["succeeded with an end accepted", { status: "SUCCEEDED" }, accept()],
      ["succeeded without an end rejected on end", { status: "SUCCEEDED", endedAt: "" }, reject("endedAt", "A succeeded run needs an end time")],
      ["failed without an end rejected on end", { status: "FAILED", endedAt: "" }, reject("endedAt", "A failed run needs an end time")],
      ["cancelled without an end rejected on end", { status: "Cancelled", endedAt: "" }, reject("endedAt", "A cancelled run needs an end time")],
      ["unknown status rejected", { status: "DONE" }, reject("status", /Status must be one of Queued, Running/)],
    ]);
  });

  describe("measurements", () => {
    itChecksCases(schema, base, [
      ["tokens 0 accepted", { tokensProcessed: "0" }, accept({ tokensProcessed: 0n })],
      ["tokens -1 rejected", { tokensProcessed: "-1" }, reject("tokensProcessed", "Tokens processed cannot be negative")],
      ["tokens 1e16 accepted", { tokensProcessed: "10000000000000000" }, accept({ tokensProcessed: 10n ** 16n })],
      ["tokens 1e16 + 1 rejected", { tokensProcessed: "10000000000000001" }, reject("tokensProcessed", "Tokens processed must be at most 10,000,000,000,000,000")],
      ["tokens as the largest exact JS number accepted", { tokensProcessed: Number.MAX_SAFE_INTEGER }, accept({ tokensProcessed: BigInt(Number.MAX_SAFE_INTEGER) })],
      ["tokens as an inexact JS number rejected", { tokensProcessed: 2 ** 53 }, reject("tokensProcessed", /send it as a string of digits/)],
      ["throughput 0 accepted", { throughputTokensPerSec: "0" }, accept({ throughputTokensPerSec: "0" })],
      ["throughput -0.001 rejected", { throughputTokensPerSec: "-0.001" }, reject("throughputTokensPerSec", "Throughput cannot be negative")],
      ["throughput with 3 decimals accepted", { throughputTokensPerSec: "41250.125" }, accept({ throughputTokensPerSec: "41250.125" })],
      ["throughput with 4 decimals rejected", { throughputTokensPerSec: "41250.1255" }, reject("throughputTokensPerSec", "Throughput can have at most 3 decimal places")],
      ["throughput as a number accepted", { throughputTokensPerSec: 41250.5 }, accept({ throughputTokensPerSec: "41250.5" })],
      ["throughput 1e12 accepted", { throughputTokensPerSec: "1000000000000" }, accept()],
      ["throughput above 1e12 rejected", { throughputTokensPerSec: "1000000000000.001" }, reject("throughputTokensPerSec")],
      ["utilization 0 accepted", { avgGpuUtilizationPct: "0" }, accept({ avgGpuUtilizationPct: "0" })],
      ["utilization -0.01 rejected", { avgGpuUtilizationPct: "-0.01" }, reject("avgGpuUtilizationPct", "Average GPU utilization cannot be negative")],
      ["utilization 100 accepted", { avgGpuUtilizationPct: "100" }, accept({ avgGpuUtilizationPct: "100" })],
      ["utilization 100.01 rejected", { avgGpuUtilizationPct: "100.01" }, reject("avgGpuUtilizationPct", "Average GPU utilization must be at most 100%")],
      ["utilization with 2 decimals accepted", { avgGpuUtilizationPct: "87.25" }, accept()],
      ["utilization with 3 decimals rejected", { avgGpuUtilizationPct: "87.255" }, reject("avgGpuUtilizationPct")],
    ]);
  });

  describe("other costs and notes", () => {
    itChecksCases(schema, base, [
      ["storage empty: 0", { storageCostUsd: "" }, accept({ storageCostUsd: "0" })],
      ["storage absent: 0", { storageCostUsd: undefined }, accept({ storageCostUsd: "0" })],
      ["storage 0 accepted", { storageCostUsd: "0" }, accept({ storageCostUsd: "0" })],
      ["storage -0.01 rejected", { storageCostUsd: "-0.01" }, reject("storageCostUsd", "Storage cost cannot be negative")],
      ["data cost with 6 decimals accepted", { dataCostUsd: "12.345678" }, accept({ dataCostUsd: "12.345678" })],
      ["data cost with 7 decimals rejected", { dataCostUsd: "12.3456789" }, reject("dataCostUsd", "Data cost can have at most 6 decimal places")],
      ["data cost in exponent notation rejected", { dataCostUsd: "1e3" }, reject("dataCostUsd")],
      ["network cost at the column's limit accepted", { networkCostUsd: "999999999999.999999" }, accept()],
      ["network cost of 1e12 rejected", { networkCostUsd: "1000000000000" }, reject("networkCostUsd", "Network cost must be less than $1,000,000,000,000")],
      ["notes empty: none", { notes: "   " }, accept({ notes: null })],
      ["notes of 5000 characters accepted", { notes: chars(5000) }, accept()],
      ["notes of 5001 characters rejected", { notes: chars(5001) }, reject("notes", "Notes must be at most 5,000 characters")],
      ["notes with line breaks and tabs accepted", { notes: "loss spike at step 1200\n\tresumed from ckpt" }, accept()],
      ["notes with a NUL character rejected", { notes: "a\u0000b" }, reject("notes", "Notes contains a character that can't be stored")],
    ]);
  });

  it("reports field errors and cross-field errors together", () => {
    const result = schema.safeParse({ ...base, name: "", gpuCount: "0", endedAt: "2026-04-01T00:00:00Z" });
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["name", "gpuCount", "endedAt"]);
  });
});
