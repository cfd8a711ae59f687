/**
 * Scrapes of an inference server's `/metrics` (vLLM, or SGLang) → usage windows.
 *
 * A scrape is read into one snapshot per engine, keyed by the labels vLLM (V1)
 * puts on every series: `model_name` (the served model name) and `engine` (the
 * engine-core index under data parallelism; null when absent, as in vLLM V0
 * and SGLang). The caller maps each key to a deployment by configuration.
 *
 * Two successive snapshots of an engine make one window [previous scrape,
 * this scrape) holding the counters' deltas. vLLM mapping (families as current
 * vLLM names them in text format; fixtures/ holds a full layout):
 *
 *   requests       Δ vllm:request_success_total, summed over finished_reason
 *                  (stop, length, abort, error, repetition)
 *   errors         Δ of the finished_reason values in `errorReasons`, by default
 *                  only "error" (vLLM: "retryable request-level internal error…
 *                  always converted to 500"). "abort" is the client cancelling or
 *                  disconnecting, and "repetition" a stopped hallucination loop:
 *                  both were served as asked, so they are requests, not errors.
 *   inputTokens    Δ vllm:prompt_tokens_total (every prompt token, cached or not)
 *   cachedInputTokens
 *                  Δ vllm:prompt_tokens_cached_total (prompt tokens served from
 *                  the local prefix cache or an external KV transfer), when the
 *                  scrape has it; else Δ vllm:prefix_cache_hits_total, which
 *                  counts TOKENS since vLLM 0.9 (its HELP: "in terms of number of
 *                  cached tokens"; the older vllm:gpu_prefix_cache_hits counted
 *                  blocks and is not used) but counts scheduler lookups, so a
 *                  preempted request can count twice. Capped at inputTokens.
 *   outputTokens   Δ vllm:generation_tokens_total
 *   latency        Δ vllm:e2e_request_latency_seconds per bucket, bounds read
 *                  from the data (le seconds × 1000 = ms) → sketchFromHistogram
 *   timeToFirstToken  the same for vllm:time_to_first_token_seconds (not yet
 *                  stored: UsageWindowInput has no field for it)
 *   atEnd          gauges at the end of the window (this scrape's values):
 *                  vllm:kv_cache_usage_perc (0–1), vllm:num_requests_running,
 *                  vllm:num_requests_waiting. A gauge is a point in time, not an
 *                  average, so it is context, not a window measure; KV-cache
 *                  usage is not GPU utilization, so avgGpuUtilizationCentiPct
 *                  stays null.
 *
 * SGLang (PROFILES.sglang): requests = Δ sglang:num_requests_total (no finish
 * reason, so errors are 0), sglang:prompt_tokens_total,
 * sglang:generation_tokens_total, sglang:cached_tokens_total,
 * sglang:e2e_request_latency_seconds, sglang:time_to_first_token_seconds; no
 * gauges and no `_created`.
 *
 * Restarts. A restarted server starts its counters from zero. An engine has
 * restarted when any of its counters or histogram buckets went down, or when
 * the `_created` time prometheus_client publishes for its counters changed
 * (that also catches a restart after which the counters already passed their
 * old values, which Prometheus's rate() would miss). Then every delta is the
 * new value, as rate() does: the requests served between the last scrape and
 * the restart are lost, the ones after it are counted.
 *
 * A series missing from the previous scrape counts from zero: within one
 * server process it can only have been created since (prometheus_client adds a
 * labelled series on its first use).
 *
 * Gaps. A missing scrape (a failed one in the sequence, or two scrapes further
 * apart than `maxWindowSeconds`) is a gap: no window, never an idle one, and
 * the next good scrape is a new baseline. So is an engine that is not in both
 * scrapes.
 *
 * Window bounds are the scrape times truncated to whole seconds (windows are
 * stored with whole-second lengths), so successive windows tile exactly.
 */
