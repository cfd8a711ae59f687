import { parse } from "csv-parse/sync";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitGpuPrice } from "@/lib/actions/handlers/gpu-prices";
import { submitInferenceDeployment } from "@/lib/actions/handlers/inference-deployments";
import { submitTrainingRun, submitTrainingRunDelete } from "@/lib/actions/handlers/training-runs";
import { submitUsageWindow } from "@/lib/actions/handlers/usage-windows";
import { closeMonth, reopenMonth } from "@/lib/db/mutations/month-closures";
import { lineCents, type ReportLine } from "@/lib/reports/line";
import { addMonths, monthRange } from "@/lib/reports/month";
import { deploymentFields, form, key, usageFields } from "@/lib/testing/inference-records";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { queryLedger, sumCents } from "./cost-ledger";
import { dashboardData } from "./dashboards";
import { closeStreamPool } from "../stream";
import { exportLines, focusCsv, lineItemsCsv, reportJson, reportSource, type ExportScope } from "./report-export";
import { byItem, byModel, byTeam, joinMonthReportUsage, monthLinesCosts, monthReport, withLinesUsage, monthReportCosts, monthReportUsage, reportLines, sumLineCents, type ReportScope } from "./reports";

// Monthly reports against a real PostgreSQL, on records that cross month
// boundaries and the October DST change (Europe/London org, a New York team):
// the report equals the dashboards to the cent in every zone and scope, daily
// lines add up to monthly ones, a run spanning two months is prorated into
// both, and closed months stay closed — a late edit becomes a correction in
// the next open month, pointing at the audit entry that caused it.

let fx: OrgFixture;
let client: pg.Client;
const now = new Date("2026-11-20T12:00:00Z");
const ZONES = ["Europe/London", "America/New_York", "UTC"];
const ids: Record<string, number> = {};

function runFields(overrides: Record<string, string>): Record<string, string> {
  return {
    teamId: String(fx.teamId),
    model: "Llama-3.1-8B",
    method: "LORA",
    precision: "BF16",
    gpuTypeId: String(fx.gpuTypeId),
    provider: "aws",
    pricingModel: "ON_DEMAND",
    gpuCount: "8",
    status: "SUCCEEDED",
    _timeZone: "Europe/London",
    _idempotencyKey: key(),
    ...overrides,
  };
}

async function saved(state: Promise<{ status: string }>): Promise<number> {
  const s = (await state) as { status: string; id?: number | string };
  if (s.status !== "saved") throw new Error(`expected saved, got ${JSON.stringify(s)}`);
  return Number(s.id);
}

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const viewer = fx.viewer;
  // Across the September/October boundary, with extras spread over its time.
  ids.spansSeptember = await saved(
    submitTrainingRun({ viewer, id: null, now, formData: form(runFields({ name: "sept-oct", startedAt: "2026-09-28T10:00", endedAt: "2026-10-03T06:30", storageCostUsd: "12.50", dataCostUsd: "0.005" })) }),
  );
  // Across the DST change on 25 October, on the New York team.
  ids.dst = await saved(
    submitTrainingRun({
      viewer,
      id: null,
      now,
      formData: form(runFields({ name: "dst-run", teamId: String(fx.otherTeamId), gpuCount: "3", startedAt: "2026-10-24T20:00", endedAt: "2026-10-26T05:00" })),
    }),
  );
  // Across October/November, priced by its own override, with an odd extra.
  ids.spansNovember = await saved(
    submitTrainingRun({
      viewer,
      id: null,
      now,
      formData: form(runFields({ name: "oct-nov", startedAt: "2026-10-31T22:00", endedAt: "2026-11-02T03:17", pricePerGpuHourOverride: "3.141593", networkCostUsd: "0.015" })),
    }),
  );
  ids.deployment = await saved(submitInferenceDeployment({ viewer, id: null, formData: form(deploymentFields(fx, { activeFrom: "2026-10-20T00:00", activeTo: "" })) }));
  for (const start of ["2026-10-30T12:00", "2026-10-31T12:00"]) {
    const state = await submitUsageWindow({ viewer, deploymentId: String(ids.deployment), start: null, now, formData: form(usageFields({ windowStart: start, windowSeconds: "86400" })) });
    if (state.status !== "saved") throw new Error(JSON.stringify(state));
  }
});
afterAll(async () => {
  await client.end();
  await closeStreamPool();
});

