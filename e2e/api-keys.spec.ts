import { createHash } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { storageStateFor, type DemoRole } from "./auth";
import { expect, screenshot, test } from "./fixtures";

// API keys per team (issue 15, req. 2): a team admin creates a key with
// scopes, sees the token once, finds it listed by its prefix, and revokes it.

async function asRole(browser: Browser, baseURL: string | undefined, role: DemoRole): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: storageStateFor(role), permissions: ["clipboard-read", "clipboard-write"] });
  return context.newPage();
}

test("a team admin creates a key, sees it once, finds it listed and revokes it", async ({ browser, baseURL, sql }) => {
  const name = `Slurm reporter ${Date.now().toString(36)}`;
  const page = await asRole(browser, baseURL, "teamAdmin");

  await page.goto("/teams/research");
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Research API keys" })).toBeVisible();

  // Nothing chosen: the form names what is missing.
  await page.getByRole("textbox", { name: "Name" }).fill(name);
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByText("Choose at least one scope")).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Name" })).toHaveValue(name);

  await page.getByRole("checkbox", { name: /Write training runs/ }).check();
  await page.getByRole("checkbox", { name: /Write usage windows/ }).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  const tokenField = page.getByRole("textbox", { name: "API key" });
  await expect(tokenField).toHaveValue(/^brk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  const token = await tokenField.inputValue();
  const prefix = token.slice(0, "brk_".length + 8);
  await expect(page.getByText("It won't be shown again")).toBeVisible();
  await page.getByRole("button", { name: "Copy key" }).click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: name });
  await expect(row).toContainText(`${prefix}…`);
  await expect(row).toContainText("runs:write");
  await expect(row).toContainText("usage:write");
  await expect(row).not.toContainText("reports:read");
  await expect(row).toContainText("by Tara Teamadmin");
  await expect(row).toContainText("Never used");
  await expect(row).toContainText("Active");

  // Only the hash is stored, under the prefix.
  const { rows: [stored] } = await sql.query<{ secretHash: string; scopes: string }>(`select "secretHash", scopes::text from api_keys where prefix = $1`, [prefix]);
  expect(stored).toEqual({ secretHash: createHash("sha256").update(token).digest("hex"), scopes: "{RUNS_WRITE,USAGE_WRITE}" });

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: "/tmp/shots/api-keys-1440.png", fullPage: true });
  await screenshot(page, "api-keys-1440");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "/tmp/shots/api-keys-390.png", fullPage: true });
  await screenshot(page, "api-keys-390");
  await page.setViewportSize({ width: 1440, height: 900 });

  // Shown once: a reload lists the key but not its token.
  await page.reload();
  await expect(page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: name })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "API key" })).toHaveCount(0);
  await expect(page.getByText(token.slice(prefix.length + 1))).toHaveCount(0);

  // Revoke, by keyboard: the dialog asks first; Escape cancels, then confirm.
  const revoke = page.getByRole("button", { name: `Revoke the API key ${name} (${prefix})` });
  await revoke.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: `Revoke “${name}”?` });
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await revoke.click();
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  const revokedRow = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: name });
  await expect(revokedRow).toContainText("Revoked");
  await expect(revokedRow).toContainText("by Tara Teamadmin");
  await expect(revokedRow.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
  await page.screenshot({ path: "/tmp/shots/api-keys-revoked-1440.png", fullPage: true });

  const { rows: audit } = await sql.query<{ action: string; actorName: string; clientIp: string | null }>(
    `select a.action::text, a."actorName", a."clientIp" from audit_entries a join api_keys k on a."entityType" = 'apiKey' and a."entityId" = k.id::text where k.prefix = $1 order by a.id`,
    [prefix],
  );
  expect(audit.map((e) => [e.action, e.actorName])).toEqual([
    ["CREATE", "Tara Teamadmin"],
    ["REVOKE", "Tara Teamadmin"],
  ]);
  expect(audit.every((e) => typeof e.clientIp === "string" && e.clientIp.length > 0)).toBe(true);

  // The team's history lists both, with the key's prefix and the address they came from.
  await page.goto("/settings/teams/research/edit");
  const history = page.locator("section").filter({ has: page.getByRole("heading", { name: "History" }) });
  const revokedEntry = history.getByRole("listitem").filter({ hasText: "API key revoked" }).filter({ hasText: prefix });
  await expect(revokedEntry).toContainText("Tara Teamadmin");
  await expect(revokedEntry).toContainText(`via form · from ${audit[1]!.clientIp}`);
  await expect(history.getByRole("listitem").filter({ hasText: "API key created" }).filter({ hasText: prefix })).toBeVisible();
  await page.context().close();
});

test("an editor of the team may not open its API keys; the team page offers no link", async ({ browser, baseURL }) => {
  const page = await asRole(browser, baseURL, "editor");
  await page.goto("/teams/research");
  await expect(page.getByRole("heading", { level: 1, name: "Research" })).toBeVisible();
  await expect(page.getByRole("link", { name: "API keys" })).toHaveCount(0);
  expect((await page.goto("/teams/research/api-keys"))!.status()).toBe(403);
  await page.context().close();
});
