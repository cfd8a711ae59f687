import { AxeBuilder } from "@axe-core/playwright";
import { expect, screenshot, test } from "./fixtures";

const HEADER = "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status,storage_cost_usd";

/** "2026-11-21 07:40" in UTC, `minutesAgo` before now: a time written without an offset, as spreadsheets do. */
function utcWallTime(minutesAgo: number): string {
  const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000);
  return at.toISOString().slice(0, 16).replace("T", " ");
}

function csv(rows: string[]): { name: string; mimeType: string; buffer: Buffer } {
  return { name: "runs.csv", mimeType: "text/csv", buffer: Buffer.from([HEADER, ...rows].join("\r\n"), "utf8") };
}

test("a CSV import with errors lists them by row and column and writes nothing; the fixed file imports", async ({ page, sql }) => {
  // A whole task of a dozen page loads and saves: it gets three test budgets.
  test.slow();
  const suffix = Date.now().toString(36);
  const { rows: [gpu] } = await sql.query<{ name: string }>(`select g.name from gpu_types g join orgs o on o.id = g."orgId" where o.slug = 'demo' order by g.id limit 1`);
  const [start, end] = [utcWallTime(20), utcWallTime(5)];
  const run = (name: string, { team = "research", gpus = "8" } = {}) => `${team},${name},e2e-model,LoRA,BF16,${gpu!.name},aws,On-demand,${gpus},${start},${end},Succeeded,2.50`;
  const names = [`e2e-import-${suffix}-a`, `e2e-import-${suffix}-b`, `e2e-import-${suffix}-c`];
  const countImported = async () =>
    Number((await sql.query<{ n: string }>(`select count(*)::text as n from training_runs where name like $1`, [`e2e-import-${suffix}-%`])).rows[0]!.n);

  await page.goto("/import");
  await expect(page.getByRole("heading", { level: 1, name: "Import CSV" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Import" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("radio", { name: "Training runs" })).toBeChecked();
  await page.getByLabel("Times without a UTC offset are in").selectOption("UTC");

  // A semicolon-separated export gets one message saying so.
  await page.getByLabel("CSV file").setInputFiles({ name: "runs.csv", mimeType: "text/csv", buffer: Buffer.from("team;name;model\nresearch;x;y\n") });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByRole("heading", { name: "runs.csv can't be imported" })).toBeVisible();
  await expect(page.getByText("This file is separated by semicolons; export it as comma-separated values")).toBeVisible();

  // Two bad rows among good ones: each problem with its row and column; nothing can be imported.
  await page.getByLabel("CSV file").setInputFiles(csv([run(names[0]!), run(names[1]!, { gpus: "0" }), run(names[2]!, { team: "no-such-team" })]));
  await page.getByRole("button", { name: "Check file" }).click();
  const problems = page.getByRole("table", { name: "Problems in runs.csv" });
  await expect(problems).toBeVisible();
  await expect(problems.getByRole("row")).toHaveCount(3);
  const cells = (row: number) => problems.getByRole("row").nth(row).getByRole("cell");
  await expect(cells(1)).toHaveText(["3", "gpu_count (I)", "GPU count must be at least 1"]);
  await expect(cells(2)).toHaveText(["4", "team (A)", /^No team "no-such-team" in this organization/]);
  await expect(page.getByText("2 problems to fix before anything can be imported.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Import 3 rows" })).toBeDisabled();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await screenshot(page, "import-errors");
  expect(await countImported()).toBe(0);

  // The fixed file: a clean preview, then the import with its result and a way to the runs.
  await page.getByLabel("CSV file").setInputFiles(csv([run(names[0]!), run(names[1]!), run(names[2]!)]));
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByText("Every row is valid.")).toBeVisible();
  const preview = page.getByRole("table", { name: "First rows of runs.csv as they would be imported" });
  await expect(preview.getByRole("row").filter({ hasText: names[0]! })).toContainText("New");
  await expect(preview.getByRole("row").filter({ hasText: names[0]! })).toContainText(end.slice(0, 10));
  await page.getByRole("button", { name: "Import 3 rows" }).click();
  await expect(page.getByRole("heading", { name: "Imported runs.csv" })).toBeVisible();
  await expect(page.getByText("3 new records, 0 updated, 0 unchanged — 3 rows in all.")).toBeVisible();
  await screenshot(page, "import-done");
  expect(await countImported()).toBe(3);
  const { rows: [stored] } = await sql.query<{ startedAt: Date }>(`select "startedAt" from training_runs where name = $1`, [names[0]]);
  expect(stored!.startedAt.toISOString().slice(0, 16).replace("T", " ")).toBe(start);

  await page.getByRole("link", { name: "View training runs" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Training runs" })).toBeVisible();
  await expect(page.getByRole("link", { name: names[0]! })).toBeVisible();

  // Importing the same file again changes nothing.
  await page.goto("/import");
  await page.getByLabel("Times without a UTC offset are in").selectOption("UTC");
  await page.getByLabel("CSV file").setInputFiles(csv([run(names[0]!), run(names[1]!), run(names[2]!)]));
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByRole("table", { name: "First rows of runs.csv as they would be imported" }).getByRole("row").filter({ hasText: names[0]! })).toContainText("Unchanged");
  await page.getByRole("button", { name: "Import 3 rows" }).click();
  await expect(page.getByText("0 new records, 0 updated, 3 unchanged — 3 rows in all.")).toBeVisible();
  expect(await countImported()).toBe(3);
});