import { sketchFromHistogram } from "@/lib/domain/histogram-sketch";
import type { LatencySketch } from "@/lib/domain/latency-sketch";
import type { UsageWindowInput } from "@/lib/domain/usage-rollup";
import { exactCount, ExpositionError, histogramSeries, type HistogramSeries, labelsKey, type MetricFamily, parseExposition, sampleValue } from "./exposition";

/** The servers whose scrapes can be read. */
export type ServerKind = "vllm" | "sglang";

export interface EngineKey {
  modelName: string;
  /** vLLM V1's engine index ("0", "1", … under data parallelism); null when the scrape has no engine label. */
  engine: string | null;
}

export interface CumulativeHistogram {
  /** Bucket bounds as written (`le`), ascending, ending with "+Inf". */
  le: string[];
  /** Cumulative counts per bound. */
  counts: bigint[];
}

export interface EngineSnapshot {
  server: ServerKind;
  key: EngineKey;
  /** finished_reason → cumulative finished requests (one entry, ALL_REQUESTS, for SGLang). */
  requestsByReason: ReadonlyMap<string, bigint>;
  promptTokens: bigint;
  generationTokens: bigint;
  /** Cached prompt tokens (vllm:prompt_tokens_cached_total, sglang:cached_tokens_total), when published. */
  cachedTokens: bigint | null;
  /** vllm:prefix_cache_hits_total (tokens), when published. */
  prefixCacheHits: bigint | null;
  e2eLatency: CumulativeHistogram | null;
  timeToFirstToken: CumulativeHistogram | null;
  kvCacheUsage: number | null;
  requestsRunning: number | null;
  requestsWaiting: number | null;
  /** `_created` of the engine's counters as written (changes when the server restarts), or null when not published. */
  createdMark: string | null;
}

export interface ServerScrape {
  scrapedAt: Date;
  /** By `engineKeyString`. */
  engines: ReadonlyMap<string, EngineSnapshot>;
}

/** A scrape that failed (timeout, connection refused, bad response): a gap in the series. */
export interface MissedScrape {
  scrapedAt: Date;
  missed: true;
}

export interface ScrapedUsageWindow extends UsageWindowInput {
  key: EngineKey;
  timeToFirstToken: LatencySketch | null;
  atEnd: { kvCacheUsage: number | null; requestsRunning: number | null; requestsWaiting: number | null };
  /** The engine restarted during the window: deltas are counted from the restart. */
  restarted: boolean;
  /** The family cachedInputTokens came from, or null when the server published none. */
  cachedInputTokensFrom: string | null;
  /** Things a reader should know (e.g. latency histogram count ≠ requests). */
  warnings: string[];
}

export interface ScrapeWindowOptions {
  /** A window longer than this is a gap instead (missed scrapes). */
  maxWindowSeconds: number;
  /** finished_reason values counted as errors; default ["error"]. */
  errorReasons?: readonly string[];
}

export const DEFAULT_ERROR_REASONS: readonly string[] = ["error"];

export function engineKeyString(key: EngineKey): string {
  return JSON.stringify([key.modelName, key.engine]);
}

/** Where a server publishes each figure (families as written in text format). */
interface ServerProfile {
  server: ServerKind;
  requests: string;
  /** The label splitting requests by how they finished, if any. */
  reasonLabel: string | null;
  promptTokens: string;
  generationTokens: string;
  cachedTokens: string | null;
  prefixCacheHits: string | null;
  e2e: string;
  ttft: string;
  kvCacheUsage: string | null;
  running: string | null;
  waiting: string | null;
  /** A gauge family holding the counters' creation time (prometheus_client's `_created`), if published. */
  created: string | null;
}

