/**
 * Exact integer rounding, all in bigint so nothing drifts: the half-even rule
 * money.ts rounds with, and largest-remainder splits for parts that have no
 * order to round along (displayed cents, request counts of a summary-only
 * latency window).
 */

/** Floor division for bigint (the `/` operator truncates toward zero). */
function floorDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const hasRemainder = quotient * denominator !== numerator;
  return hasRemainder && numerator < 0n !== denominator < 0n ? quotient - 1n : quotient;
}

/** numerator / denominator rounded to the nearest integer, ties to even. */
export function roundHalfEven({ numerator, denominator }: { numerator: bigint; denominator: bigint }): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const floor = floorDiv(numerator, denominator);
  const twiceRemainder = 2n * (numerator - floor * denominator);
  if (twiceRemainder > denominator) return floor + 1n;
  if (twiceRemainder < denominator) return floor;
  return floor % 2n === 0n ? floor : floor + 1n;
}

/**
 * Rounds exact parts numerators[i] / denominator to integers that sum to the
 * half-even rounding of their exact total. Each part is floored, then the
 * units still missing go one each to the parts with the largest remainders,
 * the earlier part first on ties, so the result is deterministic and every
 * part is within one unit of its exact value.
 */
export function roundPartsToTotal({
  numerators,
  denominator,
}: {
  numerators: readonly bigint[];
  denominator: bigint;
}): { parts: bigint[]; total: bigint } {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const exactTotal = numerators.reduce((sum, n) => sum + n, 0n);
  const total = roundHalfEven({ numerator: exactTotal, denominator });
  const parts = numerators.map((n) => floorDiv(n, denominator));
  let missingUnits = total - parts.reduce((sum, p) => sum + p, 0n);
  const byLargestRemainder = numerators
    .map((n, index) => ({ index, remainder: n - floorDiv(n, denominator) * denominator }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byLargestRemainder) {
    if (missingUnits === 0n) break;
    parts[index] = parts[index]! + 1n;
    missingUnits -= 1n;
  }
  return { parts, total };
}

/**
 * Splits an integer total into integer parts proportional to non-negative
 * integer weights (Hamilton's method). The parts sum exactly to the total.
 */
export function apportion({ total, weights }: { total: bigint; weights: readonly bigint[] }): bigint[] {
  if (weights.some((w) => w < 0n)) throw new RangeError("weights must be non-negative");
  const weightSum = weights.reduce((sum, w) => sum + w, 0n);
  if (weightSum === 0n) {
    if (total === 0n) return weights.map(() => 0n);
    throw new RangeError("cannot apportion a non-zero total over zero weights");
  }
  return roundPartsToTotal({ numerators: weights.map((w) => total * w), denominator: weightSum }).parts;
}
