"use server";

import type { Route } from "next";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ownOrgId } from "@/lib/access/own-org-id";
import type { Viewer } from "@/lib/access/viewer";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import type { FormState } from "@/lib/validation/form-state";
import { submitTeam, submitTeamDelete } from "./handlers/teams";
import { guardedAction } from "./guard";

/** Creates a team (id null; back to Settings) or edits one (to its edit page, at its new slug if that changed). */
export const saveTeamAction = guardedAction(async (viewer: Viewer, id: number | null, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitTeam({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // Spend or a budget changed: a threshold may have been crossed (checked after the response).
  evaluateBudgetAlertsAfter({ orgId: ownOrgId(viewer), trigger: "write" });
  if (id === null) redirect("/settings?notice=created");
  // The slug was validated by teamSchema (a-z, 0-9, hyphens), so it is safe in a path.
  redirect(`/settings/teams/${state.slug ?? ""}/edit?notice=saved` as Route);
});

/** Deletes an empty team; Settings shows Undo. */
export const deleteTeamAction = guardedAction(async (viewer: Viewer, id: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitTeamDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings?deleted=${state.deletedId}`);
});
