import Decimal from "decimal.js";
import { z } from "zod";
import { formatDateTime } from "@/lib/domain/labels";
import { CURRENT_ZONE_NAMES } from "@/lib/domain/time-zones";

/**
 * Field parsers shared by the entity schemas. Values arrive as strings from
 * forms and CSV cells or as typed values from the API and server code, so
 * every parser takes `unknown` and either returns the value in the shape
 * Prisma stores or a message a person can act on. Nothing here goes through
 * a float on the way to an exact column: decimals are parsed digit by digit
 * (the rule in lib/domain/money.ts), whole numbers through bigint.
 *
 * A blank value (missing, null, "" or only spaces) means "not given": a
 * required field says so, an optional one becomes null (so an edit form that
 * clears a field clears the column), a defaulted one takes the column's
 * default. It never becomes 0.
 */

/** How far ahead of the server's clock a reported instant may be (clock skew between machines). */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Earliest instant accepted anywhere: nothing recorded here predates it, so an earlier one is a typo (0226, 1926). */
export const MIN_INSTANT = new Date("2000-01-01T00:00:00Z");

const MAX_DATABASE_ID = 2_147_483_647n;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface FieldParser<T> {
  /** The field's name as a person reads it, e.g. "GPU count". */
  label: string;
  parse(value: unknown): Parsed<T>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/**
 * Every field starts from an optional unknown: an absent key then reaches the
 * transform as undefined (and is reported or defaulted there) instead of
 * being refused by zod before the field can say what is missing.
 */
const anyValue = () => z.unknown().optional();

/**
 * A field with its "not given" handling (required, optional or defaulted):
 * what `required`/`optional`/`withDefault` put in a zod schema, and what
 * `entityReader` calls directly.
 */
export interface FieldRule<T> {
  read(value: unknown): Parsed<T>;
}

/** A field that must be given. */
export function requiredRule<T>(field: FieldParser<T>, missingMessage = `${field.label} is required`): FieldRule<T> {
  return { read: (value) => (isBlank(value) ? fail(missingMessage) : field.parse(value)) };
}

/** A field that may be left out; "not given" is null, the value of a nullable column. */
export function optionalRule<T>(field: FieldParser<T>): FieldRule<T | null> {
  return { read: (value) => (isBlank(value) ? ok(null) : field.parse(value)) };
}

/** A field that takes the column's default when left out. */
export function defaultRule<T>(field: FieldParser<T>, fallback: T): FieldRule<T> {
  return { read: (value) => (isBlank(value) ? ok(fallback) : field.parse(value)) };
}

/** A rule as a zod field: its message becomes the field's issue. */
export function zodField<T>(rule: FieldRule<T>) {
  return anyValue().transform((value, ctx): T => {
    const parsed = rule.read(value);
    if (parsed.ok) return parsed.value;
    ctx.issues.push({ code: "custom", message: parsed.message, input: value });
    return z.NEVER;
  });
}

/** A field that must be given. */
export function required<T>(field: FieldParser<T>, missingMessage = `${field.label} is required`) {
  return zodField(requiredRule(field, missingMessage));
}

/** A field that may be left out; "not given" is null, the value of a nullable column. */
export function optional<T>(field: FieldParser<T>) {
  return zodField(optionalRule(field));
}

/** A field that takes the column's default when left out. */
export function withDefault<T>(field: FieldParser<T>, fallback: T) {
  return zodField(defaultRule(field, fallback));
}

type FieldRules = Record<string, FieldRule<unknown>>;
export type RuleValues<R extends FieldRules> = { [K in keyof R]: R[K] extends FieldRule<infer T> ? T : never };

/** A rule over several fields, run once every field it reads has parsed (and no earlier check has faulted one of them). */
export interface CrossFieldCheck<V> {
  fields: readonly (keyof V & string)[];
  check(values: V, issue: (field: keyof V & string, message: string) => void): void;
}

/**
 * An entity's rules as a zod object schema (forms, CSV rows, actions): each
 * field a `zodField`, each cross-field check a refinement with the same
 * `fieldsParsed` condition the reader applies.
 */
export function entitySchema<R extends FieldRules>(rules: R, checks: readonly CrossFieldCheck<RuleValues<R>>[], error: string) {
  const shape = Object.fromEntries(Object.entries(rules).map(([key, rule]) => [key, zodField(rule)])) as { [K in keyof R]: ReturnType<typeof zodField<RuleValues<R>[K]>> };
  let schema = z.object(shape, { error });
  for (const { fields, check } of checks) {
    schema = schema.superRefine(
      (values, ctx) => check(values as RuleValues<R>, (field, message) => ctx.addIssue({ code: "custom", path: [field], message })),
      { when: fieldsParsed(...fields) },
    );
  }
  return schema;
}

export interface EntityIssue {
  /** The field's key. */
  field: string;
  message: string;
}

/**
 * The same rules without zod, for batches of typed values (the API's
 * windows): the same values and the same issues, in the same order, as
 * `entitySchema(rules, checks).safeParse(input)` gives for an object input
 * (a property test holds them together), at a fraction of the cost — a zod
 * parse of a 12-field entity builds a payload, a context per transform and a
 * closure per refinement.
 */
export function entityReader<R extends FieldRules>(rules: R, checks: readonly CrossFieldCheck<RuleValues<R>>[]) {
  const entries = Object.entries(rules);
  return (input: Readonly<Record<string, unknown>>): { ok: true; value: RuleValues<R> } | { ok: false; issues: EntityIssue[] } => {
    const value: Record<string, unknown> = {};
    const issues: EntityIssue[] = [];
    for (const [key, rule] of entries) {
      const parsed = rule.read(input[key]);
      if (parsed.ok) value[key] = parsed.value;
      else issues.push({ field: key, message: parsed.message });
    }
    for (const { fields, check } of checks) {
      if (issues.some((issue) => fields.includes(issue.field))) continue;
      check(value as RuleValues<R>, (field, message) => issues.push({ field, message }));
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, value: value as RuleValues<R> };
  };
}

/**
 * For `.superRefine(check, { when: fieldsParsed(...) })`: runs a cross-field
 * check as soon as the fields it reads parsed, even when other fields failed,
 * so a form shows every problem at once. (By default zod skips refinements of
 * an object with any failed field.)
 */
export function fieldsParsed(...keys: string[]) {
  return (payload: z.core.ParsePayload): boolean =>
    typeof payload.value === "object" &&
    payload.value !== null &&
    payload.issues.every((issue) => {
      const head = issue.path?.[0];
      return head !== undefined && !keys.includes(String(head));
    });
}

// ---------------------------------------------------------------------------
// Text

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
// Multi-line text may hold tabs and line breaks, never other controls (PostgreSQL rejects NUL).
const MULTILINE_CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function characterCount(text: string): number {
  return [...text].length;
}

/** Trimmed text of 1..max characters; single-line unless `multiline`. */
export function text({ label, max, multiline = false }: { label: string; max: number; multiline?: boolean }): FieldParser<string> {
  return {
    label,
    parse(value) {
      if (typeof value !== "string") return fail(`${label} must be text`);
      const trimmed = value.trim();
      if (characterCount(trimmed) > max) return fail(`${label} must be at most ${formatInteger(String(max))} characters`);
      if ((multiline ? MULTILINE_CONTROL_CHARACTERS : CONTROL_CHARACTERS).test(trimmed)) {
        return fail(multiline ? `${label} contains a character that can't be stored` : `${label} must be one line of text`);
      }
      return ok(trimmed);
    },
  };
}

/** URL-safe identifier: a-z, 0-9 and single hyphens, 2–64 characters, no hyphen at either end. */
export function slug({ label }: { label: string }): FieldParser<string> {
  return {
    label,
    parse(value) {
      if (typeof value !== "string") return fail(`${label} must be text`);
      const trimmed = value.trim();
      if (trimmed.length < 2) return fail(`${label} must be at least 2 characters`);
      if (trimmed.length > 64) return fail(`${label} must be at most 64 characters`);
      if (/[A-Z]/.test(trimmed) && /^[A-Za-z0-9-]+$/.test(trimmed)) return fail(`${label} must be lowercase`);
      if (!/^[a-z0-9-]+$/.test(trimmed)) return fail(`${label} may only contain lowercase letters, digits and hyphens`);
      if (trimmed.startsWith("-") || trimmed.endsWith("-")) return fail(`${label} can't start or end with a hyphen`);
      if (trimmed.includes("--")) return fail(`${label} can't contain two hyphens in a row`);
      return ok(trimmed);
    },
  };
}

/**
 * A cloud or hosting provider key ("aws", "lambda-labs", "on-prem"). Lowercased
 * on the way in: it is half of the key that finds a run's price, so "AWS" from
 * a CSV must match "aws" from a form.
 */
export function providerKey({ label }: { label: string }): FieldParser<string> {
  return {
    label,
    parse(value) {
      if (typeof value !== "string") return fail(`${label} must be text`);
      const key = value.trim().toLowerCase();
      if (key.length > 50) return fail(`${label} must be at most 50 characters`);
      if (!/^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/.test(key)) {
        return fail(`${label} may only contain letters, digits and single - _ . between them (e.g. aws, lambda-labs)`);
      }
      return ok(key);
    },
  };
}

// ---------------------------------------------------------------------------
// Whole numbers

/** Bigint from a whole number given as digits, a number or a bigint; a reason when it isn't one. */
function wholeNumber(value: unknown, label: string): Parsed<bigint> {
  if (typeof value === "bigint") return ok(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return fail(`${label} must be a number`);
    if (!Number.isInteger(value)) return fail(`${label} must be a whole number`);
    return ok(BigInt(value));
  }
  if (typeof value !== "string") return fail(`${label} must be a number`);
  const trimmed = value.trim();
  if (/^-?\d+$/.test(trimmed)) return ok(BigInt(trimmed));
  if (/^-?\d*\.\d*$/.test(trimmed) && /\d/.test(trimmed)) return fail(`${label} must be a whole number`);
  return fail(`${label} must be a whole number written in digits, e.g. 1000`);
}

type Unit = string | ((n: bigint) => string);

function boundsMessage({ label, n, min, max, unit }: { label: string; n: bigint; min: bigint; max: bigint; unit: Unit }): string | null {
  const show = (bound: bigint) => formatInteger(bound.toString()) + (typeof unit === "string" ? unit : unit(bound));
  if (n < min) return min === 0n ? `${label} cannot be negative` : `${label} must be at least ${show(min)}`;
  if (n > max) return `${label} must be at most ${show(max)}`;
  return null;
}

interface WholeOptions<N> {
  label: string;
  min: N;
  max: N;
  /** Shown after bounds in messages, e.g. " ms", or a function for singular/plural. */
  unit?: Unit;
}

/** An integer column (within ±2^31); parsed exactly, returned as a number. */
export function integer({ label, min, max, unit = "" }: WholeOptions<number>): FieldParser<number> {
  return {
    label,
    parse(value) {
      const parsed = wholeNumber(value, label);
      if (!parsed.ok) return parsed;
      const message = boundsMessage({ label, n: parsed.value, min: BigInt(min), max: BigInt(max), unit });
      return message ? fail(message) : ok(Number(parsed.value));
    },
  };
}

/**
 * A bigint column. JSON numbers above 2^53 have already lost digits by the
 * time they get here, so those must be sent as strings of digits.
 */
export function bigInteger({ label, min, max, unit = "" }: WholeOptions<bigint>): FieldParser<bigint> {
  return {
    label,
    parse(value) {
      const parsed = wholeNumber(value, label);
      if (!parsed.ok) return parsed;
      const message = boundsMessage({ label, n: parsed.value, min, max, unit });
      if (message) return fail(message);
      if (typeof value === "number" && !Number.isSafeInteger(value)) {
        return fail(`${label} is too large to send as a number without losing digits; send it as a string of digits`);
      }
      return ok(parsed.value);
    },
  };
}

/** A row id chosen from a list (team, GPU type, deployment). */
export function recordId({ label }: { label: string }): FieldParser<number> {
  return {
    label,
    parse(value) {
      const parsed = wholeNumber(value, label);
      if (!parsed.ok || parsed.value < 1n || parsed.value > MAX_DATABASE_ID) return fail(`${label} is not a valid choice`);
      return ok(Number(parsed.value));
    },
  };
}

// ---------------------------------------------------------------------------
// Decimals

// The same plain notation parseUsdMicros accepts: digits, an optional fraction, no exponent.
const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

interface ScaledDecimal {
  /** The value times 10^scale, exactly. */
  units: bigint;
  scale: number;
}

type DecimalReading = { ok: true; value: ScaledDecimal } | { ok: false; reason: "format" | "scale" };

/** Exact reading of plain decimal text with at most `scale` significant decimals. */
function readDecimal(text: string, scale: number): DecimalReading {
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) return { ok: false, reason: "format" };
  const [, sign, whole = "0", fraction = ""] = match;
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > scale) return { ok: false, reason: "scale" };
  const magnitude = BigInt(whole) * 10n ** BigInt(scale) + BigInt(significant.padEnd(scale, "0") || "0");
  return { ok: true, value: { units: sign === "-" ? -magnitude : magnitude, scale } };
}

