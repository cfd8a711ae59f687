import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getFocusCsv } from "@/app/api/v1/reports/[month]/focus.csv/route";
import { GET as getLinesCsv } from "@/app/api/v1/reports/[month]/lines.csv/route";
import { GET as getReport } from "@/app/api/v1/reports/[month]/route";
import { GET as getRollups } from "@/app/api/v1/rollups/route";
import { GET as getSuggestions } from "@/app/api/v1/suggestions/route";
import { PUT as putRun } from "@/app/api/v1/runs/[externalId]/route";
import { POST as postUsage } from "@/app/api/v1/usage-windows/route";
import { generateApiKeyToken } from "@/lib/access/api-key-token";
import { isDenied } from "@/lib/access/policy";
import { exportResponse, type ExportKind } from "@/lib/api/report-exports";
import { db } from "@/lib/db/client";
import { ensureRollupTimeZones } from "@/lib/db/mutations/usage-rollups";
import { dashboardData } from "@/lib/db/queries/dashboards";
import { suggestionPanelData } from "@/lib/db/queries/suggestion-states";
import { prismaRunner } from "@/lib/db/sql";
import { closeStreamPool } from "@/lib/db/stream";
import { sketchKey } from "@/lib/domain/latency-sketch";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";

// API v1's reads through their route handlers, against a real PostgreSQL,
// on data written through API v1 itself (runs and usage windows of two
// teams): the REPORTS_READ scope, a team key seeing only its team, every bad
// parameter refused with 400 naming it, and the figures equal to the session
// path's — the exports byte for byte, the rollups to the dashboards' read
// model, the suggestions to the panel's — for a person whose only team is
// the key's (the fixture's readOnlyViewer, VIEWER of team A).

let sql: pg.Client;
let fx: OrgFixture;
let deploymentA: number;
let deploymentB: number;
const tokens: Record<string, string> = {};

async function insertKey(teamId: number, scopes: string[]): Promise<string> {
  const key = generateApiKeyToken();
  await sql.query(
    `insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes, "createdById") values ($1, $2, 'test key', $3, $4, $5::"ApiKeyScope"[], $6)`,
    [fx.orgId, teamId, key.prefix, key.secretHash, scopes, fx.viewer.userId],
  );
  return key.token;
}

/** A new team A key for each request where many are sent: the read limit (20 a second per key) never comes into play. */
const freshReadKey = () => insertKey(fx.teamId, ["REPORTS_READ"]);

