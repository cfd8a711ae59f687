/**
 * Every "a × b" explanation in the run and usage previews multiplies to the
 * figure it explains, once the exact product is rounded the way the figure is
 * displayed — also for lengths that aren't whole hours (21 h on 2 GPUs,
 * 90 minutes, a DST day of 23 or 25 hours, a running run measured to the
 * second). Regression: "42 GPU-h = 2 GPUs × 24 h" for a deployment that went
 * live 3 hours into the period.
 */
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { formatDuration } from "./display";
import { localToInstant } from "./local-time";
import { runCostPreview, type PreviewLine, type RunPreviewInput } from "./run-cost-preview";
import { usageCostPreview, type UsagePreviewInput } from "./usage-cost-preview";

const UNIT_MS = { h: 3_600_000, min: 60_000, s: 1000, ms: 1 } as const;
const london = (local: string) => {
  const result = localToInstant({ local, timeZone: "Europe/London" });
  if (!result.ok) throw new Error(local);
  return result.instant;
};

/** One "N GPUs × duration [× $p / GPU-h]" term → its factors. */
function factors(term: string): { gpus: Decimal; ms: Decimal; price: Decimal | null } {
  const gpus = /^([\d,]+) GPUs?\b/.exec(term.trim());
  if (!gpus) throw new Error(`No GPU count in "${term}"`);
  // The duration factor is the second one; anything after "active" only says what it was part of.
  const durationText = (term.split("×")[1] ?? "").split(" active")[0]!;
  let ms = new Decimal(0);
  for (const [, n, unit] of durationText.matchAll(/([\d,]+) (h|min|s|ms)\b/g)) ms = ms.plus(new Decimal(n!.replaceAll(",", "")).times(UNIT_MS[unit as keyof typeof UNIT_MS]));
  const price = /\$([\d,.]+) \/ GPU-h/.exec(term);
  return { gpus: new Decimal(gpus[1]!.replaceAll(",", "")), ms, price: price ? new Decimal(price[1]!.replaceAll(",", "")) : null };
}

/** "42.0 GPU-h" → the number and its decimal places. */
function shownNumber(text: string): { value: Decimal; places: number } {
  const plain = /[\d,]+(?:\.(\d+))?/.exec(text.replace("$", ""));
  if (!plain) throw new Error(`No number in "${text}"`);
  return { value: new Decimal(plain[0].replaceAll(",", "")), places: plain[1]?.length ?? 0 };
}

function expectGpuHoursAddUp(line: PreviewLine | undefined) {
  expect(line, "GPU-hours line").toBeDefined();
  const { gpus, ms } = factors(line!.how!);
  const shown = shownNumber(line!.value);
  const exact = gpus.times(ms).div(3_600_000);
  expect(exact.toDecimalPlaces(shown.places, Decimal.ROUND_HALF_EVEN).toFixed(shown.places), `${line!.how} = ${line!.value}`).toBe(shown.value.toFixed(shown.places));
}

function expectCostAddsUp(line: PreviewLine | undefined) {
  expect(line, "cost line").toBeDefined();
  const terms = line!.how!.replace(/ \((?:catalog|price override|override)[^)]*\)$/, "").split(" + ");
  let total = new Decimal(0);
  for (const term of terms) {
    const { gpus, ms, price } = factors(term);
    expect(price, `a price in "${term}"`).not.toBeNull();
    const exact = gpus.times(ms).div(3_600_000).times(price!);
    const part = /\(\$([\d,.]+)\)$/.exec(term);
    // A part that shows its own amount must match its own factors too.
    if (part) expect(exact.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2), term).toBe(part[1]!.replaceAll(",", ""));
    total = total.plus(exact);
  }
  expect(`$${total.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toNumber().toLocaleString("en-US", { minimumFractionDigits: 2 })}`, `${line!.how} = ${line!.value}`).toBe(line!.value);
}

const find = (lines: PreviewLine[], label: string) => lines.find((l) => l.label === label);

