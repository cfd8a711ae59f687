import type { Browser, Page } from "@playwright/test";
import { storageStateFor, type DemoRole } from "./auth";
import { expect, test } from "./fixtures";

// Each role sees only what it may (issue 13, req. 2 and 6). The demo users: a viewer, an
// editor and a team admin of Research, a viewer of Applied ML, an org admin.

async function asRole(browser: Browser, baseURL: string | undefined, role: DemoRole): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: storageStateFor(role) });
  return context.newPage();
}

async function runOf(sql: import("pg").Pool, team: string): Promise<{ id: number; name: string }> {
  const { rows } = await sql.query<{ id: number; name: string }>(
    `select r.id, r.name from training_runs r join teams t on t.id = r."teamId" join orgs o on o.id = t."orgId"
     where o.slug = 'demo' and t.slug = $1 order by r.id limit 1`,
    [team],
  );
  return rows[0]!;
}

test("a viewer reads their team only, finds no edit controls, and a forged edit is refused", async ({ browser, baseURL, sql }) => {
  const research = await runOf(sql, "research");
  const applied = await runOf(sql, "applied");
  const page = await asRole(browser, baseURL, "viewer");

  // Org-wide views add up only Research, and say so (other specs add teams as they run: "of N").
  await page.goto("/");
  await expect(page.getByText(/Showing 1 of \d+ teams/)).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Import" })).toHaveCount(0);
  await page.goto("/training");
  await expect(page.getByRole("link", { name: "New run" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Import CSV" })).toHaveCount(0);

  await page.goto(`/training/${research.id}`);
  await expect(page.getByRole("heading", { level: 1, name: research.name })).toBeVisible();
  await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Delete/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Duplicate" })).toHaveCount(0);
  await page.screenshot({ path: "test-results/screenshots/role-viewer-run.png", fullPage: true });

  // Another team's run doesn't exist for them; its edit page neither; their own team's edit page is refused.
  expect((await page.goto(`/training/${applied.id}`))!.status()).toBe(404);
  expect((await page.goto(`/training/${applied.id}/edit`))!.status()).toBe(404);
  expect([403, 404]).toContain((await page.goto(`/training/${research.id}/edit`))!.status());

  // Forged edit: the editor's form, submitted with the viewer's session.
  const editor = await asRole(browser, baseURL, "editor");
  expect((await editor.goto(`/training/${research.id}/edit`))!.status()).toBe(200);
  await editor.getByRole("textbox", { name: "Name" }).fill(`${research.name}-forged`);
  const viewerCookies = await page.context().cookies();
  await editor.context().clearCookies();
  await editor.context().addCookies(viewerCookies);
  await editor.getByRole("button", { name: "Save changes" }).click();
  await expect(editor.getByText(/may not|don't have access|not found/i).first()).toBeVisible();
  const stored = await sql.query(`select name from training_runs where id = $1`, [research.id]);
  expect(stored.rows[0].name).toBe(research.name);
  await Promise.all([page.context().close(), editor.context().close()]);
});

test("an editor edits their team's records, not another team's, and manages nothing", async ({ browser, baseURL, sql }) => {
  const research = await runOf(sql, "research");
  const applied = await runOf(sql, "applied");
  const page = await asRole(browser, baseURL, "editor");
  await page.goto(`/training/${research.id}`);
  await expect(page.getByRole("link", { name: "Edit", exact: true })).toBeVisible();
  await page.goto("/training");
  await expect(page.getByRole("link", { name: "New run" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Import" })).toBeVisible();
  expect((await page.goto(`/training/${applied.id}`))!.status()).toBe(404);
  await page.goto("/settings");
  await expect(page.getByRole("link", { name: "New team" })).toHaveCount(0);
  expect([403, 404]).toContain((await page.goto("/settings/teams/new"))!.status());
  await page.context().close();
});

test("a team admin manages their team's members; an org admin sees every team and manages the org", async ({ browser, baseURL }) => {
  const teamAdmin = await asRole(browser, baseURL, "teamAdmin");
  await teamAdmin.goto("/teams/research");
  await expect(teamAdmin.getByRole("link", { name: /Members/ })).toBeVisible();
  await teamAdmin.goto("/teams");
  await expect(teamAdmin.getByText(/Showing 1 of \d+ teams/)).toBeVisible();
  expect([403, 404]).toContain((await teamAdmin.goto("/settings/people"))!.status());
  expect((await teamAdmin.goto("/teams/applied"))!.status()).toBe(404);

  const admin = await asRole(browser, baseURL, "admin");
  await admin.goto("/teams");
  await expect(admin.getByText(/Showing \d+ of \d+ teams/)).toHaveCount(0);
  for (const team of ["Research", "Applied ML", "ML Platform", "Search & Ranking"]) {
    await expect(admin.getByRole("main").getByText(team, { exact: true }).first()).toBeVisible();
  }
  await admin.goto("/settings");
  await expect(admin.getByRole("link", { name: "New team" })).toBeVisible();
  await Promise.all([teamAdmin.context().close(), admin.context().close()]);
});

test("a viewer of another team sees Applied ML only: Research's records don't exist for them", async ({ browser, baseURL, sql }) => {
  const research = await runOf(sql, "research");
  const page = await asRole(browser, baseURL, "otherViewer");
  expect((await page.goto(`/training/${research.id}`))!.status()).toBe(404);
  expect((await page.goto("/teams/research"))!.status()).toBe(404);
  await page.goto("/teams");
  await expect(page.getByRole("main").getByText("Applied ML", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("main").getByText("Research", { exact: true })).toHaveCount(0);
  const month = new Date().toISOString().slice(0, 7);
  const json = await page.request.get(`/api/reports/${month}/report.json`);
  expect(json.status()).toBe(200);
  const body = JSON.stringify(await json.json());
  expect(body).toContain("Applied ML");
  expect(body).not.toContain("\"Research\"");
  await page.context().close();
});
