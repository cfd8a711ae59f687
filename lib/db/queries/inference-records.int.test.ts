import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { sketchFromSamples, sketchQuantile } from "@/lib/domain/latency-sketch";
import type { UsageBy } from "@/lib/validation/usage-table";
import { rebuildUsageRollups } from "../mutations/usage-rollups";
import { pgRunner } from "../sql";
import { deploymentsWithMetrics } from "./dashboards";
import { deploymentDetail } from "./details";
import type { WithNoData } from "@/lib/domain/usage-table";
import { deploymentUsageTable, type DeploymentUsageTable, type UsageBucketRow } from "./inference-records";

// The deployment page's usage table follows the range: rolled up by hour or
// day in the reporting zone it adds up to the records in the range, stretches
// without records are "no data", and a range without records has no rows and
// no-data figures (idle share, QPS, $/1M tokens) rather than zeros or "100% idle".

const timeZone = "America/New_York";
const now = new Date("2026-11-20T12:00:00Z");
let client: pg.Client;
let viewer: Viewer;
let deploymentId: number;
let busyDeploymentId: number;

interface Window {
  start: Date;
  seconds: number;
  requests: number;
  errors: number;
  input: number;
  output: number;
  samples: number[] | null;
  summary: [number, number, number] | null;
}
const windows: Window[] = [];

/** Local midnight of a November 2026 date in New York (after the DST change: UTC−5). */
const nyDay = (day: number) => new Date(Date.UTC(2026, 10, day, 5, 0));
/** Nov 2, 3 and 5 have usage; Nov 4 has none. */
const range = { start: nyDay(2), end: nyDay(6) };

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const one = async (text: string, values: unknown[]) => (await client.query(text, values)).rows[0] as { id: number };
  const org = await one(`insert into orgs (slug, name, "timeZone") values ('usage-table', 'O', $1) returning id`, [timeZone]);
  viewer = makeViewer({ userId: 0, orgId: org.id, orgName: "O", orgTimeZone: timeZone, role: "ADMIN", name: "A" });
  const gpu = await one(`insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'L4', 24, 121, 300) returning id`, [org.id]);
  const team = await one(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, 't', 'T', 10, $2, now()) returning id`, [org.id, timeZone]);
  const deployment = (name: string) =>
    one(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "pricePerGpuHourOverride", "activeFrom", "updatedAt")
       values ($1, $2, 'm', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 2, 2.5, '2026-10-01', now()) returning id`,
      [team.id, name, gpu.id],
    );
  deploymentId = (await deployment("served")).id;
  busyDeploymentId = (await deployment("busy")).id;
  // 90-minute windows (so hours split them) on Nov 2, 3 and 5 local; some without traffic, one summary-only.
  let i = 0;
  for (const day of [2, 3, 5]) {
    for (let t = nyDay(day).getTime(); t + 5_400_000 <= nyDay(day + 1).getTime(); t += 5_400_000, i++) {
      const requests = i % 7 === 3 ? 0 : 100 + ((i * 37) % 500);
      const isSummary = i === 20;
      windows.push({
        start: new Date(t),
        seconds: 5_400,
        requests,
        errors: Math.floor(requests / 50),
        input: requests * 700,
        output: requests * 250,
        samples: requests > 0 && !isSummary ? Array.from({ length: 40 }, (_, k) => 30 + ((k * 13 + i) % 40) * 12) : null,
        summary: requests > 0 && isSummary ? [90, 400, 900] : null,
      });
    }
  }
  for (const w of windows) {
    const sketch = w.samples ? sketchFromSamples(w.samples) : null;
    await client.query(
      `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens",
        "latencyKeys", "latencyCounts", "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct")
       values ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13)`,
      [deploymentId, w.start, w.seconds, w.requests, w.errors, w.input, w.output, sketch?.keys ?? null, sketch?.counts ?? null,
        w.summary?.[0] ?? null, w.summary?.[1] ?? null, w.summary?.[2] ?? null, w.requests > 0 ? 60 : null],
    );
  }
  // 600 five-minute records on Nov 10: more than the table lists one by one.
  await client.query(
    `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens")
     select $1, $2::timestamptz + make_interval(mins => 5 * n), 300, 10, 0, 100, 0, 50 from generate_series(0, 599) n`,
    [busyDeploymentId, nyDay(10)],
  );
  await rebuildUsageRollups(pgRunner(client));
});

