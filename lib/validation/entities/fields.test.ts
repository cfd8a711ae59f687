import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseUsdMicros } from "@/lib/domain/money";
import { FORM_ERRORS_KEY, fieldErrors } from "./field-errors";
import { compareDecimals, decimal, flag, formatInstant, integer, required, text } from "./fields";

describe("fieldErrors", () => {
  const schema = z.object({
    name: required(text({ label: "Name", max: 3 })),
    limits: z.object({ gpuCount: required(integer({ label: "GPU count", min: 1, max: 8 })) }),
  });

  it("is empty on success", () => {
    expect(fieldErrors(schema.safeParse({ name: "a", limits: { gpuCount: 2 } }))).toEqual({});
  });

  it("keys messages by field path, nested paths dotted", () => {
    expect(fieldErrors(schema.safeParse({ name: "abcd", limits: { gpuCount: 9 } }))).toEqual({
      name: ["Name must be at most 3 characters"],
      "limits.gpuCount": ["GPU count must be at most 8"],
    });
  });

  it("puts problems with the whole input under the form key", () => {
    const errors = fieldErrors(z.object({ a: z.string() }, { error: "Expected the fields" }).safeParse("text"));
    expect(errors).toEqual({ [FORM_ERRORS_KEY]: ["Expected the fields"] });
  });

  it("keeps each message once per field, in order", () => {
    const twice = z
      .object({ a: z.string() })
      .superRefine((_v, ctx) => {
        ctx.addIssue({ code: "custom", path: ["a"], message: "first" });
        ctx.addIssue({ code: "custom", path: ["a"], message: "second" });
        ctx.addIssue({ code: "custom", path: ["a"], message: "first" });
      });
    expect(fieldErrors(twice.safeParse({ a: "" }))).toEqual({ a: ["first", "second"] });
  });
});

describe("decimal", () => {
  const wideMoney = decimal({ label: "Amount", scale: 6, min: "-999999999999.999999", max: "999999999999.999999", money: true });
  const decimalText = fc.oneof(
    fc.stringMatching(/^\s?-?\d{1,12}(\.\d{0,9})?\s?$/),
    fc.stringMatching(/^-?\d*\.?\d*(e\d)?$/),
    fc.string(),
  );

  it("accepts exactly what parseUsdMicros accepts (within its bounds), with the same value", () => {
    fc.assert(
      fc.property(decimalText, (input) => {
        let micros: bigint | null = null;
        try {
          micros = parseUsdMicros(input);
        } catch {
          micros = null;
        }
        const parsed = wideMoney.parse(input);
        const inRange = micros !== null && micros > -(10n ** 18n) && micros < 10n ** 18n;
        expect(parsed.ok).toBe(inRange);
        if (parsed.ok) expect(parseUsdMicros(parsed.value)).toBe(micros);
      }),
    );
  });

  it("compares exactly, like Decimal", () => {
    const plain = fc.stringMatching(/^-?\d{1,20}(\.\d{1,12})?$/);
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        expect(compareDecimals(a, b)).toBe(new Decimal(a).cmp(b));
      }),
    );
  });

  it.each([
    ["0.1", "0.10", 0],
    ["9", "10", -1],
    ["100.001", "100", 1],
    ["-1", "0", -1],
  ] as const)("compareDecimals(%s, %s) = %d", (a, b, expected) => {
    expect(compareDecimals(a, b)).toBe(expected);
  });
});

describe("integer", () => {
  const count = integer({ label: "Count", min: -5, max: 1_000_000 });

  it("reads a number and its digits the same way", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 2_000_000 }), (n) => {
        expect(count.parse(String(n))).toEqual(count.parse(n));
        expect(count.parse(BigInt(n))).toEqual(count.parse(n));
      }),
    );
  });

  it.each([
    ["12", true],
    [" 12 ", true],
    ["+12", false],
    ["12.0", false],
    ["1e3", false],
    ["1_000", false],
    ["0x10", false],
    [Infinity, false],
    [true, false],
  ] as const)("%o accepted: %s", (input, accepted) => {
    expect(count.parse(input).ok).toBe(accepted);
  });
});

describe("flag", () => {
  const checkbox = flag({ label: "Flash attention" });
  it.each([
    ["on", true],
    ["true", true],
    ["TRUE", true],
    ["yes", true],
    ["1", true],
    [1, true],
    [true, true],
    ["off", false],
    ["false", false],
    ["no", false],
    ["0", false],
    [0, false],
    [false, false],
  ] as const)("%o is %s", (input, expected) => {
    expect(checkbox.parse(input)).toEqual({ ok: true, value: expected });
  });

  it.each(["maybe", "2", [], {}])("%o rejected", (input) => {
    expect(checkbox.parse(input)).toEqual({ ok: false, message: "Flash attention must be yes or no" });
  });
});

describe("text", () => {
  const name = text({ label: "Name", max: 3 });
  it("counts characters as people do, not UTF-16 units", () => {
    expect(name.parse("😀😀😀")).toEqual({ ok: true, value: "😀😀😀" });
    expect(name.parse("😀😀😀😀").ok).toBe(false);
  });
});

describe("formatInstant", () => {
  it.each([
    ["2026-03-01T09:00:00.000Z", "2026-03-01 09:00 UTC"],
    ["2026-03-01T09:00:30.000Z", "2026-03-01 09:00:30 UTC"],
    ["2026-03-01T09:00:00.250Z", "2026-03-01 09:00:00 UTC"],
  ])("%s → %s", (iso, expected) => {
    expect(formatInstant(new Date(iso))).toBe(expected);
  });

  it.each([
    ["2026-10-31T23:00:00.000Z", "Europe/London", "2026-10-31 23:00 (Europe/London)"],
    ["2026-07-31T23:00:00.000Z", "Europe/London", "2026-08-01 00:00 (Europe/London)"],
    ["2026-03-01T09:00:30.000Z", "Asia/Kathmandu", "2026-03-01 14:45:30 (Asia/Kathmandu)"],
    ["2026-03-01T09:00:00.000Z", "UTC", "2026-03-01 09:00 (UTC)"],
  ])("%s in %s → %s (a form's zone)", (iso, timeZone, expected) => {
    expect(formatInstant(new Date(iso), timeZone)).toBe(expected);
  });
});
