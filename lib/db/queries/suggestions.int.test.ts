import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Viewer } from "@/lib/access/viewer";
import { sketchFromSamples } from "@/lib/domain/latency-sketch";
import type { DeploymentFacts, RunFacts, Suggestion } from "@/lib/domain/suggestions";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { rebuildUsageRollups } from "../mutations/usage-rollups";
import { pgRunner } from "../sql";
import { queryLedger } from "./cost-ledger";
import { deploymentDetail, trainingRunDetail } from "./details";
import { listSuggestions, loadSuggestionFacts, suggestionPeriod, type SuggestionScope } from "./suggestions";

// The suggestions read model on a real PostgreSQL: facts equal the ledger's
// and the deployment page's cents for the same item and period, gaps and
// missing data are what they are, the expected rules fire (and the ones that
// must not, don't), and a team's scope holds only its own items.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date("2026-11-20T12:00:00Z");
let client: pg.Client;
let f: OrgFixture;
const ids: Record<string, number> = {};

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  f = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const one = async (text: string, values: unknown[]) => ((await client.query(text, values)).rows[0] as { id: number }).id;
  // Catalog: H100 aws on-demand $2.50 (fixture) + reserved $1.50; L4 whose on-demand price changed before the period's end.
  await client.query(`insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'RESERVED', 1.5, '2025-01-01')`, [f.gpuTypeId]);
  const l4 = await one(`insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'L4 24GB', 24, 121, 300) returning id`, [f.orgId]);
  await client.query(
    `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values
     ($1, 'aws', 'ON_DEMAND', 1.0, '2025-01-01', '2026-11-15'), ($1, 'aws', 'ON_DEMAND', 0.8, '2026-11-15', null)`,
    [l4],
  );
  ids.l4 = l4;

  const run = (name: string, teamId: number, values: { precision: string; method: string; gpuCount: number; start: string; end: string | null; tokens?: number | null; util?: number | null; storage?: string; flash?: boolean }) =>
    one(
      `insert into training_runs ("teamId", name, model, "parameterCount", method, precision, "flashAttention", "gpuTypeId", provider, "pricingModel", "gpuCount",
         "startedAt", "endedAt", status, "tokensProcessed", "avgGpuUtilizationPct", "storageCostUsd", "updatedAt")
       values ($1, $2, 'm', 400000000, $3, $4, $5, $6, 'aws', 'ON_DEMAND', $7, $8, $9, $10, $11, $12, $13, now()) returning id`,
      [teamId, name, values.method, values.precision, values.flash ?? true, f.gpuTypeId, values.gpuCount, values.start, values.end, values.end ? "SUCCEEDED" : "RUNNING",
        values.tokens ?? null, values.util ?? null, values.storage ?? "0"],
    );
  // 8 × 10 h × $2.50 = $200.00 in FP32: mixed precision.
  ids.fp32 = await run("fp32-run", f.teamId, { precision: "FP32", method: "OTHER", gpuCount: 8, start: "2026-11-10T00:00:00Z", end: "2026-11-10T10:00:00Z", storage: "1.234567" });
  // Started before the period (Oct 22 00:00 London = Oct 21 23:00Z): 73 h of it inside, 1 × 73 h × $2.50 = $182.50; MFU ≈ 45%.
  ids.long = await run("long-run", f.teamId, {
    precision: "BF16", method: "PRETRAIN", gpuCount: 1, start: "2026-10-15T00:00:00Z", end: "2026-10-25T00:00:00Z",
    tokens: Math.round((0.45 * 989.5e12 * 240 * 3600) / (6 * 400_000_000)), util: 88.5, storage: "10.000000",
  });
  // Still running, no tokens or utilization reported.
  ids.running = await run("running-run", f.teamId, { precision: "BF16", method: "PRETRAIN", gpuCount: 2, start: "2026-11-19T12:00:00Z", end: null });
  // Ended before the period.
  ids.old = await run("old-run", f.teamId, { precision: "FP32", method: "OTHER", gpuCount: 8, start: "2026-09-01T00:00:00Z", end: "2026-09-02T00:00:00Z" });
  // The other team's FP32 run.
  ids.otherFp32 = await run("applied-fp32", f.otherTeamId, { precision: "FP32", method: "OTHER", gpuCount: 8, start: "2026-11-12T00:00:00Z", end: "2026-11-12T10:00:00Z" });

  const deployment = (name: string, teamId: number, values: { gpuCount?: number; from: string; slo?: number | null; gpuTypeId?: number; batching?: string }) =>
    one(
      `insert into inference_deployments ("teamId", name, model, "parameterCount", "servingEngine", quantization, batching, "maxBatchSize", "gpuTypeId", provider, "pricingModel",
         "gpuCount", "p99SloMs", "activeFrom", "updatedAt")
       values ($1, $2, 'small-llm', 8000000000, 'VLLM', 'FP8', $3, 64, $4, 'aws', 'ON_DEMAND', $5, $6, $7, now()) returning id`,
      [teamId, name, values.batching ?? "CONTINUOUS", values.gpuTypeId ?? f.gpuTypeId, values.gpuCount ?? 1, values.slo ?? null, values.from],
    );
  ids.idle = await deployment("idle-box", f.teamId, { from: "2026-10-01T00:00:00Z" });
  ids.gappy = await deployment("gappy", f.teamId, { from: "2026-11-01T00:00:00Z" });
  ids.slow = await deployment("slow", f.teamId, { from: "2026-11-01T00:00:00Z", gpuCount: 2, slo: 500 });
  ids.dark = await deployment("dark", f.teamId, { from: "2026-11-15T00:00:00Z", gpuTypeId: l4 });
  ids.otherIdle = await deployment("applied-idle", f.otherTeamId, { from: "2026-10-01T00:00:00Z" });

  // Hourly windows over [from, to), minus the hours in `skip`.
  const windows = async (deploymentId: number, from: string, to: string, w: { requests: number; util: number | null; latency?: number[] }, skip: [string, string][] = []) => {
    const sketch = w.latency ? sketchFromSamples(w.latency) : null;
    const scaled = sketch ? sketch.counts.map((c) => c * (w.requests / w.latency!.length)) : null;
    await client.query(
      `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens",
         "latencyKeys", "latencyCounts", "avgGpuUtilizationPct")
       select $1, t, 3600, $4::bigint, 0, $4::bigint * 500, $4::bigint * 100, $4::bigint * 150, $5::smallint[], $6::int[], $7::numeric
       from generate_series($2::timestamptz, $3::timestamptz - interval '1 hour', interval '1 hour') t
       where not exists (select 1 from unnest($8::timestamptz[], $9::timestamptz[]) s(a, b) where t >= s.a and t < s.b)`,
      [deploymentId, from, to, w.requests, sketch?.keys ?? null, scaled, w.util, skip.map((s) => s[0]), skip.map((s) => s[1])],
    );
  };
  await windows(ids.idle, "2026-10-01T00:00:00Z", "2026-11-20T12:00:00Z", { requests: 0, util: null });
  await windows(ids.otherIdle, "2026-10-01T00:00:00Z", "2026-11-20T12:00:00Z", { requests: 0, util: null });
  // Leading 2 h, a 54 h exporter outage and a trailing 3 h without records.
  await windows(ids.gappy, "2026-11-01T02:00:00Z", "2026-11-20T09:00:00Z", { requests: 3600, util: 90 }, [["2026-11-10T00:00:00Z", "2026-11-12T06:00:00Z"]]);
  // Busy only 30% of the time, yet p99 ~2 s against a 500 ms SLO.
  const latency = Array.from({ length: 100 }, (_, i) => (i < 97 ? 200 + i : 2000));
  await windows(ids.slow, "2026-11-01T00:00:00Z", "2026-11-20T12:00:00Z", { requests: 3600, util: 30, latency });
  await rebuildUsageRollups(pgRunner(client));
});

