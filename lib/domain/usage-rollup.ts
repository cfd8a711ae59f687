import { apportion } from "./largest-remainder";
import { mergeSketches, type LatencySketch } from "./latency-sketch";
import { interpolatedSummarySketch } from "./summary-sketch";

/**
 * Usage windows → 15-minute rollup buckets. A window that spans several
 * buckets is prorated by time: milliseconds split exactly at the boundaries,
 * and every count (requests, tokens, each latency-sketch bucket) is split in
 * proportion to those milliseconds by largest remainder, so a window's parts
 * always sum exactly to the window.
 *
 * Windows entered with summary percentiles only (no sketch) join the latency
 * distribution interpolated through their p50/p95/p99 in log space
 * (summary-sketch.ts, interpolatedSummarySketch) over their served requests. Percentiles over a range that includes them are
 * approximate, and `approxRequests` says by how many requests.
 *
 * Utilization is summed over traffic windows only (requests > 0): with
 * trafficMs = windowMs − idleMs, the idle-cost inputs of inference-cost.ts are
 * idleMsDuringTraffic = utilMs − utilCentiPctMs / 10,000.
 */
export const QUARTER_MS = 15 * 60 * 1000;

export interface UsageWindowInput {
  windowStart: Date;
  windowSeconds: number;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  latency: LatencySketch | null;
  summaryMs: { p50: number; p95: number; p99: number } | null;
  /** Hundredths of a percent (Decimal(5,2) × 100), or null when not reported. */
  avgGpuUtilizationCentiPct: number | null;
}

export interface UsageMeasures {
  windowCount: number;
  windowMs: bigint;
  idleMs: bigint;
  utilMs: bigint;
  /** Milliseconds of traffic windows that report GPU utilization. */
  /** Σ over those windows of utilization (hundredths of a percent) × ms: utilPctMs × 100. */
  utilCentiPctMs: bigint;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  approxRequests: bigint;
  latency: LatencySketch;
}

export const EMPTY_MEASURES: UsageMeasures = {
  windowCount: 0,
  windowMs: 0n,
  idleMs: 0n,
  utilMs: 0n,
  utilCentiPctMs: 0n,
  requests: 0n,
  errors: 0n,
  inputTokens: 0n,
  cachedInputTokens: 0n,
  outputTokens: 0n,
  approxRequests: 0n,
  latency: { keys: [], counts: [] },
};

export function quarterStart(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / QUARTER_MS) * QUARTER_MS);
}

/** The window's latency distribution: its sketch, or one interpolated through its summary percentiles. */
export function windowLatency(window: Pick<UsageWindowInput, "latency" | "summaryMs" | "requests" | "errors">): {
  sketch: LatencySketch;
  isApproximate: boolean;
} {
  if (window.latency && window.latency.keys.length > 0) return { sketch: window.latency, isApproximate: false };
  const served = window.requests - window.errors;
  if (!window.summaryMs || served <= 0n) return { sketch: { keys: [], counts: [] }, isApproximate: false };
  const { p50, p95, p99 } = window.summaryMs;
  return { sketch: interpolatedSummarySketch({ requests: served, p50Ms: p50, p95Ms: p95, p99Ms: p99 }), isApproximate: true };
}

/**
 * A sketch cut into parts in proportion to `weights`: every key's count is
 * split exactly (the parts sum to the sketch), and each key's requests go
 * first to the parts furthest behind their share of the requests so far
 * (largest remainder over those shortfalls). Splitting key by key alone would
 * hand every key's rounding remainder to the same (earliest) parts: with a
 * sketch of many thin keys, as a summary window's interpolated sketch is, the
 * first quarters of a long window would get a request of nearly every key.
 */
function splitSketch(sketch: LatencySketch, weights: bigint[]): LatencySketch[] {
  const parts = weights.map(() => ({ keys: [] as number[], counts: [] as number[] }));
  const weightSum = weights.reduce((sum, w) => sum + w, 0n);
  const placed = weights.map(() => 0n);
  let cumulative = 0n;
  sketch.keys.forEach((key, k) => {
    const count = BigInt(sketch.counts[k]!);
    cumulative += count;
    // Part i's shortfall against its share of the requests through this key, × weightSum (they sum to count × weightSum).
    const shortfalls = weights.map((w, i) => {
      const shortfall = cumulative * w - placed[i]! * weightSum;
      return shortfall > 0n ? shortfall : 0n;
    });
    const split = apportion({ total: count, weights: shortfalls });
    split.forEach((part, i) => {
      if (part > 0n) {
        placed[i]! += part;
        parts[i]!.keys.push(key);
        parts[i]!.counts.push(Number(part));
      }
    });
  });
  return parts;
}

