"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import type { FormState } from "@/lib/validation/form-state";
import { submitInferenceDeployment, submitInferenceDeploymentDelete } from "./handlers/inference-deployments";

/** Creates a deployment (id null) or edits one; on success goes to the deployment's page. */
export async function saveInferenceDeploymentAction(id: number | null, _previous: FormState, formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitInferenceDeployment({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // Spend or a budget changed: a threshold may have been crossed (checked after the response).
  evaluateBudgetAlertsAfter({ orgId: viewer.orgId, trigger: "write" });
  redirect(`/inference/${state.id}?notice=${id === null ? "created" : "saved"}`);
}

/** Deletes a deployment with its usage (undoable from the page it lands on, or Settings → Recently deleted). */
export async function deleteInferenceDeploymentAction(id: number, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitInferenceDeploymentDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/inference?deleted=${state.deletedId}`);
}
