import { expect, test as setup } from "@playwright/test";
import { DEMO_USERS, storageStateFor, type DemoRole } from "./auth";

// Signs each demo user in once, through the sign-in form, and saves the browser
// state: specs run as the org admin by default (playwright.config.ts) and open
// other roles with `test.use({ storageState: storageStateFor("viewer") })`.
for (const role of Object.keys(DEMO_USERS) as DemoRole[]) {
  setup(`sign in as ${role}`, async ({ page }) => {
    const user = DEMO_USERS[role];
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill("burnrate-demo-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page).toHaveURL((url) => url.pathname === "/");
    await page.context().storageState({ path: storageStateFor(role) });
  });
}