const PROFILES: Record<ServerKind, ServerProfile> = {
  vllm: {
    server: "vllm",
    requests: "vllm:request_success_total",
    reasonLabel: "finished_reason",
    promptTokens: "vllm:prompt_tokens_total",
    generationTokens: "vllm:generation_tokens_total",
    cachedTokens: "vllm:prompt_tokens_cached_total",
    prefixCacheHits: "vllm:prefix_cache_hits_total",
    e2e: "vllm:e2e_request_latency_seconds",
    ttft: "vllm:time_to_first_token_seconds",
    kvCacheUsage: "vllm:kv_cache_usage_perc",
    running: "vllm:num_requests_running",
    waiting: "vllm:num_requests_waiting",
    created: "vllm:prompt_tokens_created",
  },
  // SGLang's tokenizer metrics (labelled by model_name only; prometheus_client
  // multiprocess mode, so no _created). Its scheduler gauges carry tp/pp/dp rank
  // labels per process and are not read.
  sglang: {
    server: "sglang",
    requests: "sglang:num_requests_total",
    reasonLabel: null,
    promptTokens: "sglang:prompt_tokens_total",
    generationTokens: "sglang:generation_tokens_total",
    cachedTokens: "sglang:cached_tokens_total",
    prefixCacheHits: null,
    e2e: "sglang:e2e_request_latency_seconds",
    ttft: "sglang:time_to_first_token_seconds",
    kvCacheUsage: null,
    running: null,
    waiting: null,
    created: null,
  },
};

/** requestsByReason's key when the server does not say how requests finished (SGLang). */
export const ALL_REQUESTS = "*";

function keyOf(labels: Readonly<Record<string, string>>, where: string): EngineKey {
  const modelName = labels.model_name;
  if (modelName === undefined) throw new ExpositionError(`${where}: series without a model_name label`);
  return { modelName, engine: labels.engine ?? null };
}

function familyOf(families: ReadonlyMap<string, MetricFamily>, name: string | null, type: MetricFamily["type"]): MetricFamily | null {
  if (name === null) return null;
  const family = families.get(name);
  if (!family) return null;
  // A scrape without TYPE lines leaves counters and gauges untyped; their samples read the same.
  const fits = family.type === type || (family.type === "untyped" && type !== "histogram");
  if (!fits) throw new ExpositionError(`${name} must be a ${type} (the scrape says ${family.type})`);
  return family;
}

/** One value per engine of a family whose only labels are model_name and engine. */
function perEngine<T>(family: MetricFamily | null, read: (sample: MetricFamily["samples"][number]) => T): Map<string, T> {
  const out = new Map<string, T>();
  for (const sample of family?.samples ?? []) {
    const key = engineKeyString(keyOf(sample.labels, sample.name));
    if (out.has(key)) throw new ExpositionError(`${sample.name}: one engine has several series (labels ${labelsKey(sample.labels)})`, sample.line);
    out.set(key, read(sample));
  }
  return out;
}

function histogramsPerEngine(family: MetricFamily | null): Map<string, CumulativeHistogram> {
  const out = new Map<string, CumulativeHistogram>();
  if (!family) return out;
  for (const series of histogramSeries(family)) {
    const key = engineKeyString(keyOf(series.labels, family.name));
    if (out.has(key)) throw new ExpositionError(`${family.name}: one engine has several series (labels ${labelsKey(series.labels)})`);
    const negative = series.buckets.find((bucket) => bucket.leValue < 0);
    if (negative) throw new ExpositionError(`${family.name}: a latency bucket bound must be ≥ 0 (le="${negative.le}")`);
    out.set(key, toCumulative(series));
  }
  return out;
}

