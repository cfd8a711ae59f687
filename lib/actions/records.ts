"use server";

import type { Route } from "next";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import type { FormState } from "@/lib/validation/form-state";
import { submitRestore } from "./handlers/records";

/** Undoes a delete: puts the record (and its usage or prices) back and opens it. */
export async function restoreDeletedAction(deletedId: number, _previous: FormState, _formData: FormData): Promise<FormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const viewer = await getViewer();
  const state = await submitRestore({ viewer, deletedId });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // The path comes from restoredRecordPath (a fixed set of record pages), not from input.
  redirect(`${state.path ?? "/"}?notice=restored` as Route);
}
