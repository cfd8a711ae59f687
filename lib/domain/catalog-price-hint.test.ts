import { describe, expect, it } from "vitest";
import { catalogPriceHint, catalogPricePlaceholder, catalogPricesOver } from "./catalog-price-hint";
import type { PricePeriod } from "./gpu-time-cost";

// $2.50 until midnight 1 October in London (BST, 23:00 UTC the day before), then $3.10.
const change = new Date("2026-09-30T23:00:00Z");
const prices: PricePeriod[] = [
  { pricePerGpuHour: "3.1", effectiveFrom: change, effectiveTo: null },
  { pricePerGpuHour: "2.5", effectiveFrom: new Date("2026-01-01T00:00:00Z"), effectiveTo: change },
];
const at = (iso: string) => new Date(iso);
const hint = (start: string, end: string, timeZone = "Europe/London", catalogPrices = prices) =>
  catalogPriceHint({ catalogPrices, interval: { start: at(start), end: at(end) }, timeZone })?.text ?? null;

describe("catalogPriceHint", () => {
  it.each([
    ["a past run inside the old price shows the old price, not today's", "2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z", "Catalog: $2.50 / GPU-h"],
    ["a run after the change shows the new price", "2026-10-05T00:00:00Z", "2026-10-06T00:00:00Z", "Catalog: $3.10 / GPU-h"],
    [
      "a run across the change lists both, the change in the form's zone",
      "2026-09-20T00:00:00Z",
      "2026-10-10T00:00:00Z",
      "Catalog: $2.50 / GPU-h until 2026-10-01 00:00, then $3.10 / GPU-h (Europe/London)",
    ],
    ["ending exactly at the change uses only the old price", "2026-09-20T00:00:00Z", "2026-09-30T23:00:00Z", "Catalog: $2.50 / GPU-h"],
    ["starting exactly at the change uses only the new price", "2026-09-30T23:00:00Z", "2026-10-02T00:00:00Z", "Catalog: $3.10 / GPU-h"],
  ])("%s", (_label, start, end, expected) => {
    expect(hint(start, end)).toBe(expected);
  });

  it("names the change in whichever zone the form is in", () => {
    expect(hint("2026-09-20T00:00:00Z", "2026-10-10T00:00:00Z", "UTC")).toBe("Catalog: $2.50 / GPU-h until 2026-09-30 23:00, then $3.10 / GPU-h (UTC)");
    expect(hint("2026-09-20T00:00:00Z", "2026-10-10T00:00:00Z", "Asia/Kathmandu")).toBe(
      "Catalog: $2.50 / GPU-h until 2026-10-01 04:45, then $3.10 / GPU-h (Asia/Kathmandu)",
    );
  });

  it("shows time without a price as a gap, and nothing when no price covers any of it", () => {
    expect(hint("2025-12-31T00:00:00Z", "2026-01-02T00:00:00Z")).toBe("Catalog: no catalog price until 2026-01-01 00:00, then $2.50 / GPU-h (Europe/London)");
    expect(hint("2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z")).toBeNull();
    expect(hint("2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z", "UTC", [])).toBeNull();
  });

  it("lists three prices in order, with every change", () => {
    const three: PricePeriod[] = [
      { pricePerGpuHour: "2", effectiveFrom: at("2026-01-01T00:00:00Z"), effectiveTo: at("2026-02-01T00:00:00Z") },
      { pricePerGpuHour: "2.25", effectiveFrom: at("2026-02-01T00:00:00Z"), effectiveTo: at("2026-03-01T00:00:00Z") },
      { pricePerGpuHour: "2.4567", effectiveFrom: at("2026-03-01T00:00:00Z"), effectiveTo: null },
    ];
    expect(hint("2026-01-15T00:00:00Z", "2026-03-15T00:00:00Z", "UTC", three)).toBe(
      "Catalog: $2.00 / GPU-h until 2026-02-01 00:00, then $2.25 / GPU-h until 2026-03-01 00:00, then $2.4567 / GPU-h (UTC)",
    );
  });

  it("merges neighbouring periods at the same price", () => {
    const same: PricePeriod[] = [
      { pricePerGpuHour: "2.5", effectiveFrom: at("2026-01-01T00:00:00Z"), effectiveTo: at("2026-02-01T00:00:00Z") },
      { pricePerGpuHour: "2.50", effectiveFrom: at("2026-02-01T00:00:00Z"), effectiveTo: null },
    ];
    expect(catalogPricesOver({ catalogPrices: same, interval: { start: at("2026-01-15T00:00:00Z"), end: at("2026-03-01T00:00:00Z") } })).toEqual([
      { start: at("2026-01-15T00:00:00Z"), end: at("2026-03-01T00:00:00Z"), pricePerGpuHourMicros: 2_500_000n },
    ]);
  });

  it("gives the price at the start for an empty interval (a run starting now)", () => {
    expect(hint("2026-09-15T00:00:00Z", "2026-09-15T00:00:00Z")).toBe("Catalog: $2.50 / GPU-h");
  });

  it("costs the example from the issue with the listed prices, not today's", () => {
    // 2 GPUs from 2026-09-30 00:00 to 2026-10-02 00:00 London: 24 h at $2.50, then 24 h at $3.10.
    const interval = { start: at("2026-09-29T23:00:00Z"), end: at("2026-10-01T23:00:00Z") };
    const stretches = catalogPricesOver({ catalogPrices: prices, interval });
    const hours = stretches.map((s) => (s.end.getTime() - s.start.getTime()) / 3_600_000);
    expect(hours).toEqual([24, 24]);
    const costMicros = stretches.reduce((sum, s, i) => sum + 2n * BigInt(hours[i]!) * (s.pricePerGpuHourMicros ?? 0n), 0n);
    expect(costMicros).toBe(268_800_000n); // 2 × 24 × $2.50 + 2 × 24 × $3.10, where today's price alone gives 2 × 48 × $3.10 = $297.60
  });
});

describe("catalogPricePlaceholder", () => {
  it("is the one price over the interval as typed, or empty when the price changes", () => {
    const over = (start: string, end: string) => catalogPricesOver({ catalogPrices: prices, interval: { start: at(start), end: at(end) } });
    expect(catalogPricePlaceholder(over("2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z"))).toBe("2.5");
    expect(catalogPricePlaceholder(over("2026-09-20T00:00:00Z", "2026-10-10T00:00:00Z"))).toBe("");
    expect(catalogPricePlaceholder([])).toBe("");
  });
});
