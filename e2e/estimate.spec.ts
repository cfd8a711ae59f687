import type { Page } from "@playwright/test";
import type pg from "pg";
import { formatGpuCount, formatGpuHours } from "../lib/domain/display";
import { estimatorCatalogPrice, type PricingModel } from "../lib/domain/estimator/catalog-price";
import { estimateInference } from "../lib/domain/estimator/inference";
import { estimateTraining } from "../lib/domain/estimator/training";
import { formatUsd, parseUsdMicros } from "../lib/domain/money";
import { expect, screenshot, test } from "./fixtures";

// The cost estimator on the demo catalog: the figures shown are the domain
// functions' for the inputs typed (expected values computed here from the
// same functions and the catalog rows, never hard-coded), every GPU type is
// compared, bad input names its field, and a run or deployment opens it with
// its own figures.

/** A GPU type of the demo org with the estimator's catalog price (lowest on-demand in effect now). */
async function demoGpu(sql: pg.Pool, name: string) {
  const { rows } = await sql.query<{ memoryGb: number; peak: string; bandwidth: string; provider: string | null; pricingModel: PricingModel | null; price: string | null; effectiveFrom: Date | null; effectiveTo: Date | null }>(
    `select g."memoryGb", g."peakBf16Tflops"::text as peak, g."memoryBandwidthGbps"::text as bandwidth,
            p.provider, p."pricingModel", p."pricePerGpuHour"::text as price, p."effectiveFrom", p."effectiveTo"
       from gpu_types g join orgs o on o.id = g."orgId" left join gpu_prices p on p."gpuTypeId" = g.id
      where o.slug = 'demo' and g.name = $1`,
    [name],
  );
  const first = rows[0]!;
  const price = estimatorCatalogPrice(
    rows.filter((r) => r.price !== null).map((r) => ({ provider: r.provider!, pricingModel: r.pricingModel!, pricePerGpuHourMicros: parseUsdMicros(r.price!), effectiveFrom: r.effectiveFrom!, effectiveTo: r.effectiveTo })),
    new Date(),
  );
  return { name, memoryGb: first.memoryGb, peakBf16Tflops: first.peak, memoryBandwidthGbps: first.bandwidth, pricePerGpuHourMicros: price?.pricePerGpuHourMicros ?? null };
}