function scaledBound(text: string, scale: number): bigint {
  const reading = readDecimal(text, scale);
  if (!reading.ok) throw new Error(`Bad decimal bound: ${text}`);
  return reading.value.units;
}

/** Shortest exact decimal text: "12.5", "0", "1000". */
function decimalText({ units, scale }: ScaledDecimal): string {
  const sign = units < 0n ? "-" : "";
  const magnitude = (units < 0n ? -units : units).toString().padStart(scale + 1, "0");
  const whole = magnitude.slice(0, magnitude.length - scale);
  const fraction = magnitude.slice(magnitude.length - scale).replace(/0+$/, "");
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

/** Compares two decimal strings exactly (as produced by `decimal` fields). */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const scale = Math.max(a.split(".")[1]?.length ?? 0, b.split(".")[1]?.length ?? 0);
  const x = scaledBound(a, scale);
  const y = scaledBound(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

function formatInteger(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatDecimalBound(text: string, money: boolean, unit: string): string {
  const [whole = "0", fraction] = text.split(".");
  const grouped = formatInteger(whole) + (fraction ? `.${fraction}` : "");
  return money ? `$${grouped}` : `${grouped}${unit}`;
}

interface DecimalOptions {
  label: string;
  /** Most decimal places accepted (trailing zeros don't count): the column's scale. */
  scale: number;
  /** Lower bound, inclusive unless `minExclusive`. */
  min: string;
  minExclusive?: boolean;
  /** Upper bound, inclusive unless `maxExclusive`. */
  max: string;
  maxExclusive?: boolean;
  /**
   * Dollar amounts: accepted only as text (or Decimal), never as a JS number,
   * whose digits may already be gone (money.ts rule 1).
   */
  money?: boolean;
  /** Shown after bounds in messages, e.g. "%" or " ms". */
  unit?: string;
}

/**
 * An exact decimal for a numeric column, returned as its shortest exact text
 * ("12.5"), which Prisma writes to numeric without loss. Accepts plain
 * decimal text and Decimal values; measurements (not money) also accept
 * finite numbers, read through their shortest round-trip text.
 */
export function decimal({ label, scale, min, minExclusive = false, max, maxExclusive = false, money = false, unit = "" }: DecimalOptions): FieldParser<string> {
  const minUnits = scaledBound(min, scale);
  const maxUnits = scaledBound(max, scale);
  const example = money ? "12.50" : "12.5";
  return {
    label,
    parse(value) {
      let text: string;
      if (typeof value === "string") {
        text = value.trim();
      } else if (Decimal.isDecimal(value)) {
        if (!value.isFinite()) return fail(`${label} must be a number`);
        text = value.toFixed(value.decimalPlaces());
      } else if (typeof value === "number") {
        if (money) return fail(`${label} must be sent as text, e.g. "${example}", so no digits are lost`);
        if (!Number.isFinite(value)) return fail(`${label} must be a number`);
        text = String(value);
      } else {
        return fail(`${label} must be a number`);
      }
      const reading = readDecimal(text, scale);
      if (!reading.ok) {
        if (reading.reason === "scale") return fail(`${label} can have at most ${scale} decimal place${scale === 1 ? "" : "s"}`);
        if (/^-?[\d.]+e[+-]?\d+$/i.test(text)) return fail(`${label} must be written as a plain decimal, e.g. ${example}, not with an exponent`);
        if (/^[-$\d.,\s]+$/.test(text) && /[,$]/.test(text)) return fail(`${label} must be a plain number like ${example}, without $ or thousands separators`);
        return fail(`${label} must be a number like ${example}`);
      }
      const { units } = reading.value;
      const bound = (b: string) => formatDecimalBound(b, money, unit);
      if (minExclusive ? units <= minUnits : units < minUnits) {
        if (minUnits === 0n) return fail(minExclusive ? `${label} must be greater than 0` : `${label} cannot be negative`);
        return fail(`${label} must be ${minExclusive ? "greater than" : "at least"} ${bound(min)}`);
      }
      if (maxExclusive ? units >= maxUnits : units > maxUnits) {
        return fail(`${label} must be ${maxExclusive ? "less than" : "at most"} ${bound(max)}`);
      }
      return ok(decimalText(reading.value));
    },
  };
}

// ---------------------------------------------------------------------------
// Instants, booleans, enums, time zones

// z.iso.datetime({ offset: true })'s own pattern, tested directly: a zod parse per instant cost more than the test (an API batch reads thousands).
const ISO_INSTANT = z.regexes.datetime({ offset: true });
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/**
 * An instant for messages, seconds only when they matter. With the form's
 * zone, "2026-10-31 23:00 (Europe/London)": a person is told times in the zone
 * they entered them in. Without one (CSV, API), "2026-03-01 09:00 UTC".
 */
export function formatInstant(instant: Date, timeZone?: string): string {
  const wholeMinute = instant.getTime() % 60_000 === 0;
  if (timeZone === undefined) {
    const iso = instant.toISOString();
    return `${iso.slice(0, wholeMinute ? 16 : 19).replace("T", " ")} UTC`;
  }
  const seconds = wholeMinute ? "" : `:${String(instant.getUTCSeconds()).padStart(2, "0")}`;
  return `${formatDateTime({ instant, timeZone })}${seconds} (${timeZone})`;
}

/**
 * An instant: a Date, or RFC 3339 text with Z or an offset. Text without an
 * offset is rejected rather than guessed: whose 09:00 it is depends on the
 * browser or the team, so the form converts it before submitting.
 */
export function instant({ label }: { label: string }): FieldParser<Date> {
  return {
    label,
    parse(value) {
      let date: Date;
      if (value instanceof Date) {
        date = new Date(value.getTime());
      } else if (typeof value === "string") {
        const trimmed = value.trim();
        if (!ISO_INSTANT.test(trimmed)) {
          if (LOCAL_DATE_TIME.test(trimmed)) return fail(`${label} needs a time zone, e.g. 2026-03-01T09:00:00Z or 2026-03-01T09:00:00+01:00`);
          return fail(`${label} must be a date and time like 2026-03-01T09:00:00Z`);
        }
        date = new Date(trimmed);
      } else {
        return fail(`${label} must be a date and time`);
      }
      if (Number.isNaN(date.getTime())) return fail(`${label} is not a valid date`);
      if (date < MIN_INSTANT) return fail(`${label} must be in the year 2000 or later`);
      return ok(date);
    },
  };
}

const TRUE_WORDS = new Set(["true", "on", "yes", "1"]);
const FALSE_WORDS = new Set(["false", "off", "no", "0"]);

/** A yes/no value: a boolean, a checkbox's "on", or true/false, yes/no, 1/0 from a CSV. */
export function flag({ label }: { label: string }): FieldParser<boolean> {
  return {
    label,
    parse(value) {
      if (typeof value === "boolean") return ok(value);
      const word = typeof value === "string" ? value.trim().toLowerCase() : typeof value === "number" ? String(value) : null;
      if (word !== null && TRUE_WORDS.has(word)) return ok(true);
      if (word !== null && FALSE_WORDS.has(word)) return ok(false);
      return fail(`${label} must be yes or no`);
    },
  };
}

/** Upper-case letters and digits only: "on-demand", "ON_DEMAND" and "On-demand" meet here. */
export function enumKey(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

function listInWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** One of an enum's values, given as the value or its label, in any case and punctuation. */
export function choice<const V extends string>({ label, values, labels }: { label: string; values: readonly V[]; labels: Record<V, string> }): FieldParser<V> {
  const byKey = new Map<string, V>();
  for (const v of values) {
    byKey.set(enumKey(v), v);
    byKey.set(enumKey(labels[v]), v);
  }
  const message = `${label} must be one of ${listInWords(values.map((v) => labels[v]))}`;
  return {
    label,
    parse(value) {
      const found = typeof value === "string" ? byKey.get(enumKey(value)) : undefined;
      return found === undefined ? fail(message) : ok(found);
    },
  };
}

// Area/Location names and the legacy single-word zones (UTC, EST5EDT, Etc/GMT+5);
// never a bare offset like "+05:00", which PostgreSQL reads with the sign inverted.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
let canonicalZones: Map<string, string> | undefined;

/**
 * An IANA time zone. Intl.DateTimeFormat is the judge (it also knows links
 * like "Asia/Kolkata" that Intl.supportedValuesOf leaves out on some ICU
 * versions); the name keeps the user's spelling, with its case corrected.
 */
export function timeZone({ label }: { label: string }): FieldParser<string> {
  return {
    label,
    parse(value) {
      if (typeof value !== "string") return fail(`${label} must be text`);
      const name = value.trim();
      const message = `${label} must be an IANA time zone such as UTC or Europe/Berlin`;
      if (name.length > 64 || !ZONE_NAME.test(name)) return fail(message);
      let resolved: string;
      try {
        resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
      } catch {
        return fail(message);
      }
      if (resolved.toLowerCase() === name.toLowerCase()) return ok(resolved);
      canonicalZones ??= new Map(["UTC", ...Intl.supportedValuesOf("timeZone"), ...CURRENT_ZONE_NAMES].map((zone) => [zone.toLowerCase(), zone]));
      return ok(canonicalZones.get(name.toLowerCase()) ?? name);
    },
  };
}
