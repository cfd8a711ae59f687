import { AxeBuilder } from "@axe-core/playwright";
import { expect, quietMonth, screenshot, test } from "./fixtures";

const kpi = (page: import("@playwright/test").Page, label: string) =>
  page.getByRole("group", { name: label, exact: true }).locator("[data-stat-value]");

// One test per page, each with its own timeout: a page that renders slowly on a
// busy machine fails alone and by name, never by eating another page's budget.
type PageIds = { run: number; deployment: number; team: string };
// The overview, a team, /training, /inference, /reports and /settings are
// checked with axe at phone and laptop widths in layout.spec.ts; these are the
// pages it doesn't cover, at a desktop width.
const pages: [string, (ids: PageIds) => string][] = [
  ["teams", () => "/teams"],
  ["training-run", (ids) => `/training/${ids.run}`],
  ["deployment", (ids) => `/inference/${ids.deployment}`],
];

for (const [name, pathOf] of pages) {
  test(`the ${name} page renders, has no serious accessibility violation, and is screenshotted`, async ({ page, sql }) => {
    const { rows: [ids] } = await sql.query<PageIds>(
      `select (select min(id) from training_runs) as run, (select min(id) from inference_deployments) as deployment, (select min(slug) from teams) as team`,
    );
    const path = pathOf(ids!);
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByText("Something went wrong")).toHaveCount(0);
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), path).toEqual([]);
    await screenshot(page, `page-${name}`);
  });
}

for (const path of ["/teams/no-such-team", "/training/999999", "/inference/999999", "/training/abc"]) {
  test(`${path} is not found, with status 404`, async ({ page, request }) => {
    // The status and the document as served (fast); the first also as a person sees it.
    const response = await request.get(path);
    expect(response.status()).toBe(404);
    expect(await response.text()).toContain("There is nothing at this address");
    if (path !== "/training/999999") return;
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  });
}

test("filters change the URL and the figures, and back/forward restore them", async ({ page }) => {
  // A closed month no spec writes to, so the figures hold still.
  const month = quietMonth();
  await page.goto(`/?${month.query}`);
  const spend = kpi(page, "Spend");
  const whole = await spend.textContent();
  await page.getByRole("combobox", { name: "Team", exact: true }).selectOption({ label: "Research" });
  await expect(page).toHaveURL(/team=research/);
  await expect(page).toHaveURL(new RegExp(`from=${month.from}`));
  await expect(spend).not.toHaveText(whole!);
  const research = await spend.textContent();
  await page.goBack();
  await expect(page).not.toHaveURL(/team=/);
  await expect(spend).toHaveText(whole!);
  await expect(page.getByRole("combobox", { name: "Team", exact: true })).toHaveValue("");
  await page.goForward();
  await expect(page).toHaveURL(/team=research/);
  await expect(spend).toHaveText(research!);
  await expect(page.getByRole("combobox", { name: "Team", exact: true })).toHaveValue("research");
});

test("a team's figures equal the engine's on data the test seeded, and drill down to the run", async ({ page, sql }) => {
  const slug = `e2e-${Date.now().toString(36)}`;
  const { rows: [team] } = await sql.query<{ id: number }>(
    `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt")
     select id, $1, $1, 100, 'UTC', now() from orgs where slug = 'demo' returning id`,
    [slug],
  );
  const { rows: [gpu] } = await sql.query<{ id: number }>(`select g.id from gpu_types g join orgs o on o.id = g."orgId" where o.slug = 'demo' order by g.id limit 1`);
  // 4 GPUs × 1.5 h × $3.00 = $18.00 compute, + $2.50 storage = $20.50.
  await sql.query(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
       "pricePerGpuHourOverride", "storageCostUsd", "updatedAt")
     values ($1, $2, 'e2e-model', 'QLORA', 'BF16', $3, 'aws', 'ON_DEMAND', 4, now() - interval '2 hours', now() - interval '30 minutes', 'SUCCEEDED', 3, 2.5, now())`,
    [team!.id, `${slug}-run`, gpu!.id],
  );
  await page.goto(`/teams/${slug}?range=7d`);
  await expect(page.getByRole("heading", { level: 1, name: slug })).toBeVisible();
  await expect(kpi(page, "Spend")).toHaveText("$20.50");
  await expect(kpi(page, "Training")).toHaveText("$20.50");
  await expect(kpi(page, "Inference")).toHaveText("$0.00");
  await expect(kpi(page, "GPU-hours")).toHaveText("6.00");
  const runs = page.getByRole("table", { name: "Top training runs" });
  await expect(runs.getByRole("row").filter({ hasText: `${slug}-run` })).toContainText("$20.50");
  await runs.getByRole("link", { name: `${slug}-run` }).click();
  await expect(page.getByRole("heading", { level: 1, name: `${slug}-run` })).toBeVisible();
  await expect(page.getByText("$20.50").first()).toBeVisible();
  await expect(page.getByText("$18.00").first()).toBeVisible();
  await screenshot(page, "drill-down-run");
});

test("a deployment row drills down to its detail page", async ({ page }) => {
  await page.goto("/inference");
  const first = page.getByRole("table", { name: "Inference deployments" }).getByRole("link").first();
  const name = (await first.textContent())!;
  await first.click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("img", { name: /Latency p50, p95 and p99/ })).toBeVisible();
});