afterAll(async () => {
  await client.end();
});

const period = suggestionPeriod({ now, timeZone: "Europe/London" });
/** The period's facts — checked against the runs' and the deployments' read apart, as the read cache reads them. */
const facts = async (scope: SuggestionScope, viewer: Viewer = f.viewer) => {
  const whole = await loadSuggestionFacts({ viewer, scope, period, now });
  const [runs, deployments] = await Promise.all([
    loadSuggestionFacts({ viewer, scope, period, now, part: "runs" }),
    loadSuggestionFacts({ viewer, scope, period, now, part: "deployments" }),
  ]);
  expect(runs.deployments).toEqual([]);
  expect(deployments.runs).toEqual([]);
  expect({ runs: runs.runs, deployments: deployments.deployments }).toEqual(whole);
  return whole;
};
const runOf = (runs: RunFacts[], id: number) => runs.find((r) => r.id === id)!;
const deploymentOf = (deployments: DeploymentFacts[], id: number) => deployments.find((d) => d.id === id)!;
const ledgerCents = async (filters: { runIds?: number[]; deploymentIds?: number[] }) => {
  const rows = await queryLedger({ viewer: f.viewer, filters, from: period.start, to: period.end, unit: "day", timeZone: "Europe/London", groupBy: "item", now, isWholeRange: true });
  return { compute: rows[0]!.computeCostCents, extra: rows[0]!.extraCostCents };
};
const rulesOf = (suggestions: Suggestion[], id: number, kind = "deployment") =>
  suggestions.filter((s) => s.subject.kind === kind && s.subject.id === id).map((s) => s.ruleId).sort();