/** "12.34" / "-0.05" → cents, exactly (never through a float). */
function cents(text: string): bigint {
  const m = /^(-?)(\d+)\.(\d\d)$/.exec(text);
  if (!m) throw new Error(`not a cents amount: ${JSON.stringify(text)}`);
  const v = BigInt(m[2]!) * 100n + BigInt(m[3]!);
  return m[1] ? -v : v;
}

async function exported(scope: ExportScope) {
  const [linesBytes, focus, json] = await Promise.all([
    new Response(lineItemsCsv(scope, { bom: true })).bytes(),
    new Response(focusCsv(scope, { bom: false })).text(),
    new Response(reportJson(scope)).text(),
  ]);
  expect([...linesBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  if (scope.granularity === "month") {
    // From the month's report (what the export route uses at month granularity): the same bytes as from the cursor.
    const reportScope = { viewer: scope.viewer, month: scope.month, timeZone: scope.timeZone, now: scope.now, ...(scope.team ? { teamId: scope.team.id } : {}) };
    // The lines without traffic joined with it, as the read cache keeps them (the whole report's when it bills corrections).
    const lines = async () => {
      const costs = await monthLinesCosts(reportScope);
      if (costs) return withLinesUsage(costs, await monthReportUsage(reportScope));
      const whole = await monthReport(reportScope);
      return { period: whole.period, closure: whole.closure, closedElsewhere: whole.closedElsewhere, charges: whole.lines, corrections: whole.corrections };
    };
    const source = () => reportSource(scope, { lines, previousCents: async () => (await monthReport(reportScope)).change.previousCents });
    const [fromReport, focusFromReport, jsonFromReport] = await Promise.all([
      new Response(lineItemsCsv(scope, { bom: true }, source())).bytes(),
      new Response(focusCsv(scope, { bom: false }, source())).text(),
      new Response(reportJson(scope, source())).text(),
    ]);
    expect(Buffer.from(fromReport).equals(Buffer.from(linesBytes))).toBe(true);
    expect(focusFromReport).toBe(focus);
    expect(jsonFromReport).toBe(json);
  }
  const lineRows = parse(new TextDecoder("utf-8", { ignoreBOM: false, fatal: true }).decode(linesBytes), { columns: true }) as Record<string, string>[];
  const focusRows = parse(focus, { columns: true }) as Record<string, string>[];
  return { lineRows, focusRows, json: JSON.parse(json) as { totals: Record<string, string>; lines: unknown[]; corrections: unknown[]; report: { status: string } } };
}

/**
 * monthReport, checked against the same report from the parts the read cache
 * keeps apart (lib/cache/read-models.ts): its cents without traffic, joined
 * with its deployments' traffic. A month that bills corrections is read whole.
 */
async function reportBothWays(scope: ReportScope) {
  const whole = await monthReport(scope);
  const costs = await monthReportCosts(scope);
  // As the read cache computes it: its lines from their own entry, read at the same time as the rest.
  expect(await monthReportCosts(scope, monthLinesCosts(scope))).toEqual(costs);
  if (costs !== null) expect(joinMonthReportUsage(costs, await monthReportUsage(scope))).toEqual(whole);
  else expect(whole.corrections.length).toBeGreaterThan(0);
  return whole;
}

/** The biggest five changes per key, from both months' lines (the oracle for the report's contributors). */
function changeFromLines(current: readonly ReportLine[], previous: readonly ReportLine[], keyOf: (l: ReportLine) => [string, string]) {
  const map = new Map<string, { key: string; label: string; currentCents: bigint; previousCents: bigint; changeCents: bigint }>();
  for (const [lines, side] of [[current, "currentCents"], [previous, "previousCents"]] as const) {
    for (const l of lines) {
      const [key, label] = keyOf(l);
      const c = map.get(key) ?? { key, label, currentCents: 0n, previousCents: 0n, changeCents: 0n };
      c[side] += lineCents(l);
      c.changeCents = c.currentCents - c.previousCents;
      map.set(key, c);
    }
  }
  const abs = (v: bigint) => (v < 0n ? -v : v);
  return [...map.values()]
    .filter((c) => c.changeCents !== 0n)
    .sort((a, b) =>
      abs(b.changeCents) > abs(a.changeCents) ? 1 : abs(b.changeCents) < abs(a.changeCents) ? -1 : a.label.localeCompare(b.label) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    )
    .slice(0, 5);
}

const sumOf = (rows: Record<string, string>[], column: string) => rows.reduce((s, r) => s + cents(r[column]!), 0n);

describe("reconciliation", () => {
  for (const timeZone of ZONES) {
    for (const month of ["2026-09", "2026-10", "2026-11"]) {
      it(`${month} in ${timeZone}: report = dashboards for the org and each team, days add up to months`, async () => {
        const period = monthRange({ month, timeZone });
        for (const teamId of [undefined, fx.teamId, fx.otherTeamId]) {
          const scope = { viewer: fx.viewer, month, timeZone, now, ...(teamId !== undefined ? { teamId } : {}) };
          const report = await reportBothWays(scope);
          const dashboard = await dashboardData({ viewer: fx.viewer, scope: teamId !== undefined ? { teamId } : {}, range: period, unit: "day", timeZone, now });
          // The change from the previous month (read as ledger totals, not lines) is what that month's lines add up to.
          const previous = (await reportLines({ ...scope, month: addMonths(month, -1), granularity: "month" })).charges;
          expect(report.change.previousCents).toBe(sumLineCents(previous));
          expect(report.change).toMatchObject({
            byTeam: changeFromLines(report.lines, previous, byTeam),
            byModel: changeFromLines(report.lines, previous, byModel),
            byItem: changeFromLines(report.lines, previous, byItem),
          });
          expect(report.totals.chargesCents).toBe(dashboard.kpis.totalCents);
          expect(report.totals.trainingCents).toBe(dashboard.kpis.trainingCents);
          expect(report.totals.inferenceCents).toBe(dashboard.kpis.inferenceCents);
          for (const b of Object.values(report.breakdowns)) expect(b.reduce((s, x) => s + x.cents, 0n)).toBe(report.totals.chargesCents);
          expect(report.daily.reduce((s, d) => s + d.trainingCents + d.inferenceCents, 0n)).toBe(report.totals.chargesCents);
          // Each item's days add up to its month, cent for cent and GPU-millisecond for GPU-millisecond.
          const days = await reportLines({ ...scope, granularity: "day" });
          // The daily chart (the ledger by kind and day) is each day's day lines, cent for cent.
          const chart = new Map<number, { training: bigint; inference: bigint }>();
          for (const d of days.charges) {
            const day = chart.get(d.periodStart.getTime()) ?? { training: 0n, inference: 0n };
            day[d.kind] += lineCents(d);
            chart.set(d.periodStart.getTime(), day);
          }
          expect(report.daily.map((d) => [d.start.getTime(), d.trainingCents, d.inferenceCents])).toEqual(
            [...chart].sort(([a], [b]) => a - b).map(([start, d]) => [start, d.training, d.inference]),
          );
          for (const line of report.lines) {
            const itemDays = days.charges.filter((d) => d.kind === line.kind && d.itemId === line.itemId);
            expect(sumLineCents(itemDays)).toBe(lineCents(line));
            expect(itemDays.reduce((s, d) => s + d.gpuMs, 0n)).toBe(line.gpuMs);
            expect(itemDays.every((d) => d.chargeStart >= d.periodStart && d.chargeEnd <= d.periodEnd && d.chargeStart < d.chargeEnd)).toBe(true);
          }
        }
      });
    }
  }

  it("prorates a run across the months it spans, and its months add up to its lifetime cost", async () => {
    for (const timeZone of ZONES) {
      const lifetime = await queryLedger({
        viewer: fx.viewer,
        filters: { runIds: [ids.spansSeptember!, ids.spansNovember!] },
        from: new Date("2026-09-01T00:00:00Z"),
        to: new Date("2026-12-01T00:00:00Z"),
        unit: "day",
        timeZone,
        groupBy: "item",
        now,
        isWholeRange: true,
      });
      for (const runId of [ids.spansSeptember!, ids.spansNovember!]) {
        const parts = [];
        for (const month of ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]) {
          const { charges } = await reportLines({ viewer: fx.viewer, month, timeZone, now, granularity: "month" });
          parts.push(...charges.filter((l) => l.kind === "training" && l.itemId === runId));
        }
        expect(parts).toHaveLength(2);
        expect(parts.every((p) => lineCents(p) > 0n)).toBe(true);
        expect(sumLineCents(parts)).toBe(sumCents(lifetime.filter((r) => r.groupKey === `training:${runId}`)));
      }
    }
  });

  it("carries tokens, requests, p99 and the prices used on each line", async () => {
    const { charges } = await reportLines({ viewer: fx.viewer, month: "2026-10", timeZone: "Europe/London", now, granularity: "month" });
    const deployment = charges.find((l) => l.kind === "inference")!;
    // One full window plus the half of the second that falls in October (London): prorated by time.
    expect(deployment.requests).toBe(180_000n);
    expect(deployment.inputTokens).toBe(144_000_000n);
    expect(deployment.p99LatencyMs).toBeGreaterThan(1_300);
    expect(deployment.prices).toEqual([expect.objectContaining({ pricePerGpuHourMicros: 2_500_000n, source: "catalog" })]);
    const override = charges.find((l) => l.itemId === ids.spansNovember && l.kind === "training")!;
    expect(override.prices).toEqual([expect.objectContaining({ pricePerGpuHourMicros: 3_141_593n, source: "override" })]);
  });
});

describe("exports", () => {
  for (const timeZone of ["Europe/London", "America/New_York"]) {
    it(`CSV, FOCUS and JSON reconcile to the report and the dashboards to the cent (${timeZone}, org and team, month and day lines)`, async () => {
      for (const month of ["2026-10", "2026-11"]) {
        for (const team of [undefined, { id: fx.otherTeamId, slug: "applied", name: "Applied" }]) {
          const report = await reportBothWays({ viewer: fx.viewer, month, timeZone, now, ...(team ? { teamId: team.id } : {}) });
          const dashboard = await dashboardData({ viewer: fx.viewer, scope: team ? { teamId: team.id } : {}, range: report.period, unit: "day", timeZone, now });
          for (const granularity of ["month", "day"] as const) {
            const { lineRows, focusRows, json } = await exported({ viewer: fx.viewer, month, timeZone, granularity, now, ...(team ? { team } : {}) });
            expect(sumOf(lineRows, "total_cost_usd")).toBe(report.totals.billedCents);
            expect(sumOf(lineRows.filter((r) => r.line_type === "charge"), "total_cost_usd")).toBe(dashboard.kpis.totalCents);
            expect(sumOf(lineRows, "compute_cost_usd") + sumOf(lineRows, "storage_data_network_cost_usd")).toBe(report.totals.billedCents);
            expect(sumOf(focusRows, "BilledCost")).toBe(report.totals.billedCents);
            expect(sumOf(focusRows, "EffectiveCost")).toBe(report.totals.billedCents);
            expect(cents(json.totals.billedUsd!)).toBe(report.totals.billedCents);
            expect(cents(json.totals.chargesUsd!)).toBe(dashboard.kpis.totalCents);
            expect(cents(json.totals.trainingUsd!)).toBe(report.totals.trainingCents);
            expect(json.lines).toHaveLength(lineRows.filter((r) => r.line_type === "charge").length);
            if (granularity === "month") expect(lineRows.filter((r) => r.line_type === "charge")).toHaveLength(report.lines.length);
            // FOCUS: periods in UTC, start-inclusive and end-exclusive, charge periods inside the billing period.
            for (const r of focusRows) {
              for (const c of ["BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"]) expect(r[c]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
              expect(r.ChargePeriodStart! < r.ChargePeriodEnd!).toBe(true);
              if (!r.ChargeClass) expect(r.ChargePeriodStart! >= r.BillingPeriodStart! && r.ChargePeriodEnd! <= r.BillingPeriodEnd!).toBe(true);
            }
          }
        }
      }
    });
  }

  it("streams: lines are pulled only as the reader reads (flat memory)", async () => {
    // Enough runs for a few thousand daily lines.
    const values = Array.from({ length: 300 }, (_, i) => `(${fx.teamId}, 'bulk-${i}', 'm', 'LORA', 'BF16', ${fx.gpuTypeId}, 'aws', 'ON_DEMAND', 1, '2026-09-01T00:00:00Z', '2026-09-30T00:00:00Z', 'SUCCEEDED', now())`);
    await client.query(`insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt") values ${values.join(",")}`);
    try {
      const scope: ExportScope = { viewer: fx.viewer, month: "2026-09", timeZone: "UTC", granularity: "day", now };
      let pulled = 0;
      async function* counted() {
        for await (const line of exportLines(scope)) {
          pulled += 1;
          yield [line];
        }
      }
      const reader = lineItemsCsv(scope, { bom: false }, { batches: counted, previousCents: () => Promise.resolve(0n) }).getReader();
      const first = await reader.read();
      expect(first.value!.byteLength).toBeGreaterThan(60_000);
      const pulledAfterFirst = pulled;
      // One ~64 KB chunk and one buffered ahead: a few hundred lines of the ~9,000, not all of them.
      expect(pulledAfterFirst).toBeLessThan(1_500);
      let bytes = first.value!.byteLength;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
      }
      expect(pulled).toBeGreaterThan(300 * 29);
      expect(bytes).toBeGreaterThan(pulled * 100);
    } finally {
      await client.query(`delete from training_runs where name like 'bulk-%'`);
    }
  });

  it("neutralizes text that starts like a formula in CSV and FOCUS, and keeps negative amounts as numbers", async () => {
    const names = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-lr warmup"];
    const created = [];
    for (const [i, name] of names.entries()) {
      created.push(
        await saved(
          submitTrainingRun({
            viewer: fx.viewer,
            id: null,
            now,
            formData: form(runFields({ name, model: i === 0 ? "=1+2" : "llama", startedAt: `2026-08-0${i + 1}T10:00`, endedAt: `2026-08-0${i + 1}T12:00` })),
          }),
        ),
      );
    }
    try {
      const scope: ExportScope = { viewer: fx.viewer, month: "2026-08", timeZone: "Europe/London", granularity: "month", now };
      const lines = await new Response(lineItemsCsv(scope, { bom: false })).text();
      const focus = await new Response(focusCsv(scope, { bom: false })).text();
      expect(lines).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
      for (const text of [lines, focus]) {
        const rows = parse(text, { columns: true }) as Record<string, string>[];
        const itemNames = rows.map((r) => r.item_name ?? r.ResourceName);
        expect(itemNames.sort()).toEqual(["'+1+1", "'-lr warmup", "'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)"]);
        // No cell anywhere starts like a formula unless it is a number.
        for (const r of rows) for (const v of Object.values(r)) if (/^[=+\-@\t\r]/.test(v)) expect(v).toMatch(/^-\d+(\.\d+)?$/);
      }
      expect(lines).toContain(",'=1+2,");
      // The stored names are what people typed: only the files are neutralized.
      const { rows } = await client.query(`select name from training_runs where id = any($1::int[]) order by id`, [created]);
      expect(rows.map((r) => r.name)).toEqual(names);
    } finally {
      await client.query(`delete from training_runs where id = any($1::int[])`, [created]);
    }
  });

  it("cancelling a download releases its database connection", async () => {
    const scope: ExportScope = { viewer: fx.viewer, month: "2026-10", timeZone: "UTC", granularity: "day", now };
    const reader = reportJson(scope).getReader();
    await reader.read();
    await reader.cancel();
    const { rows } = await client.query(`select count(*)::int as n from pg_stat_activity where query like 'fetch %' and state <> 'idle'`);
    expect(rows[0].n).toBe(0);
  });
});

describe("closed months", () => {
  it("close → late edit → correction next month → close next month → reopen newest first", async () => {
    const timeZone = fx.viewer.orgTimeZone;
    const before = await reportBothWays({ viewer: fx.viewer, month: "2026-10", timeZone, now });
    // Only admins close, and only months that are over.
    expect(await closeMonth({ viewer: fx.memberViewer, month: "2026-10", now })).toMatchObject({ ok: false });
    expect(await closeMonth({ viewer: fx.viewer, month: "2026-11", now })).toMatchObject({ ok: false, reason: "invalid" });
    expect(await closeMonth({ viewer: fx.viewer, month: "2026-13", now })).toMatchObject({ ok: false, reason: "invalid" });
    const closed = await closeMonth({ viewer: fx.viewer, month: "2026-10", now });
    expect(closed).toMatchObject({ ok: true, value: { chargeCents: before.totals.chargesCents } });
    expect(await closeMonth({ viewer: fx.viewer, month: "2026-10", now })).toMatchObject({ ok: false });

    // A late edit (the DST run doubles its GPUs), a late delete, and a price back-dated into October.
    const dstRun = (await client.query(`select version from training_runs where id = $1`, [ids.dst])).rows[0];
    await saved(
      submitTrainingRun({
        viewer: fx.viewer,
        id: ids.dst,
        now,
        formData: form(runFields({ name: "dst-run", teamId: String(fx.otherTeamId), gpuCount: "6", startedAt: "2026-10-24T20:00", endedAt: "2026-10-26T05:00", _version: String(dstRun.version) })),
      }),
    );
    expect((await submitTrainingRunDelete({ viewer: fx.viewer, id: ids.spansSeptember })).status).toBe("saved");
    await saved(
      submitGpuPrice({
        viewer: fx.viewer,
        id: null,
        formData: form({ gpuTypeId: String(fx.gpuTypeId), provider: "aws", pricingModel: "ON_DEMAND", pricePerGpuHour: "1.99", effectiveFrom: "2026-10-29T00:00:00Z", endCurrentPrice: "true", _idempotencyKey: key() }),
      }),
    );

    // October as it was sent: unchanged, with who closed it.
    const october = await reportBothWays({ viewer: fx.viewer, month: "2026-10", timeZone, now });
    expect(october.closure).toMatchObject({ closedByName: "Ada Admin" });
    expect(october.totals.chargesCents).toBe(before.totals.chargesCents);
    expect(october.lines.map(lineCents)).toEqual(before.lines.map(lineCents));
    const liveOctober = await dashboardData({ viewer: fx.viewer, scope: {}, range: october.period, unit: "day", timeZone, now });
    expect(october.liveCents).toBe(liveOctober.kpis.totalCents);
    expect(liveOctober.kpis.totalCents).not.toBe(before.totals.chargesCents);

    // November carries the corrections: October's stored cents + corrections = October's live cents.
    const november = await reportBothWays({ viewer: fx.viewer, month: "2026-11", timeZone, now });
    expect(before.totals.chargesCents + november.totals.correctionsCents).toBe(liveOctober.kpis.totalCents);
    expect(await monthReportCosts({ viewer: fx.viewer, month: "2026-11", timeZone, now })).toBeNull();
    const byItem = (kind: string, id: number) => november.corrections.find((c) => c.kind === kind && c.itemId === id)!;
    expect(byItem("training", ids.dst!).correction!.cause).toMatch(/^Run edited by Ada Admin at .* \(audit #\d+\)/);
    const deleted = byItem("training", ids.spansSeptember!);
    expect(lineCents(deleted)).toBeLessThan(0n);
    expect(deleted.correction!.cause).toMatch(/^Run deleted by Ada Admin/);
    expect(deleted.correction!.auditEntryIds.length).toBeGreaterThan(0);
    expect(byItem("inference", ids.deployment!).correction!.cause).toMatch(/^Price created by Ada Admin/);
    // October's exports are the stored report; November's carry the corrections as FOCUS "Correction" rows.
    const octoberFiles = await exported({ viewer: fx.viewer, month: "2026-10", timeZone, granularity: "day", now });
    expect(sumOf(octoberFiles.focusRows, "BilledCost")).toBe(before.totals.chargesCents);
    expect(sumOf(octoberFiles.lineRows, "total_cost_usd")).toBe(before.totals.chargesCents);
    expect(octoberFiles.json.report.status).toBe("closed");
    const novemberFiles = await exported({ viewer: fx.viewer, month: "2026-11", timeZone, granularity: "month", now });
    const corrections = novemberFiles.focusRows.filter((r) => r.ChargeClass === "Correction");
    expect(corrections.length).toBeGreaterThanOrEqual(3);
    expect(sumOf(corrections, "BilledCost")).toBe(november.totals.correctionsCents);
    expect(corrections.every((r) => r.x_CorrectsMonth === "2026-10" && /audit #\d+/.test(r.x_CorrectionCause ?? ""))).toBe(true);
    expect(novemberFiles.lineRows.filter((r) => r.line_type === "correction").every((r) => r.corrects_month === "2026-10" && r.audit_entry_ids !== "")).toBe(true);
    // The deleted run's correction is a legitimately negative amount, written as a number (no leading quote).
    const negative = novemberFiles.lineRows.find((r) => r.line_type === "correction" && r.item_id === String(ids.spansSeptember))!;
    expect(negative.total_cost_usd).toMatch(/^-\d+\.\d\d$/);
    expect(cents(negative.total_cost_usd!)).toBe(lineCents(deleted));
    // The November usage itself still equals the dashboards.
    const novemberDashboard = await dashboardData({ viewer: fx.viewer, scope: {}, range: november.period, unit: "day", timeZone, now });
    expect(november.totals.chargesCents).toBe(novemberDashboard.kpis.totalCents);
    expect(november.totals.billedCents).toBe(november.totals.chargesCents + november.totals.correctionsCents);

    // Closing November stores its corrections; December then owes nothing more for October.
    const december = new Date("2026-12-02T12:00:00Z");
    const novemberClosed = await closeMonth({ viewer: fx.viewer, month: "2026-11", now: december });
    expect(novemberClosed).toMatchObject({ ok: true, value: { correctionCents: november.totals.correctionsCents } });
    const dec = await reportLines({ viewer: fx.viewer, month: "2026-12", timeZone, now: december, granularity: "month" });
    expect(dec.corrections.filter((c) => c.correction?.correctsMonth === "2026-10")).toEqual([]);

    // Reopen newest first; a reopened October is live again and November's stored corrections go with November.
    expect(await reopenMonth({ viewer: fx.viewer, month: "2026-10" })).toMatchObject({ ok: false });
    expect(await reopenMonth({ viewer: fx.memberViewer, month: "2026-11" })).toMatchObject({ ok: false });
    expect(await reopenMonth({ viewer: fx.viewer, month: "2026-11" })).toMatchObject({ ok: true });
    expect(await reopenMonth({ viewer: fx.viewer, month: "2026-10" })).toMatchObject({ ok: true });
    const reopened = await reportBothWays({ viewer: fx.viewer, month: "2026-10", timeZone, now: december });
    expect(reopened.closure).toBeNull();
    expect(reopened.totals.chargesCents).toBe(liveOctober.kpis.totalCents);
    const { rows: audit } = await client.query(`select action::text, after ->> 'status' as status from audit_entries where "entityType" = 'monthClosure' order by id`);
    expect(audit).toEqual([
      { action: "CREATE", status: "closed" },
      { action: "CREATE", status: "closed" },
      { action: "UPDATE", status: "reopened" },
      { action: "UPDATE", status: "reopened" },
    ]);
  });
});
