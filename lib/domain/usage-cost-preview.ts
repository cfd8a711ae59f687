/**
 * The cost preview of a deployment's usage being entered for one period: the
 * deployment's GPU cost over that period (it pays for its GPUs whether or not
 * they serve) and what the entered traffic makes of it — $/1M tokens,
 * $/1K requests, tokens/s per GPU, idle share — with warnings for figures
 * that are probably a slip of unit. Pure: the form computes it in the browser
 * with the same engine (inference-cost.ts) as the dashboards.
 *
 * The plausibility bounds are deliberately wide, an order of magnitude or
 * more beyond what self-hosted LLM serving reaches, so a warning means "look
 * again", not "unusual":
 *   $/1M tokens     above $1,000 or below $0.001 (typical: $0.05–$50)
 *   tokens/s/GPU    above 100,000 (an H100 prefills some 10–40k tokens/s)
 *   tokens/request  above 1,000,000 (beyond any context window)
 *   $/1K requests   above $1,000
 *   requests/s/GPU  above 10,000
 */
import type Decimal from "decimal.js";
import { formatDuration, formatGpuCount, formatGpuHours, formatPercent, formatQps, formatUsdRate } from "./display";
import { inferenceCost, type InferenceDeploymentCostInput, type TrafficTotals } from "./inference-cost";
import { formatUsd } from "./money";
import { gpuTimeFactors, type PreviewLine } from "./run-cost-preview";

export const PLAUSIBLE = {
  maxUsdPerMillionTokens: 1_000,
  minUsdPerMillionTokens: 0.001,
  maxTokensPerSecondPerGpu: 100_000,
  maxTokensPerRequest: 1_000_000,
  maxUsdPerThousandRequests: 1_000,
  maxRequestsPerSecondPerGpu: 10_000,
} as const;

export interface UsagePreviewInput {
  deployment: InferenceDeploymentCostInput;
  /** e.g. "aws On-demand", for the lines' explanations. */
  catalogName: string;
  windowStart: Date;
  windowSeconds: number;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  /** Average GPU utilization in percent, or null when not entered. */
  avgGpuUtilizationPct: number | null;
  now: Date;
}

const count = (n: bigint) => n.toLocaleString("en-US");
const isAbove = (rate: Decimal | null, bound: number) => rate !== null && rate.gt(bound);

