import { sketchFromHistogram } from "@/lib/domain/histogram-sketch";
import { SKETCH_MAX_MS, type LatencySketch } from "@/lib/domain/latency-sketch";

/**
 * The CSV import's latency histogram column (`latency_histogram_ms`): a
 * window's latency as Prometheus-style cumulative buckets, bounds in
 * milliseconds, written as `<upper bound>:<cumulative count>` pairs separated
 * by spaces, e.g. `50:3000 100:7000 250:11000 500:11900 +Inf:12000` — 3,000
 * requests took at most 50 ms, 7,000 at most 100 ms, and so on; the last
 * bound may be `+Inf`. Bounds increase, counts never decrease. The buckets
 * become the window's latency sketch (lib/domain/histogram-sketch.ts), so a
 * percentile read from it is exact to the bucket it falls in.
 */

export const MAX_HISTOGRAM_CELL_BUCKETS = 512;

export type HistogramCell = { ok: true; sketch: LatencySketch; count: bigint } | { ok: false; message: string };

const PAIR = /^(\+Inf|\d+(?:\.\d+)?):(\d+)$/i;

export function readHistogramCell(text: string): HistogramCell {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { ok: false, message: "Latency histogram is empty" };
  if (parts.length > MAX_HISTOGRAM_CELL_BUCKETS) return { ok: false, message: `Latency histogram has ${parts.length} buckets; at most ${MAX_HISTOGRAM_CELL_BUCKETS} are read` };
  const buckets: { leMs: number; cumulativeCount: bigint }[] = [];
  for (const [i, part] of parts.entries()) {
    const match = PAIR.exec(part);
    if (!match) return { ok: false, message: `Latency histogram bucket ${i + 1} ("${part.slice(0, 30)}") must be <upper bound in ms>:<cumulative count>, e.g. 250:11000` };
    const leMs = /^\+inf$/i.test(match[1]!) ? Infinity : Number(match[1]);
    const cumulativeCount = BigInt(match[2]!);
    const previous = buckets.at(-1);
    if (leMs === Infinity && i !== parts.length - 1) return { ok: false, message: "Latency histogram: only the last bucket may be +Inf" };
    if (!(leMs > 0)) return { ok: false, message: "Latency histogram bounds must be above 0 ms" };
    if (leMs !== Infinity && leMs > SKETCH_MAX_MS) return { ok: false, message: "Latency histogram bounds must be at most one hour (3600000 ms)" };
    if (previous && !(leMs > previous.leMs)) return { ok: false, message: `Latency histogram bounds must increase (bucket ${i + 1})` };
    if (previous && cumulativeCount < previous.cumulativeCount) return { ok: false, message: `Latency histogram counts are cumulative, so they can't decrease (bucket ${i + 1})` };
    if (cumulativeCount > 10n ** 12n) return { ok: false, message: "Latency histogram counts must be at most 1,000,000,000,000" };
    buckets.push({ leMs, cumulativeCount });
  }
  return { ok: true, sketch: sketchFromHistogram(buckets), count: buckets.at(-1)!.cumulativeCount };
}
