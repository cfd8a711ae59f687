import { expect, it } from "vitest";
import type { z } from "zod";
import { fieldErrors } from "./field-errors";

/**
 * Table-driven schema tests: each case patches a valid input (undefined
 * removes the key) and says whether it is accepted — optionally with the
 * parsed values it expects — or rejected with errors on exactly these fields.
 */
type Expectation = { accept: Record<string, unknown> } | { reject: string[]; message?: string | RegExp };
export type Case = [label: string, patch: Record<string, unknown>, expectation: Expectation];

export const accept = (parsed: Record<string, unknown> = {}): Expectation => ({ accept: parsed });
export const reject = (fields: string | string[], message?: string | RegExp): Expectation => ({
  reject: typeof fields === "string" ? [fields] : fields,
  message,
});

export function withPatch(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const input = { ...base, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete input[key];
  return input;
}

export function itChecksCases(schema: z.ZodType, base: Record<string, unknown>, cases: Case[]): void {
  it.each(cases)("%s", (_label, patch, expectation) => {
    const result = schema.safeParse(withPatch(base, patch));
    const errors = fieldErrors(result);
    if ("accept" in expectation) {
      expect(errors).toEqual({});
      expect(result.data).toMatchObject(expectation.accept);
      return;
    }
    expect(Object.keys(errors).sort()).toEqual([...expectation.reject].sort());
    if (expectation.message !== undefined) {
      const messages = expectation.reject.flatMap((field) => errors[field] ?? []);
      expect(messages.some((m) => (typeof expectation.message === "string" ? m === expectation.message : expectation.message!.test(m)))).toBe(true);
    }
  });
}

/** "x" repeated: strings of an exact length for the length boundaries. */
export const chars = (n: number, char = "x"): string => char.repeat(n);

export const addMs = (date: Date, ms: number): Date => new Date(date.getTime() + ms);
