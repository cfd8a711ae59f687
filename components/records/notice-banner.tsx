import { restoreDeletedAction } from "@/lib/actions/records";
import { UndoButton } from "./undo-button";

const NOTICES = {
  created: "Saved.",
  saved: "Changes saved.",
  restored: "Restored.",
} as const;

/**
 * The line shown after a write redirected here: "?notice=created|saved|restored",
 * or "?deleted=<id>" with an Undo button. Unknown values show nothing.
 */
export function NoticeBanner({ notice, deletedId, deletedLabel }: { notice?: string; deletedId?: string; deletedLabel?: string }) {
  const id = deletedId && /^\d{1,9}$/.test(deletedId) ? Number(deletedId) : null;
  if (id !== null) {
    return (
      <div role="status" className="mb-4 flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-300 bg-slate-50 px-4 py-2 text-sm text-slate-800">
        <span>{deletedLabel ?? "Deleted."} You can undo this for 30 days.</span>
        <UndoButton action={restoreDeletedAction.bind(null, id)} />
      </div>
    );
  }
  const text = notice && notice in NOTICES ? NOTICES[notice as keyof typeof NOTICES] : null;
  if (!text) return null;
  return (
    <div role="status" className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-4 py-2 text-sm text-emerald-900">
      {text}
    </div>
  );
}
