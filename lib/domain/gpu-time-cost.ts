/**
 * The cost of GPU time, shared by training runs and inference deployments:
 * gpuCount × hours × the price in effect, cut at every price change.
 *
 * The price in effect is the item's override when it has one; otherwise the
 * catalog period in effect at that instant, [effectiveFrom, effectiveTo).
 * When catalog periods overlap, the one with the latest effectiveFrom wins
 * (the later one in the list on a tie): adding a new list price supersedes an
 * open-ended older one without having to close it first. Time with no price
 * in effect is returned as unpriced, never charged at $0 silently.
 *
 * Rounding is money.ts rule 4 along the item's cost curve: the exact cost
 * from the item's start up to t is rounded at t, and the cost of any stretch
 * [x, y) is the difference of those roundings. An item's cost within a range
 * is therefore the same whichever query asks, and its buckets and price
 * lines sum exactly.
 */
import { parseUsdMicros, roundToMicros, SUB_MICROS_PER_MICRO, type UsdInput } from "./money";
import { durationMs, intersectRanges, overlapMs, type TimeRange } from "./time-range";

const MS_PER_HOUR = Number(SUB_MICROS_PER_MICRO);

export interface PricePeriod {
  pricePerGpuHour: UsdInput;
  effectiveFrom: Date;
  /** Null while the price is still current. */
  effectiveTo: Date | null;
}

export interface GpuTimePricing {
  gpuCount: number;
  pricePerGpuHourOverride: UsdInput | null;
  /** Catalog prices for this GPU type, provider and pricing model. */
  catalogPrices: readonly PricePeriod[];
}

/** A stretch of time at one price, or with none. */
export type PriceSpan = TimeRange &
  ({ source: "override" | "catalog"; pricePerGpuHourMicros: bigint } | { source: "none"; pricePerGpuHourMicros: null });

/** One line of "how this figure was computed". Unpriced lines have no cost. */
export type GpuTimeLine = PriceSpan & { gpuHours: number; costMicros: bigint | null };

export interface GpuTimeCost {
  gpuHours: number;
  /** Chronological; together they cover the costed range. */
  lines: GpuTimeLine[];
  unpricedGpuHours: number;
  hasUnpricedTime: boolean;
  computeCostMicros: bigint;
}

export interface GpuTimeBucketCost extends TimeRange {
  gpuHours: number;
  unpricedGpuHours: number;
  computeCostMicros: bigint;
}

function assertGpuCount(gpuCount: number): void {
  if (!Number.isSafeInteger(gpuCount) || gpuCount < 0) throw new RangeError("gpuCount must be a non-negative integer");
}

export function gpuHours({ gpuCount, durationMs }: { gpuCount: number; durationMs: number }): number {
  return (gpuCount * durationMs) / MS_PER_HOUR;
}

/** The prices in effect over `interval`, as contiguous spans covering it. */
export function priceSpans({
  interval,
  pricePerGpuHourOverride,
  catalogPrices,
}: {
  interval: TimeRange;
  pricePerGpuHourOverride: UsdInput | null;
  catalogPrices: readonly PricePeriod[];
}): PriceSpan[] {
  const startMs = interval.start.getTime();
  const endMs = interval.end.getTime();
  if (endMs <= startMs) return [];
  if (pricePerGpuHourOverride !== null) {
    return [{ ...interval, source: "override", pricePerGpuHourMicros: parseUsdMicros(pricePerGpuHourOverride) }];
  }

  const periods = catalogPrices.map((p) => ({
    fromMs: p.effectiveFrom.getTime(),
    toMs: p.effectiveTo?.getTime() ?? Infinity,
    pricePerGpuHourMicros: parseUsdMicros(p.pricePerGpuHour),
  }));
  const cuts = [
    ...new Set([startMs, endMs, ...periods.flatMap((p) => [p.fromMs, p.toMs]).filter((t) => t > startMs && t < endMs)]),
  ].sort((a, b) => a - b);

  // Pieces between consecutive cuts, each with the index of the winning period
  // (-1: none), merged while the winner stays the same.
  const pieces: { startMs: number; endMs: number; winner: number }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const pieceStart = cuts[i]!;
    const pieceEnd = cuts[i + 1]!;
    let winner = -1;
    periods.forEach((p, index) => {
      const isInEffect = p.fromMs <= pieceStart && pieceStart < p.toMs;
      if (isInEffect && (winner === -1 || p.fromMs >= periods[winner]!.fromMs)) winner = index;
    });
    const previous = pieces.at(-1);
    if (previous?.winner === winner) previous.endMs = pieceEnd;
    else pieces.push({ startMs: pieceStart, endMs: pieceEnd, winner });
  }
  return pieces.map((piece): PriceSpan => {
    const range = { start: new Date(piece.startMs), end: new Date(piece.endMs) };
    const period = periods[piece.winner];
    return period
      ? { ...range, source: "catalog", pricePerGpuHourMicros: period.pricePerGpuHourMicros }
      : { ...range, source: "none", pricePerGpuHourMicros: null };
  });
}

