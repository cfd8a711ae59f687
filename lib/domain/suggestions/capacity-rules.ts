/**
 * Capacity, sizing and pricing rules for deployments. Savings are shares of
 * the deployment's cost per active day × 30.44 (derived.ts). Idle figures are
 * over recorded time only (inference-cost.ts): untracked time is never idle,
 * a deployment with a data gap gets no idle-based suggestion, and a
 * deployment breaching its p99 SLO is never told to shrink.
 */
import { IDLE_DEFINITION } from "../inference-cost";
import { PRICING_MODEL_LABELS } from "../labels";
import {
  BPS,
  bps,
  ceilDiv,
  complement,
  currentReplicaGpus,
  fewerGpusShare,
  fractionToBps,
  isAboveBps,
  isBelowBps,
  ratio,
  replicaGpusForWeights,
  times,
  WEIGHT_BITS,
  wholeMs,
  wholeReplicas,
  type Ratio,
} from "./arithmetic";
import { canProjectSavings, deploymentMonthlyCents, hasDataGap, idleShare, isBreachingSlo, perRequest, recordCoverage } from "./derived";
import { count, deploymentSubject, fraction, gigabytes, gpus, hours, ms, parameters, price, share, suggestion, usd, usdPerMonth } from "./evidence";
import { deploymentCostEvidence, deploymentGpuEvidence, deploymentSaving } from "./serving-rules";
import { SOURCES } from "./sources";
import {
  IDLE_SHARE_BPS,
  LARGE_MODEL_PARAMETERS,
  SCHEDULABLE_NO_TRAFFIC_LOW_BPS,
  SHORT_OUTPUT_TOKENS_PER_REQUEST,
  SIZING_TARGET_UTILIZATION_BPS,
  SLO_LOW_UTILIZATION_BPS,
  SMALLER_MODEL_DIVISOR,
  STEADY_MIN_ACTIVE_SHARE_BPS,
  STEADY_MIN_AGE_MS,
} from "./thresholds";
import type { CatalogPrice, DeploymentFacts, Evidence, GpuTypeFacts, Suggestion } from "./types";

const NONE: Ratio = { num: 0n, den: 1n };

function idleEvidence(f: DeploymentFacts): Evidence[] {
  return [
    { label: "Idle share of recorded time", value: share(idleShare(f)), period: f.period },
    { label: "Idle time / recorded time", value: `${hours(f.idleMs)} of ${hours(f.recordedMs)}`, period: f.period },
    { label: "Recorded time without any request", value: hours(Math.max(0, f.recordedMs - f.trafficMs)), period: f.period },
    { label: "GPU utilization while serving", value: fraction(f.utilization), period: f.period },
    { label: "Idle cost", value: usd(f.cost.idleCents), period: f.period },
    { label: "Usage records cover", value: `${share(recordCoverage(f))} of active time`, period: f.period },
    { label: "Idle definition", value: IDLE_DEFINITION, period: null },
  ];
}

/**
 * Over half of recorded GPU time idle. No request at all: switch it off
 * (the whole cost). Otherwise the larger of
 * - scale down to ⌈gpuCount × busy share / 50%⌉ GPUs in whole replicas
 *   (high), keeping one replica more (low);
 * - switch off recorded time without any request: its share of recorded
 *   time (high), half of it (low).
 */
