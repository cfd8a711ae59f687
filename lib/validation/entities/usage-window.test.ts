import { describe, expect, it } from "vitest";
import { MAX_WINDOW_SECONDS as ROLLUP_MAX_WINDOW_SECONDS } from "@/lib/db/mutations/usage-rollups";
import { CLOCK_SKEW_MS } from "./fields";
import { MAX_WINDOW_SECONDS, usageWindowSchema } from "./usage-window";
import { accept, addMs, itChecksCases, reject } from "./test-cases";

const now = new Date("2026-06-01T12:00:00Z");
const activeFrom = new Date("2026-01-01T00:00:00Z");
const activeTo = new Date("2026-05-01T00:00:00Z");
const live = usageWindowSchema({ now, deployment: { id: 7, activeFrom, activeTo: null } });
const stopped = usageWindowSchema({ now, deployment: { activeFrom, activeTo } });

const base = {
  deploymentId: "7",
  windowStart: "2026-03-01T10:00:00Z",
  windowSeconds: "3600",
  requests: "12000",
  errors: "12",
  inputTokens: "9000000",
  cachedInputTokens: "2500000",
  outputTokens: "1800000",
  latencyP50Ms: "180.5",
  latencyP95Ms: "420",
  latencyP99Ms: "910.125",
  avgGpuUtilizationPct: "63.5",
};
const noLatency = { latencyP50Ms: "", latencyP95Ms: "", latencyP99Ms: "" };

