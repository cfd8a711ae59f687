"use server";

import type { Route } from "next";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import { reportMonthSchema } from "@/lib/reports/month";
import type { FormState } from "@/lib/validation/form-state";
import { formError } from "./handlers/form-result";
import { submitCloseMonth, submitReopenMonth } from "./handlers/month-closures";

/**
 * Closes a month (org admins, org zone): its report is stored as it stands.
 * Back to the month's report with a notice; failures (not over yet, already
 * closed, not an admin) come back as a form error.
 */
export async function closeMonthAction(month: string, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const parsed = reportMonthSchema.safeParse(month);
  if (!parsed.success) return formError(parsed.error.issues[0]!.message);
  const viewer = await getViewer();
  const state = await submitCloseMonth({ viewer, month: parsed.data, now: new Date() });
  if (state.status !== "saved") return state;
  revalidatePath("/reports", "layout");
  // The month matched YYYY-MM above, so it is safe in a path.
  redirect(`/reports/${parsed.data}?notice=closed` as Route);
}

/** Reopens a closed month: its report goes back to current figures. */
export async function reopenMonthAction(month: string, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const parsed = reportMonthSchema.safeParse(month);
  if (!parsed.success) return formError(parsed.error.issues[0]!.message);
  const viewer = await getViewer();
  const state = await submitReopenMonth({ viewer, month: parsed.data });
  if (state.status !== "saved") return state;
  revalidatePath("/reports", "layout");
  redirect(`/reports/${parsed.data}?notice=reopened` as Route);
}
