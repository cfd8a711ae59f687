import type { Browser, BrowserContext } from "@playwright/test";
import { createPerson, signInWithForm } from "./auth";
import { expect, test } from "./fixtures";

// Sessions and sign-in (issue 13, req. 1 and 6): fixation, expiry, tampering, sign-out everywhere,
// the per-account and per-IP sign-in limits. Each test makes its own person, so the
// shared demo sessions other specs use are never touched.
test.use({ storageState: { cookies: [], origins: [] } });

const PASSWORD = "a long e2e password";
const COOKIE = "burnrate.session_token";

async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === COOKIE)?.value;
}

/** A fresh browser context as seen from one client IP (the app reads the rightmost X-Forwarded-For entry). */
function contextFrom(browser: Browser, baseURL: string | undefined, ip: string) {
  return browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": ip } });
}

test("sign-in replaces a planted session (no fixation); the cookie is HttpOnly and SameSite; the planted token dies", async ({ browser, baseURL, sql }) => {
  const stamp = Date.now().toString(36);
  const attacker = await createPerson(sql, { email: `mallory-${stamp}@e2e.test`, name: "Mallory", password: PASSWORD, teams: [{ slug: "search", role: "VIEWER" }] });
  const victim = await createPerson(sql, { email: `val-${stamp}@e2e.test`, name: "Val Victim", password: PASSWORD, teams: [{ slug: "research", role: "EDITOR" }] });

  // The attacker signs in and plants their session cookie in the victim's browser.
  const attackerContext = await contextFrom(browser, baseURL, "10.20.0.1");
  const attackerPage = await attackerContext.newPage();
  await signInWithForm(attackerPage, attacker.email, PASSWORD);
  await expect(attackerPage).toHaveURL((url) => url.pathname === "/");
  const planted = (await attackerContext.cookies()).find((c) => c.name === COOKIE)!;
  expect(planted.httpOnly).toBe(true);
  expect(planted.sameSite).toBe("Lax");
  expect(planted.secure).toBe(false); // served over plain http in tests; Secure (and __Secure-) over https

  // The victim opens the sign-in form; the attacker's cookie is planted before they submit it.
  const victimContext = await contextFrom(browser, baseURL, "10.20.0.2");
  const victimPage = await victimContext.newPage();
  await victimPage.goto("/sign-in");
  await victimPage.getByLabel("Email").fill(victim.email);
  await victimPage.getByLabel("Password").fill(PASSWORD);
  await victimContext.addCookies([planted]);
  await victimPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(victimPage).toHaveURL((url) => url.pathname === "/");
  const fresh = await sessionCookie(victimContext);
  expect(fresh).toBeTruthy();
  expect(fresh).not.toBe(planted.value);
  await victimPage.getByText("Val Victim", { exact: true }).first().click();
  await expect(victimPage.getByTestId("role-line")).toContainText("Editor · Research");

  // The planted token was the session the victim's sign-in replaced: it is ended, so the attacker is out too.
  await attackerPage.goto("/training");
  await expect(attackerPage).toHaveURL(/\/sign-in\?next=%2Ftraining/);
  await Promise.all([attackerContext.close(), victimContext.close()]);
});

test("an expired or tampered session is signed out: pages go to sign-in, API routes answer 401", async ({ browser, baseURL, sql }) => {
  const person = await createPerson(sql, { email: `exp-${Date.now().toString(36)}@e2e.test`, name: "Eve Expiry", password: PASSWORD, teams: [{ slug: "research", role: "VIEWER" }] });
  const context = await contextFrom(browser, baseURL, "10.20.0.3");
  const page = await context.newPage();
  await signInWithForm(page, person.email, PASSWORD);
  await expect(page).toHaveURL((url) => url.pathname === "/");
  const good = (await context.cookies()).find((c) => c.name === COOKIE)!;
  const month = new Date().toISOString().slice(0, 7);

  // Tampered: one character of the token changed, signature kept.
  const [token, signature] = decodeURIComponent(good.value).split(".") as [string, string];
  const tampered = `${token.slice(0, -1)}${token.endsWith("x") ? "y" : "x"}.${signature}`;
  await context.clearCookies();
  await context.addCookies([{ ...good, value: encodeURIComponent(tampered) }]);
  await page.goto("/inference");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Finference/);
  expect((await page.request.get(`/api/reports/${month}/report.json`)).status()).toBe(401);

  // The genuine cookie still works…
  await context.clearCookies();
  await context.addCookies([good]);
  await page.goto("/inference");
  await expect(page.getByRole("heading", { level: 1, name: "Inference" })).toBeVisible();
  // …until the session sits idle past the limit (8 h): then it is gone.
  await sql.query(`update auth_sessions set "updatedAt" = now() - interval '9 hours' where "userId" = $1`, [person.id]);
  await page.goto("/inference");
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await sql.query(`select count(*)::int as n from auth_sessions where "userId" = $1`, [person.id])).rows[0].n).toBe(0);
  expect((await page.request.get(`/api/reports/${month}/report.json`)).status()).toBe(401);
  await context.close();
});

