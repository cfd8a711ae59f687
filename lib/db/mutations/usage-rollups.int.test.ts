import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sketchFromSamples } from "@/lib/domain/latency-sketch";
import { pgRunner, Prisma } from "../sql";
import { ensureRollupTimeZones, rebuildUsageRollups, refreshUsageRollups } from "./usage-rollups";

let client: pg.Client;
const deploymentIds: number[] = [];

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows: [org] } = await client.query(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'America/Los_Angeles') returning id`);
  const { rows: [gpu] } = await client.query(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100', 80, 989.5, 3350) returning id`,
    [org.id],
  );
  const teams = [];
  for (const [slug, tz] of [["kathmandu", "Asia/Kathmandu"], ["ny", "America/New_York"]]) {
    const { rows: [team] } = await client.query(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $2, 1000, $3, now()) returning id`,
      [org.id, slug, tz],
    );
    teams.push(team.id);
  }
  for (const [i, teamId] of [teams[0], teams[0], teams[1]].entries()) {
    const { rows: [d] } = await client.query(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, $2, 'm', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 1, '2026-01-01', now()) returning id`,
      [teamId, `d${i}`, gpu.id],
    );
    deploymentIds.push(d.id);
  }
  await ensureRollupTimeZones(pgRunner(client));
});

afterAll(async () => {
  await client.end();
});

async function snapshot(): Promise<string> {
  const tables = ["usage_rollup_quarter", "usage_rollup_team_hour", "usage_rollup_day"];
  const parts: unknown[] = [];
  for (const table of tables) {
    const { rows } = await client.query(`select * from ${table} order by 1, 2, 3`);
    parts.push(rows);
  }
  return JSON.stringify(parts);
}

type Op =
  | { kind: "insert"; deployment: number; startMinute: number; seconds: number; requests: number; isSummary: boolean; seed: number }
  | { kind: "update"; pick: number; seconds: number; requests: number }
  | { kind: "delete"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      deployment: fc.integer({ min: 0, max: 2 }),
      // Ten days across the Feb→Mar month boundary and the 8 March 2026 US DST change.
      startMinute: fc.integer({ min: 0, max: 60 * 24 * 10 }),
      seconds: fc.constantFrom(300, 300, 60, 900, 3600, 7 * 3600, 2 * 86400 + 77),
      requests: fc.integer({ min: 0, max: 5_000 }),
      isSummary: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("update" as const), pick: fc.nat(), seconds: fc.constantFrom(300, 1200, 86400), requests: fc.integer({ min: 0, max: 9_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }) },
);

const BASE = Date.UTC(2026, 1, 27, 3, 7);

async function apply(op: Op): Promise<void> {
  await client.query("begin");
  const run = pgRunner(client);
  try {
    if (op.kind === "insert") {
      const deploymentId = deploymentIds[op.deployment]!;
      const start = new Date(BASE + op.startMinute * 60_000 + (op.seed % 7) * 1000);
      const sketch = sketchFromSamples(Array.from({ length: 20 }, (_, i) => 50 + ((op.seed * (i + 3)) % 400)));
      const inserted = await client.query(
        `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens",
           "latencyKeys", "latencyCounts", "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct")
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict do nothing`,
        [
          deploymentId, start, op.seconds, op.requests, Math.floor(op.requests / 50), op.requests * 700, op.requests * 100, op.requests * 250,
          op.isSummary ? null : sketch.keys, op.isSummary ? null : sketch.counts,
          op.isSummary ? 120 : null, op.isSummary ? 340 : null, op.isSummary ? 910.5 : null, (op.seed % 10000) / 100,
        ],
      );
      if (inserted.rowCount) await refreshUsageRollups(run, [{ deploymentId, start, end: new Date(start.getTime() + op.seconds * 1000) }]);
    } else {
      const { rows } = await client.query(`select "deploymentId", "windowStart", "windowSeconds" from inference_usage_windows order by "deploymentId", "windowStart"`);
      if (rows.length > 0) {
        const row = rows[op.pick % rows.length];
        const old = { deploymentId: row.deploymentId, start: row.windowStart, end: new Date(row.windowStart.getTime() + row.windowSeconds * 1000) };
        if (op.kind === "update") {
          await client.query(`update inference_usage_windows set "windowSeconds" = $3, requests = $4 where "deploymentId" = $1 and "windowStart" = $2`, [
            row.deploymentId, row.windowStart, op.seconds, op.requests,
          ]);
          await refreshUsageRollups(run, [old, { ...old, end: new Date(row.windowStart.getTime() + op.seconds * 1000) }]);
        } else {
          await client.query(`delete from inference_usage_windows where "deploymentId" = $1 and "windowStart" = $2`, [row.deploymentId, row.windowStart]);
          await refreshUsageRollups(run, [old]);
        }
      }
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

describe("usage rollups", () => {
  it("equal a rebuild from raw after random inserts, updates and deletes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        await client.query("truncate inference_usage_windows, usage_rollup_quarter, usage_rollup_team_hour, usage_rollup_day");
        for (const op of ops) await apply(op);
        const incremental = await snapshot();
        await rebuildUsageRollups(pgRunner(client));
        expect(await snapshot()).toBe(incremental);
      }),
      { numRuns: 25 },
    );
  });

  it("equal a rebuild after one batch across several deployments and teams, refreshed once", async () => {
    await client.query("truncate inference_usage_windows, usage_rollup_quarter, usage_rollup_team_hour, usage_rollup_day");
    await client.query("begin");
    const changes = [];
    for (const [i, deploymentId] of deploymentIds.entries()) {
      for (let w = 0; w < 40; w++) {
        const start = new Date(BASE + i * 2 * 86_400_000 + w * 37 * 60_000);
        const sketch = sketchFromSamples([40 + w, 90 + i, 300]);
        await client.query(
          `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts")
           values ($1, $2, $3, $4, 0, $5, 0, $6, $7, $8)`,
          [deploymentId, start, w % 5 === 0 ? 3600 : 300, 3 + w, 1000 * w, 300 * w, sketch.keys, sketch.counts],
        );
        changes.push({ deploymentId, start, end: new Date(start.getTime() + (w % 5 === 0 ? 3600 : 300) * 1000) });
      }
    }
    await refreshUsageRollups(pgRunner(client), changes);
    await client.query("commit");
    const incremental = await snapshot();
    await rebuildUsageRollups(pgRunner(client));
    expect(await snapshot()).toBe(incremental);
  });

  it("keeps totals equal to the raw windows at every level", async () => {
    const { rows: [raw] } = await client.query(`select coalesce(sum(requests), 0)::text as r, coalesce(sum("outputTokens"), 0)::text as o from inference_usage_windows`);
    for (const table of ["usage_rollup_quarter", "usage_rollup_team_hour"]) {
      const { rows: [rolled] } = await client.query(`select coalesce(sum(requests), 0)::text as r, coalesce(sum("outputTokens"), 0)::text as o from ${table}`);
      expect(rolled).toEqual(raw);
    }
    const { rows: perZone } = await client.query(
      `select "timeZone", sum(requests)::text as r from usage_rollup_day group by 1 order by 1`,
    );
    expect(perZone.map((z) => z.timeZone)).toEqual(["America/Los_Angeles", "America/New_York", "Asia/Kathmandu"]);
    for (const zone of perZone) expect(zone.r).toBe(raw.r === "0" ? null : raw.r);
    const run = pgRunner(client);
    const zones = await run.query<{ n: number }>(Prisma.sql`select count(*)::int as n from rollup_time_zones`);
    expect(zones).toEqual([{ n: 3 }]);
  });
});
