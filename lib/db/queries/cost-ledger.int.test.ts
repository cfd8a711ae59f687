import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { inferenceCostByBucket, NO_TRAFFIC } from "@/lib/domain/inference-cost";
import { trainingRunCost, trainingRunCostByBucket } from "@/lib/domain/training-cost";
import { pgRunner } from "../sql";
import { queryLedger } from "./cost-ledger";

// The SQL ledger against the TypeScript engine on data this file seeds: every
// (item, bucket) cost must agree to the micro-dollar, in any unit and zone.
let client: pg.Client;
let viewer: Viewer;
const now = new Date("2026-03-20T12:00:00Z");
const prices = [
  { pricePerGpuHour: "2.490000", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: new Date("2026-02-28T20:30:00Z") },
  { pricePerGpuHour: "1.990000", effectiveFrom: new Date("2026-02-28T20:30:00Z"), effectiveTo: null },
];

interface RunSpec {
  name: string;
  startedAt: Date;
  endedAt: Date | null;
  gpuCount: number;
  override: string | null;
  extras: [string, string, string];
}
const runs: RunSpec[] = [
  // Across the Feb → Mar month boundary and the price change.
  { name: "month-crossing", startedAt: new Date("2026-02-27T22:13:07.123Z"), endedAt: new Date("2026-03-02T03:01:00Z"), gpuCount: 64, override: null, extras: ["120.50", "33.333333", "0"] },
  // Over the US spring-forward night (2026-03-08).
  { name: "dst", startedAt: new Date("2026-03-07T23:00:00Z"), endedAt: new Date("2026-03-09T09:00:00Z"), gpuCount: 8, override: null, extras: ["0", "0", "7.77"] },
  { name: "override", startedAt: new Date("2026-03-03T05:45:00Z"), endedAt: new Date("2026-03-03T18:15:00Z"), gpuCount: 3, override: "3.141593", extras: ["0", "0", "0"] },
  { name: "running", startedAt: new Date("2026-03-18T00:00:00Z"), endedAt: null, gpuCount: 16, override: null, extras: ["10", "0", "0"] },
  { name: "zero-length", startedAt: new Date("2026-03-05T10:00:00Z"), endedAt: new Date("2026-03-05T10:00:00Z"), gpuCount: 1, override: null, extras: ["5", "0", "0"] },
];
const deployment = { activeFrom: new Date("2026-02-25T06:00:00Z"), activeTo: null, gpuCount: 2 };
const runIds: number[] = [];
let deploymentId = 0;

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows: [org] } = await client.query(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'America/Los_Angeles') returning id`);
  const { rows: [user] } = await client.query(`insert into users ("orgId", email, name, role) values ($1, 'a@x', 'A', 'ADMIN') returning id`, [org.id]);
  viewer = makeViewer({ userId: user.id, orgId: org.id, orgName: "O", orgTimeZone: "America/Los_Angeles", role: "ADMIN", name: "A" });
  const { rows: [gpu] } = await client.query(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100', 80, 989.5, 3350) returning id`,
    [org.id],
  );
  for (const p of prices) {
    await client.query(
      `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values ($1, 'aws', 'ON_DEMAND', $2, $3, $4)`,
      [gpu.id, p.pricePerGpuHour, p.effectiveFrom, p.effectiveTo],
    );
  }
  const { rows: [team] } = await client.query(
    `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, 't', 'T', 1000, 'Asia/Kathmandu', now()) returning id`,
    [org.id],
  );
  for (const r of runs) {
    const { rows: [row] } = await client.query(
      `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
         "pricePerGpuHourOverride", "storageCostUsd", "dataCostUsd", "networkCostUsd", "updatedAt")
       values ($1, $2, 'llama', 'PRETRAIN', 'BF16', $3, 'aws', 'ON_DEMAND', $4, $5, $6, 'SUCCEEDED', $7, $8, $9, $10, now()) returning id`,
      [team.id, r.name, gpu.id, r.gpuCount, r.startedAt, r.endedAt, r.override, ...r.extras],
    );
    runIds.push(row.id);
  }
  const { rows: [d] } = await client.query(
    `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
     values ($1, 'idle-deployment', 'llama', 'VLLM', 'NONE', 'CONTINUOUS', $2, 'aws', 'ON_DEMAND', $3, $4, now()) returning id`,
    [team.id, gpu.id, deployment.gpuCount, deployment.activeFrom],
  );
  deploymentId = d.id;
});

afterAll(async () => {
  await client.end();
});

function domainRun(r: RunSpec) {
  return {
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    gpuCount: r.gpuCount,
    pricePerGpuHourOverride: r.override,
    catalogPrices: prices,
    storageCostUsd: r.extras[0],
    dataCostUsd: r.extras[1],
    networkCostUsd: r.extras[2],
    tokensProcessed: null,
    parameterCount: null,
    peakBf16Tflops: null,
  };
}

async function ledger(unit: BucketUnit, timeZone: string, from: Date, to: Date) {
  return queryLedger({ viewer, filters: {}, from, to, unit, timeZone, groupBy: "item", now }, pgRunner(client));
}

