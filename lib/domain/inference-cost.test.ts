import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketsBetween } from "./calendar";
import {
  inferenceCost,
  inferenceCostByBucket,
  type InferenceDeploymentCostInput,
  NO_TRAFFIC,
  type TrafficTotals,
} from "./inference-cost";

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const day = { start: at("2024-05-01T00:00Z"), end: at("2024-05-02T00:00Z") };
const later = at("2024-06-01T00:00Z");

const deployment: InferenceDeploymentCostInput = {
  gpuCount: 1,
  activeFrom: at("2024-04-01T00:00Z"),
  activeTo: null,
  pricePerGpuHourOverride: null,
  catalogPrices: [{ pricePerGpuHour: "1", effectiveFrom: at("2024-01-01T00:00Z"), effectiveTo: null }],
};

describe("inferenceCost", () => {
  it("an idle deployment costs its full GPU time, all of it idle", () => {
    const cost = inferenceCost({ deployment, range: day, traffic: NO_TRAFFIC, now: later });
    expect(cost.computeCostMicros).toBe(24_000_000n);
    expect(cost.idleCostMicros).toBe(24_000_000n);
    expect(cost.idleShare).toBe(1);
    expect(cost.metrics).toEqual({
      costPerMillionTokensUsd: null,
      costPerMillionOutputTokensUsd: null,
      costPerThousandRequestsUsd: null,
      qps: 0,
      tokensPerSecondPerGpu: 0,
      errorRate: null,
      cachedTokenShare: null,
    });
  });

  it("idle = time without traffic + utilization-weighted idle time during traffic", () => {
    const range = { start: at("2024-05-01T00:00Z"), end: at("2024-05-01T10:00Z") };
    const traffic = { ...NO_TRAFFIC, requests: 100, trafficMs: 6 * HOUR, idleMsDuringTraffic: 1.5 * HOUR }; // 75% utilized
    const cost = inferenceCost({ deployment, range, traffic, now: later });
    expect(cost.computeCostMicros).toBe(10_000_000n);
    expect(cost.idleShare).toBe(0.55); // (4h + 1.5h) / 10h
    expect(cost.idleCostMicros).toBe(5_500_000n);
  });

  it("metrics for a busy hour", () => {
    const traffic: TrafficTotals = {
      requests: 1_000n,
      errors: 5n,
      inputTokens: 2_000_000n,
      cachedInputTokens: 500_000n,
      outputTokens: 1_000_000n,
      trafficMs: HOUR,
      idleMsDuringTraffic: 0,
    };
    const range = { start: at("2024-05-01T00:00Z"), end: at("2024-05-01T01:00Z") };
    const cost = inferenceCost({ deployment: { ...deployment, gpuCount: 2, pricePerGpuHourOverride: "10" }, range, traffic, now: later });
    expect(cost.computeCostMicros).toBe(20_000_000n);
    expect(cost.idleCostMicros).toBe(0n);
    const m = cost.metrics;
    expect(m.costPerMillionTokensUsd?.toFixed(6)).toBe("6.666667"); // $20 / 3M tokens
    expect(m.costPerMillionOutputTokensUsd?.toString()).toBe("20");
    expect(m.costPerThousandRequestsUsd?.toString()).toBe("20");
    expect(m.qps).toBeCloseTo(1000 / 3600, 12);
    expect(m.tokensPerSecondPerGpu).toBeCloseTo(3_000_000 / 7200, 9);
    expect(m.errorRate).toBe(0.005);
    expect(m.cachedTokenShare).toBe(0.25);
  });

  it("zero-length range: no cost and no ratios", () => {
    const cost = inferenceCost({ deployment, range: { start: day.start, end: day.start }, traffic: NO_TRAFFIC, now: later });
    expect(cost.computeCostMicros).toBe(0n);
    expect(cost.activeInterval).toBeNull();
    expect(cost.idleShare).toBeNull();
    expect(cost.metrics.qps).toBeNull();
    expect(cost.metrics.tokensPerSecondPerGpu).toBeNull();
  });

  it("zero tokens with requests: no $/1M tokens, but $/1k requests", () => {
    const traffic = { ...NO_TRAFFIC, requests: 2_000, trafficMs: HOUR };
    const cost = inferenceCost({ deployment, range: day, traffic, now: later });
    expect(cost.metrics.costPerMillionTokensUsd).toBeNull();
    expect(cost.metrics.cachedTokenShare).toBeNull();
    expect(cost.metrics.costPerThousandRequestsUsd?.toString()).toBe("12"); // $24 / 2k requests
  });

  it("a deployment still serving accrues up to now", () => {
    const cost = inferenceCost({ deployment, range: day, traffic: NO_TRAFFIC, now: at("2024-05-01T06:00Z") });
    expect(cost.activeInterval?.end).toEqual(at("2024-05-01T06:00Z"));
    expect(cost.gpuHours).toBe(6);
    expect(cost.computeCostMicros).toBe(6_000_000n);
  });

  it("a deployment switched off before the range costs nothing in it", () => {
    const cost = inferenceCost({ deployment: { ...deployment, activeTo: at("2024-04-15T00:00Z") }, range: day, traffic: NO_TRAFFIC, now: later });
    expect(cost.activeInterval).toBeNull();
    expect(cost.computeCostMicros).toBe(0n);
  });

  it("price change mid-range splits the lines", () => {
    const cost = inferenceCost({
      deployment: {
        ...deployment,
        catalogPrices: [
          { pricePerGpuHour: "1", effectiveFrom: at("2024-01-01T00:00Z"), effectiveTo: at("2024-05-01T18:00Z") },
          { pricePerGpuHour: "2", effectiveFrom: at("2024-05-01T18:00Z"), effectiveTo: null },
        ],
      },
      range: day,
      traffic: NO_TRAFFIC,
      now: later,
    });
    expect(cost.lines.map((l) => l.costMicros)).toEqual([18_000_000n, 12_000_000n]);
    expect(cost.computeCostMicros).toBe(30_000_000n);
  });

  it("traffic reported beyond active time is clamped; negative sums are rejected", () => {
    const clamped = inferenceCost({ deployment, range: day, traffic: { ...NO_TRAFFIC, requests: 1, trafficMs: 48 * HOUR }, now: later });
    expect(clamped.idleShare).toBe(0);
    expect(() => inferenceCost({ deployment, range: day, traffic: { ...NO_TRAFFIC, trafficMs: -1 }, now: later })).toThrow(RangeError);
  });
});

