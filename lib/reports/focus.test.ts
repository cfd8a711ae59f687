import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  centsToDollarString,
  FOCUS_COLUMNS,
  FOCUS_DECIMAL_COLUMNS,
  FOCUS_JSON_COLUMNS,
  FOCUS_MANDATORY_COLUMNS,
  focusDateTime,
  focusHeaderNotes,
  focusRows,
  msToHoursString,
  type FocusColumn,
} from "./focus";
import { lineCents, type PriceUsed, type ReportContext, type ReportLine } from "./line";

const MANDATORY_IN_ORDER = [
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
];

const HOUR = 3_600_000n;
const at = (iso: string) => new Date(iso);

/** October 2026 in Berlin: CEST until the 25th, so the month starts at 22:00Z and ends at 23:00Z. */
const ctx: ReportContext = {
  orgSlug: "acme",
  orgName: "Acme AI",
  month: "2026-10",
  timeZone: "Europe/Berlin",
  billingPeriodStart: at("2026-09-30T22:00:00Z"),
  billingPeriodEnd: at("2026-10-31T23:00:00Z"),
  currency: "USD",
  generatedAt: at("2026-11-01T08:00:00Z"),
};

const catalog = (dollarsMicros: bigint, from: string, to: string): PriceUsed => ({
  pricePerGpuHourMicros: dollarsMicros,
  source: "catalog",
  from: at(from),
  to: at(to),
});

/** A training run of 8 × H100 for 10.5 h at $2.50 per GPU-hour from the catalog, with extras. */
function trainingLine(overrides: Partial<ReportLine> = {}): ReportLine {
  return {
    lineType: "charge",
    kind: "training",
    itemId: 42,
    itemName: "llama-sft",
    teamId: 3,
    teamSlug: "ml-platform",
    teamName: "ML Platform",
    model: "llama-3.1-8b",
    gpuTypeId: 7,
    gpuTypeName: "H100",
    provider: "AWS",
    pricingModel: "ON_DEMAND",
    gpuCount: 8,
    periodStart: ctx.billingPeriodStart,
    periodEnd: ctx.billingPeriodEnd,
    chargeStart: at("2026-10-05T08:00:00Z"),
    chargeEnd: at("2026-10-05T18:30:00Z"),
    // 84 GPU-hours × $2.50 = $210.00
    computeMicros: 210_000_000n,
    computeCents: 21_000n,
    extraMicros: 12_345_678n,
    extraCents: 1_235n,
    gpuMs: 84n * HOUR,
    unpricedGpuMs: 0n,
    activeMs: 37_800_000n,
    recordedMs: null,
    requests: null,
    inputTokens: null,
    cachedInputTokens: null,
    outputTokens: null,
    trainingTokens: 1_234_567_890n,
    p99LatencyMs: null,
    prices: [catalog(2_500_000n, "2026-10-05T08:00:00Z", "2026-10-05T18:30:00Z")],
    ...overrides,
  };
}

/** A deployment of 2 × L40S on spot, with traffic. */
function inferenceLine(overrides: Partial<ReportLine> = {}): ReportLine {
  return trainingLine({
    kind: "inference",
    itemId: 9,
    itemName: "chat-prod",
    model: "qwen-2.5-72b",
    gpuTypeId: 11,
    gpuTypeName: "L40S",
    provider: "CoreWeave",
    pricingModel: "SPOT",
    gpuCount: 2,
    chargeStart: at("2026-09-30T22:00:00Z"),
    chargeEnd: at("2026-10-31T23:00:00Z"),
    // 745 h × 2 GPUs = 1490 GPU-hours × $1.10 = $1,639.00
    computeMicros: 1_639_000_000n,
    computeCents: 163_900n,
    extraMicros: 0n,
    extraCents: 0n,
    gpuMs: 1_490n * HOUR,
    activeMs: 745n * HOUR,
    recordedMs: 700n * HOUR,
    requests: 120_000n,
    inputTokens: 50_000_000n,
    cachedInputTokens: 20_000_000n,
    outputTokens: 8_000_000n,
    trainingTokens: null,
    p99LatencyMs: 412.3456789,
    prices: [catalog(1_100_000n, "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z")],
    ...overrides,
  });
}

