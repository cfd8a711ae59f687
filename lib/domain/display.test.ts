import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  formatGpuHours,
  formatMs,
  formatPercent,
  formatPerMillionTokens,
  formatPerThousandRequests,
  formatPricePerGpuHour,
  formatQps,
  formatUsdRate,
} from "./display";

describe("display formatting", () => {
  it.each([
    { edge: "cents from $1 up", value: new Decimal("1234.5"), text: "$1,234.50" },
    { edge: "three significant digits below $1", value: new Decimal("0.0123456"), text: "$0.0123" },
    { edge: "at least two decimals", value: new Decimal("0.1"), text: "$0.10" },
    { edge: "half-even at cents", value: new Decimal("2.125"), text: "$2.12" },
    { edge: "zero", value: new Decimal(0), text: "$0.00" },
    { edge: "no value", value: null, text: "—" },
  ])("formatUsdRate: $edge → $text", ({ value, text }) => {
    expect(formatUsdRate(value)).toBe(text);
  });

  it("rates carry their unit; no value stays bare", () => {
    expect(formatPerMillionTokens(new Decimal("6.6666667"))).toBe("$6.67 / 1M tokens");
    expect(formatPerThousandRequests(new Decimal("0.42"))).toBe("$0.42 / 1k requests");
    expect(formatPerMillionTokens(null)).toBe("—");
    expect(formatPerThousandRequests(null)).toBe("—");
  });

  it.each([
    { micros: 2_456_700n, text: "$2.4567 / GPU-h" },
    { micros: 2_000_000n, text: "$2.00 / GPU-h" },
    { micros: 1n, text: "$0.000001 / GPU-h" },
    { micros: null, text: "—" },
  ])("formatPricePerGpuHour($micros) → $text", ({ micros, text }) => {
    expect(formatPricePerGpuHour(micros)).toBe(text);
  });

  it.each([
    { value: 0.045, text: "0.05 GPU-h" },
    { value: 123.456, text: "123.5 GPU-h" },
    { value: 12_345.6, text: "12,346 GPU-h" },
    { value: null, text: "—" },
  ])("formatGpuHours($value) → $text", ({ value, text }) => {
    expect(formatGpuHours(value)).toBe(text);
  });

  it.each([
    { value: 0.854, text: "0.854 ms" },
    { value: 123.4, text: "123 ms" },
    { value: 1234, text: "1.23 s" },
    { value: null, text: "—" },
  ])("formatMs($value) → $text", ({ value, text }) => {
    expect(formatMs(value)).toBe(text);
  });

  it.each([
    { value: 0.1234, text: "12.3%" },
    { value: 0, text: "0.0%" },
    { value: 0.0001, text: "<0.1%" },
    { value: 1, text: "100.0%" },
    { value: null, text: "—" },
  ])("formatPercent($value) → $text", ({ value, text }) => {
    expect(formatPercent(value)).toBe(text);
  });

  it.each([
    { value: 0.012345, text: "0.0123 req/s" },
    { value: 12.345, text: "12.3 req/s" },
    { value: 1234.5, text: "1,235 req/s" },
    { value: null, text: "—" },
  ])("formatQps($value) → $text", ({ value, text }) => {
    expect(formatQps(value)).toBe(text);
  });
});
