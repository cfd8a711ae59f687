import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BucketUnit, bucketsBetween } from "./calendar";
import {
  modelFlopsUtilization,
  trainingRunCost,
  trainingRunCostByBucket,
  trainingRunCostInRange,
  type TrainingRunCostInput,
} from "./training-cost";

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

const baseRun: TrainingRunCostInput = {
  gpuCount: 8,
  startedAt: at("2024-05-01T10:00Z"),
  endedAt: at("2024-05-01T14:00Z"),
  pricePerGpuHourOverride: null,
  catalogPrices: [{ pricePerGpuHour: "2.5", effectiveFrom: at("2024-01-01T00:00Z"), effectiveTo: null }],
  storageCostUsd: "10",
  dataCostUsd: "0.5",
  networkCostUsd: new Decimal("1.25"),
  tokensProcessed: 1_200_000_000n,
  parameterCount: 1_000_000_000n,
  peakBf16Tflops: "500",
};

describe("trainingRunCost", () => {
  it("finished run: compute + storage + data + network", () => {
    const cost = trainingRunCost({ run: baseRun, now: at("2024-06-01T00:00Z") });
    expect(cost.isRunning).toBe(false);
    expect(cost.gpuHours).toBe(32);
    expect(cost.computeCostMicros).toBe(80_000_000n); // 32 GPU-h × $2.50
    expect(cost.totalCostMicros).toBe(91_750_000n); // + $10 + $0.50 + $1.25
    // $91.75 over 1,200M tokens = $0.0764583… per 1M
    expect(cost.costPerMillionTokensUsd?.toFixed(8)).toBe("0.07645833");
    // 6 × 1e9 × 1.2e9 ÷ (8 GPUs × 3600 s × 4 h × 500e12) = 0.125
    expect(cost.mfu).toBeCloseTo(0.125, 12);
  });

  it("running run accrues GPU time up to now", () => {
    const cost = trainingRunCost({ run: { ...baseRun, endedAt: null }, now: at("2024-05-01T11:30Z") });
    expect(cost.isRunning).toBe(true);
    expect(cost.gpuHours).toBe(12);
    expect(cost.computeCostMicros).toBe(30_000_000n);
    expect(cost.interval.end).toEqual(at("2024-05-01T11:30Z"));
  });

  it("a run that has not started yet costs only its entered amounts", () => {
    const cost = trainingRunCost({ run: { ...baseRun, endedAt: null }, now: at("2024-05-01T09:00Z") });
    expect(cost.gpuHours).toBe(0);
    expect(cost.computeCostMicros).toBe(0n);
    expect(cost.totalCostMicros).toBe(11_750_000n);
    expect(cost.mfu).toBeNull();
  });

  it("price change mid-run: the breakdown shows each period", () => {
    const cost = trainingRunCost({
      run: {
        ...baseRun,
        catalogPrices: [
          { pricePerGpuHour: "2.5", effectiveFrom: at("2024-01-01T00:00Z"), effectiveTo: at("2024-05-01T13:00Z") },
          { pricePerGpuHour: "1.999999", effectiveFrom: at("2024-05-01T13:00Z"), effectiveTo: null },
        ],
      },
      now: at("2024-06-01T00:00Z"),
    });
    expect(cost.lines.map((l) => [l.start.toISOString(), l.end.toISOString(), l.pricePerGpuHourMicros, l.gpuHours, l.costMicros])).toEqual([
      ["2024-05-01T10:00:00.000Z", "2024-05-01T13:00:00.000Z", 2_500_000n, 24, 60_000_000n],
      ["2024-05-01T13:00:00.000Z", "2024-05-01T14:00:00.000Z", 1_999_999n, 8, 15_999_992n],
    ]);
    expect(cost.computeCostMicros).toBe(75_999_992n);
  });

  it("override wins over the catalog", () => {
    const cost = trainingRunCost({ run: { ...baseRun, pricePerGpuHourOverride: "1" }, now: at("2024-06-01T00:00Z") });
    expect(cost.lines.map((l) => l.source)).toEqual(["override"]);
    expect(cost.computeCostMicros).toBe(32_000_000n);
  });

  it("no price in effect: unpriced GPU-hours are reported", () => {
    const cost = trainingRunCost({ run: { ...baseRun, catalogPrices: [] }, now: at("2024-06-01T00:00Z") });
    expect(cost.hasUnpricedTime).toBe(true);
    expect(cost.unpricedGpuHours).toBe(32);
    expect(cost.computeCostMicros).toBe(0n);
  });

  it.each([
    { edge: "zero tokens", tokensProcessed: 0n },
    { edge: "unknown tokens", tokensProcessed: null },
  ])("$edge: no cost per 1M tokens and no MFU", ({ tokensProcessed }) => {
    const cost = trainingRunCost({ run: { ...baseRun, tokensProcessed }, now: at("2024-06-01T00:00Z") });
    expect(cost.costPerMillionTokensUsd).toBeNull();
    expect(cost.mfu).toBeNull();
  });
});

