import { parse } from "csv-parse/sync";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { closeMonth } from "@/lib/db/mutations/month-closures";
import { unitCostUsd } from "@/lib/domain/money";
import { lineCents } from "@/lib/reports/line";
import { monthRange } from "@/lib/reports/month";
import { rebuildUsageRollups } from "../mutations/usage-rollups";
import { pgRunner } from "../sql";
import { closeStreamPool } from "../stream";
import { auditHistory, deletedRecordLabel } from "./audit-history";
import { budgetForecasts } from "./budgets";
import { filterOptions, listTeams } from "./catalog";
import { queryLedger, rowCents } from "./cost-ledger";
import { dashboardData, deploymentsWithMetrics, monthlyCostByTeam, teamsMonthToDate, trainingRunsWithCost } from "./dashboards";
import { deploymentDetail, deploymentTeam, trainingRunDetail } from "./details";
import { deploymentFormValues, usageFormContext } from "./inference-records";
import { recordFormOptions, trainingRunFormValues } from "./record-forms";
import { focusCsv, lineItemsCsv, reportJson, type ExportScope } from "./report-export";
import { monthReport, sumLineCents } from "./reports";
import { settingsTeams } from "./settings";
import { loadSuggestionFacts } from "./suggestions";
import { teamBySlug, teamCoverage } from "./teams";
import { queryUsage } from "./usage-ledger";
import { resolveView } from "./view";

// Reads are limited to the teams a person may see (lib/access/policy.ts): one
// org with three teams, an org admin who sees them all, a member who is a
// viewer of team A only, and a second org whose admin sees none of ours.

const timeZone = "Europe/London";
const now = new Date("2026-11-20T12:00:00Z");
const october = monthRange({ month: "2026-10", timeZone });
const september = monthRange({ month: "2026-09", timeZone });

