import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// Optimization suggestions on the demo data: the overview lists at least six
// different rules with savings whose evidence a person can open and check;
// dismiss, snooze and "applied" persist across reloads, and an applied
// suggestion shows its before/after. The decisions are on items no other
// spec asserts suggestions for, and are removed again at the end.

const SHOTS = "/tmp/shots";
const KEYS = ["smaller-gpu-type:deployment:", "mixed-precision:run:", "idle-capacity:deployment:"];

async function panelOf(page: Page): Promise<Locator> {
  const panel = page.getByTestId("suggestions-panel");
  if (!new URL(page.url()).pathname.startsWith("/suggestions")) {
    // The overview shows the five largest savings; its link opens them all.
    await expect(panel.getByRole("heading", { name: "Suggestions" })).toBeVisible();
    await expect(panel.getByTestId("suggestion")).toHaveCount(5);
    await panel.getByTestId("all-suggestions").click();
    await expect(page).toHaveURL(/\/suggestions$/);
  }
  await expect(panel.getByRole("heading", { name: "Open suggestions" })).toBeVisible();
  return panel;
}

function item(panel: Locator, title: string | RegExp, subject: string): Locator {
  return panel.getByTestId("suggestion").filter({ has: panel.page().getByRole("heading", { name: title }) }).filter({ has: panel.page().getByRole("link", { name: subject, exact: true }) });
}

