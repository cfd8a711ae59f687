import { test as base, expect } from "@playwright/test";
import pg from "pg";
import { assertLocal } from "../lib/testing/test-database";

/**
 * `sql` talks to the database the app under test reads (E2E_DATABASE_URL, set
 * by scripts/e2e.ts), so each spec can seed exactly the rows it asserts on.
 */
export const test = base.extend<{ sql: pg.Pool }>({
  sql: async ({}, use) => {
    const url = process.env.E2E_DATABASE_URL;
    if (!url) throw new Error("E2E_DATABASE_URL is not set — run the browser tests with `npm run test:e2e`.");
    assertLocal(url);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await use(pool);
    await pool.end();
  },
});

export { expect };

/** Saves a full-page screenshot for people to look at (test-results/screenshots). */
export async function screenshot(page: import("@playwright/test").Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