describe("modelFlopsUtilization", () => {
  const inputs = { parameterCount: 7_000_000_000n, tokensProcessed: 1_000_000, gpuCount: 1, durationMs: HOUR, peakBf16Tflops: "989.4" };

  // 1e9 parameters × 1.2e9 tokens on 8 GPUs × 4 h at 500 TFLOPS: 8 × 14,400 s × 5e14 FLOP/s = 5.76e19 FLOPs available.
  it.each([
    { method: "PRETRAIN", mfu: 0.125 }, // 6 × 1e9 × 1.2e9 = 7.2e18 FLOPs
    { method: "FULL_FINE_TUNE", mfu: 0.125 },
    { method: "OTHER", mfu: 0.125 },
    { method: "LORA", mfu: 0.25 / 3 }, // 4 × 1e9 × 1.2e9 = 4.8e18 FLOPs
    { method: "QLORA", mfu: 0.25 / 3 },
    { method: null, mfu: 0.125 }, // not known: counted as full training
    { method: undefined, mfu: 0.125 },
  ] as const)("$method: the method's FLOPs per token × tokens ÷ (GPU-seconds × peak)", ({ method, mfu }) => {
    const run = { parameterCount: 1_000_000_000n, tokensProcessed: 1_200_000_000n, gpuCount: 8, durationMs: 4 * HOUR, peakBf16Tflops: "500" };
    expect(modelFlopsUtilization({ ...run, method })).toBeCloseTo(mfu, 12);
  });

  it("a LoRA run's MFU is 4/6 of the same run counted as full training", () => {
    const lora = modelFlopsUtilization({ ...inputs, method: "LORA" })!;
    const full = modelFlopsUtilization({ ...inputs, method: "FULL_FINE_TUNE" })!;
    expect(lora / full).toBeCloseTo(4 / 6, 12);
    // 4 × 7e9 × 1e6 ÷ (3,600 s × 989.4e12)
    expect(lora).toBeCloseTo((4 * 7e9 * 1e6) / (3600 * 989.4e12), 15);
  });

  it("trainingRunCost passes the run's method through", () => {
    const now = at("2024-06-01T00:00Z");
    expect(trainingRunCost({ run: { ...baseRun, method: "QLORA" }, now }).mfu).toBeCloseTo(0.25 / 3, 12);
    expect(trainingRunCost({ run: { ...baseRun, method: "PRETRAIN" }, now }).mfu).toBeCloseTo(0.125, 12);
  });
  it.each([
    { edge: "missing parameters", change: { parameterCount: null } },
    { edge: "zero tokens", change: { tokensProcessed: 0 } },
    { edge: "missing peak", change: { peakBf16Tflops: null } },
    { edge: "zero peak", change: { peakBf16Tflops: "0" } },
    { edge: "zero duration", change: { durationMs: 0 } },
    { edge: "zero GPUs", change: { gpuCount: 0 } },
  ])("$edge → null", ({ change }) => {
    expect(modelFlopsUtilization({ ...inputs, ...change })).toBeNull();
  });
});

