"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { Viewer } from "@/lib/access/viewer";
import type { FormState } from "@/lib/validation/form-state";
import { formZoneChoiceSchema, withZone } from "@/lib/validation/form-zone";
import { SAVE_AND_ADD_NEXT } from "@/lib/validation/inference-forms";
import { submitUsageWindow, submitUsageWindowDelete } from "./handlers/usage-windows";
import { guardedAction } from "./guard";


/**
 * Records a deployment's usage for one period (start null) or edits the
 * period that started at `start`. "Save and add next" opens a new form for
 * the period that follows (start = this one's end, same length); "Save and
 * finish" and an edit go to the deployment's page. `tz` is the zone choice of
 * the view the form was opened from; the pages it goes to keep it.
 */
export const saveUsageWindowAction = guardedAction(async (viewer: Viewer, deploymentId: number, start: string | null, tz: string, _previous: FormState, formData: FormData): Promise<FormState> => {
  const choice = formZoneChoiceSchema.parse(tz);
  const state = await submitUsageWindow({ viewer, deploymentId, start, formData, now: new Date() });
  if (state.status !== "saved" || !state.window) return state;
  revalidatePath("/", "layout");
  // The new-period form carries a hidden "next"; its "Save and finish" button adds "done".
  const intents = formData instanceof FormData ? formData.getAll(SAVE_AND_ADD_NEXT.name) : [];
  if (intents.includes(SAVE_AND_ADD_NEXT.value) && !intents.includes("done")) {
    const savedStart = new Date(state.window.start).getTime();
    const nextStart = savedStart + state.window.seconds * 1000;
    redirect(withZone(`/inference/${state.id}/usage/new?start=${nextStart}&seconds=${state.window.seconds}&saved=${savedStart}`, choice));
  }
  redirect(withZone(`/inference/${state.id}?notice=${start === null ? "created" : "saved"}#usage`, choice));
});

/** Deletes one period's usage (undoable from the deployment's page it lands on). */
export const deleteUsageWindowAction = guardedAction(async (viewer: Viewer, deploymentId: number, start: string, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitUsageWindowDelete({ viewer, deploymentId, start });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/inference/${state.id}?deleted=${state.deletedId}#usage`);
});