/** One window's share of each 15-minute bucket it touches. */
export function prorateWindow(window: UsageWindowInput): { bucketStart: Date; measures: UsageMeasures }[] {
  const startMs = window.windowStart.getTime();
  const endMs = startMs + window.windowSeconds * 1000;
  const pieces: { bucketStartMs: number; ms: bigint }[] = [];
  for (let q = Math.floor(startMs / QUARTER_MS) * QUARTER_MS; q < endMs; q += QUARTER_MS) {
    pieces.push({ bucketStartMs: q, ms: BigInt(Math.min(endMs, q + QUARTER_MS) - Math.max(startMs, q)) });
  }
  if (pieces.length === 0) return [];
  const latency = windowLatency(window);
  const isIdle = window.requests === 0n;
  const util = isIdle ? null : window.avgGpuUtilizationCentiPct;
  if (pieces.length === 1) {
    // The common case (a 5-minute window inside one quarter): nothing to split.
    const ms = pieces[0]!.ms;
    return [
      {
        bucketStart: new Date(pieces[0]!.bucketStartMs),
        measures: {
          windowCount: 1,
          windowMs: ms,
          idleMs: isIdle ? ms : 0n,
          utilMs: util === null ? 0n : ms,
          utilCentiPctMs: util === null ? 0n : BigInt(util) * ms,
          requests: window.requests,
          errors: window.errors,
          inputTokens: window.inputTokens,
          cachedInputTokens: window.cachedInputTokens,
          outputTokens: window.outputTokens,
          approxRequests: latency.isApproximate ? window.requests - window.errors : 0n,
          latency: latency.sketch,
        },
      },
    ];
  }
  const weights = pieces.map((p) => p.ms);
  const split = (total: bigint) => apportion({ total, weights });
  const requests = split(window.requests);
  const errors = split(window.errors);
  const inputTokens = split(window.inputTokens);
  const cachedInputTokens = split(window.cachedInputTokens);
  const outputTokens = split(window.outputTokens);
  const sketches = splitSketch(latency.sketch, weights);
  return pieces.map((piece, i) => ({
    bucketStart: new Date(piece.bucketStartMs),
    measures: {
      windowCount: i === 0 ? 1 : 0,
      windowMs: piece.ms,
      idleMs: isIdle ? piece.ms : 0n,
      utilMs: util === null ? 0n : piece.ms,
      utilCentiPctMs: util === null ? 0n : BigInt(util) * piece.ms,
      requests: requests[i]!,
      errors: errors[i]!,
      inputTokens: inputTokens[i]!,
      cachedInputTokens: cachedInputTokens[i]!,
      outputTokens: outputTokens[i]!,
      approxRequests: latency.isApproximate ? requests[i]! - errors[i]! : 0n,
      latency: sketches[i]!,
    },
  }));
}

export function addMeasures(a: UsageMeasures, b: UsageMeasures): UsageMeasures {
  return {
    windowCount: a.windowCount + b.windowCount,
    windowMs: a.windowMs + b.windowMs,
    idleMs: a.idleMs + b.idleMs,
    utilMs: a.utilMs + b.utilMs,
    utilCentiPctMs: a.utilCentiPctMs + b.utilCentiPctMs,
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    approxRequests: a.approxRequests + b.approxRequests,
    latency: mergeSketches(a.latency, b.latency),
  };
}

/**
 * The 15-minute rollup of a set of windows: bucket start (ms) → measures.
 * With `only`, keeps the buckets inside [only.start, only.end).
 */
