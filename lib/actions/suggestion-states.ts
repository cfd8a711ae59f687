"use server";

import { revalidatePath } from "next/cache";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import type { FormState } from "@/lib/validation/form-state";
import { submitSuggestionDecision } from "./handlers/suggestion-states";

/**
 * Dismiss, snooze, mark applied or reopen a suggestion (writers only; the
 * mutation checks). Every page with a suggestions panel shows the change on
 * its next render, so the whole app is revalidated.
 */
export async function decideSuggestionAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitSuggestionDecision({ viewer, formData, now: new Date() });
  if (state.status === "saved") revalidatePath("/", "layout");
  return state;
}
