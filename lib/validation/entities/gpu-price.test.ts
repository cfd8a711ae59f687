import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRICING_MODELS } from "./enums";
import { findOverlappingPeriod, gpuPriceSchema, overlapFieldErrors, type PricePeriod } from "./gpu-price";
import { accept, addMs, chars, itChecksCases, reject } from "./test-cases";

const from = new Date("2026-03-01T00:00:00Z");
const base = {
  gpuTypeId: "1",
  provider: "aws",
  pricingModel: "ON_DEMAND",
  pricePerGpuHour: "3.930000",
  effectiveFrom: "2026-03-01T00:00:00Z",
  effectiveTo: "",
};

describe("gpuPriceSchema", () => {
  describe("gpuTypeId", () => {
    itChecksCases(gpuPriceSchema, base, [
      ["empty asks for a choice", { gpuTypeId: "" }, reject("gpuTypeId", "Choose a GPU type")],
      ["0 rejected", { gpuTypeId: "0" }, reject("gpuTypeId", "GPU type is not a valid choice")],
      ["1 accepted", { gpuTypeId: "1" }, accept({ gpuTypeId: 1 })],
      ["largest int4 id accepted", { gpuTypeId: 2_147_483_647 }, accept({ gpuTypeId: 2_147_483_647 })],
      ["beyond int4 rejected", { gpuTypeId: "2147483648" }, reject("gpuTypeId")],
      ["text rejected", { gpuTypeId: "h100" }, reject("gpuTypeId")],
    ]);
  });

  describe("provider", () => {
    itChecksCases(gpuPriceSchema, base, [
      ["lowercased, so prices and runs match", { provider: " AWS " }, accept({ provider: "aws" })],
      ["hyphen accepted", { provider: "on-prem" }, accept({ provider: "on-prem" })],
      ["dot and underscore accepted", { provider: "lambda_labs.us" }, accept()],
      ["1 character accepted", { provider: "x" }, accept()],
      ["50 characters accepted", { provider: chars(50, "a") }, accept()],
      ["51 characters rejected", { provider: chars(51, "a") }, reject("provider", "Provider must be at most 50 characters")],
      ["leading hyphen rejected", { provider: "-aws" }, reject("provider", /single - _ \. between them/)],
      ["double separator rejected", { provider: "core--weave" }, reject("provider")],
      ["space rejected", { provider: "core weave" }, reject("provider")],
      ["empty rejected as missing", { provider: "" }, reject("provider", "Provider is required")],
    ]);
  });

  describe("pricingModel", () => {
    itChecksCases(gpuPriceSchema, base, [
      ["value accepted", { pricingModel: "SPOT" }, accept({ pricingModel: "SPOT" })],
      ["lower case accepted", { pricingModel: "reserved" }, accept({ pricingModel: "RESERVED" })],
      ["label accepted", { pricingModel: "On-demand" }, accept({ pricingModel: "ON_DEMAND" })],
      ["snake case from a CSV accepted", { pricingModel: "on_prem" }, accept({ pricingModel: "ON_PREM" })],
      ["unknown rejected, naming the choices", { pricingModel: "hourly" }, reject("pricingModel", "Pricing model must be one of On-demand, Spot, Reserved or On-prem")],
      ["empty rejected as missing", { pricingModel: "" }, reject("pricingModel", "Pricing model is required")],
    ]);
  });

  describe("pricePerGpuHour", () => {
    itChecksCases(gpuPriceSchema, base, [
      ["0 rejected", { pricePerGpuHour: "0" }, reject("pricePerGpuHour", "Price per GPU-hour must be greater than 0")],
      ["one micro-dollar accepted", { pricePerGpuHour: "0.000001" }, accept({ pricePerGpuHour: "0.000001" })],
      ["10000 accepted", { pricePerGpuHour: "10000" }, accept({ pricePerGpuHour: "10000" })],
      ["10000.000001 rejected", { pricePerGpuHour: "10000.000001" }, reject("pricePerGpuHour", "Price per GPU-hour must be at most $10,000")],
      ["6 decimals accepted", { pricePerGpuHour: "2.123456" }, accept({ pricePerGpuHour: "2.123456" })],
      ["7 decimals rejected", { pricePerGpuHour: "2.1234567" }, reject("pricePerGpuHour", "Price per GPU-hour can have at most 6 decimal places")],
      ["7 decimals ending in zero accepted", { pricePerGpuHour: "2.1234560" }, accept({ pricePerGpuHour: "2.123456" })],
      ["exponent rejected", { pricePerGpuHour: "1e3" }, reject("pricePerGpuHour")],
      ["-0.01 rejected", { pricePerGpuHour: "-0.01" }, reject("pricePerGpuHour")],
      ["a JS number rejected", { pricePerGpuHour: 2.5 }, reject("pricePerGpuHour", /must be sent as text/)],
    ]);
  });

  describe("effective period", () => {
    itChecksCases(gpuPriceSchema, base, [
      ["no end: open-ended", { effectiveTo: undefined }, accept({ effectiveFrom: from, effectiveTo: null })],
      ["empty end: open-ended", { effectiveTo: "" }, accept({ effectiveTo: null })],
      ["end = start rejected", { effectiveTo: "2026-03-01T00:00:00Z" }, reject("effectiveTo", "Effective until must be after effective from")],
      ["end = start + 1 ms accepted", { effectiveTo: "2026-03-01T00:00:00.001Z" }, accept({ effectiveTo: addMs(from, 1) })],
      ["end before start rejected", { effectiveTo: "2026-02-01T00:00:00Z" }, reject("effectiveTo")],
      ["offsets read exactly", { effectiveFrom: "2026-03-01T01:00:00+01:00" }, accept({ effectiveFrom: from })],
      ["Date values accepted", { effectiveFrom: from, effectiveTo: addMs(from, 1) }, accept({ effectiveTo: addMs(from, 1) })],
      ["start without a time zone rejected", { effectiveFrom: "2026-03-01T09:00" }, reject("effectiveFrom", /needs a time zone/)],
      ["impossible date rejected", { effectiveFrom: "2026-02-30T00:00:00Z" }, reject("effectiveFrom", /must be a date and time like/)],
      ["date only rejected", { effectiveFrom: "2026-03-01" }, reject("effectiveFrom")],
      ["invalid Date rejected", { effectiveFrom: new Date(Number.NaN) }, reject("effectiveFrom", "Effective from is not a valid date")],
      ["2000-01-01 accepted", { effectiveFrom: "2000-01-01T00:00:00Z" }, accept()],
      ["1999 rejected (a typo, not a price)", { effectiveFrom: "1999-12-31T23:59:59Z" }, reject("effectiveFrom", "Effective from must be in the year 2000 or later")],
      ["start missing rejected", { effectiveFrom: "" }, reject("effectiveFrom", "Effective from is required")],
      ["a bad start does not hide a bad price", { effectiveFrom: "soon", pricePerGpuHour: "0" }, reject(["effectiveFrom", "pricePerGpuHour"])],
    ]);
  });
});

