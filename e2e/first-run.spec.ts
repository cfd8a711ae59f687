import pg from "pg";
import { assertLocal } from "../lib/testing/test-database";
import { expect, test } from "./fixtures";

// A new user points Burnrate at an empty PostgreSQL (issue 13, req. 4): scripts/e2e.ts runs a
// second server on a migrated, unseeded database (EMPTY_BASE_URL) with demo sign-in off.
test.use({ storageState: { cookies: [], origins: [] } });

test("an empty database asks for the organization and its first owner, then signs the owner in; nothing demo appears", async ({ browser }) => {
  const baseURL = process.env.EMPTY_BASE_URL;
  const databaseUrl = process.env.EMPTY_DATABASE_URL;
  if (!baseURL || !databaseUrl) throw new Error("EMPTY_BASE_URL is not set — run the browser tests with `npm run test:e2e`.");
  assertLocal(databaseUrl);
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();

  // Every page leads to the setup; sign-in too, since there is nobody to sign in yet.
  await page.goto("/training");
  await expect(page).toHaveURL(/\/setup$/);
  await page.goto("/sign-in");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { level: 1, name: "Set up Burnrate" })).toBeVisible();
  await expect(page.getByText(/demo/i)).toHaveCount(0);
  await page.screenshot({ path: "test-results/screenshots/first-run.png", fullPage: true });

  // Bad input names its fields.
  await page.getByLabel("Organization name").fill("Acme Research");
  await page.getByLabel("Your name").fill("Olga Owner");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the password").fill("different");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByText("Email must be an email address")).toBeVisible();
  await expect(page.getByText("Password must be at least 10 characters")).toBeVisible();
  await expect(page.getByText("The two passwords differ")).toBeVisible();
  // What was typed is still there (not the passwords).
  await expect(page.getByLabel("Organization name")).toHaveValue("Acme Research");

  await page.getByLabel("Reporting time zone").selectOption("Europe/Berlin");
  await page.getByLabel("Email").fill("Olga@Acme.example");
  await page.getByLabel("Password", { exact: true }).fill("a long owner password");
  await page.getByLabel("Repeat the password").fill("a long owner password");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page).toHaveURL(/\/settings/);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.getByText("Olga Owner", { exact: true }).first().click();
  await expect(page.getByTestId("role-line")).toContainText("Org owner · Acme Research");

  // The setup is gone for good; the overview of an org with no teams yet is an empty state, not an error.
  await page.goto("/setup");
  await expect(page).toHaveURL((url) => url.pathname === "/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText("Something went wrong")).toHaveCount(0);

  // Signed out, the owner signs back in with the password (email in any case); the sign-in page offers no demo users.
  await page.getByText("Olga Owner", { exact: true }).first().click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await expect(page.getByText("Demo users")).toHaveCount(0);
  await page.getByLabel("Email").fill("olga@acme.example");
  await page.getByLabel("Password").fill("a long owner password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/");

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const org = await client.query(`select name, "timeZone", "isDemo" from orgs`);
    expect(org.rows).toEqual([{ name: "Acme Research", timeZone: "Europe/Berlin", isDemo: false }]);
    const users = await client.query(`select email, role from users`);
    expect(users.rows).toEqual([{ email: "olga@acme.example", role: "OWNER" }]);
  } finally {
    await client.end();
  }
  await context.close();
});

test("the demo server's sign-in page lists one demo user per role and signs in with one click", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  const demo = page.getByRole("region", { name: "Demo users" });
  await expect(demo.getByRole("button")).toHaveCount(6);
  await expect(demo).toContainText("Org owner · every team");
  await expect(demo).toContainText("Viewer of Research");
  await expect(demo).toContainText("Editor of Research");
  await expect(demo).toContainText("Team admin of Research");
  await page.screenshot({ path: "test-results/screenshots/sign-in-demo.png", fullPage: true });
  await demo.getByRole("button", { name: /Sign in as Vic Viewer/ }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/");
  await page.getByText("Vic Viewer", { exact: true }).first().click();
  await expect(page.getByTestId("role-line")).toContainText("Viewer · Research");
  await context.close();
});