let client: pg.Client;
let admin: Viewer;
let member: Viewer;
let rival: Viewer;
const team = { a: 0, b: 0, c: 0, rival: 0 };
const run = { a: 0, b: 0, c: 0, aSept: 0, bSept: 0, rival: 0 };
const deployment = { a: 0, b: 0 };

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const one = async (text: string, values: unknown[] = []) => ((await client.query(text, values)).rows[0] as { id: number }).id;
  const org = await one(`insert into orgs (slug, name, "timeZone") values ('acme', 'Acme', $1) returning id`, [timeZone]);
  const adminId = await one(`insert into users ("orgId", email, name, role) values ($1, 'ada@acme.test', 'Ada Admin', 'ADMIN') returning id`, [org]);
  const memberId = await one(`insert into users ("orgId", email, name, role) values ($1, 'mia@acme.test', 'Mia Member', 'MEMBER') returning id`, [org]);
  const newTeam = (orgId: number, slug: string, budget: number) =>
    one(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $3, $4, $5, now()) returning id`, [orgId, slug, slug.toUpperCase(), budget, timeZone]);
  team.a = await newTeam(org, "alpha", 1000);
  team.b = await newTeam(org, "beta", 2000);
  team.c = await newTeam(org, "gamma", 3000);
  await client.query(`insert into team_memberships ("userId", "teamId", role) values ($1, $2, 'VIEWER')`, [memberId, team.a]);
  const gpu = await one(`insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100 80GB', 80, 989.5, 3350) returning id`, [org]);
  await client.query(`insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 2.5, '2025-01-01')`, [gpu]);

  const newRun = (teamId: number, gpuTypeId: number, name: string, model: string, gpuCount: number, start: string, end: string, storage = "0") =>
    one(
      `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "storageCostUsd", "updatedAt")
       values ($1, $2, $3, 'PRETRAIN', 'BF16', $4, 'aws', 'ON_DEMAND', $5, $6, $7, 'SUCCEEDED', $8, now()) returning id`,
      [teamId, name, model, gpuTypeId, gpuCount, start, end, storage],
    );
  // Odd hours and extras so that cents are not round: each team's figures differ.
  run.a = await newRun(team.a, gpu, "alpha-run", "llama-alpha", 4, "2026-10-05T03:17:00Z", "2026-10-06T11:41:00Z", "3.333333");
  run.b = await newRun(team.b, gpu, "beta-run", "mistral-beta", 8, "2026-10-10T00:00:00Z", "2026-10-12T07:07:00Z", "12.345678");
  run.c = await newRun(team.c, gpu, "gamma-run", "qwen-gamma", 2, "2026-10-20T09:00:00Z", "2026-10-21T13:13:00Z");
  run.aSept = await newRun(team.a, gpu, "alpha-sept", "llama-alpha", 1, "2026-09-03T00:00:00Z", "2026-09-04T05:05:00Z");
  run.bSept = await newRun(team.b, gpu, "beta-sept", "mistral-beta", 16, "2026-09-08T00:00:00Z", "2026-09-09T00:00:00Z");

  const newDeployment = (teamId: number, name: string, model: string) =>
    one(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "p99SloMs", "activeFrom", "activeTo", "updatedAt")
       values ($1, $2, $3, 'VLLM', 'NONE', 'CONTINUOUS', $4, 'aws', 'ON_DEMAND', 2, 500, '2026-10-01T00:00:00Z', '2026-11-15T00:00:00Z', now()) returning id`,
      [teamId, name, model, gpu],
    );
  deployment.a = await newDeployment(team.a, "alpha-serve", "llama-alpha");
  deployment.b = await newDeployment(team.b, "beta-serve", "mistral-beta");
  for (const [id, requests] of [[deployment.a, 1000], [deployment.b, 5000]] as const) {
    await client.query(
      `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "avgGpuUtilizationPct")
       select $1, '2026-10-01T00:00:00Z'::timestamptz + make_interval(hours => 6 * n), 21600, $2::int, 0, $2::int * 700, 0, $2::int * 250, 40 from generate_series(0, 39) n`,
      [id, requests],
    );
  }
  await rebuildUsageRollups(pgRunner(client));

  const rivalOrg = await one(`insert into orgs (slug, name, "timeZone") values ('rival', 'Rival', $1) returning id`, [timeZone]);
  const rivalAdmin = await one(`insert into users ("orgId", email, name, role) values ($1, 'ria@rival.test', 'Ria Rival', 'OWNER') returning id`, [rivalOrg]);
  team.rival = await newTeam(rivalOrg, "rival-team", 10);
  const rivalGpu = await one(`insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100 80GB', 80, 989.5, 3350) returning id`, [rivalOrg]);
  await client.query(`insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 9, '2025-01-01')`, [rivalGpu]);
  run.rival = await newRun(team.rival, rivalGpu, "rival-run", "rival-model", 1, "2026-10-07T00:00:00Z", "2026-10-07T10:00:00Z");

  const base = { orgId: org, orgName: "Acme", orgTimeZone: timeZone };
  admin = makeViewer({ ...base, userId: adminId, role: "ADMIN", name: "Ada Admin" });
  member = makeViewer({ ...base, userId: memberId, role: "MEMBER", name: "Mia Member", teamRoles: [[team.a, "VIEWER"]] });
  rival = makeViewer({ orgId: rivalOrg, orgName: "Rival", orgTimeZone: timeZone, userId: rivalAdmin, role: "OWNER", name: "Ria Rival" });

  // September is closed (by the admin): its stored lines hold teams A and B.
  const closed = await closeMonth({ viewer: admin, month: "2026-09", now });
  expect(closed).toMatchObject({ ok: true });
});

afterAll(async () => {
  await client.end();
  await closeStreamPool();
});

/** "12.34" / "-0.05" → cents, exactly. */
function cents(text: string): bigint {
  const m = /^(-?)(\d+)\.(\d\d)$/.exec(text);
  if (!m) throw new Error(`not a cents amount: ${JSON.stringify(text)}`);
  const v = BigInt(m[2]!) * 100n + BigInt(m[3]!);
  return m[1] ? -v : v;
}