export function idleCapacityRule(f: DeploymentFacts): Suggestion | null {
  if (!canProjectSavings(f) || hasDataGap(f) || isBreachingSlo(f)) return null;
  const idle = idleShare(f);
  if (idle === null || !isAboveBps(idle, IDLE_SHARE_BPS)) return null;
  const subject = deploymentSubject(f);
  const evidence = [...idleEvidence(f), deploymentGpuEvidence(f), ...deploymentCostEvidence(f)];
  const recorded = wholeMs(f.recordedMs);

  if (f.requests === 0n) {
    const whole = deploymentMonthlyCents(f);
    return suggestion({
      ruleId: "idle-capacity",
      subject,
      title: "Switch off a deployment that served no requests",
      evidence,
      action: `${f.name} recorded no requests in ${hours(f.recordedMs)} of usage records: switch it off, or scale it to zero until it has traffic.`,
      monthlySaving: { lowCents: whole, highCents: whole },
      confidence: "high",
      effectSource: SOURCES.idleNoTraffic,
    });
  }

  const n = BigInt(f.gpuCount);
  const replica = currentReplicaGpus(f);
  const busy = complement(idle);
  const keep = wholeReplicas(ceilDiv(n * busy.num * BPS, busy.den * SIZING_TARGET_UTILIZATION_BPS), replica);
  const scaleDown = { low: fewerGpusShare(n, keep + replica), high: fewerGpusShare(n, keep) };
  const noTrafficMs = wholeMs(Math.max(0, f.recordedMs - f.trafficMs));
  const noTraffic = ratio(noTrafficMs < recorded ? noTrafficMs : recorded, recorded);
  const schedule = { low: times(noTraffic, bps(SCHEDULABLE_NO_TRAFFIC_LOW_BPS)), high: noTraffic };
  const isScaleDown = scaleDown.high.num * schedule.high.den >= schedule.high.num * scaleDown.high.den;
  const chosen = isScaleDown ? scaleDown : schedule;
  const monthlySaving = deploymentSaving(f, chosen.low, chosen.high);
  if (!monthlySaving) return null;
  return suggestion({
    ruleId: "idle-capacity",
    subject,
    title: isScaleDown ? "Scale down idle capacity" : "Switch off idle hours or consolidate",
    evidence,
    action: isScaleDown
      ? `Scale ${f.name} down from ${gpus(f.gpuCount)} to ${gpus(keep)} (${gpus(replica)} per replica): that keeps average busy time at most 50% of the remaining GPUs. Check peak hours before removing replicas.`
      : `Switch ${f.name} off (or scale it to zero) during the hours it receives no requests — ${hours(Number(noTrafficMs))} in the period — or consolidate it onto another deployment of ${f.model}.`,
    monthlySaving,
    confidence: "medium",
    effectSource: SOURCES.idle,
  });
}

/**
 * p99 above the SLO: scale out by one replica (costs its share of the
 * deployment's monthly cost), or lower the max batch size (costs nothing,
 * the high end, offered when a max batch size over 1 is set).
 */
export function sloScaleOutRule(f: DeploymentFacts): Suggestion | null {
  if (!f.isActive || !isBreachingSlo(f) || f.gpuCount <= 0) return null;
  const n = BigInt(f.gpuCount);
  const replica = currentReplicaGpus(f);
  const replicaMonthly = deploymentMonthlyCents(f, ratio(replica, n));
  if (replicaMonthly <= 0n) return null;
  const canLowerBatch = f.batching !== "NONE" && f.maxBatchSize !== null && f.maxBatchSize > 1;
  const lowUtilization = f.utilization !== null && fractionToBps(f.utilization) < SLO_LOW_UTILIZATION_BPS;
  const batchAdvice = canLowerBatch
    ? `${lowUtilization ? "First" : "Or, first,"} lower the max batch size (${f.maxBatchSize} → ${Math.max(1, Math.floor(f.maxBatchSize! / 2))}) to cut queueing${lowUtilization ? ` — GPU utilization is only ${fraction(f.utilization)} while serving, so load is not the cause` : ""}; it costs nothing but lowers throughput per GPU.`
    : "";
  return suggestion({
    ruleId: "slo-scale-out",
    subject: deploymentSubject(f),
    title: "p99 latency is above the SLO: add capacity",
    evidence: [
      { label: "p99 latency", value: `${ms(f.p99Ms)} (SLO ${ms(f.p99SloMs)})`, period: f.period },
      { label: "p50 latency", value: ms(f.p50Ms), period: f.period },
      { label: "GPU utilization while serving", value: fraction(f.utilization), period: f.period },
      { label: "Max batch size", value: f.maxBatchSize === null ? "Not set" : String(f.maxBatchSize), period: null },
      deploymentGpuEvidence(f),
      { label: `One more replica (${gpus(replica)}) per month`, value: usd(replicaMonthly), period: f.period },
      ...deploymentCostEvidence(f),
    ],
    action: `Scale ${f.name} out by one replica (${gpus(replica)} × ${f.gpuType.name}, about ${usdPerMonth(replicaMonthly)}). ${batchAdvice}`.trim(),
    monthlySaving: { lowCents: -replicaMonthly, highCents: canLowerBatch ? 0n : -replicaMonthly },
    confidence: "medium",
    effectSource: SOURCES.sloScaleOut,
    costsMoney: true,
  });
}

