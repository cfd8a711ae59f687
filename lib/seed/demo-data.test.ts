import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { trainingFlopsPerToken } from "../domain/estimator/training";
import { mergeSketches, sketchQuantile } from "../domain/latency-sketch";
import { modelFlopsUtilization } from "../domain/training-cost";
import {
  generateDemoData,
  listPriceAt,
  planDemoData,
  WINDOW_SECONDS,
  type DemoData,
  type GpuName,
  type UsageWindowRecord,
} from "./demo-data";

const NOW = new Date("2026-11-21T04:47:13.456Z");
const NOW_MS = Date.UTC(2026, 10, 21, 4, 45); // NOW truncated to 5 minutes
const DAY_MS = 86_400_000;
const SIX_MONTHS_MS = 183 * DAY_MS;
const PEAK_TFLOPS: Record<GpuName, number> = {
  "H100 80GB": 989.5,
  "H200 141GB": 989.5,
  "A100 80GB": 312,
  "L40S 48GB": 362.05,
  "L4 24GB": 121,
};

let data: DemoData;
let windowsByDeployment: Map<string, UsageWindowRecord[]>;

// Generating 90 days of windows takes a few seconds on a small machine.
const FULL_DATASET_TIMEOUT_MS = 30_000;

beforeAll(() => {
  data = generateDemoData({ now: NOW });
  windowsByDeployment = new Map();
  for (const w of data.usageWindows) {
    const list = windowsByDeployment.get(w.deploymentName) ?? [];
    list.push(w);
    windowsByDeployment.set(w.deploymentName, list);
  }
}, FULL_DATASET_TIMEOUT_MS);

const utcMonth = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();

describe("determinism", () => {
  it("gives deep-equal data for the same seed and a `now` in the same 5-minute window", () => {
    const again = generateDemoData({ now: new Date(NOW_MS + 4 * 60_000 + 59_999) });
    expect(again.now.getTime()).toBe(NOW_MS);
    const { usageWindows: windowsA, ...restA } = data;
    const { usageWindows: windowsB, ...restB } = again;
    expect(restB).toEqual(restA);
    expect(windowsB.length).toBe(windowsA.length);
    // toEqual on 250k records is slow and its diff unreadable; compare structurally.
    expect(isDeepStrictEqual(windowsB, windowsA)).toBe(true);
  }, FULL_DATASET_TIMEOUT_MS);

  it("gives different traffic for another seed", () => {
    const other = generateDemoData({ now: NOW, seed: 7, usageDays: 2 });
    const mine = data.usageWindows.filter((w) => w.windowStart.getTime() >= NOW_MS - 2 * DAY_MS);
    expect(other.usageWindows.map((w) => w.requests)).not.toEqual(mine.map((w) => w.requests));
  });

  it("yields the same windows in batches as in one list", () => {
    const plan = planDemoData({ now: NOW, usageDays: 3 });
    const batches = [...plan.usageWindowBatches(1_000)];
    expect(batches.every((b) => b.length <= 1_000)).toBe(true);
    expect(batches.flat()).toEqual(generateDemoData({ now: NOW, usageDays: 3 }).usageWindows);
  });
});

describe("org, users, teams, GPUs", () => {
  it("has the demo org and one demo user per role: owner, org admin, team admin, editor, viewer, another team's viewer", () => {
    expect(data.org).toMatchObject({ slug: "demo", name: "Demo Org", timeZone: "America/Los_Angeles" });
    const roles = data.users.map((u) => [u.role, ...u.teams.map((t) => `${t.slug}:${t.role}`)].join(" "));
    expect(roles).toEqual(["OWNER", "ADMIN", "MEMBER research:ADMIN", "MEMBER research:EDITOR", "MEMBER research:VIEWER", "MEMBER applied:VIEWER"]);
    expect(new Set(data.users.map((u) => u.email)).size).toBe(data.users.length);
  });

  it("has at least 4 teams in at least 2 time zones, with decimal budgets", () => {
    expect(data.teams.length).toBeGreaterThanOrEqual(4);
    expect(new Set(data.teams.map((t) => t.timeZone)).size).toBeGreaterThanOrEqual(2);
    for (const team of data.teams) expect(team.monthlyBudgetUsd).toMatch(/^\d+\.\d{1,6}$/);
  });

  it("has the five GPU types with their specs", () => {
    expect(data.gpuTypes.map((g) => [g.name, g.memoryGb, g.peakBf16Tflops, g.memoryBandwidthGbps])).toEqual([
      ["H100 80GB", 80, "989.50", "3350.00"],
      ["H200 141GB", 141, "989.50", "4800.00"],
      ["A100 80GB", 80, "312.00", "2039.00"],
      ["L40S 48GB", 48, "362.05", "864.00"],
      ["L4 24GB", 24, "121.00", "300.00"],
    ]);
  });
});

