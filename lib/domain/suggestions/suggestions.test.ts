import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idleCapacityRule, smallerGpuTypeRule, commitmentPricingRule } from "./capacity-rules";
import { alternativesTo, CATALOG, DAY, deploymentFacts, H100, PERIOD, PERIOD_MS, runFacts, usdMicros } from "./fixtures";
import { ALL_RULES, compareSuggestions, CONFLICTING_TAGS, isConflict, resolveConflicts, ruleFor, suggestionsFor } from "./index";
import type { DeploymentFacts, RuleId, RunFacts, Suggestion } from "./types";

const ids = (list: readonly Suggestion[]) => list.map((s) => s.id);

/** A bare suggestion for exercising the resolver directly. */
function candidate(ruleId: RuleId, subjectId: number, highCents: bigint, lowCents = 0n, kind: "run" | "deployment" = ruleFor(ruleId).subject): Suggestion {
  return {
    id: `${ruleId}:${kind}:${subjectId}`,
    ruleId,
    title: ruleId,
    subject: { kind, id: subjectId, name: `item-${subjectId}`, teamId: 1 },
    evidence: [],
    action: ruleId,
    monthlySaving: { lowCents, highCents },
    confidence: "medium",
    effectSource: { kind: "assumption", text: "test" },
  };
}

describe("the registry", () => {
  it("has every rule once, each with a distinct id", () => {
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
    expect(ALL_RULES).toHaveLength(15);
  });

  it("marks the rules that read idle figures", () => {
    expect(ALL_RULES.filter((r) => r.usesIdleFigures).map((r) => r.id)).toEqual(["idle-capacity", "smaller-gpu-type"]);
  });

  it("suggestion ids are stable: rule id + item", () => {
    const [s] = suggestionsFor({ runs: [runFacts({ precision: "FP32" })] });
    expect(s!.id).toBe("mixed-precision:run:101");
    expect(ids(suggestionsFor({ runs: [runFacts({ precision: "FP32" })] }))).toEqual(ids(suggestionsFor({ runs: [runFacts({ precision: "FP32" })] })));
  });
});

describe("no contradictions on one item", () => {
  // Four L4s, 80% idle at 20% utilization: idle-capacity fires…
  const idleFour = { gpuCount: 4, idleMs: 0.8 * PERIOD_MS, utilization: 0.2 };

  it("SLO breach + low utilization → only the scale-out suggestion", () => {
    expect(idleCapacityRule(deploymentFacts(idleFour))).not.toBeNull();
    const out = suggestionsFor({ deployments: [deploymentFacts({ ...idleFour, p99Ms: 900 })] });
    expect(ids(out)).toEqual(["slo-scale-out:deployment:201"]);
    expect(out[0]!.costsMoney).toBe(true);
  });

  it("the resolver itself drops every capacity reduction next to a scale-out, even one that saves more", () => {
    const out = resolveConflicts([
      candidate("idle-capacity", 1, 90_000n),
      candidate("quantize-weights", 1, 80_000n),
      candidate("smaller-gpu-type", 1, 70_000n),
      candidate("slo-scale-out", 1, 0n, -50_000n),
      candidate("prefix-caching", 1, 10_000n),
      candidate("idle-capacity", 2, 5_000n),
    ]);
    expect(ids(out)).toEqual(["prefix-caching:deployment:1", "idle-capacity:deployment:2", "slo-scale-out:deployment:1"]);
  });

  it("a data gap → no idle-based suggestion, only the request to record usage (and what does not read idle figures)", () => {
    const gap = { ...idleFour, recordedMs: 0.8 * PERIOD_MS, trafficMs: 0.8 * PERIOD_MS, idleMs: 0.64 * PERIOD_MS, cost: { servingCents: 48_000n, idleCents: 192_000n, untrackedCents: 60_000n } };
    expect(idleCapacityRule(deploymentFacts({ ...gap, largestGapMs: 0, recordedMs: PERIOD_MS }))).not.toBeNull();
    const out = suggestionsFor({ deployments: [deploymentFacts(gap)] });
    expect(ids(out)).toEqual(["usage-data-gap:deployment:201"]);
    expect(resolveConflicts([candidate("usage-data-gap", 1, 0n), candidate("idle-capacity", 1, 9n), candidate("smaller-gpu-type", 1, 8n), candidate("quantize-weights", 1, 7n)]).map((s) => s.ruleId)).toEqual([
      "quantize-weights",
      "usage-data-gap",
    ]);
  });

  it("committing to today's GPUs and moving off them: the larger saving stays", () => {
    const f = deploymentFacts({
      parameterCount: 8_000_000_000n,
      quantization: "FP16_BF16",
      gpuCount: 2,
      gpuType: H100,
      alternativeGpuTypes: alternativesTo(H100),
      provider: "aws",
      pricePerGpuHourMicros: usdMicros("6.88"),
      utilization: 0.1,
      p99SloMs: 3_350,
      p99Ms: 864,
    });
    expect(commitmentPricingRule(f)!.monthlySaving.highCents).toBe(194_232n);
    expect(smallerGpuTypeRule(f)!.monthlySaving.highCents).toBe(222_062n);
    expect(ids(suggestionsFor({ deployments: [f] }))).toEqual(["smaller-gpu-type:deployment:201"]);
    // With the L40S ruled out by latency, the A100 move saves less than reserving: the commitment stays.
    expect(ids(suggestionsFor({ deployments: [{ ...f, p99Ms: 865 }] }))).toEqual(["commitment-pricing:deployment:201"]);
  });

  it("suggestions for different items never conflict", () => {
    expect(isConflict(candidate("slo-scale-out", 1, 0n), candidate("idle-capacity", 2, 1n))).toBe(false);
    expect(isConflict(candidate("slo-scale-out", 1, 0n), candidate("idle-capacity", 1, 1n))).toBe(true);
    expect(isConflict(candidate("commitment-pricing", 1, 0n), candidate("smaller-gpu-type", 1, 1n))).toBe(true);
    expect(isConflict(candidate("quantize-weights", 1, 0n), candidate("idle-capacity", 1, 1n))).toBe(false);
  });
});