test("sign out ends this session; sign out everywhere ends every device's", async ({ browser, baseURL, sql }) => {
  const person = await createPerson(sql, { email: `out-${Date.now().toString(36)}@e2e.test`, name: "Otto Out", password: PASSWORD, teams: [{ slug: "research", role: "VIEWER" }] });
  const [laptop, phone, tablet] = await Promise.all([1, 2, 3].map((n) => contextFrom(browser, baseURL, `10.20.1.${n}`)));
  const pages = await Promise.all([laptop!, phone!, tablet!].map((c) => c.newPage()));
  for (const page of pages) {
    await signInWithForm(page, person.email, PASSWORD);
    await expect(page).toHaveURL((url) => url.pathname === "/");
  }
  expect((await sql.query(`select count(*)::int as n from auth_sessions where "userId" = $1`, [person.id])).rows[0].n).toBe(3);

  // Sign out on the tablet: only its session ends.
  await pages[2]!.getByText("Otto Out", { exact: true }).first().click();
  await pages[2]!.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(pages[2]!.getByText("You are signed out.")).toBeVisible();
  await pages[0]!.goto("/training");
  await expect(pages[0]!.getByRole("heading", { level: 1, name: "Training" })).toBeVisible();

  // Sign out everywhere on the laptop: the phone is signed out too.
  await pages[0]!.getByText("Otto Out", { exact: true }).first().click();
  await pages[0]!.getByRole("button", { name: /Sign out everywhere/ }).click();
  await expect(pages[0]!.getByText("You are signed out on every device.")).toBeVisible();
  await pages[1]!.goto("/training");
  await expect(pages[1]!).toHaveURL(/\/sign-in/);
  expect((await sql.query(`select count(*)::int as n from auth_sessions where "userId" = $1`, [person.id])).rows[0].n).toBe(0);
  await Promise.all([laptop!.close(), phone!.close(), tablet!.close()]);
});

test("sign-in is rate limited per account (5 failures) and per IP (20 attempts)", async ({ browser, baseURL, sql }) => {
  // 27 sequential sign-ins, each hashing a password: on a busy 2-core machine that alone can take most of the default 30 s.
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36);
  const person = await createPerson(sql, { email: `rl-${stamp}@e2e.test`, name: "Rita Limit", password: PASSWORD, teams: [{ slug: "research", role: "VIEWER" }] });

  // Per account: five wrong passwords, from five different addresses, lock the account — even the right password is refused.
  for (let i = 1; i <= 5; i += 1) {
    const context = await contextFrom(browser, baseURL, `10.30.0.${i}`);
    const page = await context.newPage();
    await signInWithForm(page, person.email, "not the password");
    await expect(page.getByText("That email and password don't match an account.")).toBeVisible();
    await context.close();
  }
  const locked = await contextFrom(browser, baseURL, "10.30.0.99");
  const lockedPage = await locked.newPage();
  await signInWithForm(lockedPage, person.email, PASSWORD);
  await expect(lockedPage.getByText(/Too many failed sign-ins for this account/)).toBeVisible();
  await expect(lockedPage).toHaveURL(/\/sign-in/);
  await locked.close();

  // Per IP: twenty attempts from one address (any accounts), then that address is refused — another address is not.
  const noisy = await contextFrom(browser, baseURL, "10.30.1.1");
  const noisyPage = await noisy.newPage();
  await noisyPage.goto("/sign-in");
  for (let i = 0; i < 20; i += 1) {
    await noisyPage.getByLabel("Email").fill(`nobody-${stamp}-${i}@e2e.test`);
    await noisyPage.getByLabel("Password").fill("whatever password");
    // The message reads the same every time: wait for each attempt's own response.
    await Promise.all([
      noisyPage.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/sign-in"),
      noisyPage.getByRole("button", { name: "Sign in", exact: true }).click(),
    ]);
    await expect(noisyPage.getByText("That email and password don't match an account.")).toBeVisible();
  }
  await noisyPage.getByLabel("Email").fill(`nobody-${stamp}-last@e2e.test`);
  await noisyPage.getByLabel("Password").fill("whatever password");
  await noisyPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(noisyPage.getByText(/Too many sign-in attempts from your network/)).toBeVisible();
  await noisy.close();
});