async function demoGpuCount(sql: pg.Pool): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from gpu_types g join orgs o on o.id = g."orgId" where o.slug = 'demo'`);
  return rows[0]!.n;
}

const output = (page: Page, label: string) => page.locator(`[data-output="${label}"] [data-output-value]`);

test("the training estimate shows the domain function's GPU-hours and cost for the inputs, and compares every GPU type", async ({ page, sql }) => {
  const a100 = await demoGpu(sql, "A100 80GB");
  expect(a100.pricePerGpuHourMicros).not.toBeNull();
  // Llama 2 7B-like: 7e9 parameters, 2e12 tokens, full pre-training on 64 A100s at the default MFU.
  const expected = estimateTraining({ activeParameters: 7e9, tokens: 2e12, method: "PRETRAIN", gpuCount: 64, gpu: a100, pricePerGpuHourMicros: a100.pricePerGpuHourMicros });

  await page.goto("/estimate");
  await expect(page.getByRole("tab", { name: "Training" })).toHaveAttribute("aria-selected", "true");
  await page.getByLabel("Parameters", { exact: true }).fill("lots");
  await expect(page.getByRole("alert").filter({ hasText: "No estimate until" })).toContainText("Parameters: enter a positive number such as 7e9 or 7B");
  await page.getByLabel("Parameters", { exact: true }).fill("7e9");
  await page.getByLabel("Training tokens", { exact: true }).fill("2e12");
  await page.getByLabel("Method", { exact: true }).selectOption("PRETRAIN");
  await page.getByLabel("GPU type", { exact: true }).selectOption("A100 80GB");
  await page.getByLabel("GPU count", { exact: true }).fill("64");

  await expect(output(page, "GPU-hours")).toHaveText(formatGpuHours(expected.gpuHours));
  await expect(output(page, "Cost")).toHaveText(formatUsd({ micros: expected.costMicros }));
  await expect(page.locator('[data-output="GPU-hours"]')).toContainText(expected.formula.gpuHours);
  await expect(page.locator('[data-output="FLOPs"]')).toContainText("6 × 7.00e9 parameters × 2.00e12 tokens");
  // The form is in the address, so the estimate can be linked.
  await expect(page).toHaveURL(/params=7e9.*tokens=2e12.*gpus=64/);

  const table = page.getByRole("table", { name: /same training run on each GPU type/ });
  await expect(table.locator("tbody tr")).toHaveCount(await demoGpuCount(sql));
  const chosen = table.locator("tbody tr").filter({ hasText: "chosen" });
  await expect(chosen).toHaveCount(1);
  await expect(chosen).toContainText("A100 80GB");
  await expect(chosen).toContainText(formatUsd({ micros: expected.costMicros }));
  await screenshot(page, "estimate-training");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "estimate-training-390");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test("the inference tab names a bad URL value's field, then computes GPUs and cost and compares GPU types", async ({ page, sql }) => {
  const h100 = await demoGpu(sql, "H100 80GB");
  await page.goto(`/estimate?tab=inference&iparams=70B&quant=FP3&igpu=${encodeURIComponent("H100 80GB")}&rps=2&in=1500&out=300&latency=soon`);
  await expect(page.getByRole("tab", { name: "Inference" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("status").filter({ hasText: "could not be used" })).toContainText("Quantization: “FP3” is not one of");
  await expect(page.getByRole("alert").filter({ hasText: "No estimate until" })).toContainText("Latency target: enter a number such as 2000");
  await page.getByLabel("Latency target", { exact: true }).fill("20000");
  await page.getByLabel("Quantization", { exact: true }).selectOption("FP8");

  const expected = estimateInference({ parameters: 70e9, quantization: "FP8", requestsPerSecond: 2, inputTokensPerRequest: 1500, outputTokensPerRequest: 300, latencyTargetMs: 20000, gpu: h100 });
  await expect(output(page, "GPUs needed")).toHaveText(formatGpuCount(expected.gpuCount));
  await expect(output(page, "Monthly cost")).toHaveText(formatUsd({ micros: expected.monthlyCostMicros }));
  await expect(page.locator('[data-output="Tokens/s per GPU"]')).toContainText(expected.bindingBound === "compute" ? "compute-bound" : "memory-bandwidth-bound");
  await expect(page.locator('[data-output="Tokens/s per GPU"]')).toContainText(expected.formula.throughput);

  const table = page.getByRole("table", { name: /same model and traffic on each GPU type/ });
  await expect(table.locator("tbody tr")).toHaveCount(await demoGpuCount(sql));
  await expect(table.locator("tbody tr").filter({ hasText: "chosen" })).toContainText("H100 80GB");
  await screenshot(page, "estimate-inference");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "estimate-inference-390");
});

test("a demo run and a demo deployment open the estimator with their own figures", async ({ page, sql }) => {
  const { rows: [run] } = await sql.query<{ id: number; parameterCount: string; tokensProcessed: string; method: string; gpuCount: number; gpu: string }>(
    `select r.id, r."parameterCount"::text, r."tokensProcessed"::text, r.method::text, r."gpuCount", g.name as gpu
       from training_runs r join teams t on t.id = r."teamId" join orgs o on o.id = t."orgId" join gpu_types g on g.id = r."gpuTypeId"
      where o.slug = 'demo' and r."parameterCount" is not null and r."tokensProcessed" is not null and r.method = 'LORA'
      order by r.id limit 1`,
  );
  await page.goto(`/training/${run!.id}`);
  await screenshot(page, "estimate-run-page");
  await page.getByRole("link", { name: "Estimate alternatives" }).click();
  await expect(page).toHaveURL(/\/estimate\?/);
  await expect(page.getByLabel("Parameters", { exact: true })).toHaveValue(run!.parameterCount);
  await expect(page.getByLabel("Training tokens", { exact: true })).toHaveValue(run!.tokensProcessed);
  await expect(page.getByLabel("Method", { exact: true })).toHaveValue("LORA");
  await expect(page.getByLabel("GPU type", { exact: true })).toHaveValue(run!.gpu);
  await expect(page.getByLabel("GPU count", { exact: true })).toHaveValue(String(run!.gpuCount));
  // LoRA: 4 FLOPs per parameter per token.
  await expect(page.locator('[data-output="FLOPs"]')).toContainText("4 × ");

  const { rows: [deployment] } = await sql.query<{ id: number; parameterCount: string; quantization: string; gpu: string; p99SloMs: number }>(
    `select d.id, d."parameterCount"::text, d.quantization::text, g.name as gpu, d."p99SloMs"
       from inference_deployments d join teams t on t.id = d."teamId" join orgs o on o.id = t."orgId" join gpu_types g on g.id = d."gpuTypeId"
      where o.slug = 'demo' and d."parameterCount" is not null and d."p99SloMs" is not null
      order by d.id limit 1`,
  );
  await page.goto(`/inference/${deployment!.id}`);
  await page.getByRole("link", { name: "Estimate alternatives" }).click();
  await expect(page.getByRole("tab", { name: "Inference" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByLabel("Model size", { exact: true })).toHaveValue(deployment!.parameterCount);
  await expect(page.getByLabel("Quantization", { exact: true })).toHaveValue(deployment!.quantization);
  await expect(page.getByLabel("GPU type", { exact: true })).toHaveValue(deployment!.gpu);
  await expect(page.getByLabel("Latency target", { exact: true })).toHaveValue(String(deployment!.p99SloMs));
  await expect(output(page, "GPUs needed")).toBeVisible();
  await screenshot(page, "estimate-from-deployment");
});
