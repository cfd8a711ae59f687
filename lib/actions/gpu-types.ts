"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { Viewer } from "@/lib/access/viewer";
import type { FormState } from "@/lib/validation/form-state";
import { submitGpuType, submitGpuTypeDelete } from "./handlers/gpu-types";
import { guardedAction } from "./guard";

/** Creates a GPU type (id null; to its page, where its prices are added) or edits one. */
export const saveGpuTypeAction = guardedAction(async (viewer: Viewer, id: number | null, _previous: FormState, formData: FormData): Promise<FormState> => {
  const state = await submitGpuType({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings/gpu-types/${state.id}/edit?notice=${id === null ? "created" : "saved"}`);
});

/** Deletes an unused GPU type with its prices; Settings shows Undo. */
export const deleteGpuTypeAction = guardedAction(async (viewer: Viewer, id: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitGpuTypeDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings?deleted=${state.deletedId}`);
});
