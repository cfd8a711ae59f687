import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import type { BucketUnit } from "@/lib/domain/calendar";
import { calendarMonth } from "@/lib/domain/date-ranges";
import { trainingRunCost } from "@/lib/domain/training-cost";
import { queryLedger, sumCents, type LedgerRow } from "./cost-ledger";
import { dashboardData, deploymentsWithMetrics, monthlyCostByTeam, teamsMonthToDate, trainingRunsPage } from "./dashboards";
import { costByMonth, deploymentDetail } from "./details";
import type { LedgerGroup } from "./filters-sql";

// The cents rule end to end, on a real PostgreSQL: every figure the read
// models return for a scope, period and zone is the sum of its parts in
// cents, through every grouping, and the pages' read models agree with each
// other to the cent for the same scope, period and zone.

let client: pg.Client;
const now = new Date("2026-11-20T12:00:00Z");
const ZONES = ["Asia/Kathmandu", "America/Los_Angeles", "UTC"] as const;
const prices = [
  { price: "2.490000", from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-10-25T00:30:00Z") },
  { price: "1.987654", from: new Date("2026-10-25T00:30:00Z"), to: null },
];

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

const one = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0] as T;

interface RunSpec {
  teamIndex: number;
  model: string;
  startMinute: number;
  lengthMs: number;
  isRunning: boolean;
  gpuCount: number;
  override: string | null;
  extrasMicros: [number, number, number];
}
interface DeploymentSpec {
  teamIndex: number;
  model: string;
  startMinute: number;
  lengthMinutes: number | null;
  gpuCount: number;
}

// Minutes from 2026-09-25 (a week before October, through the October and November DST changes).
const EPOCH = Date.parse("2026-09-25T00:00:00Z");
const micros = (n: number) => `${Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, "0")}`;

const runArb = fc.record({
  teamIndex: fc.integer({ min: 0, max: 2 }),
  model: fc.constantFrom("llama-3-70b", "mistral-7b", "qwen-72b"),
  startMinute: fc.integer({ min: 0, max: 55 * 1440 }),
  lengthMs: fc.integer({ min: 0, max: 20 * 86_400_000 }),
  isRunning: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  gpuCount: fc.integer({ min: 1, max: 64 }),
  override: fc.option(fc.integer({ min: 1, max: 9_999_999 }).map(micros), { freq: 3 }),
  extrasMicros: fc.tuple(fc.integer({ min: 0, max: 50_000_000 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 3_333_333 })),
}) satisfies fc.Arbitrary<RunSpec>;

const deploymentArb = fc.record({
  teamIndex: fc.integer({ min: 0, max: 2 }),
  model: fc.constantFrom("llama-3-70b", "mistral-7b"),
  startMinute: fc.integer({ min: 0, max: 50 * 1440 }),
  lengthMinutes: fc.option(fc.integer({ min: 1, max: 40 * 1440 }), { freq: 3 }),
  gpuCount: fc.integer({ min: 1, max: 16 }),
}) satisfies fc.Arbitrary<DeploymentSpec>;

let orgCounter = 0;