afterAll(async () => {
  await client.end();
});

async function allPages(usageBy: UsageBy, over = range, id = deploymentId) {
  const first = (await deploymentUsageTable({ viewer, deploymentId: id, range: over, timeZone, usageBy, page: 1, now }))!;
  const pages: DeploymentUsageTable[] = [first];
  for (let page = 2; page <= first.pageCount; page++) pages.push((await deploymentUsageTable({ viewer, deploymentId: id, range: over, timeZone, usageBy, page, now }))!);
  const records = pages.flatMap((p) => (p.table.usageBy === "record" ? p.table.rows : []));
  const lines = pages.flatMap((p) => (p.table.usageBy === "record" ? [] : p.table.rows));
  return { first, records, lines, count: records.length + lines.length };
}

const dataRows = (lines: WithNoData<UsageBucketRow>[]) => lines.flatMap((l) => (l.kind === "data" ? [l.row] : []));

const sum = (xs: readonly (number | bigint)[]) => xs.reduce<bigint>((s, x) => s + BigInt(x), 0n);

describe("usage table over a range", () => {
  it.each(["hour", "day"] as const)("by %s: rows sum to the records in the range; the day without records is no data", async (usageBy) => {
    const { first, lines } = await allPages(usageBy);
    const data = dataRows(lines);
    const gaps = lines.filter((l) => l.kind === "noData");
    expect(first.usageBy).toBe(usageBy);
    expect(first.recordCount).toBe(windows.length);
    expect(sum(data.map((r) => r.requests))).toBe(sum(windows.map((w) => w.requests)));
    expect(sum(data.map((r) => r.errors))).toBe(sum(windows.map((w) => w.errors)));
    expect(sum(data.map((r) => r.inputTokens + r.outputTokens))).toBe(sum(windows.map((w) => w.input + w.output)));
    expect(sum(data.map((r) => r.recordedMs))).toBe(sum(windows.map((w) => w.seconds * 1000)));
    expect(first.totalRequests).toBe(sum(windows.map((w) => w.requests)));
    // Newest first; Nov 4 (local) is one "no data" stretch, never a zero row.
    expect(data.map((r) => r.start.getTime())).toEqual([...data.map((r) => r.start.getTime())].sort((a, b) => b - a));
    expect(gaps).toEqual([{ kind: "noData", start: nyDay(4), end: nyDay(5) }]);
    expect(data.every((r) => r.recordedMs > 0 && r.qps !== null)).toBe(true);
    // QPS over the time with records.
    for (const r of data) expect(r.qps).toBeCloseTo(Number(r.requests) / (r.recordedMs / 1000), 9);
  });

  it("by day: percentiles come from the merged sketch; the day with a summary-only record says so", async () => {
    const days = dataRows((await allPages("day")).lines);
    const nov2 = days.find((d) => d.start.getTime() === nyDay(2).getTime())!;
    const samples = windows.filter((w) => w.start >= nyDay(2) && w.start < nyDay(3) && w.samples).flatMap((w) => w.samples!);
    expect(nov2.latency.source).toBe("sketch");
    expect(nov2.latency.p99Ms).toBe(sketchQuantile(sketchFromSamples(samples), 0.99));
    const summaryDay = days.find((d) => d.latency.source === "mixed");
    expect(summaryDay?.latency.summaryShare).toBeGreaterThan(0);
  });

  it("by record: only records in the range, newest first, percentiles from each record's sketch", async () => {
    const { first, records } = await allPages("record");
    expect(records).toHaveLength(windows.length);
    expect(first.pageCount).toBe(Math.ceil(windows.length / 25));
    expect(records[0]!.windowStart).toEqual(windows.at(-1)!.start);
    const withSketch = records.find((r) => r.windowStart.getTime() === windows[0]!.start.getTime())!;
    expect(withSketch.latency).toMatchObject({ source: "sketch", p99Ms: sketchQuantile(sketchFromSamples(windows[0]!.samples!), 0.99) });
    expect(records.find((r) => r.latency.source === "summary")?.latency).toMatchObject({ p50Ms: 90, p95Ms: 400, p99Ms: 900 });
    const narrow = await allPages("record", { start: nyDay(3), end: nyDay(4) });
    expect(narrow.first.recordCount).toBe(windows.filter((w) => w.start >= nyDay(3) && w.start < nyDay(4)).length);
  });

  it("defaults to records up to 500 in the range, to days past that", async () => {
    expect((await deploymentUsageTable({ viewer, deploymentId, range, timeZone, usageBy: undefined, page: 1, now }))!.usageBy).toBe("record");
    const busy = (await deploymentUsageTable({ viewer, deploymentId: busyDeploymentId, range: { start: nyDay(10), end: nyDay(13) }, timeZone, usageBy: undefined, page: 1, now }))!;
    expect(busy).toMatchObject({ usageBy: "day", recordCount: 600, isDefaultGrain: true });
  });
});

