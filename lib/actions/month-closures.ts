"use server";

import type { Route } from "next";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { Viewer } from "@/lib/access/viewer";
import { reportMonthSchema } from "@/lib/reports/month";
import type { FormState } from "@/lib/validation/form-state";
import { formError } from "./handlers/form-result";
import { submitCloseMonth, submitReopenMonth } from "./handlers/month-closures";
import { guardedAction } from "./guard";

/**
 * Closes a month (org admins, org zone): its report is stored as it stands.
 * Back to the month's report with a notice; failures (not over yet, already
 * closed, not an admin) come back as a form error.
 */
export const closeMonthAction = guardedAction(async (viewer: Viewer, month: string, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const parsed = reportMonthSchema.safeParse(month);
  if (!parsed.success) return formError(parsed.error.issues[0]!.message);
  const state = await submitCloseMonth({ viewer, month: parsed.data, now: new Date() });
  if (state.status !== "saved") return state;
  revalidatePath("/reports", "layout");
  // The month matched YYYY-MM above, so it is safe in a path.
  redirect(`/reports/${parsed.data}?notice=closed` as Route);
});

/** Reopens a closed month: its report goes back to current figures. */
export const reopenMonthAction = guardedAction(async (viewer: Viewer, month: string, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const parsed = reportMonthSchema.safeParse(month);
  if (!parsed.success) return formError(parsed.error.issues[0]!.message);
  const state = await submitReopenMonth({ viewer, month: parsed.data });
  if (state.status !== "saved") return state;
  revalidatePath("/reports", "layout");
  redirect(`/reports/${parsed.data}?notice=reopened` as Route);
});
