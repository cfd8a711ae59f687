import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { submitAlertWebhook, submitAlertWebhookForm, submitTestAlert } from "@/lib/actions/handlers/alert-webhook";
import { budgetForecasts } from "@/lib/db/queries/budgets";
import { dashboardData, teamsMonthToDate } from "@/lib/db/queries/dashboards";
import { calendarMonth } from "@/lib/domain/date-ranges";
import { postWebhook } from "@/lib/notify/webhook";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { form, insertRun } from "@/lib/testing/settings-helpers";
import { evaluateBudgetAlerts, MAX_DELIVERY_ATTEMPTS, setAlertWebhook } from "./budget-alerts";

// Budget alerts against a real database and a real HTTP receiver on
// 127.0.0.1: each threshold fires once per team and month (also when two
// evaluations race), the body carries Slack's `text`, a failed post is
// recorded and retried by the next evaluation, and without a webhook the
// alerts are recorded but not posted.
//
// February 2026 in Europe/London (the fixture org's zone, UTC in winter):
// at Feb 15 00:00 half of the month's 28 days have elapsed, so the
// projection is twice the spend. Both teams run 8 GPUs × 30 h × $2.50 = $600:
// Research (budget $1,000) is at 60 % actual, 120 % projected; Applied
// (budget $500) is at 120 % actual, 240 % projected.
const NOW = new Date("2026-02-15T00:00:00Z");

interface Received {
  body: Record<string, unknown>;
  status: number;
}