function request(path: string, token: string, method = "GET", body?: unknown): Request {
  return new Request(`http://localhost${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.9", authorization: `Bearer ${token}` },
  });
}

type ErrorJson = { error?: { code: string; message: string; field?: string } };
type Route = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

async function call(route: Route, path: string, token: string, params: Record<string, string> = {}) {
  const response = await route(request(path, token), { params: Promise.resolve(params) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function json<T>(route: Route, path: string, token: string, params: Record<string, string> = {}) {
  const answer = await call(route, path, token, params);
  return { ...answer, json: JSON.parse(answer.text) as T & ErrorJson };
}

const monthRoute = (kind: ExportKind): Route => (kind === "json" ? getReport : kind === "lines" ? getLinesCsv : getFocusCsv);
const monthPath = (kind: ExportKind, month: string, search = "") => `/api/v1/reports/${month}${kind === "json" ? "" : kind === "lines" ? "/lines.csv" : "/focus.csv"}${search}`;

interface RollupsJson {
  zone: { choice: string; timeZone: string };
  range: { start: string; end: string };
  unit: string;
  rows: {
    bucketStart: string;
    group: { key: string; label: string } | null;
    cost: { totalCents: string; trainingCents: string; inferenceCents: string; totalMicros: string };
    gpuMs: string;
    usage: { requests: string; costPerMillionTokensMicros: string | null; latency: { p99Ms: number | null; note: string | null } } | null;
  }[];
  totals: { cost: { totalCents: string; totalMicros: string }; gpuMs: string; usage: { requests: string; latency: { p50Ms: number | null; note: string | null } } | null };
}

beforeAll(async () => {
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  fx = await createOrgFixture();
  await ensureRollupTimeZones(prismaRunner(db()));
  const deployment = async (teamId: number, name: string) =>
    (
      await sql.query<{ id: number }>(
        `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
         values ($1, $2, 'Llama-3.1-70B', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 2, '2026-10-01T00:00:00Z', now()) returning id`,
        [teamId, name, fx.gpuTypeId],
      )
    ).rows[0]!.id;
  deploymentA = await deployment(fx.teamId, "chat-prod");
  deploymentB = await deployment(fx.otherTeamId, "applied-chat");
  tokens.readA = await insertKey(fx.teamId, ["REPORTS_READ"]);
  tokens.readB = await insertKey(fx.otherTeamId, ["REPORTS_READ"]);
  tokens.writeOnlyA = await insertKey(fx.teamId, ["RUNS_WRITE", "USAGE_WRITE"]);
  const writeB = await insertKey(fx.otherTeamId, ["RUNS_WRITE", "USAGE_WRITE"]);

  // Runs in October and November, per team, written as a scheduler would.
  const run = async (token: string, externalId: string, name: string, gpuCount: number, startedAt: string, endedAt: string) => {
    const body = { name, model: "llama-3.1-8b", method: "LORA", precision: "BF16", gpuType: "H100 80GB", provider: "aws", pricingModel: "ON_DEMAND", gpuCount, startedAt, endedAt, status: "SUCCEEDED" };
    const response = await putRun(request(`/api/v1/runs/${externalId}`, token, "PUT", body), { params: Promise.resolve({ externalId }) });
    expect(response.status).toBe(201);
  };
  await run(tokens.writeOnlyA, "a-oct", "research-oct", 8, "2026-10-20T06:00:00Z", "2026-10-21T07:30:00Z");
  await run(tokens.writeOnlyA, "a-nov", "research-nov", 4, "2026-11-10T09:13:00Z", "2026-11-11T17:41:00Z");
  await run(writeB, "b-nov", "applied-nov", 16, "2026-11-10T00:00:00Z", "2026-11-12T00:00:00Z");

  // Usage windows on 10–11 November: sketches, and one summary-only window (approximate percentiles).
  const windows = (deploymentId: number, requests: number) =>
    Array.from({ length: 24 }, (_, i) => ({
      deploymentId,
      windowStart: new Date(Date.parse("2026-11-10T12:00:00Z") + i * 3_600_000).toISOString(),
      windowSeconds: 3600,
      requests: requests + i,
      errors: 1,
      inputTokens: 40_000 + i * 100,
      cachedInputTokens: 1_000,
      outputTokens: 9_000 + i * 10,
      latency: i === 5 ? { kind: "summary", p50Ms: 300, p95Ms: 900, p99Ms: 2000 } : { kind: "sketch", keys: [sketchKey(120 + i), sketchKey(450)], counts: [requests - 20, 19 + i] },
    }));
  for (const [deploymentId, token, requests] of [[deploymentA, tokens.writeOnlyA, 200], [deploymentB, writeB, 500]] as const) {
    const response = await postUsage(request("/api/v1/usage-windows", token, "POST", { windows: windows(deploymentId, requests) }), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
  }
});

afterAll(async () => {
  await sql?.end();
  // The exports stream on connections of their own.
  await closeStreamPool();
});

describe("scope", () => {
  it("refuses a key without reports:read on every read with 403", async () => {
    const reads: [Route, string, Record<string, string>][] = [
      [getRollups, "/api/v1/rollups", {}],
      [getSuggestions, "/api/v1/suggestions", {}],
      [getReport, monthPath("json", "2026-11"), { month: "2026-11" }],
      [getLinesCsv, monthPath("lines", "2026-11"), { month: "2026-11" }],
      [getFocusCsv, monthPath("focus", "2026-11"), { month: "2026-11" }],
    ];
    for (const [route, path, params] of reads) {
      const answer = await json(route, path, tokens.writeOnlyA!, params);
      expect(answer.status, path).toBe(403);
      expect(answer.json.error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/lacks the reports:read scope/) });
    }
  });

  it("gives a team's key its own team's figures only, though the other team has more", async () => {
    const path = "/api/v1/rollups?from=2026-11-01&to=2026-11-30&groupBy=team&unit=month";
    const a = await json<RollupsJson>(getRollups, path, tokens.readA!);
    const b = await json<RollupsJson>(getRollups, path, tokens.readB!);
    expect(a.status).toBe(200);
    expect(a.json.rows.map((r) => r.group!.key)).toEqual([String(fx.teamId)]);
    expect(b.json.rows.map((r) => r.group!.key)).toEqual([String(fx.otherTeamId)]);
    expect(BigInt(b.json.totals.cost.totalCents)).toBeGreaterThan(BigInt(a.json.totals.cost.totalCents));
    expect(BigInt(a.json.totals.cost.totalCents)).toBeGreaterThan(0n);
    // By item: team A's run and deployment only; the other team's slug is unknown to the key.
    const items = await json<RollupsJson>(getRollups, "/api/v1/rollups?from=2026-11-01&to=2026-11-30&groupBy=item&unit=month", tokens.readA!);
    expect(items.json.rows.map((r) => r.group!.label).sort()).toEqual(["chat-prod", "research-nov"]);
    const other = await json(getRollups, "/api/v1/rollups?team=applied", tokens.readA!);
    expect(other).toMatchObject({ status: 404, json: { error: { code: "not-found", field: "team" } } });

    const lines = await call(getLinesCsv, monthPath("lines", "2026-11"), tokens.readA!, { month: "2026-11" });
    expect(lines.status).toBe(200);
    expect(lines.text).toContain("research-nov");
    expect(lines.text).toContain("chat-prod");
    expect(lines.text).not.toContain("applied");
    const report = await json(getReport, monthPath("json", "2026-11", "?team=applied"), tokens.readA!, { month: "2026-11" });
    expect(report).toMatchObject({ status: 404, json: { error: { field: "team" } } });

    const suggestions = await json<{ suggestions: { item: { team: string | null } }[] }>(getSuggestions, "/api/v1/suggestions", tokens.readA!);
    expect(suggestions.status).toBe(200);
    expect(suggestions.json.suggestions.length).toBeGreaterThan(0);
    expect(new Set(suggestions.json.suggestions.map((s) => s.item.team))).toEqual(new Set(["research"]));
  });
});

describe("parameters", () => {
  it("refuses each bad rollups parameter with 400 naming it", async () => {
    const cases: [string, string][] = [
      ["range=fortnight", "range"],
      ["from=2026-13-01", "from"],
      ["from=2026-02-30", "from"],
      ["to=2026-11-05", "from"],
      ["from=2026-11-10&to=2026-11-01", "to"],
      ["range=custom", "range"],
      ["range=7d&from=2026-11-01", "range"],
      ["from=1999-12-31", "from"],
      ["team=Research!", "team"],
      ["model=%01bad", "model"],
      ["model=no-such-model", "model"],
      ["gpu=h100", "gpu"],
      ["gpu=999999", "gpu"],
      ["tz=mars", "tz"],
      ["tz=team", "tz"],
      ["groupBy=provider", "groupBy"],
      ["unit=year", "unit"],
      ["range=90d&unit=hour", "unit"],
    ];
    for (const [search, field] of cases) {
      const answer = await json(getRollups, `/api/v1/rollups?${search}`, await freshReadKey());
      expect({ search, status: answer.status, code: answer.json.error?.code, field: answer.json.error?.field }).toEqual({ search, status: 400, code: "bad-request", field });
      expect(answer.json.error!.message, search).toMatch(new RegExp(`\\b${field}\\b`));
    }
  });

  it("refuses bad report and suggestions parameters with 400 naming them", async () => {
    const cases: [Route, string, Record<string, string>, string][] = [
      [getReport, monthPath("json", "2026-13"), { month: "2026-13" }, "month"],
      [getLinesCsv, monthPath("lines", "last-month"), { month: "last-month" }, "month"],
      [getReport, monthPath("json", "2026-11", "?tz=local"), { month: "2026-11" }, "tz"],
      [getFocusCsv, monthPath("focus", "2026-11", "?tz=team"), { month: "2026-11" }, "tz"],
      [getLinesCsv, monthPath("lines", "2026-11", "?granularity=week"), { month: "2026-11" }, "granularity"],
      [getFocusCsv, monthPath("focus", "2026-11", "?bom=yes"), { month: "2026-11" }, "bom"],
      [getReport, monthPath("json", "2026-11", "?team=Not_A_Slug"), { month: "2026-11" }, "team"],
      [getSuggestions, "/api/v1/suggestions?status=maybe", {}, "status"],
      [getSuggestions, "/api/v1/suggestions?tz=team", {}, "tz"],
      [getSuggestions, "/api/v1/suggestions?team=Research", {}, "team"],
    ];
    for (const [route, path, params, field] of cases) {
      const answer = await json(route, path, await freshReadKey(), params);
      expect({ path, status: answer.status, field: answer.json.error?.field }).toEqual({ path, status: 400, field });
    }
  });
});

describe("the same figures as the session path", () => {
  it("exports the month byte for byte as /api/reports does for a person of the key's team", async () => {
    const searches = ["", "?team=research&tz=team&granularity=day", "?tz=utc&bom=1"];
    for (const month of ["2026-10", "2026-11"]) {
      for (const kind of ["lines", "focus", "json"] as const) {
        for (const search of kind === "json" ? searches.slice(0, 2) : searches) {
          const api = await call(monthRoute(kind), monthPath(kind, month, search), await freshReadKey(), { month });
          const session = await exportResponse(new Request(`http://localhost/api/reports/${month}/x${search}`), fx.readOnlyViewer, { params: Promise.resolve({ month }) }, kind);
          if (isDenied(session)) throw new Error(session.message);
          const sessionText = await session.text();
          expect(api.status).toBe(200);
          expect(api.headers.get("content-type")).toBe(session.headers.get("content-type"));
          expect(api.headers.get("content-disposition")).toBe(session.headers.get("content-disposition"));
          // The JSON report says when it was made; everything else is the same bytes.
          const made = (text: string) => (kind === "json" ? text.replace(/"generatedAt":"[^"]+"/, '"generatedAt":"…"') : text);
          expect(made(api.text), `${kind} ${month}${search}`).toBe(made(sessionText));
          expect(api.text.length).toBeGreaterThan(100);
        }
      }
    }
  });

  it("rolls up to the dashboards' cents, GPU-hours and $/1M tokens for the same filters", async () => {
    const answer = await json<RollupsJson>(getRollups, "/api/v1/rollups?from=2026-11-09&to=2026-11-12", tokens.readA!);
    expect(answer.status).toBe(200);
    const { range, rows, totals, zone, unit } = answer.json;
    expect(zone).toMatchObject({ choice: "org", timeZone: "Europe/London" });
    expect(range).toEqual({ start: "2026-11-09T00:00:00.000Z", end: "2026-11-13T00:00:00.000Z" });
    expect(unit).toBe("day");
    const dashboard = await dashboardData({
      viewer: fx.readOnlyViewer,
      scope: {},
      range: { start: new Date(range.start), end: new Date(range.end) },
      unit: "day",
      timeZone: zone.timeZone,
      now: new Date(),
    });
    expect(BigInt(totals.cost.totalCents)).toBe(dashboard.kpis.totalCents);
    expect(dashboard.kpis.totalCents).toBeGreaterThan(0n);
    // The total is the sum of the rows shown (the cents rule), and each day's cents are the chart's.
    expect(rows.reduce((s, r) => s + BigInt(r.cost.totalCents), 0n)).toBe(BigInt(totals.cost.totalCents));
    const chartByDay = new Map<string, bigint>();
    for (const p of dashboard.series.costByTeam) chartByDay.set(p.bucketStart.toISOString(), (chartByDay.get(p.bucketStart.toISOString()) ?? 0n) + p.costCents);
    expect(new Map(rows.map((r) => [r.bucketStart, BigInt(r.cost.totalCents)]))).toEqual(chartByDay);
    expect(Number(totals.gpuMs) / 3_600_000).toBeCloseTo(dashboard.kpis.gpuHours, 9);
    for (const point of dashboard.series.costPerMillionTokens) {
      const row = rows.find((r) => r.bucketStart === point.start.toISOString());
      const micros = row?.usage?.costPerMillionTokensMicros ?? null;
      expect(micros === null ? null : BigInt(micros), point.start.toISOString()).toBe(point.usd === null ? null : BigInt(point.usd.times(1_000_000).toDecimalPlaces(0, 6).toFixed(0)));
    }
    expect(rows.some((r) => r.usage?.costPerMillionTokensMicros)).toBe(true);
    // Latency from merged sketches; the summary-only window is called out.
    expect(totals.usage!.latency.p50Ms).toBeGreaterThan(100);
    expect(totals.usage!.latency.note).toMatch(/came from windows with only summary percentiles/);
  });

  it("rolls up by team, model, GPU type and hour with the same total", async () => {
    const base = "/api/v1/rollups?from=2026-11-10&to=2026-11-11";
    const none = await json<RollupsJson>(getRollups, base, tokens.readA!);
    const total = none.json.totals.cost.totalCents;
    for (const search of ["&groupBy=team", "&groupBy=model&unit=week", `&groupBy=gpu&gpu=${fx.gpuTypeId}`, "&groupBy=item&unit=hour", "&model=llama-3.1-8b&tz=utc"]) {
      const answer = await json<RollupsJson>(getRollups, base + search, tokens.readA!);
      expect(answer.status, search).toBe(200);
      expect(answer.json.rows.reduce((s, r) => s + BigInt(r.cost.totalCents), 0n), search).toBe(BigInt(answer.json.totals.cost.totalCents));
      if (!search.includes("model=") && !search.includes("tz=")) expect(answer.json.totals.cost.totalCents, search).toBe(total);
    }
    const trainingOnly = await json<RollupsJson>(getRollups, `${base}&model=llama-3.1-8b`, tokens.readA!);
    expect(trainingOnly.json.rows.every((r) => r.cost.inferenceCents === "0" && r.usage === null)).toBe(true);
  });

  it("lists the suggestions panel's suggestions with their savings in cents", async () => {
    const answer = await json<{ zone: { timeZone: string }; period: { end: string }; suggestions: { id: string; rule: string; status: string; monthlySaving: { lowCents: string; highCents: string } }[] }>(
      getSuggestions,
      "/api/v1/suggestions?team=research&tz=team",
      tokens.readA!,
    );
    expect(answer.status).toBe(200);
    // The same instant as the API's read (its period ends at its `now`, floored to the minute by the read cache): savings are rates over the period.
    const now = new Date(answer.json.period.end);
    const panel = await suggestionPanelData({ viewer: fx.readOnlyViewer, scope: { kind: "team", teamId: fx.teamId }, now, timeZone: answer.json.zone.timeZone });
    expect(answer.json.suggestions).toEqual(
      panel.open.map((s) => expect.objectContaining({ id: s.id, rule: s.ruleId, status: "open", monthlySaving: { lowCents: String(s.monthlySaving.lowCents), highCents: String(s.monthlySaving.highCents) } })),
    );
    expect(answer.json.suggestions.length).toBeGreaterThan(0);
  });
});