const run: RunPreviewInput = {
  gpuCount: 2,
  startedAt: new Date("2026-11-18T00:00:00Z"),
  endedAt: new Date("2026-11-18T21:00:00Z"),
  pricePerGpuHourOverride: null,
  catalogPrices: [{ pricePerGpuHour: "2.4567", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: null }],
  catalogName: "aws On-demand",
  storageCostUsd: "0",
  dataCostUsd: "0",
  networkCostUsd: "0",
  tokensProcessed: null,
  parameterCount: null,
  peakBf16Tflops: null,
  now: new Date("2026-11-20T12:00:00Z"),
  timeZone: "Europe/London",
};

describe("run preview arithmetic", () => {
  it.each([
    ["21 h on 2 GPUs", {}, "2 GPUs × 21 h", "42.0 GPU-h"],
    ["90 minutes on 8 GPUs", { gpuCount: 8, endedAt: new Date("2026-11-18T01:30:00Z") }, "8 GPUs × 1 h 30 min", "12.0 GPU-h"],
    ["1 minute on 7 GPUs", { gpuCount: 7, endedAt: new Date("2026-11-18T00:01:00Z") }, "7 GPUs × 1 min", "0.12 GPU-h"],
    ["a 23-hour day (clocks go forward in London)", { startedAt: london("2026-03-29T00:00"), endedAt: london("2026-03-30T00:00") }, "2 GPUs × 23 h", "46.0 GPU-h"],
    ["a 25-hour day (clocks go back in London)", { startedAt: london("2026-10-25T00:00"), endedAt: london("2026-10-26T00:00") }, "2 GPUs × 25 h", "50.0 GPU-h"],
    ["1 GPU over 1,001 hours", { gpuCount: 1, endedAt: new Date("2026-12-29T17:00:00Z"), now: new Date("2027-01-01T00:00:00Z") }, "1 GPU × 1,001 h", "1,001 GPU-h"],
    [
      "a running run, measured to the second",
      { endedAt: null, startedAt: new Date("2026-11-20T10:00:00Z"), now: new Date("2026-11-20T11:17:42Z") },
      "2 GPUs × 1 h 17 min 42 s so far",
      "2.59 GPU-h",
    ],
  ])("%s: the shown factors multiply to the shown GPU-hours and compute cost", (_label, patch, how, gpuHours) => {
    const { lines } = runCostPreview({ ...run, ...patch });
    const hours = find(lines, "GPU-hours");
    expect(hours?.how).toBe(how);
    expect(hours?.value).toBe(gpuHours);
    expectGpuHoursAddUp(hours);
    const compute = lines.filter((l) => l.label.startsWith("Compute"));
    expect(compute).toHaveLength(1);
    expectCostAddsUp(compute[0]);
  });

  it("explains each price period with its own factors, dated in the form's zone", () => {
    const { lines } = runCostPreview({
      ...run,
      startedAt: london("2026-09-30T00:00"),
      endedAt: london("2026-10-01T21:30"),
      catalogPrices: [
        { pricePerGpuHour: "2.5", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: london("2026-10-01T00:00") },
        { pricePerGpuHour: "3.1", effectiveFrom: london("2026-10-01T00:00"), effectiveTo: null },
      ],
    });
    const compute = lines.filter((l) => l.label.startsWith("Compute"));
    expect(compute.map((l) => [l.label, l.value, l.how])).toEqual([
      ["Compute from 2026-09-30 00:00", "$120.00", "2 GPUs × 24 h × $2.50 / GPU-h (catalog: aws On-demand)"],
      ["Compute from 2026-10-01 00:00", "$133.30", "2 GPUs × 21 h 30 min × $3.10 / GPU-h (catalog: aws On-demand)"],
    ]);
    compute.forEach(expectCostAddsUp);
    expectGpuHoursAddUp(find(lines, "GPU-hours"));
    expect(find(lines, "Total")?.value).toBe("$253.30");
  });

  it("uses the pages' labels", () => {
    const { lines } = runCostPreview({ ...run, storageCostUsd: "1", dataCostUsd: "2", networkCostUsd: "3", tokensProcessed: 1_000_000n });
    expect(lines.map((l) => l.label)).toEqual(["GPU-hours", "Compute", "Storage", "Data", "Network", "Total", "Cost per 1M tokens"]);
    // 2 × 21 × $2.4567 = $103.1814 → $103.18, + $6 = $109.18 for 1M tokens.
    expect(find(lines, "Total")?.value).toBe("$109.18");
    expect(find(lines, "Cost per 1M tokens")?.value).toBe("$109.18");
  });

  it("shows what a running run accrues per hour as its factors", () => {
    const { lines } = runCostPreview({ ...run, endedAt: null, startedAt: new Date("2026-11-20T10:00:00Z") });
    expect(find(lines, "Accruing")).toMatchObject({ value: "$4.91/h", how: "2 GPUs × $2.4567 / GPU-h, while the run has no end time" });
  });
});

