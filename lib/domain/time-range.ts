/** A half-open interval of instants, [start, end). */
export interface TimeRange {
  start: Date;
  end: Date;
}

/** Length in milliseconds; 0 for an empty or inverted range. */
export function durationMs(range: TimeRange): number {
  return Math.max(0, range.end.getTime() - range.start.getTime());
}

/** The common part of two ranges, or null when they share no instant. */
export function intersectRanges(a: TimeRange, b: TimeRange): TimeRange | null {
  const startMs = Math.max(a.start.getTime(), b.start.getTime());
  const endMs = Math.min(a.end.getTime(), b.end.getTime());
  return startMs < endMs ? { start: new Date(startMs), end: new Date(endMs) } : null;
}

/** Milliseconds two ranges have in common. */
export function overlapMs(a: TimeRange, b: TimeRange): number {
  const common = intersectRanges(a, b);
  return common === null ? 0 : durationMs(common);
}

/**
 * The interval something has been running: [startedAt, endedAt), or up to
 * `now` while it has no end. A start after `now` gives an empty interval.
 */
export function runningInterval({ startedAt, endedAt, now }: { startedAt: Date; endedAt: Date | null; now: Date }): TimeRange {
  const end = endedAt ?? now;
  if (end.getTime() < startedAt.getTime()) {
    if (endedAt !== null) throw new RangeError("endedAt is before startedAt");
    return { start: startedAt, end: startedAt };
  }
  return { start: startedAt, end };
}
