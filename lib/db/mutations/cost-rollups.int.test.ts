import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { bucketStart, type BucketUnit } from "@/lib/domain/calendar";
import { costRollupApplies, ledgerSql, ledgerStatement, queryLedger } from "../queries/cost-ledger";
import type { LedgerGroup } from "../queries/filters-sql";
import { pgRunner, type SqlRunner } from "../sql";
import { rebuildCostRollups, rollCosts, servingWatermark } from "./cost-rollups";

// The cost rollup against the live ledger: after any sequence of writes
// (items created, changed, deleted; catalog prices changed; a zone added) and
// rolls at any point, the ledger answered from cost_rollup_day plus the live
// remainder equals the ledger computed live from the records — every row, to
// the micro-dollar and the cent, in every zone, unit and grouping.
let client: pg.Client;
let run: SqlRunner;
let viewer: Viewer;
const ZONES = ["America/Los_Angeles", "Asia/Kathmandu", "Europe/London"] as const;
const T0 = Date.parse("2026-01-01T00:00:00Z");
const DAY = 86_400_000;
const NOW = new Date(T0 + 80 * DAY + 7 * 3_600_000 + 13 * 60_000);
let orgId = 0;
const teamIds: number[] = [];
const gpuIds: number[] = [];

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  run = pgRunner(client);
  const { rows: [org] } = await client.query(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'America/Los_Angeles') returning id`);
  orgId = org.id;
  const { rows: [user] } = await client.query(`insert into users ("orgId", email, name, role) values ($1, 'a@x', 'A', 'ADMIN') returning id`, [orgId]);
  viewer = makeViewer({ userId: user.id, orgId, orgName: "O", orgTimeZone: "America/Los_Angeles", role: "ADMIN", name: "A" });
  for (const name of ["H100", "A100"]) {
    const { rows: [gpu] } = await client.query(
      `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, $2, 80, 989.5, 3350) returning id`,
      [orgId, name],
    );
    gpuIds.push(gpu.id);
  }
  for (const [i, zone] of ZONES.entries()) {
    const { rows: [team] } = await client.query(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $3, 1000, $4, now()) returning id`,
      [orgId, `t${i}`, `Team ${i}`, zone],
    );
    teamIds.push(team.id);
  }
  await client.query(`insert into rollup_time_zones ("timeZone") select unnest($1::text[]) on conflict do nothing`, [[...ZONES]]);
});

afterAll(async () => {
  await client.end();
});

async function reset(): Promise<void> {
  await client.query(`delete from training_runs; delete from inference_deployments; delete from gpu_prices; delete from cost_rollup_day`);
  for (const gpu of gpuIds) {
    await client.query(
      `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values ($1, 'aws', 'ON_DEMAND', 2.49, '2025-01-01', null)`,
      [gpu],
    );
  }
}

