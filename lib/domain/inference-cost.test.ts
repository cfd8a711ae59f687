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
  it("no usage records: the full GPU time is paid, none of it idle — untracked, and every rate is no data", () => {
    const cost = inferenceCost({ deployment, range: day, traffic: NO_TRAFFIC, now: later });
    expect(cost.computeCostMicros).toBe(24_000_000n);
    expect(cost).toMatchObject({ recordedMs: 0, untrackedMs: 24 * HOUR, idleMs: 0, idleCostMicros: 0n, untrackedCostMicros: 24_000_000n, idleShare: null });
    expect(cost.metrics).toEqual({
      costPerMillionTokensUsd: null,
      costPerMillionOutputTokensUsd: null,
      costPerThousandRequestsUsd: null,
      qps: null,
      tokensPerSecondPerGpu: null,
      errorRate: null,
      cachedTokenShare: null,
    });
  });

  it("recorded time without traffic is idle: a day of zero-request records is 100% idle", () => {
    const cost = inferenceCost({ deployment, range: day, traffic: { ...NO_TRAFFIC, recordedMs: 24 * HOUR }, now: later });
    expect(cost).toMatchObject({ recordedMs: 24 * HOUR, untrackedMs: 0, idleMs: 24 * HOUR, idleCostMicros: 24_000_000n, untrackedCostMicros: 0n, idleShare: 1 });
    expect(cost.metrics.qps).toBe(0);
    expect(cost.metrics.tokensPerSecondPerGpu).toBe(0);
  });

  it("idle = recorded time without traffic + utilization-weighted idle time during traffic, over recorded time only", () => {
    const range = { start: at("2024-05-01T00:00Z"), end: at("2024-05-01T10:00Z") };
    // 8 h recorded: 6 h of traffic at 75% utilization, 2 h of records with no requests; 2 h without records.
    const traffic = { ...NO_TRAFFIC, requests: 100, recordedMs: 8 * HOUR, trafficMs: 6 * HOUR, idleMsDuringTraffic: 1.5 * HOUR };
    const cost = inferenceCost({ deployment, range, traffic, now: later });
    expect(cost.computeCostMicros).toBe(10_000_000n);
    expect(cost.idleMs).toBe(3.5 * HOUR); // 2h + 1.5h
    expect(cost.idleShare).toBe(3.5 / 8);
    expect(cost.idleCostMicros).toBe(3_500_000n);
    expect(cost.untrackedMs).toBe(2 * HOUR);
    expect(cost.untrackedCostMicros).toBe(2_000_000n);
    // Rates over recorded time: 100 requests in 8 h; $8 of recorded cost per 100 requests.
    expect(cost.metrics.qps).toBeCloseTo(100 / (8 * 3600), 12);
    expect(cost.metrics.costPerThousandRequestsUsd?.toString()).toBe("80");
  });

  it("busy + idle + untracked cost is the cost exactly, with awkward proportions", () => {
    const range = { start: at("2024-05-01T00:00Z"), end: at("2024-05-01T00:00:07Z") };
    const traffic = { ...NO_TRAFFIC, requests: 1, recordedMs: 5_000, trafficMs: 3_000, idleMsDuringTraffic: 1_000 };
    const cost = inferenceCost({ deployment: { ...deployment, pricePerGpuHourOverride: "3.333333" }, range, traffic, now: later });
    const busy = cost.computeCostMicros - cost.idleCostMicros - cost.untrackedCostMicros;
    expect(busy >= 0n && cost.idleCostMicros >= 0n && cost.untrackedCostMicros >= 0n).toBe(true);
    expect(cost.idleShare).toBe(3 / 5);
  });

  it("metrics for a busy hour", () => {
    const traffic: TrafficTotals = {
      requests: 1_000n,
      errors: 5n,
      inputTokens: 2_000_000n,
      cachedInputTokens: 500_000n,
      outputTokens: 1_000_000n,
      recordedMs: HOUR,
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
    const traffic = { ...NO_TRAFFIC, requests: 2_000, recordedMs: 24 * HOUR, trafficMs: HOUR };
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

  it("records reported beyond active time are clamped, traffic to the records; negative sums are rejected", () => {
    const clamped = inferenceCost({ deployment, range: day, traffic: { ...NO_TRAFFIC, requests: 1, recordedMs: 48 * HOUR, trafficMs: 48 * HOUR }, now: later });
    expect(clamped.recordedMs).toBe(24 * HOUR);
    expect(clamped.idleShare).toBe(0);
    const overTraffic = inferenceCost({ deployment, range: day, traffic: { ...NO_TRAFFIC, requests: 1, recordedMs: 6 * HOUR, trafficMs: 12 * HOUR }, now: later });
    expect(overTraffic).toMatchObject({ recordedMs: 6 * HOUR, idleMs: 0, untrackedMs: 18 * HOUR });
    expect(() => inferenceCost({ deployment, range: day, traffic: { ...NO_TRAFFIC, trafficMs: -1 }, now: later })).toThrow(RangeError);
    expect(() => inferenceCost({ deployment, range: day, traffic: { ...NO_TRAFFIC, recordedMs: Number.NaN }, now: later })).toThrow(RangeError);
  });
});

describe("inferenceCostByBucket", () => {
  it("hourly buckets of a DST day in America/New_York: 23 buckets; recorded-but-quiet hours idle, unrecorded hours no data", () => {
    const buckets = bucketsBetween({ from: at("2024-03-10T05:00Z"), to: at("2024-03-11T04:00Z"), unit: "hour", timeZone: "America/New_York" }).map(
      (b, i) => ({ ...b, traffic: i % 2 === 0 ? { ...NO_TRAFFIC, recordedMs: HOUR } : NO_TRAFFIC }),
    );
    const costs = inferenceCostByBucket({ deployment: { ...deployment, activeFrom: at("2024-03-01T00:00Z") }, buckets, now: later });
    expect(costs).toHaveLength(23);
    expect(costs.every((c) => c.costMicros === 1_000_000n)).toBe(true);
    expect(costs.filter((_, i) => i % 2 === 0).every((c) => c.idleCostMicros === 1_000_000n && c.untrackedCostMicros === 0n && c.recordedMs === HOUR)).toBe(true);
    expect(costs.filter((_, i) => i % 2 === 1).every((c) => c.idleCostMicros === 0n && c.untrackedCostMicros === 1_000_000n && c.untrackedMs === HOUR)).toBe(true);
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
            // Every third hour has no records at all.
            const recordedMs = i % 3 === 2 ? 0 : HOUR;
            return { ...b, traffic: { ...NO_TRAFFIC, requests: pct, recordedMs, trafficMs: pct > 0 ? recordedMs : 0, idleMsDuringTraffic: pct > 0 ? (recordedMs * (100 - pct)) / 100 : 0 } };
          });
          const now = minute(60 * 60);
          const byBucket = inferenceCostByBucket({ deployment: subject, buckets, now });
          const whole = inferenceCost({ deployment: subject, range: { start: buckets[0]!.start, end: buckets.at(-1)!.end }, traffic: NO_TRAFFIC, now });
          expect(byBucket.reduce((s, b) => s + b.costMicros, 0n)).toBe(whole.computeCostMicros);
          byBucket.forEach((b, i) => {
            const alone = inferenceCost({ deployment: subject, range: b, traffic: buckets[i]!.traffic, now });
            expect(b.costMicros).toBe(alone.computeCostMicros);
            expect(b.idleCostMicros).toBe(alone.idleCostMicros);
            expect(b.untrackedCostMicros).toBe(alone.untrackedCostMicros);
            expect(b.idleCostMicros >= 0n && b.untrackedCostMicros >= 0n && b.idleCostMicros + b.untrackedCostMicros <= b.costMicros).toBe(true);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
