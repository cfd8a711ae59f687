import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sketchFromSamples } from "@/lib/domain/latency-sketch";
import { expectCompactQuantilesCurrent, rollupRows } from "@/lib/testing/inference-records";
import { pgRunner, Prisma } from "../sql";
import {
  applyUsageWindowChanges,
  checkUsageRollups,
  DeploymentGoneError,
  ensureRollupTimeZones,
  rebuildUsageRollups,
  refreshTeamUsage,
  refreshUsageRollups,
  sealUsageDays,
  sealUsageMonths,
  unsealUsageDays,
  usageWindowInput,
  type DeploymentWindow,
  type UsageChange,
} from "./usage-rollups";

let client: pg.Client;
const deploymentIds: number[] = [];
const teamIds: number[] = [];

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows: [org] } = await client.query(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'America/Los_Angeles') returning id`);
  const { rows: [gpu] } = await client.query(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100', 80, 989.5, 3350) returning id`,
    [org.id],
  );
  const teams = teamIds;
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
  // Months up to February sealed: the writes below (from 2026-02-27) reach into sealed February and unsealed March.
  await sealUsageMonths(pgRunner(client), new Date("2026-03-15T00:00:00Z"));
  await unsealDaysFrom4March();
});

/**
 * Days sealed up to 4 March (local) only, as if today were 4 March: the writes below reach sealed days of a sealed
 * month, sealed days of an unsealed one, and unsealed days (which have no day rows: usage-rollups.ts sealUsageDays).
 */
async function unsealDaysFrom4March(): Promise<void> {
  await unsealUsageDays(pgRunner(client), new Date("2026-03-04T12:00:00Z"));
  const { rows } = await client.query(`select distinct extract(day from "daysSealedTo" at time zone "timeZone")::int as day from rollup_time_zones`);
  expect(rows).toEqual([{ day: 4 }]);
}

afterAll(async () => {
  await client.end();
});

const snapshot = () => rollupRows(client);

interface InsertOp {
  kind: "insert";
  deployment: number;
  startMinute: number;
  seconds: number;
  requests: number;
  isSummary: boolean;
  seed: number;
}

type Op =
  | InsertOp
  /** Several windows written in one transaction and refreshed with one call (the batched write path). */
  | { kind: "batch"; windows: InsertOp[] }
  | { kind: "update"; pick: number; seconds: number; requests: number }
  | { kind: "delete"; pick: number }
  /** The third deployment moves to the other team (refreshTeamUsage). */
  | { kind: "move" }
  /** Windows inserted and added to the rollups as they are, nothing read back (applyUsageWindowChanges: the batch write path). */
  | { kind: "add"; windows: InsertOp[] }
  /** A stored window replaced (same key, new length and requests) or removed, through applyUsageWindowChanges. */
  | { kind: "replace"; pick: number; seconds: number; requests: number }
  | { kind: "remove"; pick: number };

