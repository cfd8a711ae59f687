import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, localInput, screenshot, seedTeamAndGpu, test } from "./fixtures";

// Inference record keeping by hand, as a person does it: create a deployment,
// enter a few days of its usage from the keyboard (Enter saves and opens the
// next day), watch the cost preview catch a unit slip, and find the usage and
// its cost on the deployment page; then collide with a colleague's edit, and
// delete and undo a period and the deployment.

const DAY_MS = 86_400_000;

/** The notice a write's redirect shows (not the loading skeletons, which are statuses too). */
// The notice banner, not a streaming section's skeleton ("Loading", "Loading suggestions", …), which is a status too.
const notice = (page: Page) => page.getByRole("status").and(page.locator(":not([aria-label^='Loading'])"));

async function expectNoAxeViolations(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), label).toEqual([]);
}

/** Types one day's totals, field by field with Tab, starting in Requests. */
async function typeDay(page: Page, values: string[]) {
  await expect(page.getByRole("textbox", { name: "Requests" })).toBeFocused();
  for (const [i, value] of values.entries()) {
    if (i > 0) await page.keyboard.press("Tab");
    await page.keyboard.type(value);
  }
}

test("a person records a deployment and three days of its usage by keyboard, and finds usage and cost on its page", async ({ page, sql }) => {
  // A whole task of a dozen page loads and saves: it gets three test budgets.
  test.slow();
  const { slug, gpuName, orgTimeZone } = await seedTeamAndGpu(sql, "e2e-inf");
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const activeFrom = new Date(today - 4 * DAY_MS);
  const name = `${slug}-chat`;

  await page.goto("/inference");
  await page.getByRole("link", { name: "New deployment" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New inference deployment" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Name" })).toBeFocused();
  await page.keyboard.type(name);
  await page.getByRole("combobox", { name: "Team" }).selectOption({ label: slug });
  await page.getByRole("textbox", { name: "Model" }).fill("meta-llama/Llama-3.1-8B-Instruct");
  await page.getByRole("combobox", { name: "GPU type" }).selectOption({ label: gpuName });
  // The GPU type's catalog provider and pricing model are chosen with it.
  await expect(page.getByRole("combobox", { name: "Provider" })).toHaveValue("aws");
  await expect(page.getByRole("combobox", { name: "Pricing model" })).toHaveValue("ON_DEMAND");
  await page.getByRole("textbox", { name: "GPU count" }).fill("2");
  await page.getByLabel("Active from").fill(localInput(activeFrom, orgTimeZone));
  const deploymentPreview = page.getByRole("region", { name: "What its GPUs cost" });
  // 2 GPUs × $2.00 catalog = $4.00 an hour, $96.00 a day.
  await expect(deploymentPreview.locator('[data-preview="Per hour"]')).toHaveText("$4.00");
  await expect(deploymentPreview.locator('[data-preview="Per day"]')).toHaveText("$96.00");
  await screenshot(page, "deployments-new");
  await expectNoAxeViolations(page, "new deployment form");
  await page.keyboard.press("Control+Enter");
  await expect(page).toHaveURL(/\/inference\/\d+\?notice=created/);
  await expect(notice(page)).toHaveText("Saved.");
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("region", { name: "Usage records", exact: true })).toContainText("No usage recorded in this range");

  // Day 1: the form starts where the deployment went live, one day long.
  await page.getByRole("region", { name: "Usage records", exact: true }).getByRole("link", { name: "Add usage" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Add usage to “${name}”` })).toBeVisible();
  // The usage form is in the view's zone (the org's by default), like every record form — not the team's.
  await expect(page.getByLabel("Start")).toHaveValue(localInput(activeFrom, orgTimeZone));
  await expect(page.getByRole("combobox", { name: "Length" })).toHaveValue("86400");
  await page.getByRole("textbox", { name: "Requests" }).focus();
  // Tokens typed in millions by mistake: the preview flags it before saving.
  await typeDay(page, ["100000", "50", "80", "20", "20"]);
  const preview = page.getByRole("region", { name: "Cost of this period" });
  await expect(preview.locator('[data-preview="Cost"]')).toHaveText("$96.00");
  await expect(preview).toContainText("were tokens entered in millions or thousands?");
  await screenshot(page, "deployments-usage-unit-slip");
  await expectNoAxeViolations(page, "usage form with a warning");
  for (const [field, value] of [["Input tokens", "80000000"], ["Cached input tokens", "20000000"], ["Output tokens", "20000000"]] as const) {
    await page.getByRole("textbox", { name: field, exact: true }).fill(value);
  }
  await page.getByRole("textbox", { name: "GPU utilization" }).focus();
  await page.keyboard.type("40");
  for (const [field, value] of [["p50 latency", "150"], ["p95 latency", "400"], ["p99 latency", "900"]] as const) {
    await page.keyboard.press("Tab");
    await expect(page.getByRole("textbox", { name: field })).toBeFocused();
    await page.keyboard.type(value);
  }
  // $96.00 over 100M tokens and 100k requests: $0.96 each; 60% of the GPU time idle.
  await expect(preview.locator('[data-preview="$/1M tokens"]')).toHaveText("$0.96");
  await expect(preview.locator('[data-preview="$/1k requests"]')).toHaveText("$0.96");
  await expect(preview.locator('[data-preview="Idle cost"]')).toHaveText("$57.60 (60.0%)");
  await expect(preview.getByRole("listitem")).toHaveCount(0);
  await screenshot(page, "deployments-usage-day-1");
  await page.keyboard.press("Enter");

  // Days 2 and 3: Enter saved and opened the next day, focus in Requests.
  await expect(page).toHaveURL(/\/usage\/new\?start=\d+&seconds=86400&saved=\d+/);
  await expect(notice(page)).toContainText("Saved usage for");
  await expect(page.getByLabel("Start")).toHaveValue(localInput(new Date(activeFrom.getTime() + DAY_MS), orgTimeZone));
  await typeDay(page, ["120000", "0", "96000000", "0", "24000000"]);
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Start")).toHaveValue(localInput(new Date(activeFrom.getTime() + 2 * DAY_MS), orgTimeZone));
  await typeDay(page, ["80000", "10", "64000000", "16000000", "16000000"]);
  await page.getByRole("button", { name: "Save and finish" }).click();

  await expect(page).toHaveURL(/\/inference\/\d+\?notice=created#usage/);
  const usage = page.getByRole("region", { name: "Usage records", exact: true });
  await expect(usage).toContainText("3 records in this range · 300,000 requests · 300,000,000 tokens");
  const rows = usage.getByRole("row");
  // Newest first; each day costs its 48 GPU-hours at $2.00.
  // Times in the view's zone: the org's by default.
  await expect(rows.nth(1)).toContainText(localInput(new Date(activeFrom.getTime() + 2 * DAY_MS), orgTimeZone).replace("T", " "));
  await expect(rows.nth(1)).toContainText("80,000");
  await expect(rows.nth(3)).toContainText("150 ms / 400 ms / 900 ms");
  await expect(rows.nth(3)).toContainText("$96.00");
  await expect(rows.nth(2)).toContainText("$0.80");
  // The dashboard summary reads the rollups these writes maintained: 36M of 240M input tokens were cached.
  const summaryValue = (term: string) => page.locator("dl > div").filter({ has: page.getByText(term, { exact: true }) }).locator("dd").first();
  await expect(summaryValue("Cached input tokens")).toHaveText("15.0%");
  await expect(summaryValue("GPU utilization")).not.toHaveText("—");
  const history = page.locator("section").filter({ has: page.getByRole("heading", { name: "History", exact: true }) });
  await expect(history.getByText("Usage created", { exact: true })).toHaveCount(3);
  await screenshot(page, "deployments-page-with-usage");
  await expectNoAxeViolations(page, "deployment page with usage");

  await page.goto(`/inference?team=${slug}&range=7d`);
  await expect(page.getByRole("row").filter({ hasText: name })).toBeVisible();
});

test("a usage edit that collides with a colleague's is refused with both shown; a period and the deployment can be deleted and undone", async ({ browser, page, sql }) => {
  // A whole task of a dozen page loads and saves: it gets three test budgets.
  test.slow();
  const { slug, teamId, gpuId } = await seedTeamAndGpu(sql, "e2e-inf");
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const { rows: [deployment] } = await sql.query<{ id: number }>(
    `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
     values ($1, $2, 'm', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 1, $4, now()) returning id`,
    [teamId, `${slug}-shared`, gpuId, new Date(today - 3 * DAY_MS)],
  );
  const id = deployment!.id;
  for (const day of [3, 2]) {
    await sql.query(
      `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens")
       values ($1, $2, 86400, 1000, 0, 500000, 0, 100000)`,
      [id, new Date(today - day * DAY_MS)],
    );
  }
  const first = today - 3 * DAY_MS;

  const ada = await (await browser.newContext()).newPage();
  const max = await (await browser.newContext()).newPage();
  await ada.goto(`/inference/${id}/usage/${first}/edit`);
  await max.goto(`/inference/${id}/usage/${first}/edit`);
  await expect(max.getByRole("textbox", { name: "Requests" })).toBeFocused();
  await max.getByRole("textbox", { name: "Requests" }).fill("1500");
  await max.keyboard.press("Enter");
  await expect(max).toHaveURL(/notice=saved#usage/);

  await ada.getByRole("textbox", { name: "Errors" }).fill("7");
  await ada.getByRole("button", { name: "Save changes" }).click();
  const conflict = ada.getByRole("alert").filter({ hasText: "changed since you opened it" });
  await expect(conflict).toBeVisible();
  await expect(conflict.getByRole("row").filter({ hasText: "Requests" })).toContainText("1500");
  await expect(conflict.getByRole("row").filter({ hasText: "Errors" })).toContainText("7");
  await expect(ada.getByRole("textbox", { name: "Errors" })).toHaveValue("7");
  await screenshot(ada, "deployments-usage-conflict");
  await ada.getByRole("textbox", { name: "Requests" }).fill("1500");
  await conflict.getByRole("button", { name: "Save mine over it" }).click();
  await expect(ada).toHaveURL(/notice=saved/);
  const { rows: [saved] } = await sql.query(`select requests::int, errors::int, version from inference_usage_windows where "deploymentId" = $1 and "windowStart" = $2`, [id, new Date(first)]);
  expect(saved).toEqual({ requests: 1500, errors: 7, version: 3 });

  // An overlapping period is refused on the field, naming the recorded one.
  await page.goto(`/inference/${id}/usage/new?start=${first + 6 * 3_600_000}&seconds=3600`);
  await page.getByRole("textbox", { name: "Requests" }).fill("1");
  await page.getByRole("textbox", { name: "Input tokens", exact: true }).fill("1");
  await page.getByRole("textbox", { name: "Output tokens" }).fill("1");
  await page.keyboard.press("Enter");
  await expect(page.getByText(/Overlaps the usage recorded for .* periods of one deployment can't overlap/).first()).toBeVisible();
  await expect(page.getByLabel("Start")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Start")).toHaveAttribute("aria-describedby", /windowStart-error/);
  await expectNoAxeViolations(page, "usage form with a field error");

  // Delete one period from its row, then undo.
  await page.goto(`/inference/${id}`);
  const usage = page.getByRole("region", { name: "Usage records", exact: true });
  await expect(usage.getByRole("row")).toHaveCount(3);
  await usage.getByRole("button", { name: /^Delete usage / }).first().click();
  const dialog = page.getByRole("dialog", { name: /^Delete usage period “/ });
  await expect(dialog.getByRole("button", { name: "Keep it" })).toBeFocused();
  await dialog.getByRole("button", { name: "Delete usage period" }).click();
  await expect(page).toHaveURL(new RegExp(`/inference/${id}\\?deleted=\\d+`));
  await expect(notice(page)).toContainText("deleted.");
  await expect(usage.getByRole("row")).toHaveCount(2);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page).toHaveURL(new RegExp(`/inference/${id}\\?notice=restored`));
  await expect(usage.getByRole("row")).toHaveCount(3);

  // Delete the deployment with its usage, land on the list, undo.
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("dialog", { name: `Delete deployment “${slug}-shared”?` }).getByRole("button", { name: "Delete deployment" }).click();
  await expect(page).toHaveURL(/\/inference\?deleted=\d+/);
  await expect(notice(page)).toContainText(`Deployment ${slug}-shared deleted.`);
  expect((await sql.query(`select 1 from inference_usage_windows where "deploymentId" = $1`, [id])).rowCount).toBe(0);
  await screenshot(page, "deployments-deleted-undo");
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page).toHaveURL(new RegExp(`/inference/${id}\\?notice=restored`));
  await expect(page.getByRole("region", { name: "Usage records", exact: true }).getByRole("row")).toHaveCount(3);
});

for (const path of ["/inference/abc/edit", "/inference/999999/usage/new", "/inference/1/usage/yesterday/edit", "/inference/1/usage/2026-02-30T00:00:00Z/edit", "/inference/1/usage/1/edit"]) {
  test(`malformed address ${path} is not found`, async ({ request }) => {
    const response = await request.get(path);
    expect(response.status()).toBe(404);
    // The not-found page as served (its text may sit in the RSC payload rather than the HTML).
    expect(await response.text()).toContain("There is nothing at this address");
  });
}