/** Team A's items in a period, each item's cents from the ledger as the admin reads them (the cents every page shows). */
async function teamItems(teamId: number, range: { start: Date; end: Date }) {
  const rows = await queryLedger({ viewer: admin, filters: { teamIds: [teamId] }, from: range.start, to: range.end, unit: "day", timeZone, groupBy: "item", now, isWholeRange: true });
  return { keys: rows.map((r) => r.groupKey).sort(), cents: rows.reduce((s, r) => s + rowCents(r), 0n) };
}

const dashboard = (viewer: Viewer, scope: { teamId?: number } = {}) => dashboardData({ viewer, scope, range: october, unit: "day", timeZone, now });

describe("dashboards and the cost ledger", () => {
  it("the member sees only team A's figures, and its totals are the sum of team A's items", async () => {
    const a = await teamItems(team.a, october);
    expect(a.keys).toEqual([`inference:${deployment.a}`, `training:${run.a}`]);
    expect(a.cents).toBeGreaterThan(0n);

    const rows = await queryLedger({ viewer: member, filters: {}, from: october.start, to: october.end, unit: "day", timeZone, groupBy: "item", now, isWholeRange: true });
    expect(rows.map((r) => r.groupKey).sort()).toEqual(a.keys);

    const data = await dashboard(member);
    expect(data.kpis.totalCents).toBe(a.cents);
    expect(data.kpis.trainingCents + data.kpis.inferenceCents).toBe(a.cents);
    expect(new Set(data.series.costByTeam.map((p) => p.groupKey))).toEqual(new Set([String(team.a)]));
    expect(data.series.costByTeam.reduce((s, p) => s + p.costCents, 0n)).toBe(a.cents);
    expect(data.top.teams.map((t) => t.key)).toEqual([String(team.a)]);
    expect(data.top.models.map((m) => m.key)).toEqual(["llama-alpha"]);
    expect(data.budgets.teams.map((t) => t.slug)).toEqual(["alpha"]);
    // Team B's traffic is five times A's: none of it reaches the member's rates.
    const own = await dashboard(admin, { teamId: team.a });
    expect(data.kpis.qps).toBe(own.kpis.qps);
    expect(data.kpis.costPerMillionTokensUsd?.toString()).toBe(own.kpis.costPerMillionTokensUsd?.toString());
  });

  it("the $/1M tokens chart: each day's cost of its recorded time over its tokens, deployment by deployment", async () => {
    const data = await dashboard(admin);
    const [cost, usage] = await Promise.all([
      queryLedger({ viewer: admin, filters: { kind: "inference" }, from: october.start, to: october.end, unit: "day", timeZone, groupBy: "item", now }),
      queryUsage({ viewer: admin, filters: {}, from: october.start, to: october.end, unit: "day", timeZone, groupBy: "item" }),
    ]);
    // Records end 2026-10-11T00:00Z: that London day has 1 recorded hour of 24 active, so its cost is a truncated share.
    const expected = data.series.costPerMillionTokens.map((b) => {
      let costMicros = 0n;
      let tokens = 0n;
      for (const u of usage.rows.filter((r) => r.bucketStart.getTime() === b.start.getTime() && r.windowMs > 0n)) {
        const c = cost.find((r) => r.bucketStart.getTime() === b.start.getTime() && r.groupKey === u.groupKey);
        if (c && c.activeMs > 0n) costMicros += (c.computeCostMicros * (u.windowMs < c.activeMs ? u.windowMs : c.activeMs)) / c.activeMs;
        tokens += u.inputTokens + u.outputTokens;
      }
      return unitCostUsd({ costMicros, quantity: tokens, per: 1_000_000 })?.toString() ?? null;
    });
    expect(data.series.costPerMillionTokens.map((b) => b.usd?.toString() ?? null)).toEqual(expected);
    expect(expected.filter((usd) => usd !== null)).toHaveLength(11);
  });

  it("the admin sees every team: the org total is the sum of the three teams'", async () => {
    const [a, b, c] = await Promise.all([teamItems(team.a, october), teamItems(team.b, october), teamItems(team.c, october)]);
    const data = await dashboard(admin);
    expect(data.kpis.totalCents).toBe(a.cents + b.cents + c.cents);
    expect(new Set(data.top.teams.map((t) => t.key))).toEqual(new Set([team.a, team.b, team.c].map(String)));
    expect(data.budgets.teams.map((t) => t.slug)).toEqual(["alpha", "beta", "gamma"]);
  });

  it("asking for team B's scope gives the member nothing of it", async () => {
    const data = await dashboard(member, { teamId: team.b });
    expect(data.kpis.totalCents).toBe(0n);
    expect(data.top.runs).toEqual([]);
    expect(data.budgets.teams).toEqual([]);
  });

  it("lists, monthly tables and budgets hold only team A for the member", async () => {
    const [runs, deployments, months, forecasts] = await Promise.all([
      trainingRunsWithCost({ viewer: member, now }),
      deploymentsWithMetrics({ viewer: member, now, timeZone, range: october }),
      monthlyCostByTeam({ viewer: member, now, timeZone }),
      budgetForecasts({ viewer: member, now, timeZone }),
    ]);
    expect(runs.map((r) => r.team.slug).sort()).toEqual(["alpha", "alpha"]);
    expect(deployments.rows.map((d) => d.id)).toEqual([deployment.a]);
    expect(months.teams.map((t) => t.key)).toEqual([String(team.a)]);
    const octoberLine = months.months.find((m) => m.monthStart.getTime() === october.start.getTime())!;
    expect(octoberLine.totalCents).toBe((await teamItems(team.a, october)).cents);
    expect(forecasts.teams.map((t) => t.slug)).toEqual(["alpha"]);
  });

  it("the other org sees nothing of ours", async () => {
    const data = await dashboard(rival);
    const own = await queryLedger({ viewer: rival, filters: {}, from: october.start, to: october.end, unit: "day", timeZone, groupBy: "item", now, isWholeRange: true });
    expect(own.map((r) => r.groupKey)).toEqual([`training:${run.rival}`]);
    expect(data.kpis.totalCents).toBe(rowCents(own[0]!));
    expect(data.budgets.teams.map((t) => t.slug)).toEqual(["rival-team"]);
    // Even naming our team ids.
    const ours = await dashboard(rival, { teamId: team.a });
    expect(ours.kpis.totalCents).toBe(0n);
  });
});