describe("the suggestion period", () => {
  it("is the dashboards' last 30 days in the zone, its end clipped to now", () => {
    expect(period).toEqual({ start: at("2026-10-21T23:00:00Z"), end: now });
  });
});

describe("run facts", () => {
  it("hold the runs with cost in the period, running or finished, and no others", async () => {
    const { runs } = await facts({ kind: "org" });
    expect(runs.map((r) => r.name).sort()).toEqual(["applied-fp32", "fp32-run", "long-run", "running-run"]);
    expect(runs.every((r) => r.period.start.getTime() === period.start.getTime() && r.period.end.getTime() === now.getTime())).toBe(true);
  });

  it("carry the ledger's compute and extra cents for the run and period", async () => {
    const { runs } = await facts({ kind: "org" });
    const long = runOf(runs, ids.long!);
    expect(long.computeCents).toBe(18_250n);
    expect(long.gpuHours).toBe(73);
    for (const id of [ids.fp32!, ids.long!, ids.running!]) {
      const run = runOf(runs, id);
      const ledger = await ledgerCents({ runIds: [id] });
      expect([run.computeCents, run.extraCents]).toEqual([ledger.compute, ledger.extra]);
    }
    expect(runOf(runs, ids.fp32!).computeCents).toBe(20_000n);
    expect(runOf(runs, ids.fp32!).extraCents).toBe(123n);
  });

  it("carry the run page's lifetime MFU, and null where nothing was reported", async () => {
    const { runs } = await facts({ kind: "org" });
    const detail = (await trainingRunDetail({ viewer: f.viewer, id: ids.long!, now }))!;
    expect(runOf(runs, ids.long!).mfu).toBe(detail.cost.mfu);
    expect(runOf(runs, ids.long!).mfu).toBeCloseTo(0.45, 6);
    expect(runOf(runs, ids.long!).avgGpuUtilizationPct).toBe(88.5);
    const running = runOf(runs, ids.running!);
    expect([running.mfu, running.avgGpuUtilizationPct, running.tokensProcessed]).toEqual([null, null, null]);
    expect(running.status).toBe("RUNNING");
  });
});

