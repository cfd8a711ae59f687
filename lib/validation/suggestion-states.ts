import { z } from "zod";
import { RULE_METRIC } from "@/lib/domain/suggestions/outcome";
import type { RuleId } from "@/lib/domain/suggestions/types";

/**
 * What a person decides about a suggestion (dismiss, snooze for 7 or 30
 * days, mark applied, or reopen), as the panel's forms submit it, and the
 * snapshot stored with the decision (suggestion_states.snapshot, JSON read
 * back at the database boundary).
 */

export const RULE_IDS = Object.keys(RULE_METRIC) as RuleId[];
export const SNOOZE_DAYS = [7, 30] as const;
export const DECISIONS = ["dismiss", "snooze", "apply", "reopen"] as const;
export type Decision = (typeof DECISIONS)[number];

const KEY = new RegExp(`^(${RULE_IDS.join("|")}):(run|deployment):(\\d{1,9})$`);

export interface SuggestionKey {
  key: string;
  ruleId: RuleId;
  itemKind: "run" | "deployment";
  itemId: number;
}

export function parseSuggestionKey(text: string): SuggestionKey | null {
  const m = KEY.exec(text);
  if (!m) return null;
  const itemId = Number(m[3]);
  if (itemId < 1 || itemId > 2_147_483_647) return null;
  return { key: text, ruleId: m[1] as RuleId, itemKind: m[2] as "run" | "deployment", itemId };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const suggestionDecisionSchema = z
  .object({
    suggestionKey: z
      .string({ error: "Which suggestion is missing" })
      .trim()
      .max(100, "Not a suggestion of this dashboard")
      .transform((text, ctx) => {
        const key = parseSuggestionKey(text);
        if (!key) {
          ctx.addIssue({ code: "custom", message: "Not a suggestion of this dashboard (expected rule:run|deployment:id)" });
          return z.NEVER;
        }
        return key;
      }),
    decision: z.enum(DECISIONS, { error: "Choose dismiss, snooze, applied or reopen" }),
    snoozeDays: z.string().trim().optional(),
    appliedOn: z.string().trim().optional(),
  })
  .transform((v, ctx) => {
    let snoozeDays: (typeof SNOOZE_DAYS)[number] | null = null;
    if (v.decision === "snooze") {
      const days = Number(v.snoozeDays);
      if (v.snoozeDays !== "7" && v.snoozeDays !== "30") ctx.addIssue({ code: "custom", path: ["snoozeDays"], message: "Snooze for 7 or 30 days" });
      else snoozeDays = days as 7 | 30;
    }
    let appliedOn: string | null = null;
    if (v.decision === "apply" && v.appliedOn) {
      const m = DATE.exec(v.appliedOn);
      const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      if (!m || !date || date.getUTCDate() !== Number(m[3]) || date.getUTCMonth() !== Number(m[2]) - 1 || date.getUTCFullYear() < 2000) {
        ctx.addIssue({ code: "custom", path: ["appliedOn"], message: "Applied on must be a date (YYYY-MM-DD)" });
      } else appliedOn = v.appliedOn;
    }
    return { key: v.suggestionKey, decision: v.decision, snoozeDays, appliedOn };
  });

export type SuggestionDecision = z.output<typeof suggestionDecisionSchema>;

// ---------------------------------------------------------------- snapshot

const bigintText = z.string().regex(/^-?\d{1,20}$/).transform((s) => BigInt(s));
const instant = z.iso.datetime().transform((s) => new Date(s));
const range = z.object({ start: instant, end: instant });

/** The stored snapshot: the suggestion as shown when the decision was made, with the metric it was meant to move. */
export const suggestionSnapshotSchema = z.object({
  suggestion: z.object({
    id: z.string(),
    ruleId: z.enum(RULE_IDS as [RuleId, ...RuleId[]]),
    title: z.string(),
    subject: z.object({ kind: z.enum(["run", "deployment", "team"]), id: z.number().int(), name: z.string(), teamId: z.number().int() }),
    evidence: z.array(z.object({ label: z.string(), value: z.string(), period: range.nullable() })),
    action: z.string(),
    monthlySaving: z.object({ lowCents: bigintText, highCents: bigintText }),
    confidence: z.enum(["high", "medium", "low"]),
    effectSource: z.object({ kind: z.enum(["published", "assumption"]), text: z.string(), url: z.string().optional() }),
    costsMoney: z.boolean().optional(),
  }),
  /** The period the suggestion's figures covered. */
  period: range,
  metric: z.object({ kind: z.string(), label: z.string(), value: z.number().nullable(), text: z.string() }).nullable(),
  /** The item's cost per average month the saving is a share of (compute for runs), cents. */
  baseMonthlyCents: bigintText.nullable(),
});

export type SuggestionSnapshot = z.output<typeof suggestionSnapshotSchema>;