describe("teams, coverage and filters", () => {
  it("the team list and /teams hold only the teams the person may see", async () => {
    expect((await listTeams({ viewer: member })).map((t) => t.slug)).toEqual(["alpha"]);
    expect((await listTeams({ viewer: admin })).map((t) => t.slug)).toEqual(["alpha", "beta", "gamma"]);
    expect((await listTeams({ viewer: rival })).map((t) => t.slug)).toEqual(["rival-team"]);
    const mtd = await teamsMonthToDate({ viewer: member, now, timeZone });
    expect(mtd.teams.map((t) => t.slug)).toEqual(["alpha"]);
    expect((await settingsTeams({ viewer: member })).map((t) => t.slug)).toEqual(["alpha"]);
    expect(await teamBySlug({ viewer: member, slug: "beta" })).toBeNull();
    expect(await teamBySlug({ viewer: rival, slug: "alpha" })).toBeNull();
    expect((await teamBySlug({ viewer: admin, slug: "beta" }))?.id).toBe(team.b);
  });

  it("coverage says how many of the org's teams a view adds up", async () => {
    expect(await teamCoverage(member)).toEqual({ all: false, visible: 1, total: 3 });
    expect(await teamCoverage(admin)).toEqual({ all: true, visible: 3, total: 3 });
    expect(await teamCoverage(rival)).toEqual({ all: true, visible: 1, total: 1 });
  });

  it("the filter bar offers the member's teams and their models, and the org's GPU types", async () => {
    const options = await filterOptions({ viewer: member });
    expect(options.teams.map((t) => t.slug)).toEqual(["alpha"]);
    expect(options.models).toEqual(["llama-alpha"]);
    expect(options.gpuTypes.map((g) => g.name)).toEqual(["H100 80GB"]);
    expect((await filterOptions({ viewer: admin })).models).toEqual(["llama-alpha", "mistral-beta", "qwen-gamma"]);
  });

  it("?team= naming a team the member may not see reads exactly as an unknown team", async () => {
    const view = (viewer: Viewer, params: Record<string, string>) => resolveView({ viewer, searchParams: params, defaultRange: "mtd", now });
    const invisible = await view(member, { team: "beta" });
    const unknown = await view(member, { team: "betb" });
    expect(invisible.team).toBeNull();
    expect(invisible.filters.team).toBeUndefined();
    expect(invisible.scope.teamId).toBeUndefined();
    expect(invisible.notices).toEqual([{ param: "team", message: 'No team "beta": the team filter was not applied.' }]);
    expect(unknown.notices).toEqual([{ param: "team", message: 'No team "betb": the team filter was not applied.' }]);
    // A model only team B runs is unknown to the member too.
    expect((await view(member, { model: "mistral-beta" })).notices.map((n) => n.param)).toEqual(["model"]);
    expect((await view(admin, { team: "beta" })).team?.id).toBe(team.b);
    expect((await view(rival, { team: "alpha" })).notices.map((n) => n.param)).toEqual(["team"]);
  });
});

