import type { Page } from "@playwright/test";
import { expect, localInput, screenshot, seedTeamAndGpu, test } from "./fixtures";

// Record keeping by hand, as a person does it: enter a run with the keyboard,
// watch the cost preview, save, and find the same cost on the dashboards;
// then collide with a colleague's edit, and delete and undo.

const kpi = (page: Page, label: string) => page.getByRole("group", { name: label, exact: true }).locator("[data-stat-value]");

test("a person enters a run by hand, sees the cost preview, and finds the same cost on the dashboards", async ({ page, sql }) => {
  const { slug, gpuName, orgTimeZone: timeZone } = await seedTeamAndGpu(sql, "e2e-rec");
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000);
  const start = new Date(end.getTime() - 2 * 3_600_000);
  const runName = `${slug}-run`;

  await page.goto("/training");
  await page.getByRole("link", { name: "New run" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New training run" })).toBeVisible();
  // The name field has focus: the whole form can be filled from the keyboard.
  await expect(page.getByRole("textbox", { name: "Name" })).toBeFocused();
  await page.keyboard.type(runName);
  await page.getByRole("combobox", { name: "Team" }).selectOption({ label: slug });
  await page.getByRole("combobox", { name: "Status" }).selectOption("SUCCEEDED");
  await page.getByRole("textbox", { name: "Model" }).fill("Llama-3.1-8B");
  await page.getByRole("combobox", { name: "Method" }).selectOption("LORA");
  await page.getByLabel("Start").fill(localInput(start, timeZone));
  await page.getByLabel("End", { exact: true }).fill(localInput(end, timeZone));
  await page.getByRole("combobox", { name: "GPU type" }).selectOption({ label: gpuName });
  await page.getByRole("textbox", { name: "GPU count" }).fill("4");
  await page.getByRole("textbox", { name: "Storage cost" }).fill("1.25");

  // 4 GPUs × 2 h × $2.00 catalog = $16.00, + $1.25 storage = $17.25.
  const preview = page.getByRole("region", { name: "Cost this run adds" });
  await expect(preview.locator('[data-preview="GPU-hours"]')).toHaveText("8.00 GPU-h");
  await expect(preview.locator('[data-preview="Total"]')).toHaveText("$17.25");
  // A per-node price typed as an override is flagged before saving.
  await page.getByRole("textbox", { name: "Price override" }).fill("16");
  await expect(preview).toContainText("8.0× the catalog price");
  await page.getByRole("textbox", { name: "Price override" }).fill("");
  await screenshot(page, "records-new-run");

  await page.keyboard.press("Control+Enter");
  await expect(page).toHaveURL(/\/training\/\d+\?notice=created/);
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: runName })).toBeVisible();
  await expect(page.getByText("$17.25").first()).toBeVisible();
  await expect(page.getByRole("region", { name: "History" }).or(page.locator("section", { hasText: "History" })).getByText("Created")).toBeVisible();

  await page.goto(`/training?team=${slug}&range=7d`);
  await expect(page.getByRole("row").filter({ hasText: runName })).toContainText("$17.25");
  await page.goto(`/teams/${slug}?range=7d`);
  await expect(kpi(page, "Spend")).toHaveText("$17.25");
  await expect(kpi(page, "GPU-hours")).toHaveText("8.00");
});

test("an edit that collides with a colleague's is refused with both versions shown, and neither is lost", async ({ browser, sql }) => {
  const { slug, teamId, gpuId } = await seedTeamAndGpu(sql, "e2e-rec");
  const { rows: [run] } = await sql.query<{ id: number }>(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
     values ($1, $2, 'm', 'LORA', 'BF16', $3, 'aws', 'ON_DEMAND', 4, now() - interval '3 hours', now() - interval '1 hour', 'SUCCEEDED', now()) returning id`,
    [teamId, `${slug}-shared`, gpuId],
  );
  const ada = await (await browser.newContext()).newPage();
  const max = await (await browser.newContext()).newPage();
  await ada.goto(`/training/${run!.id}/edit`);
  await max.goto(`/training/${run!.id}/edit`);

  await max.getByRole("textbox", { name: "GPU count" }).fill("16");
  await max.getByRole("button", { name: "Save changes" }).click();
  await expect(max).toHaveURL(/notice=saved/);

  await ada.getByRole("textbox", { name: "Notes" }).fill("Checkpoint at step 900");
  await ada.getByRole("button", { name: "Save changes" }).click();
  const conflict = ada.getByRole("alert").filter({ hasText: "changed since you opened it" });
  await expect(conflict).toBeVisible();
  await expect(conflict.getByRole("row").filter({ hasText: "GPU count" })).toContainText("16");
  await expect(conflict.getByRole("row").filter({ hasText: "Notes" })).toContainText("Checkpoint at step 900");
  await expect(ada.getByRole("textbox", { name: "Notes" })).toHaveValue("Checkpoint at step 900");
  await screenshot(ada, "records-edit-conflict");

  // Ada takes Max's GPU count into her form and saves over the newer version on purpose.
  await ada.getByRole("textbox", { name: "GPU count" }).fill("16");
  await conflict.getByRole("button", { name: "Save mine over it" }).click();
  await expect(ada).toHaveURL(/notice=saved/);
  const { rows: [saved] } = await sql.query(`select "gpuCount", notes, version from training_runs where id = $1`, [run!.id]);
  expect(saved).toEqual({ gpuCount: 16, notes: "Checkpoint at step 900", version: 3 });
  await expect(ada.getByText("Edited")).toHaveCount(2);
});

test("a deleted run can be undone from the notice", async ({ page, sql }) => {
  const { slug, teamId, gpuId } = await seedTeamAndGpu(sql, "e2e-rec");
  const { rows: [run] } = await sql.query<{ id: number }>(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
     values ($1, $2, 'm', 'LORA', 'BF16', $3, 'aws', 'ON_DEMAND', 2, now() - interval '3 hours', now() - interval '1 hour', 'SUCCEEDED', now()) returning id`,
    [teamId, `${slug}-doomed`, gpuId],
  );
  await page.goto(`/training/${run!.id}`);
  await page.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete run “${slug}-doomed”?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Keep it" })).toBeFocused();
  await dialog.getByRole("button", { name: "Delete run" }).click();
  await expect(page).toHaveURL(/\/training\?deleted=\d+/);
  await expect(page.getByRole("status").filter({ hasText: `Run ${slug}-doomed deleted.` })).toBeVisible();
  expect((await sql.query(`select 1 from training_runs where id = $1`, [run!.id])).rowCount).toBe(0);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page).toHaveURL(new RegExp(`/training/${run!.id}\\?notice=restored`));
  await expect(page.getByRole("heading", { level: 1, name: `${slug}-doomed` })).toBeVisible();
  await expect(page.getByText("Restored", { exact: true })).toBeVisible();
});