describe("deployment facts", () => {
  it("split the deployment page's cents serving : idle : untracked, adding up to the ledger's cents", async () => {
    const { deployments } = await facts({ kind: "org" });
    expect(deployments.map((d) => d.name).sort()).toEqual(["applied-idle", "dark", "gappy", "idle-box", "slow"]);
    for (const d of deployments) {
      const { servingCents, idleCents, untrackedCents } = d.cost;
      const ledger = await ledgerCents({ deploymentIds: [d.id] });
      expect(servingCents + idleCents + untrackedCents, d.name).toBe(ledger.compute);
      const page = (await deploymentDetail({ viewer: f.viewer, id: d.id, range: period, unit: "day", timeZone: "Europe/London", now }))!;
      expect([page.cents.total, page.cents.idle, page.cents.untracked], d.name).toEqual([ledger.compute, idleCents, untrackedCents]);
    }
  });

  it("measure recorded, idle and untracked time, and the longest stretch without records", async () => {
    const { deployments } = await facts({ kind: "org" });
    const activeMs = now.getTime() - period.start.getTime();
    const idle = deploymentOf(deployments, ids.idle!);
    expect([idle.activeMs, idle.recordedMs, idle.idleMs, idle.trafficMs, idle.largestGapMs]).toEqual([activeMs, activeMs, activeMs, 0, 0]);
    expect(idle.cost.untrackedCents).toBe(0n);
    expect(idle.cost.idleCents).toBe(idle.cost.servingCents + idle.cost.idleCents);
    expect(idle.requests).toBe(0n);

    const gappy = deploymentOf(deployments, ids.gappy!);
    const gappyActive = now.getTime() - at("2026-11-01T00:00:00Z").getTime();
    expect(gappy.activeMs).toBe(gappyActive);
    expect(gappy.recordedMs).toBe(gappyActive - (2 + 54 + 3) * HOUR);
    expect(gappy.largestGapMs).toBe(54 * HOUR);
    expect(gappy.cost.untrackedCents).toBeGreaterThan(0n);
    expect(gappy.utilization).toBeCloseTo(0.9, 9);
    expect(gappy.trafficMs).toBe(gappy.recordedMs);
    expect(gappy.idleMs).toBe(Math.round(gappy.recordedMs * 0.1));
    // Traffic totals from the usage ledger; no latency was recorded: no data, never 0.
    const hours = BigInt(gappy.recordedMs / HOUR);
    expect([gappy.requests, gappy.inputTokens, gappy.cachedInputTokens, gappy.outputTokens]).toEqual([3600n * hours, 1_800_000n * hours, 360_000n * hours, 540_000n * hours]);
    expect([gappy.p50Ms, gappy.p99Ms]).toEqual([null, null]);

    const slow = deploymentOf(deployments, ids.slow!);
    expect(slow.p99Ms!).toBeGreaterThan(1900);
    expect(slow.p50Ms!).toBeLessThan(300);

    // No records at all: every active millisecond is untracked, nothing is idle.
    const dark = deploymentOf(deployments, ids.dark!);
    expect(dark.activeMs).toBe(5.5 * DAY);
    expect([dark.recordedMs, dark.idleMs, dark.largestGapMs, dark.utilization, dark.p99Ms]).toEqual([0, 0, 5.5 * DAY, null, null]);
    expect(dark.cost.untrackedCents).toBe(dark.cost.servingCents + dark.cost.idleCents + dark.cost.untrackedCents);
    expect(dark.cost.untrackedCents).toBeGreaterThan(0n);
  });

  it("price from the catalog in effect at the end of the period, with the org's other GPU types", async () => {
    const { deployments } = await facts({ kind: "org" });
    const dark = deploymentOf(deployments, ids.dark!);
    expect(dark.pricePerGpuHourMicros).toBe(800_000n);
    expect(dark.hasPriceOverride).toBe(false);
    expect(dark.gpuType.prices).toEqual([{ provider: "aws", pricingModel: "ON_DEMAND", pricePerGpuHourMicros: 800_000n }]);
    expect(dark.alternativeGpuTypes.map((g) => g.name)).toEqual(["H100 80GB"]);
    const idle = deploymentOf(deployments, ids.idle!);
    expect(idle.pricePerGpuHourMicros).toBe(2_500_000n);
    expect(idle.gpuType).toMatchObject({ name: "H100 80GB", memoryGb: 80, peakBf16Tflops: 989.5, memoryBandwidthGbps: 3350 });
    expect([...idle.gpuType.prices].sort((a, b) => a.pricingModel.localeCompare(b.pricingModel))).toEqual([
      { provider: "aws", pricingModel: "ON_DEMAND", pricePerGpuHourMicros: 2_500_000n },
      { provider: "aws", pricingModel: "RESERVED", pricePerGpuHourMicros: 1_500_000n },
    ]);
    expect(idle.isActive).toBe(true);
  });
});

