"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ownOrgId } from "@/lib/access/own-org-id";
import type { Viewer } from "@/lib/access/viewer";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import type { FormState } from "@/lib/validation/form-state";
import { submitInferenceDeployment, submitInferenceDeploymentDelete } from "./handlers/inference-deployments";
import { guardedAction } from "./guard";

/** Creates a deployment (id null) or edits one; on success goes to the deployment's page. */
export const saveInferenceDeploymentAction = guardedAction(async (viewer: Viewer, id: number | null, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitInferenceDeployment({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // Spend or a budget changed: a threshold may have been crossed (checked after the response).
  evaluateBudgetAlertsAfter({ orgId: ownOrgId(viewer), trigger: "write" });
  redirect(`/inference/${state.id}?notice=${id === null ? "created" : "saved"}`);
});

/** Deletes a deployment with its usage (undoable from the page it lands on, or Settings → Recently deleted). */
export const deleteInferenceDeploymentAction = guardedAction(async (viewer: Viewer, id: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitInferenceDeploymentDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/inference?deleted=${state.deletedId}`);
});
