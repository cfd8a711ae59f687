import { parse } from "csv-parse/sync";
import { storageStateFor } from "./auth";
import { expect, quietMonth, test } from "./fixtures";

// Reads are limited to the teams a person may see. The demo viewer holds a
// viewer role on Research only: org-wide pages add up Research alone and say
// so, other teams are unknown to them, and exports hold Research's lines only.

const COVERAGE = /^Showing 1 of \d+ teams — the ones you have access to\./;
const month = quietMonth().from.slice(0, 7);

test.describe("as a viewer of one team", () => {
  test.use({ storageState: storageStateFor("viewer") });

  for (const path of ["/", "/training", "/inference", "/teams", "/reports", `/reports/${month}`]) {
    test(`${path} says it adds up only the teams the person may see`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByTestId("team-coverage")).toHaveText(COVERAGE);
    });
  }

  test("the team list and the filter bar hold Research only", async ({ page }) => {
    await page.goto("/teams");
    const table = page.getByRole("table", { name: /Teams with month-to-date spend/ });
    await expect(table.getByRole("link")).toHaveText(["Research"]);
    await page.goto("/");
    await expect(page.locator('select[name="team"] option')).toHaveText(["All teams", "Research"]);
  });

  test("?team= naming another team reads as an unknown team", async ({ page }) => {
    await page.goto("/?team=applied");
    await expect(page.getByText('No team "applied": the team filter was not applied.')).toBeVisible();
  });

  test("another team's pages and records are not found", async ({ request, sql }) => {
    const { rows: [other] } = await sql.query<{ runId: number; deploymentId: number | null }>(
      `select (select r.id from training_runs r where r."teamId" = t.id order by r.id limit 1) as "runId",
              (select d.id from inference_deployments d where d."teamId" = t.id order by d.id limit 1) as "deploymentId"
       from teams t join orgs o on o.id = t."orgId" where o.slug = 'demo' and t.slug = 'applied'`,
    );
    const paths = ["/teams/applied", `/reports/${month}/applied`, `/training/${other!.runId}`, ...(other!.deploymentId ? [`/inference/${other!.deploymentId}`] : [])];
    for (const path of paths) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(404);
    }
  });

  test("the month's exports hold Research's lines only, and the JSON says how many teams it covers", async ({ request }) => {
    const csv = await request.get(`/api/reports/${month}/lines.csv`);
    expect(csv.status()).toBe(200);
    const rows = parse(await csv.text(), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.team_slug))).toEqual(new Set(["research"]));
    const focus = parse(await (await request.get(`/api/reports/${month}/focus.csv`)).text(), { columns: true, bom: true }) as Record<string, string>[];
    expect(new Set(focus.map((r) => r.SubAccountId))).toEqual(new Set(["research"]));
    const json = (await (await request.get(`/api/reports/${month}/report.json`)).json()) as { report: { scope: { kind: string; allTeams: boolean; visibleTeams: number } } };
    expect(json.report.scope).toMatchObject({ kind: "org", allTeams: false, visibleTeams: 1 });
  });
});

test("an org admin sees every team and no coverage notice", async ({ page }) => {
  await page.goto("/teams");
  await expect(page.getByRole("heading", { level: 1, name: "Teams" })).toBeVisible();
  await expect(page.getByTestId("team-coverage")).toHaveCount(0);
  const table = page.getByRole("table", { name: /Teams with month-to-date spend/ });
  await expect(table.getByRole("link", { name: "Applied ML", exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: "Research", exact: true })).toBeVisible();
});