const insertArb: fc.Arbitrary<InsertOp> = fc.record({
  kind: fc.constant("insert" as const),
  deployment: fc.integer({ min: 0, max: 2 }),
  // Ten days across the Feb→Mar month boundary and the 8 March 2026 US DST change.
  startMinute: fc.integer({ min: 0, max: 60 * 24 * 10 }),
  seconds: fc.constantFrom(300, 300, 60, 900, 3600, 7 * 3600, 2 * 86400 + 77),
  requests: fc.integer({ min: 0, max: 5_000 }),
  isSummary: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000 }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: insertArb },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("batch" as const), windows: fc.array(insertArb, { minLength: 2, maxLength: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("move" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("update" as const), pick: fc.nat(), seconds: fc.constantFrom(300, 1200, 86400), requests: fc.integer({ min: 0, max: 9_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("add" as const), windows: fc.array(insertArb, { minLength: 1, maxLength: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("replace" as const), pick: fc.nat(), seconds: fc.constantFrom(300, 1200, 86400), requests: fc.integer({ min: 0, max: 9_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }) },
);

/** A stored window (as pg returns it: int8 and numeric as text) → applyUsageWindowChanges' input. */
function storedWindow(row: Record<string, unknown>): DeploymentWindow {
  const big = (key: string) => BigInt(row[key] as string);
  return {
    deploymentId: row.deploymentId as number,
    window: usageWindowInput({
      windowStart: row.windowStart as Date,
      windowSeconds: row.windowSeconds as number,
      requests: big("requests"),
      errors: big("errors"),
      inputTokens: big("inputTokens"),
      cachedInputTokens: big("cachedInputTokens"),
      outputTokens: big("outputTokens"),
      latencyP50Ms: row.latencyP50Ms as string | null,
      latencyP95Ms: row.latencyP95Ms as string | null,
      latencyP99Ms: row.latencyP99Ms as string | null,
      avgGpuUtilizationPct: row.avgGpuUtilizationPct as string | null,
      latencyKeys: (row.latencyKeys as number[] | null) ?? undefined,
      latencyCounts: (row.latencyCounts as number[] | null) ?? undefined,
    }),
  };
}

const BASE = Date.UTC(2026, 1, 27, 3, 7);

/** Inserts a window; its change for refreshUsageRollups (and the stored row), or null when the key was taken. */
async function insertWindow(op: InsertOp): Promise<(UsageChange & { row: Record<string, unknown> }) | null> {
  const deploymentId = deploymentIds[op.deployment]!;
  const start = new Date(BASE + op.startMinute * 60_000 + (op.seed % 7) * 1000);
  const sketch = sketchFromSamples(Array.from({ length: 20 }, (_, i) => 50 + ((op.seed * (i + 3)) % 400)));
  const inserted = await client.query(
    `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens",
       "latencyKeys", "latencyCounts", "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct")
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict do nothing returning *`,
    [
      deploymentId, start, op.seconds, op.requests, Math.floor(op.requests / 50), op.requests * 700, op.requests * 100, op.requests * 250,
      op.isSummary ? null : sketch.keys, op.isSummary ? null : sketch.counts,
      op.isSummary ? 120 : null, op.isSummary ? 340 : null, op.isSummary ? 910.5 : null, (op.seed % 10000) / 100,
    ],
  );
  return inserted.rowCount ? { deploymentId, start, end: new Date(start.getTime() + op.seconds * 1000), row: inserted.rows[0] } : null;
}

async function apply(op: Op): Promise<void> {
  await client.query("begin");
  const run = pgRunner(client);
  try {
    if (op.kind === "insert") {
      const change = await insertWindow(op);
      if (change) await refreshUsageRollups(run, [change]);
    } else if (op.kind === "batch") {
      const changes: UsageChange[] = [];
      for (const window of op.windows) {
        const change = await insertWindow(window);
        if (change) changes.push(change);
      }
      await refreshUsageRollups(run, changes);
    } else if (op.kind === "add") {
      const added: DeploymentWindow[] = [];
      for (const window of op.windows) {
        const change = await insertWindow(window);
        if (change) added.push(storedWindow(change.row));
      }
      await applyUsageWindowChanges(run, { added });
    } else if (op.kind === "replace" || op.kind === "remove") {
      const { rows } = await client.query(`select "deploymentId", "windowStart" from inference_usage_windows order by "deploymentId", "windowStart"`);
      if (rows.length > 0) {
        const row = rows[op.pick % rows.length];
        const key = [row.deploymentId, row.windowStart];
        const { rows: [old] } = await client.query(`select * from inference_usage_windows where "deploymentId" = $1 and "windowStart" = $2`, key);
        const added: DeploymentWindow[] = [];
        if (op.kind === "replace") {
          const { rows: [fresh] } = await client.query(
            `update inference_usage_windows set "windowSeconds" = $3, requests = $4 where "deploymentId" = $1 and "windowStart" = $2 returning *`,
            [...key, op.seconds, op.requests],
          );
          added.push(storedWindow(fresh));
        } else {
          await client.query(`delete from inference_usage_windows where "deploymentId" = $1 and "windowStart" = $2`, key);
        }
        await applyUsageWindowChanges(run, { added, removed: [storedWindow(old)] });
      }
    } else if (op.kind === "move") {
      // As updateInferenceDeployment does: both teams' hours and days over the deployment's usage.
      const deploymentId = deploymentIds[2]!;
      const { rows: [moved] } = await client.query(
        `update inference_deployments set "teamId" = case when "teamId" = $2 then $3 else $2 end where id = $1 returning "teamId"`,
        [deploymentId, teamIds[0], teamIds[1]],
      );
      const { rows: [span] } = await client.query(
        `select min("windowStart") as start, max("windowStart" + make_interval(secs => "windowSeconds")) as end from inference_usage_windows where "deploymentId" = $1`,
        [deploymentId],
      );
      if (span.start) await refreshTeamUsage(run, { teamIds: [moved.teamId === teamIds[0] ? teamIds[1]! : teamIds[0]!, moved.teamId], start: span.start, end: span.end });
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

const TRUNCATE = "truncate inference_usage_windows, usage_rollup_quarter, usage_rollup_team_hour, usage_rollup_day, usage_rollup_month, usage_rollup_team_day";

describe("usage rollups", () => {
  it("equal a rebuild from raw after random inserts, updates and deletes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        await client.query(TRUNCATE);
        for (const op of ops) await apply(op);
        const incremental = await snapshot();
        // Team rows written whole (new, recomputed, adjusted) carry their quantile keys; appended ones don't claim to.
        await expectCompactQuantilesCurrent(client);
        await rebuildUsageRollups(pgRunner(client));
        expect(await snapshot()).toBe(incremental);
        expect(await expectCompactQuantilesCurrent(client)).toBe(
          Number((await client.query(`select (select count(*) from usage_rollup_team_hour) + (select count(*) from usage_rollup_team_day) as n`)).rows[0].n),
        );
      }),
      { numRuns: 25 },
    );
  });

  it("equal a rebuild after one batch across several deployments and teams, refreshed once", async () => {
    await client.query(TRUNCATE);
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

  it("appends sketches up to the pair limit, then sums them per key, keys ascending (burnrate_sketch_add)", async () => {
    const add = async (a: [number[], number[]], b: [number[], number[]], max: number) =>
      (await client.query(`select keys, counts::text[] as counts from burnrate_sketch_add($1::smallint[], $2::bigint[], $3::smallint[], $4::bigint[], $5)`, [...a, ...b, max])).rows[0];
    expect(await add([[5, 9], [1, 2]], [[9, 1], [3, 4]], 4)).toEqual({ keys: [5, 9, 9, 1], counts: ["1", "2", "3", "4"] });
    expect(await add([[5, 9], [1, 2]], [[9, 1], [3, 4]], 3)).toEqual({ keys: [1, 5, 9], counts: ["4", "1", "5"] });
    expect(await add([[], []], [[], []], 0)).toEqual({ keys: [], counts: [] });
    expect(await add([[-3, 7], ["9007199254740993", "1"] as never], [[7], [2]], 0)).toEqual({ keys: [-3, 7], counts: ["9007199254740993", "3"] });
  });

  it("keeps totals equal to the raw windows at every level", async () => {
    const { rows: [raw] } = await client.query(`select coalesce(sum(requests), 0)::text as r, coalesce(sum("outputTokens"), 0)::text as o from inference_usage_windows`);
    for (const table of ["usage_rollup_quarter", "usage_rollup_team_hour"]) {
      const { rows: [rolled] } = await client.query(`select coalesce(sum(requests), 0)::text as r, coalesce(sum("outputTokens"), 0)::text as o from ${table}`);
      expect(rolled).toEqual(raw);
    }
    // Per zone: the sealed days' rows, and the 15-minute rows of the days after them (which have no day rows).
    const perZoneOf = (table: string) =>
      client.query(`
        select z."timeZone", (coalesce((select sum(requests) from ${table} d where d."timeZone" = z."timeZone"), 0)
          + coalesce((select sum(requests) from usage_rollup_quarter q where q."bucketStart" >= z."daysSealedTo"), 0))::text as r,
          (select count(*)::int from ${table} d where d."timeZone" = z."timeZone" and d."bucketStart" >= z."daysSealedTo") as "unsealedRows"
        from rollup_time_zones z order by 1`);
    const { rows: perZone } = await perZoneOf("usage_rollup_day");
    expect(perZone.map((z) => z.timeZone)).toEqual(["America/Los_Angeles", "America/New_York", "Asia/Kathmandu"]);
    for (const zone of perZone) expect(zone).toEqual({ timeZone: zone.timeZone, r: raw.r, unsealedRows: 0 });
    const { rows: perTeamZone } = await perZoneOf("usage_rollup_team_day");
    expect(perTeamZone).toEqual(perZone);
    const run = pgRunner(client);
    const zones = await run.query<{ n: number }>(Prisma.sql`select count(*)::int as n from rollup_time_zones`);
    expect(zones).toEqual([{ n: 3 }]);
  });

  it("splits a window across a Kathmandu midnight between the two local days, per deployment and per team", async () => {
    await client.query(TRUNCATE);
    // Midnight of 1 March 2026 in Kathmandu (UTC+05:45) is 18:15 UTC on 28 February.
    const start = new Date("2026-02-28T17:45:00Z");
    await client.query("begin");
    await client.query(
      `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens")
       values ($1, $2, 3600, 600, 0, 6000, 0, 1200)`,
      [deploymentIds[0], start],
    );
    await refreshUsageRollups(pgRunner(client), [{ deploymentId: deploymentIds[0]!, start, end: new Date(start.getTime() + 3_600_000) }]);
    await client.query("commit");
    const days = (table: string, owner: string) =>
      client
        .query(`select "bucketStart", requests::text as r from ${table} where "timeZone" = 'Asia/Kathmandu' and ${owner} = $1 order by 1`, [
          owner === '"teamId"' ? teamIds[0] : deploymentIds[0],
        ])
        .then((r) => r.rows.map((row) => [row.bucketStart.toISOString(), row.r]));
    const expected = [
      ["2026-02-27T18:15:00.000Z", "300"],
      ["2026-02-28T18:15:00.000Z", "300"],
    ];
    expect(await days("usage_rollup_day", '"deploymentId"')).toEqual(expected);
    expect(await days("usage_rollup_team_day", '"teamId"')).toEqual(expected);
    const incremental = await snapshot();
    await rebuildUsageRollups(pgRunner(client));
    expect(await snapshot()).toBe(incremental);
  });

  it("recomputes coarser rows from the 15-minute rows when one was not the sum it should be", async () => {
    await client.query(TRUNCATE);
    const run = pgRunner(client);
    const write = async (minute: number) => {
      const start = new Date(BASE + minute * 60_000);
      await client.query("begin");
      await client.query(
        `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts")
         values ($1, $2, 300, 50, 1, 500, 0, 100, '{300,310}', '{20,29}')`,
        [deploymentIds[1], start],
      );
      await refreshUsageRollups(run, [{ deploymentId: deploymentIds[1]!, start, end: new Date(start.getTime() + 300_000) }]);
      await client.query("commit");
    };
    await write(0);
    await write(5);
    // A day row and a team-day row that lost most of their requests and a sketch key (as a bad manual edit would leave them).
    await client.query(`update usage_rollup_day set requests = 1, "latencyKeys" = '{300}', "latencyCounts" = '{1}'`);
    await client.query(`update usage_rollup_team_day set requests = 1`);
    const span = { deploymentIds: [deploymentIds[1]!], start: new Date(BASE), end: new Date(BASE + 600_000) };
    expect((await checkUsageRollups(run, span)).mismatches.length).toBeGreaterThan(0);
    // Rewriting the second window (same key, fewer requests) must take away more than those rows hold.
    await client.query("begin");
    await client.query(`update inference_usage_windows set requests = 10 where "deploymentId" = $1 and "windowStart" = $2`, [deploymentIds[1], new Date(BASE + 300_000)]);
    await refreshUsageRollups(run, [{ deploymentId: deploymentIds[1]!, start: new Date(BASE + 300_000), end: new Date(BASE + 600_000) }]);
    await client.query("commit");
    expect(await checkUsageRollups(run, span)).toEqual({ rows: expect.any(Number), mismatches: [] });
    const incremental = await snapshot();
    await rebuildUsageRollups(run);
    expect(await snapshot()).toBe(incremental);
  });

  it("builds day and team-day rows for a zone added later (ensureRollupTimeZones), equal to a rebuild", async () => {
    await client.query(TRUNCATE);
    const ops = fc.sample(fc.array(opArb, { minLength: 15, maxLength: 15 }), { numRuns: 1, seed: 7 })[0]!;
    for (const op of ops) await apply(op);
    await apply({ kind: "insert", deployment: 0, startMinute: 100, seconds: 7 * 3600, requests: 500, isSummary: false, seed: 3 });
    const { rows: [org] } = await client.query(`select "orgId" from teams where id = $1`, [teamIds[0]]);
    await client.query(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, 'chatham', 'Chatham', 1000, 'Pacific/Chatham', now())`,
      [org.orgId],
    );
    expect(await ensureRollupTimeZones(pgRunner(client))).toEqual(["Pacific/Chatham"]);
    const { rows: [added] } = await client.query(`select count(*)::int as n from usage_rollup_team_day where "timeZone" = 'Pacific/Chatham'`);
    expect(added.n).toBeGreaterThan(0);
    const incremental = await snapshot();
    await rebuildUsageRollups(pgRunner(client));
    expect(await snapshot()).toBe(incremental);
    await client.query(`delete from rollup_time_zones where "timeZone" = 'Pacific/Chatham'`);
    await client.query(`delete from teams where slug = 'chatham'`);
    await client.query(`delete from usage_rollup_day where "timeZone" = 'Pacific/Chatham'`);
    await client.query(`delete from usage_rollup_team_day where "timeZone" = 'Pacific/Chatham'`);
  });

  it("finds no difference between stored rows and raw after random writes (checkUsageRollups)", async () => {
    await client.query(TRUNCATE);
    const ops = fc.sample(fc.array(opArb, { minLength: 20, maxLength: 20 }), { numRuns: 1, seed: 14 })[0]!;
    for (const op of ops) await apply(op);
    const result = await checkUsageRollups(pgRunner(client), { deploymentIds, start: new Date(BASE - 86_400_000), end: new Date(BASE + 13 * 86_400_000) });
    expect(result.rows).toBeGreaterThan(0);
    expect(result.mismatches).toEqual([]);
  });

  it("sealing days builds their rows from the 15-minute rows as the write path keeps them, and later writes to them keep them", async () => {
    await client.query(TRUNCATE);
    const [first, later] = fc.sample(fc.array(opArb, { minLength: 20, maxLength: 20 }), { numRuns: 2, seed: 21 });
    for (const op of first!) await apply(op);
    const span = { deploymentIds, start: new Date(BASE - 86_400_000), end: new Date(BASE + 13 * 86_400_000) };
    const unsealedRows = async () =>
      (await client.query(`select count(*)::int as n from usage_rollup_quarter q, rollup_time_zones z where q."bucketStart" >= z."daysSealedTo"`)).rows[0].n;
    expect(await unsealedRows()).toBeGreaterThan(0);
    await client.query("begin");
    const sealed = await sealUsageDays(pgRunner(client), new Date("2026-03-20T00:00:00Z"));
    await client.query("commit");
    expect(sealed.map((z) => z.timeZone).sort()).toEqual(["America/Los_Angeles", "America/New_York", "Asia/Kathmandu"]);
    expect(await unsealedRows()).toBe(0);
    expect(await sealUsageDays(pgRunner(client), new Date("2026-03-20T00:30:00Z"))).toEqual([]);
    expect(await checkUsageRollups(pgRunner(client), span)).toEqual({ rows: expect.any(Number), mismatches: [] });
    const incremental = await snapshot();
    await client.query("begin");
    await rebuildUsageRollups(pgRunner(client));
    expect(await snapshot()).toBe(incremental);
    await client.query("rollback");
    for (const op of later!) await apply(op);
    expect(await checkUsageRollups(pgRunner(client), span)).toEqual({ rows: expect.any(Number), mismatches: [] });
    const afterWrites = await snapshot();
    await rebuildUsageRollups(pgRunner(client));
    expect(await snapshot()).toBe(afterWrites);
    await unsealDaysFrom4March();
  });

  it("the migration that added month rows, and each later seal, build them from the day rows exactly as the write path keeps them", async () => {
    // Windows across three local months in every zone (Kathmandu's months start at 18:15 UTC).
    await client.query(TRUNCATE);
    await client.query("begin");
    const changes = [];
    for (const [i, deploymentId] of deploymentIds.entries()) {
      for (let w = 0; w < 30; w++) {
        const start = new Date(Date.UTC(2026, 0, 29, 17) + w * 2 * 86_400_000 + i * 3_600_000);
        const sketch = sketchFromSamples([30 + w * 7, 80 + i, 250, 900 + w]);
        await client.query(
          `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts")
           values ($1, $2, 7200, $3, 1, $4, 0, $5, $6, $7)`,
          [deploymentId, start, 5 + w, 1000 * w, 300 * w, sketch.keys, sketch.counts],
        );
        changes.push({ deploymentId, start, end: new Date(start.getTime() + 7_200_000) });
      }
    }
    await refreshUsageRollups(pgRunner(client), changes);
    await client.query("commit");
    const months = async () =>
      (await client.query(`select * from usage_rollup_month order by "timeZone", "deploymentId", "bucketStart"`)).rows.map((r) => JSON.stringify(r));
    const written = await months();
    expect(written.length).toBe(deploymentIds.length * 3 * 2); // three zones, two sealed months (January, February)
    const migrations = path.join(process.cwd(), "prisma", "migrations");
    const folder = readdirSync(migrations).find((name) => name.endsWith("_usage_rollup_month"))!;
    const sql = readFileSync(path.join(migrations, folder, "migration.sql"), "utf8");
    const fill = sql.slice(sql.indexOf("INSERT INTO usage_rollup_month"));
    await client.query("delete from usage_rollup_month");
    await client.query(fill);
    expect(await months()).toEqual(written);

    // Sealing from scratch (no month sealed) builds the same rows; sealing again is a no-op.
    const seals = async () => (await client.query(`select "timeZone", "monthsSealedTo" from rollup_time_zones order by 1`)).rows;
    const sealedBefore = await seals();
    await client.query(`update rollup_time_zones set "monthsSealedTo" = null; delete from usage_rollup_month`);
    await client.query("begin");
    const first = await sealUsageMonths(pgRunner(client), new Date("2026-03-15T00:00:00Z"));
    await client.query("commit");
    expect(first.map((m) => m.timeZone).sort()).toEqual(sealedBefore.map((z) => z.timeZone).sort());
    expect(await seals()).toEqual(sealedBefore);
    expect(await months()).toEqual(written);
    expect(await sealUsageMonths(pgRunner(client), new Date("2026-03-16T00:00:00Z"))).toEqual([]);

    // A later seal adds March, the sum of its day rows; writes to March then keep its rows.
    await client.query("begin");
    expect((await sealUsageMonths(pgRunner(client), new Date("2026-04-03T00:00:00Z"))).length).toBe(3);
    await client.query("commit");
    const span = { start: new Date("2026-01-25T00:00:00Z"), end: new Date("2026-04-05T00:00:00Z") };
    const march = await client.query(`select count(*)::int as n from usage_rollup_month where "bucketStart" >= '2026-02-28' and "bucketStart" < '2026-03-31'`);
    expect(march.rows[0].n).toBe(deploymentIds.length * 3);
    expect(await checkUsageRollups(pgRunner(client), { deploymentIds, ...span })).toEqual({ rows: expect.any(Number), mismatches: [] });
    await client.query("begin");
    const late = { deploymentId: deploymentIds[0]!, start: new Date("2026-03-20T10:00:00Z"), end: new Date("2026-03-20T11:00:00Z") };
    await client.query(
      `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts")
       values ($1, $2, 3600, 77, 0, 1000, 0, 500, '{300,310}', '{70,7}')`,
      [late.deploymentId, late.start],
    );
    await refreshUsageRollups(pgRunner(client), [late]);
    await client.query("commit");
    expect(await checkUsageRollups(pgRunner(client), { deploymentIds, ...span })).toEqual({ rows: expect.any(Number), mismatches: [] });
    const incremental = await snapshot();
    await rebuildUsageRollups(pgRunner(client));
    expect(await snapshot()).toBe(incremental);
    // Back to the file's seal (February) for the other tests.
    for (const z of sealedBefore) await client.query(`update rollup_time_zones set "monthsSealedTo" = $1 where "timeZone" = $2`, [z.monthsSealedTo, z.timeZone]);
    await client.query(`delete from usage_rollup_month where "bucketStart" >= '2026-02-28'`);
    await unsealDaysFrom4March();
  });

  it("refuses windows of a deployment deleted meanwhile (23503, nothing written); a delete waits for a batch in flight, then takes its windows and 15-minute rows", async () => {
    await client.query(TRUNCATE);
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    const watcher = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await watcher.connect();
    const newDeployment = async (name: string) =>
      (
        await client.query(
          `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
           select "teamId", $2, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", now() from inference_deployments where id = $1 returning id`,
          [deploymentIds[0], name],
        )
      ).rows[0].id as number;
    const start = new Date("2026-03-18T09:00:00Z");
    const window = usageWindowInput({
      windowStart: start, windowSeconds: 3600, requests: 50n, errors: 0n, inputTokens: 500n, cachedInputTokens: 0n, outputTokens: 100n,
      latencyP50Ms: null, latencyP95Ms: null, latencyP99Ms: null, avgGpuUtilizationPct: null, latencyKeys: [300, 320], latencyCounts: [45, 5],
    });
    const write = async (deploymentId: number) => {
      await client.query(
        `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts")
         values ($1, $2, 3600, 50, 0, 500, 0, 100, '{300,320}', '{45,5}')`,
        [deploymentId, start],
      );
      await applyUsageWindowChanges(pgRunner(client), { added: [{ deploymentId, window }] });
    };
    /** Until the backend `pid` waits for a lock (no timing: polls pg_locks). */
    const waitsForLock = async (pid: number) => {
      for (;;) {
        const { rows } = await watcher.query(`select count(*)::int as n from pg_locks where not granted and pid = $1`, [pid]);
        if (rows[0].n > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const stored = async (deploymentId: number) =>
      (
        await client.query(
          `select (select count(*) from inference_usage_windows where "deploymentId" = $1)::int as windows,
             (select count(*) from usage_rollup_quarter where "deploymentId" = $1)::int as quarters`,
          [deploymentId],
        )
      ).rows[0];
    try {
      // A delete in flight: the batch waits for it, then finds the deployment gone and writes nothing.
      const gone = await newDeployment("gone");
      await other.query("begin");
      await other.query(`delete from inference_deployments where id = $1`, [gone]);
      await client.query("begin");
      const clientPid = (await client.query(`select pg_backend_pid() as pid`)).rows[0].pid;
      const writing = write(gone).then(
        () => null,
        (error: unknown) => error,
      );
      await waitsForLock(clientPid);
      await other.query("commit");
      const error = await writing;
      await client.query("rollback");
      expect(error).toBeInstanceOf(DeploymentGoneError);
      expect((error as DeploymentGoneError).code).toBe("23503");
      expect(await stored(gone)).toEqual({ windows: 0, quarters: 0 });

      // A batch in flight: the delete waits for it, and its trigger then deletes what the batch wrote.
      const kept = await newDeployment("kept");
      await client.query("begin");
      await write(kept);
      const otherPid = (await other.query(`select pg_backend_pid() as pid`)).rows[0].pid;
      await other.query("begin");
      const deleting = other.query(`delete from inference_deployments where id = $1`, [kept]);
      await waitsForLock(otherPid);
      await client.query("commit");
      await deleting;
      // The delete ran after the batch committed, and its trigger saw the batch's rows: committed, they are gone.
      expect(await stored(kept)).toEqual({ windows: 1, quarters: 4 });
      await other.query("commit");
      expect(await stored(kept)).toEqual({ windows: 0, quarters: 0 });
    } finally {
      await other.end();
      await watcher.end();
      await client.query(TRUNCATE);
    }
  });

  it("a seal waits for a write in flight to its month and includes it; writes wait for the seal", async () => {
    await client.query(TRUNCATE);
    const seals = (await client.query(`select "timeZone", "monthsSealedTo" from rollup_time_zones`)).rows;
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      // A write to March (not sealed yet) holds its transaction open.
      const start = new Date("2026-03-18T09:00:00Z");
      const window = usageWindowInput({
        windowStart: start, windowSeconds: 3600, requests: 50n, errors: 0n, inputTokens: 500n, cachedInputTokens: 0n, outputTokens: 100n,
        latencyP50Ms: null, latencyP95Ms: null, latencyP99Ms: null, avgGpuUtilizationPct: null, latencyKeys: [300, 320], latencyCounts: [45, 5],
      });
      await client.query("begin");
      await client.query(
        `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts")
         values ($1, $2, 3600, 50, 0, 500, 0, 100, '{300,320}', '{45,5}')`,
        [deploymentIds[0], start],
      );
      await applyUsageWindowChanges(pgRunner(client), { added: [{ deploymentId: deploymentIds[0]!, window }] });
      // The seal of March starts meanwhile on another connection: it waits for the write's transaction.
      const otherPid = (await other.query(`select pg_backend_pid() as pid`)).rows[0].pid;
      await other.query("begin");
      const sealing = sealUsageMonths(pgRunner(other), new Date("2026-04-05T00:00:00Z"));
      for (;;) {
        const waiting = await client.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and pid = $1`, [otherPid]);
        if (waiting.rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await client.query("commit");
      expect((await sealing).length).toBe(3);
      await other.query("commit");
      const march = await client.query(`select requests::int from usage_rollup_month where "deploymentId" = $1 and "bucketStart" >= '2026-02-28' and "bucketStart" < '2026-03-31'`, [deploymentIds[0]]);
      expect(march.rows.map((r) => r.requests)).toEqual([50, 50, 50]);
      const span = { start: new Date("2026-03-01T00:00:00Z"), end: new Date("2026-04-02T00:00:00Z") };
      expect(await checkUsageRollups(pgRunner(client), { deploymentIds, ...span })).toEqual({ rows: expect.any(Number), mismatches: [] });
    } finally {
      await other.end();
      for (const z of seals) await client.query(`update rollup_time_zones set "monthsSealedTo" = $1 where "timeZone" = $2`, [z.monthsSealedTo, z.timeZone]);
      await client.query(`delete from usage_rollup_month where "bucketStart" >= '2026-02-28'`);
      await unsealDaysFrom4March();
    }
  });
});