function hundredths(value: number): bigint {
  return BigInt(Math.round(value * 100));
}

function cheapest(prices: readonly CatalogPrice[]): CatalogPrice | null {
  return prices.reduce<CatalogPrice | null>((best, p) => (best === null || p.pricePerGpuHourMicros < best.pricePerGpuHourMicros ? p : best), null);
}

interface GpuTypeOption {
  gpuType: GpuTypeFacts;
  price: CatalogPrice;
  gpuCount: bigint;
  projectedP99Ms: number | null;
  low: Ratio;
  high: Ratio;
}

/**
 * A cheaper GPU type at the same provider and pricing model that holds the
 * model's weights on one GPU and carries the traffic: GPUs needed =
 * ⌈gpuCount × utilization × bandwidth ratio / 50%⌉ (decode is
 * bandwidth-bound); p99 × bandwidth ratio must stay within the SLO. Saving =
 * 1 − (GPUs × price) / (gpuCount × price now); the low end adds one GPU.
 */
export function gpuTypeOption(f: DeploymentFacts): GpuTypeOption | null {
  if (f.utilization === null || f.parameterCount === null || f.pricePerGpuHourMicros === null || f.pricePerGpuHourMicros <= 0n) return null;
  const n = BigInt(f.gpuCount);
  const utilizationBps = fractionToBps(f.utilization);
  const bandwidthNow = hundredths(f.gpuType.memoryBandwidthGbps);
  const hourlyNow = n * f.pricePerGpuHourMicros;
  let best: GpuTypeOption | null = null;
  for (const alt of f.alternativeGpuTypes) {
    const altPrice = cheapest(alt.prices.filter((p) => p.provider === f.provider && p.pricingModel === f.pricingModel));
    const bandwidthAlt = hundredths(alt.memoryBandwidthGbps);
    if (altPrice === null || bandwidthAlt <= 0n || alt.memoryGb <= 0) continue;
    const fitsOneGpu = replicaGpusForWeights({ parameterCount: f.parameterCount, bitsPerParameter: WEIGHT_BITS[f.quantization], memoryGb: alt.memoryGb }) === 1n;
    if (!fitsOneGpu) continue;
    let projectedP99Ms: number | null = null;
    if (f.p99SloMs !== null) {
      if (f.p99Ms === null) continue;
      projectedP99Ms = (f.p99Ms * Number(bandwidthNow)) / Number(bandwidthAlt);
      if (wholeMs(f.p99Ms) * bandwidthNow > BigInt(f.p99SloMs) * bandwidthAlt) continue;
    }
    const needed = ceilDiv(n * utilizationBps * bandwidthNow, bandwidthAlt * SIZING_TARGET_UTILIZATION_BPS);
    const altGpus = needed < 1n ? 1n : needed;
    const saved = (gpusAlt: bigint): Ratio => {
      const hourlyAlt = gpusAlt * altPrice.pricePerGpuHourMicros;
      return hourlyAlt >= hourlyNow ? NONE : ratio(hourlyNow - hourlyAlt, hourlyNow);
    };
    const option = { gpuType: alt, price: altPrice, gpuCount: altGpus, projectedP99Ms, low: saved(altGpus + 1n), high: saved(altGpus) };
    if (option.high.num > 0n && (best === null || option.high.num * best.high.den > best.high.num * option.high.den)) best = option;
  }
  return best;
}

