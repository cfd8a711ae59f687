import type { Suggestion } from "./types";

/**
 * Open suggestions listed in one panel at most, by saving. Each carries its
 * evidence and decision forms (~10 kB of document): at the 10M-window bench
 * the org overview had ~260, a 4.4 MB page. Every run's and deployment's
 * suggestions are all listed on its own page.
 */
export const MAX_LISTED_SUGGESTIONS = 50;

/** The open suggestions (ranked by saving) a panel lists: the first MAX_LISTED_SUGGESTIONS, and every team-wide one (those have no page of their own). */
export function listedSuggestions<T extends Pick<Suggestion, "subject">>(open: readonly T[]): T[] {
  return open.filter((s, i) => i < MAX_LISTED_SUGGESTIONS || s.subject.kind === "team");
}