function toCumulative(series: HistogramSeries): CumulativeHistogram {
  return { le: series.buckets.map((b) => b.le), counts: series.buckets.map((b) => b.count) };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * Reads one scrape (text exposition format) of a vLLM server. Throws
 * ExpositionError, with the line and series, on anything malformed or a count
 * that is not a whole number.
 */
export function readVllmScrape({ text, scrapedAt }: { text: string; scrapedAt: Date }): ServerScrape {
  return readScrape(PROFILES.vllm, text, scrapedAt);
}

/** The same for an SGLang server (`--enable-metrics`). */
export function readSglangScrape({ text, scrapedAt }: { text: string; scrapedAt: Date }): ServerScrape {
  return readScrape(PROFILES.sglang, text, scrapedAt);
}

function readScrape(profile: ServerProfile, text: string, scrapedAt: Date): ServerScrape {
  if (Number.isNaN(scrapedAt.getTime())) throw new RangeError("scrapedAt must be a valid time");
  const families = parseExposition(text);
  const success = familyOf(families, profile.requests, "counter");
  if (!success) throw new ExpositionError(`not a ${profile.server} scrape: no ${profile.requests}`);

  const requests = new Map<string, { key: EngineKey; byReason: Map<string, bigint> }>();
  for (const sample of success.samples) {
    const key = keyOf(sample.labels, sample.name);
    const reason = profile.reasonLabel === null ? ALL_REQUESTS : sample.labels[profile.reasonLabel];
    if (reason === undefined) throw new ExpositionError(`${sample.name}: series without a ${profile.reasonLabel} label`, sample.line);
    const entry = requests.get(engineKeyString(key)) ?? { key, byReason: new Map<string, bigint>() };
    requests.set(engineKeyString(key), entry);
    if (entry.byReason.has(reason)) throw new ExpositionError(`${sample.name}: ${profile.reasonLabel ?? "the series"} "${reason}" given twice for one engine`, sample.line);
    entry.byReason.set(reason, exactCount(sample));
  }
  const promptTokens = perEngine(familyOf(families, profile.promptTokens, "counter"), exactCount);
  const generationTokens = perEngine(familyOf(families, profile.generationTokens, "counter"), exactCount);
  const cachedTokens = perEngine(familyOf(families, profile.cachedTokens, "counter"), exactCount);
  const prefixCacheHits = perEngine(familyOf(families, profile.prefixCacheHits, "counter"), exactCount);
  const e2e = histogramsPerEngine(familyOf(families, profile.e2e, "histogram"));
  const ttft = histogramsPerEngine(familyOf(families, profile.ttft, "histogram"));
  const kvCacheUsage = perEngine(familyOf(families, profile.kvCacheUsage, "gauge"), (s) => finiteOrNull(sampleValue(s)));
  const running = perEngine(familyOf(families, profile.running, "gauge"), (s) => finiteOrNull(sampleValue(s)));
  const waiting = perEngine(familyOf(families, profile.waiting, "gauge"), (s) => finiteOrNull(sampleValue(s)));
  const created = perEngine(familyOf(families, profile.created, "gauge"), (s) => s.value);

  const engines = new Map<string, EngineSnapshot>();
  for (const [id, { key, byReason }] of requests) {
    const prompt = promptTokens.get(id);
    const generation = generationTokens.get(id);
    const where = `model_name="${key.modelName}"${key.engine === null ? "" : ` engine="${key.engine}"`}`;
    if (prompt === undefined) throw new ExpositionError(`${profile.promptTokens}: no series for ${where}`);
    if (generation === undefined) throw new ExpositionError(`${profile.generationTokens}: no series for ${where}`);
    engines.set(id, {
      server: profile.server,
      key,
      requestsByReason: byReason,
      promptTokens: prompt,
      generationTokens: generation,
      cachedTokens: cachedTokens.get(id) ?? null,
      prefixCacheHits: prefixCacheHits.get(id) ?? null,
      e2eLatency: e2e.get(id) ?? null,
      timeToFirstToken: ttft.get(id) ?? null,
      kvCacheUsage: kvCacheUsage.get(id) ?? null,
      requestsRunning: running.get(id) ?? null,
      requestsWaiting: waiting.get(id) ?? null,
      createdMark: created.get(id) ?? null,
    });
  }
  return { scrapedAt, engines };
}

const wholeSecondMs = (date: Date) => Math.floor(date.getTime() / 1000) * 1000;

/** Every cumulative value of a snapshot, by a name, for the restart check. */
function cumulativeValues(snapshot: EngineSnapshot): Map<string, bigint> {
  const values = new Map<string, bigint>([
    ["prompt_tokens", snapshot.promptTokens],
    ["generation_tokens", snapshot.generationTokens],
  ]);
  for (const [reason, count] of snapshot.requestsByReason) values.set(`request_success/${reason}`, count);
  if (snapshot.cachedTokens !== null) values.set("prompt_tokens_cached", snapshot.cachedTokens);
  if (snapshot.prefixCacheHits !== null) values.set("prefix_cache_hits", snapshot.prefixCacheHits);
  for (const [name, histogram] of [["e2e", snapshot.e2eLatency], ["ttft", snapshot.timeToFirstToken]] as const) {
    histogram?.le.forEach((le, i) => values.set(`${name}/${le}`, histogram.counts[i]!));
  }
  return values;
}

function hasRestarted(previous: EngineSnapshot, current: EngineSnapshot): boolean {
  if (previous.createdMark !== null && current.createdMark !== null && previous.createdMark !== current.createdMark) return true;
  const before = cumulativeValues(previous);
  for (const [name, value] of cumulativeValues(current)) {
    const old = before.get(name);
    if (old !== undefined && value < old) return true;
  }
  return false;
}

/** The histogram's observations in the window, as a sketch; null when it can't be told. */
function histogramDelta(
  name: string,
  previous: CumulativeHistogram | null,
  current: CumulativeHistogram | null,
  restarted: boolean,
  warnings: string[],
): { sketch: LatencySketch; count: bigint } | null {
  if (!current) return null;
  let counts = current.counts;
  if (!restarted && previous) {
    if (previous.le.length !== current.le.length || previous.le.some((le, i) => le !== current.le[i])) {
      warnings.push(`${name}: bucket bounds changed between scrapes; no latency for this window`);
      return null;
    }
    counts = current.counts.map((count, i) => count - previous.counts[i]!);
    if (counts.some((count, i) => i > 0 && count < counts[i - 1]!)) {
      warnings.push(`${name}: bucket deltas are not cumulative (a scrape taken mid-update?); no latency for this window`);
      return null;
    }
  }
  const buckets = current.le.map((le, i) => ({ leMs: secondsTextToMs(le), cumulativeCount: counts[i]! }));
  return { sketch: sketchFromHistogram(buckets), count: counts.at(-1) ?? 0n };
}

/** `le` in seconds (as written) → milliseconds, shifting the decimal exponent so 0.07 s is exactly 70 ms. */
export function secondsTextToMs(le: string): number {
  if (/^\+?inf$/i.test(le)) return Infinity;
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+))?$/.exec(le);
  if (!match) throw new ExpositionError(`invalid bucket bound le="${le}"`);
  return Number(`${match[1]}e${Number(match[2] ?? 0) + 3}`);
}

