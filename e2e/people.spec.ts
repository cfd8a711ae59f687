import { createHash, randomBytes } from "node:crypto";
import { expect, screenshot, test } from "./fixtures";

// Invitations (issue 13): an org admin invites someone by email and hands over
// the link; the invitee opens it signed out, picks a name and password, and is
// signed in with exactly the access the invitation gave.

const SIGNED_OUT = { storageState: { cookies: [], origins: [] } };

test("an admin invites an editor of Research; the link signs them up and in, and they see only Research", async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  const email = `invitee-${stamp}@example.com`;
  const name = `Ines Invitee ${stamp}`;

  await page.goto("/settings/people");
  await expect(page.getByRole("heading", { level: 1, name: "People" })).toBeVisible();
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByRole("combobox", { name: "Research", exact: true }).selectOption("EDITOR");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const linkField = page.getByRole("textbox", { name: "Invitation link" });
  await expect(linkField).toHaveValue(/^https?:\/\/[^/]+\/invite\/[A-Za-z0-9_-]{43}$/);
  const link = await linkField.inputValue();
  await expect(page.getByRole("table", { name: "Pending invitations" })).toContainText(email);
  await screenshot(page, "people-1440");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "people-390");
  await page.setViewportSize({ width: 1440, height: 900 });

  const context = await browser.newContext(SIGNED_OUT);
  const invitee = await context.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole("heading", { level: 1, name: "Join Demo Org on Burnrate" })).toBeVisible();
  await expect(invitee.getByText("Editor of Research")).toBeVisible();
  await expect(invitee.getByText("Ada Admin invited you.")).toBeVisible();
  await screenshot(invitee, "invite-1440");
  await invitee.setViewportSize({ width: 390, height: 844 });
  await screenshot(invitee, "invite-390");

  await invitee.getByLabel("Your name").fill(name);
  await invitee.getByLabel("Password", { exact: true }).fill("a-long-new-password");
  await invitee.getByLabel("Repeat the password").fill("a-long-new-password");
  await invitee.getByRole("button", { name: "Accept and sign in" }).click();
  await expect(invitee).toHaveURL((url) => url.pathname === "/");
  await invitee.getByText(name, { exact: true }).first().click();
  await expect(invitee.getByTestId("role-line")).toHaveText("Editor · Research · Demo Org");
  // The session cookie belongs to the link's host (the public URL), which may differ from baseURL's.
  await invitee.goto(new URL("/teams", link).toString());
  await expect(invitee.getByRole("table", { name: "Teams with month-to-date spend and budget" }).getByRole("link")).toHaveText(["Research"]);
  // The link is spent.
  await context.clearCookies();
  await invitee.goto(link);
  await expect(invitee.getByRole("heading", { level: 1, name: "This invitation was already used" })).toBeVisible();
  await context.close();

  await page.goto("/settings/people");
  const row = page.getByRole("table", { name: "People in the organization" }).getByRole("row").filter({ hasText: email });
  await expect(row).toContainText(name);
  await expect(row).toContainText("Research · Editor");
  // No longer pending: the email shows once, in the people table.
  await expect(page.getByRole("main").getByText(email, { exact: true })).toHaveCount(1);

  // Research's members page lists them with their team role.
  await page.goto("/teams/research/members");
  await expect(page.getByRole("combobox", { name: `Role of ${name} on Research` })).toHaveValue("EDITOR");
  await screenshot(page, "team-members-1440");
});

test("an expired link says so and asks for a new one; an unknown link is 404", async ({ browser, sql }) => {
  const token = randomBytes(32).toString("base64url");
  const { rows: [org] } = await sql.query<{ id: number }>(`select id from orgs where slug = 'demo'`);
  const { rows: [admin] } = await sql.query<{ id: number }>(`select id from users where email = 'admin@burnrate.dev'`);
  await sql.query(
    `insert into invitations ("orgId", email, role, "teamRoles", "tokenHash", "createdById", "expiresAt") values ($1, $2, 'MEMBER', '[]', $3, $4, now() - interval '1 hour')`,
    [org!.id, `late-${Date.now().toString(36)}@example.com`, createHash("sha256").update(token).digest("hex"), admin!.id],
  );
  const context = await browser.newContext(SIGNED_OUT);
  const page = await context.newPage();
  await page.goto(`/invite/${token}`);
  await expect(page.getByRole("heading", { level: 1, name: "This invitation has expired" })).toBeVisible();
  await expect(page.getByText("Ask the person who invited you for a new link.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Accept and sign in" })).toHaveCount(0);
  await screenshot(page, "invite-expired");
  const unknown = await page.goto(`/invite/${randomBytes(32).toString("base64url")}`);
  expect(unknown?.status()).toBe(404);
  expect((await page.goto("/invite/not-a-token"))?.status()).toBe(404);
  await context.close();
});
