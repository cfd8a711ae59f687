import type { APIResponse } from "@playwright/test";
import type { Pool } from "pg";
import { storageStateFor } from "./auth";
import { expect, screenshot, seedTeamAndGpu, test } from "./fixtures";

// The page cache (lib/cache/page-cache.ts): a person's dashboard document is
// replayed for the same data and minute, with a fresh script nonce; a write,
// another person or a client navigation is rendered.

const nonceOf = (response: APIResponse) => /'nonce-([^']+)'/.exec(response.headers()["content-security-policy"] ?? "")?.[1];
/** What a browser's document request accepts (a client navigation's fetch accepts anything). */
const HTML = { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8" };
const minute = () => Math.floor(Date.now() / 60_000);

/**
 * Runs `steps` until a run fails or passes within one minute and one data
 * version (an entry serves one minute, and anything else writing meanwhile —
 * a budget alert firing — renews it); at most three runs. Each run gets a
 * query no earlier run asked with (`fresh`, a range preset), so a page an
 * earlier run left in the cache under the new minute or version can't make
 * a first request a hit.
 */
async function withinOneMinute(sql: Pool, steps: (fresh: string) => Promise<void>): Promise<void> {
  const state = async () => `${minute()} ${(await sql.query<{ v: string }>(`select string_agg(version::text, '.' order by id) as v from data_version`)).rows[0]!.v}`;
  for (let attempt = 0; ; attempt++) {
    const started = await state();
    try {
      await steps(`range=${["30d", "7d", "90d"][attempt]}`);
      return;
    } catch (error) {
      if ((await state()) === started || attempt === 2) throw error;
    }
  }
}

test("a dashboard is replayed to the same person for the same data and minute, with a fresh nonce; a write, another person and client navigations are rendered", async ({ request, sql, playwright, baseURL }) => {
  const team = await seedTeamAndGpu(sql, "e2e-pcache");
  const url = `/teams/${team.slug}`;

  await withinOneMinute(sql, async (fresh) => {
    const url = `/teams/${team.slug}?${fresh}`;
    const first = await request.get(url, { headers: HTML });
    expect(first.status()).toBe(200);
    expect(first.headers()["x-burnrate-page-cache"]).toBe("miss");
    const second = await request.get(url, { headers: HTML });
    expect(second.status()).toBe(200);
    expect(second.headers()["x-burnrate-page-cache"]).toBe("hit");
    // A fresh nonce in the header and on every script, and otherwise the same document.
    const [a, b] = [nonceOf(first)!, nonceOf(second)!];
    expect(a).toBeTruthy();
    expect(b).toBeTruthy();
    expect(b).not.toBe(a);
    const [firstHtml, secondHtml] = [await first.text(), await second.text()];
    expect(secondHtml).toContain(`nonce="${b}"`);
    expect(secondHtml).not.toContain(a);
    expect(secondHtml.replaceAll(b, "N")).toBe(firstHtml.replaceAll(a, "N"));
    expect(second.headers()["content-security-policy"]).toBe(first.headers()["content-security-policy"]!.replace(a, b));
    expect(second.headers()["x-frame-options"]).toBe("DENY");

    // A client navigation or prefetch (an RSC fetch: accepts anything, destination "empty") is rendered, never replayed.
    const rsc = await request.get(url, { headers: { rsc: "1", accept: "*/*", "sec-fetch-dest": "empty" } });
    expect(rsc.status()).toBe(200);
    expect(rsc.headers()["x-burnrate-page-cache"]).toBeUndefined();

    // Someone else asking for the same URL gets their own page.
    const owner = await playwright.request.newContext({ baseURL, storageState: storageStateFor("owner") });
    try {
      const theirs = await owner.get(url, { headers: HTML });
      expect(theirs.status()).toBe(200);
      expect(theirs.headers()["x-burnrate-page-cache"]).toBe("miss");
      const html = await theirs.text();
      expect(html).toContain("Olive Owner");
      expect(html).not.toContain("Ada Admin");
    } finally {
      await owner.dispose();
    }
  });

  // A write by any process commits a new data version: the next request renders the new figures.
  const renamed = `Renamed ${team.slug}`;
  await sql.query(`update teams set name = $1 where id = $2`, [renamed, team.teamId]);
  const after = await request.get(url, { headers: HTML });
  expect(after.headers()["x-burnrate-page-cache"]).toBe("miss");
  expect(await after.text()).toContain(renamed);

  // Signed out: never from the cache (the page redirects to sign-in).
  const anonymous = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const signedOut = await anonymous.get(url, { headers: HTML, maxRedirects: 0 });
    expect(signedOut.status()).toBe(307);
    expect(signedOut.headers()["x-burnrate-page-cache"]).toBeUndefined();
  } finally {
    await anonymous.dispose();
  }
});

test("a replayed page runs its scripts under the fresh nonce: no CSP violations, charts draw, navigation works", async ({ page, sql }) => {
  const team = await seedTeamAndGpu(sql, "e2e-pcache-ui");
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(String(error)));
  await withinOneMinute(sql, async (fresh) => {
    const first = await page.goto(`/teams/${team.slug}?${fresh}`);
    expect(first!.headers()["x-burnrate-page-cache"]).toBe("miss");
    const replayed = await page.goto(`/teams/${team.slug}?${fresh}`);
    expect(replayed!.headers()["x-burnrate-page-cache"]).toBe("hit");
  });
  await expect(page.getByRole("heading", { level: 1 })).toContainText(team.slug);
  await screenshot(page, "page-cache-replayed-team");
  // Hydrated: a client-side navigation works, and its RSC fetch is rendered, not replayed.
  const flight = page.waitForResponse((response) => response.request().headers()["rsc"] === "1" && new URL(response.url()).pathname === "/training");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Training" }).click();
  expect((await flight).headers()["x-burnrate-page-cache"]).toBeUndefined();
  await expect(page).toHaveURL(/\/training/);
  await expect(page.getByRole("heading", { level: 1, name: "Training" })).toBeVisible();
  // Back on a replayed overview, Recharts draws.
  await withinOneMinute(sql, async () => {
    await page.goto("/");
    const replayed = await page.goto("/");
    expect(replayed!.headers()["x-burnrate-page-cache"]).toBe("hit");
  });
  await expect(page.locator(".recharts-surface").first()).toBeVisible();
  expect(violations).toEqual([]);
});