describe("ranking", () => {
  it("by the high end, then the low end, then rule order and item", () => {
    const out = resolveConflicts([
      candidate("flash-attention-training", 3, 500n, 100n),
      candidate("mixed-precision", 4, 500n, 300n),
      candidate("lora-instead-of-full-fine-tune", 5, 900n, 0n),
      candidate("mixed-precision", 2, 500n, 100n),
      candidate("flash-attention-training", 1, 500n, 100n),
      candidate("usage-data-gap", 9, 0n, 0n),
      candidate("slo-scale-out", 8, 0n, -700n),
    ]);
    expect(ids(out)).toEqual([
      "lora-instead-of-full-fine-tune:run:5",
      "mixed-precision:run:4",
      "mixed-precision:run:2",
      "flash-attention-training:run:1",
      "flash-attention-training:run:3",
      "usage-data-gap:deployment:9",
      "slo-scale-out:deployment:8",
    ]);
  });

  it("ranks real suggestions across runs and deployments by saving", () => {
    const out = suggestionsFor({
      runs: [runFacts({ id: 1, precision: "FP32" }), runFacts({ id: 2, flashAttention: false, computeCents: 100_000n })],
      deployments: [deploymentFacts({ gpuCount: 4, idleMs: 0.8 * PERIOD_MS, utilization: 0.2 })],
    });
    // FP32: 1,826,400 high; idle: 152,200; FlashAttention on $1,000: 15% × 101,466.7 = 15,220
    expect(out.map((s) => [s.id, s.monthlySaving.highCents])).toEqual([
      ["mixed-precision:run:1", 1_826_400n],
      ["idle-capacity:deployment:201", 152_200n],
      ["flash-attention-training:run:2", 15_220n],
    ]);
  });
});

// ---------------------------------------------------------------- properties

