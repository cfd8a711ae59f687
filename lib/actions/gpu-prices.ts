"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import type { FormState } from "@/lib/validation/form-state";
import { submitGpuPrice, submitGpuPriceDelete } from "./handlers/gpu-prices";

/** Adds a price (id null; back to Settings, where the catalog shows it) or edits one. */
export async function saveGpuPriceAction(id: number | null, _previous: FormState, formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitGpuPrice({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  if (id === null) redirect("/settings?notice=created#prices");
  redirect(`/settings/prices/${state.id}/edit?notice=saved`);
}

/** Deletes a price; Settings shows Undo. */
export async function deleteGpuPriceAction(id: number, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitGpuPriceDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings?deleted=${state.deletedId}`);
}