describe("training cost by bucket", () => {
  it("a run across a month boundary: parts sum exactly to the whole", () => {
    const run: TrainingRunCostInput = {
      ...baseRun,
      gpuCount: 3,
      startedAt: at("2024-01-31T19:00Z"),
      endedAt: at("2024-02-01T06:00Z"),
      pricePerGpuHourOverride: "0.333333",
      storageCostUsd: "10",
      dataCostUsd: "0",
      networkCostUsd: "0",
    };
    const now = at("2024-06-01T00:00Z");
    const months = bucketsBetween({ from: run.startedAt, to: run.endedAt!, unit: "month", timeZone: "UTC" });
    const [january, february] = trainingRunCostByBucket({ run, buckets: months, now });
    // Compute 33 GPU-h × $0.333333 = $10.999989 exactly; Jan has 5/11 of it.
    expect(january?.computeCostMicros).toBe(4_999_995n);
    expect(february?.computeCostMicros).toBe(5_999_994n);
    // Storage $10 prorated 5:6 by time is 4,545,454.54… + 5,454,545.45…
    // micros: floors leave one micro over, which goes to the larger remainder.
    expect(january?.otherCostMicros).toBe(4_545_455n);
    expect(february?.otherCostMicros).toBe(5_454_545n);
    const total = trainingRunCost({ run, now }).totalCostMicros;
    expect(january!.totalCostMicros + february!.totalCostMicros).toBe(total);
  });

  it("a DST day in Europe/Berlin is 23 GPU-hours per GPU", () => {
    const run = { ...baseRun, gpuCount: 1, startedAt: at("2024-03-29T00:00Z"), endedAt: at("2024-04-02T00:00Z") };
    const days = bucketsBetween({ from: at("2024-03-31T12:00Z"), to: at("2024-03-31T12:00:00.001Z"), unit: "day", timeZone: "Europe/Berlin" });
    expect(trainingRunCostByBucket({ run, buckets: days, now: at("2024-06-01T00:00Z") }).map((b) => b.gpuHours)).toEqual([23]);
  });

  it("cost within a range: only the part of the run inside it", () => {
    const inRange = trainingRunCostInRange({
      run: { ...baseRun, storageCostUsd: "0", dataCostUsd: "0", networkCostUsd: "0" },
      range: { start: at("2024-05-01T12:00Z"), end: at("2024-05-02T00:00Z") },
      now: at("2024-06-01T00:00Z"),
    });
    expect(inRange.gpuHours).toBe(16);
    expect(inRange.totalCostMicros).toBe(40_000_000n);
  });

  it("a zero-length run puts its entered costs in the bucket holding its start", () => {
    const run = { ...baseRun, startedAt: at("2024-05-01T10:00Z"), endedAt: at("2024-05-01T10:00Z") };
    const days = bucketsBetween({ from: at("2024-04-30T00:00Z"), to: at("2024-05-03T00:00Z"), unit: "day", timeZone: "UTC" });
    expect(trainingRunCostByBucket({ run, buckets: days, now: at("2024-06-01T00:00Z") }).map((b) => b.totalCostMicros)).toEqual([0n, 11_750_000n, 0n]);
  });
});

describe("totals by any grouping equal the sum of items", () => {
  const HOURS_2024 = 366 * 24;
  const runArb = fc.record({
    team: fc.constantFrom("search", "chat", "vision"),
    startHour: fc.integer({ min: 0, max: HOURS_2024 - 24 * 40 }),
    lengthMinutes: fc.integer({ min: 0, max: 40 * 24 * 60 }),
    gpuCount: fc.integer({ min: 1, max: 256 }),
    priceMicros: fc.integer({ min: 1, max: 9_999_999 }),
    storageMicros: fc.integer({ min: 0, max: 99_999_999 }),
    isRunning: fc.boolean(),
  });

  it("sums of bucket costs, grouped by team or by bucket, equal the sum of run totals", () => {
    fc.assert(
      fc.property(
        fc.array(runArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("UTC", "America/New_York", "Asia/Kathmandu", "Europe/Berlin"),
        fc.constantFrom<BucketUnit>("day", "week", "month"),
        (runs, timeZone, unit) => {
          const yearStart = Date.UTC(2024, 0, 1);
          const now = new Date(yearStart + HOURS_2024 * HOUR);
          const inputs = runs.map((r) => {
            const startedAt = new Date(yearStart + r.startHour * HOUR);
            const endedAt = new Date(startedAt.getTime() + r.lengthMinutes * 60_000);
            const run: TrainingRunCostInput = {
              ...baseRun,
              gpuCount: r.gpuCount,
              startedAt,
              endedAt: r.isRunning ? null : endedAt,
              pricePerGpuHourOverride: new Decimal(r.priceMicros).div(1_000_000),
              storageCostUsd: new Decimal(r.storageMicros).div(1_000_000),
            };
            return { team: r.team, run, now: r.isRunning ? endedAt : now };
          });
          const buckets = bucketsBetween({ from: new Date(yearStart - 2 * 86_400_000), to: now, unit, timeZone });

          const runTotals = new Map<string, bigint>();
          const teamTotals = new Map<string, bigint>();
          const bucketTotals = new Map<number, bigint>();
          for (const { team, run, now: runNow } of inputs) {
            runTotals.set(team, (runTotals.get(team) ?? 0n) + trainingRunCost({ run, now: runNow }).totalCostMicros);
            for (const b of trainingRunCostByBucket({ run, buckets, now: runNow })) {
              teamTotals.set(team, (teamTotals.get(team) ?? 0n) + b.totalCostMicros);
              bucketTotals.set(b.start.getTime(), (bucketTotals.get(b.start.getTime()) ?? 0n) + b.totalCostMicros);
            }
          }
          expect(teamTotals).toEqual(runTotals);
          const everything = [...runTotals.values()].reduce((s, v) => s + v, 0n);
          expect([...bucketTotals.values()].reduce((s, v) => s + v, 0n)).toBe(everything);
        },
      ),
      { numRuns: 40 },
    );
  });
});
