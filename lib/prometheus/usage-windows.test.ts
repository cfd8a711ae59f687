import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sketchCount } from "@/lib/domain/latency-sketch";
import { prorateWindow } from "@/lib/domain/usage-rollup";
import { ALL_REQUESTS, readSglangScrape, readVllmScrape, secondsTextToMs, type ServerScrape, scrapedUsageWindow, scrapedUsageWindows, type ScrapedUsageWindow } from "./usage-windows";

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8");
const at = (hhmmss: string) => new Date(`2026-11-30T${hhmmss}Z`);
/** The five scrapes of fixtures/: 10:00, 10:01, (10:02 missed), 10:03, a restart at 10:03:31, 10:04, 10:05. */
const scrape = (hhmm: string, seconds = "00.412") => readVllmScrape({ text: fixture(`vllm-dp2-${hhmm.replace(":", "")}.prom`), scrapedAt: at(`${hhmm}:${seconds}`) });

const OPTIONS = { maxWindowSeconds: 300 };

function only(windows: ScrapedUsageWindow[], engine: string): ScrapedUsageWindow {
  const found = windows.filter((w) => w.key.engine === engine);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The figures a window holds, for comparing with what the fixture generator recorded. */
const figures = (w: ScrapedUsageWindow) => ({
  windowStart: w.windowStart.toISOString(),
  windowSeconds: w.windowSeconds,
  requests: w.requests,
  errors: w.errors,
  inputTokens: w.inputTokens,
  cachedInputTokens: w.cachedInputTokens,
  outputTokens: w.outputTokens,
  latencyCount: w.latency && sketchCount(w.latency),
  ttftCount: w.timeToFirstToken && sketchCount(w.timeToFirstToken),
  atEnd: w.atEnd,
  restarted: w.restarted,
  warnings: w.warnings,
});

describe("readVllmScrape", () => {
  it("reads one snapshot per (model_name, engine) from a vLLM V1 scrape", () => {
    const first = scrape("10:00");
    expect([...first.engines.values()].map((e) => e.key)).toEqual([
      { modelName: MODEL, engine: "0" },
      { modelName: MODEL, engine: "1" },
    ]);
    const engine0 = [...first.engines.values()][0]!;
    expect(engine0.promptTokens).toBe(1697522n); // written "1.697522e+06"
    expect([...engine0.requestsByReason.keys()]).toEqual(["stop", "length", "abort", "error", "repetition"]);
    expect(engine0.e2eLatency!.le).toEqual(["0.3", "0.5", "0.8", "1.0", "1.5", "2.0", "2.5", "5.0", "10.0", "15.0", "20.0", "30.0", "40.0", "50.0", "60.0", "120.0", "240.0", "480.0", "960.0", "1920.0", "7680.0", "+Inf"]);
    expect(engine0.timeToFirstToken!.le[0]).toBe("0.001");
    expect(engine0.createdMark).toBe("1.796029923412754e+09");
  });

  it("reads a V0-style scrape without an engine label, and histograms with any bucket layout", () => {
    const text = [
      "# TYPE vllm:request_success_total counter",
      'vllm:request_success_total{finished_reason="stop",model_name="m"} 10.0',
      "# TYPE vllm:prompt_tokens_total counter",
      'vllm:prompt_tokens_total{model_name="m"} 100.0',
      "# TYPE vllm:generation_tokens_total counter",
      'vllm:generation_tokens_total{model_name="m"} 50.0',
      "# TYPE vllm:e2e_request_latency_seconds histogram",
      'vllm:e2e_request_latency_seconds_bucket{le="0.25",model_name="m"} 4.0',
      'vllm:e2e_request_latency_seconds_bucket{le="3.0",model_name="m"} 9.0',
      'vllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="m"} 10.0',
      'vllm:e2e_request_latency_seconds_count{model_name="m"} 10.0',
      'vllm:e2e_request_latency_seconds_sum{model_name="m"} 7.5',
    ].join("\n");
    const snapshot = [...readVllmScrape({ text, scrapedAt: at("10:00:00") }).engines.values()][0]!;
    expect(snapshot.key).toEqual({ modelName: "m", engine: null });
    expect(snapshot.e2eLatency).toEqual({ le: ["0.25", "3.0", "+Inf"], counts: [4n, 9n, 10n] });
    expect(snapshot.cachedTokens).toBeNull();
    expect(snapshot.createdMark).toBeNull();
  });

  const refused: [string, string, RegExp][] = [
    ["a scrape that is not vLLM's", "# TYPE up gauge\nup 1", /not a vllm scrape: no vllm:request_success_total/],
    ["a fractional counter", 'vllm:request_success_total{finished_reason="stop",model_name="m"} 2.5', /expected a whole count, got "2.5"/],
    ["a series without model_name", 'vllm:request_success_total{finished_reason="stop"} 2', /without a model_name label/],
    ["a series without finished_reason", 'vllm:request_success_total{model_name="m"} 2', /without a finished_reason label/],
    ["a missing token counter", 'vllm:request_success_total{finished_reason="stop",model_name="m"} 2', /vllm:prompt_tokens_total: no series for model_name="m"/],
    [
      "a negative latency bound",
      'vllm:request_success_total{finished_reason="stop",model_name="m"} 2\nvllm:prompt_tokens_total{model_name="m"} 2\nvllm:generation_tokens_total{model_name="m"} 2\n# TYPE vllm:e2e_request_latency_seconds histogram\nvllm:e2e_request_latency_seconds_bucket{le="-1",model_name="m"} 0\nvllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="m"} 2\nvllm:e2e_request_latency_seconds_count{model_name="m"} 2',
      /latency bucket bound must be ≥ 0 \(le="-1"\)/,
    ],
    ["a family of the wrong type", "# TYPE vllm:request_success_total gauge\nvllm:request_success_total{finished_reason=\"stop\",model_name=\"m\"} 2", /must be a counter/],
  ];
  it.each(refused)("refuses %s with a clear message", (_, text, message) => {
    expect(() => readVllmScrape({ text, scrapedAt: at("10:00:00") })).toThrow(message);
  });
});

describe("scrapedUsageWindows over the fixture scrapes", () => {
  const scrapes = [scrape("10:00"), scrape("10:01"), { scrapedAt: at("10:02:00.412"), missed: true as const }, scrape("10:03"), scrape("10:04"), scrape("10:05")];
  const { windows, gaps } = scrapedUsageWindows(scrapes, OPTIONS);

  it("turns successive scrapes into [previous, this) windows of counter deltas, per engine", () => {
    const first = windows.filter((w) => w.windowStart.getTime() === at("10:00:00").getTime());
    // Figures recorded by the generator of the fixtures (see the test's fixture notes).
    expect(figures(only(first, "0"))).toEqual({
      windowStart: "2026-11-30T10:00:00.000Z",
      windowSeconds: 60,
      requests: 212n,
      errors: 6n,
      inputTokens: 187107n,
      cachedInputTokens: 78011n,
      outputTokens: 43110n,
      latencyCount: 212,
      ttftCount: 206, // requests that failed before their first token have no TTFT
      atEnd: { kvCacheUsage: 0.498675, requestsRunning: 17, requestsWaiting: 1 },
      restarted: false,
      warnings: [],
    });
    expect(figures(only(first, "1"))).toMatchObject({ requests: 198n, errors: 3n, inputTokens: 188159n, cachedInputTokens: 89706n, outputTokens: 35273n, latencyCount: 198, ttftCount: 195 });
    expect(only(first, "0").cachedInputTokensFrom).toBe("vllm:prompt_tokens_cached_total");
  });

  it("makes the missed 10:02 scrape a gap: no window from 10:01 to 10:03, not an idle one", () => {
    const starts = [...new Set(windows.map((w) => w.windowStart.toISOString()))];
    expect(starts).toEqual(["2026-11-30T10:00:00.000Z", "2026-11-30T10:03:00.000Z", "2026-11-30T10:04:00.000Z"]);
    expect(gaps).toEqual([{ key: null, start: at("10:01:00.412"), end: at("10:03:00.412"), reason: "missed-scrape" }]);
  });

  it("counts from zero after the restart at 10:03:31 (counters went down)", () => {
    const restart = windows.filter((w) => w.windowStart.getTime() === at("10:03:00").getTime());
    expect(figures(only(restart, "0"))).toMatchObject({ requests: 97n, errors: 0n, inputTokens: 94194n, cachedInputTokens: 32479n, outputTokens: 21121n, latencyCount: 97, restarted: true, warnings: [] });
    expect(figures(only(restart, "1"))).toMatchObject({ requests: 88n, errors: 1n, inputTokens: 90491n, cachedInputTokens: 40190n, outputTokens: 15722n, latencyCount: 88, ttftCount: 87, restarted: true });
    const after = windows.filter((w) => w.windowStart.getTime() === at("10:04:00").getTime());
    expect(figures(only(after, "0"))).toMatchObject({ requests: 205n, errors: 1n, inputTokens: 180823n, cachedInputTokens: 82250n, outputTokens: 38638n, restarted: false });
  });

  it("gives windows the rollups accept: whole seconds that tile, integer counts, sketches with the histogram's count", () => {
    for (const window of windows) {
      expect(Number.isInteger(window.windowSeconds)).toBe(true);
      const parts = prorateWindow(window);
      expect(parts.reduce((sum, part) => sum + part.measures.requests, 0n)).toBe(window.requests);
      expect(parts.reduce((sum, part) => sum + part.measures.windowMs, 0n)).toBe(BigInt(window.windowSeconds * 1000));
    }
  });
});

describe("scrapedUsageWindow", () => {
  // A small engine scrape to vary one thing at a time.
  const text = ({ stop = 10, error = 0, abort = 0, prompt = 1000, cached = 400 as number | null, hits = 450, generation = 300, buckets = [4, 9, 10] as number[] | null, le = ["0.25", "3.0"], created = "1.7e+09" as string | null }) =>
    [
      "# TYPE vllm:request_success_total counter",
      `vllm:request_success_total{engine="0",finished_reason="stop",model_name="m"} ${stop}.0`,
      `vllm:request_success_total{engine="0",finished_reason="abort",model_name="m"} ${abort}.0`,
      `vllm:request_success_total{engine="0",finished_reason="error",model_name="m"} ${error}.0`,
      "# TYPE vllm:prompt_tokens_total counter",
      `vllm:prompt_tokens_total{engine="0",model_name="m"} ${prompt}.0`,
      ...(created === null ? [] : ["# TYPE vllm:prompt_tokens_created gauge", `vllm:prompt_tokens_created{engine="0",model_name="m"} ${created}`]),
      ...(cached === null ? [] : ["# TYPE vllm:prompt_tokens_cached_total counter", `vllm:prompt_tokens_cached_total{engine="0",model_name="m"} ${cached}.0`]),
      "# TYPE vllm:prefix_cache_hits_total counter",
      `vllm:prefix_cache_hits_total{engine="0",model_name="m"} ${hits}.0`,
      "# TYPE vllm:generation_tokens_total counter",
      `vllm:generation_tokens_total{engine="0",model_name="m"} ${generation}.0`,
      ...(buckets === null
        ? []
        : [
            "# TYPE vllm:e2e_request_latency_seconds histogram",
            ...le.map((bound, i) => `vllm:e2e_request_latency_seconds_bucket{engine="0",le="${bound}",model_name="m"} ${buckets[i]}.0`),
            `vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} ${buckets.at(-1)}.0`,
            `vllm:e2e_request_latency_seconds_count{engine="0",model_name="m"} ${buckets.at(-1)}.0`,
            `vllm:e2e_request_latency_seconds_sum{engine="0",model_name="m"} 12.5`,
          ]),
    ].join("\n");
  const engine = (s: ServerScrape) => [...s.engines.values()][0]!;
  const windowOf = (before: Parameters<typeof text>[0], after: Parameters<typeof text>[0], options: Partial<Parameters<typeof scrapedUsageWindow>[0]["options"]> = {}) =>
    scrapedUsageWindow({
      previous: engine(readVllmScrape({ text: text(before), scrapedAt: at("10:00:00") })),
      current: engine(readVllmScrape({ text: text(after), scrapedAt: at("10:01:00") })),
      previousAt: at("10:00:00.900"),
      currentAt: at("10:01:00.100"),
      options: { maxWindowSeconds: 300, ...options },
    })!;

  it("counts only finished_reason=error as errors by default; abort is a served request", () => {
    const window = windowOf({}, { stop: 15, abort: 3, error: 2, buckets: [5, 14, 20] });
    expect([window.requests, window.errors]).toEqual([10n, 2n]);
    expect(windowOf({}, { stop: 15, abort: 3, error: 2, buckets: [5, 14, 20] }, { errorReasons: ["error", "abort"] }).errors).toBe(5n);
  });

  it("cuts window bounds at whole seconds of the scrape times", () => {
    const window = windowOf({}, { stop: 11, buckets: [4, 10, 11] });
    // 10:00:00.900 → 10:01:00.100 is [10:00:00, 10:01:00): the next window starts where this one ends.
    expect([window.windowStart, window.windowSeconds]).toEqual([at("10:00:00"), 60]);
  });

  it("builds the latency sketch from the bucket deltas, bounds from the data in ms", () => {
    const window = windowOf({}, { stop: 20, buckets: [10, 19, 20] });
    // Δ buckets: ≤250 ms: 6, (250 ms, 3 s]: 4, above: 0.
    expect(sketchCount(window.latency!)).toBe(10);
    expect(window.warnings).toEqual([]);
  });

  it("warns when the histogram's count differs from the finished requests (a request finished mid-scrape)", () => {
    const window = windowOf({}, { stop: 21, buckets: [10, 19, 20] });
    expect(window.requests).toBe(11n);
    expect(window.warnings).toEqual(["vllm:e2e_request_latency_seconds: 10 observations but 11 finished requests"]);
  });

  it("treats any counter going down as a restart: every delta is the new value", () => {
    const window = windowOf({ stop: 100, prompt: 9000, cached: 4000, hits: 4000, generation: 3000, buckets: [40, 90, 100] }, { stop: 7, prompt: 700, cached: 100, hits: 100, generation: 200, buckets: [3, 6, 7] });
    expect(window).toMatchObject({ restarted: true, requests: 7n, inputTokens: 700n, cachedInputTokens: 100n, outputTokens: 200n });
    expect(sketchCount(window.latency!)).toBe(7);
  });

  it("sees a restart from a changed _created time even when every counter grew past its old value", () => {
    const window = windowOf({ created: "1.7e+09" }, { stop: 12, prompt: 1500, cached: 600, hits: 600, buckets: [5, 11, 12], created: "1.70000001e+09" });
    expect(window).toMatchObject({ restarted: true, requests: 12n, inputTokens: 1500n, cachedInputTokens: 600n });
    // Without _created it is counted as Prometheus's rate() would: a plain increase.
    expect(windowOf({ created: null }, { stop: 12, prompt: 1500, cached: 600, hits: 600, buckets: [5, 11, 12], created: null })).toMatchObject({ restarted: false, requests: 2n, inputTokens: 500n });
  });

  it("falls back to prefix_cache_hits (tokens) when prompt_tokens_cached is not published, capped at the prompt tokens", () => {
    const window = windowOf({ cached: null, hits: 450 }, { cached: null, hits: 600, prompt: 1100 });
    expect([window.cachedInputTokens, window.cachedInputTokensFrom]).toEqual([100n, "vllm:prefix_cache_hits_total"]);
    const over = windowOf({ cached: null, hits: 450 }, { cached: null, hits: 700, prompt: 1100 });
    expect(over.cachedInputTokens).toBe(100n);
    expect(over.warnings).toEqual(["vllm:prefix_cache_hits_total: 250 cached tokens > 100 prompt tokens; capped"]);
  });

  it("counts a series that first appears in the later scrape from zero (labelled series are created on first use)", () => {
    const window = windowOf({ cached: null, buckets: null }, { stop: 12, prompt: 1100, cached: 30, buckets: [1, 2, 2] });
    expect(window).toMatchObject({ restarted: false, requests: 2n, cachedInputTokens: 30n, cachedInputTokensFrom: "vllm:prompt_tokens_cached_total" });
    expect(sketchCount(window.latency!)).toBe(2);
  });

  it("gives no latency (with a warning) when the bucket bounds changed without a restart", () => {
    const window = windowOf({}, { stop: 12, buckets: [5, 11, 12], le: ["0.5", "3.0"] });
    expect(window.latency).toBeNull();
    expect(window.warnings).toEqual(["vllm:e2e_request_latency_seconds: bucket bounds changed between scrapes; no latency for this window"]);
  });

  it("makes an over-long span a gap, and refuses scrapes out of order", () => {
    const previous = engine(readVllmScrape({ text: text({}), scrapedAt: at("10:00:00") }));
    const current = engine(readVllmScrape({ text: text({ stop: 11, buckets: [4, 10, 11] }), scrapedAt: at("10:10:00") }));
    expect(scrapedUsageWindow({ previous, current, previousAt: at("10:00:00"), currentAt: at("10:10:00"), options: OPTIONS })).toBeNull();
    expect(() => scrapedUsageWindow({ previous, current, previousAt: at("10:00:00.100"), currentAt: at("10:00:00.900"), options: OPTIONS })).toThrow(/at least a second apart/);
    expect(() =>
      scrapedUsageWindows(
        [
          { scrapedAt: at("10:01:00"), missed: true },
          { scrapedAt: at("10:00:00"), missed: true },
        ],
        OPTIONS,
      ),
    ).toThrow(/time order/);
  });
});

describe("secondsTextToMs", () => {
  it.each([
    ["0.3", 300],
    ["0.07", 70],
    ["0.001", 1],
    ["7680.0", 7_680_000],
    ["1e-3", 1],
    ["2.5E+1", 25_000],
    ["+Inf", Infinity],
  ] as const)("%s s = %s ms exactly", (le, ms) => {
    expect(secondsTextToMs(le)).toBe(ms);
  });
});

describe("SGLang scrapes", () => {
  const sglang = (hhmm: string) => readSglangScrape({ text: fixture(`sglang-${hhmm.replace(":", "")}.prom`), scrapedAt: at(`${hhmm}:05`) });

  it("reads SGLang's tokenizer metrics into the same windows (no finish reasons, no gauges)", () => {
    const { windows, gaps } = scrapedUsageWindows([sglang("10:00"), sglang("10:01"), sglang("10:02")], OPTIONS);
    expect(gaps).toEqual([]);
    expect(windows.map((w) => w.key)).toEqual([
      { modelName: "Qwen/Qwen2.5-7B-Instruct", engine: null },
      { modelName: "Qwen/Qwen2.5-7B-Instruct", engine: null },
    ]);
    const [first, afterRestart] = windows as [ScrapedUsageWindow, ScrapedUsageWindow];
    // Figures recorded by the fixture generator (fixtures/README.md).
    expect(figures(first)).toEqual({
      windowStart: "2026-11-30T10:00:05.000Z",
      windowSeconds: 60,
      requests: 341n,
      errors: 0n,
      inputTokens: 403661n,
      cachedInputTokens: 114003n,
      outputTokens: 72507n,
      latencyCount: 341,
      ttftCount: 341,
      atEnd: { kvCacheUsage: null, requestsRunning: null, requestsWaiting: null },
      restarted: false,
      warnings: [],
    });
    expect(first.cachedInputTokensFrom).toBe("sglang:cached_tokens_total");
    expect(figures(afterRestart)).toMatchObject({ requests: 57n, inputTokens: 65810n, cachedInputTokens: 21128n, outputTokens: 13703n, latencyCount: 57, restarted: true });
  });

  it("keys SGLang requests under ALL_REQUESTS, and refuses a vLLM scrape read as SGLang", () => {
    expect([...[...sglang("10:00").engines.values()][0]!.requestsByReason.keys()]).toEqual([ALL_REQUESTS]);
    expect(() => readSglangScrape({ text: fixture("vllm-dp2-1000.prom"), scrapedAt: at("10:00:00") })).toThrow("not a sglang scrape: no sglang:num_requests_total");
  });

  it("refuses to make a window of two different engines", () => {
    const [vllm] = scrape("10:00").engines.values();
    const [sgl] = sglang("10:01").engines.values();
    expect(() => scrapedUsageWindow({ previous: vllm!, current: sgl!, previousAt: at("10:00:00"), currentAt: at("10:01:00"), options: OPTIONS })).toThrow(/same engine/);
  });
});
