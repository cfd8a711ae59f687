import type { Denied } from "@/lib/access/policy";
import type { FieldErrors } from "./entities/field-errors";

/** A field whose saved value differs from what the person submitted. */
export interface ConflictChange {
  field: string;
  saved: string | number | boolean | null;
  yours: string | number | boolean | null;
}

export interface ConflictDetails {
  message: string;
  /** The version now stored: resubmitting with it overwrites the other change on purpose. */
  currentVersion: number;
  changes: ConflictChange[];
  /** Who made the change the person collided with, and when (from the audit log). */
  changedBy: { actorName: string; at: string } | null;
}

/**
 * What a record form's server action returns. Expected failures are values
 * with messages per field; a saved create or edit redirects instead (so
 * "saved" is only seen by callers that don't redirect, such as tests).
 */
export type FormState =
  | { status: "idle" }
  | { status: "invalid"; fieldErrors: FieldErrors }
  | { status: "conflict"; conflict: ConflictDetails }
  | { status: "notFound"; message: string }
  /**
   * Refused by lib/access/policy.ts. Handlers return it; the server action's
   * wrapper (lib/actions/guard.ts) turns it into notFound() or a form error,
   * so forms never receive it.
   */
  | DeniedState
  | { status: "saved"; id: string; isReplay: boolean; deletedId?: number };

export interface DeniedState {
  status: "denied";
  denied: Denied;
}

export const IDLE: FormState = { status: "idle" };