export function smallerGpuTypeRule(f: DeploymentFacts): Suggestion | null {
  if (!canProjectSavings(f) || hasDataGap(f) || isBreachingSlo(f)) return null;
  const option = gpuTypeOption(f);
  if (option === null) return null;
  const monthlySaving = deploymentSaving(f, option.low, option.high);
  if (!monthlySaving) return null;
  const alt = option.gpuType;
  const where = `${f.provider} ${PRICING_MODEL_LABELS[f.pricingModel].toLowerCase()}`;
  return suggestion({
    ruleId: "smaller-gpu-type",
    subject: deploymentSubject(f),
    title: `Serve on ${alt.name} instead of ${f.gpuType.name}`,
    evidence: [
      { label: "Now", value: `${gpus(f.gpuCount)} × ${f.gpuType.name} at ${price(f.pricePerGpuHourMicros)}${f.hasPriceOverride ? " (override)" : ""}`, period: null },
      { label: "GPU utilization while serving", value: fraction(f.utilization), period: f.period },
      { label: "Model weights", value: `${parameters(f.parameterCount)} at ${WEIGHT_BITS[f.quantization]} bits: ${gigabytes((f.parameterCount! * WEIGHT_BITS[f.quantization]) / 8n)}`, period: null },
      { label: `${alt.name} (${where})`, value: `${alt.memoryGb} GB, ${alt.memoryBandwidthGbps} GB/s vs ${f.gpuType.memoryBandwidthGbps} GB/s, at ${price(option.price.pricePerGpuHourMicros)}`, period: null },
      { label: "GPUs needed (bandwidth-scaled, 50% average utilization)", value: gpus(option.gpuCount), period: f.period },
      ...(option.projectedP99Ms !== null ? [{ label: "p99 projected by bandwidth", value: `${ms(option.projectedP99Ms)} (now ${ms(f.p99Ms)}, SLO ${ms(f.p99SloMs)})`, period: f.period }] : []),
      ...deploymentCostEvidence(f),
    ],
    action: `Move ${f.name} to ${gpus(option.gpuCount)} × ${alt.name} (${where}, ${price(option.price.pricePerGpuHourMicros)}): the weights fit one ${alt.name} and, scaled by memory bandwidth, ${gpus(option.gpuCount)} carry the traffic at 50% average utilization. Load-test the peak hour first.`,
    monthlySaving,
    confidence: option.projectedP99Ms !== null ? "medium" : "low",
    effectSource: SOURCES.gpuType,
  });
}

/**
 * A model over 30B parameters answering under 200 output tokens per request:
 * a model with 1/2 (low) to 1/4 (high) of the parameters, GPUs scaled with
 * parameters in whole replicas of what its weights need. Low confidence.
 */
export function smallerModelRule(f: DeploymentFacts): Suggestion | null {
  if (f.parameterCount === null || f.parameterCount <= LARGE_MODEL_PARAMETERS) return null;
  if (!canProjectSavings(f) || isBreachingSlo(f) || f.requests <= 0n) return null;
  if (f.outputTokens >= SHORT_OUTPUT_TOKENS_PER_REQUEST * f.requests) return null;
  const n = BigInt(f.gpuCount);
  const replica = currentReplicaGpus(f);
  const gpusFor = (divisor: bigint) => {
    const needed = replicaGpusForWeights({ parameterCount: f.parameterCount! / divisor, bitsPerParameter: WEIGHT_BITS[f.quantization], memoryGb: f.gpuType.memoryGb });
    return wholeReplicas(ceilDiv(n, divisor), needed < replica ? needed : replica);
  };
  const lowGpus = gpusFor(SMALLER_MODEL_DIVISOR.low);
  const highGpus = gpusFor(SMALLER_MODEL_DIVISOR.high);
  const monthlySaving = deploymentSaving(f, fewerGpusShare(n, lowGpus), fewerGpusShare(n, highGpus));
  if (!monthlySaving) return null;
  return suggestion({
    ruleId: "smaller-model",
    subject: deploymentSubject(f),
    title: "Try a smaller or distilled model for short answers",
    evidence: [
      { label: "Model", value: `${f.model}, ${parameters(f.parameterCount)}`, period: null },
      { label: "Output tokens per request", value: count(perRequest(f.outputTokens, f.requests)!, "tokens"), period: f.period },
      { label: "Requests", value: count(f.requests, "requests"), period: f.period },
      deploymentGpuEvidence(f),
      ...deploymentCostEvidence(f),
    ],
    action: `Evaluate a smaller or distilled model (a half to a quarter of ${parameters(f.parameterCount)}) on ${f.name}'s traffic: its answers are short. It would need ${lowGpus === highGpus ? gpus(lowGpus) : `${gpus(lowGpus)} to ${gpus(highGpus)}`} instead of ${gpus(f.gpuCount)}. Switch only if it matches quality on your evals.`,
    monthlySaving,
    confidence: "low",
    effectSource: SOURCES.smallerModel,
  });
}