/**
 * The item's cost curve: t ↦ micro-dollars from the item's start up to t, the
 * exact sub-micros rounded at t (money.ts, rule 4). Constant where unpriced.
 */
function costCurve(spans: readonly PriceSpan[], gpuCount: number): (t: Date) => bigint {
  return (t) => {
    let exactSubMicros = 0n;
    for (const span of spans) {
      if (span.pricePerGpuHourMicros === null) continue;
      const elapsedMs = Math.min(span.end.getTime(), t.getTime()) - span.start.getTime();
      if (elapsedMs > 0) exactSubMicros += span.pricePerGpuHourMicros * BigInt(gpuCount) * BigInt(elapsedMs);
    }
    return roundToMicros(exactSubMicros);
  };
}

export interface GpuTimeItem extends GpuTimePricing {
  /** The item's whole running interval; its cost curve starts at interval.start. */
  interval: TimeRange;
}

/**
 * The cost of an item's GPU time within `range` (all of it by default), line
 * by line: one line per price span inside the range.
 */
export function gpuTimeCost({ range, ...item }: GpuTimeItem & { range?: TimeRange }): GpuTimeCost {
  assertGpuCount(item.gpuCount);
  const costed = range === undefined ? item.interval : intersectRanges(item.interval, range);
  const spans = priceSpans(item);
  const costAt = costCurve(spans, item.gpuCount);
  const lines = spans.flatMap((span): GpuTimeLine[] => {
    const inRange = costed === null ? null : intersectRanges(span, costed);
    if (inRange === null) return [];
    return [
      {
        ...span,
        ...inRange,
        gpuHours: gpuHours({ gpuCount: item.gpuCount, durationMs: durationMs(inRange) }),
        costMicros: span.source === "none" ? null : costAt(inRange.end) - costAt(inRange.start),
      },
    ];
  });
  const unpricedGpuHours = lines.filter((l) => l.source === "none").reduce((sum, l) => sum + l.gpuHours, 0);
  return {
    gpuHours: gpuHours({ gpuCount: item.gpuCount, durationMs: costed === null ? 0 : durationMs(costed) }),
    lines,
    unpricedGpuHours,
    hasUnpricedTime: unpricedGpuHours > 0,
    computeCostMicros: costed === null ? 0n : costAt(costed.end) - costAt(costed.start),
  };
}

/**
 * The cost of an item's GPU time in each bucket. Buckets that cover the
 * item's interval sum exactly to gpuTimeCost's computeCostMicros.
 */
export function gpuTimeCostByBucket({ buckets, ...item }: GpuTimeItem & { buckets: readonly TimeRange[] }): GpuTimeBucketCost[] {
  assertGpuCount(item.gpuCount);
  const spans = priceSpans(item);
  const unpricedSpans = spans.filter((s) => s.source === "none");
  const costAt = costCurve(spans, item.gpuCount);
  return buckets.map((bucket) => {
    const inItem = intersectRanges(item.interval, bucket);
    const unpricedMs = unpricedSpans.reduce((sum, span) => sum + overlapMs(span, bucket), 0);
    return {
      start: bucket.start,
      end: bucket.end,
      gpuHours: gpuHours({ gpuCount: item.gpuCount, durationMs: inItem === null ? 0 : durationMs(inItem) }),
      unpricedGpuHours: gpuHours({ gpuCount: item.gpuCount, durationMs: unpricedMs }),
      computeCostMicros: inItem === null ? 0n : costAt(inItem.end) - costAt(inItem.start),
    };
  });
}