type Op =
  | { op: "run"; team: number; gpu: number; startDay: number; startMin: number; hours: number | null; gpus: number; override: boolean; extra: number }
  | { op: "deployment"; team: number; gpu: number; startDay: number; startMin: number; hours: number | null; gpus: number }
  | { op: "finishRun"; pick: number; hours: number }
  | { op: "changeRun"; pick: number; gpus: number; team: number }
  | { op: "deleteRun"; pick: number }
  | { op: "restoreRun"; pick: number }
  | { op: "stopDeployment"; pick: number; hours: number }
  | { op: "price"; gpu: number; day: number; price: number }
  | { op: "roll"; limit: number; isAdvancing: boolean; atDay: number }
  | { op: "zone" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("run" as const), team: fc.nat(2), gpu: fc.nat(1), startDay: fc.nat(79), startMin: fc.nat(1439),
    hours: fc.option(fc.integer({ min: 0, max: 200 }), { freq: 4 }), gpus: fc.integer({ min: 1, max: 64 }), override: fc.boolean(), extra: fc.nat(500),
  }),
  fc.record({
    op: fc.constant("deployment" as const), team: fc.nat(2), gpu: fc.nat(1), startDay: fc.nat(79), startMin: fc.nat(1439),
    hours: fc.option(fc.integer({ min: 1, max: 900 }), { freq: 2 }), gpus: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ op: fc.constant("finishRun" as const), pick: fc.nat(), hours: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ op: fc.constant("changeRun" as const), pick: fc.nat(), gpus: fc.integer({ min: 1, max: 64 }), team: fc.nat(2) }),
  fc.record({ op: fc.constant("deleteRun" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("restoreRun" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("stopDeployment" as const), pick: fc.nat(), hours: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ op: fc.constant("price" as const), gpu: fc.nat(1), day: fc.integer({ min: 1, max: 79 }), price: fc.integer({ min: 50, max: 900 }) }),
  fc.record({ op: fc.constant("roll" as const), limit: fc.integer({ min: 1, max: 50 }), isAdvancing: fc.boolean(), atDay: fc.integer({ min: 0, max: 80 }) }),
  fc.constant({ op: "zone" as const }),
);

async function ids(table: "training_runs" | "inference_deployments"): Promise<number[]> {
  return (await client.query(`select id from ${table} order by id`)).rows.map((r: { id: number }) => r.id);
}

async function apply(o: Op, index: number): Promise<void> {
  const at = (day: number, min: number) => new Date(T0 + day * DAY + min * 60_000);
  switch (o.op) {
    case "run": {
      const start = at(o.startDay, o.startMin);
      const end = o.hours === null ? null : new Date(Math.min(start.getTime() + o.hours * 3_600_000 + 123, NOW.getTime()));
      await client.query(
        `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
           "pricePerGpuHourOverride", "storageCostUsd", "dataCostUsd", "networkCostUsd", "updatedAt")
         values ($1, $2, $3, 'PRETRAIN', 'BF16', $4, 'aws', 'ON_DEMAND', $5, $6, $7, 'SUCCEEDED', $8, $9, 0, 1.25, now())`,
        [teamIds[o.team], `run-${index}`, o.team === 1 ? "llama" : "qwen", gpuIds[o.gpu], o.gpus, start, end, o.override ? "3.141593" : null, `${o.extra}.333333`],
      );
      return;
    }
    case "deployment": {
      const start = at(o.startDay, o.startMin);
      const end = o.hours === null ? null : new Date(start.getTime() + o.hours * 3_600_000);
      await client.query(
        `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "activeTo", "updatedAt")
         values ($1, $2, 'llama', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', $4, $5, $6, now())`,
        [teamIds[o.team], `dep-${index}`, gpuIds[o.gpu], o.gpus, start, end],
      );
      return;
    }
    case "finishRun": {
      const all = await ids("training_runs");
      if (all.length === 0) return;
      await client.query(`update training_runs set "endedAt" = least("startedAt" + $2 * interval '1 hour', $3::timestamptz) where id = $1`, [all[o.pick % all.length], o.hours, NOW]);
      return;
    }
    case "changeRun": {
      const all = await ids("training_runs");
      if (all.length === 0) return;
      await client.query(`update training_runs set "gpuCount" = $2, "teamId" = $3 where id = $1`, [all[o.pick % all.length], o.gpus, teamIds[o.team]]);
      return;
    }
    case "deleteRun": {
      const all = await ids("training_runs");
      if (all.length === 0) return;
      await client.query(`delete from training_runs where id = $1`, [all[o.pick % all.length]]);
      return;
    }
    case "restoreRun": {
      // Delete and undo, as records.ts does: the snapshot (watermark included) is inserted back whole.
      const all = await ids("training_runs");
      if (all.length === 0) return;
      const id = all[o.pick % all.length];
      const { rows } = await client.query(`select to_jsonb(r) as row from training_runs r where id = $1`, [id]);
      await client.query(`delete from training_runs where id = $1`, [id]);
      await client.query(`insert into training_runs select * from jsonb_populate_record(null::training_runs, $1::jsonb)`, [rows[0].row]);
      return;
    }
    case "stopDeployment": {
      const all = await ids("inference_deployments");
      if (all.length === 0) return;
      await client.query(`update inference_deployments set "activeTo" = "activeFrom" + $2 * interval '1 hour' where id = $1`, [all[o.pick % all.length], o.hours]);
      return;
    }
    case "price": {
      // Close the open period and open a new one, as the catalog's price form does.
      const from = at(o.day, 0);
      const open = await client.query(
        `select id, "effectiveFrom" from gpu_prices where "gpuTypeId" = $1 and "effectiveTo" is null and "effectiveFrom" < $2`,
        [gpuIds[o.gpu], from],
      );
      if (open.rows.length === 0) return;
      await client.query(`update gpu_prices set "effectiveTo" = $2 where id = $1`, [open.rows[0].id, from]);
      await client.query(
        `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values ($1, 'aws', 'ON_DEMAND', $2, $3, null)`,
        [gpuIds[o.gpu], (o.price / 100).toFixed(2), from],
      );
      return;
    }
    case "roll": {
      // A roll may happen at any moment up to now (the query's `now`).
      const rollNow = new Date(Math.min(T0 + o.atDay * DAY + 3_600_000 * 5, NOW.getTime()));
      await client.query("begin");
      await rollCosts(run, { now: rollNow, limit: o.limit, isAdvancing: o.isAdvancing });
      await client.query("commit");
      return;
    }
    case "zone": {
      await client.query(`insert into rollup_time_zones ("timeZone") values ('Asia/Kolkata') on conflict do nothing`);
      return;
    }
  }
}

const GROUPS: LedgerGroup[] = ["team", "model", "gpuType", "kind", "item", "none"];

/** Local midnights in `zone`: the day containing `day` days after T0. */
function midnight(zone: string, day: number): Date {
  return bucketStart({ instant: new Date(T0 + day * DAY + 12 * 3_600_000), unit: "day", timeZone: zone });
}

async function compare(zone: string, unit: BucketUnit, groupBy: LedgerGroup, fromDay: number, toDay: number, isWholeRange: boolean) {
  const q = { orgViewer: viewer, filters: {}, from: midnight(zone, fromDay), to: midnight(zone, toDay), unit, timeZone: zone, groupBy, now: NOW, isWholeRange };
  const live = await run.query(ledgerSql({ ...q, isRollupZone: false }));
  const rolled = await run.query(ledgerSql({ ...q, isRollupZone: true }));
  expect(rolled, `${zone} ${unit} ${groupBy} ${fromDay}–${toDay}${isWholeRange ? " whole" : ""}`).toEqual(live);
  // Top 2 per bucket and kind (ties kept): the rolled answer, which ranks only candidates, is the live one's top 2.
  type Row = { bucketStart: Date; kind: string; computeCostCents: string; extraCostCents: string };
  const cents = (r: Row) => BigInt(r.computeCostCents) + BigInt(r.extraCostCents);
  const part = (r: Row) => `${r.bucketStart.getTime()}|${r.kind}`;
  const top = (live as Row[]).filter((r) => (live as Row[]).filter((o) => part(o) === part(r) && cents(o) > cents(r)).length < 2);
  expect(await run.query(ledgerSql({ ...q, isRollupZone: false, topPerKind: 2 })), `${zone} ${unit} ${groupBy} top 2 live`).toEqual(top);
  expect(await run.query(ledgerSql({ ...q, isRollupZone: true, topPerKind: 2 })), `${zone} ${unit} ${groupBy} top 2 rolled`).toEqual(top);
}

/**
 * A whole range ending mid-day (a comparison period up to now): ledgerStatement sums its whole days from the
 * rollup and the rest live; the answer is the all-live one's.
 */
async function compareRaggedEnd(zone: string, groupBy: LedgerGroup, fromDay: number, toDay: number) {
  const q = { viewer, filters: {}, from: midnight(zone, fromDay), to: new Date(midnight(zone, toDay).getTime() + 7 * 3_600_000 + 123_456), unit: "day" as const, timeZone: zone, groupBy, now: NOW, isWholeRange: true };
  const live = await run.query(ledgerSql({ ...q, orgViewer: viewer, isRollupZone: false }));
  const statement = await ledgerStatement(q, run);
  const liveText = ledgerSql({ ...q, orgViewer: viewer, isRollupZone: false }).text;
  if (await costRollupApplies({ ...q, to: midnight(zone, toDay) }, run)) expect(statement.text, "split at the last midnight").not.toBe(liveText);
  expect(await run.query(statement), `${zone} ${groupBy} ${fromDay}–${toDay} + 7 h, whole`).toEqual(live);
}

describe("cost rollups", () => {
  it("answer exactly what the live ledger computes after any writes and rolls", { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 14 }), fc.nat(2), fc.integer({ min: 0, max: 60 }), async (ops, zoneIndex, fromDay) => {
        await reset();
        for (const [i, o] of ops.entries()) await apply(o, i);
        // End with a roll so that there is something rolled to compare.
        await apply({ op: "roll", limit: 1_000, isAdvancing: true, atDay: 80 }, ops.length);
        const zone = ZONES[zoneIndex]!;
        const toDay = Math.min(fromDay + 25, 82);
        await compare(zone, "day", GROUPS[ops.length % GROUPS.length]!, fromDay, toDay, false);
        await compare(zone, "week", "team", fromDay, toDay, false);
        await compare(zone, "month", "item", 0, 82, false);
        // Weeks and months by a group sum day rows per day first, then map days to buckets (rolledLedgerSql).
        await compare(zone, "month", GROUPS[(ops.length + 1) % GROUPS.length]!, 0, 82, false);
        await compare(zone, "day", "item", fromDay, toDay, true);
        await compare(zone, "day", "none", 0, 82, true);
        await compareRaggedEnd(zone, GROUPS[ops.length % GROUPS.length]!, fromDay, toDay);
      }),
      { numRuns: 12, seed: 20261201 },
    );
  });

  it("rolls finished runs whole and serving deployments up to a past watermark; triggers forget changed items", async () => {
    await reset();
    await apply({ op: "run", team: 0, gpu: 0, startDay: 3, startMin: 30, hours: 30, gpus: 8, override: false, extra: 10 }, 1);
    await apply({ op: "run", team: 1, gpu: 1, startDay: 70, startMin: 0, hours: null, gpus: 4, override: false, extra: 0 }, 2);
    await apply({ op: "deployment", team: 2, gpu: 0, startDay: 10, startMin: 0, hours: null, gpus: 2 }, 3);
    await client.query("begin");
    const done = await rollCosts(run, { now: NOW });
    await client.query("commit");
    expect(done).toEqual({ runs: 1, deployments: 1 });
    const marks = await client.query(`select name, "costRolledTo", "endedAt" from training_runs order by name`);
    expect(marks.rows[0].costRolledTo).toEqual(marks.rows[0].endedAt);
    expect(marks.rows[1].costRolledTo).toBeNull(); // running: never rolled
    const dep = await client.query(`select "costRolledTo" from inference_deployments`);
    expect(dep.rows[0].costRolledTo).toEqual(servingWatermark(NOW));
    // As of an instant before a serving deployment's watermark, the rolled rows would hold cost from the future: live instead.
    const asOf = (now: Date) => costRollupApplies({ unit: "day", timeZone: ZONES[0], from: midnight(ZONES[0], 0), to: midnight(ZONES[0], 60), now }, run);
    expect(await asOf(NOW)).toBe(true);
    expect(await asOf(new Date(servingWatermark(NOW).getTime() - 1))).toBe(false);
    const rows = await client.query(`select count(distinct "timeZone")::int as zones from cost_rollup_day`);
    expect(rows.rows[0].zones).toBeGreaterThanOrEqual(ZONES.length);

    // Changing the run's GPUs drops its rows and its watermark in the same statement.
    await client.query(`update training_runs set "gpuCount" = 16 where name = 'run-1'`);
    const after = await client.query(`select "costRolledTo" from training_runs where name = 'run-1'`);
    expect(after.rows[0].costRolledTo).toBeNull();
    expect((await client.query(`select count(*)::int as n from cost_rollup_day where kind = 'training'`)).rows[0].n).toBe(0);

    // A catalog price change forgets every item priced from it.
    await client.query("begin");
    await rollCosts(run, { now: NOW });
    await client.query("commit");
    await apply({ op: "price", gpu: 0, day: 20, price: 199 }, 4);
    const forgotten = await client.query(`select count(*)::int as n from cost_rollup_day where "gpuTypeId" = $1`, [gpuIds[0]]);
    expect(forgotten.rows[0].n).toBe(0);
    await compare("America/Los_Angeles", "day", "item", 0, 82, false);
  });

  it("a rebuild gives the rows incremental rolling gave, and queryLedger uses them only on local midnights of rollup zones", async () => {
    await reset();
    for (const [i, o] of ([
      { op: "run", team: 0, gpu: 0, startDay: 5, startMin: 17, hours: 50, gpus: 3, override: true, extra: 7 },
      { op: "run", team: 1, gpu: 1, startDay: 40, startMin: 1000, hours: 0, gpus: 1, override: false, extra: 99 },
      { op: "deployment", team: 2, gpu: 1, startDay: 12, startMin: 45, hours: 600, gpus: 2 },
    ] satisfies Op[]).entries()) {
      await apply(o, i);
      await client.query("begin");
      await rollCosts(run, { now: NOW, limit: 1 });
      await client.query("commit");
    }
    const snapshot = async () =>
      (await client.query(`select * from cost_rollup_day order by "timeZone", kind, "itemId", "bucketStart"`)).rows;
    const incremental = await snapshot();
    expect(incremental.length).toBeGreaterThan(0);
    await client.query("begin");
    await rebuildCostRollups(run, { now: NOW });
    await client.query("commit");
    expect(await snapshot()).toEqual(incremental);

    const zone = "America/Los_Angeles";
    const base = { viewer, filters: {}, unit: "day" as const, timeZone: zone, groupBy: "team" as const, now: NOW };
    const aligned = { ...base, from: midnight(zone, 0), to: midnight(zone, 60) };
    const ragged = { ...aligned, from: new Date(aligned.from.getTime() + 3_600_000) };
    expect(await costRollupApplies(aligned, run)).toBe(true);
    expect(await costRollupApplies(ragged, run)).toBe(false);
    expect(await costRollupApplies({ ...aligned, unit: "hour" }, run)).toBe(false);
    expect(await costRollupApplies({ ...aligned, timeZone: "Pacific/Auckland" }, run)).toBe(false);
    const rows = await queryLedger(aligned, run);
    expect(rows).toEqual(await queryLedger({ ...aligned, timeZone: zone }, run));
    const live = await run.query(ledgerSql({ ...aligned, orgViewer: viewer, isRollupZone: false }));
    expect(rows.map((r) => r.computeCostCents.toString())).toEqual(live.map((r) => (r as { computeCostCents: string }).computeCostCents));
    expect(rows.reduce((s, r) => s + r.computeCostCents, 0n)).toBeGreaterThan(0n);
    // A whole range ending mid-day while the deployment serves (days 12–37): whole days rolled, the last hours live.
    for (const groupBy of GROUPS) await compareRaggedEnd(zone, groupBy, 3, 20);
    const [tail] = await queryLedger({ ...base, groupBy: "none", from: midnight(zone, 20), to: new Date(midnight(zone, 20).getTime() + 7 * 3_600_000 + 123_456), isWholeRange: true }, run);
    expect(tail!.computeCostCents).toBeGreaterThan(0n);
    // Filters no item passes: no rows, cut or not.
    const nothing = { ...base, groupBy: "item" as const, filters: { runIds: [1], kind: "inference" as const }, isWholeRange: true };
    expect(await queryLedger({ ...nothing, from: midnight(zone, 3), to: new Date(midnight(zone, 20).getTime() + 3_600_000) }, run)).toEqual([]);
  });
});
