import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gpuTimeCost, gpuTimeCostByBucket, type PricePeriod, priceSpans } from "./gpu-time-cost";
import { parseUsdMicros } from "./money";

const MINUTE = 60_000;
const at = (iso: string) => new Date(iso);
const period = (pricePerGpuHour: string, from: string, to: string | null): PricePeriod => ({
  pricePerGpuHour,
  effectiveFrom: at(from),
  effectiveTo: to === null ? null : at(to),
});

describe("priceSpans", () => {
  const interval = { start: at("2024-05-01T10:00Z"), end: at("2024-05-01T14:00Z") };
  const describeSpans = (spans: ReturnType<typeof priceSpans>) =>
    spans.map((s) => `${s.start.toISOString().slice(11, 16)}-${s.end.toISOString().slice(11, 16)} ${s.source} ${s.pricePerGpuHourMicros}`);

  it.each([
    {
      edge: "an override replaces the catalog",
      override: "1.25",
      catalog: [period("2", "2024-01-01T00:00Z", null)],
      spans: ["10:00-14:00 override 1250000"],
    },
    {
      edge: "a price change mid-run splits the run",
      override: null,
      catalog: [period("2", "2024-01-01T00:00Z", "2024-05-01T12:00Z"), period("3", "2024-05-01T12:00Z", null)],
      spans: ["10:00-12:00 catalog 2000000", "12:00-14:00 catalog 3000000"],
    },
    {
      edge: "time before the first price is unpriced",
      override: null,
      catalog: [period("2", "2024-05-01T11:00Z", null)],
      spans: ["10:00-11:00 none null", "11:00-14:00 catalog 2000000"],
    },
    {
      edge: "a newer open-ended price supersedes an older one that was never closed",
      override: null,
      catalog: [period("2", "2024-01-01T00:00Z", null), period("1.5", "2024-05-01T13:00Z", null)],
      spans: ["10:00-13:00 catalog 2000000", "13:00-14:00 catalog 1500000"],
    },
    {
      edge: "effectiveTo is exclusive; a gap between periods is unpriced",
      override: null,
      catalog: [period("2", "2024-01-01T00:00Z", "2024-05-01T11:00Z"), period("2", "2024-05-01T12:00Z", null)],
      spans: ["10:00-11:00 catalog 2000000", "11:00-12:00 none null", "12:00-14:00 catalog 2000000"],
    },
    { edge: "no catalog at all", override: null, catalog: [], spans: ["10:00-14:00 none null"] },
  ])("$edge", ({ override, catalog, spans }) => {
    expect(describeSpans(priceSpans({ interval, pricePerGpuHourOverride: override, catalogPrices: catalog }))).toEqual(spans);
  });

  it("an empty interval has no spans", () => {
    expect(priceSpans({ interval: { start: interval.start, end: interval.start }, pricePerGpuHourOverride: "1", catalogPrices: [] })).toEqual([]);
  });
});

describe("gpuTimeCost", () => {
  it("price change mid-run: 8 GPUs × 2h at $2 + 8 GPUs × 2h at $3 = $80", () => {
    const cost = gpuTimeCost({
      interval: { start: at("2024-05-01T10:00Z"), end: at("2024-05-01T14:00Z") },
      gpuCount: 8,
      pricePerGpuHourOverride: null,
      catalogPrices: [period("2", "2024-01-01T00:00Z", "2024-05-01T12:00Z"), period("3", "2024-05-01T12:00Z", null)],
    });
    expect(cost.lines.map((l) => [l.gpuHours, l.costMicros])).toEqual([
      [16, 32_000_000n],
      [16, 48_000_000n],
    ]);
    expect(cost.computeCostMicros).toBe(80_000_000n);
    expect(cost.gpuHours).toBe(32);
    expect(cost.hasUnpricedTime).toBe(false);
  });

  it("unpriced time is reported, not charged at $0 silently", () => {
    const cost = gpuTimeCost({
      interval: { start: at("2024-05-01T10:00Z"), end: at("2024-05-01T14:00Z") },
      gpuCount: 4,
      pricePerGpuHourOverride: null,
      catalogPrices: [period("2", "2024-05-01T13:00Z", null)],
    });
    expect(cost.hasUnpricedTime).toBe(true);
    expect(cost.unpricedGpuHours).toBe(12);
    expect(cost.lines[0]?.costMicros).toBeNull();
    expect(cost.computeCostMicros).toBe(8_000_000n);
  });

  it.each([
    { edge: "half a micro rounds to even 0", minutes: 30, lineMicros: [0n], totalMicros: 0n },
    { edge: "1.5 micros round to even 2", minutes: 90, lineMicros: [2n], totalMicros: 2n },
  ])("rounding: $edge ($0.000001/GPU-h)", ({ minutes, lineMicros, totalMicros }) => {
    const start = at("2024-05-01T00:00Z");
    const cost = gpuTimeCost({
      interval: { start, end: new Date(start.getTime() + minutes * MINUTE) },
      gpuCount: 1,
      pricePerGpuHourOverride: "0.000001",
      catalogPrices: [],
    });
    expect(cost.lines.map((l) => l.costMicros)).toEqual(lineMicros);
    expect(cost.computeCostMicros).toBe(totalMicros);
  });

  it("rounding: two lines of half a micro each telescope to 0 then 1 (the running total rounds 0.5 → 0, 1.0 → 1)", () => {
    const cost = gpuTimeCost({
      interval: { start: at("2024-05-01T00:00Z"), end: at("2024-05-01T01:00Z") },
      gpuCount: 1,
      pricePerGpuHourOverride: null,
      catalogPrices: [period("0.000001", "2024-01-01T00:00Z", "2024-05-01T00:30Z"), period("0.000001", "2024-05-01T00:30Z", null)],
    });
    expect(cost.lines.map((l) => l.costMicros)).toEqual([0n, 1n]);
    expect(cost.computeCostMicros).toBe(1n);
  });

  it("rejects a negative or fractional GPU count", () => {
    const interval = { start: at("2024-05-01T00:00Z"), end: at("2024-05-01T01:00Z") };
    expect(() => gpuTimeCost({ interval, gpuCount: -1, pricePerGpuHourOverride: "1", catalogPrices: [] })).toThrow(RangeError);
    expect(() => gpuTimeCost({ interval, gpuCount: 1.5, pricePerGpuHourOverride: "1", catalogPrices: [] })).toThrow(RangeError);
  });
});

