/**
 * The cost preview of a deployment being entered: what its GPUs cost per
 * hour and per day at the price in effect, and over its active period so far
 * (a deployment pays for its GPUs whether or not they serve), with warnings
 * for probable slips — a price per node instead of per GPU, time with no
 * catalog price, a start years off. Pure: computed in the browser with the
 * same engine as the dashboards.
 */
import { formatGpuCount, formatGpuHours, formatPricePerGpuHour } from "./display";
import { inferenceCost, NO_TRAFFIC, type InferenceDeploymentCostInput } from "./inference-cost";
import { formatUsd, parseUsdMicros } from "./money";
import type { PreviewLine } from "./run-cost-preview";

const DAY_MS = 86_400_000;

export function deploymentCostPreview({
  deployment,
  catalogName,
  now,
}: {
  deployment: InferenceDeploymentCostInput;
  /** e.g. "aws On-demand", for the lines' explanations. */
  catalogName: string;
  now: Date;
}): { lines: PreviewLine[]; warnings: string[] } {
  const lines: PreviewLine[] = [];
  const warnings: string[] = [];
  const { gpuCount } = deployment;
  const at = deployment.activeFrom > now ? deployment.activeFrom : now;
  const catalogNow = deployment.catalogPrices
    .filter((p) => p.effectiveFrom <= at && (p.effectiveTo === null || p.effectiveTo > at))
    .sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime())
    .at(-1);
  const priceMicros = deployment.pricePerGpuHourOverride !== null ? parseUsdMicros(deployment.pricePerGpuHourOverride) : catalogNow ? parseUsdMicros(catalogNow.pricePerGpuHour) : null;
  if (priceMicros !== null) {
    const source = deployment.pricePerGpuHourOverride !== null ? "price override" : `catalog: ${catalogName}`;
    lines.push({ label: "Per hour", value: formatUsd({ micros: priceMicros * BigInt(gpuCount) }), how: `${formatGpuCount(gpuCount)} × ${formatPricePerGpuHour(priceMicros)} (${source})` });
    lines.push({ label: "Per day", value: formatUsd({ micros: priceMicros * BigInt(gpuCount) * 24n }), how: `${formatGpuCount(gpuCount)} × 24 h × ${formatPricePerGpuHour(priceMicros)}` });
  }
  if (deployment.activeFrom < now) {
    const cost = inferenceCost({ deployment, range: { start: deployment.activeFrom, end: deployment.activeTo && deployment.activeTo < now ? deployment.activeTo : now }, traffic: NO_TRAFFIC, now });
    lines.push({
      label: deployment.activeTo && deployment.activeTo <= now ? "Active period" : "Active period so far",
      value: formatUsd({ micros: cost.computeCostMicros }),
      how: `${formatGpuHours(cost.gpuHours)}, whether or not it served traffic`,
      isTotal: true,
    });
    if (cost.hasUnpricedTime) {
      warnings.push(`${formatGpuHours(cost.unpricedGpuHours)} have no catalog price for ${catalogName} and are not charged — add a price in Settings or enter a price override.`);
    }
  } else {
    lines.push({ label: "Active period so far", value: formatUsd({ micros: 0n }), how: "Costs start when it goes live", isTotal: true });
  }
  if (priceMicros === null) warnings.push(`No catalog price for ${catalogName} now — add one in Settings or enter a price override.`);
  if (deployment.pricePerGpuHourOverride !== null && catalogNow) {
    const override = parseUsdMicros(deployment.pricePerGpuHourOverride);
    const catalog = parseUsdMicros(catalogNow.pricePerGpuHour);
    if (catalog > 0n && (override >= catalog * 4n || override * 4n <= catalog)) {
      const ratio = Number(override) / Number(catalog);
      warnings.push(
        `The override ${formatPricePerGpuHour(override)} is ${ratio >= 1 ? `${ratio.toFixed(1)}×` : `1/${(1 / ratio).toFixed(1)} of`} the catalog price ${formatPricePerGpuHour(catalog)} — prices are per GPU-hour, not per node-hour.`,
      );
    }
  }
  if (gpuCount >= 4096) warnings.push(`${gpuCount.toLocaleString("en-US")} GPUs — check the GPU count.`);
  if (deployment.activeFrom.getTime() < now.getTime() - 5 * 365 * DAY_MS) warnings.push("It went live over 5 years ago — check the year.");
  if (deployment.activeFrom.getTime() > now.getTime() + 365 * DAY_MS) warnings.push("It goes live over a year from now — check the year.");
  return { lines, warnings };
}