describe("a range without usage records", () => {
  const empty = { start: nyDay(14), end: nyDay(17) };

  it.each(["record", "hour", "day"] as const)("by %s: no rows", async (usageBy) => {
    const { first, count } = await allPages(usageBy, empty);
    expect(count).toBe(0);
    expect(first).toMatchObject({ recordCount: 0, totalRequests: 0n, pageCount: 1 });
  });

  it("idle share, QPS and $/1M tokens are no data, not 100% idle or 0; the cost is still paid", async () => {
    const { rows } = await deploymentsWithMetrics({ viewer, now, range: empty });
    const row = rows.find((r) => r.id === deploymentId)!;
    expect(row).toMatchObject({ hasUsageRecords: false, idleShare: null, qps: null, costPerMillionTokensUsd: null });
    expect(row.costCents).toBe(2n * 250n * 72n); // 2 GPUs × $2.50 × 72 h
    const detail = (await deploymentDetail({ viewer, id: deploymentId, range: empty, unit: "day", timeZone, now }))!;
    expect(detail.summary).toMatchObject({ recordedMs: 0, idleShare: null, idleCostMicros: 0n });
    expect(detail.summary.untrackedCostMicros).toBe(detail.summary.computeCostMicros);
    expect(detail.points.every((p) => !p.hasRecords && p.qps === null && p.idleCents === 0n)).toBe(true);
  });

  it("over the mixed range, idle share is over recorded time only", async () => {
    const detail = (await deploymentDetail({ viewer, id: deploymentId, range, unit: "day", timeZone, now }))!;
    const recordedMs = windows.reduce((s, w) => s + w.seconds * 1000, 0);
    expect(detail.summary.recordedMs).toBe(recordedMs);
    expect(detail.summary.untrackedMs).toBe(4 * 86_400_000 - recordedMs);
    // Idle: records without traffic + 40% of traffic time (60% utilization).
    const quietMs = windows.filter((w) => w.requests === 0).reduce((s, w) => s + w.seconds * 1000, 0);
    expect(detail.summary.idleMs).toBe(quietMs + Math.round(0.4 * (recordedMs - quietMs)));
    expect(detail.summary.idleShare).toBeCloseTo(detail.summary.idleMs / recordedMs, 12);
    expect(detail.points.map((p) => p.hasRecords)).toEqual([true, true, false, true]);
    expect(detail.points.reduce((s, p) => s + p.servingCents + p.idleCents + p.untrackedCents, 0n)).toBe(detail.cents.total);
  });
});
