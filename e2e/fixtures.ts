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

/** "YYYY-MM-DDTHH:mm" of an instant in a zone, as a datetime-local input takes it. */
export function localInput(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/**
 * A fresh team (in UTC) and GPU type with an aws on-demand price of $2.00 per
 * GPU-hour since 2025 in the demo org, so a spec's figures can be computed by hand.
 */
export async function seedTeamAndGpu(sql: pg.Pool, prefix: string) {
  const slug = `${prefix}-${Date.now().toString(36)}`;
  const { rows: [org] } = await sql.query<{ id: number; timeZone: string }>(`select id, "timeZone" from orgs where slug = 'demo'`);
  const { rows: [team] } = await sql.query<{ id: number }>(
    `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $2, 1000, 'UTC', now()) returning id`,
    [org!.id, slug],
  );
  const gpuName = `E2E GPU ${slug}`;
  const { rows: [gpu] } = await sql.query<{ id: number }>(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, $2, 80, 989.5, 3350) returning id`,
    [org!.id, gpuName],
  );
  await sql.query(
    `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 2.00, '2025-01-01T00:00:00Z')`,
    [gpu!.id],
  );
  return { slug, teamId: team!.id, gpuId: gpu!.id, gpuName, orgTimeZone: org!.timeZone };
}

/**
 * The calendar month two months before this one, as `from`/`to` dates: closed
 * (nothing running accrues in it) and older than anything a spec records, so
 * org-wide figures for it hold still while other specs run beside.
 */
export function quietMonth(): { from: string; to: string; query: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 0));
  const from = first.toISOString().slice(0, 10);
  const to = last.toISOString().slice(0, 10);
  return { from, to, query: `range=custom&from=${from}&to=${to}` };
}
