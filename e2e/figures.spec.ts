import { expect, quietMonth, screenshot, test } from "./fixtures";

// One set of figures: the reporting zone is chosen in the URL and named next
// to every period, filters that can't apply say so, and two screens for the
// same scope, period and zone show the same cents.

const kpi = (page: import("@playwright/test").Page, label: string) => page.getByRole("group", { name: label, exact: true }).locator("[data-stat-value]");

test("the zone switch is kept in the URL, named with the period, and /reports shows the team page's cents for the same month and zone", async ({ page, sql }) => {
  const { rows: [team] } = await sql.query<{ slug: string; name: string; timeZone: string }>(
    `select t.slug, t.name, t."timeZone" from teams t join orgs o on o.id = t."orgId" where o.slug = 'demo' and t."timeZone" <> o."timeZone" order by t.slug limit 1`,
  );
  const month = quietMonth();
  await page.goto(`/teams/${team!.slug}?${month.query}`);
  await expect(page.getByText(/ · America\/Los_Angeles \(org\) · by day/)).toBeVisible();
  await page.getByRole("combobox", { name: "Time zone" }).selectOption("team");
  await expect(page).toHaveURL(/tz=team/);
  await expect(page.getByText(`${team!.timeZone} (team) · by day`, { exact: false })).toBeVisible();
  await page.getByRole("combobox", { name: "Time zone" }).selectOption("utc");
  await expect(page).toHaveURL(/tz=utc/);
  await expect(page.getByText(/ · UTC · by day/)).toBeVisible();
  const spend = (await kpi(page, "Spend").textContent())!;
  const training = (await kpi(page, "Training").textContent())!;
  const inference = (await kpi(page, "Inference").textContent())!;
  const cents = (text: string) => BigInt(text.replace(/[$,.]/g, ""));
  expect(cents(training) + cents(inference)).toBe(cents(spend));
  await screenshot(page, "figures-team-utc");

  await page.goto("/reports?tz=utc");
  await expect(page.getByRole("heading", { name: /Cost by team and month · UTC/ })).toBeVisible();
  const table = page.getByRole("table", { name: /Cost by team and month/ });
  const column = (await table.getByRole("columnheader").allTextContents()).indexOf(month.from.slice(0, 7));
  expect(column).toBeGreaterThan(0);
  const teamRow = table.locator("tbody tr").filter({ has: page.getByRole("rowheader", { name: team!.name, exact: true }) });
  await expect(teamRow.locator("th, td").nth(column)).toHaveText(spend);
  await screenshot(page, "figures-reports-utc");
});

test("an unknown team or GPU type in the URL is a visible notice, and the figures stay unfiltered", async ({ page }) => {
  const month = quietMonth();
  await page.goto(`/?${month.query}`);
  const unfiltered = await kpi(page, "Spend").textContent();
  const response = await page.goto(`/?${month.query}&team=nope&gpu=999`);
  expect(response?.status()).toBe(200);
  const notices = page.getByRole("status").filter({ hasText: "not applied" });
  await expect(notices).toContainText('No team "nope"');
  await expect(notices).toContainText("No GPU type 999");
  await expect(page.getByRole("combobox", { name: "Team", exact: true })).toHaveValue("");
  await expect(kpi(page, "Spend")).toHaveText(unfiltered!);
  await screenshot(page, "figures-unknown-filter");
});

for (const [query, param] of [
  ["model=%00", "model"],
  ["range=custom&from=0000-01-01&to=0001-01-01", "from"],
  ["range=custom&from=2026-03-08&to=2026-03-01", "to"],
  [`team=${"x".repeat(300)}`, "team"],
] as const) {
  test(`/?${query.slice(0, 40)} is refused by name, not a 500`, async ({ page }) => {
    const response = await page.goto(`/?${query}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(page.locator(`[data-param="${param}"]`).first()).toBeVisible();
  });
}

test("picking a From date switches the range to custom, and the dates survive Apply", async ({ page }) => {
  await page.goto("/training?range=7d");
  await page.getByRole("textbox", { name: "From", exact: true }).fill("2026-10-01");
  await expect(page.getByRole("combobox", { name: "Range" })).toHaveValue("custom");
  await page.getByRole("textbox", { name: "To", exact: true }).fill("2026-10-31");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/range=custom.*from=2026-10-01.*to=2026-10-31/);
  await expect(page.getByRole("textbox", { name: "From", exact: true })).toHaveValue("2026-10-01");
  await expect(page.getByText(/2026-10-01 – 2026-10-31 · America\/Los_Angeles \(org\)/)).toBeVisible();
});
