"use server";

import { revalidatePath } from "next/cache";
import type { Viewer } from "@/lib/access/viewer";
import type { FormState } from "@/lib/validation/form-state";
import { submitSuggestionDecision } from "./handlers/suggestion-states";
import { guardedAction } from "./guard";

/**
 * Dismiss, snooze, mark applied or reopen a suggestion (writers only; the
 * mutation checks). Every page with a suggestions panel shows the change on
 * its next render, so the whole app is revalidated.
 */
export const decideSuggestionAction = guardedAction(async (viewer: Viewer, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitSuggestionDecision({ viewer, formData, now: new Date() });
  if (state.status === "saved") revalidatePath("/", "layout");
  return state;
});