describe("inferenceCostByBucket", () => {
  it("hourly buckets of an idle DST day in America/New_York: 23 buckets, all idle", () => {
    const buckets = bucketsBetween({ from: at("2024-03-10T05:00Z"), to: at("2024-03-11T04:00Z"), unit: "hour", timeZone: "America/New_York" }).map(
      (b) => ({ ...b, traffic: NO_TRAFFIC }),
    );
    const costs = inferenceCostByBucket({ deployment: { ...deployment, activeFrom: at("2024-03-01T00:00Z") }, buckets, now: later });
    expect(costs).toHaveLength(23);
    expect(costs.every((c) => c.costMicros === 1_000_000n && c.idleCostMicros === 1_000_000n)).toBe(true);
  });

  it("each bucket equals the cost over that bucket alone; buckets sum to the cost over their span", () => {
    const priceMicros = fc.integer({ min: 1, max: 9_999_999 }).map((m) => `${Math.floor(m / 1e6)}.${String(m % 1e6).padStart(6, "0")}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 72 * 60 }),
        fc.option(fc.integer({ min: 0, max: 72 * 60 })),
        fc.array(fc.tuple(priceMicros, fc.integer({ min: 0, max: 72 * 60 })), { maxLength: 4 }),
        fc.array(fc.nat({ max: 100 }), { minLength: 1, maxLength: 80 }),
        (gpuCount, activeFromMinute, activeForMinutes, prices, utilizationPct) => {
          const base = at("2024-05-01T00:00Z").getTime();
          const minute = (m: number) => new Date(base + m * 60_000);
          const subject: InferenceDeploymentCostInput = {
            gpuCount,
            activeFrom: minute(activeFromMinute),
            activeTo: activeForMinutes === null ? null : minute(activeFromMinute + activeForMinutes),
            pricePerGpuHourOverride: null,
            catalogPrices: prices.map(([price, fromMinute]) => ({ pricePerGpuHour: price, effectiveFrom: minute(fromMinute), effectiveTo: null })),
          };
          const span = { start: minute(0), end: minute(80 * 60) };
          const buckets = bucketsBetween({ from: span.start, to: span.end, unit: "hour", timeZone: "Asia/Kathmandu" }).map((b, i) => {
            const pct = utilizationPct[i % utilizationPct.length]!;
            return { ...b, traffic: { ...NO_TRAFFIC, requests: pct, trafficMs: pct > 0 ? HOUR : 0, idleMsDuringTraffic: pct > 0 ? (HOUR * (100 - pct)) / 100 : 0 } };
          });
          const now = minute(60 * 60);
          const byBucket = inferenceCostByBucket({ deployment: subject, buckets, now });
          const whole = inferenceCost({ deployment: subject, range: { start: buckets[0]!.start, end: buckets.at(-1)!.end }, traffic: NO_TRAFFIC, now });
          expect(byBucket.reduce((s, b) => s + b.costMicros, 0n)).toBe(whole.computeCostMicros);
          byBucket.forEach((b, i) => {
            const alone = inferenceCost({ deployment: subject, range: b, traffic: buckets[i]!.traffic, now });
            expect(b.costMicros).toBe(alone.computeCostMicros);
            expect(b.idleCostMicros).toBe(alone.idleCostMicros);
            expect(b.idleCostMicros >= 0n && b.idleCostMicros <= b.costMicros).toBe(true);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
