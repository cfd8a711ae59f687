import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, screenshot, test } from "./fixtures";

// Budgets that warn in time: an admin points the budget-alert webhook at a
// receiver (here a local HTTP server in the test process), checks it with a
// test message, and the overview's evaluation posts the demo teams' alerts
// there; the overview's panel lists them most urgent first. The webhook is
// cleared afterwards, through the form and again directly, so no later spec
// posts to a receiver that is gone.


test("a budget alert reaches a local webhook receiver, and the overview lists teams heading over budget", async ({ page, sql }) => {
  test.slow();
  const bodies: Record<string, unknown>[] = [];
  const receiver = http.createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/budget-alerts`;
  // Whether the demo teams are projected over budget depends on the day of
  // the month (no projection in a month's first 24 hours), so the test makes
  // its own crossing: Applied ML's budget drops to $1.00, which its always-on
  // deployments pass within seconds of any month's start. Restored below.
  const { rows: [applied] } = await sql.query<{ id: number; budget: string }>(
    `select t.id, t."monthlyBudgetUsd"::text as budget from teams t join orgs o on o.id = t."orgId" where o.slug = 'demo' and t.slug = 'applied'`,
  );
  await sql.query(`update teams set "monthlyBudgetUsd" = 1 where id = $1`, [applied!.id]);
  try {
    await page.goto("/settings#budget-alerts");
    const field = page.getByRole("textbox", { name: "Webhook URL" });
    // A bad address is refused with the field named.
    await field.fill("ftp://example.com/hook");
    await page.getByRole("button", { name: "Save webhook" }).click();
    await expect(page.getByText("Webhook URL must start with http:// or https://")).toBeVisible();
    await field.fill(url);
    await page.getByRole("button", { name: "Send test message" }).click();
    await expect(page.getByText("Test message delivered: the receiver answered HTTP 200.")).toBeVisible();
    expect(bodies).toEqual([expect.objectContaining({ kind: "test", text: expect.stringContaining("Test message from Burnrate") })]);
    await page.getByRole("button", { name: "Save webhook" }).click();
    await expect(page.getByText("Webhook saved.")).toBeVisible();
    await screenshot(page, "budgets-settings");

    // The overview evaluates after it renders (saving a new URL did too); alerts arrive at the receiver.
    await page.goto("/");
    const alertFor = () => bodies.filter((b) => b.kind === "budget_alert").map((b) => b as { text: string; team: { slug: string }; thresholdPct: number; basis: string });
    await expect.poll(() => alertFor().filter((b) => b.team.slug === "applied" && b.thresholdPct === 100 && b.basis === "actual").length, { timeout: 20_000 }).toBe(1);
    const first = alertFor().find((b) => b.team.slug === "applied" && b.thresholdPct === 100)!;
    expect(first.text).toMatch(/^Budget alert: .+ \$[\d,]+\.\d\d/);
    expect([80, 100]).toContain(first.thresholdPct);
    // Once per team, threshold and basis.
    const keys = alertFor().map((b) => `${b.team.slug} ${b.thresholdPct} ${b.basis}`);
    expect(new Set(keys).size).toBe(keys.length);

    const panel = page.getByTestId("budget-alerts");
    const table = panel.getByRole("table", { name: /Teams at or over 80% or 100% of their monthly budget/ });
    await expect(table).toBeVisible();
    // Applied ML is over its $1.00 budget: an actual crossing, listed first, with the day it was exceeded.
    const alertedTeam = table.getByRole("row").filter({ has: page.getByRole("link", { name: "Applied ML", exact: true }) });
    await expect(alertedTeam).toContainText(/Over budget/);
    await expect(table.getByRole("row").nth(1)).toContainText(/Over budget/);
    // Team and alert, spent to date, projected, budget, runs out.
    await expect(alertedTeam.getByRole("cell").nth(4)).toHaveText(/^Exceeded on \d{4}-\d{2}-\d{2}$/);
    await expect(alertedTeam.getByRole("cell").nth(3)).toHaveText("$1.00");
    await expect(alertedTeam.getByRole("cell").nth(2)).toHaveText(/^\$[\d,]+\.\d\d$/);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "budgets-overview");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "budgets-overview-390");

    // The team page shows the team's projection, budget and run-out day.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`/teams/${first.team.slug}`);
    const forecast = page.getByTestId("team-budget-forecast");
    await expect(forecast.getByText("Budget runs out")).toBeVisible();
    await expect(forecast).toContainText(/Projected month-end\s*\$[\d,]+\.\d\d/);
    await screenshot(page, "budgets-team");

    // Cleared through the form: alerts are no longer posted.
    await page.goto("/settings#budget-alerts");
    await page.getByRole("textbox", { name: "Webhook URL" }).fill("");
    await page.getByRole("button", { name: "Save webhook" }).click();
    await expect(page.getByText("Webhook removed: alerts are no longer posted.")).toBeVisible();
  } finally {
    await sql.query(`update orgs set "alertWebhookUrl" = null where slug = 'demo'`);
    await sql.query(`update teams set "monthlyBudgetUsd" = $2::numeric where id = $1`, [applied!.id, applied!.budget]);
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});