/** A fresh org with three teams (+05:45, US Pacific, UTC), two GPU types and the given records. */
async function seedOrg(runs: RunSpec[], deployments: DeploymentSpec[], orgTimeZone: string) {
  orgCounter += 1;
  const org = await one<{ id: number }>(`insert into orgs (slug, name, "timeZone") values ($1, $1, $2) returning id`, [`figures-${orgCounter}`, orgTimeZone]);
  const user = await one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, $2, 'A', 'ADMIN') returning id`, [org.id, `a${orgCounter}@x`]);
  const viewer: Viewer = makeViewer({ userId: user.id, orgId: org.id, orgName: "O", orgTimeZone, role: "ADMIN", name: "A" });
  const teams = [];
  for (const [i, zone] of ZONES.entries()) {
    teams.push(
      await one<{ id: number; slug: string; timeZone: string }>(
        `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $2, 1000, $3, now()) returning id, slug, "timeZone"`,
        [org.id, `team-${i}`, zone],
      ),
    );
  }
  const gpus = [];
  for (const name of ["H100", "A100"]) {
    const gpu = await one<{ id: number }>(
      `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, $2, 80, 989.5, 3350) returning id`,
      [org.id, name],
    );
    for (const p of prices) {
      await client.query(`insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values ($1, 'aws', 'ON_DEMAND', $2, $3, $4)`, [
        gpu.id,
        p.price,
        p.from,
        p.to,
      ]);
    }
    gpus.push(gpu.id);
  }
  const runIds: number[] = [];
  for (const [i, r] of runs.entries()) {
    const startedAt = new Date(EPOCH + r.startMinute * 60_000);
    const endedAt = r.isRunning && startedAt < now ? null : new Date(startedAt.getTime() + r.lengthMs);
    const row = await one<{ id: number }>(
      `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
         "pricePerGpuHourOverride", "storageCostUsd", "dataCostUsd", "networkCostUsd", "updatedAt")
       values ($1, $2, $3, 'PRETRAIN', 'BF16', $4, 'aws', 'ON_DEMAND', $5, $6, $7, 'SUCCEEDED', $8, $9, $10, $11, now()) returning id`,
      [teams[r.teamIndex]!.id, `run-${i}`, r.model, gpus[i % 2], r.gpuCount, startedAt, endedAt, r.override, ...r.extrasMicros.map(micros)],
    );
    runIds.push(row.id);
  }
  const deploymentIds: number[] = [];
  for (const [i, d] of deployments.entries()) {
    const activeFrom = new Date(EPOCH + d.startMinute * 60_000);
    const activeTo = d.lengthMinutes === null ? null : new Date(activeFrom.getTime() + d.lengthMinutes * 60_000);
    const row = await one<{ id: number }>(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "activeTo", "updatedAt")
       values ($1, $2, $3, 'VLLM', 'NONE', 'CONTINUOUS', $4, 'aws', 'ON_DEMAND', $5, $6, $7, now()) returning id`,
      [teams[d.teamIndex]!.id, `deployment-${i}`, d.model, gpus[(i + 1) % 2], d.gpuCount, activeFrom, activeTo],
    );
    deploymentIds.push(row.id);
  }
  return { viewer, teams, runIds, deploymentIds };
}

const GROUPINGS: LedgerGroup[] = ["none", "team", "model", "gpuType", "kind", "item"];
const key = (r: LedgerRow) => `${r.kind}|${r.groupKey}`;

