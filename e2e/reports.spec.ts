import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import type { Locator, Page } from "@playwright/test";
import { expect, quietMonth, screenshot, test } from "./fixtures";

// Monthly cost reports (/reports/[month], /reports/[month]/[team]): the
// figures agree with each other and with /reports to the cent. Org-wide
// figures are read for quietMonth(), a closed month no spec writes to.

const kpi = (page: Page, label: string) => page.getByRole("group", { name: label, exact: true }).locator("[data-stat-value]");

/** "$1,234.56" / "-$0.50" → cents. */
function cents(text: string): bigint {
  const trimmed = text.trim();
  const value = BigInt(trimmed.replace(/[^0-9]/g, ""));
  return trimmed.startsWith("-") ? -value : value;
}

/** Waits until the report has rendered and its charts have drawn. */
async function settle(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { level: 1, name: /^Cost report · / })).toBeVisible();
  await expect(page.locator("figure:has(ul):not(:has(svg))")).toHaveCount(0);
}

/** The cell of `month`'s column in a row of the /reports team × month table. */
async function monthCell(table: Locator, row: Locator, month: string): Promise<Locator> {
  const column = (await table.getByRole("columnheader").allTextContents()).indexOf(month);
  expect(column, `column ${month}`).toBeGreaterThan(0);
  return row.locator("th, td").nth(column);
}

const month = quietMonth().from.slice(0, 7);

test("a month's report: the team rows add up to the total, which is training + inference; fits a phone; screenshots", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const response = await page.goto(`/reports/${month}`);
  expect(response?.status()).toBe(200);
  await settle(page);
  await expect(page.getByText(/ · America\/Los_Angeles \(org\)$/).first()).toBeVisible();
  const total = cents((await kpi(page, "Total").textContent())!);
  expect(total).toBeGreaterThan(0n);
  expect(cents((await kpi(page, "Training").textContent())!) + cents((await kpi(page, "Inference").textContent())!)).toBe(total);

  const byTeam = page.getByRole("table", { name: "Cost by team", exact: true });
  const rows = (await byTeam.locator("tbody tr td:nth-of-type(1)").allTextContents()).map(cents);
  expect(rows.length).toBeGreaterThan(1);
  expect(rows.reduce((a, b) => a + b, 0n)).toBe(total);
  expect(cents((await byTeam.locator("tfoot td").first().textContent())!)).toBe(total);
  // Each breakdown's total row is the report total.
  for (const name of ["Cost by model", "Cost by GPU type", "Cost by provider", "Cost by pricing model"]) {
    await expect(page.getByRole("table", { name, exact: true }).locator("tfoot td").first()).toHaveText((await kpi(page, "Total").textContent())!);
  }
  // Exports keep the zone.
  await expect(page.getByRole("link", { name: "Line items CSV", exact: true })).toHaveAttribute("href", `/api/reports/${month}/lines.csv?tz=org`);
  await screenshot(page, "report-month-1280");

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.locator("figure:has(ul):not(:has(svg))")).toHaveCount(0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "the page scrolls sideways at 390 px").toBeLessThanOrEqual(0);
  await screenshot(page, "report-month-390");
});

