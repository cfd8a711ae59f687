import { expect, screenshot, test } from "./fixtures";

test("the health endpoint reports the database", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", database: { status: "ok" } });
});

for (const [from, label, heading] of [
  ["/", "Teams", "Teams"],
  ["/", "Training", "Training runs"],
  ["/", "Inference", "Inference deployments"],
  ["/", "Reports", "Reports"],
  ["/", "Settings", "Settings"],
  ["/settings", "Overview", "Overview"],
] as const) {
  test(`the navigation reaches ${label}`, async ({ page }) => {
    await page.goto(from);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: label, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await expect(nav.getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "page");
    await screenshot(page, `nav-${label.toLowerCase()}`);
  });
}

test("the lists show records read from the database", async ({ page, sql }) => {
  const suffix = Date.now().toString(36);
  const { rows: [ctx] } = await sql.query<{ teamId: number; gpuTypeId: number }>(
    `select t.id as "teamId", g.id as "gpuTypeId"
       from teams t join orgs o on o.id = t."orgId" join gpu_types g on g."orgId" = o.id
      where o.slug = 'demo' order by t.id, g.id limit 1`,
  );
  expect(ctx).toBeDefined();
  await sql.query(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
       "pricePerGpuHourOverride", "storageCostUsd", "tokensProcessed", "updatedAt")
     values ($1, $2, 'llama-3-8b', 'LORA', 'BF16', $3, 'aws', 'ON_DEMAND', 8, now() - interval '3 hours', now() - interval '1 hour', 'SUCCEEDED',
       2.5, 1.25, 55000000, now())`,
    [ctx!.teamId, `e2e-run-${suffix}`, ctx!.gpuTypeId],
  );
  await sql.query(
    `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "p99SloMs", "activeFrom", "updatedAt")
     values ($1, $2, 'mistral-7b', 'VLLM', 'FP8', 'CONTINUOUS', $3, 'gcp', 'SPOT', 2, 850, now() - interval '1 day', now())`,
    [ctx!.teamId, `e2e-deployment-${suffix}`, ctx!.gpuTypeId],
  );

  await page.goto("/training");
  const run = page.getByRole("row").filter({ hasText: `e2e-run-${suffix}` });
  await expect(run).toContainText("LoRA");
  await expect(run).toContainText("BF16");
  await expect(run).toContainText("8 ×");
  // 8 GPUs × 2 h × $2.50 + $1.25 storage = $41.25; 16 GPU-hours; $41.25 / 55M tokens = $0.75 per 1M.
  await expect(run).toContainText("$41.25");
  await expect(run).toContainText("16.0");
  await expect(run).toContainText("$0.75");
  await expect(page.getByRole("row")).not.toHaveCount(2);

  await page.goto("/inference");
  const deployment = page.getByRole("row").filter({ hasText: `e2e-deployment-${suffix}` });
  await expect(deployment).toContainText("vLLM");
  await expect(deployment).toContainText("850 ms");
});