describe("cents: every figure is the sum of its parts", () => {
  it("through every grouping, day and month, in +05:45, US Pacific and UTC, over month and DST boundaries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(runArb, { minLength: 1, maxLength: 6 }), fc.array(deploymentArb, { maxLength: 4 }), fc.constantFrom(...ZONES), async (runs, deployments, zone) => {
        const { viewer, runIds } = await seedOrg(runs, deployments, zone);
        const range = { start: calendarMonth({ now, timeZone: zone, offset: 2 }).start, end: calendarMonth({ now, timeZone: zone, offset: 0 }).end };
        const q = (groupBy: LedgerGroup, unit: BucketUnit, isWholeRange = false) =>
          queryLedger({ viewer, filters: {}, from: range.start, to: range.end, unit, timeZone: zone, groupBy, now, isWholeRange });
        const total = sumCents(await q("none", "day", true));
        // Each item's days add up to its months, and to its one line over the whole range.
        const [itemDays, itemMonths, itemWhole] = await Promise.all([q("item", "day"), q("item", "month"), q("item", "day", true)]);
        const byItem = (rows: LedgerRow[]) => {
          const m = new Map<string, bigint>();
          for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0n) + r.computeCostCents + r.extraCostCents);
          return m;
        };
        const whole = byItem(itemWhole);
        expect(byItem(itemDays)).toEqual(whole);
        expect(byItem(itemMonths)).toEqual(whole);
        for (const groupBy of GROUPINGS) {
          for (const unit of ["day", "month"] as const) {
            expect(sumCents(await q(groupBy, unit)), `${groupBy} by ${unit}`).toBe(total);
          }
          expect(sumCents(await q(groupBy, "day", true)), `${groupBy} whole range`).toBe(total);
        }
        // A run entirely inside the range shows its lifetime cents there, as the run's page does.
        for (const [i, r] of runs.entries()) {
          const startedAt = new Date(EPOCH + r.startMinute * 60_000);
          const endedAt = r.isRunning && startedAt < now ? null : new Date(startedAt.getTime() + r.lengthMs);
          if (startedAt < range.start || (endedAt ?? now) > range.end) continue;
          const cost = trainingRunCost({
            run: {
              startedAt,
              endedAt,
              gpuCount: r.gpuCount,
              pricePerGpuHourOverride: r.override,
              catalogPrices: prices.map((p) => ({ pricePerGpuHour: p.price, effectiveFrom: p.from, effectiveTo: p.to })),
              storageCostUsd: micros(r.extrasMicros[0]),
              dataCostUsd: micros(r.extrasMicros[1]),
              networkCostUsd: micros(r.extrasMicros[2]),
              tokensProcessed: null,
              parameterCount: null,
              peakBf16Tflops: null,
            },
            now,
          });
          expect(whole.get(`training|training:${runIds[i]}`) ?? 0n, `run-${i}`).toBe(cost.totalCostCents);
        }
        // The dashboard read model: Spend = Training + Inference = the chart's bars = the top tables (≤ 10 items each).
        const unit = "day" as const;
        const data = await dashboardData({ viewer, scope: {}, range, unit, timeZone: zone, now });
        expect(data.kpis.totalCents).toBe(total);
        expect(data.kpis.trainingCents + data.kpis.inferenceCents).toBe(data.kpis.totalCents);
        expect(data.series.costByTeam.reduce((s, r) => s + r.costCents, 0n)).toBe(total);
        expect([...data.top.runs, ...data.top.deployments].reduce((s, t) => s + t.costCents, 0n)).toBe(total);
        expect(data.top.teams.reduce((s, t) => s + t.costCents, 0n)).toBe(total);
        expect(data.top.models.reduce((s, t) => s + t.costCents, 0n)).toBe(total);
        expect(data.costByGpu.reduce((s, t) => s + t.costCents, 0n)).toBe(total);
        // The monthly report: rows add up to their totals, months to the whole.
        const report = await monthlyCostByTeam({ viewer, now, timeZone: zone, months: 3 });
        for (const m of report.months) expect(m.cellsCents.reduce((a, b) => a + b, 0n)).toBe(m.totalCents);
        expect(report.teamTotalsCents.reduce((a, b) => a + b, 0n)).toBe(report.totalCents);
        expect(report.totalCents).toBe(total);
      }),
      { numRuns: 12 },
    );
  });
});

