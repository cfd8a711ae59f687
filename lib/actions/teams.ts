"use server";

import type { Route } from "next";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import type { FormState } from "@/lib/validation/form-state";
import { submitTeam, submitTeamDelete } from "./handlers/teams";

/** Creates a team (id null; back to Settings) or edits one (to its edit page, at its new slug if that changed). */
export async function saveTeamAction(id: number | null, _previous: FormState, formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitTeam({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // Spend or a budget changed: a threshold may have been crossed (checked after the response).
  evaluateBudgetAlertsAfter({ orgId: viewer.orgId, trigger: "write" });
  if (id === null) redirect("/settings?notice=created");
  // The slug was validated by teamSchema (a-z, 0-9, hyphens), so it is safe in a path.
  redirect(`/settings/teams/${state.slug ?? ""}/edit?notice=saved` as Route);
}

/** Deletes an empty team; Settings shows Undo. */
export async function deleteTeamAction(id: number, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitTeamDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings?deleted=${state.deletedId}`);
}
