/**
 * Money. The rule, in full:
 *
 * 1. Money is never a JS float. Amounts arrive as decimal strings or Decimal
 *    (decimal.js, or Prisma's Decimal, which is the same library) and are
 *    parsed EXACTLY into whole micro-dollars (bigint). The database stores
 *    money as numeric(18, 6), so an input finer than a micro-dollar is a
 *    validation bug: it is rejected, never rounded.
 *
 * 2. Finalized money is a bigint count of micro-dollars, and every name that
 *    holds one ends in `Micros`. Sums of finalized amounts are exact.
 *
 * 3. GPU time is priced per hour and measured in milliseconds, so its exact
 *    cost, pricePerGpuHourMicros × gpuCount × ms / 3,600,000, is a whole
 *    number of "sub-micros" (1/3,600,000 of a micro-dollar). This is the only
 *    place where money can have a fraction of a micro-dollar.
 *
 * 4. Rounding happens at one point, with one rule: an item's exact cost
 *    from its start up to an instant t, cum(t) in sub-micros, is rounded
 *    half-even to whole micro-dollars (`roundToMicros`). The item's total is
 *    round(cum(end)); its part in [x, y) (a price period, a time bucket) is
 *    round(cum(y)) − round(cum(x)). Parts therefore telescope: they sum
 *    exactly to the total, each is within a micro-dollar of exact, and a part
 *    does not depend on which other parts were asked for (a month is exactly
 *    the sum of its days, in any time zone). The SQL ledger applies the same
 *    rule with burnrate_round_half_even, so both agree to the micro-dollar.
 *
 * 5. Amounts entered as money for a whole item (storage, data, network) are
 *    already whole micro-dollars. Spread over time they follow rule 4 with
 *    cum(t) = amount × elapsed(t) / duration (proration.ts).
 *
 * 6. Display: the cents rule. A line item (one item — a run or a
 *    deployment — in one bucket, for one component: compute or extras) is
 *    shown as round¢(cum(y)) − round¢(cum(x)), the item's cumulative
 *    micro-dollars rounded half-even to cents at both ends (`lineItemCents`).
 *    Like micro-dollars, cents therefore telescope along the item's time: its
 *    months add up to its lifetime cents, and the same item and period show
 *    the same cents on every page. Every displayed total is the sum of its
 *    line items' cents; a total is never re-rounded from micro-dollars and
 *    cents are never re-allocated between parts.
 *
 * Ratios of money to a quantity ($ per 1M tokens) are not amounts: they are
 * returned as Decimal and rounded only when formatted.
 */
import Decimal from "decimal.js";
import { roundHalfEven } from "./largest-remainder";

/** A dollar amount as it arrives from a form, a CSV cell or the database. */
export type UsdInput = string | Decimal;

export const MICROS_PER_USD = 1_000_000n;
const MICROS_PER_CENT = 10_000n;
/** Sub-micros per micro-dollar: one per millisecond of an hour (see rule 3). */
export const SUB_MICROS_PER_MICRO = 3_600_000n;

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses dollars exactly into micro-dollars. Accepts "1234.5", "-0.000001" or
 * a finite Decimal; rejects exponents, separators, currency signs and
 * anything finer than a micro-dollar.
 */
export function parseUsdMicros(value: UsdInput): bigint {
  const text = typeof value === "string" ? value.trim() : decimalToPlainString(value);
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) throw new RangeError(`Not a dollar amount: "${text}"`);
  const [, sign, whole = "0", fraction = ""] = match;
  const significantFraction = fraction.replace(/0+$/, "");
  if (significantFraction.length > 6) throw new RangeError(`Finer than a micro-dollar: "${text}"`);
  const micros = BigInt(whole) * MICROS_PER_USD + BigInt(significantFraction.padEnd(6, "0"));
  return sign === "-" ? -micros : micros;
}

function decimalToPlainString(value: Decimal): string {
  if (!value.isFinite()) throw new RangeError(`Not a dollar amount: ${value.toString()}`);
  // toFixed with the value's own decimal places is exact and, unlike
  // toString, never switches to exponent notation ("1e-7").
  return value.toFixed(value.decimalPlaces());
}

/** THE rounding point (rule 4): exact sub-micros → micro-dollars, half-even. */
export function roundToMicros(exactSubMicros: bigint): bigint {
  return roundHalfEven({ numerator: exactSubMicros, denominator: SUB_MICROS_PER_MICRO });
}

/** Half-even micro-dollars → cents: the one display rounding, applied to cumulative amounts. */
export function microsToCents(micros: bigint): bigint {
  return roundHalfEven({ numerator: micros, denominator: MICROS_PER_CENT });
}

/**
 * A line item's displayed cents over [x, y) (rule 6): the item's cumulative
 * micro-dollars at y and at x, each rounded to cents, subtracted. An item's
 * lifetime is the line item from its start (cum = 0).
 */
export function lineItemCents({ cumStartMicros, cumEndMicros }: { cumStartMicros: bigint; cumEndMicros: bigint }): bigint {
  return microsToCents(cumEndMicros) - microsToCents(cumStartMicros);
}

/**
 * Cents of consecutive parts of one item in time order (price periods,
 * buckets), given each part's micro-dollars and the item's cumulative
 * micro-dollars before the first part: they add up to the cents of the whole.
 */
export function telescopedCents({ partsMicros, cumStartMicros = 0n }: { partsMicros: readonly bigint[]; cumStartMicros?: bigint }): bigint[] {
  let cum = cumStartMicros;
  return partsMicros.map((part) => {
    const cents = lineItemCents({ cumStartMicros: cum, cumEndMicros: cum + part });
    cum += part;
    return cents;
  });
}

/** Exact plain decimal text of micro-dollars, e.g. "-12.345678" (CSV, API, numeric columns). */
export function microsToDecimalString(micros: bigint): string {
  const sign = micros < 0n ? "-" : "";
  const magnitude = micros < 0n ? -micros : micros;
  const fraction = (magnitude % MICROS_PER_USD).toString().padStart(6, "0");
  return `${sign}${magnitude / MICROS_PER_USD}.${fraction}`;
}

/** Micro-dollars as an exact Decimal number of dollars. */
export function microsToUsd(micros: bigint): Decimal {
  return new Decimal(micros.toString()).div(1_000_000);
}

/**
 * Cost per `per` units of something (tokens, requests), in dollars: null when
 * there is nothing to divide by, so a page shows "no value", not $0 or ∞.
 */
export function unitCostUsd({
  costMicros,
  quantity,
  per,
}: {
  costMicros: bigint;
  quantity: bigint | number | null;
  per: number;
}): Decimal | null {
  if (quantity === null || BigInt(quantity) <= 0n) return null;
  return microsToUsd(costMicros).times(per).div(quantity.toString());
}

/**
 * "$1,234.56" (half-even to cents), "-$0.50", or "—" for no value. Takes the
 * unit explicitly so micro-dollars and cents can't be confused.
 */
export function formatUsd(amount: { micros: bigint | null } | { cents: bigint | null }): string {
  const cents =
    "micros" in amount
      ? amount.micros === null
        ? null
        : roundHalfEven({ numerator: amount.micros, denominator: MICROS_PER_CENT })
      : amount.cents;
  if (cents === null) return "—";
  const sign = cents < 0n ? "-" : "";
  const magnitude = cents < 0n ? -cents : cents;
  const dollars = (magnitude / 100n).toLocaleString("en-US");
  return `${sign}$${dollars}.${(magnitude % 100n).toString().padStart(2, "0")}`;
}