const usage: UsagePreviewInput = {
  deployment: {
    gpuCount: 2,
    pricePerGpuHourOverride: null,
    catalogPrices: [{ pricePerGpuHour: "2.4567", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: null }],
    activeFrom: new Date("2026-11-01T00:00:00Z"),
    activeTo: null,
  },
  catalogName: "aws On-demand",
  windowStart: new Date("2026-11-10T00:00:00Z"),
  windowSeconds: 21 * 3600,
  requests: 1000n,
  errors: 0n,
  inputTokens: 1_000_000n,
  cachedInputTokens: 0n,
  outputTokens: 0n,
  avgGpuUtilizationPct: null,
  now: new Date("2026-11-20T12:00:00Z"),
};

const since2026 = { ...usage.deployment, activeFrom: new Date("2026-01-01T00:00:00Z") };

describe("usage preview arithmetic", () => {
  it.each([
    ["21 h on 2 GPUs", {}, "2 GPUs × 21 h", "42.0 GPU-h"],
    ["90 minutes", { windowSeconds: 5400 }, "2 GPUs × 1 h 30 min", "3.00 GPU-h"],
    ["a 23-hour local day", { windowStart: london("2026-03-29T00:00"), windowSeconds: 23 * 3600, deployment: since2026 }, "2 GPUs × 23 h", "46.0 GPU-h"],
    ["a 25-hour local day", { windowStart: london("2026-10-25T00:00"), windowSeconds: 25 * 3600, deployment: since2026 }, "2 GPUs × 25 h", "50.0 GPU-h"],
    ["an odd number of seconds", { windowSeconds: 3661 }, "2 GPUs × 1 h 1 min 1 s", "2.03 GPU-h"],
    [
      "a deployment that went live 3 hours into a day",
      { windowSeconds: 86_400, deployment: { ...usage.deployment, activeFrom: new Date("2026-11-10T03:00:00Z") } },
      "2 GPUs × 21 h active, of the 24 h period",
      "42.0 GPU-h",
    ],
  ])("%s: the shown factors multiply to the shown GPU-hours and cost", (_label, patch, how, gpuHours) => {
    const { lines } = usageCostPreview({ ...usage, ...patch });
    const hours = find(lines, "GPU-hours");
    expect(hours?.how).toBe(how);
    expect(hours?.value).toBe(gpuHours);
    expectGpuHoursAddUp(hours);
    expectCostAddsUp(find(lines, "Cost"));
  });

  it("explains a period across a price change part by part", () => {
    const { lines } = usageCostPreview({
      ...usage,
      windowSeconds: 86_400,
      deployment: {
        ...usage.deployment,
        catalogPrices: [
          { pricePerGpuHour: "2.5", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: new Date("2026-11-10T10:30:00Z") },
          { pricePerGpuHour: "2", effectiveFrom: new Date("2026-11-10T10:30:00Z"), effectiveTo: null },
        ],
      },
    });
    const cost = find(lines, "Cost");
    expect(cost).toMatchObject({
      value: "$106.50",
      how: "2 GPUs × 10 h 30 min × $2.50 / GPU-h ($52.50) + 2 GPUs × 13 h 30 min × $2.00 / GPU-h ($54.00) (catalog: aws On-demand)",
    });
    expectCostAddsUp(cost);
  });

  it("uses the pages' labels", () => {
    const { lines } = usageCostPreview(usage);
    expect(lines.map((l) => l.label)).toEqual(["GPU-hours", "Cost", "$/1M tokens", "$/1k requests", "QPS", "Tokens/s per GPU"]);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 h"],
    [21 * 3_600_000, "21 h"],
    [5_400_000, "1 h 30 min"],
    [60_000, "1 min"],
    [3_661_000, "1 h 1 min 1 s"],
    [3_600_250, "1 h 250 ms"],
    [1_001 * 3_600_000, "1,001 h"],
    [-1, "—"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
