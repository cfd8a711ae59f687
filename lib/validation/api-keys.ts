import { z } from "zod";
import type { ApiKeyScope } from "@/lib/db/generated/enums";

/**
 * A team's API key as the create form (and the mutation) take it: a name to
 * tell keys apart and at least one scope. Scopes arrive as repeated `scope`
 * form fields (checkboxes) with the enum values.
 */

export const API_KEY_NAME_MAX = 80;
/** Active (unrevoked) keys a team may hold at once: enough for every job and gateway, few enough to review. */
export const MAX_ACTIVE_API_KEYS_PER_TEAM = 25;

export const API_KEY_SCOPE_VALUES = ["RUNS_WRITE", "USAGE_WRITE", "REPORTS_READ"] as const satisfies readonly ApiKeyScope[];

const isScope = (value: string): value is ApiKeyScope => (API_KEY_SCOPE_VALUES as readonly string[]).includes(value);

export const apiKeySchema = z.object(
  {
    name: z
      .string({ error: "Name is required" })
      .trim()
      .min(1, "Name is required: say what uses the key, e.g. “Slurm job reporter”")
      .max(API_KEY_NAME_MAX, `Name must be at most ${API_KEY_NAME_MAX} characters`),
    // Checked as a whole, so every problem is the field's (not "scopes.0").
    scopes: z
      .array(z.string(), { error: "Choose at least one scope" })
      .min(1, "Choose at least one scope")
      .refine((values) => values.every(isScope), "Scopes must be among runs:write, usage:write and reports:read")
      .refine((values) => new Set(values).size === values.length, "A scope is listed twice")
      .transform((values) => values.filter(isScope)),
  },
  { error: "Expected a name and scopes" },
);
export type ApiKeyValues = z.output<typeof apiKeySchema>;
export type ApiKeyInput = z.input<typeof apiKeySchema>;

/** The create form's fields as the schema's input: every `scope` checkbox becomes one entry of `scopes`. */
export function apiKeyInputFromForm(entries: Iterable<[string, FormDataEntryValue]>): Record<string, unknown> {
  let name: string | undefined;
  const scopes: string[] = [];
  for (const [key, value] of entries) {
    if (typeof value !== "string") continue;
    if (key === "name" && name === undefined) name = value;
    else if (key === "scope" && scopes.length <= API_KEY_SCOPE_VALUES.length) scopes.push(value);
  }
  return { name, scopes };
}