describe("GPU price catalog", () => {
  const key = (p: { gpuTypeName: string; provider: string; pricingModel: string }) => `${p.gpuTypeName}|${p.provider}|${p.pricingModel}`;

  it("covers every provider and pricing model, as decimal strings", () => {
    expect(new Set(data.gpuPrices.map((p) => p.provider))).toEqual(new Set(["aws", "gcp", "coreweave", "lambda", "on-prem"]));
    expect(new Set(data.gpuPrices.map((p) => p.pricingModel))).toEqual(new Set(["ON_DEMAND", "SPOT", "RESERVED", "ON_PREM"]));
    for (const price of data.gpuPrices) expect(price.pricePerGpuHour).toMatch(/^\d+\.\d{6}$/);
  });

  it("never overlaps periods of one (GPU, provider, pricing model), and chains them without gaps", () => {
    const byKey = new Map<string, typeof data.gpuPrices>();
    for (const price of data.gpuPrices) byKey.set(key(price), [...(byKey.get(key(price)) ?? []), price]);
    for (const periods of byKey.values()) {
      const sorted = [...periods].sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
      sorted.forEach((period, i) => {
        const next = sorted[i + 1];
        if (period.effectiveTo) expect(period.effectiveTo.getTime()).toBeGreaterThan(period.effectiveFrom.getTime());
        if (next) expect(period.effectiveTo?.getTime()).toBe(next.effectiveFrom.getTime());
        else expect(period.effectiveTo).toBeNull();
      });
    }
  });

  it("has an H100 on-demand price change within the last 6 months", () => {
    const changes = data.gpuPrices.filter(
      (p) =>
        p.gpuTypeName === "H100 80GB" &&
        p.pricingModel === "ON_DEMAND" &&
        p.effectiveFrom.getTime() > NOW_MS - SIX_MONTHS_MS &&
        data.gpuPrices.some((q) => key(q) === key(p) && q.effectiveTo?.getTime() === p.effectiveFrom.getTime()),
    );
    expect(changes.length).toBeGreaterThanOrEqual(1);
  });
});

