import { readFileSync } from "node:fs";
import path from "node:path";
import { generateApiKeyToken } from "../lib/access/api-key-token";
import { storageStateFor } from "./auth";
import { expect, test } from "./fixtures";

// API v1 against the production build: the README's curl command reports a
// run (and a second one marks it finished), and a request without a key (or
// with a bad one) is 401 JSON naming what to send — never the sign-in page.

const readme = readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8");
/** The JSON bodies of the README's curl example: the run, and the call that finishes it. */
const createBody = JSON.parse(/-d '(\{"name":[^']+\})'/.exec(readme)![1]!) as Record<string, unknown>;
const finishBody = JSON.parse(/-d '(\{"status":"SUCCEEDED"[^']+\})'/.exec(readme)![1]!) as Record<string, unknown>;

test("the README's curl command reports a run, and the run's page shows it", async ({ request, sql, browser, baseURL }) => {
  const {
    rows: [team],
  } = await sql.query<{ id: number; orgId: number }>(`select t.id, t."orgId" from teams t join orgs o on o.id = t."orgId" where o.slug = 'demo' and t.slug = 'research'`);
  const key = generateApiKeyToken();
  await sql.query(`insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes) values ($1, $2, 'e2e', $3, $4, '{RUNS_WRITE}')`, [team!.orgId, team!.id, key.prefix, key.secretHash]);
  const jobId = `e2e-${Date.now().toString(36)}`;
  const headers = { authorization: `Bearer ${key.token}`, "content-type": "application/json" };

  const created = await request.put(`/api/v1/runs/${jobId}`, { headers, data: { ...createBody, name: `${String(createBody.name)}-${jobId}` } });
  expect(created.status()).toBe(201);
  const run = (await created.json()) as { id: number; url: string; action: string };
  expect(run.action).toBe("created");
  const finished = await request.put(`/api/v1/runs/${jobId}`, { headers, data: finishBody });
  expect(finished.status()).toBe(200);
  expect(await finished.json()).toMatchObject({ id: run.id, action: "updated", status: "SUCCEEDED" });

  const context = await browser.newContext({ baseURL, storageState: storageStateFor("admin") });
  const page = await context.newPage();
  await page.goto(run.url);
  await expect(page.getByRole("heading", { level: 1, name: `${String(createBody.name)}-${jobId}` })).toBeVisible();
  await expect(page.getByText("Succeeded").first()).toBeVisible();
  await context.close();
});

test("without a key, or with a bad one, the API answers 401 JSON", async ({ playwright, baseURL }) => {
  // A client of its own: the project's default browser state is signed in.
  const request = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const anonymous = await request.post("/api/v1/usage-windows", { data: { windows: [] }, headers: { "content-type": "application/json" }, maxRedirects: 0 });
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()["content-type"]).toMatch(/^application\/json/);
  expect(await anonymous.json()).toMatchObject({ error: { code: "unauthenticated" } });

  const badKey = await request.put("/api/v1/runs/x", { data: {}, headers: { authorization: "Bearer brk_00000000_" + "A".repeat(43), "content-type": "application/json" } });
  expect(badKey.status()).toBe(401);
  expect(await badKey.json()).toMatchObject({ error: { code: "unauthenticated", field: "Authorization" } });
  await request.dispose();
});
