"use server";

import type { Route } from "next";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { Viewer } from "@/lib/access/viewer";
import type { FormState } from "@/lib/validation/form-state";
import { submitRestore } from "./handlers/records";
import { guardedAction } from "./guard";

/** Undoes a delete: puts the record (and its usage or prices) back and opens it. */
export const restoreDeletedAction = guardedAction(async (viewer: Viewer, deletedId: number, _previous: FormState, _formData: FormData): Promise<FormState> => {
  const state = await submitRestore({ viewer, deletedId });
  if (state.status !== "saved") return state;
  revalidatePath("/", "layout");
  // The path comes from restoredRecordPath (a fixed set of record pages), not from input.
  redirect(`${state.path ?? "/"}?notice=restored` as Route);
});