const period = (overrides: Partial<PricePeriod> & { from: string; to: string | null }): PricePeriod => ({
  gpuTypeId: 1,
  provider: "aws",
  pricingModel: "ON_DEMAND",
  ...overrides,
  effectiveFrom: new Date(overrides.from),
  effectiveTo: overrides.to === null ? null : new Date(overrides.to),
});

describe("findOverlappingPeriod", () => {
  const january = period({ id: 1, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" });
  const sinceMarch = period({ id: 2, from: "2026-03-01T00:00:00Z", to: null });
  const existing = [january, sinceMarch];

  it.each([
    ["touching the end of a period (half-open)", period({ from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z" }), null],
    ["1 ms into the end of a period", period({ from: "2026-01-31T23:59:59.999Z", to: "2026-02-15T00:00:00Z" }), january],
    ["ending where a period starts", period({ from: "2025-12-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }), null],
    ["ending 1 ms into a period", period({ from: "2025-12-01T00:00:00Z", to: "2026-01-01T00:00:00.001Z" }), january],
    ["inside a period", period({ from: "2026-01-10T00:00:00Z", to: "2026-01-11T00:00:00Z" }), january],
    ["around a period", period({ from: "2025-12-01T00:00:00Z", to: "2026-02-10T00:00:00Z" }), january],
    ["open-ended candidate after every end", period({ from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z" }), null],
    ["open-ended candidate running into an open-ended period", period({ from: "2026-02-10T00:00:00Z", to: null }), sinceMarch],
    ["far future inside an open-ended period", period({ from: "2030-01-01T00:00:00Z", to: "2030-02-01T00:00:00Z" }), sinceMarch],
    ["first overlap when several", period({ from: "2025-01-01T00:00:00Z", to: null }), january],
    ["other GPU type ignored", period({ gpuTypeId: 2, from: "2026-01-10T00:00:00Z", to: null }), null],
    ["other provider ignored", period({ provider: "gcp", from: "2026-01-10T00:00:00Z", to: null }), null],
    ["other pricing model ignored", period({ pricingModel: "SPOT", from: "2026-01-10T00:00:00Z", to: null }), null],
    ["the price being edited ignored", period({ id: 1, from: "2026-01-05T00:00:00Z", to: "2026-02-01T00:00:00Z" }), null],
  ])("%s", (_label, candidate, expected) => {
    expect(findOverlappingPeriod(candidate, existing)).toBe(expected);
  });

  it("is symmetric and agrees with interval intersection", () => {
    const instant = fc.integer({ min: 0, max: 50 }).map((h) => new Date(Date.UTC(2026, 0, 1) + h * 3_600_000));
    const arbitraryPeriod = fc
      .record({ a: instant, b: fc.option(instant, { nil: null }), pricingModel: fc.constantFrom(...PRICING_MODELS) })
      .filter(({ a, b }) => b === null || b > a)
      .map(({ a, b, pricingModel }): PricePeriod => ({ gpuTypeId: 1, provider: "aws", pricingModel, effectiveFrom: a, effectiveTo: b }));
    fc.assert(
      fc.property(arbitraryPeriod, arbitraryPeriod, (x, y) => {
        const found = findOverlappingPeriod(x, [y]) !== null;
        expect(findOverlappingPeriod(y, [x]) !== null).toBe(found);
        const end = (p: PricePeriod) => p.effectiveTo?.getTime() ?? Infinity;
        const sharesAnInstant = Math.max(x.effectiveFrom.getTime(), y.effectiveFrom.getTime()) < Math.min(end(x), end(y));
        expect(found).toBe(sharesAnInstant && x.pricingModel === y.pricingModel);
      }),
    );
  });
});

describe("overlapFieldErrors", () => {
  const existing = period({ from: "2026-01-01T00:00:00Z", to: null });

  it("flags the start when the existing price is already in effect then", () => {
    const candidate = period({ from: "2026-02-01T00:00:00Z", to: null });
    expect(overlapFieldErrors(candidate, existing)).toEqual({
      effectiveFrom: ["Overlaps the On-demand price for this GPU on aws in effect from 2026-01-01 00:00 UTC with no end date; start after it ends or end it first"],
    });
  });

  it("flags the end when the candidate runs into a later price", () => {
    const candidate = period({ from: "2025-12-01T00:00:00Z", to: "2026-01-15T12:30:00Z" });
    expect(overlapFieldErrors(candidate, existing)).toEqual({
      effectiveTo: ["Overlaps the On-demand price for this GPU on aws starting 2026-01-01 00:00 UTC; end on or before then"],
    });
  });
});
