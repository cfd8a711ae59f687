"use server";

import { revalidatePath } from "next/cache";
import { ownOrgId } from "@/lib/access/own-org-id";
import type { Viewer } from "@/lib/access/viewer";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import { submitAlertWebhookForm, type AlertWebhookState } from "./handlers/alert-webhook";
import { guardedAction } from "./guard";

/**
 * The webhook form's two buttons: save (or clear) the URL — a new one gets
 * this month's pending alerts posted after the response — or post a test
 * message to the URL in the field and report what the receiver answered.
 */
export const alertWebhookAction = guardedAction(async (viewer: Viewer, _previous: AlertWebhookState, formData: FormData): Promise<AlertWebhookState> => {
  const state = await submitAlertWebhookForm({ viewer, formData });
  if (state.status === "saved" && state.isChanged) {
    revalidatePath("/settings");
    if (state.url !== null) evaluateBudgetAlertsAfter({ orgId: ownOrgId(viewer), trigger: "write" });
  }
  return state;
});