/**
 * An on-demand deployment that has run at least 30 days and for 90%+ of the
 * period, where the catalog lists the same GPU type cheaper reserved (or
 * spot, when it has no latency SLO). Saving = 1 − price option / price now:
 * low end at the cheapest option from the same provider (else the cheapest
 * anywhere), high end at the cheapest anywhere.
 */
export function commitmentPricingRule(f: DeploymentFacts): Suggestion | null {
  if (f.pricingModel !== "ON_DEMAND" || f.pricePerGpuHourMicros === null || f.pricePerGpuHourMicros <= 0n) return null;
  if (!canProjectSavings(f)) return null;
  const periodLength = wholeMs(f.period.end.getTime() - f.period.start.getTime());
  if (periodLength <= 0n || isBelowBps(ratio(wholeMs(f.activeMs), periodLength), STEADY_MIN_ACTIVE_SHARE_BPS)) return null;
  if (f.period.end.getTime() - f.activeFrom.getTime() < STEADY_MIN_AGE_MS) return null;
  const now = f.pricePerGpuHourMicros;
  const options = f.gpuType.prices.filter(
    (p) => (p.pricingModel === "RESERVED" || (p.pricingModel === "SPOT" && f.p99SloMs === null)) && p.pricePerGpuHourMicros < now,
  );
  const anywhere = cheapest(options);
  if (anywhere === null) return null;
  const sameProvider = cheapest(options.filter((p) => p.provider === f.provider));
  const saved = (p: CatalogPrice) => ratio(now - p.pricePerGpuHourMicros, now);
  const monthlySaving = deploymentSaving(f, saved(sameProvider ?? anywhere), saved(anywhere));
  if (!monthlySaving) return null;
  const describe = (p: CatalogPrice) => `${PRICING_MODEL_LABELS[p.pricingModel].toLowerCase()} at ${p.provider}, ${price(p.pricePerGpuHourMicros)} (−${share(saved(p))})`;
  const steps = [
    sameProvider ? `Move ${f.name} to ${describe(sameProvider)}` : null,
    anywhere !== sameProvider ? `${sameProvider ? "the lowest listed is" : `Move ${f.name} to`} ${describe(anywhere)}` : null,
  ].filter((s) => s !== null);
  const risks = [
    options.some((p) => p.pricingModel === "RESERVED") ? "reserved prices need a term commitment: commit only capacity that will keep running" : null,
    options.some((p) => p.pricingModel === "SPOT") ? "spot capacity can be reclaimed at short notice (offered because the deployment has no latency SLO)" : null,
  ].filter((s) => s !== null);
  return suggestion({
    ruleId: "commitment-pricing",
    subject: deploymentSubject(f),
    title: "Pay less than on-demand for a steady deployment",
    evidence: [
      { label: "Pricing now", value: `On-demand at ${f.provider}, ${price(now)}${f.hasPriceOverride ? " (override)" : ""}`, period: null },
      {
        label: "Running",
        value: `${Math.floor((f.period.end.getTime() - f.activeFrom.getTime()) / 86_400_000).toLocaleString("en-US")} days; active ${share(ratio(wholeMs(f.activeMs), periodLength))} of the period`,
        period: f.period,
      },
      ...options
        .slice()
        .sort((a, b) => (a.pricePerGpuHourMicros < b.pricePerGpuHourMicros ? -1 : a.pricePerGpuHourMicros > b.pricePerGpuHourMicros ? 1 : a.provider.localeCompare(b.provider)))
        .map((p) => ({ label: `${f.gpuType.name}, ${PRICING_MODEL_LABELS[p.pricingModel].toLowerCase()} at ${p.provider}`, value: price(p.pricePerGpuHourMicros), period: null })),
      deploymentGpuEvidence(f),
      ...deploymentCostEvidence(f),
    ],
    action: `${steps.join("; ")}. Note: ${risks.join("; ")}.`,
    monthlySaving,
    confidence: sameProvider?.pricingModel === "RESERVED" ? "high" : "medium",
    effectSource: SOURCES.catalogPrices,
  });
}