/**
 * The window between two snapshots of one engine, or null when they don't make
 * one (too far apart: a gap).
 */
export function scrapedUsageWindow({
  previous,
  current,
  previousAt,
  currentAt,
  options,
}: {
  previous: EngineSnapshot;
  current: EngineSnapshot;
  previousAt: Date;
  currentAt: Date;
  options: ScrapeWindowOptions;
}): ScrapedUsageWindow | null {
  if (previous.server !== current.server || engineKeyString(previous.key) !== engineKeyString(current.key)) {
    throw new RangeError("a window needs two snapshots of the same engine");
  }
  const startMs = wholeSecondMs(previousAt);
  const endMs = wholeSecondMs(currentAt);
  if (endMs <= startMs) throw new RangeError(`scrapes must be in time order and at least a second apart (${previousAt.toISOString()} → ${currentAt.toISOString()})`);
  const windowSeconds = (endMs - startMs) / 1000;
  if (windowSeconds > options.maxWindowSeconds) return null;

  const restarted = hasRestarted(previous, current);
  const delta = (before: bigint | null, now: bigint) => (restarted ? now : now - (before ?? 0n));
  const errorReasons = options.errorReasons ?? DEFAULT_ERROR_REASONS;
  const warnings: string[] = [];

  let requests = 0n;
  let errors = 0n;
  for (const [reason, count] of current.requestsByReason) {
    const change = delta(previous.requestsByReason.get(reason) ?? null, count);
    requests += change;
    if (errorReasons.includes(reason)) errors += change;
  }
  const inputTokens = delta(previous.promptTokens, current.promptTokens);
  const outputTokens = delta(previous.generationTokens, current.generationTokens);

  let cachedInputTokens = 0n;
  let cachedInputTokensFrom: ScrapedUsageWindow["cachedInputTokensFrom"] = null;
  const profile = PROFILES[current.server];
  if (current.cachedTokens !== null) {
    cachedInputTokens = delta(previous.cachedTokens, current.cachedTokens);
    cachedInputTokensFrom = profile.cachedTokens;
  } else if (current.prefixCacheHits !== null) {
    cachedInputTokens = delta(previous.prefixCacheHits, current.prefixCacheHits);
    cachedInputTokensFrom = profile.prefixCacheHits;
  }
  if (cachedInputTokens > inputTokens) {
    warnings.push(`${cachedInputTokensFrom}: ${cachedInputTokens} cached tokens > ${inputTokens} prompt tokens; capped`);
    cachedInputTokens = inputTokens;
  }

  const latency = histogramDelta(profile.e2e, previous.e2eLatency, current.e2eLatency, restarted, warnings);
  if (latency && latency.count !== requests) {
    // Series are read one after another, so a request finishing mid-scrape can land in one and not the other.
    warnings.push(`${profile.e2e}: ${latency.count} observations but ${requests} finished requests`);
  }
  const ttft = histogramDelta(profile.ttft, previous.timeToFirstToken, current.timeToFirstToken, restarted, warnings);

  return {
    key: current.key,
    windowStart: new Date(startMs),
    windowSeconds,
    requests,
    errors,
    inputTokens,
    cachedInputTokens,
    outputTokens,
    latency: latency?.sketch ?? null,
    summaryMs: null,
    avgGpuUtilizationCentiPct: null,
    timeToFirstToken: ttft?.sketch ?? null,
    atEnd: { kvCacheUsage: current.kvCacheUsage, requestsRunning: current.requestsRunning, requestsWaiting: current.requestsWaiting },
    restarted,
    cachedInputTokensFrom,
    warnings,
  };
}

