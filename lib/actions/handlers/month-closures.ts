import type { Viewer } from "@/lib/access/viewer";
import { closeMonth, reopenMonth } from "@/lib/db/mutations/month-closures";
import type { FormState } from "@/lib/validation/form-state";
import { toFormState } from "./form-result";

/** Closing a month, minus Next's request plumbing: the month comes from a bound argument (untrusted; closeMonth validates it). */
export async function submitCloseMonth({ viewer, month, now }: { viewer: Viewer; month: unknown; now: Date }): Promise<FormState> {
  const result = await closeMonth({ viewer, month, now });
  return toFormState(result, (v) => ({ status: "saved", id: String(v.closureId), isReplay: false }));
}

export async function submitReopenMonth({ viewer, month }: { viewer: Viewer; month: unknown }): Promise<FormState> {
  const result = await reopenMonth({ viewer, month });
  return toFormState(result, (v) => ({ status: "saved", id: v.month, isReplay: false }));
}
