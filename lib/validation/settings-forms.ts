import { instantToLocal } from "@/lib/domain/local-time";

/** How the Settings forms' fields are read (shared by the browser form and the server action). */

export const GPU_PRICE_FORM_FIELDS = {
  dateTimeFields: ["effectiveFrom", "effectiveTo"],
  /** "End the current price when this one takes effect" (new prices only). */
  checkboxes: ["endCurrentPrice"],
} as const;

/** "Applied ML & Eval" → "applied-ml-eval": the slug a person would type for a team name. */
export function slugFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

/** "YYYY-MM-DDT00:00" of the day after `now`'s local date in `timeZone`, as a datetime-local input takes it (a new price's default start). */
export function startOfNextLocalDay(now: Date, timeZone: string): string {
  const [year, month, day] = instantToLocal({ instant: now, timeZone }).slice(0, 10).split("-").map(Number) as [number, number, number];
  return `${new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10)}T00:00`;
}
