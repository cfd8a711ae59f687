import { DDSketch } from "@datadog/sketches-js";

/**
 * Latency distributions are DDSketch log-bucket histograms with 1% relative
 * accuracy, stored sparsely as parallel arrays (bucket key, count) so that
 * PostgreSQL can merge them by summing counts per key. The key mapping is the
 * DDSketch LogarithmicMapping from @datadog/sketches-js:
 *   gamma = (1 + a) / (1 - a), key(v) = ceil(log_gamma(v)),
 *   value(k) = 2 * gamma^k / (1 + gamma)
 * so any bucket's representative value is within 1% of every value in it.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const mapping = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }).mapping;

/** gamma as used by the key mapping; exported for the SQL percentile query. */
export const SKETCH_GAMMA = mapping.gamma;

/** Latencies below this (ms) are counted in the bucket for this value. */
export const SKETCH_MIN_MS = 0.001;
/** Keys are stored as smallint: latencies above this (ms) are clamped. */
export const SKETCH_MAX_MS = 3_600_000;

export interface LatencySketch {
  /** Bucket keys, strictly ascending. */
  keys: number[];
  /** counts[i] is the number of samples in bucket keys[i]; all > 0. */
  counts: number[];
}

export const EMPTY_SKETCH: LatencySketch = { keys: [], counts: [] };

export function sketchKey(latencyMs: number): number {
  const clamped = Math.min(Math.max(latencyMs, SKETCH_MIN_MS), SKETCH_MAX_MS);
  return mapping.key(clamped);
}

export function sketchBucketValue(key: number): number {
  return mapping.value(key);
}

function fromMap(byKey: Map<number, number>): LatencySketch {
  const keys = [...byKey.keys()].filter((k) => (byKey.get(k) ?? 0) > 0).sort((a, b) => a - b);
  return { keys, counts: keys.map((k) => byKey.get(k)!) };
}

export function sketchFromSamples(samplesMs: Iterable<number>): LatencySketch {
  const byKey = new Map<number, number>();
  for (const ms of samplesMs) {
    if (!Number.isFinite(ms) || ms < 0) continue;
    const key = sketchKey(ms);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  return fromMap(byKey);
}

export function mergeSketches(...sketches: LatencySketch[]): LatencySketch {
  const byKey = new Map<number, number>();
  for (const sketch of sketches) {
    sketch.keys.forEach((key, i) => byKey.set(key, (byKey.get(key) ?? 0) + (sketch.counts[i] ?? 0)));
  }
  return fromMap(byKey);
}

export function sketchCount(sketch: LatencySketch): number {
  return sketch.counts.reduce((sum, c) => sum + c, 0);
}

/**
 * The bucket key at quantile q (0..1), DDSketch's rank rule: the first bucket
 * whose cumulative count exceeds q * (n - 1). The SQL usage query applies the
 * same rule. Null for an empty sketch.
 */
export function sketchQuantileKey(sketch: LatencySketch, q: number): number | null {
  const n = sketchCount(sketch);
  if (n === 0 || !(q >= 0 && q <= 1)) return null;
  const rank = q * (n - 1);
  let running = 0;
  for (let i = 0; i < sketch.keys.length; i++) {
    running += sketch.counts[i]!;
    if (running > rank) return sketch.keys[i]!;
  }
  return sketch.keys[sketch.keys.length - 1]!;
}

/** The latency (ms) at quantile q; null for an empty sketch. */
export function sketchQuantile(sketch: LatencySketch, q: number): number | null {
  const key = sketchQuantileKey(sketch, q);
  return key === null ? null : sketchBucketValue(key);
}