export interface ScrapeGap {
  key: EngineKey | null;
  start: Date;
  end: Date;
  reason: "missed-scrape" | "too-long" | "engine-appeared";
}

/**
 * Windows from a series of scrapes of one server, in time order. Each engine's
 * window runs from its previous good scrape to the next; failed scrapes and
 * over-long spans become gaps.
 */
export function scrapedUsageWindows(scrapes: readonly (ServerScrape | MissedScrape)[], options: ScrapeWindowOptions): { windows: ScrapedUsageWindow[]; gaps: ScrapeGap[] } {
  const windows: ScrapedUsageWindow[] = [];
  const gaps: ScrapeGap[] = [];
  let previous: ServerScrape | null = null;
  let lastAt: Date | null = null;
  let missedSince: Date | null = null;
  for (const scrape of scrapes) {
    if (lastAt && scrape.scrapedAt.getTime() <= lastAt.getTime()) {
      throw new RangeError(`scrapes must be in time order (${scrape.scrapedAt.toISOString()} after ${lastAt.toISOString()})`);
    }
    lastAt = scrape.scrapedAt;
    if ("missed" in scrape) {
      missedSince ??= previous?.scrapedAt ?? scrape.scrapedAt;
      previous = null;
      continue;
    }
    if (missedSince) gaps.push({ key: null, start: missedSince, end: scrape.scrapedAt, reason: "missed-scrape" });
    missedSince = null;
    for (const [id, current] of scrape.engines) {
      const before = previous?.engines.get(id);
      if (!previous) continue;
      if (!before) {
        gaps.push({ key: current.key, start: previous.scrapedAt, end: scrape.scrapedAt, reason: "engine-appeared" });
        continue;
      }
      const window = scrapedUsageWindow({ previous: before, current, previousAt: previous.scrapedAt, currentAt: scrape.scrapedAt, options });
      if (window) windows.push(window);
      else gaps.push({ key: current.key, start: previous.scrapedAt, end: scrape.scrapedAt, reason: "too-long" });
    }
    previous = scrape;
  }
  return { windows, gaps };
}
