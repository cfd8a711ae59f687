import { describe, expect, it } from "vitest";
import { sketchBucketValue, sketchFromSamples, sketchKey } from "./latency-sketch";
import { NO_LATENCY, recordLatency, rolledUpLatency, withNoDataGaps } from "./usage-table";

const at = (iso: string) => new Date(iso);
const day = (d: number) => ({ start: at(`2026-11-0${d}T00:00Z`), end: at(`2026-11-0${d + 1}T00:00Z`) });

describe("recordLatency", () => {
  it("a record with a sketch: p50/p95/p99 from the sketch", () => {
    const sketch = sketchFromSamples(Array.from({ length: 100 }, (_, i) => i + 1));
    const latency = recordLatency({ sketch, summaryMs: null });
    expect(latency.source).toBe("sketch");
    // DDSketch's rank rule reads a sample (the 50th and the 99th), to 1%.
    expect(Math.abs(latency.p50Ms! / 50 - 1)).toBeLessThan(0.011);
    expect(Math.abs(latency.p99Ms! / 99 - 1)).toBeLessThan(0.011);
    expect(latency.summaryShare).toBeNull();
  });

  it("summary percentiles only: as entered, flagged summary", () => {
    expect(recordLatency({ sketch: { keys: [], counts: [] }, summaryMs: { p50: 80, p95: 200, p99: 350 } })).toEqual({
      p50Ms: 80,
      p95Ms: 200,
      p99Ms: 350,
      source: "summary",
      summaryShare: 1,
    });
  });

  it("no latency at all", () => {
    expect(recordLatency({ sketch: { keys: [], counts: [] }, summaryMs: null })).toEqual(NO_LATENCY);
  });
});

describe("rolledUpLatency", () => {
  const keys = { p50Key: sketchKey(100), p95Key: sketchKey(300), p99Key: sketchKey(900) };
  it.each([
    { approxRequests: 0n, servedRequests: 1_000n, source: "sketch", summaryShare: null },
    { approxRequests: 250n, servedRequests: 1_000n, source: "mixed", summaryShare: 0.25 },
    { approxRequests: 1_000n, servedRequests: 1_000n, source: "summary", summaryShare: 1 },
  ] as const)("$approxRequests of $servedRequests summary-only → $source", ({ approxRequests, servedRequests, source, summaryShare }) => {
    const latency = rolledUpLatency({ ...keys, approxRequests, servedRequests });
    expect(latency).toMatchObject({ source, summaryShare });
    expect(latency.p99Ms).toBe(sketchBucketValue(sketchKey(900)));
  });

  it("no sketch keys: no latency", () => {
    expect(rolledUpLatency({ p50Key: null, p95Key: null, p99Key: null, approxRequests: 0n, servedRequests: 0n })).toEqual(NO_LATENCY);
  });
});

describe("withNoDataGaps", () => {
  const span = { start: at("2026-11-01T00:00Z"), end: at("2026-11-08T00:00Z") };

  it("marks the days between, before and after recorded days as no data", () => {
    const rows = [day(2), day(3), day(5)];
    expect(withNoDataGaps({ rows, span }).map((r) => (r.kind === "data" ? `data ${r.row.start.getUTCDate()}` : `gap ${r.start.getUTCDate()}–${r.end.getUTCDate()}`))).toEqual([
      "gap 1–2",
      "data 2",
      "data 3",
      "gap 4–5",
      "data 5",
      "gap 6–8",
    ]);
  });

  it("a range without records yields no rows at all", () => {
    expect(withNoDataGaps({ rows: [], span })).toEqual([]);
  });

  it("gaps stay inside the span (the active period up to now)", () => {
    const active = { start: at("2026-11-02T12:00Z"), end: at("2026-11-04T06:00Z") };
    const out = withNoDataGaps({ rows: [day(3)], span: active });
    expect(out).toEqual([
      { kind: "noData", start: active.start, end: at("2026-11-03T00:00Z") },
      { kind: "data", row: day(3) },
      { kind: "noData", start: at("2026-11-04T00:00Z"), end: active.end },
    ]);
    expect(withNoDataGaps({ rows: [day(3)], span: null })).toEqual([{ kind: "data", row: day(3) }]);
  });
});
