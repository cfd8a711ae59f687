/**
 * Report lines as FinOps FOCUS rows (FOCUS 1.2 columns, plus 1.3's
 * ServiceProviderName and HostProviderName). Pure: no server imports, no
 * CSV quoting or formula neutralization (lib/reports/csv.ts does that; the
 * numeric columns are listed in FOCUS_DECIMAL_COLUMNS so they can be written
 * as number cells — "-0.05" must not be neutralized like a formula).
 *
 * One line gives one row per cost component:
 *   - a compute row (GPU time), always;
 *   - an extras row (storage, data and network), when the line has extras
 *     (extraCents or extraMicros non-zero).
 * BilledCost is the component's displayed cents as dollars (computeCents,
 * extraCents), so the rows of a line sum to lineCents(line) and a report's
 * rows sum to the report total, to the cent. No float touches money or
 * quantities: everything is bigint and decimal text.
 *
 * Spec references are to specification/columns/*.md and
 * specification/attributes/*.md of FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec
 * at tag v1.2. The 1.3 provider columns were on no release tag in the copy
 * read; their rules come from the drafts (specification/columns/
 * service_provider.md, host_provider.md, appendix/entity_identification.md
 * on branch p_h_I_d_refactor, where the IDs are still "ServiceProvider" and
 * "HostProvider"); the names ServiceProviderName and HostProviderName are the
 * ones 1.3 implementations use. `focusHeaderNotes` says how each column is
 * filled.
 */