test("/reports lists the month, and its All teams figure opens the report with that Total", async ({ page }) => {
  await page.goto("/reports");
  await expect(page.getByRole("table", { name: /Monthly reports/ }).getByRole("link", { name: new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${month}-15T00:00:00Z`)) })).toBeVisible();
  const table = page.getByRole("table", { name: /Cost by team and month/ });
  const cell = await monthCell(table, table.locator("tfoot tr"), month);
  const figure = (await cell.textContent())!.trim();
  await cell.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/reports/${month}$`));
  await expect(kpi(page, "Total")).toHaveText(figure);
});

test("a team's cell on /reports opens the team's report for the month, with the team's figure", async ({ page }) => {
  await page.goto("/reports?tz=utc");
  const table = page.getByRole("table", { name: /Cost by team and month/ });
  const row = table.locator("tbody tr").first();
  const teamName = (await row.getByRole("rowheader").textContent())!.trim();
  const cell = await monthCell(table, row, month);
  const figure = (await cell.textContent())!.trim();
  await cell.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/reports/${month}/[a-z0-9-]+\\?tz=utc$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(new RegExp(`· ${teamName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  await expect(page.getByText(/ · UTC$/).first()).toBeVisible();
  await expect(kpi(page, "Total")).toHaveText(figure);
});

for (const path of ["/reports/2026-13", "/reports/26-01", `/reports/${month}/no-such-team`, `/reports/${month}/Bad%20Slug`]) {
  test(`${path} is not found, with status 404`, async ({ request }) => {
    const response = await request.get(path);
    expect(response.status()).toBe(404);
    expect(await response.text()).toContain("There is nothing at this address");
  });
}

/** Dollar text ("1234.56", "-0.50") → cents, exactly (exports write two decimals). */
function dollarsToCents(text: string): bigint {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text.trim());
  expect(match, `"${text}" is a dollar amount with cents`).not.toBeNull();
  const value = BigInt(match![2]!) * 100n + BigInt(match![3]!);
  return match![1] ? -value : value;
}

/** Clicks a download link and returns the saved file's name and text. */
async function download(page: Page, name: string): Promise<{ fileName: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name, exact: true }).click()]);
  const path = await file.path();
  return { fileName: file.suggestedFilename(), text: readFileSync(path, "utf8") };
}

test("each export downloads from the report page in Chromium and reconciles with the page: line CSV, daily CSV, FOCUS, JSON", async ({ page }) => {
  await page.goto(`/reports/${month}`);
  await settle(page);
  const total = cents((await kpi(page, "Total").textContent())!);
  const training = cents((await kpi(page, "Training").textContent())!);
  const byTeam = page.getByRole("table", { name: "Cost by team", exact: true });
  const teamNames = (await byTeam.locator("tbody tr th").allTextContents()).map((t) => t.trim());
  const teamCents = (await byTeam.locator("tbody tr td:nth-of-type(1)").allTextContents()).map(cents);
  expect(teamNames.length).toBe(teamCents.length);
  const pageByTeam = new Map(teamNames.map((name, i) => [name, teamCents[i]!]));

  const orgSlug = /^burnrate-([a-z0-9-]+)-\d{4}-\d{2}/;
  const sums = (rows: Record<string, string>[], amount: string, key: string) => {
    const out = new Map<string, bigint>();
    for (const r of rows) out.set(r[key]!, (out.get(r[key]!) ?? 0n) + dollarsToCents(r[amount]!));
    return out;
  };
  const sum = (m: Map<string, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);

  // Line items, monthly and daily: the total, training and every team's row.
  for (const label of ["Line items CSV", "Line items CSV, daily"]) {
    const { fileName, text } = await download(page, label);
    expect(fileName).toMatch(orgSlug);
    expect(fileName.endsWith(`-${month}.csv`), fileName).toBe(true);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.length, `${label} rows`).toBeGreaterThan(0);
    expect(rows.every((r) => r.line_type === "charge"), `${label}: a quiet month has no corrections`).toBe(true);
    const perTeam = sums(rows, "total_cost_usd", "team");
    expect(sum(perTeam), `${label} total`).toBe(total);
    expect(perTeam, `${label} per team`).toEqual(pageByTeam);
    expect(sum(sums(rows.filter((r) => r.kind === "training"), "total_cost_usd", "kind")), `${label} training`).toBe(training);
    if (label.endsWith("daily")) expect(new Set(rows.map((r) => r.period)).size, "daily rows cover many days").toBeGreaterThan(20);
  }

  // FOCUS: BilledCost sums to the total, per SubAccountName to the team rows.
  const focus = await download(page, "FOCUS 1.2 CSV");
  expect(focus.fileName).toMatch(new RegExp(`^burnrate-[a-z0-9-]+-${month}-focus\\.csv$`));
  const focusRows = parse(focus.text, { columns: true }) as Record<string, string>[];
  expect(focusRows.every((r) => r.BillingCurrency === "USD" && r.ChargeClass === "")).toBe(true);
  const billed = sums(focusRows, "BilledCost", "SubAccountName");
  expect(sum(billed), "FOCUS BilledCost total").toBe(total);
  expect(billed, "FOCUS per team").toEqual(pageByTeam);

  // JSON: the totals and the team breakdown.
  const json = await download(page, "JSON");
  expect(json.fileName).toMatch(new RegExp(`^burnrate-[a-z0-9-]+-${month}\\.json$`));
  const report = JSON.parse(json.text) as { totals: { chargesUsd: string; billedUsd: string; trainingUsd: string }; lines: { totalCostUsd?: string }[] };
  expect(dollarsToCents(report.totals.chargesUsd)).toBe(total);
  expect(dollarsToCents(report.totals.billedUsd)).toBe(total);
  expect(dollarsToCents(report.totals.trainingUsd)).toBe(training);
});
