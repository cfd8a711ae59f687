import { expect, seedTeamAndGpu, test } from "./fixtures";
import type { APIResponse } from "@playwright/test";

/** The headers every response carries (issue 13, requirement 5). */
function expectSecurityHeaders(response: APIResponse) {
  const headers = response.headers();
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
}

test("pages, API routes and static files carry the security headers; a page's CSP has a fresh script nonce", async ({ request }) => {
  const page = await request.get("/");
  expect(page.status()).toBe(200);
  expectSecurityHeaders(page);
  const csp = page.headers()["content-security-policy"]!;
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  const html = await page.text();
  // Next puts the nonce on its own scripts.
  expect(html).toContain(`nonce="${nonce}"`);
  const again = await request.get("/");
  expect(again.headers()["content-security-policy"]).not.toContain(nonce!);

  const api = await request.get("/api/health");
  expectSecurityHeaders(api);
  expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");

  const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeTruthy();
  const asset = await request.get(script!);
  expect(asset.status()).toBe(200);
  expectSecurityHeaders(asset);
});

test("the overview renders with no Content-Security-Policy violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(String(error)));
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // Recharts draws (inline styles) and the app hydrates (nonce'd scripts): the nav works client-side.
  await expect(page.locator(".recharts-surface").first()).toBeVisible();
  await page.screenshot({ path: "/tmp/shots/security-overview.png" });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Training" }).click();
  await expect(page).toHaveURL(/\/training/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(violations).toEqual([]);
});

test("a cross-site or rebinding import is refused with 403 and writes nothing; the same file from the app imports", async ({ request, sql, baseURL }) => {
  const name = `e2e-sec-${Date.now().toString(36)}`;
  const { rows: [gpu] } = await sql.query<{ name: string }>(`select g.name from gpu_types g join orgs o on o.id = g."orgId" where o.slug = 'demo' order by g.id limit 1`);
  const file = [
    "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status,storage_cost_usd",
    `research,${name},e2e-model,LoRA,BF16,${gpu!.name},aws,On-demand,8,2026-01-05 08:00,2026-01-05 10:00,Succeeded,0`,
  ].join("\r\n");
  const url = "/api/imports/commit?kind=training-runs&timeZone=UTC&fileName=runs.csv";
  const count = async () => Number((await sql.query<{ n: string }>(`select count(*)::text as n from training_runs where name = $1`, [name])).rows[0]!.n);
  const port = new URL(baseURL!).port;

  // A form on another site can send text/plain without a preflight.
  const crossSite = await request.post(url, { headers: { "content-type": "text/plain", origin: "http://evil.example" }, data: file });
  expect(crossSite.status()).toBe(403);
  expect((await crossSite.json()).error.message).toContain("another site");
  const noOrigin = await request.post(url, { headers: { "content-type": "text/plain" }, data: file });
  expect(noOrigin.status()).toBe(403);
  const rebinding = await request.post(url, { headers: { "content-type": "text/plain", host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, data: file });
  expect(rebinding.status()).toBe(403);
  expect((await rebinding.json()).error.message).toContain(`evil.example:${port}`);
  expect(await count()).toBe(0);

  const sameSite = await request.post(url, { headers: { "content-type": "text/csv", origin: new URL(baseURL!).origin }, data: file });
  expect(sameSite.status()).toBe(200);
  await sameSite.body();
  expect(await count()).toBe(1);
});

test("a DNS-rebinding page load is refused", async ({ request, baseURL }) => {
  const port = new URL(baseURL!).port;
  const response = await request.get("/training", { headers: { host: `evil.example:${port}` } });
  expect(response.status()).toBe(403);
  expect(await response.text()).not.toContain("Training");
});

test("forged server-action calls (other site, rebinding, unknown id, garbage body) change nothing and answer 4xx", async ({ page, request, sql, baseURL }) => {
  const { slug, teamId, gpuId } = await seedTeamAndGpu(sql, "e2e-sec");
  const { rows: [run] } = await sql.query<{ id: number }>(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
     values ($1, $2, 'm', 'LORA', 'BF16', $3, 'aws', 'ON_DEMAND', 2, now() - interval '3 hours', now() - interval '1 hour', 'SUCCEEDED', now()) returning id`,
    [teamId, `${slug}-kept`, gpuId],
  );
  const path = `/training/${run!.id}`;
  // The real Delete request, captured (and stopped) to replay it forged.
  let captured: { headers: Record<string, string>; body: Buffer } | undefined;
  await page.route(`**${path}`, async (route) => {
    const req = route.request();
    if (req.method() !== "POST") return route.continue();
    captured = { headers: await req.allHeaders(), body: req.postDataBuffer() ?? Buffer.alloc(0) };
    return route.abort();
  });
  await page.goto(path);
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete run" }).click();
  await expect.poll(() => captured !== undefined).toBe(true);
  const forwarded = Object.fromEntries(
    Object.entries(captured!.headers).filter(([key]) => ["content-type", "next-action", "next-router-state-tree", "accept"].includes(key)),
  );
  expect(forwarded["next-action"]).toBeTruthy();
  const port = new URL(baseURL!).port;
  const origin = new URL(baseURL!).origin;

  const attempts = {
    crossSite: await request.post(path, { headers: { ...forwarded, origin: "http://evil.example" }, data: captured!.body }),
    rebinding: await request.post(path, { headers: { ...forwarded, host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, data: captured!.body }),
    unknownId: await request.post(path, { headers: { ...forwarded, origin, "next-action": "7f".repeat(21) }, data: captured!.body }),
    garbageBody: await request.post(path, { headers: { ...forwarded, origin, "content-type": "text/plain;charset=UTF-8" }, data: "\u0000not an action body{" }),
  };
  for (const [name, response] of Object.entries(attempts)) {
    expect(response.status(), name).toBeGreaterThanOrEqual(400);
    expect(response.status(), name).toBeLessThan(500);
    expect(await response.text(), name).not.toMatch(/\bat \S+ \(|node_modules/);
  }
  expect((await sql.query(`select 1 from training_runs where id = $1`, [run!.id])).rowCount).toBe(1);
});