describe("reports and exports", () => {
  async function exported(scope: ExportScope) {
    const [lines, focus, json] = await Promise.all([
      new Response(lineItemsCsv(scope, { bom: false })).text(),
      new Response(focusCsv(scope, { bom: false })).text(),
      new Response(reportJson(scope)).text(),
    ]);
    return {
      lineRows: parse(lines, { columns: true }) as Record<string, string>[],
      focusRows: parse(focus, { columns: true }) as Record<string, string>[],
      json: JSON.parse(json) as { report: { scope: Record<string, unknown> }; lines: { team: { slug: string } }[]; totals: Record<string, string>; budgets: { team: string }[] },
    };
  }

  it("an open month: the member's report and exports hold team A's lines only, adding up to team A's items", async () => {
    const a = await teamItems(team.a, october);
    const report = await monthReport({ viewer: member, month: "2026-10", timeZone, now });
    expect(new Set(report.lines.map((l) => l.teamId))).toEqual(new Set([team.a]));
    expect(report.totals.chargesCents).toBe(a.cents);
    expect(sumLineCents(report.lines)).toBe(a.cents);
    expect(report.breakdowns.team.map((b) => b.key)).toEqual(["alpha"]);
    expect(report.budgets.map((b) => b.slug)).toEqual(["alpha"]);

    const { lineRows, focusRows, json } = await exported({ viewer: member, month: "2026-10", timeZone, granularity: "day", now });
    expect(new Set(lineRows.map((r) => r.team_slug))).toEqual(new Set(["alpha"]));
    expect(lineRows.reduce((s, r) => s + cents(r.total_cost_usd!), 0n)).toBe(a.cents);
    expect(new Set(focusRows.map((r) => r.SubAccountId))).toEqual(new Set(["alpha"]));
    expect(new Set(json.lines.map((l) => l.team.slug))).toEqual(new Set(["alpha"]));
    expect(cents(json.totals.chargesUsd!)).toBe(a.cents);
    expect(json.budgets.map((b) => b.team)).toEqual(["alpha"]);
    expect(json.report.scope).toEqual({ kind: "org", allTeams: false, visibleTeams: 1, totalTeams: 3, note: "Showing 1 of 3 teams — the ones you have access to." });
  });

  it("an open month: the admin's report adds up every team and says it covers all", async () => {
    const [a, b, c] = await Promise.all([teamItems(team.a, october), teamItems(team.b, october), teamItems(team.c, october)]);
    const report = await monthReport({ viewer: admin, month: "2026-10", timeZone, now });
    expect(report.totals.chargesCents).toBe(a.cents + b.cents + c.cents);
    const { lineRows, json } = await exported({ viewer: admin, month: "2026-10", timeZone, granularity: "month", now });
    expect(new Set(lineRows.map((r) => r.team_slug))).toEqual(new Set(["alpha", "beta", "gamma"]));
    expect(json.report.scope).toMatchObject({ kind: "org", allTeams: true, visibleTeams: 3, totalTeams: 3, note: null });
  });

  it("a closed month: the member reads team A's stored lines only", async () => {
    const a = await teamItems(team.a, september);
    const b = await teamItems(team.b, september);
    const forAdmin = await monthReport({ viewer: admin, month: "2026-09", timeZone, now });
    expect(forAdmin.closure).not.toBeNull();
    expect(forAdmin.totals.chargesCents).toBe(a.cents + b.cents);

    const report = await monthReport({ viewer: member, month: "2026-09", timeZone, now });
    expect(report.closure?.month).toBe("2026-09");
    expect(new Set(report.lines.map((l) => l.teamId))).toEqual(new Set([team.a]));
    expect(report.totals.chargesCents).toBe(a.cents);
    expect(report.liveCents).toBe(a.cents);
    const { lineRows, focusRows, json } = await exported({ viewer: member, month: "2026-09", timeZone, granularity: "day", now });
    expect(new Set(lineRows.map((r) => r.team_slug))).toEqual(new Set(["alpha"]));
    expect(lineRows.reduce((s, r) => s + cents(r.total_cost_usd!), 0n)).toBe(a.cents);
    expect(new Set(focusRows.map((r) => r.SubAccountId))).toEqual(new Set(["alpha"]));
    expect(cents(json.totals.chargesUsd!)).toBe(a.cents);
    // The stored lines of another org's closure are out of reach.
    const theirs = await monthReport({ viewer: rival, month: "2026-09", timeZone, now });
    expect(theirs.closure).toBeNull();
    expect(theirs.lines).toEqual([]);
  });

  it("the other org's report holds its own team only", async () => {
    const report = await monthReport({ viewer: rival, month: "2026-10", timeZone, now });
    expect(report.lines.map((l) => l.itemId)).toEqual([run.rival]);
    expect(report.budgets.map((b) => b.slug)).toEqual(["rival-team"]);
  });
});

