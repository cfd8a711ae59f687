import { describe, expect, it } from "vitest";
import { inferenceDeploymentSchema } from "./inference-deployment";
import { accept, addMs, chars, itChecksCases, reject } from "./test-cases";

const activeFrom = new Date("2026-02-01T00:00:00Z");
const base = {
  teamId: "2",
  name: "chat-prod",
  model: "meta-llama/Llama-3.1-70B-Instruct",
  parameterCount: "70600000000",
  servingEngine: "VLLM",
  quantization: "FP8",
  batching: "CONTINUOUS",
  maxBatchSize: "256",
  gpuTypeId: "1",
  provider: "coreweave",
  pricingModel: "RESERVED",
  gpuCount: "8",
  pricePerGpuHourOverride: "",
  p99SloMs: "2000",
  activeFrom: "2026-02-01T00:00:00Z",
  activeTo: "",
};

describe("inferenceDeploymentSchema", () => {
  it("parses a form's strings into the stored shape", () => {
    expect(inferenceDeploymentSchema.parse(base)).toEqual({
      teamId: 2,
      name: "chat-prod",
      model: "meta-llama/Llama-3.1-70B-Instruct",
      parameterCount: 70_600_000_000n,
      servingEngine: "VLLM",
      quantization: "FP8",
      batching: "CONTINUOUS",
      maxBatchSize: 256,
      gpuTypeId: 1,
      provider: "coreweave",
      pricingModel: "RESERVED",
      gpuCount: 8,
      pricePerGpuHourOverride: null,
      p99SloMs: 2000,
      activeFrom,
      activeTo: null,
    });
  });

  itChecksCases(inferenceDeploymentSchema, base, [
    ["team missing asks for a choice", { teamId: undefined }, reject("teamId", "Choose a team")],
    ["name of 200 characters accepted", { name: chars(200) }, accept()],
    ["name of 201 characters rejected", { name: chars(201) }, reject("name")],
    ["model missing rejected", { model: "" }, reject("model", "Model is required")],
    ["parameter count empty: not given", { parameterCount: "" }, accept({ parameterCount: null })],
    ["parameter count 0 rejected", { parameterCount: "0" }, reject("parameterCount")],
    ["parameter count 1e13 + 1 rejected", { parameterCount: "10000000000001" }, reject("parameterCount")],

    ["engine label accepted", { servingEngine: "llama.cpp" }, accept({ servingEngine: "LLAMA_CPP" })],
    ["engine label with a hyphen accepted", { servingEngine: "TensorRT-LLM" }, accept({ servingEngine: "TENSORRT_LLM" })],
    ["unknown engine rejected", { servingEngine: "triton" }, reject("servingEngine", /Serving engine must be one of vLLM, TGI/)],
    ["quantization label accepted", { quantization: "FP16/BF16" }, accept({ quantization: "FP16_BF16" })],
    ["quantization value accepted", { quantization: "int4" }, accept({ quantization: "INT4" })],
    ["unknown quantization rejected", { quantization: "INT2" }, reject("quantization")],
    ["batching value accepted", { batching: "dynamic" }, accept({ batching: "DYNAMIC" })],
    ["unknown batching rejected", { batching: "greedy" }, reject("batching")],

    ["max batch empty: not given", { maxBatchSize: "" }, accept({ maxBatchSize: null })],
    ["max batch 0 rejected", { maxBatchSize: "0" }, reject("maxBatchSize", "Max batch size must be at least 1")],
    ["max batch 1 accepted", { maxBatchSize: "1" }, accept({ maxBatchSize: 1 })],
    ["max batch 65536 accepted", { maxBatchSize: "65536" }, accept({ maxBatchSize: 65_536 })],
    ["max batch 65537 rejected", { maxBatchSize: "65537" }, reject("maxBatchSize", "Max batch size must be at most 65,536")],

    ["GPU count 0 rejected", { gpuCount: 0 }, reject("gpuCount", "GPU count must be at least 1")],
    ["GPU count 1 accepted", { gpuCount: 1 }, accept({ gpuCount: 1 })],
    ["GPU count 100000 accepted", { gpuCount: 100_000 }, accept({ gpuCount: 100_000 })],
    ["GPU count 100001 rejected", { gpuCount: 100_001 }, reject("gpuCount", "GPU count must be at most 100,000")],
    ["GPU type 0 rejected", { gpuTypeId: 0 }, reject("gpuTypeId")],
    ["provider with a space rejected", { provider: "core weave" }, reject("provider")],
    ["pricing model unknown rejected", { pricingModel: "PREPAID" }, reject("pricingModel")],

    ["override 0 rejected", { pricePerGpuHourOverride: "0" }, reject("pricePerGpuHourOverride")],
    ["override one micro-dollar accepted", { pricePerGpuHourOverride: "0.000001" }, accept()],
    ["override 10000 accepted", { pricePerGpuHourOverride: "10000.000000" }, accept({ pricePerGpuHourOverride: "10000" })],
    ["override 10000.000001 rejected", { pricePerGpuHourOverride: "10000.000001" }, reject("pricePerGpuHourOverride")],

    ["SLO empty: none", { p99SloMs: "" }, accept({ p99SloMs: null })],
    ["SLO 0 ms rejected", { p99SloMs: "0" }, reject("p99SloMs", "p99 latency SLO must be at least 1 ms")],
    ["SLO 1 ms accepted", { p99SloMs: "1" }, accept({ p99SloMs: 1 })],
    ["SLO of an hour accepted", { p99SloMs: "3600000" }, accept({ p99SloMs: 3_600_000 })],
    ["SLO above an hour rejected", { p99SloMs: "3600001" }, reject("p99SloMs", "p99 latency SLO must be at most 3,600,000 ms")],
    ["fractional SLO rejected", { p99SloMs: "250.5" }, reject("p99SloMs")],

    ["still serving: no end", { activeTo: undefined }, accept({ activeTo: null })],
    ["end = start rejected", { activeTo: activeFrom }, reject("activeTo", "Active until must be after active from")],
    ["end = start + 1 ms accepted", { activeTo: addMs(activeFrom, 1) }, accept({ activeTo: addMs(activeFrom, 1) })],
    ["end before start rejected", { activeTo: "2026-01-01T00:00:00Z" }, reject("activeTo")],
    ["start missing rejected", { activeFrom: "" }, reject("activeFrom", "Active from is required")],
    ["start without a zone rejected", { activeFrom: "2026-02-01 00:00" }, reject("activeFrom", /needs a time zone/)],
  ]);
});