const gpuArb = fc.constantFrom(...CATALOG);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const deploymentArb: fc.Arbitrary<DeploymentFacts> = fc
  .record({
    id: fc.integer({ min: 1, max: 6 }),
    gpuType: gpuArb,
    gpuCount: fc.integer({ min: 1, max: 16 }),
    parameterCount: maybe(fc.constantFrom(1_500_000_000n, 7_615_616_512n, 32_763_876_352n, 70_553_706_496n, 405_853_388_800n)),
    servingEngine: fc.constantFrom("VLLM", "TGI", "TENSORRT_LLM", "SGLANG", "LLAMA_CPP", "OTHER" as const),
    quantization: fc.constantFrom("NONE", "FP16_BF16", "FP8", "INT8", "INT4" as const),
    batching: fc.constantFrom("NONE", "STATIC", "DYNAMIC", "CONTINUOUS" as const),
    maxBatchSize: maybe(fc.integer({ min: 1, max: 256 })),
    provider: fc.constantFrom("aws", "gcp", "lambda"),
    pricingModel: fc.constantFrom("ON_DEMAND", "SPOT", "RESERVED", "ON_PREM" as const),
    price: maybe(fc.bigInt({ min: 100_000n, max: 15_000_000n })),
    p99SloMs: maybe(fc.integer({ min: 100, max: 30_000 })),
    p99Ms: maybe(fc.integer({ min: 10, max: 40_000 })),
    // Per-mille shares, mostly whole or nearly whole periods and records, so that every rule gets to fire.
    activeShare: fc.oneof(fc.constant(1000), fc.integer({ min: 0, max: 1000 })),
    recordedShare: fc.oneof(fc.constant(1000), fc.integer({ min: 880, max: 1000 }), fc.integer({ min: 0, max: 1000 })),
    trafficShare: fc.integer({ min: 0, max: 1000 }),
    idleShareOfTraffic: fc.integer({ min: 0, max: 1000 }),
    gapShare: fc.integer({ min: 0, max: 1000 }),
    utilization: maybe(fc.integer({ min: 0, max: 1000 }).map((u) => u / 1000)),
    requests: fc.bigInt({ min: 0n, max: 2_000_000_000n }),
    tokensPerRequest: fc.bigInt({ min: 1n, max: 8_000n }),
    cachedShare: fc.integer({ min: 0, max: 100 }),
    outputPerRequest: fc.bigInt({ min: 0n, max: 1_000n }),
    costCents: fc.bigInt({ min: 0n, max: 100_000_000n }),
    isActive: fc.constantFrom(true, true, true, false),
    ageDays: fc.integer({ min: 0, max: 400 }),
  })
  .map((r): DeploymentFacts => {
    const activeMs = Math.round((r.activeShare * PERIOD_MS) / 1000);
    const recordedMs = Math.round((r.recordedShare * activeMs) / 1000);
    const trafficMs = r.requests === 0n ? 0 : Math.round((r.trafficShare * recordedMs) / 1000);
    const idleMs = recordedMs - trafficMs + Math.round((r.idleShareOfTraffic * trafficMs) / 1000);
    const untracked = activeMs > 0 ? (r.costCents * BigInt(activeMs - recordedMs)) / BigInt(activeMs) : 0n;
    const idle = activeMs > 0 ? (r.costCents * BigInt(idleMs)) / BigInt(activeMs) : 0n;
    const inputTokens = r.requests * r.tokensPerRequest;
    return deploymentFacts({
      id: r.id,
      name: `d${r.id}`,
      gpuType: r.gpuType,
      alternativeGpuTypes: alternativesTo(r.gpuType),
      gpuCount: r.gpuCount,
      parameterCount: r.parameterCount,
      servingEngine: r.servingEngine,
      quantization: r.quantization,
      batching: r.batching,
      maxBatchSize: r.maxBatchSize,
      provider: r.provider,
      pricingModel: r.pricingModel,
      pricePerGpuHourMicros: r.price,
      p99SloMs: r.p99SloMs,
      p99Ms: recordedMs > 0 ? r.p99Ms : null,
      p50Ms: recordedMs > 0 && r.p99Ms !== null ? r.p99Ms / 3 : null,
      activeFrom: new Date(PERIOD.end.getTime() - r.ageDays * DAY),
      isActive: r.isActive,
      activeMs,
      recordedMs,
      trafficMs,
      idleMs,
      largestGapMs: recordedMs === 0 ? activeMs : Math.round((r.gapShare * (activeMs - recordedMs)) / 1000),
      utilization: trafficMs > 0 ? r.utilization : null,
      requests: recordedMs > 0 ? r.requests : 0n,
      inputTokens: recordedMs > 0 ? inputTokens : 0n,
      cachedInputTokens: recordedMs > 0 ? (inputTokens * BigInt(r.cachedShare)) / 100n : 0n,
      outputTokens: recordedMs > 0 ? r.requests * r.outputPerRequest : 0n,
      cost: { servingCents: r.costCents - untracked - idle, idleCents: idle, untrackedCents: untracked },
    });
  });

const runArb: fc.Arbitrary<RunFacts> = fc
  .record({
    id: fc.integer({ min: 1, max: 6 }),
    gpuType: gpuArb,
    gpuCount: fc.integer({ min: 1, max: 256 }),
    parameterCount: maybe(fc.constantFrom(335_141_888n, 1_235_814_400n, 7_615_616_512n, 70_553_706_496n)),
    method: fc.constantFrom("PRETRAIN", "FULL_FINE_TUNE", "LORA", "QLORA", "OTHER" as const),
    precision: fc.constantFrom("FP32", "FP16", "BF16", "FP8" as const),
    gradientCheckpointing: fc.boolean(),
    flashAttention: fc.boolean(),
    zeroStage: maybe(fc.integer({ min: 0, max: 3 })),
    gradientAccumulationSteps: fc.integer({ min: 1, max: 32 }),
    computeCents: fc.bigInt({ min: 0n, max: 100_000_000n }),
    mfu: maybe(fc.integer({ min: 0, max: 7_000 }).map((m) => m / 10_000)),
    utilization: maybe(fc.integer({ min: 0, max: 10_000 }).map((u) => u / 100)),
  })
  .map(({ utilization, ...r }) => runFacts({ ...r, name: `r${r.id}`, avgGpuUtilizationPct: utilization }));

