import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apportion, roundHalfEven, roundPartsToTotal } from "./largest-remainder";

describe("roundHalfEven", () => {
  it.each([
    { edge: "below half rounds down", numerator: 14n, denominator: 10n, expected: 1n },
    { edge: "above half rounds up", numerator: 16n, denominator: 10n, expected: 2n },
    { edge: "tie to even (down)", numerator: 25n, denominator: 10n, expected: 2n },
    { edge: "tie to even (up)", numerator: 35n, denominator: 10n, expected: 4n },
    { edge: "tie at zero", numerator: 5n, denominator: 10n, expected: 0n },
    { edge: "negative tie to even", numerator: -15n, denominator: 10n, expected: -2n },
    { edge: "negative below half", numerator: -14n, denominator: 10n, expected: -1n },
    { edge: "exact", numerator: 30n, denominator: 10n, expected: 3n },
  ])("$edge: $numerator/$denominator → $expected", ({ numerator, denominator, expected }) => {
    expect(roundHalfEven({ numerator, denominator })).toBe(expected);
  });
});

describe("roundPartsToTotal", () => {
  it.each([
    {
      edge: "equal remainders: the earlier part gets the unit",
      numerators: [5n, 5n],
      denominator: 10n,
      parts: [1n, 0n],
      total: 1n,
    },
    {
      edge: "largest remainder gets the unit",
      numerators: [13n, 18n, 9n],
      denominator: 10n,
      parts: [1n, 2n, 1n],
      total: 4n,
    },
    { edge: "tie in the total rounds half-even", numerators: [5n], denominator: 10n, parts: [0n], total: 0n },
    { edge: "negative parts floor toward −∞", numerators: [-15n, 5n], denominator: 10n, parts: [-1n, 0n], total: -1n },
    { edge: "no parts", numerators: [], denominator: 10n, parts: [], total: 0n },
  ])("$edge", ({ numerators, denominator, parts, total }) => {
    expect(roundPartsToTotal({ numerators, denominator })).toEqual({ parts, total });
  });

  it("keeps every part within one unit of its exact value and sums to the total", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt(-(10n ** 12n), 10n ** 12n), { maxLength: 30 }), fc.bigInt(1n, 10n ** 7n), (numerators, denominator) => {
        const { parts, total } = roundPartsToTotal({ numerators, denominator });
        expect(parts.reduce((s, p) => s + p, 0n)).toBe(total);
        parts.forEach((part, i) => {
          const error = part * denominator - numerators[i]!;
          expect(error > -denominator && error < denominator).toBe(true);
        });
      }),
    );
  });
});

describe("apportion", () => {
  it.each([
    { edge: "a dollar in thirds", total: 100n, weights: [1n, 1n, 1n], expected: [34n, 33n, 33n] },
    { edge: "one non-zero weight takes all", total: 10n, weights: [0n, 7n, 0n], expected: [0n, 10n, 0n] },
    { edge: "negative total (a credit)", total: -10n, weights: [1n, 1n, 1n], expected: [-3n, -3n, -4n] },
    { edge: "zero over zero weights", total: 0n, weights: [0n, 0n], expected: [0n, 0n] },
  ])("$edge", ({ total, weights, expected }) => {
    expect(apportion({ total, weights })).toEqual(expected);
  });

  it("refuses to split a non-zero total over zero weights", () => {
    expect(() => apportion({ total: 1n, weights: [0n] })).toThrow(RangeError);
  });

  it("splits exactly, each part within one unit of its exact share", () => {
    fc.assert(
      fc.property(
        fc.bigInt(-(10n ** 15n), 10n ** 15n),
        fc.array(fc.bigInt(0n, 10n ** 9n), { minLength: 1, maxLength: 40 }).filter((ws) => ws.some((w) => w > 0n)),
        (total, weights) => {
          const parts = apportion({ total, weights });
          const weightSum = weights.reduce((s, w) => s + w, 0n);
          expect(parts.reduce((s, p) => s + p, 0n)).toBe(total);
          parts.forEach((part, i) => {
            const error = part * weightSum - total * weights[i]!;
            expect(error > -weightSum && error < weightSum).toBe(true);
          });
        },
      ),
    );
  });
});