export function rollupQuarters(
  windows: Iterable<UsageWindowInput>,
  only?: { start: Date; end: Date },
): Map<number, UsageMeasures> {
  const parts = new Map<number, UsageMeasures[]>();
  for (const window of windows) {
    for (const part of prorateWindow(window)) {
      const key = part.bucketStart.getTime();
      if (only && (key < only.start.getTime() || key >= only.end.getTime())) continue;
      const list = parts.get(key);
      if (list) list.push(part.measures);
      else parts.set(key, [part.measures]);
    }
  }
  return new Map([...parts].map(([key, list]) => [key, sumMeasures(list)]));
}

/** The sum of many measures; sketches merged once (cheaper than folding addMeasures). */
export function sumMeasures(parts: readonly UsageMeasures[]): UsageMeasures {
  if (parts.length === 1) return parts[0]!;
  const total = { ...EMPTY_MEASURES };
  for (const m of parts) {
    total.windowCount += m.windowCount;
    total.windowMs += m.windowMs;
    total.idleMs += m.idleMs;
    total.utilMs += m.utilMs;
    total.utilCentiPctMs += m.utilCentiPctMs;
    total.requests += m.requests;
    total.errors += m.errors;
    total.inputTokens += m.inputTokens;
    total.cachedInputTokens += m.cachedInputTokens;
    total.outputTokens += m.outputTokens;
    total.approxRequests += m.approxRequests;
  }
  total.latency = mergeLatency(parts.map((m) => m.latency), []) ?? mergeSketches(...parts.map((m) => m.latency));
  return total;
}

/** Counts per sketch key (+ 32,768: every smallint key has a slot), zero between uses. */
const keySlots = new Float64Array(65_536);
const KEY_OFFSET = 32_768;

/**
 * Σ plus − Σ minus of sketches, keys ascending, zero counts dropped (what
 * mergeSketches gives for plus alone). Null when a count would go negative
 * (or a key is no smallint). Counting in a dense array is several times
 * faster than mergeSketches' Map and sort; this runs for every rollup row.
 */
function mergeLatency(plus: readonly LatencySketch[], minus: readonly LatencySketch[]): LatencySketch | null {
  let lo = keySlots.length;
  let hi = -1;
  let isValid = true;
  const add = (sketch: LatencySketch, sign: number) => {
    for (let i = 0; i < sketch.keys.length; i++) {
      const slot = sketch.keys[i]! + KEY_OFFSET;
      if (!(slot >= 0 && slot < keySlots.length && Number.isInteger(slot))) {
        isValid = false;
        continue;
      }
      keySlots[slot]! += sign * (sketch.counts[i] ?? 0);
      if (slot < lo) lo = slot;
      if (slot > hi) hi = slot;
    }
  };
  for (const sketch of plus) add(sketch, 1);
  for (const sketch of minus) add(sketch, -1);
  const keys: number[] = [];
  const counts: number[] = [];
  for (let slot = lo; slot <= hi; slot++) {
    const count = keySlots[slot]!;
    if (count === 0) continue;
    keySlots[slot] = 0;
    if (count < 0) isValid = false;
    else {
      keys.push(slot - KEY_OFFSET);
      counts.push(count);
    }
  }
  return isValid ? { keys, counts } : null;
}

/**
 * The sketch with keys ascending and one pair per key. Stored rollup sketches
 * may repeat keys out of order (pure additions append: burnrate_sketch_add);
 * every sum of sketches here normalizes, and readers that use one stored
 * sketch as it is normalize it first.
 */
export function normalizeSketch(sketch: LatencySketch): LatencySketch {
  // Already normal (what clients and the sketch builders send): the same pairs, without a copy.
  if (isNormalSketch(sketch)) return { keys: sketch.keys, counts: sketch.counts };
  return mergeLatency([sketch], []) ?? mergeSketches(sketch);
}

/** Keys whole, in range and strictly ascending, one positive count each: what mergeLatency would return unchanged. */
function isNormalSketch({ keys, counts }: LatencySketch): boolean {
  if (keys.length !== counts.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const slot = keys[i]! + KEY_OFFSET;
    if (!(Number.isInteger(slot) && slot >= 0 && slot < keySlots.length && counts[i]! > 0 && (i === 0 || keys[i]! > keys[i - 1]!))) return false;
  }
  return true;
}

