import "server-only";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { invalidateOrgData } from "@/lib/cache/read-cache";
import { isDenied, type Denied } from "@/lib/access/policy";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import type { Viewer } from "@/lib/access/viewer";
import { FORM_ERRORS_KEY, type FieldErrors } from "@/lib/validation/entities/field-errors";
import type { DeniedState } from "@/lib/validation/form-state";

/** The form-level error state every action's form shows (cross-site refusals, forbidden writes). */
export interface FormErrorState {
  status: "invalid";
  fieldErrors: FieldErrors;
}

/** What a guarded action returns: its own states minus the refusal, which became notFound() or a form error. */
export type GuardedState<S> = Exclude<S, DeniedState | Denied> | FormErrorState;

/**
 * A refusal as an action answers it: not-found → Next's notFound() (the
 * record doesn't exist for this person: the 404 page, like a missing id);
 * forbidden → a form-level error with the policy's message. Any other state
 * passes through.
 */
export function settleDenied<S>(state: S | DeniedState | Denied): GuardedState<S> {
  const denied = isDenied(state) ? state : isDeniedState(state) ? state.denied : null;
  if (!denied) return state as GuardedState<S>;
  if (denied.kind === "not-found") notFound();
  return { status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: [denied.message] } };
}

function isDeniedState(value: unknown): value is DeniedState {
  return typeof value === "object" && value !== null && (value as DeniedState).status === "denied" && isDenied((value as DeniedState).denied);
}

/**
 * Every server action is one of these: the cross-site/rebinding check (a
 * form error, never a 500), then the signed-in viewer (signed out: to
 * sign-in), then the work, whose refusal (a Denied, or a state carrying one)
 * is settled by `settleDenied`. Bound arguments and form data stay untrusted:
 * the work validates them.
 *
 *   export const deleteRunAction = guardedAction(async (viewer, id: number, _previous: FormState, _formData: FormData) => …);
 */
export function guardedAction<Args extends unknown[], S>(work: (viewer: Viewer, ...args: Args) => Promise<S>): (...args: Args) => Promise<GuardedState<S>> {
  return async (...args: Args) => {
    const refused = await refuseCrossSiteAction();
    if (refused) return refused;
    const viewer = await getViewer();
    try {
      return settleDenied(await work(viewer, ...args));
    } finally {
      // A backstop for writes outside writeTransaction: the org's cached figures are recomputed (lib/cache/read-cache.ts).
      invalidateOrgData(viewer.orgId);
    }
  };
}
