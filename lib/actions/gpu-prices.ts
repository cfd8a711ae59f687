"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { Viewer } from "@/lib/access/viewer";
import type { FormState } from "@/lib/validation/form-state";
import { submitGpuPrice, submitGpuPriceDelete } from "./handlers/gpu-prices";
import { guardedAction } from "./guard";

/** Adds a price (id null; back to Settings, where the catalog shows it) or edits one. */
export const saveGpuPriceAction = guardedAction(async (viewer: Viewer, id: number | null, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitGpuPrice({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  if (id === null) redirect("/settings?notice=created#prices");
  redirect(`/settings/prices/${state.id}/edit?notice=saved`);
});

/** Deletes a price; Settings shows Undo. */
export const deleteGpuPriceAction = guardedAction(async (viewer: Viewer, id: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitGpuPriceDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings?deleted=${state.deletedId}`);
});
