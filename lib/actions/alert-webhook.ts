"use server";

import { revalidatePath } from "next/cache";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import { submitAlertWebhookForm, type AlertWebhookState } from "./handlers/alert-webhook";

/**
 * The webhook form's two buttons: save (or clear) the URL — a new one gets
 * this month's pending alerts posted after the response — or post a test
 * message to the URL in the field and report what the receiver answered.
 */
export async function alertWebhookAction(_previous: AlertWebhookState, formData: FormData): Promise<AlertWebhookState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitAlertWebhookForm({ viewer, formData });
  if (state.status === "saved" && state.isChanged) {
    revalidatePath("/settings");
    if (state.url !== null) evaluateBudgetAlertsAfter({ orgId: viewer.orgId, trigger: "write" });
  }
  return state;
}
