/**
 * A summary-only window (requests, p50, p95, p99) as a latency sketch drawn
 * from a smooth quantile function through its three known points. Used for
 * every summary-only window, in the rollups (usage-rollup.ts windowLatency)
 * and in percentiles.ts; it replaced point masses at the three points (51% at
 * p50, 45% at p95, 4% at p99), which piled each window's requests onto three
 * values and biased merged percentiles upward.
 *
 * The quantile function: log-latency is piecewise linear in the log-odds
 * ln(p / (1 − p)) through (0.5, p50), (0.95, p95), (0.99, p99), i.e. each
 * piece is a log-logistic distribution: symmetric in log-latency near the
 * median like a log-normal, a power law (Pareto-like) in the upper tail.
 *   - Below p50 the p50–p95 log-slope continues down to p = 0.001, where the
 *     function ends at p50 × (p50/p95)^2.35; the fastest 0.1% sit there.
 *   - Above p99 the p95–p99 log-slope continues up to p = 0.999, where it
 *     ends at p99 × (p99/p95)^1.40; the slowest 0.1% sit there (nothing is
 *     known past p99, and an unbounded power law would put a few requests at
 *     absurd latencies).
 * Flat stretches (p50 = p95, p95 = p99) and zero latencies work: a zero is
 * read as the sketch's smallest latency, as sketchKey does. How the lower
 * tail is shaped matters when windows of very different speeds are merged;
 * see latency-accuracy.test.ts for what this choice gives.
 *
 * Requests are whole: the window's own p50/p95/p99 must read back, so the
 * requests at the ranks the sketch reads for them (floor(q × (n − 1)), see
 * sketchQuantileKey) are placed exactly at p50, p95 and p99, and the requests
 * ranked between are spread along the quantile function between those points
 * (sketch-spread.ts, exact integer counts). When two of those ranks are the
 * same request (fewer than about 30 requests), it takes the lower percentile,
 * so a one-request window is one request at its p50.
 */
import { EMPTY_SKETCH, type LatencySketch, SKETCH_MIN_MS, mergeSketches } from "./latency-sketch";
import type { SummaryOnlyWindow } from "./percentiles";
import { spreadOverKeys } from "./sketch-spread";

/** The coordinate log-latency is linear in: the log-odds of the quantile level. */
function logOdds(p: number): number {
  return Math.log(p / (1 - p));
}

/** Known quantile levels, in percent. */
const KNOWN_PERCENT = [50, 95, 99] as const;
/** Where the quantile function starts and ends; the requests beyond sit at its ends. */
const LOWEST_P = 0.001;
const HIGHEST_P = 0.999;

interface Knot {
  p: number;
  logMs: number;
}

/** The window's quantile function as knots (p, ln latency), linear in log-odds between them. */
function quantileKnots({ p50Ms, p95Ms, p99Ms }: SummaryOnlyWindow): [Knot, Knot, Knot, Knot, Knot] {
  const knot = (p: number, ms: number) => ({ p, logMs: Math.log(Math.max(ms, SKETCH_MIN_MS)) });
  const [k50, k95, k99] = [knot(0.5, p50Ms), knot(0.95, p95Ms), knot(0.99, p99Ms)];
  const extend = (a: Knot, b: Knot, p: number) => {
    const slope = (b.logMs - a.logMs) / (logOdds(b.p) - logOdds(a.p));
    return { p, logMs: a.logMs + slope * (logOdds(p) - logOdds(a.p)) };
  };
  return [extend(k50, k95, LOWEST_P), k50, k95, k99, extend(k95, k99, HIGHEST_P)];
}

/** The highest quantile level whose latency is at most e^logMs (the quantile function's inverse). */
function levelAt(knots: readonly Knot[], logMs: number): number {
  for (let i = 1; i < knots.length; i++) {
    const a = knots[i - 1]!;
    const b = knots[i]!;
    if (logMs >= b.logMs) continue;
    if (logMs <= a.logMs) return a.p;
    const odds = logOdds(a.p) + ((logMs - a.logMs) / (b.logMs - a.logMs)) * (logOdds(b.p) - logOdds(a.p));
    return 1 / (1 + Math.exp(-odds));
  }
  return knots.at(-1)!.p;
}

/**
 * `count` requests ranked between two knots, spread along the quantile
 * function between them; the first and last stretches also take the levels
 * beyond the function's ends (0 to LOWEST_P, HIGHEST_P to 1) at its end values.
 */
function stretchSketch(knots: readonly Knot[], count: bigint, from: Knot, to: Knot): LatencySketch {
  const pFrom = from === knots[0] ? 0 : from.p;
  const pTo = to === knots.at(-1) ? 1 : to.p;
  const cdf = (ms: number) => (Math.min(Math.max(levelAt(knots, Math.log(ms)), pFrom), pTo) - pFrom) / (pTo - pFrom);
  return spreadOverKeys({ count, fromMs: Math.exp(from.logMs), toMs: Math.exp(to.logMs), cdf });
}

function validate(window: SummaryOnlyWindow): bigint {
  const { p50Ms, p95Ms, p99Ms } = window;
  if (!(Number.isFinite(p99Ms) && 0 <= p50Ms && p50Ms <= p95Ms && p95Ms <= p99Ms)) {
    throw new RangeError("summary percentiles must be finite, non-negative and ordered p50 ≤ p95 ≤ p99");
  }
  const requests = BigInt(window.requests);
  if (requests < 0n) throw new RangeError("requests must be non-negative");
  return requests;
}

/** A summary-only window as a sketch along its interpolated quantile function (see the file header). */
export function interpolatedSummarySketch(window: SummaryOnlyWindow): LatencySketch {
  const requests = validate(window);
  if (requests === 0n) return EMPTY_SKETCH;
  const knots = quantileKnots(window);
  // The request the sketch reads for each known percentile; equal ranks keep the lower percentile.
  const anchors: { rank: bigint; knot: Knot }[] = [];
  KNOWN_PERCENT.forEach((percent, i) => {
    // The float product sketchQuantileKey reads with, so both agree at exact ranks.
    const rank = BigInt(Math.floor((percent / 100) * Number(requests - 1n)));
    if (anchors.at(-1)?.rank !== rank) anchors.push({ rank, knot: knots[i + 1]! });
  });
  const parts: LatencySketch[] = [];
  let previous = { rank: -1n, knot: knots[0] };
  for (const anchor of [...anchors, { rank: requests, knot: knots[4] }]) {
    parts.push(stretchSketch(knots, anchor.rank - previous.rank - 1n, previous.knot, anchor.knot));
    const atMs = Math.exp(anchor.knot.logMs);
    if (anchor.rank < requests) parts.push(spreadOverKeys({ count: 1n, fromMs: atMs, toMs: atMs }));
    previous = anchor;
  }
  return mergeSketches(...parts);
}