describe("usageWindowSchema", () => {
  it("allows the same longest window as the rollups", () => {
    expect(MAX_WINDOW_SECONDS).toBe(ROLLUP_MAX_WINDOW_SECONDS);
  });

  it("parses a form's strings into the stored shape", () => {
    expect(live.parse(base)).toEqual({
      deploymentId: 7,
      windowStart: new Date("2026-03-01T10:00:00Z"),
      windowSeconds: 3600,
      requests: 12_000n,
      errors: 12n,
      inputTokens: 9_000_000n,
      cachedInputTokens: 2_500_000n,
      outputTokens: 1_800_000n,
      latencyP50Ms: "180.5",
      latencyP95Ms: "420",
      latencyP99Ms: "910.125",
      avgGpuUtilizationPct: "63.5",
    });
  });

  describe("window length", () => {
    itChecksCases(live, base, [
      ["0 seconds rejected", { windowSeconds: "0" }, reject("windowSeconds", "Window length must be at least 1 second")],
      ["1 second accepted", { windowSeconds: "1" }, accept({ windowSeconds: 1 })],
      ["31 days accepted", { windowSeconds: String(MAX_WINDOW_SECONDS) }, accept({ windowSeconds: MAX_WINDOW_SECONDS })],
      ["31 days + 1 s rejected", { windowSeconds: MAX_WINDOW_SECONDS + 1 }, reject("windowSeconds", "Window length must be at most 2,678,400 seconds")],
      ["fractional seconds rejected", { windowSeconds: "59.5" }, reject("windowSeconds", "Window length must be a whole number")],
      ["missing rejected, not 0", { windowSeconds: "" }, reject("windowSeconds", "Window length is required")],
    ]);
  });

  describe("counts", () => {
    itChecksCases(live, { ...base, ...noLatency }, [
      ["requests 0 accepted", { requests: "0", errors: "0" }, accept({ requests: 0n })],
      ["requests -1 rejected", { requests: "-1" }, reject("requests", "Requests cannot be negative")],
      ["requests 1e12 accepted", { requests: "1000000000000" }, accept({ requests: 10n ** 12n })],
      ["requests 1e12 + 1 rejected", { requests: "1000000000001" }, reject("requests", "Requests must be at most 1,000,000,000,000")],
      ["requests empty rejected as missing, not 0", { requests: "" }, reject("requests", "Requests is required")],
      ["errors absent: 0", { errors: undefined }, accept({ errors: 0n })],
      ["errors = requests accepted", { errors: "12000" }, accept({ errors: 12_000n })],
      ["errors = requests + 1 rejected on errors", { errors: "12001" }, reject("errors", "Errors cannot exceed requests")],
      ["errors -1 rejected", { errors: "-1" }, reject("errors", "Errors cannot be negative")],
      ["input tokens 1e15 accepted", { inputTokens: "1000000000000000" }, accept({ inputTokens: 10n ** 15n })],
      ["input tokens 1e15 + 1 rejected", { inputTokens: "1000000000000001" }, reject("inputTokens", "Input tokens must be at most 1,000,000,000,000,000")],
      ["output tokens 1e15 accepted", { outputTokens: 10n ** 15n }, accept({ outputTokens: 10n ** 15n })],
      ["output tokens 1e15 + 1 rejected", { outputTokens: 10n ** 15n + 1n }, reject("outputTokens")],
      ["output tokens -1 rejected", { outputTokens: -1 }, reject("outputTokens", "Output tokens cannot be negative")],
      ["cached tokens absent: 0", { cachedInputTokens: undefined }, accept({ cachedInputTokens: 0n })],
      ["cached = input accepted", { cachedInputTokens: "9000000" }, accept({ cachedInputTokens: 9_000_000n })],
      ["cached = input + 1 rejected on cached", { cachedInputTokens: "9000001" }, reject("cachedInputTokens", "Cached input tokens cannot exceed input tokens")],
      ["tokens in exponent notation rejected", { inputTokens: "9e6" }, reject("inputTokens")],
      ["utilization 100 accepted", { avgGpuUtilizationPct: "100" }, accept()],
      ["utilization 100.01 rejected", { avgGpuUtilizationPct: "100.01" }, reject("avgGpuUtilizationPct")],
      ["utilization -0.01 rejected", { avgGpuUtilizationPct: "-0.01" }, reject("avgGpuUtilizationPct")],
      ["utilization empty: not reported", { avgGpuUtilizationPct: "" }, accept({ avgGpuUtilizationPct: null })],
    ]);
  });

  describe("latency percentiles", () => {
    itChecksCases(live, base, [
      ["none given accepted", noLatency, accept({ latencyP50Ms: null, latencyP95Ms: null, latencyP99Ms: null })],
      ["all equal accepted", { latencyP50Ms: "200", latencyP95Ms: "200", latencyP99Ms: "200" }, accept()],
      ["p50 = p95 accepted", { latencyP50Ms: "420", latencyP95Ms: "420.000" }, accept({ latencyP50Ms: "420", latencyP95Ms: "420" })],
      ["p50 > p95 by 1 µs rejected on p95", { latencyP50Ms: "420.001" }, reject("latencyP95Ms", "p95 latency can't be lower than p50 latency")],
      ["p95 = p99 accepted", { latencyP95Ms: "910.125" }, accept()],
      ["p95 > p99 rejected on p99", { latencyP95Ms: "910.126" }, reject("latencyP99Ms", "p99 latency can't be lower than p95 latency")],
      ["compared as numbers, not text", { latencyP50Ms: "9", latencyP95Ms: "10", latencyP99Ms: "100" }, accept()],
      ["only p50 given rejected on the others", { latencyP95Ms: "", latencyP99Ms: undefined }, reject(["latencyP95Ms", "latencyP99Ms"], /leave all three latency percentiles empty/)],
      ["p99 missing rejected on p99", { latencyP99Ms: "" }, reject("latencyP99Ms", "Enter p99 latency too, or leave all three latency percentiles empty")],
      ["0 ms rejected", { latencyP50Ms: "0" }, reject("latencyP50Ms", "p50 latency must be greater than 0")],
      ["1 µs accepted", { latencyP50Ms: "0.001" }, accept({ latencyP50Ms: "0.001" })],
      ["an hour accepted", { latencyP50Ms: "3600000", latencyP95Ms: "3600000", latencyP99Ms: "3600000" }, accept()],
      ["beyond an hour rejected", { latencyP99Ms: "3600000.001" }, reject("latencyP99Ms", "p99 latency must be at most 3,600,000 ms")],
      ["4 decimals rejected", { latencyP50Ms: "180.0005" }, reject("latencyP50Ms", "p50 latency can have at most 3 decimal places")],
      ["numbers from an API accepted", { latencyP50Ms: 180.5, latencyP95Ms: 420, latencyP99Ms: 910.125 }, accept({ latencyP50Ms: "180.5" })],
      ["latency without requests rejected", { requests: "0", errors: "0" }, reject("latencyP50Ms", /no requests has no latency/)],
    ]);
  });

  describe("inside the deployment's active period and not in the future", () => {
    const latest = addMs(now, CLOCK_SKEW_MS);
    itChecksCases(live, base, [
      ["starting when the deployment went live accepted", { windowStart: activeFrom }, accept({ windowStart: activeFrom })],
      ["starting 1 ms before rejected", { windowStart: addMs(activeFrom, -1) }, reject("windowStart", "Window starts before the deployment went live (2026-01-01 00:00 UTC)")],
      ["ending at now + clock skew accepted", { windowStart: addMs(latest, -3_600_000) }, accept()],
      ["ending 1 s beyond the clock skew rejected on length", { windowStart: addMs(latest, -3_599_000) }, reject("windowSeconds", "Window can't end in the future")],
      ["starting in the future rejected on start", { windowStart: addMs(latest, 1) }, reject("windowStart", "Window start can't be in the future")],
      ["another deployment's window rejected", { deploymentId: "8" }, reject("deploymentId", "This window belongs to a different deployment")],
      ["deployment missing asks for a choice", { deploymentId: "" }, reject("deploymentId", "Choose a deployment")],
    ]);
    itChecksCases(stopped, base, [
      ["any deployment id when the action did not pin one", { deploymentId: "8" }, accept({ deploymentId: 8 })],
      ["ending when the deployment stopped accepted", { windowStart: addMs(activeTo, -3_600_000) }, accept()],
      ["ending 1 s after it stopped rejected on length", { windowStart: addMs(activeTo, -3_599_000) }, reject("windowSeconds", "Window ends after the deployment stopped (2026-05-01 00:00 UTC)")],
      ["starting when it stopped rejected on start", { windowStart: activeTo, windowSeconds: "1" }, reject("windowStart", "Window starts after the deployment stopped (2026-05-01 00:00 UTC)")],
    ]);
  });
  describe("one schema for a batch: each window against its own deployment's period", () => {
    const periods = new Map([
      [7, { activeFrom, activeTo: null }],
      [8, { activeFrom, activeTo }],
    ]);
    const batch = usageWindowSchema({ now, deployment: (id) => periods.get(id) });
    itChecksCases(batch, base, [
      ["a live deployment's window after the other stopped accepted", { windowStart: activeTo, windowSeconds: "1" }, accept({ windowStart: activeTo })],
      ["the stopped deployment's window then rejected", { deploymentId: "8", windowStart: activeTo, windowSeconds: "1" }, reject("windowStart", "Window starts after the deployment stopped (2026-05-01 00:00 UTC)")],
      ["before either went live rejected", { deploymentId: "8", windowStart: addMs(activeFrom, -1) }, reject("windowStart", "Window starts before the deployment went live (2026-01-01 00:00 UTC)")],
      ["an unknown deployment checked field by field only", { deploymentId: "9", windowStart: addMs(activeFrom, -86_400_000) }, accept({ deploymentId: 9 })],
      ["an unknown deployment's window still not in the future", { deploymentId: "9", windowStart: addMs(now, CLOCK_SKEW_MS + 1) }, reject("windowStart", "Window start can't be in the future")],
      ["deployment missing asks for a choice and no period check", { deploymentId: "" }, reject("deploymentId", "Choose a deployment")],
    ]);
    it("still checks the clock when the deployment is missing, so every problem shows at once", () => {
      const result = batch.safeParse({ ...base, deploymentId: "", windowStart: addMs(now, CLOCK_SKEW_MS + 1).toISOString() });
      expect(result.success).toBe(false);
      const messages = result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      expect(messages).toEqual(expect.arrayContaining(["deploymentId: Choose a deployment", "windowStart: Window start can't be in the future"]));
    });
  });
});