function assertConsistent(out: readonly Suggestion[]) {
  // No two suggestions for one item whose actions conflict (CONFLICTING_TAGS).
  for (const a of out) for (const b of out) if (a !== b) expect(isConflict(a, b), `${a.id} vs ${b.id}`).toBe(false);
  const byItem = new Map<string, Suggestion[]>();
  for (const s of out) byItem.set(`${s.subject.kind}:${s.subject.id}`, [...(byItem.get(`${s.subject.kind}:${s.subject.id}`) ?? []), s]);
  for (const items of byItem.values()) {
    const tags = items.flatMap((s) => ruleFor(s.ruleId).tags);
    if (tags.includes("adds-capacity")) expect(tags).not.toContain("removes-capacity");
    if (items.some((s) => s.ruleId === "usage-data-gap")) expect(items.filter((s) => ruleFor(s.ruleId).usesIdleFigures)).toEqual([]);
  }
  // Unique ids, ranked.
  expect(new Set(ids(out)).size).toBe(out.length);
  for (let i = 1; i < out.length; i++) expect(compareSuggestions(out[i - 1]!, out[i]!)).toBeLessThan(0);
}

describe("properties", () => {
  it("the conflict pairs are between tags some rule carries", () => {
    const tags = new Set(ALL_RULES.flatMap((r) => r.tags));
    for (const [a, b] of CONFLICTING_TAGS) expect([tags.has(a), tags.has(b)]).toEqual([true, true]);
  });

  it("suggestionsFor never returns two conflicting suggestions for one item, and its savings are well-formed", () => {
    fc.assert(
      fc.property(fc.uniqueArray(runArb, { selector: (r) => r.id, maxLength: 4 }), fc.uniqueArray(deploymentArb, { selector: (d) => d.id, maxLength: 4 }), (runs, deployments) => {
        const out = suggestionsFor({ runs, deployments });
        assertConsistent(out);
        for (const s of out) {
          expect(s.monthlySaving.lowCents <= s.monthlySaving.highCents, s.id).toBe(true);
          if (s.costsMoney) expect(s.monthlySaving.lowCents < 0n).toBe(true);
          else expect(s.monthlySaving.lowCents >= 0n, s.id).toBe(true);
          expect(s.evidence.every((e) => e.value.length > 0 && !/NaN|Infinity|undefined/.test(e.value)), s.id).toBe(true);
          expect(/NaN|Infinity|undefined/.test(s.action), s.action).toBe(false);
        }
        const gapped = new Set(out.filter((s) => s.ruleId === "usage-data-gap").map((s) => s.subject.id));
        for (const d of deployments) {
          const breaching = d.p99Ms !== null && d.p99SloMs !== null && d.p99Ms > d.p99SloMs;
          const mine = out.filter((s) => s.subject.kind === "deployment" && s.subject.id === d.id).map((s) => s.ruleId);
          if (breaching) expect(mine.filter((id) => ruleFor(id).tags.includes("removes-capacity"))).toEqual([]);
          if (gapped.has(d.id)) expect(mine).not.toContain("idle-capacity");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the resolver keeps a conflict-free, maximal subset of any candidates", () => {
    const rulesArb = fc.constantFrom(...ALL_RULES.map((r) => r.id));
    const candidateArb = fc
      .record({ ruleId: rulesArb, item: fc.integer({ min: 1, max: 3 }), high: fc.bigInt({ min: -1_000n, max: 1_000n }), spread: fc.bigInt({ min: 0n, max: 500n }) })
      .map(({ ruleId, item, high, spread }) => candidate(ruleId, item, high, high - spread));
    fc.assert(
      fc.property(fc.uniqueArray(candidateArb, { selector: (s) => s.id, maxLength: 20 }), (candidates) => {
        const out = resolveConflicts(candidates);
        assertConsistent(out);
        expect(out.every((s) => candidates.includes(s))).toBe(true);
        for (const dropped of candidates.filter((c) => !out.includes(c))) {
          const sameItem = candidates.filter((c) => c.subject.kind === dropped.subject.kind && c.subject.id === dropped.subject.id);
          const withheldByGap = ruleFor(dropped.ruleId).usesIdleFigures && sameItem.some((c) => c.ruleId === "usage-data-gap");
          const withheldBySlo = ruleFor(dropped.ruleId).tags.includes("removes-capacity") && sameItem.some((c) => ruleFor(c.ruleId).tags.includes("adds-capacity"));
          const beaten = out.some((k) => isConflict(k, dropped));
          expect(withheldByGap || withheldBySlo || beaten, dropped.id).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
