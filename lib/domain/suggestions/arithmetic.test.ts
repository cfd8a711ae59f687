import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bps,
  ceilDiv,
  currentReplicaGpus,
  fewerGpusShare,
  fractionToBps,
  gpuMonthCents,
  isAboveBps,
  isBelowBps,
  MONTH_MS,
  monthlyCents,
  ratio,
  replicaGpusForWeights,
  times,
  wholeReplicas,
} from "./arithmetic";
import { DAY, deploymentFacts, H100, L4, PERIOD_MS } from "./fixtures";

describe("month normalization", () => {
  it("a month is 30.44 days", () => {
    expect(MONTH_MS).toBe((3_044n * BigInt(DAY)) / 100n);
  });

  it.each([
    // 30 days → × 30.44 / 30
    { edge: "30-day period", cents: 3_000_000n, observedMs: BigInt(PERIOD_MS), share: undefined, expected: 3_044_000n },
    { edge: "40% of it", cents: 3_000_000n, observedMs: BigInt(PERIOD_MS), share: bps(4_000n), expected: 1_217_600n },
    // 10 days of $100 → $100 × 3.044 = $304.40
    { edge: "10 active days", cents: 10_000n, observedMs: BigInt(10 * DAY), share: undefined, expected: 30_440n },
    // 1 cent over 61 days × 30.44 = 0.499016… → 0
    { edge: "rounds half-even once", cents: 1n, observedMs: BigInt(61 * DAY), share: undefined, expected: 0n },
    // 1 cent over 60.88 days = exactly 0.5 → 0 (even)
    { edge: "a tie goes to even", cents: 1n, observedMs: 2n * MONTH_MS, share: undefined, expected: 0n },
    // 3 cents over 60.88 days = exactly 1.5 → 2 (even)
    { edge: "a tie goes to even (up)", cents: 3n, observedMs: 2n * MONTH_MS, share: undefined, expected: 2n },
    { edge: "nothing observed", cents: 5_000n, observedMs: 0n, share: undefined, expected: 0n },
  ])("$edge", ({ cents, observedMs, share, expected }) => {
    expect(monthlyCents({ cents, observedMs, share })).toBe(expected);
  });

  it("one GPU-month at $6.88/GPU-h is 730.56 h × $6.88 = $5,026.25 (half-even)", () => {
    // 6.88 × 730.56 = 5,026.2528 → 502,625 cents
    expect(gpuMonthCents(6_880_000n)).toBe(502_625n);
  });

  it("normalizing a share of a total is never more than the total's normalization (no drift upward)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 1, max: 400 * DAY }), fc.integer({ min: 0, max: 10_000 }), (cents, ms, share) => {
        const whole = monthlyCents({ cents, observedMs: BigInt(ms) });
        const part = monthlyCents({ cents, observedMs: BigInt(ms), share: bps(BigInt(share)) });
        expect(part <= whole).toBe(true);
        expect(part >= 0n).toBe(true);
      }),
    );
  });
});

describe("ratios", () => {
  it("compares against basis points exactly, strictly", () => {
    expect(isAboveBps(ratio(1n, 2n), 5_000n)).toBe(false);
    expect(isAboveBps(ratio(5_000_001n, 10_000_000n), 5_000n)).toBe(true);
    expect(isBelowBps(ratio(9n, 10n), 9_000n)).toBe(false);
    expect(isBelowBps(ratio(8_999_999n, 10_000_000n), 9_000n)).toBe(true);
  });

  it("multiplies", () => {
    expect(times(ratio(1n, 2n), bps(2_500n))).toEqual({ num: 2_500n, den: 20_000n });
  });

  it("measured fractions become whole basis points once", () => {
    expect(fractionToBps(0.2999)).toBe(2_999n);
    expect(fractionToBps(0.3)).toBe(3_000n);
  });

  it("ceilDiv and whole replicas", () => {
    expect(ceilDiv(7n, 2n)).toBe(4n);
    expect(ceilDiv(8n, 2n)).toBe(4n);
    expect(ceilDiv(0n, 3n)).toBe(0n);
    expect(wholeReplicas(3n, 4n)).toBe(4n);
    expect(wholeReplicas(5n, 4n)).toBe(8n);
    expect(wholeReplicas(0n, 2n)).toBe(2n);
    expect(fewerGpusShare(8n, 2n)).toEqual({ num: 6n, den: 8n });
    expect(fewerGpusShare(2n, 2n).num).toBe(0n);
    expect(fewerGpusShare(2n, 3n).num).toBe(0n);
  });
});

describe("GPUs for weights (half of memory, powers of two)", () => {
  it.each([
    // H100: 80 GB × half = 40 GB of weights per GPU.
    { edge: "20B at 16 bits = 40 GB: exactly one H100", p: 20_000_000_000n, bits: 16n, gpus: 1n },
    { edge: "one parameter more: two", p: 20_000_000_001n, bits: 16n, gpus: 2n },
    { edge: "70.6B at 16 bits = 141 GB: 3.5 → 4", p: 70_553_706_496n, bits: 16n, gpus: 4n },
    { edge: "70.6B at 8 bits = 70.6 GB: 2", p: 70_553_706_496n, bits: 8n, gpus: 2n },
    { edge: "70.6B at 4 bits = 35.3 GB: 1", p: 70_553_706_496n, bits: 4n, gpus: 1n },
    { edge: "100B at 16 bits = 200 GB: 5 → 8", p: 100_000_000_000n, bits: 16n, gpus: 8n },
  ])("$edge", ({ p, bits, gpus }) => {
    expect(replicaGpusForWeights({ parameterCount: p, bitsPerParameter: bits, memoryGb: H100.memoryGb })).toBe(gpus);
  });

  it("a deployment's replica never exceeds the GPUs it runs on; unknown size is one GPU", () => {
    expect(currentReplicaGpus(deploymentFacts({ gpuType: H100, parameterCount: 70_553_706_496n, quantization: "FP16_BF16", gpuCount: 8 }))).toBe(4n);
    expect(currentReplicaGpus(deploymentFacts({ gpuType: H100, parameterCount: 70_553_706_496n, quantization: "FP16_BF16", gpuCount: 2 }))).toBe(2n);
    expect(currentReplicaGpus(deploymentFacts({ gpuType: L4, parameterCount: null, gpuCount: 4 }))).toBe(1n);
  });
});