export function usageCostPreview(input: UsagePreviewInput): { lines: PreviewLine[]; warnings: string[]; costMicros: bigint } {
  const windowMs = input.windowSeconds * 1000;
  const range = { start: input.windowStart, end: new Date(input.windowStart.getTime() + windowMs) };
  const hasTraffic = input.requests > 0n;
  const utilization = input.avgGpuUtilizationPct;
  const traffic: TrafficTotals = {
    requests: input.requests,
    errors: input.errors,
    inputTokens: input.inputTokens,
    cachedInputTokens: input.cachedInputTokens,
    outputTokens: input.outputTokens,
    // The period is a usage record: all of it is recorded time.
    recordedMs: windowMs,
    trafficMs: hasTraffic ? windowMs : 0,
    idleMsDuringTraffic: hasTraffic && utilization !== null ? windowMs * (1 - utilization / 100) : 0,
  };
  const cost = inferenceCost({ deployment: input.deployment, range, traffic, now: input.now });
  const { metrics } = cost;
  const gpuCount = input.deployment.gpuCount;
  const activeMs = cost.activeInterval ? cost.activeInterval.end.getTime() - cost.activeInterval.start.getTime() : 0;
  const tokens = input.inputTokens + input.outputTokens;
  const lines: PreviewLine[] = [
    {
      label: "GPU-hours",
      value: formatGpuHours(cost.gpuHours),
      // The deployment's GPUs cost only while it is active: part of the period may be outside that.
      how: `${formatGpuCount(gpuCount)} × ${formatDuration(activeMs)}${activeMs < windowMs ? ` active, of the ${formatDuration(windowMs)} period` : ""}`,
    },
  ];
  const priced = cost.lines.flatMap((line) => (line.source === "none" ? [] : [line]));
  const source = (line: (typeof priced)[number]) => (line.source === "override" ? "price override" : `catalog: ${input.catalogName}`);
  lines.push({
    label: "Cost",
    value: formatUsd({ micros: cost.computeCostMicros }),
    how:
      priced.length === 0
        ? undefined
        : priced.length === 1
          ? `${gpuTimeFactors({ gpuCount, line: priced[0]! })} (${source(priced[0]!)})`
          : `${priced.map((line) => `${gpuTimeFactors({ gpuCount, line })} (${formatUsd({ micros: line.costMicros })})`).join(" + ")} (${source(priced[0]!)})`,
    isTotal: true,
  });
  if (hasTraffic && utilization !== null) {
    lines.push({ label: "Idle cost", value: `${formatUsd({ micros: cost.idleCostMicros })} (${formatPercent(cost.idleShare)})`, how: "GPU time not used, from the utilization" });
  }
  lines.push({ label: "$/1M tokens", value: formatUsdRate(metrics.costPerMillionTokensUsd), how: tokens > 0n ? `Cost ÷ ${count(tokens)} input + output tokens` : "No tokens entered" });
  lines.push({ label: "$/1k requests", value: formatUsdRate(metrics.costPerThousandRequestsUsd), how: hasTraffic ? `Cost ÷ ${count(input.requests)} requests` : "No requests entered" });
  if (hasTraffic) lines.push({ label: "QPS", value: formatQps(metrics.qps), how: `${count(input.requests)} requests ÷ ${formatDuration(windowMs)}` });
  if (metrics.tokensPerSecondPerGpu !== null && tokens > 0n) {
    const perGpu = metrics.tokensPerSecondPerGpu;
    lines.push({ label: "Tokens/s per GPU", value: perGpu >= 100 ? Math.round(perGpu).toLocaleString("en-US") : perGpu.toLocaleString("en-US", { maximumSignificantDigits: 3 }) });
  }

  const warnings: string[] = [];
  if (cost.hasUnpricedTime) {
    warnings.push(`${formatGpuHours(cost.unpricedGpuHours)} have no catalog price for ${input.catalogName} and cost $0 here — add a price in Settings or a price override on the deployment.`);
  }
  if (isAbove(metrics.costPerMillionTokensUsd, PLAUSIBLE.maxUsdPerMillionTokens)) {
    warnings.push(`${formatUsdRate(metrics.costPerMillionTokensUsd)} per 1M tokens is far above what serving costs — were tokens entered in millions or thousands? Enter raw token counts.`);
  } else if (metrics.costPerMillionTokensUsd !== null && metrics.costPerMillionTokensUsd.lt(PLAUSIBLE.minUsdPerMillionTokens) && cost.computeCostMicros > 0n) {
    warnings.push(`${formatUsdRate(metrics.costPerMillionTokensUsd)} per 1M tokens is implausibly cheap — check the token counts for extra digits.`);
  }
  if (metrics.tokensPerSecondPerGpu !== null && metrics.tokensPerSecondPerGpu > PLAUSIBLE.maxTokensPerSecondPerGpu) {
    warnings.push(
      `That is ${Math.round(metrics.tokensPerSecondPerGpu).toLocaleString("en-US")} tokens/s per GPU, more than a GPU can serve — check the token counts and the period's length.`,
    );
  }
  if (hasTraffic && tokens / input.requests > BigInt(PLAUSIBLE.maxTokensPerRequest)) {
    warnings.push(`${count(tokens / input.requests)} tokens per request is beyond any context window — were requests entered in thousands?`);
  }
  if (isAbove(metrics.costPerThousandRequestsUsd, PLAUSIBLE.maxUsdPerThousandRequests)) {
    warnings.push(`${formatUsdRate(metrics.costPerThousandRequestsUsd)} per 1K requests is very high — were requests entered in thousands?`);
  }
  if (metrics.qps !== null && gpuCount > 0 && metrics.qps / gpuCount > PLAUSIBLE.maxRequestsPerSecondPerGpu) {
    warnings.push(`${formatQps(metrics.qps)} on ${gpuCount} GPUs is more than they can serve — check the requests and the period's length.`);
  }
  if (!hasTraffic && tokens > 0n) warnings.push("Tokens were entered with no requests — enter the number of requests too.");
  if (hasTraffic && metrics.errorRate !== null && metrics.errorRate > 0.5) {
    warnings.push(`${formatPercent(metrics.errorRate)} of requests failed — check errors against requests.`);
  }
  return { lines, warnings, costMicros: cost.computeCostMicros };
}
