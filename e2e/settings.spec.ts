import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { formatDateTime } from "../lib/domain/labels";
import { expect, screenshot, test } from "./fixtures";

// Settings as a person keeps it: add a team from the keyboard, add a new
// price that ends the previous one, find both in Settings, then delete the
// team and undo it.

/** The notice a write's redirect shows (not the loading skeletons, which are statuses too). */
// The notice banner, not a streaming section's skeleton ("Loading", "Loading suggestions", …), which is a status too.
const notice = (page: Page) => page.getByRole("status").and(page.locator(":not([aria-label^='Loading'])"));

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

test("a person adds a team and a price (ending the previous one), sees them in Settings, deletes the team and undoes it", async ({ page, sql }) => {
  // A whole task of a dozen page loads and saves: it gets three test budgets.
  test.slow();
  const suffix = Date.now().toString(36);
  const teamName = `Platform ${suffix}`;
  const slug = `platform-${suffix}`;
  const { rows: [org] } = await sql.query<{ id: number; timeZone: string }>(`select id, "timeZone" from orgs where slug = 'demo'`);
  const gpuName = `E2E GPU ${suffix}`;
  const { rows: [gpu] } = await sql.query<{ id: number }>(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, $2, 80, 989.5, 3350) returning id`,
    [org!.id, gpuName],
  );
  await sql.query(`insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 2.00, '2025-01-01T00:00:00Z')`, [gpu!.id]);

  // A team, from the keyboard: the slug follows the name.
  await page.goto("/settings");
  await page.getByRole("link", { name: "New team" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New team" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Name" })).toBeFocused();
  await page.keyboard.type(teamName);
  await expect(page.getByRole("textbox", { name: "Slug" })).toHaveValue(slug);
  await page.getByRole("textbox", { name: "Monthly budget" }).fill("25000");
  await page.getByRole("combobox", { name: "Time zone" }).fill("Asia/Kolkata");
  await expect(page.getByText("UTC+05:30 now")).toBeVisible();
  // A budget with a thousands separator is flagged as soon as the field is left.
  await page.getByRole("textbox", { name: "Monthly budget" }).fill("25,000");
  await page.keyboard.press("Tab");
  await expect(page.getByText("Monthly budget must be a plain number like 12.50, without $ or thousands separators")).toBeVisible();
  await page.getByRole("textbox", { name: "Monthly budget" }).fill("25000");
  await expectNoAxeViolations(page);
  await screenshot(page, "settings-new-team");
  await page.keyboard.press("Control+Enter");
  await expect(page).toHaveURL(/\/settings\?notice=created/);
  await expect(notice(page)).toHaveText("Saved.");
  const teamRow = page.getByRole("row").filter({ hasText: teamName });
  await expect(teamRow).toContainText(slug);
  await expect(teamRow).toContainText("Asia/Kolkata");
  await expect(teamRow).toContainText("$25,000.00");

  // A new price for the GPU, ending the current one when it takes effect.
  await page.getByRole("link", { name: `Add price for ${gpuName}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Add price for ${gpuName}` })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Provider" })).toHaveValue("aws");
  await expect(page.getByRole("textbox", { name: "Price per GPU-hour" })).toBeFocused();
  const since = formatDateTime({ instant: new Date("2025-01-01T00:00:00Z"), timeZone: org!.timeZone });
  await expect(page.getByText(`Current: $2.00 / GPU-h since ${since}`)).toBeVisible();
  await page.keyboard.type("2.40");
  const endCurrent = page.getByRole("checkbox", { name: "End the current price when this one takes effect" });
  await expect(endCurrent).toBeChecked();
  // Without ending it, the new price would overlap: the form says so before anything is sent.
  await endCurrent.uncheck();
  await page.keyboard.press("Control+Enter");
  const summary = page.getByRole("alert").filter({ hasText: "needs attention" });
  // Times in messages are in the form's zone (the org's here), named.
  await expect(summary).toContainText(`Effective from: Overlaps the On-demand price for this GPU on aws in effect from ${since} (${org!.timeZone})`);
  await endCurrent.check();
  await expect(summary).toHaveCount(0);
  await screenshot(page, "settings-new-price");
  await page.getByRole("button", { name: "Add price" }).click();
  await expect(page).toHaveURL(/\/settings\?notice=created#prices/);
  const priceRows = page.getByRole("table", { name: "GPU price catalog" }).getByRole("row").filter({ hasText: gpuName });
  await expect(priceRows).toHaveCount(2);
  await expect(priceRows.nth(0)).toContainText("$2.00 / GPU-h");
  await expect(priceRows.nth(0)).not.toContainText("no end");
  await expect(priceRows.nth(1)).toContainText("$2.40 / GPU-h");
  await expect(priceRows.nth(1)).toContainText("no end");
  const { rows: periods } = await sql.query<{ price: string; to: Date | null; from: Date }>(
    `select "pricePerGpuHour"::text as price, "effectiveFrom" as from, "effectiveTo" as to from gpu_prices where "gpuTypeId" = $1 order by "effectiveFrom"`,
    [gpu!.id],
  );
  expect(periods.map((p) => p.price)).toEqual(["2.000000", "2.400000"]);
  expect(periods[0]!.to).toEqual(periods[1]!.from);
  expect(periods[1]!.to).toBeNull();
  await expectNoAxeViolations(page);
  await screenshot(page, "settings-after-price");

  // Delete the (empty) team from its page, see it in Recently deleted, and undo.
  await teamRow.getByRole("link", { name: `Edit team ${teamName}` }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/teams/${slug}/edit`));
  await expect(page.locator("section", { hasText: "History" }).getByText("Created")).toBeVisible();
  await page.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete team “${teamName}”?` });
  await expect(dialog.getByRole("button", { name: "Keep it" })).toBeFocused();
  await dialog.getByRole("button", { name: "Delete team" }).click();
  await expect(page).toHaveURL(/\/settings\?deleted=\d+/);
  await expect(notice(page)).toContainText(`Team ${teamName} deleted.`);
  await expect(page.getByRole("row").filter({ hasText: teamName })).toHaveCount(0);
  const deletedItem = page.locator("section", { hasText: "Recently deleted" }).getByRole("listitem").filter({ hasText: `Team ${teamName}` });
  await expect(deletedItem).toContainText(/(29|30) days left/);
  await screenshot(page, "settings-deleted-team");
  await notice(page).getByRole("button", { name: "Undo" }).click();
  await expect(page).toHaveURL(/\/settings\?notice=restored/);
  await expect(notice(page)).toHaveText("Restored.");
  await expect(page.getByRole("row").filter({ hasText: teamName })).toContainText(slug);
  await expect(page.locator("section", { hasText: "Recently deleted" }).getByText(`Team ${teamName}`)).toHaveCount(0);
});

test("a team with runs can't be deleted, and renaming its slug moves its edit page", async ({ page, sql }) => {
  const suffix = Date.now().toString(36);
  const { rows: [org] } = await sql.query<{ id: number }>(`select id from orgs where slug = 'demo'`);
  const { rows: [team] } = await sql.query<{ id: number }>(
    `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $2, 1000, 'UTC', now()) returning id`,
    [org!.id, `busy-${suffix}`],
  );
  const { rows: [gpu] } = await sql.query<{ id: number }>(`select id from gpu_types where "orgId" = $1 order by id limit 1`, [org!.id]);
  await sql.query(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
     values ($1, 'r', 'm', 'LORA', 'BF16', $2, 'aws', 'ON_DEMAND', 1, now() - interval '2 hours', now() - interval '1 hour', 'SUCCEEDED', now())`,
    [team!.id, gpu!.id],
  );
  await page.goto(`/settings/teams/busy-${suffix}/edit`);
  await expect(page.getByText("It has 1 training run.", { exact: false })).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete…" })).toHaveCount(0);
  await expect(page.getByText("Can't be deleted while it has runs or deployments")).toBeVisible();

  await page.getByRole("textbox", { name: "Slug" }).fill(`busy-${suffix}-2`);
  await expect(page.getByText(`The team's pages move to /teams/busy-${suffix}-2`)).toBeVisible();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/teams/busy-${suffix}-2/edit\\?notice=saved`));
  await expect(page.locator("section", { hasText: "History" }).getByText("Edited")).toBeVisible();
  // The old address still arrives at the team.
  await page.goto(`/settings/teams/busy-${suffix}/edit`);
  await expect(page).toHaveURL(new RegExp(`/settings/teams/busy-${suffix}-2/edit`));
});

test("a GPU type from a preset, deleted with its price and restored by Undo; a price in use says what it reprices", async ({ page, sql }) => {
  // A whole task of a dozen page loads and saves: it gets three test budgets.
  test.slow();
  const name = "MI300X 192GB";
  await page.goto("/settings");
  await page.getByRole("link", { name: "New GPU type" }).click();
  await expect(page.getByRole("combobox", { name: "Name" })).toBeFocused();
  await page.keyboard.type(name);
  // A known GPU fills its datasheet specs.
  await expect(page.getByRole("textbox", { name: "Memory", exact: true })).toHaveValue("192");
  await expect(page.getByRole("textbox", { name: "Peak BF16 TFLOPS" })).toHaveValue("1307.4");
  await expect(page.getByRole("textbox", { name: "Memory bandwidth" })).toHaveValue("5300");
  await page.keyboard.press("Control+Enter");
  await expect(page).toHaveURL(/\/settings\/gpu-types\/\d+\/edit\?notice=created/);
  const gpuTypeId = Number(/gpu-types\/(\d+)/.exec(page.url())![1]);

  await page.getByRole("link", { name: "Add price" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Add price for ${name}` })).toBeVisible();
  await page.getByRole("combobox", { name: "Provider" }).fill("aws");
  await page.getByRole("textbox", { name: "Price per GPU-hour" }).fill("3.00");
  await page.getByLabel("Effective from").fill("2025-01-01T00:00");
  await expect(page.getByText("starts in the past: work already recorded from then on is costed at this price")).toBeVisible();
  await page.getByRole("button", { name: "Add price" }).click();
  await expect(page).toHaveURL(/\/settings\?notice=created/);

  await page.goto(`/settings/gpu-types/${gpuTypeId}/edit`);
  await page.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete GPU type “${name}”?` });
  await expect(dialog).toContainText("Its 1 price is deleted with it, and come back with Undo.");
  await dialog.getByRole("button", { name: "Delete GPU type" }).click();
  await expect(page).toHaveURL(/\/settings\?deleted=\d+/);
  expect((await sql.query(`select 1 from gpu_prices where "gpuTypeId" = $1`, [gpuTypeId])).rowCount).toBe(0);
  await notice(page).getByRole("button", { name: "Undo" }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/gpu-types/${gpuTypeId}/edit\\?notice=restored`));
  await expect(page.getByRole("table", { name: "GPU price catalog" }).getByRole("row").filter({ hasText: "$3.00 / GPU-h" })).toHaveCount(1);
  await expect(page.locator("section", { hasText: "History" }).getByText("Restored")).toBeVisible();

  // A run on this GPU, provider and pricing model now takes its price from this row.
  const { rows: [team] } = await sql.query<{ id: number }>(`select t.id from teams t join orgs o on o.id = t."orgId" where o.slug = 'demo' order by t.id limit 1`);
  await sql.query(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
     values ($1, 'mi300x-run', 'm', 'LORA', 'BF16', $2, 'aws', 'ON_DEMAND', 8, '2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z', 'SUCCEEDED', now())`,
    [team!.id, gpuTypeId],
  );
  await page.reload();
  await page.getByRole("link", { name: new RegExp(`^Edit price ${name} aws On-demand`) }).click();
  await expect(page.getByRole("note")).toContainText("Saving changes history. This changes the cost of 1 training run that ran in this period");
  await expectNoAxeViolations(page);
  await screenshot(page, "settings-edit-price");
  await page.getByRole("button", { name: "Delete…" }).click();
  await expect(page.getByRole("dialog")).toContainText("This changes the cost of 1 training run that ran in this period");
  await page.getByRole("dialog").getByRole("button", { name: "Keep it" }).click();
  await page.goto(`/settings/gpu-types/${gpuTypeId}/edit`);
  await expect(page.getByText("Can't be deleted while runs or deployments use it.")).toBeVisible();
  await screenshot(page, "settings-edit-gpu-type");
});