describe("listSuggestions", () => {
  it("fires the rules the facts call for, and not the ones they rule out", async () => {
    const { period: listed, suggestions } = await listSuggestions({ viewer: f.viewer, scope: { kind: "org" }, now });
    expect(listed).toEqual(period);
    expect(rulesOf(suggestions, ids.fp32!, "run")).toEqual(["mixed-precision"]);
    expect(rulesOf(suggestions, ids.long!, "run")).toEqual([]);
    // No request at all: switch it off; committing to its GPUs would contradict that.
    expect(rulesOf(suggestions, ids.idle!)).toEqual(["idle-capacity"]);
    // A 54-hour gap: ask for the records, claim nothing idle.
    expect(rulesOf(suggestions, ids.gappy!)).toEqual(["usage-data-gap"]);
    // Breaching its SLO while 70% idle: add capacity, never shrink.
    expect(rulesOf(suggestions, ids.slow!)).toEqual(["slo-scale-out"]);
    expect(rulesOf(suggestions, ids.dark!)).toEqual(["usage-data-gap"]);
    const idle = suggestions.find((s) => s.id === `idle-capacity:deployment:${ids.idle}`)!;
    // The whole cost per active day × 30.44: 1 GPU × $2.50 × 730.56 h.
    expect(idle.monthlySaving).toEqual({ lowCents: 182_640n, highCents: 182_640n });
  });

  it("keeps a team's scope to its own items", async () => {
    const { suggestions } = await listSuggestions({ viewer: f.viewer, scope: { kind: "team", teamId: f.teamId }, now });
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.every((s) => s.subject.teamId === f.teamId)).toBe(true);
    const other = await listSuggestions({ viewer: f.viewer, scope: { kind: "team", teamId: f.otherTeamId }, now });
    expect(other.suggestions.map((s) => s.subject.name).sort()).toEqual(["applied-fp32", "applied-idle"]);
    const { runs, deployments } = await facts({ kind: "team", teamId: f.teamId });
    expect([...runs, ...deployments].every((x) => x.teamId === f.teamId)).toBe(true);
  });

  it("count a window that starts before the period and reaches into it as records, and only that one", async () => {
    // Raw windows only (gaps read no rollups), removed again so the other tests' lists stay as they are.
    const one = async (name: string) =>
      (
        await client.query<{ id: number }>(
          `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
           values ($1, $2, 'small-llm', 'VLLM', 'FP8', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 1, '2026-10-01T00:00:00Z', now()) returning id`,
          [f.teamId, name, f.gpuTypeId],
        )
      ).rows[0]!.id;
    const windows = (deploymentId: number, spans: [string, number][]) =>
      client.query(
        `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, "inputTokens", "outputTokens", "latencyKeys", "latencyCounts")
         select $1, s, secs, 1, 1, 1, '{}', '{}' from unnest($2::timestamptz[], $3::int[]) u(s, secs)`,
        [deploymentId, spans.map((x) => x[0]), spans.map((x) => x[1])],
      );
    const straddle = await one("straddle");
    const stale = await one("stale");
    try {
      // The period starts 2026-10-21T23:00Z. A 6 h window from 20:00Z covers its first 3 h; records resume at 05:00Z: a 3 h gap.
      await windows(straddle, [["2026-10-10T00:00:00Z", 3600], ["2026-10-21T20:00:00Z", 6 * 3600], ["2026-10-22T05:00:00Z", Math.round((now.getTime() - at("2026-10-22T05:00:00Z").getTime()) / 1000)]]);
      // The last window before the period ends before it: the gap runs from the period's start to 2026-10-23T00:00Z (25 h).
      await windows(stale, [["2026-10-10T00:00:00Z", 3600], ["2026-10-23T00:00:00Z", Math.round((now.getTime() - at("2026-10-23T00:00:00Z").getTime()) / 1000)]]);
      const gapOf = async (id: number) => (await facts({ kind: "deployment", id })).deployments[0]!.largestGapMs;
      expect(await gapOf(straddle)).toBe(3 * HOUR);
      expect(await gapOf(stale)).toBe(25 * HOUR);
    } finally {
      await client.query(`delete from inference_usage_windows where "deploymentId" = any($1::int[])`, [[straddle, stale]]);
      await client.query(`delete from inference_deployments where id = any($1::int[])`, [[straddle, stale]]);
    }
  });

  it("scopes a run or a deployment to that item alone, and nothing outside the viewer's org", async () => {
    const run = await facts({ kind: "run", id: ids.fp32! });
    expect([run.runs.map((r) => r.id), run.deployments]).toEqual([[ids.fp32], []]);
    const deployment = await facts({ kind: "deployment", id: ids.slow! });
    expect([deployment.runs, deployment.deployments.map((d) => d.id)]).toEqual([[], [ids.slow]]);
    const stranger: Viewer = { ...f.viewer, orgId: f.orgId + 1_000 };
    expect(await facts({ kind: "org" }, stranger)).toEqual({ runs: [], deployments: [] });
    expect(await facts({ kind: "team", teamId: f.teamId }, stranger)).toEqual({ runs: [], deployments: [] });
  });
});
