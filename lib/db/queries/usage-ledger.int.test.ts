import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { mergeSketches, sketchFromSamples, sketchQuantileKey } from "@/lib/domain/latency-sketch";
import { addMeasures, EMPTY_MEASURES, prorateWindow, type UsageMeasures, type UsageWindowInput } from "@/lib/domain/usage-rollup";
import { expectCompactQuantilesCurrent } from "@/lib/testing/inference-records";
import { applyUsageWindowChanges, compactTeamRollups, rebuildUsageRollups, sealUsageDays, sealUsageMonths } from "../mutations/usage-rollups";
import { pgRunner } from "../sql";
import { queryUsage, type UsageQuery } from "./usage-ledger";

// Usage read from each rollup level must equal the same figures recomputed
// from the raw windows in TypeScript: sums exactly, percentiles to the bucket.
let client: pg.Client;
let viewer: Viewer;
const windows: (UsageWindowInput & { deploymentId: number; teamId: number })[] = [];
const teamIds: number[] = [];

function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows: [org] } = await client.query(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'America/New_York') returning id`);
  viewer = makeViewer({ userId: 0, orgId: org.id, orgName: "O", orgTimeZone: "America/New_York", role: "ADMIN", name: "A" });
  const { rows: [gpu] } = await client.query(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'L4', 24, 121, 300) returning id`,
    [org.id],
  );
  for (const [slug, tz] of [["a", "Asia/Kathmandu"], ["b", "America/New_York"]] as const) {
    const { rows: [team] } = await client.query(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $2, 10, $3, now()) returning id`,
      [org.id, slug, tz],
    );
    teamIds.push(team.id);
  }
  const random = rng(7);
  for (const [i, teamId] of [teamIds[0]!, teamIds[0]!, teamIds[1]!].entries()) {
    const { rows: [d] } = await client.query(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, $2, $3, 'VLLM', 'NONE', 'CONTINUOUS', $4, 'aws', 'ON_DEMAND', 1, '2026-03-01', now()) returning id`,
      [teamId, `d${i}`, i === 2 ? "m2" : "m1", gpu.id],
    );
    // Three days of 5-minute windows over the US DST change, some idle, one summary-only.
    for (let t = Date.UTC(2026, 2, 7, 0, 0); t < Date.UTC(2026, 2, 10, 0, 0); t += 300_000) {
      const requests = random() < 0.1 ? 0 : Math.floor(random() * 400);
      const isSummary = t === Date.UTC(2026, 2, 8, 12, 0);
      const sketch = sketchFromSamples(Array.from({ length: Math.min(requests, 30) }, () => 40 * Math.exp(random() * 2.5)));
      const w = {
        deploymentId: d.id,
        teamId,
        windowStart: new Date(t),
        windowSeconds: 300,
        requests: BigInt(requests),
        errors: BigInt(Math.floor(requests / 100)),
        inputTokens: BigInt(requests * 900),
        cachedInputTokens: BigInt(requests * 200),
        outputTokens: BigInt(requests * 300),
        latency: isSummary || requests === 0 ? null : sketch,
        summaryMs: isSummary && requests > 0 ? { p50: 80, p95: 300, p99: 700 } : null,
        avgGpuUtilizationCentiPct: Math.floor(random() * 10_000),
      };
      windows.push(w);
      await client.query(
        `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens",
          "latencyKeys", "latencyCounts", "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct")
         values ($1, $2, 300, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [d.id, w.windowStart, w.requests, w.errors, w.inputTokens, w.cachedInputTokens, w.outputTokens, w.latency?.keys ?? null, w.latency?.counts ?? null,
          w.summaryMs?.p50 ?? null, w.summaryMs?.p95 ?? null, w.summaryMs?.p99 ?? null, w.avgGpuUtilizationCentiPct / 100],
      );
    }
  }
  // Rollups built the way the batch write path builds them: 40 windows per transaction, each added to its rows as it is, so day
  // and team rows hold appended (unsorted, repeated-key) sketch pairs, normalized only past the pair limit.
  await rebuildUsageRollups(pgRunner(client));
  // Months up to March sealed (April is not: it ended less than a day before): the writes below keep March's month rows.
  await sealUsageMonths(pgRunner(client), new Date("2026-05-01T12:00:00Z"));
  await client.query(`delete from usage_rollup_quarter; delete from usage_rollup_team_hour; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_day`);
  for (let i = 0; i < windows.length; i += 40) {
    await client.query("begin");
    await applyUsageWindowChanges(pgRunner(client), { added: windows.slice(i, i + 40).map(({ deploymentId, teamId: _, ...window }) => ({ deploymentId, window })) });
    await client.query("commit");
  }
  const { rows: [appended] } = await client.query(`select count(*)::int as n from usage_rollup_day where cardinality("latencyKeys") > cardinality(array(select distinct unnest("latencyKeys")))`);
  expect(appended.n).toBeGreaterThan(0);
});

afterAll(async () => {
  await client.end();
});

/** The oracle: raw windows prorated and merged in TypeScript. */
function expected(buckets: { start: Date; end: Date }[], groupOf: (w: (typeof windows)[number]) => string) {
  const out = new Map<string, UsageMeasures>();
  for (const w of windows) {
    for (const part of prorateWindow(w)) {
      const bucket = buckets.find((b) => part.bucketStart >= b.start && part.bucketStart < b.end);
      if (!bucket) continue;
      const key = `${bucket.start.toISOString()}|${groupOf(w)}`;
      out.set(key, addMeasures(out.get(key) ?? EMPTY_MEASURES, part.measures));
    }
  }
  return out;
}

const cases: [BucketUnit, string, UsageQuery["groupBy"], string][] = [
    ["hour", "America/New_York", "team", "teamHour"],
    ["hour", "Asia/Kathmandu", "team", "quarter"],
    ["hour", "America/New_York", "item", "quarter"],
    ["day", "America/New_York", "item", "day"],
    ["day", "Asia/Kathmandu", "none", "teamDay"],
    ["day", "America/New_York", "team", "teamDay"],
    ["day", "Asia/Kathmandu", "model", "day"],
    ["month", "America/New_York", "model", "month"],
    ["month", "America/New_York", "item", "month"],
    ["day", "Europe/Paris", "model", "quarter"],
    ["week", "Asia/Kathmandu", "team", "teamDay"],
];

/** queryUsage over March 7–10 (or to `to`) against the oracle. */
async function expectOracle(unit: BucketUnit, timeZone: string, groupBy: UsageQuery["groupBy"], source: string, to: string) {
  const buckets = bucketsBetween({ from: new Date("2026-03-07T00:00:00Z"), to: new Date(to), unit, timeZone });
  const result = await queryUsage(
    { viewer, filters: {}, from: buckets[0]!.start, to: buckets.at(-1)!.end, unit, timeZone, groupBy },
    pgRunner(client),
  );
  expect(result.source).toBe(source);
  const groupOf = (w: (typeof windows)[number]) =>
    groupBy === "team" ? String(w.teamId) : groupBy === "item" ? `inference:${w.deploymentId}` : groupBy === "model" ? (w.deploymentId === Math.max(...windows.map((x) => x.deploymentId)) ? "m2" : "m1") : "all";
  const oracle = expected(buckets, groupOf);
  expect(result.rows.length).toBe(oracle.size);
  for (const row of result.rows) {
    const want = oracle.get(`${row.bucketStart.toISOString()}|${row.groupKey}`);
    expect(want, `${row.bucketStart.toISOString()} ${row.groupKey}`).toBeDefined();
    expect([row.requests, row.errors, row.inputTokens, row.cachedInputTokens, row.outputTokens, row.windowMs, row.idleMs, row.utilMs, row.approxRequests]).toEqual([
      want!.requests, want!.errors, want!.inputTokens, want!.cachedInputTokens, want!.outputTokens, want!.windowMs, want!.idleMs, want!.utilMs, want!.approxRequests,
    ]);
    const sketch = mergeSketches(want!.latency);
    expect([row.p50Key, row.p95Key, row.p99Key]).toEqual([0.5, 0.95, 0.99].map((q) => sketchQuantileKey(sketch, q)));
  }
}

describe("usage from rollups = usage from raw windows", () => {
  const unsealed: [BucketUnit, string, UsageQuery["groupBy"], string, string][] = [
    // April ended less than a day before the seal: a range reaching into it reads day rows.
    ["month", "America/New_York", "model", "day", "2026-04-10T00:00:00Z"],
  ];
  it.each([...cases.map((c) => [...c, "2026-03-10T00:00:00Z"] as const), ...unsealed])("%s buckets in %s by %s (from %s rollups, to %s)", async (unit, timeZone, groupBy, source, to) => {
    await expectOracle(unit, timeZone, groupBy, source, to);
  });

  // One bucket over a long range (the overview's totals per deployment): whole sealed months (March) from month rows, the
  // rest from day rows — February's tail, and April, which is not sealed.
  it.each([
    ["America/New_York", "item", "2026-02-20T05:00:00Z", "2026-04-05T04:00:00Z"],
    ["Asia/Kathmandu", "model", "2026-02-19T18:15:00Z", "2026-04-20T18:15:00Z"],
  ] as const)("one bucket in %s by %s over %s – %s, from month and day rows", async (timeZone, groupBy, from, to) => {
    const range = { start: new Date(from), end: new Date(to) };
    const result = await queryUsage({ viewer, filters: {}, from: range.start, to: range.end, unit: "day", timeZone, groupBy, isWholeRange: true }, pgRunner(client));
    expect(result.source).toBe("monthAndDay");
    const groupOf = (w: (typeof windows)[number]) =>
      groupBy === "item" ? `inference:${w.deploymentId}` : w.deploymentId === Math.max(...windows.map((x) => x.deploymentId)) ? "m2" : "m1";
    const oracle = expected([range], groupOf);
    expect(result.rows.length).toBe(oracle.size);
    for (const row of result.rows) {
      expect(row.bucketStart).toEqual(range.start);
      const want = oracle.get(`${range.start.toISOString()}|${row.groupKey}`)!;
      expect([row.requests, row.errors, row.inputTokens, row.outputTokens, row.windowMs, row.idleMs, row.utilMs, row.approxRequests]).toEqual([
        want.requests, want.errors, want.inputTokens, want.outputTokens, want.windowMs, want.idleMs, want.utilMs, want.approxRequests,
      ]);
      const sketch = mergeSketches(want.latency);
      expect([row.p50Key, row.p95Key, row.p99Key]).toEqual([0.5, 0.95, 0.99].map((q) => sketchQuantileKey(sketch, q)));
    }
  });
});

describe("compacted team buckets (stored quantile keys) = usage from raw windows", () => {
  beforeAll(async () => {
    const { rows: [before] } = await client.query(`select (select count(*) from usage_rollup_team_hour where not "isCompact") + (select count(*) from usage_rollup_team_day where not "isCompact") as n`);
    // The appended writes above left team rows without keys (and rows written whole with them).
    expect(Number(before.n)).toBeGreaterThan(0);
    let compacted = 0;
    for (;;) {
      await client.query("begin");
      const rows = await compactTeamRollups(pgRunner(client), { now: new Date("2026-05-01T12:00:00Z"), since: null, limit: 50 });
      await client.query("commit");
      if (rows === 0) break;
      compacted += rows;
    }
    expect(compacted).toBe(Number(before.n));
    expect(await expectCompactQuantilesCurrent(client)).toBeGreaterThanOrEqual(compacted);
  });

  it.each(cases.filter((c) => c[3] === "teamHour" || c[3] === "teamDay"))("%s buckets in %s by %s (from %s rollups)", async (unit, timeZone, groupBy, source) => {
    await expectOracle(unit, timeZone, groupBy, source, "2026-03-10T00:00:00Z");
  });

  it("an appended write clears a row's keys until it is compacted again", async () => {
    const [first] = windows;
    await client.query("begin");
    await applyUsageWindowChanges(pgRunner(client), { added: [{ deploymentId: first!.deploymentId, window: { ...first!, windowStart: new Date(Date.UTC(2026, 2, 9, 23, 55)), windowSeconds: 60 } }] });
    const { rows: [row] } = await client.query(`select "isCompact" from usage_rollup_team_hour where "teamId" = $1 and "bucketStart" = '2026-03-09T23:00:00Z'`, [first!.teamId]);
    await client.query("rollback");
    expect(row.isCompact).toBe(false);
  });
});

describe("usage with today's days unsealed (no day rows: read from the 15-minute rows) = usage from raw windows", () => {
  const saved: { timeZone: string; monthsSealedTo: Date | null; daysSealedTo: Date | null }[] = [];
  beforeAll(async () => {
    saved.push(...(await client.query(`select "timeZone", "monthsSealedTo", "daysSealedTo" from rollup_time_zones`)).rows);
    // As on 8 March (local) of each zone: January and February sealed, days up to 8 March sealed, later ones live.
    await client.query("begin");
    await client.query(`update rollup_time_zones set
      "monthsSealedTo" = date_trunc('month', '2026-03-05T12:00:00Z'::timestamptz at time zone "timeZone") at time zone "timeZone",
      "daysSealedTo" = date_trunc('day', '2026-03-08T12:00:00Z'::timestamptz at time zone "timeZone") at time zone "timeZone"`);
    for (const table of ["usage_rollup_day", "usage_rollup_team_day", "usage_rollup_month"]) {
      const boundary = table === "usage_rollup_month" ? `"monthsSealedTo"` : `"daysSealedTo"`;
      await client.query(`delete from ${table} r using rollup_time_zones z where r."timeZone" = z."timeZone" and r."bucketStart" >= z.${boundary}`);
    }
    await client.query("commit");
    const { rows: [live] } = await client.query(`select count(*)::int as n from usage_rollup_quarter q, rollup_time_zones z where q."bucketStart" >= z."daysSealedTo"`);
    expect(live.n).toBeGreaterThan(0);
  });

  afterAll(async () => {
    // Sealed again as before (the days' rows rebuilt from the 15-minute rows).
    await client.query("begin");
    while ((await sealUsageDays(pgRunner(client), new Date("2026-05-01T12:00:00Z"))).length > 0);
    await sealUsageMonths(pgRunner(client), new Date("2026-05-01T12:00:00Z"));
    for (const z of saved) await client.query(`update rollup_time_zones set "daysSealedTo" = $2 where "timeZone" = $1`, [z.timeZone, z.daysSealedTo]);
    await client.query("commit");
  });

  const live: Record<string, string> = { teamDay: "teamDayLive", day: "dayLive", month: "dayLive", teamHour: "teamHour", quarter: "quarter" };
  it.each(cases.map(([unit, timeZone, groupBy, source]) => [unit, timeZone, groupBy, live[source]!] as const))(
    "%s buckets in %s by %s (from %s)",
    async (unit, timeZone, groupBy, source) => {
      await expectOracle(unit, timeZone, groupBy, source, "2026-03-10T00:00:00Z");
    },
  );

  it("one bucket from January: sealed months from month rows, then day rows, then today's 15-minute rows", async () => {
    const range = { start: new Date("2026-01-01T05:00:00Z"), end: new Date("2026-03-11T05:00:00Z") };
    const result = await queryUsage({ viewer, filters: {}, from: range.start, to: range.end, unit: "day", timeZone: "America/New_York", groupBy: "item", isWholeRange: true }, pgRunner(client));
    expect(result.source).toBe("monthAndDayLive");
    const oracle = expected([range], (w) => `inference:${w.deploymentId}`);
    expect(result.rows.length).toBe(oracle.size);
    for (const row of result.rows) {
      const want = oracle.get(`${range.start.toISOString()}|${row.groupKey}`)!;
      expect([row.requests, row.windowMs, row.idleMs, row.approxRequests]).toEqual([want.requests, want.windowMs, want.idleMs, want.approxRequests]);
      const sketch = mergeSketches(want.latency);
      expect([row.p50Key, row.p95Key, row.p99Key]).toEqual([0.5, 0.95, 0.99].map((q) => sketchQuantileKey(sketch, q)));
    }
  });
});