describe("suggestions", () => {
  const period = { start: october.start, end: new Date("2026-11-01T00:00:00Z") };

  it("the member's facts are team A's items only", async () => {
    const facts = await loadSuggestionFacts({ viewer: member, scope: { kind: "org" }, period, now, timeZone });
    expect(facts.runs.map((r) => r.teamId)).toEqual([team.a]);
    expect(facts.deployments.map((d) => d.id)).toEqual([deployment.a]);
    const teamB = await loadSuggestionFacts({ viewer: member, scope: { kind: "team", teamId: team.b }, period, now, timeZone });
    expect(teamB).toEqual({ runs: [], deployments: [] });
    const itemB = await loadSuggestionFacts({ viewer: member, scope: { kind: "deployment", id: deployment.b }, period, now, timeZone });
    expect(itemB).toEqual({ runs: [], deployments: [] });
  });

  it("the admin's facts cover every team; the other org's none of ours", async () => {
    const facts = await loadSuggestionFacts({ viewer: admin, scope: { kind: "org" }, period, now, timeZone });
    expect(new Set(facts.runs.map((r) => r.teamId))).toEqual(new Set([team.a, team.b, team.c]));
    expect(facts.deployments.map((d) => d.id).sort((x, y) => x - y)).toEqual([deployment.a, deployment.b].sort((x, y) => x - y));
    const theirs = await loadSuggestionFacts({ viewer: rival, scope: { kind: "org" }, period, now, timeZone });
    expect(theirs.runs.map((r) => r.id)).toEqual([run.rival]);
    expect(theirs.deployments).toEqual([]);
  });
});

