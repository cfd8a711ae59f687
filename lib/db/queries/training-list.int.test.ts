import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import type { RunSortKey } from "@/lib/validation/dashboard-filters";
import { rollCosts } from "../mutations/cost-rollups";
import { pgRunner } from "../sql";
import { RUNS_PAGE_SIZE, trainingRunsPage, trainingRunsWithCost, type TrainingRunRow } from "./dashboards";

// The runs list is sorted and paged in PostgreSQL over every run (cost sorts
// read rolled totals and compute unrolled runs live). Whatever the key and
// direction, walking every page must give each run exactly once, in an order
// that is sorted by the figure the engine shows for it, "—" last.
let client: pg.Client;
let viewer: Viewer;
const now = new Date("2026-06-20T12:00:00Z");
const RUNS = 137;

const KEYS: Record<RunSortKey, (r: TrainingRunRow) => number | string | bigint | null> = {
  started: (r) => r.startedAt.getTime(),
  name: (r) => r.name.toLowerCase(),
  team: (r) => r.team.name.toLowerCase(),
  model: (r) => r.model.toLowerCase(),
  gpuHours: (r) => r.gpuHours,
  cost: (r) => r.lifetimeCostCents,
  perToken: (r) => (r.costPerMillionTokensUsd === null ? null : r.costPerMillionTokensUsd.toNumber()),
  mfu: (r) => r.mfu,
};

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const one = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0] as T;
  const org = await one<{ id: number }>(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'Europe/London') returning id`);
  const user = await one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, 'a@x', 'A', 'ADMIN') returning id`, [org.id]);
  viewer = makeViewer({ userId: user.id, orgId: org.id, orgName: "O", orgTimeZone: "Europe/London", role: "ADMIN", name: "A" });
  const gpus: number[] = [];
  for (const [name, peak] of [["H100", 989.5], ["L40S", 362]] as const) {
    const gpu = await one<{ id: number }>(
      `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, $2, 80, $3, 3350) returning id`,
      [org.id, name, peak],
    );
    gpus.push(gpu.id);
    await client.query(
      `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values ($1, 'aws', 'ON_DEMAND', 2.49, '2025-01-01', null)`,
      [gpu.id],
    );
  }
  const teams: number[] = [];
  for (const name of ["Alpha", "beta", "Gamma"]) {
    const team = await one<{ id: number }>(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $3, 1000, 'UTC', now()) returning id`,
      [org.id, name.toLowerCase(), name],
    );
    teams.push(team.id);
  }
  await client.query(`insert into rollup_time_zones ("timeZone") values ('Europe/London'), ('UTC') on conflict do nothing`);
  const specs = fc.sample(
    fc.record({
      team: fc.nat(2), gpu: fc.nat(1), startHour: fc.integer({ min: 0, max: 24 * 150 }), hours: fc.option(fc.integer({ min: 0, max: 300 }), { freq: 6 }),
      gpus: fc.integer({ min: 1, max: 128 }), tokens: fc.option(fc.bigInt({ min: 1n, max: 10n ** 12n }), { freq: 3 }),
      params: fc.option(fc.bigInt({ min: 10n ** 8n, max: 10n ** 11n }), { freq: 3 }), method: fc.constantFrom("PRETRAIN", "LORA", "QLORA", "FULL_FINE_TUNE"),
      override: fc.option(fc.constantFrom("1.10", "3.141593"), { freq: 4 }), extra: fc.nat(900), model: fc.constantFrom("Llama-3", "qwen", "Mistral"),
    }),
    { numRuns: RUNS, seed: 4242 },
  );
  for (const [i, r] of specs.entries()) {
    const startedAt = new Date(Date.parse("2026-01-01T00:00:00Z") + r.startHour * 3_600_000 + i * 7_000);
    const endedAt = r.hours === null ? null : new Date(Math.min(startedAt.getTime() + r.hours * 3_600_000 + i, now.getTime()));
    await client.query(
      `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
         "tokensProcessed", "parameterCount", "pricePerGpuHourOverride", "storageCostUsd", "updatedAt")
       values ($1, $2, $3, $4, 'BF16', $5, 'aws', 'ON_DEMAND', $6, $7, $8, $9, $10, $11, $12, $13, now())`,
      [teams[r.team], `Run ${String(i).padStart(3, "0")}${i % 4 === 0 ? "b" : "A"}`, r.model, r.method, gpus[r.gpu], r.gpus, startedAt, endedAt,
        endedAt ? "SUCCEEDED" : "RUNNING", r.tokens, r.params, r.override, `${r.extra}.5`],
    );
  }
  // Roll part of the runs: the list mixes rolled totals and live ones.
  await client.query("begin");
  await rollCosts(pgRunner(client), { now, limit: 60 });
  await client.query("commit");
});

afterAll(async () => {
  await client.end();
});

describe("runs list sorted and paged in SQL", () => {
  it("has a mix of rolled and live runs to sort", async () => {
    const { rows } = await client.query(`select count(*) filter (where "costRolledTo" is not null)::int as rolled, count(*)::int as total from training_runs`);
    expect(rows[0].rolled).toBeGreaterThan(10);
    expect(rows[0].rolled).toBeLessThan(rows[0].total);
  });

  for (const sort of Object.keys(KEYS) as RunSortKey[]) {
    for (const dir of ["asc", "desc"] as const) {
      it(`${sort} ${dir}: every run once, in the engine's order, "—" last`, async () => {
        const engine = new Map((await trainingRunsWithCost({ viewer, now })).map((r) => [r.id, r]));
        const seen: TrainingRunRow[] = [];
        let pageCount = 1;
        for (let page = 1; page <= pageCount; page++) {
          const result = await trainingRunsPage({ viewer, now, filters: {}, table: { sort, dir, page }, timeZone: "Europe/London" });
          expect(result.total).toBe(RUNS);
          pageCount = result.pageCount;
          expect(result.rows.length).toBe(Math.min(RUNS_PAGE_SIZE, RUNS - (page - 1) * RUNS_PAGE_SIZE));
          seen.push(...result.rows);
        }
        expect(pageCount).toBe(Math.ceil(RUNS / RUNS_PAGE_SIZE));
        expect(new Set(seen.map((r) => r.id)).size).toBe(RUNS);
        const key = KEYS[sort];
        for (let i = 1; i < seen.length; i++) {
          const a = key(seen[i - 1]!);
          const b = key(seen[i]!);
          expect(seen[i]!.lifetimeCostCents).toBe(engine.get(seen[i]!.id)!.lifetimeCostCents);
          if (b === null) continue;
          expect(a, `${sort} ${dir} at ${i}: a value after "—"`).not.toBeNull();
          if (typeof a === "number" && typeof b === "number" && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))) continue;
          expect(dir === "asc" ? a! <= b : a! >= b, `${sort} ${dir} at ${i}: ${String(a)} then ${String(b)}`).toBe(true);
        }
      });
    }
  }
});