describe("pages agree: the same scope, period and zone show the same cents", () => {
  it.each([["org zone"], ["team zone"], ["UTC"]] as const)("%s", async (label) => {
    const runs: RunSpec[] = [
      { teamIndex: 0, model: "llama-3-70b", startMinute: 30 * 1440 + 17, lengthMs: 9 * 86_400_000 + 123_457, isRunning: false, gpuCount: 64, override: null, extrasMicros: [120_500_000, 333_333, 5] },
      { teamIndex: 0, model: "mistral-7b", startMinute: 36 * 1440 + 300, lengthMs: 86_400_000, isRunning: false, gpuCount: 3, override: "3.141593", extrasMicros: [0, 0, 0] },
      { teamIndex: 1, model: "llama-3-70b", startMinute: 50 * 1440, lengthMs: 0, isRunning: true, gpuCount: 8, override: null, extrasMicros: [1, 2, 3] },
    ];
    const deployments: DeploymentSpec[] = [
      { teamIndex: 0, model: "llama-3-70b", startMinute: 10 * 1440 + 45, lengthMinutes: null, gpuCount: 2 },
      { teamIndex: 0, model: "mistral-7b", startMinute: 33 * 1440 + 7, lengthMinutes: 3 * 1440 + 11, gpuCount: 1 },
    ];
    const { viewer, teams, runIds, deploymentIds } = await seedOrg(runs, deployments, "Europe/London");
    const team = teams[0]!; // Asia/Kathmandu
    const timeZone = label === "org zone" ? viewer.orgTimeZone : label === "team zone" ? team.timeZone : "UTC";
    const october = calendarMonth({ now, timeZone, offset: 1 });
    const scope = { teamId: team.id };
    // Overview filtered to the team, and the team page: one read model, one answer.
    const overview = await dashboardData({ viewer, scope, range: october, unit: "day", timeZone, now });
    const teamPage = await dashboardData({ viewer, scope, range: october, unit: "day", timeZone, now });
    expect(teamPage.kpis).toEqual(overview.kpis);
    // /reports: the team's October cell.
    const report = await monthlyCostByTeam({ viewer, now, timeZone, months: 2 });
    const column = report.teams.findIndex((t) => t.key === String(team.id));
    const octoberLine = report.months.find((m) => m.monthStart.getTime() === october.start.getTime());
    expect(octoberLine?.cellsCents[column]).toBe(overview.kpis.totalCents);
    // The detail pages: each item's October, summed, and each one equal to its row in the top tables.
    let detailSum = 0n;
    for (const [kind, ids] of [["training", runIds.slice(0, 2)], ["inference", deploymentIds]] as const) {
      for (const id of ids) {
        const record = kind === "training" ? runs[runIds.indexOf(id)]! : deployments[deploymentIds.indexOf(id)]!;
        const start = new Date(EPOCH + record.startMinute * 60_000);
        const end = "lengthMs" in record ? new Date(start.getTime() + record.lengthMs) : record.lengthMinutes === null ? null : new Date(start.getTime() + record.lengthMinutes * 60_000);
        const months = await costByMonth({ viewer, kind, id, start, end, timeZone, now });
        const inOctober = months.months.find((m) => m.start.getTime() === october.start.getTime())?.totalCents ?? 0n;
        detailSum += inOctober;
        const top = (kind === "training" ? overview.top.runs : overview.top.deployments).find((t) => t.key === `${kind}:${id}`);
        expect(top?.costCents ?? 0n, `${kind} ${id}`).toBe(inOctober);
        if (kind === "inference") {
          // The deployment page over October: its cost card and its chart's buckets.
          const page = await deploymentDetail({ viewer, id, range: october, unit: "day", timeZone, now });
          expect(page?.cents.total, `deployment ${id} page`).toBe(inOctober);
          expect(page?.points.reduce((s, p) => s + p.servingCents + p.idleCents + p.untrackedCents, 0n)).toBe(inOctober);
        }
      }
    }
    expect(detailSum).toBe(overview.kpis.totalCents);
    // The lists: /inference's cost in range and /training's cost in range, for October.
    const list = await deploymentsWithMetrics({ viewer, now, timeZone, range: october, filters: { teamSlug: team.slug } });
    expect(list.rows.reduce((s, d) => s + d.costCents, 0n)).toBe(overview.kpis.inferenceCents);
    const runsPage = await trainingRunsPage({ viewer, now, timeZone, filters: { teamSlug: team.slug, range: october }, table: { sort: "started", dir: "desc", page: 1 } });
    expect(runsPage.rows.reduce((s, r) => s + (r.inRangeCostCents ?? 0n), 0n)).toBe(overview.kpis.trainingCents);
    // /teams month to date = the budget table's spend, in the same zone.
    const [mtd, current] = await Promise.all([
      teamsMonthToDate({ viewer, now, timeZone }),
      dashboardData({ viewer, scope, range: calendarMonth({ now, timeZone, offset: 0 }), unit: "day", timeZone, now }),
    ]);
    expect(mtd.teams.find((t) => t.teamId === team.id)?.totalCents).toBe(current.budgets.teams.find((b) => b.teamId === team.id)?.spentCents);
    expect(current.budgets.teams[0]?.spentCents).toBe(current.kpis.totalCents);
  });
});