describe("details and record reads", () => {
  it("a record of team B is not found for the member, as a missing id is", async () => {
    const range = october;
    expect(await trainingRunDetail({ viewer: member, id: run.b, now })).toBeNull();
    expect(await trainingRunDetail({ viewer: member, id: 999_999, now })).toBeNull();
    expect(await deploymentDetail({ viewer: member, id: deployment.b, range, unit: "day", timeZone, now })).toBeNull();
    expect(await deploymentTeam({ viewer: member, id: deployment.b })).toBeNull();
    expect(await trainingRunFormValues({ viewer: member, id: run.b, timeZone })).toBeNull();
    expect(await deploymentFormValues({ viewer: member, id: deployment.b, timeZone })).toBeNull();
    expect(await usageFormContext({ viewer: member, deploymentId: deployment.b })).toBeNull();
    // Team A's are there, with the team for the page's write check.
    expect((await trainingRunDetail({ viewer: member, id: run.a, now }))?.run.id).toBe(run.a);
    expect((await deploymentDetail({ viewer: member, id: deployment.a, range, unit: "day", timeZone, now }))?.deployment.id).toBe(deployment.a);
    expect((await trainingRunFormValues({ viewer: member, id: run.a, timeZone }))?.teamId).toBe(team.a);
    expect((await trainingRunDetail({ viewer: admin, id: run.b, now }))?.run.id).toBe(run.b);
    expect(await trainingRunDetail({ viewer: rival, id: run.a, now })).toBeNull();
  });

  it("history and deleted records follow the record's team", async () => {
    const entry = async (subjectId: number) =>
      client.query(
        `insert into audit_entries ("orgId", "actorName", "entityType", "entityId", "subjectType", "subjectId", action, after, "changedFields", source)
         values ($1, 'Ada Admin', 'trainingRun', $2, 'trainingRun', $2, 'CREATE', '{}'::jsonb, '{}', 'form')`,
        [admin.orgId, String(subjectId)],
      );
    await entry(run.a);
    await entry(run.b);
    expect(await auditHistory({ viewer: member, subjectType: "trainingRun", subjectId: String(run.a) })).toHaveLength(1);
    expect(await auditHistory({ viewer: member, subjectType: "trainingRun", subjectId: String(run.b) })).toEqual([]);
    expect(await auditHistory({ viewer: admin, subjectType: "trainingRun", subjectId: String(run.b) })).toHaveLength(1);
    expect(await auditHistory({ viewer: rival, subjectType: "trainingRun", subjectId: String(run.a) })).toEqual([]);

    const trashed = async (teamId: number, label: string) =>
      (
        await client.query(
          `insert into deleted_records ("orgId", "entityType", "entityId", label, payload) values ($1, 'trainingRun', '0', $2, jsonb_build_object('row', jsonb_build_object('teamId', $3::int))) returning id`,
          [admin.orgId, label, teamId],
        )
      ).rows[0].id as number;
    const deletedA = await trashed(team.a, "Run alpha-old");
    const deletedB = await trashed(team.b, "Run beta-old");
    expect(await deletedRecordLabel({ viewer: member, id: deletedA })).toBe("Run alpha-old");
    expect(await deletedRecordLabel({ viewer: member, id: deletedB })).toBeNull();
    expect(await deletedRecordLabel({ viewer: admin, id: deletedB })).toBe("Run beta-old");
    expect(await deletedRecordLabel({ viewer: rival, id: deletedA })).toBeNull();
  });

  it("record forms offer only the teams the person may write to", async () => {
    expect((await recordFormOptions({ viewer: member })).teams).toEqual([]);
    const editor = makeViewer({ ...member, teamRoles: [[team.a, "VIEWER"], [team.c, "EDITOR"]] });
    expect((await recordFormOptions({ viewer: editor })).teams.map((t) => t.slug)).toEqual(["gamma"]);
    const options = await recordFormOptions({ viewer: admin });
    expect(options.teams.map((t) => t.slug)).toEqual(["alpha", "beta", "gamma"]);
    // The catalog is org-wide: every member gets it.
    expect((await recordFormOptions({ viewer: member })).gpuTypes.map((g) => g.name)).toEqual(["H100 80GB"]);
  });

  it("report lines of the member's team agree with each line's cents", async () => {
    const report = await monthReport({ viewer: member, month: "2026-10", timeZone, now });
    expect(report.lines.reduce((s, l) => s + lineCents(l), 0n)).toBe(report.totals.chargesCents);
  });
});