/** A correction billed in October to September's closed month: usage went down. */
function correctionLine(overrides: Partial<ReportLine> = {}): ReportLine {
  return trainingLine({
    lineType: "correction",
    chargeStart: at("2026-09-10T06:00:00Z"),
    chargeEnd: at("2026-09-12T06:00:00Z"),
    computeMicros: -50_000n,
    computeCents: -5n,
    extraMicros: -12_340_000n,
    extraCents: -1_234n,
    gpuMs: -HOUR / 2n,
    activeMs: -HOUR / 16n,
    trainingTokens: -1_000n,
    correction: {
      correctsMonth: "2026-09",
      cause: "Run llama-sft edited by Ada at 2026-10-03 10:00 UTC (audit #1234)",
      auditEntryIds: ["1234", "1200"],
    },
    ...overrides,
  });
}

function records(line: ReportLine, context: ReportContext = ctx): Record<FocusColumn, string | null>[] {
  return focusRows(line, context).map((cells) => {
    expect(cells).toHaveLength(FOCUS_COLUMNS.length);
    return Object.fromEntries(FOCUS_COLUMNS.map((column, i) => [column, cells[i]])) as Record<FocusColumn, string | null>;
  });
}

/** "12.34" / "-0.05" → cents, exactly (no floats). */
function dollarsToCents(text: string): bigint {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a 2-decimal amount: ${text}`);
  const cents = BigInt(match[2]!) * 100n + BigInt(match[3]!);
  return match[1] === "-" ? -cents : cents;
}

const billedSum = (line: ReportLine) => records(line).reduce((sum, r) => sum + dollarsToCents(r.BilledCost!), 0n);

const ALL_LINES: [string, ReportLine][] = [
  ["training charge with extras", trainingLine()],
  ["inference charge with tokens", inferenceLine()],
  ["correction with negative amounts", correctionLine()],
  [
    "two catalog prices",
    trainingLine({
      prices: [catalog(2_500_000n, "2026-10-05T08:00:00Z", "2026-10-05T12:00:00Z"), catalog(3_000_000n, "2026-10-05T12:00:00Z", "2026-10-05T18:30:00Z")],
    }),
  ],
  [
    "priced by override",
    trainingLine({ prices: [{ pricePerGpuHourMicros: 1_750_000n, source: "override", from: at("2026-10-05T08:00:00Z"), to: at("2026-10-05T18:30:00Z") }] }),
  ],
  ["zero extras", trainingLine({ extraMicros: 0n, extraCents: 0n })],
];

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

describe("FOCUS_COLUMNS", () => {
  it("starts with the 21 mandatory FOCUS 1.2 columns, in order", () => {
    expect(FOCUS_COLUMNS.slice(0, 21)).toEqual(MANDATORY_IN_ORDER);
    expect(FOCUS_MANDATORY_COLUMNS).toEqual(MANDATORY_IN_ORDER);
  });

  it("has the recommended, conditional and 1.3 columns, then only x_ columns", () => {
    for (const column of [
      "ServiceSubcategory",
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
      "SkuPriceDetails",
      "Tags",
      "ServiceProviderName",
      "HostProviderName",
    ]) {
      expect(FOCUS_COLUMNS).toContain(column);
    }
    const firstCustom = FOCUS_COLUMNS.findIndex((c) => c.startsWith("x_"));
    expect(FOCUS_COLUMNS.slice(0, firstCustom).every((c) => /^[A-Z][A-Za-z]+$/.test(c))).toBe(true);
    expect(FOCUS_COLUMNS.slice(firstCustom).every((c) => /^x_[A-Z][A-Za-z0-9]+$/.test(c))).toBe(true);
    expect(new Set(FOCUS_COLUMNS).size).toBe(FOCUS_COLUMNS.length);
  });

  it("documents every column", () => {
    expect(Object.keys(focusHeaderNotes).sort()).toEqual([...FOCUS_COLUMNS].sort());
    for (const column of FOCUS_COLUMNS) expect(focusHeaderNotes[column].length).toBeGreaterThan(5);
  });
});

describe("focusRows: every kind of line", () => {
  it.each(ALL_LINES)("%s: BilledCost sums to lineCents exactly", (_name, line) => {
    expect(billedSum(line)).toBe(lineCents(line));
  });

  it.each(ALL_LINES)("%s: formats (dates, decimals, JSON, nullability)", (_name, line) => {
    for (const r of records(line)) {
      for (const column of ["BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"] as const) expect(r[column]).toMatch(DATE_TIME);
      expect(r.ChargePeriodStart! < r.ChargePeriodEnd!).toBe(true);
      for (const column of ["BilledCost", "ContractedCost", "EffectiveCost", "ListCost"] as const) expect(r[column]).toMatch(/^-?\d+\.\d{2}$/);
      for (const column of FOCUS_DECIMAL_COLUMNS) if (r[column] !== null) expect(r[column]).toMatch(PLAIN_DECIMAL);
      for (const column of FOCUS_JSON_COLUMNS) if (r[column] !== null) expect(() => JSON.parse(r[column]!) as unknown).not.toThrow();
      // Key-Value Format: a flat object, values number/string/boolean/null.
      for (const column of ["SkuPriceDetails", "Tags"] as const) {
        if (r[column] === null) continue;
        const value = JSON.parse(r[column]) as Record<string, unknown>;
        expect(typeof value === "object" && !Array.isArray(value)).toBe(true);
        for (const v of Object.values(value)) expect(["number", "string", "boolean"].includes(typeof v) || v === null).toBe(true);
      }
      // Mandatory columns that allow no nulls (ChargeClass may be null; the rest here are always known).
      for (const column of MANDATORY_IN_ORDER.filter((c) => c !== "ChargeClass")) expect(r[column as FocusColumn], column).not.toBeNull();
      // No empty strings stand in for null (attributes/null_handling.md).
      for (const column of FOCUS_COLUMNS) expect(r[column]).not.toBe("");
      expect(r.ContractedCost).toBe(r.BilledCost);
      expect(r.EffectiveCost).toBe(r.BilledCost);
      expect(r.ListCost).toBe(r.BilledCost);
      expect(r.ChargeCategory).toBe("Usage");
      expect(r.ServiceCategory).toBe("AI and Machine Learning");
      expect(["Standard", "Dynamic", "Committed", "Other"]).toContain(r.PricingCategory);
      expect(r.PricingUnit === null).toBe(r.PricingQuantity === null);
      expect(r.ConsumedUnit === null).toBe(r.ConsumedQuantity === null);
    }
  });
});

describe("focusRows: a training charge with extras", () => {
  const [compute, extras, ...rest] = records(trainingLine());

  it("has a compute row and an extras row", () => {
    expect(rest).toHaveLength(0);
    expect(compute!.SkuMeter).toBe("GPU time");
    expect(extras!.SkuMeter).toBe("Storage, data and network");
  });

  it("fills the compute row", () => {
    expect(compute).toMatchObject({
      BilledCost: "210.00",
      BillingAccountId: "acme",
      BillingAccountName: "Acme AI",
      BillingCurrency: "USD",
      BillingPeriodStart: "2026-09-30T22:00:00Z",
      BillingPeriodEnd: "2026-10-31T23:00:00Z",
      ChargeCategory: "Usage",
      ChargeClass: null,
      ChargeDescription: "8 × H100 GPU time for training run llama-sft (AWS, on-demand, $2.50 per GPU-hour), 2026-10-05 10:00 – 2026-10-05 20:30",
      ChargePeriodStart: "2026-10-05T08:00:00Z",
      ChargePeriodEnd: "2026-10-05T18:30:00Z",
      InvoiceIssuerName: "AWS",
      ProviderName: "AWS",
      PublisherName: "AWS",
      ServiceProviderName: "AWS",
      HostProviderName: "AWS",
      ServiceName: "Model training",
      ServiceSubcategory: "Machine Learning",
      PricingQuantity: "84",
      PricingUnit: "GPU-Hours",
      ConsumedQuantity: "84",
      ConsumedUnit: "GPU-Hours",
      PricingCategory: "Standard",
      ListUnitPrice: "2.5",
      ContractedUnitPrice: "2.5",
      SubAccountId: "ml-platform",
      SubAccountName: "ML Platform",
      ResourceId: "burnrate:training-run:42",
      ResourceName: "llama-sft",
      ResourceType: "Training run",
      SkuId: "burnrate:gpu-hour:AWS:7",
      SkuPriceId: "burnrate:gpu-hour:AWS:7:on-demand",
      x_Kind: "training",
      x_Model: "llama-3.1-8b",
      x_GpuType: "H100",
      x_GpuCount: "8",
      x_PricingModel: "ON_DEMAND",
      x_PriceSource: "catalog",
      x_UnpricedGpuHours: "0",
      x_Tokens: "1234567890",
      x_InputTokens: null,
      x_Requests: null,
      x_CorrectsMonth: null,
      x_CorrectionCause: null,
      x_AuditEntryIds: null,
      x_ReportTimeZone: "Europe/Berlin",
    });
  });

  it("describes the SKU price per single pricing unit (one GPU-hour = one GPU)", () => {
    expect(JSON.parse(compute!.SkuPriceDetails!)).toEqual({ GpuCount: 1, x_GpuType: "H100", x_Provider: "AWS", x_PricingModel: "ON_DEMAND" });
    expect(JSON.parse(compute!.Tags!)).toEqual({
      "burnrate/team": "ml-platform",
      "burnrate/kind": "training",
      "burnrate/model": "llama-3.1-8b",
      "burnrate/gpuType": "H100",
    });
    expect(JSON.parse(compute!.x_PricesUsed!)).toEqual([{ PricePerGpuHour: 2.5, Source: "catalog", From: "2026-10-05T08:00:00Z", To: "2026-10-05T18:30:00Z" }]);
  });

  it("fills the extras row with its own cents, active hours and no unit price", () => {
    expect(extras).toMatchObject({
      BilledCost: "12.35",
      ListCost: "12.35",
      ContractedCost: "12.35",
      EffectiveCost: "12.35",
      ChargeDescription: "Storage, data and network for training run llama-sft (AWS), 2026-10-05 10:00 – 2026-10-05 20:30",
      PricingQuantity: "10.5",
      PricingUnit: "Hours",
      ConsumedQuantity: "10.5",
      ConsumedUnit: "Hours",
      PricingCategory: "Standard",
      ListUnitPrice: null,
      ContractedUnitPrice: null,
      SkuPriceDetails: null,
      ServiceName: "Model training",
      ResourceId: "burnrate:training-run:42",
      // Usage metrics live on the compute row only, so summing a column never counts them twice.
      x_Tokens: null,
      x_UnpricedGpuHours: null,
      x_PricesUsed: null,
      x_GpuCount: "8",
    });
  });
});

describe("focusRows: an inference charge with tokens", () => {
  const rows = records(inferenceLine());

  it("has one row (no extras) with traffic in x_ columns", () => {
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      BilledCost: "1639.00",
      ServiceName: "Model inference",
      ServiceSubcategory: "Generative AI",
      ResourceId: "burnrate:inference-deployment:9",
      ResourceType: "Inference deployment",
      PricingCategory: "Dynamic",
      PricingQuantity: "1490",
      ListUnitPrice: "1.1",
      ChargePeriodStart: "2026-09-30T22:00:00Z",
      ChargePeriodEnd: "2026-10-31T23:00:00Z",
      ChargeDescription: "2 × L40S GPU time for inference deployment chat-prod (CoreWeave, spot, $1.10 per GPU-hour), 2026-10-01 – 2026-10-31",
      x_Tokens: "58000000",
      x_InputTokens: "50000000",
      x_CachedInputTokens: "20000000",
      x_OutputTokens: "8000000",
      x_Requests: "120000",
      x_P99LatencyMs: "412.346",
      x_Kind: "inference",
    });
  });

  it("writes latency without float noise or trailing zeros", () => {
    const latency = (p99LatencyMs: number | null) => records(inferenceLine({ p99LatencyMs }))[0]!.x_P99LatencyMs;
    expect(latency(100)).toBe("100");
    expect(latency(0.1 + 0.2)).toBe("0.3");
    expect(latency(null)).toBeNull();
  });

  it("maps every pricing model to an allowed PricingCategory", () => {
    const category = (pricingModel: ReportLine["pricingModel"]) => records(inferenceLine({ pricingModel }))[0]!.PricingCategory;
    expect(category("ON_DEMAND")).toBe("Standard");
    expect(category("SPOT")).toBe("Dynamic");
    expect(category("RESERVED")).toBe("Committed");
    expect(category("ON_PREM")).toBe("Other");
  });
});

describe("focusRows: a correction", () => {
  const [compute, extras] = records(correctionLine());

  it("is a Usage charge of class Correction with negative amounts and quantities", () => {
    expect(compute).toMatchObject({
      ChargeCategory: "Usage",
      ChargeClass: "Correction",
      BilledCost: "-0.05",
      ListCost: "-0.05",
      PricingQuantity: "-0.5",
      ConsumedQuantity: "-0.5",
      x_Tokens: "-1000",
      // The corrected month's activity, billed in this month.
      ChargePeriodStart: "2026-09-10T06:00:00Z",
      ChargePeriodEnd: "2026-09-12T06:00:00Z",
      BillingPeriodStart: "2026-09-30T22:00:00Z",
      x_CorrectsMonth: "2026-09",
      x_CorrectionCause: "Run llama-sft edited by Ada at 2026-10-03 10:00 UTC (audit #1234)",
    });
    expect(compute!.ChargeDescription).toMatch(/^Correction to 2026-09: 8 × H100 GPU time for training run llama-sft/);
    expect(JSON.parse(compute!.x_AuditEntryIds!)).toEqual(["1234", "1200"]);
    expect(extras).toMatchObject({ ChargeClass: "Correction", BilledCost: "-12.34", PricingQuantity: "-0.0625", x_CorrectsMonth: "2026-09" });
    expect(dollarsToCents(compute!.BilledCost!) + dollarsToCents(extras!.BilledCost!)).toBe(-1_239n);
  });

  it("leaves an empty cause and no audit ids as null, not empty text", () => {
    const [r] = records(correctionLine({ correction: { correctsMonth: "2026-09", cause: "", auditEntryIds: [] } }));
    expect(r!.x_CorrectionCause).toBeNull();
    expect(r!.x_AuditEntryIds).toBeNull();
  });
});

describe("focusRows: prices", () => {
  it("two catalog prices: no single unit price; both listed in x_PricesUsed", () => {
    const [r] = records(ALL_LINES[3]![1]);
    expect(r!.ListUnitPrice).toBeNull();
    expect(r!.ContractedUnitPrice).toBeNull();
    expect(r!.ListCost).toBe(r!.BilledCost);
    expect(r!.x_PriceSource).toBe("catalog");
    expect(r!.ChargeDescription).toContain("2 prices per GPU-hour");
    expect(JSON.parse(r!.x_PricesUsed!)).toEqual([
      { PricePerGpuHour: 2.5, Source: "catalog", From: "2026-10-05T08:00:00Z", To: "2026-10-05T12:00:00Z" },
      { PricePerGpuHour: 3, Source: "catalog", From: "2026-10-05T12:00:00Z", To: "2026-10-05T18:30:00Z" },
    ]);
  });

  it("two price periods with the same amount count as one price", () => {
    const line = trainingLine({
      prices: [catalog(2_500_000n, "2026-10-05T08:00:00Z", "2026-10-05T12:00:00Z"), catalog(2_500_000n, "2026-10-05T12:00:00Z", "2026-10-05T18:30:00Z")],
    });
    expect(records(line)[0]!.ListUnitPrice).toBe("2.5");
  });

  it("an override price is the unit price; ListCost stays BilledCost", () => {
    const [r] = records(ALL_LINES[4]![1]);
    expect(r).toMatchObject({ ListUnitPrice: "1.75", ContractedUnitPrice: "1.75", ListCost: r!.BilledCost, x_PriceSource: "override" });
    expect(r!.ChargeDescription).toContain("$1.75 per GPU-hour (the record's own price)");
  });

  it("unpriced GPU time: PricingQuantity counts priced hours, ConsumedQuantity all of them", () => {
    const [r] = records(trainingLine({ gpuMs: 84n * HOUR, unpricedGpuMs: 4n * HOUR, computeMicros: 200_000_000n, computeCents: 20_000n }));
    expect(r).toMatchObject({ PricingQuantity: "80", ConsumedQuantity: "84", x_UnpricedGpuHours: "4", ListUnitPrice: "2.5", BilledCost: "200.00" });
  });

  it("nothing priced: $0 and null unit prices, not 0", () => {
    const [r] = records(trainingLine({ prices: [], computeMicros: 0n, computeCents: 0n, unpricedGpuMs: 84n * HOUR }));
    expect(r).toMatchObject({ BilledCost: "0.00", PricingQuantity: "0", ListUnitPrice: null, x_PriceSource: null, x_PricesUsed: null });
    expect(r!.ChargeDescription).toContain("no price");
  });
});

describe("focusRows: zero extras", () => {
  it("has only the compute row", () => {
    const rows = records(trainingLine({ extraMicros: 0n, extraCents: 0n }));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.SkuMeter).toBe("GPU time");
  });

  it("keeps an extras row for micro-dollars that round to 0 cents", () => {
    const rows = records(trainingLine({ extraMicros: 4_000n, extraCents: 0n }));
    expect(rows).toHaveLength(2);
    expect(rows[1]!.BilledCost).toBe("0.00");
  });
});

describe("focusRows: instants with milliseconds", () => {
  it("floors the start and ceils the end to whole seconds", () => {
    const [r] = records(trainingLine({ chargeStart: at("2026-10-05T08:00:00.500Z"), chargeEnd: at("2026-10-05T18:30:00.200Z") }));
    expect(r!.ChargePeriodStart).toBe("2026-10-05T08:00:00Z");
    expect(r!.ChargePeriodEnd).toBe("2026-10-05T18:30:01Z");
  });

  it("keeps start < end for a period inside one second (a zero-length run's first millisecond)", () => {
    const [r] = records(trainingLine({ chargeStart: at("2026-10-05T08:00:00.000Z"), chargeEnd: at("2026-10-05T08:00:00.001Z") }));
    expect(r!.ChargePeriodStart).toBe("2026-10-05T08:00:00Z");
    expect(r!.ChargePeriodEnd).toBe("2026-10-05T08:00:01Z");
  });
});

describe("focusRows: values stay plain text", () => {
  it("does no CSV quoting or formula neutralization", () => {
    const [r] = records(trainingLine({ itemName: '=HYPERLINK("x"), "quoted"', teamName: "R&D, \"core\"" }));
    expect(r!.ResourceName).toBe('=HYPERLINK("x"), "quoted"');
    expect(r!.SubAccountName).toBe('R&D, "core"');
  });
});

describe("formatting helpers", () => {
  it.each([
    [1234n, "12.34"],
    [-5n, "-0.05"],
    [0n, "0.00"],
    [-100n, "-1.00"],
    [123_456_789_012_345_678n, "1234567890123456.78"],
  ])("centsToDollarString(%s) = %s", (cents, text) => {
    expect(centsToDollarString(cents)).toBe(text);
  });

  it.each([
    [0n, "0"],
    [HOUR, "1"],
    [5_400_000n, "1.5"],
    [1_234_567n, "0.342935"],
    [-1_800_000n, "-0.5"],
    [1_800n, "0.0005"],
    // A micro-hour is 3.6 ms; half-even at the sixth decimal: 9 ms = 2.5 µh → 2, 27 ms = 7.5 µh → 8.
    [9n, "0.000002"],
    [27n, "0.000008"],
    [-9n, "-0.000002"],
    [2n, "0.000001"],
    [1n, "0"],
  ])("msToHoursString(%s) = %s", (ms, text) => {
    expect(msToHoursString(ms)).toBe(text);
  });

  it("formats date-times without milliseconds", () => {
    expect(focusDateTime(at("2026-10-05T08:00:00.999Z"), "floor")).toBe("2026-10-05T08:00:00Z");
    expect(focusDateTime(at("2026-10-05T08:00:00.001Z"), "ceil")).toBe("2026-10-05T08:00:01Z");
    expect(focusDateTime(at("2026-10-05T08:00:00Z"), "ceil")).toBe("2026-10-05T08:00:00Z");
  });
});

describe("focusRows: property", () => {
  it("BilledCost of the rows sums to lineCents for any cents, and every amount is a 2-decimal number", () => {
    const cents = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n });
    fc.assert(
      fc.property(cents, cents, fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }), fc.boolean(), (computeCents, extraCents, gpuMs, isCorrection) => {
        const line = trainingLine({
          lineType: isCorrection ? "correction" : "charge",
          computeCents,
          extraCents,
          extraMicros: extraCents * 10_000n,
          gpuMs,
          correction: isCorrection ? { correctsMonth: "2026-09", cause: "edited", auditEntryIds: ["1"] } : undefined,
        });
        const rows = records(line);
        expect(rows).toHaveLength(extraCents === 0n ? 1 : 2);
        expect(rows.reduce((sum, r) => sum + dollarsToCents(r.BilledCost!), 0n)).toBe(lineCents(line));
        for (const r of rows) for (const column of FOCUS_DECIMAL_COLUMNS) if (r[column] !== null) expect(r[column]).toMatch(PLAIN_DECIMAL);
      }),
    );
  });
});
