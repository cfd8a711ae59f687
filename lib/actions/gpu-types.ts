"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import type { FormState } from "@/lib/validation/form-state";
import { submitGpuType, submitGpuTypeDelete } from "./handlers/gpu-types";

/** Creates a GPU type (id null; to its page, where its prices are added) or edits one. */
export async function saveGpuTypeAction(id: number | null, _previous: FormState, formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitGpuType({ viewer, id, formData });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings/gpu-types/${state.id}/edit?notice=${id === null ? "created" : "saved"}`);
}

/** Deletes an unused GPU type with its prices; Settings shows Undo. */
export async function deleteGpuTypeAction(id: number, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitGpuTypeDelete({ viewer, id });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  redirect(`/settings?deleted=${state.deletedId}`);
}
