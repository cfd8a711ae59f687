import { createPerson } from "./auth";
import { startFakeOidc, FAKE_OIDC_CLIENT } from "./fake-oidc";
import { expect, test } from "./fixtures";

// Optional OIDC sign-in (issue 13, req. 1): scripts/e2e.ts configures the app with
// BURNRATE_OIDC_* pointing at FAKE_OIDC_PORT, where this spec runs a small real provider.
test.use({ storageState: { cookies: [], origins: [] } });

let provider: Awaited<ReturnType<typeof startFakeOidc>> | undefined;
test.beforeAll(async () => {
  const port = Number(process.env.FAKE_OIDC_PORT);
  if (!port) throw new Error("FAKE_OIDC_PORT is not set — run the browser tests with `npm run test:e2e`.");
  provider = await startFakeOidc(port);
});
test.afterAll(async () => {
  await provider?.close();
});

test("an invited person signs in with SSO; an uninvited email is turned away and no account is made", async ({ browser, baseURL, sql }) => {
  // The provider returns to the public URL (http://localhost:PORT), where the sign-in's state cookie must be: start there.
  const context = await browser.newContext({ baseURL: baseURL!.replace("127.0.0.1", "localhost") });
  const page = await context.newPage();
  const stamp = Date.now().toString(36);
  const invited = await createPerson(sql, { email: `sso-${stamp}@e2e.test`, name: "Sam Sso", password: "unused password 1", teams: [{ slug: "research", role: "VIEWER" }] });

  await page.goto("/sign-in");
  await page.getByRole("button", { name: `Sign in with ${FAKE_OIDC_CLIENT.name}` }).click();
  await expect(page.getByRole("heading", { name: "Test SSO" })).toBeVisible();
  await page.getByLabel("IdP email").fill(invited.email);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/");
  await page.getByText("Sam Sso", { exact: true }).first().click();
  await expect(page.getByTestId("role-line")).toContainText("Viewer · Research");
  const links = await sql.query(`select "providerId" from auth_accounts where "userId" = $1 order by "providerId"`, [invited.id]);
  expect(links.rows.map((r) => r.providerId)).toEqual(["credential", "oidc"]);

  await page.context().clearCookies();
  const stranger = `stranger-${stamp}@e2e.test`;
  await page.goto("/sign-in");
  await page.getByRole("button", { name: `Sign in with ${FAKE_OIDC_CLIENT.name}` }).click();
  await page.getByLabel("IdP email").fill(stranger);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/sign-in\?.*error=/);
  await expect(page.getByText("Single sign-on didn't complete")).toBeVisible();
  expect((await sql.query(`select count(*)::int as n from users where email = $1`, [stranger])).rows[0].n).toBe(0);
  await context.close();
});
