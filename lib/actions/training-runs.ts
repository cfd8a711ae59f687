"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ownOrgId } from "@/lib/access/own-org-id";
import type { Viewer } from "@/lib/access/viewer";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import type { FormState } from "@/lib/validation/form-state";
import { submitTrainingRun, submitTrainingRunDelete } from "./handlers/training-runs";
import { guardedAction } from "./guard";

/** Creates a run (id null) or edits one; on success goes to the run's page. */
export const saveTrainingRunAction = guardedAction(async (viewer: Viewer, id: number | null, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitTrainingRun({ viewer, id, formData, now: new Date() });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // Spend or a budget changed: a threshold may have been crossed (checked after the response).
  evaluateBudgetAlertsAfter({ orgId: ownOrgId(viewer), trigger: "write" });
  redirect(`/training/${state.id}?notice=${id === null ? "created" : "saved"}`);
});

/** Deletes a run (undoable from the page it lands on, or Settings → Recently deleted). */
export const deleteTrainingRunAction = guardedAction(async (viewer: Viewer, id: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitTrainingRunDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/training?deleted=${state.deletedId}`);
});
