import type { Viewer } from "@/lib/access/viewer";
import { bucketStart } from "@/lib/domain/calendar";
import { localToInstant } from "@/lib/domain/local-time";
import { reopenSuggestionState, saveSuggestionState } from "@/lib/db/mutations/suggestion-states";
import { currentSuggestion } from "@/lib/db/queries/suggestion-states";
import type { FormState } from "@/lib/validation/form-state";
import { messageTimeZone, readForm } from "@/lib/validation/form-input";
import { suggestionDecisionSchema, type SuggestionKey, type SuggestionSnapshot } from "@/lib/validation/suggestion-states";
import { formEntries, parseForm, toFormState } from "./form-result";

const DAY_MS = 86_400_000;
/** How far back "applied on" may go. */
const MAX_APPLIED_AGE_DAYS = 365;

/** Finds the suggestion as the rules raise it now (server-side: the client only names it). */
export type SuggestionLookup = (args: { viewer: Viewer; key: SuggestionKey; now: Date; timeZone: string }) => Promise<{ snapshot: SuggestionSnapshot } | null>;

/**
 * A decision on a suggestion from the panel's form (fields suggestionKey,
 * decision, snoozeDays, appliedOn; _timeZone = the view's zone, in which
 * "applied on" is a local date). Dismiss, snooze and apply store the
 * suggestion as the rules raise it now — never what the client sent — so a
 * suggestion that no longer applies can't be decided on.
 */
export async function submitSuggestionDecision({
  viewer,
  formData,
  now,
  lookup = currentSuggestion,
}: {
  viewer: Viewer;
  formData: unknown;
  now: Date;
  lookup?: SuggestionLookup;
}): Promise<FormState> {
  const form = readForm(formEntries(formData), { defaultTimeZone: viewer.orgTimeZone });
  const parsed = parseForm(suggestionDecisionSchema, form);
  if (!parsed.ok) return parsed.state;
  const { key, decision, snoozeDays, appliedOn } = parsed.values;
  const timeZone = messageTimeZone(form, viewer.orgTimeZone);
  const saved = (v: { key?: string; id?: number }) => ({ status: "saved" as const, id: v.key ?? String(v.id), isReplay: false });
  if (decision === "reopen") return toFormState(await reopenSuggestionState({ viewer, key }), saved);

  let appliedAt: Date | null = null;
  if (decision === "apply") {
    if (appliedOn) {
      const noon = localToInstant({ local: `${appliedOn}T12:00`, timeZone });
      const day = noon.ok ? bucketStart({ instant: noon.instant, unit: "day", timeZone }) : null;
      if (!day || day.getTime() > now.getTime()) return { status: "invalid", fieldErrors: { appliedOn: ["Applied on can't be in the future"] } };
      if (day.getTime() < now.getTime() - MAX_APPLIED_AGE_DAYS * DAY_MS) return { status: "invalid", fieldErrors: { appliedOn: [`Applied on must be within the last ${MAX_APPLIED_AGE_DAYS} days`] } };
      appliedAt = day;
    } else appliedAt = now;
  }
  const found = await lookup({ viewer, key, now, timeZone });
  if (!found) return { status: "notFound", message: "This suggestion no longer applies to its item; reload the page to see the current ones" };
  const result = await saveSuggestionState({
    viewer,
    input: {
      key,
      status: decision === "dismiss" ? "DISMISSED" : decision === "snooze" ? "SNOOZED" : "APPLIED",
      snoozedUntil: snoozeDays === null ? null : new Date(now.getTime() + snoozeDays * DAY_MS),
      appliedAt,
      snapshot: found.snapshot,
    },
  });
  return toFormState(result, saved);
}