describe("gpuTimeCost against a minute-by-minute oracle", () => {
  const BASE = Date.UTC(2024, 0, 1);
  const minuteAt = (m: number) => new Date(BASE + m * MINUTE);
  const price = fc.integer({ min: 0, max: 50_000_000 }).map((micros) => new Decimal(micros).div(1_000_000).toFixed());
  const catalog = fc.array(
    fc.record({
      pricePerGpuHour: price,
      fromMinute: fc.integer({ min: 0, max: 600 }),
      lengthMinutes: fc.option(fc.integer({ min: 1, max: 400 })),
    }),
    { maxLength: 5 },
  );
  const run = fc.record({
    startMinute: fc.integer({ min: 0, max: 600 }),
    lengthMinutes: fc.integer({ min: 0, max: 600 }),
    gpuCount: fc.integer({ min: 1, max: 512 }),
    override: fc.option(price, { freq: 4 }),
  });

  it("matches per-minute pricing (latest effectiveFrom wins), with every part round(cum(y)) − round(cum(x))", () => {
    const roundHalfEvenToMicros = (subMicros: bigint) =>
      BigInt(new Decimal(subMicros.toString()).div(3_600_000).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));

    fc.assert(
      fc.property(catalog, run, fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 8 }), (periods, r, cutMinutes) => {
        const catalogPrices = periods.map((p) => ({
          pricePerGpuHour: p.pricePerGpuHour,
          effectiveFrom: minuteAt(p.fromMinute),
          effectiveTo: p.lengthMinutes === null ? null : minuteAt(p.fromMinute + p.lengthMinutes),
        }));
        const interval = { start: minuteAt(r.startMinute), end: minuteAt(r.startMinute + r.lengthMinutes) };

        // Oracle: price every minute on its own by scanning the catalog, and
        // keep the exact running cost at each minute of the run.
        const exactCumAt = [0n];
        let unpricedMinutes = 0;
        for (let m = r.startMinute; m < r.startMinute + r.lengthMinutes; m++) {
          let priceMicros: bigint | null = r.override === null ? null : parseUsdMicros(r.override);
          if (priceMicros === null) {
            let bestFrom = -1;
            periods.forEach((p) => {
              const isInEffect = p.fromMinute <= m && (p.lengthMinutes === null || m < p.fromMinute + p.lengthMinutes);
              if (isInEffect && p.fromMinute >= bestFrom) {
                bestFrom = p.fromMinute;
                priceMicros = parseUsdMicros(p.pricePerGpuHour);
              }
            });
          }
          if (priceMicros === null) unpricedMinutes++;
          const minuteCost = priceMicros === null ? 0n : priceMicros * BigInt(r.gpuCount) * BigInt(MINUTE);
          exactCumAt.push(exactCumAt.at(-1)! + minuteCost);
        }
        const oracleBetween = (fromMinute: number, toMinute: number) =>
          roundHalfEvenToMicros(exactCumAt[toMinute - r.startMinute]!) - roundHalfEvenToMicros(exactCumAt[fromMinute - r.startMinute]!);

        const pricing = { gpuCount: r.gpuCount, pricePerGpuHourOverride: r.override, catalogPrices };
        const cost = gpuTimeCost({ ...pricing, interval });
        expect(cost.computeCostMicros).toBe(oracleBetween(r.startMinute, r.startMinute + r.lengthMinutes));
        expect(cost.unpricedGpuHours).toBeCloseTo((unpricedMinutes * r.gpuCount) / 60, 9);
        expect(cost.lines.reduce((s, l) => s + (l.costMicros ?? 0n), 0n)).toBe(cost.computeCostMicros);

        // Any cut of the run into buckets: each bucket is the oracle's
        // difference of rounded running totals, and asking for one bucket
        // alone gives the same figure.
        const cuts = [...new Set(cutMinutes.map((c) => r.startMinute + (c % (r.lengthMinutes + 1))))].sort((a, b) => a - b);
        const edges = [r.startMinute, ...cuts.filter((c) => c > r.startMinute && c < r.startMinute + r.lengthMinutes), r.startMinute + r.lengthMinutes];
        const buckets = edges.slice(1).map((end, i) => ({ start: minuteAt(edges[i]!), end: minuteAt(end) }));
        const byBucket = gpuTimeCostByBucket({ ...pricing, interval, buckets });
        byBucket.forEach((bucket, i) => {
          expect(bucket.computeCostMicros).toBe(oracleBetween(edges[i]!, edges[i + 1]!));
          expect(gpuTimeCost({ ...pricing, interval, range: buckets[i]! }).computeCostMicros).toBe(bucket.computeCostMicros);
        });
        expect(byBucket.reduce((s, b) => s + b.computeCostMicros, 0n)).toBe(cost.computeCostMicros);
      }),
      { numRuns: 150 },
    );
  });
});
