import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  lineItemCents,
  microsToCents,
  telescopedCents,
  formatUsd,
  microsToDecimalString,
  microsToUsd,
  parseUsdMicros,
  roundToMicros,
  SUB_MICROS_PER_MICRO,
  unitCostUsd,
} from "./money";

/** Oracle: half-even rounding of an exact rational, through decimal.js. */
function halfEvenOracle(numerator: bigint, denominator: bigint): bigint {
  const rounded = new Decimal(numerator.toString()).div(denominator.toString()).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return BigInt(rounded.toFixed(0));
}

describe("parseUsdMicros", () => {
  it.each([
    { edge: "a list price", input: "2.49", micros: 2_490_000n },
    { edge: "one micro-dollar", input: "0.000001", micros: 1n },
    { edge: "negative (a credit)", input: "-1.5", micros: -1_500_000n },
    { edge: "trailing zeros beyond six decimals are exact", input: "12.3400000", micros: 12_340_000n },
    { edge: "whole dollars", input: "1000", micros: 1_000_000_000n },
    { edge: "surrounding spaces", input: " 3.5 ", micros: 3_500_000n },
    { edge: "a Decimal in exponent form", input: new Decimal("1e3"), micros: 1_000_000_000n },
    { edge: "a tiny Decimal that toString would print as 1e-6", input: new Decimal("0.000001"), micros: 1n },
  ])("$edge", ({ input, micros }) => {
    expect(parseUsdMicros(input)).toBe(micros);
  });

  it.each([
    { edge: "finer than a micro-dollar is rejected, not rounded", input: "0.0000001" },
    { edge: "exponent strings", input: "1e3" },
    { edge: "thousands separators", input: "1,000" },
    { edge: "currency sign", input: "$5" },
    { edge: "empty", input: "" },
    { edge: "NaN Decimal", input: new Decimal(NaN) },
    { edge: "infinite Decimal", input: new Decimal(Infinity) },
    { edge: "Decimal finer than a micro-dollar", input: new Decimal("1e-7") },
  ])("rejects $edge", ({ input }) => {
    expect(() => parseUsdMicros(input)).toThrow(RangeError);
  });
});

describe("roundToMicros (the one rounding point)", () => {
  const half = SUB_MICROS_PER_MICRO / 2n;
  it.each([
    { edge: "0.5 micro rounds to even 0", exact: half, micros: 0n },
    { edge: "1.5 micro rounds to even 2", exact: 3n * half, micros: 2n },
    { edge: "2.5 micro rounds to even 2", exact: 5n * half, micros: 2n },
    { edge: "just above a tie rounds up", exact: half + 1n, micros: 1n },
    { edge: "just below a tie rounds down", exact: 3n * half - 1n, micros: 1n },
  ])("$edge", ({ exact, micros }) => {
    expect(roundToMicros(exact)).toBe(micros);
  });

  it("agrees with decimal.js half-even rounding", () => {
    fc.assert(
      fc.property(fc.bigInt(-(10n ** 20n), 10n ** 20n), (exact) => {
        expect(roundToMicros(exact)).toBe(halfEvenOracle(exact, SUB_MICROS_PER_MICRO));
      }),
    );
  });
});

describe("lineItemCents and telescopedCents (the cents rule)", () => {
  it.each([
    { edge: "a dollar in thirds of one item shows $0.33 + $0.34 + $0.33", partsMicros: [333_333n, 333_334n, 333_333n], cents: [33n, 34n, 33n] },
    { edge: "parts each under half a cent still add up to the whole's cent", partsMicros: [3_333n, 3_333n, 3_334n], cents: [0n, 1n, 0n] },
    { edge: "half a cent rounds to even 0", partsMicros: [5_000n], cents: [0n] },
    { edge: "1.5 cents rounds to even 2", partsMicros: [15_000n], cents: [2n] },
  ])("$edge", ({ partsMicros, cents }) => {
    expect(telescopedCents({ partsMicros })).toEqual(cents);
  });

  it("a part's cents depend only on the cumulative amounts at its ends", () => {
    expect(lineItemCents({ cumStartMicros: 333_333n, cumEndMicros: 666_667n })).toBe(34n);
    expect(telescopedCents({ partsMicros: [333_334n], cumStartMicros: 333_333n })).toEqual([34n]);
  });

  it("parts add up to the whole's cents from any starting point, each within a cent of exact", () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 10n ** 12n), fc.array(fc.bigInt(0n, 10n ** 12n), { maxLength: 25 }), (cumStartMicros, partsMicros) => {
        const cents = telescopedCents({ partsMicros, cumStartMicros });
        const whole = partsMicros.reduce((s, p) => s + p, 0n);
        expect(cents.reduce((s, c) => s + c, 0n)).toBe(lineItemCents({ cumStartMicros, cumEndMicros: cumStartMicros + whole }));
        expect(microsToCents(cumStartMicros + whole) - microsToCents(cumStartMicros)).toBe(halfEvenOracle(cumStartMicros + whole, 10_000n) - halfEvenOracle(cumStartMicros, 10_000n));
        cents.forEach((c, i) => {
          const errorMicros = c * 10_000n - partsMicros[i]!;
          expect(errorMicros > -10_000n && errorMicros < 10_000n).toBe(true);
        });
      }),
    );
  });
});

describe("formatUsd", () => {
  it.each([
    { edge: "grouping", amount: { micros: 1_234_560_000n }, text: "$1,234.56" },
    { edge: "no value", amount: { micros: null }, text: "—" },
    { edge: "no value (cents)", amount: { cents: null }, text: "—" },
    { edge: "negative", amount: { cents: -50n }, text: "-$0.50" },
    { edge: "half a cent rounds to even", amount: { micros: 5_000n }, text: "$0.00" },
    { edge: "1.5 cents rounds to even", amount: { micros: 15_000n }, text: "$0.02" },
    { edge: "zero", amount: { cents: 0n }, text: "$0.00" },
    { edge: "beyond float precision", amount: { cents: 123_456_789_012_345_678n }, text: "$1,234,567,890,123,456.78" },
  ])("$edge → $text", ({ amount, text }) => {
    expect(formatUsd(amount)).toBe(text);
  });
});

describe("conversions", () => {
  it.each([
    { micros: -12_345_678n, text: "-12.345678" },
    { micros: 5n, text: "0.000005" },
    { micros: 0n, text: "0.000000" },
  ])("microsToDecimalString($micros) = $text", ({ micros, text }) => {
    expect(microsToDecimalString(micros)).toBe(text);
    expect(parseUsdMicros(text)).toBe(micros);
    expect(microsToUsd(micros).toFixed(6)).toBe(text);
  });

  it.each([
    { edge: "$1 over 2M tokens is $0.50 per 1M", quantity: 2_000_000n, expected: "0.5" },
    { edge: "zero tokens is no value", quantity: 0n, expected: null },
    { edge: "unknown tokens is no value", quantity: null, expected: null },
    { edge: "a number quantity", quantity: 4_000_000, expected: "0.25" },
  ])("unitCostUsd: $edge", ({ quantity, expected }) => {
    expect(unitCostUsd({ costMicros: 1_000_000n, quantity, per: 1_000_000 })?.toString() ?? null).toBe(expected);
  });
});