import { formatPeriod, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { pad2, utcFields } from "@/lib/domain/local-time";
import { roundHalfEven } from "@/lib/domain/largest-remainder";
import type { PricingModelCode, PriceUsed, ReportContext, ReportLine } from "./line";

/** The 21 columns FOCUS 1.2 marks Mandatory (Feature level), in the order Burnrate writes them. */
const MANDATORY_COLUMNS = [
  "BilledCost",
  "BillingAccountId",
  "BillingAccountName",
  "BillingCurrency",
  "BillingPeriodStart",
  "BillingPeriodEnd",
  "ChargeCategory",
  "ChargeClass",
  "ChargeDescription",
  "ChargePeriodStart",
  "ChargePeriodEnd",
  "ContractedCost",
  "EffectiveCost",
  "InvoiceIssuerName",
  "ListCost",
  "PricingQuantity",
  "PricingUnit",
  "ProviderName",
  "PublisherName",
  "ServiceCategory",
  "ServiceName",
] as const;

/** FOCUS columns that are Recommended or Conditional (and apply), then 1.3's provider columns. */
const OTHER_FOCUS_COLUMNS = [
  "ServiceSubcategory",
  "ChargeFrequency",
  "ConsumedQuantity",
  "ConsumedUnit",
  "PricingCategory",
  "ListUnitPrice",
  "ContractedUnitPrice",
  "SubAccountId",
  "SubAccountName",
  "ResourceId",
  "ResourceName",
  "ResourceType",
  "SkuId",
  "SkuPriceId",
  "SkuMeter",
  "SkuPriceDetails",
  "Tags",
  "ServiceProviderName",
  "HostProviderName",
] as const;

/** Burnrate's own columns; custom columns carry the x_ prefix and come after all FOCUS columns (attributes/column_handling.md). */
const CUSTOM_COLUMNS = [
  "x_Kind",
  "x_Model",
  "x_GpuType",
  "x_GpuCount",
  "x_PricingModel",
  "x_PriceSource",
  "x_PricesUsed",
  "x_UnpricedGpuHours",
  "x_Tokens",
  "x_InputTokens",
  "x_CachedInputTokens",
  "x_OutputTokens",
  "x_Requests",
  "x_P99LatencyMs",
  "x_CorrectsMonth",
  "x_CorrectionCause",
  "x_AuditEntryIds",
  "x_ReportTimeZone",
] as const;

export type FocusColumn = (typeof MANDATORY_COLUMNS)[number] | (typeof OTHER_FOCUS_COLUMNS)[number] | (typeof CUSTOM_COLUMNS)[number];

/** The header of a FOCUS export, in order. */
export const FOCUS_COLUMNS: readonly FocusColumn[] = [...MANDATORY_COLUMNS, ...OTHER_FOCUS_COLUMNS, ...CUSTOM_COLUMNS];

/** FOCUS 1.2's mandatory columns (all present in FOCUS_COLUMNS, first, in this order). */
export const FOCUS_MANDATORY_COLUMNS: readonly FocusColumn[] = MANDATORY_COLUMNS;

/**
 * Columns whose values are plain decimal numbers ("12.34", "-0.05", "8"): a
 * CSV writer should write them as number cells, everything else as text.
 */
export const FOCUS_DECIMAL_COLUMNS: ReadonlySet<FocusColumn> = new Set<FocusColumn>([
  "BilledCost",
  "ContractedCost",
  "EffectiveCost",
  "ListCost",
  "PricingQuantity",
  "ConsumedQuantity",
  "ListUnitPrice",
  "ContractedUnitPrice",
  "x_GpuCount",
  "x_UnpricedGpuHours",
  "x_Tokens",
  "x_InputTokens",
  "x_CachedInputTokens",
  "x_OutputTokens",
  "x_Requests",
  "x_P99LatencyMs",
]);

/** Columns holding serialized JSON (Key-Value Format for the FOCUS ones, attributes/key_value_format.md). */
export const FOCUS_JSON_COLUMNS: ReadonlySet<FocusColumn> = new Set<FocusColumn>(["SkuPriceDetails", "Tags", "x_PricesUsed", "x_AuditEntryIds"]);

/** How each column is filled, and the spec file behind each non-obvious choice (a data dictionary for the export). */
export const focusHeaderNotes: Readonly<Record<FocusColumn, string>> = {
  BilledCost:
    "The component's displayed cents (computeCents or extraCents) as dollars with 2 decimals; rows sum to the report total. columns/billedcost.md, attributes/numeric_format.md.",
  BillingAccountId: "The organization's slug. columns/billingaccountid.md.",
  BillingAccountName: "The organization's name. columns/billingaccountname.md.",
  BillingCurrency: "The report's currency (USD). columns/billingcurrency.md, attributes/currency_format.md.",
  BillingPeriodStart: "Start of the report month in the report's zone, as a UTC instant (YYYY-MM-DDTHH:mm:ssZ), inclusive. columns/billingperiodstart.md, attributes/datetime_format.md.",
  BillingPeriodEnd: "End of the report month in the report's zone, as a UTC instant, exclusive. columns/billingperiodend.md.",
  ChargeCategory:
    'Always "Usage": GPU time and extras are charged for what was used; a correction is a positive or negative Usage charge ("including refunds"), not an Adjustment. columns/chargecategory.md.',
  ChargeClass: 'Null for this month\'s charges; "Correction" on correction lines (changes to a closed, previously reported month). columns/chargeclass.md.',
  ChargeDescription: "A sentence: what, which item, provider, pricing model, price, and the local dates covered. columns/chargedescription.md.",
  ChargePeriodStart:
    "The item's activity start inside the period (for a correction: inside the corrected month), floored to the second. columns/chargeperiodstart.md, attributes/datetime_format.md (no milliseconds).",
  ChargePeriodEnd:
    "The activity end, exclusive, ceiled to the second (and at least one second after the start), so start < end survives dropping milliseconds. columns/chargeperiodend.md.",
  ContractedCost:
    "= BilledCost: Burnrate models no negotiated discounts (\"If negotiated discounts are not applicable, the Contracted Cost defaults to the List Cost\"). columns/contractedcost.md.",
  EffectiveCost: "= BilledCost: no prepaid purchases or commitments are amortized. columns/effectivecost.md.",
  InvoiceIssuerName: "The line's provider (the cloud, or the internal name for on-prem): buying directly from the provider. appendix/origination_of_cost_data.md rows 1.1 and 5.1.",
  ListCost:
    "= BilledCost. Compute: the billed cost is the price (catalog or the record's own override) × GPU-hours, rounded once by the cents rule; recomputing price × quantity would differ by under a cent and break the sum. Extras: no unit price, so ListCost must match BilledCost. columns/listcost.md.",
  PricingQuantity:
    "Compute: priced GPU-hours, (gpuMs − unpricedGpuMs) / 3,600,000, half-even to 6 decimals, trailing zeros trimmed. Extras: the item's active hours in the period (extras are spread over run time). Negative on corrections that reduce usage. columns/pricingquantity.md.",
  PricingUnit: 'Compute: "GPU-Hours"; extras: "Hours". attributes/unit_format.md (<singular-unit>-<plural-time-units>, like "GB-Hours").',
  ProviderName: "The line's provider. Deprecated in FOCUS 1.3 (ServiceProviderName replaces it) but still mandatory. columns/provider.md.",
  PublisherName: "The line's provider (the entity that produced the GPUs' service). Deprecated in 1.3, still mandatory. columns/publisher.md, appendix/origination_of_cost_data.md.",
  ServiceCategory: '"AI and Machine Learning" for both kinds. columns/servicecategory.md (allowed values).',
  ServiceName:
    '"Model training" or "Model inference": one service per kind, so each ServiceName has one ServiceSubcategory; GPU time and extras are charges of that service (told apart by SkuMeter). columns/servicename.md.',
  ServiceSubcategory: '"Machine Learning" (training) or "Generative AI" (inference), both under "AI and Machine Learning". columns/servicesubcategory.md (allowed values).',
  ChargeFrequency: '"Usage-Based". columns/chargefrequency.md.',
  ConsumedQuantity:
    "Compute: all GPU-hours, gpuMs / 3,600,000 (including unpriced time), 6 decimals trimmed. Extras: active hours. columns/consumedquantity.md.",
  ConsumedUnit: 'Compute: "GPU-Hours"; extras: "Hours". columns/consumedunit.md.',
  PricingCategory:
    'ON_DEMAND → "Standard", SPOT → "Dynamic", RESERVED → "Committed", ON_PREM → "Other"; extras rows "Standard". FOCUS 1.2 allows only Standard, Dynamic, Committed, Other (On-Demand / Commitment-Based were pre-1.0 values). columns/pricingcategory.md.',
  ListUnitPrice:
    "Compute: the price per GPU-hour when the line used exactly one price amount (catalog or override), else null (several prices, or none); x_PricesUsed lists them. Extras: null (a lump sum, no unit price). columns/listunitprice.md.",
  ContractedUnitPrice: "Same as ListUnitPrice (no negotiated discounts). columns/contractedunitprice.md.",
  SubAccountId: "The team's slug. columns/subaccountid.md.",
  SubAccountName: "The team's name. columns/subaccountname.md.",
  ResourceId: '"burnrate:training-run:<id>" or "burnrate:inference-deployment:<id>" (database ids never change). columns/resourceid.md.',
  ResourceName: "The run's or deployment's name. columns/resourcename.md.",
  ResourceType: '"Training run" or "Inference deployment". columns/resourcetype.md.',
  SkuId:
    'Compute: "burnrate:gpu-hour:<provider>:<gpuTypeId>" (the same across pricing models, as required); extras: "burnrate:storage-data-network". columns/skuid.md.',
  SkuPriceId:
    'Compute: SkuId + ":<pricing model>" (the catalog price list entry family; stable over time, the amount is not part of it). Extras: same as SkuId. columns/skupriceid.md.',
  SkuMeter: '"GPU time" or "Storage, data and network". columns/skumeter.md.',
  SkuPriceDetails:
    'Compute: {"GpuCount":1, "x_GpuType", "x_Provider", "x_PricingModel"}; numeric values are per single PricingUnit (one GPU-hour = one GPU), no price amounts or dates. Extras: null. columns/skupricedetails.md, attributes/key_value_format.md.',
  Tags:
    'Provider-defined tags with the "burnrate/" prefix: team (slug), kind, model, gpuType. Burnrate has no user-defined tags. columns/tags.md, attributes/key_value_format.md.',
  ServiceProviderName: "The line's provider (FOCUS 1.3; draft columns/service_provider.md, appendix/entity_identification.md scenario 1.1).",
  HostProviderName: "The line's provider (FOCUS 1.3; draft columns/host_provider.md: the Service Provider when no other host is known).",
  x_Kind: '"training" or "inference".',
  x_Model: "The model trained or served.",
  x_GpuType: "The GPU type's name.",
  x_GpuCount: "GPUs of the item (the line's GPU count; SkuPriceDetails.GpuCount is per GPU-hour).",
  x_PricingModel: "Burnrate's pricing model code (ON_DEMAND, SPOT, RESERVED, ON_PREM).",
  x_PriceSource: 'Compute rows: "catalog" (the org\'s price list) or "override" (the record\'s own price); null when nothing priced the GPU time.',
  x_PricesUsed:
    'Compute rows: JSON array of the prices used, in time order, [{"PricePerGpuHour":2.5,"Source":"catalog","From":"…Z","To":"…Z"}]; null when none.',
  x_UnpricedGpuHours: "Compute rows: GPU-hours no price covered (billed at $0).",
  x_Tokens: "Compute rows: training tokens processed (prorated to the period), or inference input + output tokens.",
  x_InputTokens: "Compute rows, inference: prompt tokens, including cached ones.",
  x_CachedInputTokens: "Compute rows, inference: prompt tokens served from the prefix cache.",
  x_OutputTokens: "Compute rows, inference: generated tokens.",
  x_Requests: "Compute rows, inference: requests.",
  x_P99LatencyMs: "Compute rows, inference: p99 latency over the period (ms, 3 decimals).",
  x_CorrectsMonth: 'Correction rows: the closed month corrected, "YYYY-MM".',
  x_CorrectionCause: "Correction rows: what changed since that month was closed.",
  x_AuditEntryIds: 'Correction rows: JSON array of the audit entry ids behind the change (strings), newest first.',
  x_ReportTimeZone: "The report's IANA zone: the billing period is a month of this zone.",
};

type FocusRow = Record<FocusColumn, string | null>;

const MS_PER_HOUR = 3_600_000n;
/** Quantities in hours keep 6 decimals (a micro-hour is 3.6 ms). */
const HOUR_DECIMALS = 6;

const PRICING_CATEGORY: Record<PricingModelCode, string> = {
  ON_DEMAND: "Standard",
  SPOT: "Dynamic",
  RESERVED: "Committed",
  ON_PREM: "Other",
};

const KIND = {
  training: {
    serviceName: "Model training",
    subcategory: "Machine Learning",
    resourceType: "Training run",
    resourceIdPart: "training-run",
    noun: "training run",
  },
  inference: {
    serviceName: "Model inference",
    subcategory: "Generative AI",
    resourceType: "Inference deployment",
    resourceIdPart: "inference-deployment",
    noun: "inference deployment",
  },
} as const;

/** Cents as dollars with exactly 2 decimals: 1234n → "12.34", -5n → "-0.05". */
export function centsToDollarString(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const magnitude = cents < 0n ? -cents : cents;
  return `${sign}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, "0")}`;
}

/** An integer count of 10^-decimals units as plain decimal text, trailing zeros trimmed: (1500000n, 6) → "1.5". */
function scaledToDecimalString(value: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const sign = value < 0n ? "-" : "";
  const magnitude = value < 0n ? -value : value;
  const fraction = (magnitude % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${sign}${magnitude / scale}${fraction ? `.${fraction}` : ""}`;
}

/** Milliseconds as hours, half-even to 6 decimals, trimmed: 5_400_000n → "1.5", 1n → "0" (bigint only). */
export function msToHoursString(ms: bigint): string {
  const microHours = roundHalfEven({ numerator: ms * 10n ** BigInt(HOUR_DECIMALS), denominator: MS_PER_HOUR });
  return scaledToDecimalString(microHours, HOUR_DECIMALS);
}

/** Micro-dollars as exact dollars, trimmed: 2_500_000n → "2.5". */
function microsToTrimmedDollars(micros: bigint): string {
  return scaledToDecimalString(micros, 6);
}

/** FOCUS date/time: UTC, "YYYY-MM-DDTHH:mm:ssZ", milliseconds rounded down (start bounds) or up (end bounds). */
export function focusDateTime(instant: Date, rounding: "floor" | "ceil"): string {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("Invalid date");
  return utcSecondsText(rounding === "floor" ? Math.floor(ms / 1000) : Math.ceil(ms / 1000));
}

/** Whole epoch seconds as "YYYY-MM-DDTHH:mm:ssZ" (toISOString without milliseconds, for four-digit years), without a Date. */
function utcSecondsText(seconds: number): string {
  const f = utcFields(seconds * 1000);
  if (f.year < 1000 || f.year > 9999) return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
  return `${f.year}-${pad2(f.month)}-${pad2(f.day)}T${pad2(f.hour)}:${pad2(f.minute)}:${pad2(f.second)}Z`;
}

/** A [start, end) period in whole seconds that still has start < end. */
function wholeSecondPeriod(start: Date, end: Date): { start: string; end: string } {
  const startSeconds = Math.floor(start.getTime() / 1000);
  const endSeconds = Math.max(Math.ceil(end.getTime() / 1000), startSeconds + 1);
  if (!Number.isFinite(startSeconds) || !Number.isFinite(endSeconds)) throw new RangeError("Invalid date");
  return { start: utcSecondsText(startSeconds), end: utcSecondsText(endSeconds) };
}

/** "$2.50", "$2.125": exact, at least cents. */
function formatPricePerHour(micros: bigint): string {
  const text = microsToTrimmedDollars(micros);
  const [whole, fraction = ""] = text.split(".");
  return `$${whole}.${fraction.padEnd(2, "0")}`;
}

function bigintText(value: bigint | null): string | null {
  return value === null ? null : value.toString();
}

function latencyText(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  // Not money: a sketch's bucket value, shown to the microsecond.
  return ms.toFixed(3).replace(/\.?0+$/, "");
}

/** The price amount when every price period used the same amount (one price), else null. */
function singlePrice(prices: readonly PriceUsed[]): PriceUsed | null {
  const [first] = prices;
  if (!first) return null;
  return prices.every((p) => p.pricePerGpuHourMicros === first.pricePerGpuHourMicros) ? first : null;
}

function pricesUsedJson(prices: readonly PriceUsed[]): string | null {
  if (prices.length === 0) return null;
  // Built by hand so the price stays exact decimal text (a JSON number literal), never a float.
  const items = prices.map((p) => {
    const period = wholeSecondPeriod(p.from, p.to);
    return `{"PricePerGpuHour":${microsToTrimmedDollars(p.pricePerGpuHourMicros)},"Source":${JSON.stringify(p.source)},"From":"${period.start}","To":"${period.end}"}`;
  });
  return `[${items.join(",")}]`;
}

function tokensTotal(line: ReportLine): bigint | null {
  if (line.kind === "training") return line.trainingTokens;
  return line.inputTokens === null || line.outputTokens === null ? null : line.inputTokens + line.outputTokens;
}

function chargeDescription(line: ReportLine, ctx: ReportContext, component: "compute" | "extras"): string {
  const period = formatPeriod({ range: { start: line.chargeStart, end: line.chargeEnd }, timeZone: ctx.timeZone });
  const item = `${KIND[line.kind].noun} ${line.itemName}`;
  let text: string;
  if (component === "compute") {
    const price = singlePrice(line.prices);
    const priceText = price
      ? `${formatPricePerHour(price.pricePerGpuHourMicros)} per GPU-hour${price.source === "override" ? " (the record's own price)" : ""}`
      : line.prices.length > 0
        ? `${new Set(line.prices.map((p) => p.pricePerGpuHourMicros)).size} prices per GPU-hour`
        : "no price";
    text = `${line.gpuCount} × ${line.gpuTypeName} GPU time for ${item} (${line.provider}, ${PRICING_MODEL_LABELS[line.pricingModel].toLowerCase()}, ${priceText}), ${period}`;
  } else {
    text = `Storage, data and network for ${item} (${line.provider}), ${period}`;
  }
  if (line.lineType !== "correction") return text;
  return line.correction ? `Correction to ${line.correction.correctsMonth}: ${text}` : `Correction: ${text}`;
}

/**
 * The FOCUS rows of one report line, each in FOCUS_COLUMNS order: the compute
 * row, then the extras row when the line has extras. null is an empty cell.
 * The rows' BilledCost sums to lineCents(line).
 */
export function focusRows(line: ReportLine, ctx: ReportContext): (string | null)[][] {
  const kind = KIND[line.kind];
  const billing = { start: focusDateTime(ctx.billingPeriodStart, "floor"), end: focusDateTime(ctx.billingPeriodEnd, "ceil") };
  const charge = wholeSecondPeriod(line.chargeStart, line.chargeEnd);
  const isCorrection = line.lineType === "correction";
  const correction = isCorrection ? line.correction : undefined;
  const skuId = `burnrate:gpu-hour:${encodeURIComponent(line.provider)}:${line.gpuTypeId}`;
  // Both rows are whole object literals (no spread of shared fields): an export builds two per line, and
  // spreading ~30 shared fields into each made this the slowest step of a 10M-tier month's FOCUS export.
  const chargeClass = isCorrection ? "Correction" : null;
  const resourceId = `burnrate:${kind.resourceIdPart}:${line.itemId}`;
  const tags = JSON.stringify({
    "burnrate/team": line.teamSlug,
    "burnrate/kind": line.kind,
    "burnrate/model": line.model,
    "burnrate/gpuType": line.gpuTypeName,
  });
  const gpuCount = String(line.gpuCount);
  const correctsMonth = correction?.correctsMonth ?? null;
  const correctionCause = correction?.cause ? correction.cause : null;
  const auditEntryIds = correction && correction.auditEntryIds.length > 0 ? JSON.stringify(correction.auditEntryIds) : null;

  const computeCost = centsToDollarString(line.computeCents);
  const price = singlePrice(line.prices);
  const unitPrice = price ? microsToTrimmedDollars(price.pricePerGpuHourMicros) : null;
  const compute: FocusRow = {
    BilledCost: computeCost,
    BillingAccountId: ctx.orgSlug,
    BillingAccountName: ctx.orgName,
    BillingCurrency: ctx.currency,
    BillingPeriodStart: billing.start,
    BillingPeriodEnd: billing.end,
    ChargeCategory: "Usage",
    ChargeClass: chargeClass,
    ChargeDescription: chargeDescription(line, ctx, "compute"),
    ChargePeriodStart: charge.start,
    ChargePeriodEnd: charge.end,
    ContractedCost: computeCost,
    EffectiveCost: computeCost,
    InvoiceIssuerName: line.provider,
    ListCost: computeCost,
    PricingQuantity: msToHoursString(line.gpuMs - line.unpricedGpuMs),
    PricingUnit: "GPU-Hours",
    ProviderName: line.provider,
    PublisherName: line.provider,
    ServiceCategory: "AI and Machine Learning",
    ServiceName: kind.serviceName,
    ServiceSubcategory: kind.subcategory,
    ChargeFrequency: "Usage-Based",
    ConsumedQuantity: msToHoursString(line.gpuMs),
    ConsumedUnit: "GPU-Hours",
    PricingCategory: PRICING_CATEGORY[line.pricingModel],
    ListUnitPrice: unitPrice,
    ContractedUnitPrice: unitPrice,
    SubAccountId: line.teamSlug,
    SubAccountName: line.teamName,
    ResourceId: resourceId,
    ResourceName: line.itemName,
    ResourceType: kind.resourceType,
    SkuId: skuId,
    SkuPriceId: `${skuId}:${SKU_PRICING_MODEL[line.pricingModel]}`,
    SkuMeter: "GPU time",
    SkuPriceDetails: JSON.stringify({
      GpuCount: 1,
      x_GpuType: line.gpuTypeName,
      x_Provider: line.provider,
      x_PricingModel: line.pricingModel,
    }),
    Tags: tags,
    ServiceProviderName: line.provider,
    HostProviderName: line.provider,
    x_Kind: line.kind,
    x_Model: line.model,
    x_GpuType: line.gpuTypeName,
    x_GpuCount: gpuCount,
    x_PricingModel: line.pricingModel,
    x_PriceSource: line.prices[0]?.source ?? null,
    x_PricesUsed: pricesUsedJson(line.prices),
    x_UnpricedGpuHours: msToHoursString(line.unpricedGpuMs),
    x_Tokens: bigintText(tokensTotal(line)),
    x_InputTokens: bigintText(line.inputTokens),
    x_CachedInputTokens: bigintText(line.cachedInputTokens),
    x_OutputTokens: bigintText(line.outputTokens),
    x_Requests: bigintText(line.requests),
    x_P99LatencyMs: latencyText(line.p99LatencyMs),
    x_CorrectsMonth: correctsMonth,
    x_CorrectionCause: correctionCause,
    x_AuditEntryIds: auditEntryIds,
    x_ReportTimeZone: ctx.timeZone,
  };
  const rows = [rowValues(compute)];

  if (line.extraCents !== 0n || line.extraMicros !== 0n) {
    const extrasCost = centsToDollarString(line.extraCents);
    const activeHours = msToHoursString(line.activeMs);
    const extras: FocusRow = {
      BilledCost: extrasCost,
      BillingAccountId: ctx.orgSlug,
      BillingAccountName: ctx.orgName,
      BillingCurrency: ctx.currency,
      BillingPeriodStart: billing.start,
      BillingPeriodEnd: billing.end,
      ChargeCategory: "Usage",
      ChargeClass: chargeClass,
      ChargeDescription: chargeDescription(line, ctx, "extras"),
      ChargePeriodStart: charge.start,
      ChargePeriodEnd: charge.end,
      ContractedCost: extrasCost,
      EffectiveCost: extrasCost,
      InvoiceIssuerName: line.provider,
      ListCost: extrasCost,
      PricingQuantity: activeHours,
      PricingUnit: "Hours",
      ProviderName: line.provider,
      PublisherName: line.provider,
      ServiceCategory: "AI and Machine Learning",
      ServiceName: kind.serviceName,
      ServiceSubcategory: kind.subcategory,
      ChargeFrequency: "Usage-Based",
      ConsumedQuantity: activeHours,
      ConsumedUnit: "Hours",
      PricingCategory: "Standard",
      ListUnitPrice: null,
      ContractedUnitPrice: null,
      SubAccountId: line.teamSlug,
      SubAccountName: line.teamName,
      ResourceId: resourceId,
      ResourceName: line.itemName,
      ResourceType: kind.resourceType,
      SkuId: "burnrate:storage-data-network",
      SkuPriceId: "burnrate:storage-data-network",
      SkuMeter: "Storage, data and network",
      SkuPriceDetails: null,
      Tags: tags,
      ServiceProviderName: line.provider,
      HostProviderName: line.provider,
      x_Kind: line.kind,
      x_Model: line.model,
      x_GpuType: line.gpuTypeName,
      x_GpuCount: gpuCount,
      x_PricingModel: line.pricingModel,
      x_PriceSource: null,
      x_PricesUsed: null,
      x_UnpricedGpuHours: null,
      x_Tokens: null,
      x_InputTokens: null,
      x_CachedInputTokens: null,
      x_OutputTokens: null,
      x_Requests: null,
      x_P99LatencyMs: null,
      x_CorrectsMonth: correctsMonth,
      x_CorrectionCause: correctionCause,
      x_AuditEntryIds: auditEntryIds,
      x_ReportTimeZone: ctx.timeZone,
    };
    rows.push(rowValues(extras));
  }
  return rows;
}

/** A row's values in FOCUS_COLUMNS order. */
function rowValues(row: FocusRow): (string | null)[] {
  const values = new Array<string | null>(FOCUS_COLUMNS.length);
  for (let i = 0; i < FOCUS_COLUMNS.length; i++) values[i] = row[FOCUS_COLUMNS[i]!];
  return values;
}

const SKU_PRICING_MODEL: Record<PricingModelCode, string> = { ON_DEMAND: "on-demand", SPOT: "spot", RESERVED: "reserved", ON_PREM: "on-prem" };
