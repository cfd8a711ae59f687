"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import type { FormState } from "@/lib/validation/form-state";
import { submitTrainingRun, submitTrainingRunDelete } from "./handlers/training-runs";

/** Creates a run (id null) or edits one; on success goes to the run's page. */
export async function saveTrainingRunAction(id: number | null, _previous: FormState, formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitTrainingRun({ viewer, id, formData, now: new Date() });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // Spend or a budget changed: a threshold may have been crossed (checked after the response).
  evaluateBudgetAlertsAfter({ orgId: viewer.orgId, trigger: "write" });
  redirect(`/training/${state.id}?notice=${id === null ? "created" : "saved"}`);
}

/** Deletes a run (undoable from the page it lands on, or Settings → Recently deleted). */
export async function deleteTrainingRunAction(id: number, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitTrainingRunDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/training?deleted=${state.deletedId}`);
}
