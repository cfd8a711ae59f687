import { describe, expect, it } from "vitest";
import { mergeSketches, sketchQuantileKey, type LatencySketch } from "@/lib/domain/latency-sketch";
import { mulberry32 } from "@/lib/seed/random";
import { mergedQuantileKeys } from "./usage-ledger";

/** What `string_agg(arr::text, '')` returns for these arrays (PostgreSQL's array_out of int2/int8). */
const literals = (arrays: number[][]) => arrays.map((a) => `{${a.join(",")}}`).join("");

function expected(sketches: LatencySketch[]) {
  const merged = mergeSketches(...sketches);
  return [0.5, 0.95, 0.99].map((q) => sketchQuantileKey(merged, q));
}

describe("mergedQuantileKeys (the node merge of queryUsage)", () => {
  it("equals sketchQuantileKey of mergeSketches, for stored sketches with negative, repeated and unsorted keys", () => {
    const random = mulberry32(14);
    for (let round = 0; round < 200; round++) {
      const sketches: LatencySketch[] = [];
      for (let s = 1 + Math.floor(random() * 8); s > 0; s--) {
        const keys: number[] = [];
        const counts: number[] = [];
        // Appended rows (burnrate_sketch_add) repeat keys out of order; sub-millisecond latencies have negative keys.
        for (let n = Math.floor(random() * 40); n > 0; n--) {
          keys.push(Math.floor(random() * 900) - 400);
          counts.push(1 + Math.floor(random() * (random() < 0.1 ? 1e6 : 5)));
        }
        sketches.push({ keys, counts });
      }
      const nonEmpty = sketches.filter((s) => s.keys.length > 0);
      expect(mergedQuantileKeys(literals(nonEmpty.map((s) => s.keys)), literals(nonEmpty.map((s) => s.counts)))).toEqual(expected(sketches));
    }
  });

  it("reads smallint extremes and counts past 15 digits as Number() does", () => {
    const sketches = [
      { keys: [-32768, 5, 32767], counts: [3, 1234567890123456, 2] },
      { keys: [5, -32768], counts: [9007199254740993, 1] },
    ];
    const countsText = "{3,1234567890123456,2}{9007199254740993,1}";
    expect(mergedQuantileKeys(literals(sketches.map((s) => s.keys)), countsText)).toEqual(expected(sketches));
  });

  it("gives nulls for no pairs and rejects keys and counts that don't pair up", () => {
    expect(mergedQuantileKeys("{}", "{}")).toEqual([null, null, null]);
    expect(() => mergedQuantileKeys("{1,2}", "{1}")).toThrow(/fewer counts/);
    expect(() => mergedQuantileKeys("{1}", "{1,2}")).toThrow(/more counts/);
    expect(() => mergedQuantileKeys("{40000}", "{1}")).toThrow(/not a smallint/);
    expect(() => mergedQuantileKeys("{1,NULL}", "{1,1}")).toThrow(/unexpected/);
    // The dense array is left clean after an error.
    expect(mergedQuantileKeys("{7}", "{2}")).toEqual([7, 7, 7]);
  });
});