test("the overview shows at least six different suggestions whose savings can be checked from their evidence", async ({ page }) => {
  await page.goto("/");
  const top = page.getByTestId("suggestions-panel");
  await expect(top.getByTestId("all-suggestions")).toHaveText(/^All \d+ open suggestions$/);
  await top.screenshot({ path: `${SHOTS}/suggestions-overview-top.png` });
  const panel = await panelOf(page);
  await page.screenshot({ path: `${SHOTS}/suggestions-page-desktop.png` });
  const ids = await panel.getByTestId("suggestion").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-suggestion-id")!));
  const rules = new Set(ids.map((id) => id.split(":")[0]));
  expect(rules.size, [...rules].join(", ")).toBeGreaterThanOrEqual(6);

  // Ranked by estimated saving: the first one saves the most (high end).
  const savings = panel.getByTestId("suggestion-saving");
  await expect(savings.first()).toHaveText(/^\$[\d,]+\.\d\d(–\$[\d,]+\.\d\d)?\/month$/);

  // "Switch off a deployment that served no requests" saves its whole monthly cost: the evidence shows that cost.
  const sandbox = item(panel, "Switch off a deployment that served no requests", "demo-sandbox");
  const saving = (await sandbox.getByTestId("suggestion-saving").innerText()).replace("/month", "");
  const evidence = sandbox.getByRole("table", { name: /Figures behind/ });
  await expect(evidence).toBeHidden();
  // Keyboard: the disclosure opens with Enter.
  await sandbox.getByText("Evidence and source").focus();
  await page.keyboard.press("Enter");
  await expect(evidence).toBeVisible();
  await expect(evidence.getByRole("row", { name: /Cost per month at this rate/ }).getByRole("cell").first()).toHaveText(`${saving} / month`);
  await expect(evidence.getByRole("row", { name: /Idle share of recorded time/ })).toContainText("%");
  await expect(sandbox.getByText(/^(Source|Assumption):/)).toBeVisible();

  // A second rule's evidence: figures with values and periods.
  const lora = panel.getByTestId("suggestion").filter({ hasText: "Fine-tune with LoRA instead of full fine-tuning" }).first();
  await lora.getByText("Evidence and source").click();
  const loraRows = lora.getByRole("table", { name: /Figures behind/ }).getByRole("row");
  expect(await loraRows.count()).toBeGreaterThan(2);
  await expect(loraRows.nth(1).getByRole("cell").first()).not.toBeEmpty();

  await panel.screenshot({ path: `${SHOTS}/suggestions-overview-desktop.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await panel.screenshot({ path: `${SHOTS}/suggestions-overview-390.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("dismiss, snooze and applied persist across reloads, and an applied suggestion shows its before/after", async ({ page, sql }) => {
  test.slow();
  const { rows: [org] } = await sql.query<{ id: number; timeZone: string }>(`select id, "timeZone" from orgs where slug = 'demo'`);
  const ymd = (instant: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: org!.timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
  const appliedOn = ymd(new Date(Date.now() - 14 * 86_400_000));
  try {
    await page.goto("/");
    let panel = await panelOf(page);
    const gpu = item(panel, "Serve on H100 80GB instead of A100 80GB", "eval-judge");
    const precision = item(panel, "Train in BF16 mixed precision instead of FP32", "reranker-sft-03");
    const sandbox = item(panel, "Switch off a deployment that served no requests", "demo-sandbox");
    await expect(gpu).toHaveCount(1);

    await gpu.getByRole("button", { name: "Dismiss" }).click();
    await expect(gpu).toHaveCount(0);
    await precision.getByRole("button", { name: "Snooze 7 days" }).click();
    await expect(precision).toHaveCount(0);
    await sandbox.getByLabel("Applied on").fill(appliedOn);
    await sandbox.getByRole("button", { name: "Mark applied" }).click();
    await expect(sandbox).toHaveCount(0);

    await page.reload();
    panel = await panelOf(page);
    await expect(gpu).toHaveCount(0);
    await expect(precision).toHaveCount(0);
    await expect(sandbox).toHaveCount(0);
    await panel.getByText("Show dismissed and snoozed (1 dismissed, 1 snoozed)").click();
    const hidden = panel.getByTestId("hidden-suggestion");
    await expect(hidden.filter({ hasText: "reranker-sft-03" })).toContainText(/Snoozed by .+ until \d{4}-\d{2}-\d{2}/);
    await expect(hidden.filter({ hasText: "eval-judge" })).toContainText(/Dismissed by .+ on \d{4}-\d{2}-\d{2}/);

    const applied = panel.getByTestId("applied-suggestion").filter({ hasText: "demo-sandbox" });
    await expect(applied).toContainText(`applied on ${appliedOn}`);
    const beforeAfter = applied.getByTestId("before-after");
    await expect(beforeAfter.getByRole("row", { name: /^Cost/ }).getByRole("cell")).toHaveText([/^\$[\d,]+\.\d\d\/month$/, /^\$[\d,]+\.\d\d\/month$/]);
    await expect(beforeAfter.getByRole("row", { name: /Idle share of recorded time/ })).toBeVisible();
    await expect(beforeAfter.getByTestId("verdict")).toHaveText(/(Saved|No saving|Not materialized).*estimated \$[\d,]+\.\d\d\/month/);
    await applied.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: `${SHOTS}/suggestions-decided-desktop.png` });

    // Stored per the item's team, with who and when, and audited.
    const { rows } = await sql.query(`select "suggestionKey", status::text, "actorName", "teamId" from suggestion_states where "orgId" = $1 order by "suggestionKey"`, [org!.id]);
    expect(rows.map((r) => r.status).sort()).toEqual(["APPLIED", "DISMISSED", "SNOOZED"]);
    const { rows: audits } = await sql.query(`select count(*)::int as n from audit_entries where "entityType" = 'suggestion' and "orgId" = $1`, [org!.id]);
    expect(audits[0].n).toBeGreaterThanOrEqual(3);

    // Undo a dismiss: the suggestion is back in the ranked list, also after a reload.
    await hidden.filter({ hasText: "eval-judge" }).getByRole("button", { name: "Reopen" }).click();
    await expect(gpu).toHaveCount(1);
    await page.reload();
    await expect(item(await panelOf(page), "Serve on H100 80GB instead of A100 80GB", "eval-judge")).toHaveCount(1);

    // The deployment's own page shows its applied suggestion too, at 390 px.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto((await applied.getByRole("link", { name: "demo-sandbox" }).getAttribute("href"))!);
    const own = page.getByTestId("suggestions-panel");
    await expect(own.getByTestId("before-after")).toBeVisible();
    await expect(own.getByTestId("verdict")).toHaveText(/estimated \$[\d,]+\.\d\d\/month/);
    await page.waitForLoadState("load");
    await page.screenshot({ path: `${SHOTS}/suggestions-deployment-390.png`, fullPage: true });
  } finally {
    await sql.query(`delete from suggestion_states where "orgId" = $1 and ("suggestionKey" like $2 or "suggestionKey" like $3 or "suggestionKey" like $4)`, [
      org!.id,
      `${KEYS[0]}%`,
      `${KEYS[1]}%`,
      `${KEYS[2]}%`,
    ]);
  }
});