describe("cost ledger (SQL) = cost engine (TypeScript)", () => {
  const cases: [BucketUnit, string][] = [
    ["day", "Asia/Kathmandu"],
    ["day", "America/New_York"],
    ["hour", "Asia/Kathmandu"],
    ["hour", "America/New_York"],
    ["week", "Europe/Berlin"],
    ["month", "America/Los_Angeles"],
  ];
  it.each(cases)("every item and %s bucket in %s", async (unit, timeZone) => {
    const from = new Date("2026-02-20T00:00:00Z");
    const buckets = bucketsBetween({ from, to: now, unit, timeZone });
    const rows = await ledger(unit, timeZone, buckets[0]!.start, buckets.at(-1)!.end);
    runs.forEach((run, i) => {
      const expected = trainingRunCostByBucket({ run: domainRun(run), buckets, now }).filter((b) => b.computeCostMicros > 0n || b.otherCostMicros > 0n);
      const actual = rows.filter((r) => r.groupKey === `training:${runIds[i]}`).filter((r) => r.computeCostMicros > 0n || r.extraCostMicros > 0n);
      expect(actual.map((r) => [r.bucketStart.toISOString(), r.computeCostMicros, r.extraCostMicros]), run.name).toEqual(
        expected.map((b) => [b.start.toISOString(), b.computeCostMicros, b.otherCostMicros]),
      );
    });
    const expectedDeployment = inferenceCostByBucket({
      deployment: { ...deployment, pricePerGpuHourOverride: null, catalogPrices: prices },
      buckets: buckets.map((b) => ({ ...b, traffic: NO_TRAFFIC })),
      now,
    }).filter((b) => b.costMicros > 0n);
    const actualDeployment = rows.filter((r) => r.groupKey === `inference:${deploymentId}`);
    expect(actualDeployment.map((r) => [r.bucketStart.toISOString(), r.computeCostMicros])).toEqual(
      expectedDeployment.map((b) => [b.start.toISOString(), b.costMicros]),
    );
  });

  it("buckets of any size sum exactly to each run's total (month = Σ days = Σ hours)", async () => {
    const from = new Date("2026-02-01T00:00:00Z");
    const to = new Date("2026-04-01T00:00:00Z");
    for (const unit of ["hour", "day", "month"] as const) {
      const rows = await ledger(unit, "Asia/Kathmandu", from, to);
      runs.forEach((run, i) => {
        const total = trainingRunCost({ run: domainRun(run), now });
        const mine = rows.filter((r) => r.groupKey === `training:${runIds[i]}`);
        expect(mine.reduce((s, r) => s + r.computeCostMicros + r.extraCostMicros, 0n), `${run.name} by ${unit}`).toBe(total.totalCostMicros);
      });
    }
  });

  it("a random range's buckets equal the engine for random zones", async () => {
    const zones = ["UTC", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Adelaide", "America/St_Johns", "Europe/London"];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...zones),
        fc.constantFrom<BucketUnit>("hour", "day", "week"),
        fc.integer({ min: 0, max: 20 * 24 * 60 }),
        fc.integer({ min: 60, max: 6 * 24 * 60 }),
        async (timeZone, unit, startMinute, lengthMinutes) => {
          const from = new Date(Date.UTC(2026, 1, 24) + startMinute * 60_000);
          const buckets = bucketsBetween({ from, to: new Date(from.getTime() + lengthMinutes * 60_000), unit, timeZone });
          const rows = await ledger(unit, timeZone, buckets[0]!.start, buckets.at(-1)!.end);
          const sqlTotal = rows.filter((r) => r.groupKey.startsWith("training:")).reduce((s, r) => s + r.computeCostMicros, 0n);
          const engineTotal = runs
            .map((run) => trainingRunCostByBucket({ run: domainRun(run), buckets, now }).reduce((s, b) => s + b.computeCostMicros, 0n))
            .reduce((a, b) => a + b, 0n);
          expect(sqlTotal).toBe(engineTotal);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("gives the same total for every grouping", async () => {
    const from = new Date("2026-02-01T00:00:00Z");
    const to = new Date("2026-04-01T00:00:00Z");
    const totals = new Set<bigint>();
    for (const groupBy of ["none", "team", "model", "gpuType", "kind", "item"] as const) {
      for (const isWholeRange of [false, true]) {
        const rows = await queryLedger({ viewer, filters: {}, from, to, unit: "day", timeZone: "UTC", groupBy, now, isWholeRange }, pgRunner(client));
        totals.add(rows.reduce((s, r) => s + r.computeCostMicros + r.extraCostMicros, 0n));
      }
    }
    expect(totals.size).toBe(1);
    expect([...totals][0]).toBeGreaterThan(0n);
  });

  it("reports GPU time with no price in effect as unpriced, not as $0", async () => {
    await client.query(`update gpu_prices set "effectiveFrom" = '2026-03-01T00:00:00Z' where "pricePerGpuHour" = 1.99`);
    await client.query(`update gpu_prices set "effectiveTo" = '2026-02-28T00:00:00Z' where "pricePerGpuHour" = 2.49`);
    try {
      const rows = await ledger("day", "UTC", new Date("2026-02-28T00:00:00Z"), new Date("2026-03-01T00:00:00Z"));
      const run = rows.find((r) => r.groupKey === `training:${runIds[0]}`)!;
      expect(run.unpricedGpuMs).toBe(64n * 24n * 3_600_000n);
      expect(run.computeCostMicros).toBe(0n);
    } finally {
      await client.query(`update gpu_prices set "effectiveTo" = '2026-02-28T20:30:00Z' where "pricePerGpuHour" = 2.49`);
      await client.query(`update gpu_prices set "effectiveFrom" = '2026-02-28T20:30:00Z' where "pricePerGpuHour" = 1.99`);
    }
  });
});