describe("training runs", () => {
  it("has at least 60 runs over the last 6 months on all five GPU types", () => {
    expect(data.trainingRuns.length).toBeGreaterThanOrEqual(60);
    for (const run of data.trainingRuns) {
      expect(run.startedAt.getTime()).toBeGreaterThanOrEqual(NOW_MS - SIX_MONTHS_MS);
      expect(run.startedAt.getTime()).toBeLessThan(NOW_MS);
      if (run.endedAt) expect(run.endedAt.getTime()).toBeLessThanOrEqual(NOW_MS);
    }
    expect(new Set(data.trainingRuns.map((r) => r.gpuTypeName))).toEqual(new Set(data.gpuTypes.map((g) => g.name)));
    expect(new Set(data.trainingRuns.map((r) => r.method))).toEqual(new Set(["PRETRAIN", "FULL_FINE_TUNE", "LORA", "QLORA", "OTHER"]));
    expect(new Set(data.trainingRuns.map((r) => r.precision))).toEqual(new Set(["FP32", "FP16", "BF16", "FP8"]));
    expect(new Set(data.trainingRuns.map((r) => r.name)).size).toBe(data.trainingRuns.length);
  });

  it("has running, failed and cancelled runs; only running ones lack an end", () => {
    const running = data.trainingRuns.filter((r) => r.status === "RUNNING");
    expect(running.length).toBeGreaterThanOrEqual(1);
    for (const run of data.trainingRuns) expect(run.endedAt === null).toBe(run.status === "RUNNING");
    expect(data.trainingRuns.some((r) => r.status === "FAILED")).toBe(true);
    expect(data.trainingRuns.some((r) => r.status === "CANCELLED")).toBe(true);
    expect(data.trainingRuns.filter((r) => r.status === "SUCCEEDED").length).toBeGreaterThan(data.trainingRuns.length / 2);
  });

  it("has a finished run that spans a UTC month boundary", () => {
    expect(data.trainingRuns.some((r) => r.endedAt && utcMonth(r.endedAt) !== utcMonth(r.startedAt))).toBe(true);
  });

  it("has tokens and throughput consistent with an MFU of 25-55% (6·N FLOPs per token, 4·N for LoRA/QLoRA)", () => {
    for (const run of data.trainingRuns) {
      const durationMs = (run.endedAt ?? data.now).getTime() - run.startedAt.getTime();
      const peak = PEAK_TFLOPS[run.gpuTypeName] * 1e12;
      // As the run pages compute it: tokens over wall time, at the method's FLOPs per token.
      const mfu = modelFlopsUtilization({ ...run, durationMs, peakBf16Tflops: PEAK_TFLOPS[run.gpuTypeName] })!;
      // From the reported throughput (training time only, so a little higher).
      const flopsPerToken = trainingFlopsPerToken({ activeParameters: run.parameterCount!, method: run.method });
      const throughputMfu = (flopsPerToken * Number(run.throughputTokensPerSec)) / (run.gpuCount * peak);
      for (const value of [mfu, throughputMfu]) {
        expect(value, run.name).toBeGreaterThanOrEqual(0.25);
        expect(value, run.name).toBeLessThanOrEqual(0.55);
      }
      expect(throughputMfu, run.name).toBeGreaterThan(mfu);
      const utilization = Number(run.avgGpuUtilizationPct);
      expect(utilization).toBeGreaterThan(mfu * 100);
      expect(utilization).toBeLessThanOrEqual(100);
    }
  });

  it("pretrains run on many H100/H200 for days; LoRA on at most 8 GPUs for hours", () => {
    for (const run of data.trainingRuns.filter((r) => r.method === "PRETRAIN" && r.status === "SUCCEEDED")) {
      expect(["H100 80GB", "H200 141GB"]).toContain(run.gpuTypeName);
      expect(run.gpuCount).toBeGreaterThanOrEqual(32);
      expect(run.endedAt!.getTime() - run.startedAt.getTime()).toBeGreaterThan(DAY_MS);
    }
    for (const run of data.trainingRuns.filter((r) => r.method === "LORA" || r.method === "QLORA")) {
      expect(run.gpuCount).toBeLessThanOrEqual(8);
      expect((run.endedAt ?? data.now).getTime() - run.startedAt.getTime()).toBeLessThan(2 * DAY_MS);
    }
    // FP8 needs Hopper (or Ada); FP32 only for small models.
    for (const run of data.trainingRuns.filter((r) => r.precision === "FP8")) expect(["H100 80GB", "H200 141GB"]).toContain(run.gpuTypeName);
    for (const run of data.trainingRuns.filter((r) => r.precision === "FP32")) expect(run.parameterCount!).toBeLessThan(1e9);
  });

  it("has storage, data and network costs proportionate to the run (at most a few dollars for a small LoRA)", () => {
    for (const run of data.trainingRuns) {
      const gpuHours = (((run.endedAt ?? data.now).getTime() - run.startedAt.getTime()) / 3_600_000) * run.gpuCount;
      const extras = Number(run.storageCostUsd) + Number(run.dataCostUsd) + Number(run.networkCostUsd);
      expect(extras, run.name).toBeLessThanOrEqual(10 + 0.1 * gpuHours);
    }
  });

  it("has recent runs in FP32, without FlashAttention, and memory-bound without checkpointing", () => {
    const recent = data.trainingRuns.filter((r) => r.endedAt && r.endedAt.getTime() > NOW_MS - 20 * DAY_MS);
    expect(recent.some((r) => r.precision === "FP32")).toBe(true);
    expect(recent.some((r) => r.precision !== "FP32" && !r.flashAttention)).toBe(true);
    expect(recent.some((r) => r.method === "FULL_FINE_TUNE" && !r.gradientCheckpointing && r.gradientAccumulationSteps >= 16)).toBe(true);
  });

  it("has price overrides and extra costs on some runs, and a price for every run", () => {
    expect(data.trainingRuns.some((r) => r.pricePerGpuHourOverride !== null)).toBe(true);
    expect(data.trainingRuns.some((r) => Number(r.storageCostUsd) > 0)).toBe(true);
    expect(data.trainingRuns.some((r) => Number(r.dataCostUsd) > 0)).toBe(true);
    expect(data.trainingRuns.some((r) => Number(r.networkCostUsd) > 0)).toBe(true);
    for (const run of data.trainingRuns) {
      const price = run.pricePerGpuHourOverride ?? listPriceAt(data.gpuPrices, run, run.startedAt.getTime())?.pricePerGpuHour;
      expect(price, run.name).toBeDefined();
    }
  });
});

