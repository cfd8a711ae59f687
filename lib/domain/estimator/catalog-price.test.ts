import { describe, expect, it } from "vitest";
import { describeCatalogPrice, estimatorCatalogPrice, type CatalogPriceRow } from "./catalog-price";

const now = new Date("2026-11-15T00:00:00Z");
const row = (over: Partial<CatalogPriceRow>): CatalogPriceRow => ({
  provider: "aws",
  pricingModel: "ON_DEMAND",
  pricePerGpuHourMicros: 4_000_000n,
  effectiveFrom: new Date("2025-01-01T00:00:00Z"),
  effectiveTo: null,
  ...over,
});

describe("estimatorCatalogPrice", () => {
  it("takes the lowest on-demand price in effect now, ignoring cheaper spot and expired or future prices", () => {
    const price = estimatorCatalogPrice(
      [
        row({ provider: "aws", pricePerGpuHourMicros: 4_000_000n }),
        row({ provider: "gcp", pricePerGpuHourMicros: 3_670_000n }),
        row({ provider: "aws", pricingModel: "SPOT", pricePerGpuHourMicros: 1_200_000n }),
        row({ provider: "lambda", pricePerGpuHourMicros: 1_000_000n, effectiveTo: new Date("2026-11-01T00:00:00Z") }),
        row({ provider: "coreweave", pricePerGpuHourMicros: 900_000n, effectiveFrom: new Date("2026-12-01T00:00:00Z") }),
      ],
      now,
    );
    expect(price).toEqual({ pricePerGpuHourMicros: 3_670_000n, provider: "gcp", pricingModel: "ON_DEMAND" });
    expect(describeCatalogPrice(price)).toBe("$3.67 / GPU-h (gcp On-demand, catalog)");
  });

  it("falls back to the lowest price of any pricing model when there is no on-demand price, and to null without any", () => {
    expect(estimatorCatalogPrice([row({ pricingModel: "RESERVED", pricePerGpuHourMicros: 2_500_000n, provider: "coreweave" }), row({ pricingModel: "SPOT", pricePerGpuHourMicros: 2_600_000n })], now)).toEqual({
      pricePerGpuHourMicros: 2_500_000n,
      provider: "coreweave",
      pricingModel: "RESERVED",
    });
    expect(estimatorCatalogPrice([row({ effectiveTo: new Date("2026-01-01T00:00:00Z") })], now)).toBeNull();
    expect(describeCatalogPrice(null)).toBe("no catalog price");
  });
});
