// Upgrading a database whose usage rollups were built in an older format: applying migrations (what npm start and
// npm run db:migrate do) rebuilds them once, and only when the stored rows differ from what this code computes.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apportion } from "@/lib/domain/largest-remainder";
import { sketchFromSamples, sketchKey } from "@/lib/domain/latency-sketch";
import { applyMigrations } from "../../../scripts/lib/schema-engine";
import { pgRunner } from "../sql";
import { ROLLUP_FORMAT_VERSION } from "./rollup-format";
import { checkUsageRollups, ensureRollupTimeZones, rebuildUsageRollups } from "./usage-rollups";

const url = () => process.env.DATABASE_URL!;
let client: pg.Client;
let summaryDeployment = 0;
let sketchDeployment = 0;
const teamIds: number[] = [];
const ROLLUP_TABLES = ["usage_rollup_quarter", "usage_rollup_team_hour", "usage_rollup_day", "usage_rollup_month", "usage_rollup_team_day"] as const;
const RANGE = { start: new Date("2026-02-27T00:00:00Z"), end: new Date("2026-03-04T00:00:00Z") };

beforeAll(async () => {
  client = new pg.Client({ connectionString: url() });
  await client.connect();
  const { rows: [org] } = await client.query(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'America/Los_Angeles') returning id`);
  const { rows: [gpu] } = await client.query(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100', 80, 989.5, 3350) returning id`,
    [org.id],
  );
  const deployments: number[] = [];
  for (const slug of ["summaries", "sketches"]) {
    const { rows: [team] } = await client.query(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $2, 1000, 'Asia/Kathmandu', now()) returning id`,
      [org.id, slug],
    );
    teamIds.push(team.id);
    const { rows: [d] } = await client.query(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, $2, 'm', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 1, '2026-01-01', now()) returning id`,
      [team.id, slug, gpu.id],
    );
    deployments.push(d.id);
  }
  [summaryDeployment, sketchDeployment] = deployments as [number, number];
  await ensureRollupTimeZones(pgRunner(client));
});

afterAll(async () => {
  await client.end();
});

async function storedFormat(): Promise<number | null> {
  const { rows } = await client.query<{ version: number }>(`select version from rollup_format where id = 1`);
  return rows[0]?.version ?? null;
}

/** What `npm start` does to the database before the app runs. */
const start = () => applyMigrations(url());

async function insertWindow(deploymentId: number, window: { start: string; seconds: number; requests: number; keys?: number[]; counts?: number[]; summary?: [number, number, number] }) {
  await client.query(
    `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "outputTokens",
       "latencyKeys", "latencyCounts", "latencyP50Ms", "latencyP95Ms", "latencyP99Ms")
     values ($1, $2, $3, $4, 0, 1000, 500, $5, $6, $7, $8, $9)`,
    [deploymentId, window.start, window.seconds, window.requests, window.keys ?? [], window.counts ?? [], ...(window.summary ?? [null, null, null])],
  );
}

async function rebuildNow() {
  await client.query("begin");
  await rebuildUsageRollups(pgRunner(client));
  await client.query("commit");
}

/** Every rollup row of the deployment and its team gets this sketch, as if an older Burnrate had computed it. */
async function overwriteSketches(deploymentId: number, teamId: number, sketch: { keys: number[]; counts: number[] }) {
  for (const table of ROLLUP_TABLES) {
    const [owner, id] = table.includes("team") ? ['"teamId"', teamId] : ['"deploymentId"', deploymentId];
    await client.query(`update ${table} set "latencyKeys" = $1, "latencyCounts" = $2 where ${owner} = $3`, [sketch.keys, sketch.counts, id]);
  }
}

const check = () => checkUsageRollups(pgRunner(client), { deploymentIds: [summaryDeployment, sketchDeployment], ...RANGE });

describe("rollup format upgrade", () => {
  it("a migrated database records the current format", async () => {
    expect(await storedFormat()).toBe(ROLLUP_FORMAT_VERSION);
  });

  it("rebuilds rollups built with point masses on the first start, and never again", async () => {
    // One 5-minute summary-only window (inside one quarter, hour and local day): format 1 stored its sketch in every
    // rollup row as point masses, 51% of its requests at p50, 45% at p95, 4% at p99.
    await insertWindow(summaryDeployment, { start: "2026-03-01T10:00:00Z", seconds: 300, requests: 1_000, summary: [120, 480, 1500] });
    await insertWindow(sketchDeployment, { start: "2026-03-01T10:00:00Z", seconds: 300, requests: 3, ...sketchFromSamples([50, 60, 700]) });
    await rebuildNow();
    const [p50, p95, p99] = apportion({ total: 1_000n, weights: [51n, 45n, 4n] }).map(Number);
    await overwriteSketches(summaryDeployment, teamIds[0]!, { keys: [sketchKey(120), sketchKey(480), sketchKey(1500)], counts: [p50!, p95!, p99!] });
    await client.query(`delete from rollup_format`);
    const before = await check();
    expect(before.mismatches.length).toBeGreaterThan(0);
    expect(before.mismatches.every((m) => m.endsWith("differs"))).toBe(true);

    expect(await start()).toEqual([]);
    expect(await check()).toEqual({ rows: before.rows, mismatches: [] });
    expect(await storedFormat()).toBe(ROLLUP_FORMAT_VERSION);

    // A second start leaves the rollups alone: a row changed behind its back stays changed.
    await overwriteSketches(summaryDeployment, teamIds[0]!, { keys: [sketchKey(999)], counts: [1_000] });
    await start();
    expect((await check()).mismatches.length).toBeGreaterThan(0);
    await rebuildNow();
    expect((await check()).mismatches).toEqual([]);
  });

  it("only stores the version when no window's rows changed format (sketches inside one quarter)", async () => {
    await client.query(`delete from inference_usage_windows`);
    await insertWindow(sketchDeployment, { start: "2026-03-02T10:00:00Z", seconds: 300, requests: 3, ...sketchFromSamples([50, 60, 700]) });
    await rebuildNow();
    // Marked old, with a row that a rebuild would fix: it is left as is, as nothing in the data changed format.
    await overwriteSketches(sketchDeployment, teamIds[1]!, { keys: [sketchKey(999)], counts: [3] });
    await client.query(`update rollup_format set version = 1`);
    await start();
    expect(await storedFormat()).toBe(ROLLUP_FORMAT_VERSION);
    expect((await check()).mismatches.length).toBeGreaterThan(0);
    await rebuildNow();
  });

  it("rebuilds for a many-key sketch spanning quarters (split differently since format 2)", async () => {
    await insertWindow(sketchDeployment, { start: "2026-03-02T11:10:00Z", seconds: 3_600, requests: 5, ...sketchFromSamples([50, 60, 700, 900, 1200]) });
    await rebuildNow();
    await overwriteSketches(sketchDeployment, teamIds[1]!, { keys: [sketchKey(999)], counts: [8] });
    await client.query(`update rollup_format set version = 1`);
    await start();
    expect(await storedFormat()).toBe(ROLLUP_FORMAT_VERSION);
    expect((await check()).mismatches).toEqual([]);
  });

  it("refuses rollups in a newer format than the code writes", async () => {
    await client.query(`update rollup_format set version = $1`, [ROLLUP_FORMAT_VERSION + 1]);
    await expect(start()).rejects.toThrow(/rollups are in format \d+, newer than this code's .*update the code/);
    await client.query(`update rollup_format set version = $1`, [ROLLUP_FORMAT_VERSION]);
  });
});