describe("inference deployments and usage windows", () => {
  it("has at least 10 deployments with varied engines and a price for each", () => {
    expect(data.deployments.length).toBeGreaterThanOrEqual(10);
    expect(new Set(data.deployments.map((d) => d.name)).size).toBe(data.deployments.length);
    expect(new Set(data.deployments.map((d) => d.servingEngine))).toEqual(new Set(["VLLM", "TGI", "TENSORRT_LLM", "SGLANG", "LLAMA_CPP"]));
    expect(new Set(data.deployments.map((d) => d.quantization)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(data.deployments.map((d) => d.batching)).size).toBeGreaterThanOrEqual(3);
    for (const d of data.deployments) {
      const price = d.pricePerGpuHourOverride ?? listPriceAt(data.gpuPrices, d, d.activeFrom.getTime())?.pricePerGpuHour;
      expect(price, d.name).toBeDefined();
    }
  });

  // Over 250k windows: collect violations in plain code, then assert once (expect() per row is slow).
  it("has 5-minute windows, aligned to UTC, over at least the last 90 days up to now", () => {
    let first = Infinity;
    let last = -Infinity;
    const seen = new Set<string>();
    const misaligned = data.usageWindows.filter(
      (w) => w.windowStart.getTime() % (WINDOW_SECONDS * 1000) !== 0 || w.windowSeconds !== WINDOW_SECONDS,
    );
    for (const w of data.usageWindows) {
      const start = w.windowStart.getTime();
      first = Math.min(first, start);
      last = Math.max(last, start);
      seen.add(`${w.deploymentName}@${start}`);
    }
    expect(misaligned).toEqual([]);
    expect(seen.size).toBe(data.usageWindows.length);
    expect(first).toBeLessThanOrEqual(NOW_MS - 90 * DAY_MS);
    expect(last).toBe(NOW_MS - WINDOW_SECONDS * 1000);
    const fullQuarter = [...windowsByDeployment.values()].filter((ws) => ws.length === 90 * 288);
    expect(fullQuarter.length).toBeGreaterThanOrEqual(5);
  });

  it("keeps every window inside its deployment's active period", () => {
    for (const d of data.deployments) {
      const windows = windowsByDeployment.get(d.name) ?? [];
      const endMs = (d.activeTo ?? data.now).getTime();
      const outside = windows.filter(
        (w) => w.windowStart.getTime() < d.activeFrom.getTime() || w.windowStart.getTime() + WINDOW_SECONDS * 1000 > endMs,
      );
      expect(windows.length, d.name).toBeGreaterThan(0);
      expect(outside, d.name).toEqual([]);
    }
  });

  it("has an idle deployment (zero requests in every window) and an ended one", () => {
    const idle = data.deployments.filter((d) => d.activeTo === null && windowsByDeployment.get(d.name)!.every((w) => w.requests === 0));
    expect(idle.length).toBeGreaterThanOrEqual(1);
    const ended = data.deployments.filter((d) => d.activeTo !== null && d.activeTo.getTime() < NOW_MS);
    expect(ended.length).toBeGreaterThanOrEqual(1);
  });

  it("has a deployment whose usage exporter was down for more than a day in the last 30 days", () => {
    const gaps = data.deployments.map((d) => {
      const starts = windowsByDeployment.get(d.name)!.map((w) => w.windowStart.getTime()).filter((t) => t >= NOW_MS - 30 * DAY_MS);
      return Math.max(0, ...starts.slice(1).map((t, i) => t - starts[i]! - WINDOW_SECONDS * 1000));
    });
    expect(gaps.filter((g) => g > DAY_MS).length).toBe(1);
  });

  it("has consistent counters and histograms that cover the successful requests", () => {
    const bad = data.usageWindows.filter((w) => {
      const ok = w.requests - w.errors;
      const samples = w.latencyCounts.reduce((s, c) => s + c, 0);
      const utilization = Number(w.avgGpuUtilizationPct);
      const isAscending = w.latencyKeys.every((k, i) => i === 0 || k > w.latencyKeys[i - 1]!);
      return !(
        ok >= 0 &&
        w.cachedInputTokens <= w.inputTokens &&
        samples === ok &&
        w.latencyKeys.length === w.latencyCounts.length &&
        w.latencyCounts.every((c) => c > 0) &&
        isAscending &&
        utilization >= 0 &&
        utilization <= 100
      );
    });
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it("has error rates of 0.1-2% and per-request tokens true to each deployment", () => {
    for (const d of data.deployments) {
      const windows = windowsByDeployment.get(d.name)!;
      const requests = windows.reduce((s, w) => s + w.requests, 0);
      if (requests === 0) continue;
      const errors = windows.reduce((s, w) => s + w.errors, 0);
      expect(errors / requests, d.name).toBeGreaterThanOrEqual(0.001);
      expect(errors / requests, d.name).toBeLessThanOrEqual(0.02);
    }
    const perRequest = (name: string) => {
      const windows = windowsByDeployment.get(name)!;
      const ok = windows.reduce((s, w) => s + w.requests - w.errors, 0);
      return { input: windows.reduce((s, w) => s + w.inputTokens, 0) / ok, output: windows.reduce((s, w) => s + w.outputTokens, 0) / ok };
    };
    // RAG sends long contexts; a router answers with a label.
    expect(perRequest("rag-answer").input).toBeGreaterThan(3000);
    expect(perRequest("intent-router").output).toBeLessThan(10);
  });

  it("follows daily and weekly cycles in the team's time zone", () => {
    // code-assist: platform team, America/Los_Angeles, business hours.
    const windows = windowsByDeployment.get("code-assist")!;
    const local = (w: UsageWindowRecord) => {
      const parts = new Intl.DateTimeFormat("en-US", { timeZone: "America/Los_Angeles", hour: "numeric", hourCycle: "h23", weekday: "short" }).formatToParts(w.windowStart);
      return { hour: Number(parts.find((p) => p.type === "hour")!.value), weekday: parts.find((p) => p.type === "weekday")!.value };
    };
    const mean = (ws: UsageWindowRecord[]) => ws.reduce((s, w) => s + w.requests, 0) / ws.length;
    const sample = windows.filter((_, i) => i % 7 === 0).map((w) => ({ w, ...local(w) }));
    const weekday = sample.filter((x) => !["Sat", "Sun"].includes(x.weekday));
    const afternoon = mean(weekday.filter((x) => x.hour >= 13 && x.hour < 16).map((x) => x.w));
    const night = mean(weekday.filter((x) => x.hour >= 1 && x.hour < 4).map((x) => x.w));
    const weekendAfternoon = mean(sample.filter((x) => ["Sat", "Sun"].includes(x.weekday) && x.hour >= 13 && x.hour < 16).map((x) => x.w));
    expect(afternoon).toBeGreaterThan(5 * night);
    expect(afternoon).toBeGreaterThan(2 * weekendAfternoon);
  });

  it("has deployments whose p99 breaches their SLO and some that meet it", () => {
    const p99 = (name: string) =>
      sketchQuantile(mergeSketches(...windowsByDeployment.get(name)!.map((w) => ({ keys: w.latencyKeys, counts: w.latencyCounts }))), 0.99);
    const withSlo = data.deployments.filter((d) => d.p99SloMs !== null && windowsByDeployment.get(d.name)!.some((w) => w.requests > 0));
    const breaching = withSlo.filter((d) => p99(d.name)! > d.p99SloMs!);
    expect(breaching.length).toBeGreaterThanOrEqual(1);
    expect(breaching.length).toBeLessThan(withSlo.length);
  });
});