/** Whether two measures are the same (sketches compared key by key). */
export function sameMeasures(a: UsageMeasures, b: UsageMeasures): boolean {
  return (
    a.windowCount === b.windowCount &&
    a.windowMs === b.windowMs &&
    a.idleMs === b.idleMs &&
    a.utilMs === b.utilMs &&
    a.utilCentiPctMs === b.utilCentiPctMs &&
    a.requests === b.requests &&
    a.errors === b.errors &&
    a.inputTokens === b.inputTokens &&
    a.cachedInputTokens === b.cachedInputTokens &&
    a.outputTokens === b.outputTokens &&
    a.approxRequests === b.approxRequests &&
    a.latency.keys.length === b.latency.keys.length &&
    a.latency.keys.every((key, i) => key === b.latency.keys[i] && a.latency.counts[i] === b.latency.counts[i])
  );
}

/**
 * A rollup row after some of the rows it sums were replaced: base + Σ plus −
 * Σ minus, exactly (integer sums; sketch counts per key, keys ascending, zero
 * counts dropped — what sumMeasures of the remaining parts gives). Null when
 * anything would go negative: then `base` was not the sum it should have been.
 * A result with windowMs 0 sums nothing (every 15-minute row covers some
 * milliseconds) and is EMPTY_MEASURES when it is consistent.
 */
export function adjustMeasures(base: UsageMeasures | undefined, plus: readonly UsageMeasures[], minus: readonly UsageMeasures[]): UsageMeasures | null {
  const total = { ...(base ?? EMPTY_MEASURES) };
  // Plain additions (BigInt multiplications by ±1 cost as much again: this runs for every rollup row a write touches).
  for (const m of plus) {
    total.windowCount += m.windowCount;
    total.windowMs += m.windowMs;
    total.idleMs += m.idleMs;
    total.utilMs += m.utilMs;
    total.utilCentiPctMs += m.utilCentiPctMs;
    total.requests += m.requests;
    total.errors += m.errors;
    total.inputTokens += m.inputTokens;
    total.cachedInputTokens += m.cachedInputTokens;
    total.outputTokens += m.outputTokens;
    total.approxRequests += m.approxRequests;
  }
  for (const m of minus) {
    total.windowCount -= m.windowCount;
    total.windowMs -= m.windowMs;
    total.idleMs -= m.idleMs;
    total.utilMs -= m.utilMs;
    total.utilCentiPctMs -= m.utilCentiPctMs;
    total.requests -= m.requests;
    total.errors -= m.errors;
    total.inputTokens -= m.inputTokens;
    total.cachedInputTokens -= m.cachedInputTokens;
    total.outputTokens -= m.outputTokens;
    total.approxRequests -= m.approxRequests;
  }
  const latency = mergeLatency(base ? [base.latency, ...plus.map((m) => m.latency)] : plus.map((m) => m.latency), minus.map((m) => m.latency));
  if (!latency) return null;
  total.latency = latency;
  const scalars = [total.windowMs, total.idleMs, total.utilMs, total.utilCentiPctMs, total.requests, total.errors, total.inputTokens, total.cachedInputTokens, total.outputTokens, total.approxRequests];
  if (total.windowCount < 0 || scalars.some((x) => x < 0n)) return null;
  if (total.windowMs === 0n && (total.windowCount !== 0 || scalars.some((x) => x !== 0n) || latency.keys.length > 0)) return null;
  return total;
}

/** Rollup sums → the traffic inputs of inference-cost.ts (idle time and metrics). */
export function trafficTotals(row: {
  windowMs: bigint;
  idleMs: bigint;
  utilMs: bigint;
  /** Σ utilization % × ms, a decimal string with up to 2 places. */
  utilPctMs: string;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
}) {
  // Utilization-weighted time is a measurement; float precision is ample here.
  const busyMs = Number(row.utilPctMs) / 100;
  return {
    requests: row.requests,
    errors: row.errors,
    inputTokens: row.inputTokens,
    cachedInputTokens: row.cachedInputTokens,
    outputTokens: row.outputTokens,
    recordedMs: Number(row.windowMs),
    trafficMs: Number(row.windowMs - row.idleMs),
    idleMsDuringTraffic: Math.max(0, Number(row.utilMs) - busyMs),
  };
}