let fx: OrgFixture;
let client: pg.Client;
let server: http.Server;
let receiverUrl: string;
let received: Received[] = [];
/** What the receiver answers next; "hang" never answers. */
let answer: number | "hang" = 200;

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await insertRun(client, { teamId: fx.teamId, gpuTypeId: fx.gpuTypeId, name: "research-run", startedAt: "2026-02-01T00:00:00Z", endedAt: "2026-02-02T06:00:00Z" });
  await insertRun(client, { teamId: fx.otherTeamId, gpuTypeId: fx.gpuTypeId, name: "applied-run", startedAt: "2026-02-03T00:00:00Z", endedAt: "2026-02-04T06:00:00Z" });
  server = http.createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      if (answer === "hang") return;
      received.push({ body: JSON.parse(text) as Record<string, unknown>, status: answer });
      response.writeHead(answer).end(answer === 200 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/budget`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await client.end();
});

beforeEach(async () => {
  received = [];
  answer = 200;
  await client.query(`delete from budget_alerts; delete from audit_entries`);
  await client.query(`update orgs set "alertWebhookUrl" = null where id = $1`, [fx.orgId]);
});

async function alertRows() {
  const { rows } = await client.query(
    `select t.slug, a.month, a."thresholdPct", a.basis, a."spendCents"::text as spend, a."budgetCents"::text as budget, a."webhookUrl", a."deliveredAt" is not null as delivered, a.attempts, a."lastError"
     from budget_alerts a join teams t on t.id = a."teamId" order by t.slug, a.basis, a."thresholdPct"`,
  );
  return rows;
}

const alertKeys = (bodies: Received[]) => bodies.map((r) => `${(r.body.team as { slug: string }).slug} ${String(r.body.thresholdPct)} ${String(r.body.basis)}`).sort();
const ALL_SIX = ["applied 100 actual", "applied 100 projected", "applied 80 actual", "applied 80 projected", "research 100 projected", "research 80 projected"];

describe("figures", () => {
  it("forecasts from the same cents the dashboards show for the month", async () => {
    const [forecasts, teams, dashboard] = await Promise.all([
      budgetForecasts({ viewer: fx.viewer, now: NOW, timeZone: "Europe/London" }),
      teamsMonthToDate({ viewer: fx.viewer, now: NOW, timeZone: "Europe/London" }),
      dashboardData({ viewer: fx.viewer, scope: {}, range: calendarMonth({ now: NOW, timeZone: "Europe/London", offset: 0 }), unit: "day", timeZone: "Europe/London", now: NOW }),
    ]);
    for (const team of forecasts.teams) {
      const budgetRow = dashboard.budgets.teams.find((b) => b.teamId === team.teamId)!;
      expect(team.forecast.spentCents).toBe(teams.teams.find((t) => t.teamId === team.teamId)!.totalCents);
      expect(team.forecast.spentCents).toBe(budgetRow.spentCents);
      expect(team.forecast.projectedCents).toBe(budgetRow.projectedCents);
      expect(team.forecast.budgetCents).toBe(budgetRow.budgetCents);
    }
    const research = forecasts.teams.find((t) => t.slug === "research")!.forecast;
    expect(research.spentCents).toBe(60_000n);
    expect(research.projectedCents).toBe(120_000n);
    // $1,000 at $600 per 14 days runs out 23⅓ days in: Feb 24 in London.
    expect(research.runOut).toEqual({ kind: "on", day: new Date("2026-02-24T00:00:00Z") });
    const applied = forecasts.teams.find((t) => t.slug === "applied")!.forecast;
    // Applied passed $500 during its run on Feb 4 (Feb 3: 24 h × $20 = $480).
    expect(applied.runOut).toEqual({ kind: "exceeded", day: new Date("2026-02-04T00:00:00Z") });
    expect(forecasts.monthKey).toBe("2026-02");
  });
});

describe("firing", () => {
  it("records crossed thresholds without a webhook and posts nothing", async () => {
    const result = await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW });
    expect(result.fired).toHaveLength(6);
    expect(result).toMatchObject({ month: "2026-02", delivered: 0, failed: 0 });
    expect(await alertRows()).toEqual([
      { slug: "applied", month: "2026-02", thresholdPct: 80, basis: "actual", spend: "60000", budget: "50000", webhookUrl: null, delivered: false, attempts: 0, lastError: null },
      { slug: "applied", month: "2026-02", thresholdPct: 100, basis: "actual", spend: "60000", budget: "50000", webhookUrl: null, delivered: false, attempts: 0, lastError: null },
      { slug: "applied", month: "2026-02", thresholdPct: 80, basis: "projected", spend: "120000", budget: "50000", webhookUrl: null, delivered: false, attempts: 0, lastError: null },
      { slug: "applied", month: "2026-02", thresholdPct: 100, basis: "projected", spend: "120000", budget: "50000", webhookUrl: null, delivered: false, attempts: 0, lastError: null },
      { slug: "research", month: "2026-02", thresholdPct: 80, basis: "projected", spend: "120000", budget: "100000", webhookUrl: null, delivered: false, attempts: 0, lastError: null },
      { slug: "research", month: "2026-02", thresholdPct: 100, basis: "projected", spend: "120000", budget: "100000", webhookUrl: null, delivered: false, attempts: 0, lastError: null },
    ]);
    expect(received).toEqual([]);
  });

  it("posts each threshold once per team and month, with a Slack-compatible text, however often it is evaluated", async () => {
    expect(await setAlertWebhook({ viewer: fx.viewer, url: receiverUrl })).toEqual({ ok: true, value: { url: receiverUrl, isChanged: true } });
    const first = await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW });
    expect(first).toMatchObject({ delivered: 6, failed: 0 });
    const second = await evaluateBudgetAlerts({ orgId: fx.orgId, now: new Date(NOW.getTime() + 3_600_000) });
    expect(second).toMatchObject({ fired: [], delivered: 0, failed: 0 });
    expect(alertKeys(received)).toEqual(ALL_SIX);
    const research100 = received.find((r) => (r.body.team as { slug: string }).slug === "research" && r.body.thresholdPct === 100)!.body;
    expect(research100).toMatchObject({
      kind: "budget_alert",
      team: { slug: "research", name: "Research" },
      month: "2026-02",
      basis: "projected",
      spendCents: "60000",
      projectedCents: "120000",
      budgetCents: "100000",
      percentOfBudget: "120.0%",
      runOutDate: "2026-02-24",
      linkPath: "/teams/research",
    });
    expect(research100.text).toBe(
      "Budget alert: Research is projected to spend $1,200.00 in 2026-02, 120.0% of its $1,000.00 budget (100% threshold, projected). Spent so far: $600.00. Budget runs out: 2026-02-24. /teams/research (Europe/London)",
    );
    expect((await alertRows()).every((r) => r.delivered && r.attempts === 1 && r.webhookUrl === receiverUrl && r.lastError === null)).toBe(true);
  });

  it("fires and posts once when two evaluations run at the same time", async () => {
    await setAlertWebhook({ viewer: fx.viewer, url: receiverUrl });
    const results = await Promise.all([evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW }), evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW })]);
    expect(results[0].fired.length + results[1].fired.length).toBe(6);
    expect(results[0].delivered + results[1].delivered).toBe(6);
    expect(alertKeys(received)).toEqual(ALL_SIX);
    expect(await alertRows()).toHaveLength(6);
  });

  it("records a failed post and retries it on the next evaluation", async () => {
    await setAlertWebhook({ viewer: fx.viewer, url: receiverUrl });
    answer = 500;
    expect(await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW })).toMatchObject({ delivered: 0, failed: 6 });
    expect((await alertRows()).map((r) => [r.delivered, r.attempts, r.lastError])).toEqual(Array(6).fill([false, 1, "The receiver answered HTTP 500 Internal Server Error"]));
    answer = 200;
    expect(await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW })).toMatchObject({ fired: [], delivered: 6, failed: 0 });
    expect((await alertRows()).map((r) => [r.delivered, r.attempts, r.lastError])).toEqual(Array(6).fill([true, 2, null]));
    expect(alertKeys(received.filter((r) => r.status === 200))).toEqual(ALL_SIX);
    expect(received.filter((r) => r.status === 500)).toHaveLength(6);
  });

  it("stops retrying after MAX_DELIVERY_ATTEMPTS, and a new URL gets fresh attempts", async () => {
    await setAlertWebhook({ viewer: fx.viewer, url: receiverUrl });
    answer = 500;
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS + 1; i++) await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW });
    expect(received).toHaveLength(6 * MAX_DELIVERY_ATTEMPTS);
    answer = 200;
    await setAlertWebhook({ viewer: fx.viewer, url: `${receiverUrl}?v=2` });
    expect(await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW })).toMatchObject({ delivered: 6 });
  });

  it("posts alerts recorded while no webhook was set once one is", async () => {
    await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW });
    expect(received).toEqual([]);
    await setAlertWebhook({ viewer: fx.viewer, url: receiverUrl });
    expect(await evaluateBudgetAlerts({ orgId: fx.orgId, now: NOW })).toMatchObject({ fired: [], delivered: 6 });
    expect(alertKeys(received)).toEqual(ALL_SIX);
  });
});

describe("settings", () => {
  it("lets only admins set the webhook, audits it with the URL masked, and names the field on bad input", async () => {
    const saved = await submitAlertWebhook({ viewer: fx.viewer, formData: form({ alertWebhookUrl: " https://hooks.slack.com/services/T00/B00/secretXYZ " }) });
    expect(saved).toEqual({ status: "saved", url: "https://hooks.slack.com/services/T00/B00/secretXYZ", isChanged: true });
    const { rows: audit } = await client.query(`select "entityType", action, before, after, "actorName" from audit_entries`);
    expect(audit).toEqual([
      { entityType: "org", action: "UPDATE", before: { alertWebhookUrl: null }, after: { alertWebhookUrl: "https://hooks.slack.com/…tXYZ" }, actorName: "Ada Admin" },
    ]);
    const notAdmin = { ok: false, kind: "forbidden", message: "You may not manage the organization (an org admin can)." };
    for (const member of [fx.memberViewer, fx.teamAdminViewer, fx.readOnlyViewer]) {
      expect(await submitAlertWebhook({ viewer: member, formData: form({ alertWebhookUrl: "" }) })).toEqual({ status: "denied", denied: notAdmin });
      expect(await submitAlertWebhookForm({ viewer: member, formData: form({ alertWebhookUrl: "https://example.com/hook", _intent: "test" }) })).toEqual({ status: "denied", denied: notAdmin });
      expect(await setAlertWebhook({ viewer: member, url: null })).toEqual({ ok: false, reason: "denied", denied: notAdmin });
    }
    expect((await client.query(`select count(*)::int as n from audit_entries`)).rows[0].n).toBe(1);
    expect(await submitAlertWebhook({ viewer: fx.viewer, formData: form({ alertWebhookUrl: "ftp://example.com/hook" }) })).toEqual({
      status: "invalid",
      fieldErrors: { alertWebhookUrl: ["Webhook URL must start with http:// or https://"] },
    });
    // Clearing turns it off.
    expect(await submitAlertWebhook({ viewer: fx.viewer, formData: form({ alertWebhookUrl: "" }) })).toMatchObject({ status: "saved", url: null, isChanged: true });
    const { rows: [org] } = await client.query(`select "alertWebhookUrl" from orgs where id = $1`, [fx.orgId]);
    expect(org.alertWebhookUrl).toBeNull();
  });

  it("sends a test message and reports the receiver's answer", async () => {
    // The button pressed decides: "Send test message" posts without saving.
    expect(await submitAlertWebhookForm({ viewer: fx.viewer, formData: form({ alertWebhookUrl: receiverUrl, _intent: "test" }) })).toEqual({ status: "testSent", httpStatus: 200 });
    const { rows: [org] } = await client.query(`select "alertWebhookUrl" from orgs where id = $1`, [fx.orgId]);
    expect(org.alertWebhookUrl).toBeNull();
    expect(await submitAlertWebhookForm({ viewer: fx.viewer, formData: form({ alertWebhookUrl: receiverUrl, _intent: "delete-everything" }) })).toMatchObject({ status: "invalid" });
    expect(await submitTestAlert({ viewer: fx.viewer, formData: form({ alertWebhookUrl: receiverUrl }) })).toEqual({ status: "testSent", httpStatus: 200 });
    expect(received[0]!.body).toMatchObject({ kind: "test", text: expect.stringContaining("Test message from Burnrate") });
    answer = 500;
    expect(await submitTestAlert({ viewer: fx.viewer, formData: form({ alertWebhookUrl: receiverUrl }) })).toEqual({ status: "testFailed", message: "The receiver answered HTTP 500 Internal Server Error" });
    // A port that was free a moment ago: nothing listens there.
    const spare = http.createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    const closedPort = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
    const closed = await submitTestAlert({ viewer: fx.viewer, formData: form({ alertWebhookUrl: `http://127.0.0.1:${closedPort}/hook` }) });
    expect(closed).toMatchObject({ status: "testFailed", message: expect.stringContaining("Could not reach the receiver (ECONNREFUSED)") });
    expect(await submitTestAlert({ viewer: fx.viewer, formData: form({ alertWebhookUrl: "" }) })).toEqual({
      status: "invalid",
      fieldErrors: { alertWebhookUrl: ["Enter a webhook URL to send a test message to"] },
    });
  });

  it("gives up on a receiver that doesn't answer within the timeout", async () => {
    answer = "hang";
    expect(await postWebhook({ url: receiverUrl, body: { text: "x" }, timeoutMs: 200 })).toEqual({ ok: false, status: null, error: "No answer within 0.2 s" });
  });
});
