/**
 * Numbers inside the estimators' formula strings ("6 × 6.74e9 parameters ×
 * 2.00e12 tokens = 8.09e22 FLOPs"). en-US regardless of the runtime's locale,
 * so server and client render the same text.
 */

/** 3 significant digits; exponent notation from a million up: "6.74e9", "184,320", "0.375". */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1e6) {
    const [mantissa = "", exponent = ""] = value.toExponential(2).split("e");
    return `${mantissa}e${exponent.replace("+", "")}`;
  }
  return new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 }).format(value);
}

/** A catalog figure as entered, up to 4 decimals: "989.5", "3,350". */
export function formatPlain(value: number): string {
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 }).format(value);
}

/** Whole numbers with thousands separators, exactly: "682,196,123,456". */
export function formatInteger(value: bigint | number): string {
  return BigInt(value).toLocaleString("en-US");
}

/** "38%", "62.5%". */
export function formatShare(fraction: number): string {
  return `${new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(fraction * 100)}%`;
}

/** A positive, finite number from a number, bigint or decimal text; RangeError otherwise. */
export function positive(name: string, value: number | bigint | string | { toString(): string }): number {
  const n = typeof value === "number" ? value : Number(value.toString());
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a positive number, got ${String(value)}`);
  return n;
}
