import type { Route } from "next";
import { Suspense } from "react";
import type { Viewer } from "@/lib/access/viewer";
import { cachedSuggestionPanelData } from "@/lib/cache/read-models";
import type { SuggestionPanelData } from "@/lib/db/queries/suggestion-states";
import type { SuggestionScope } from "@/lib/db/queries/suggestions";
import { SuggestionsFailed, SuggestionsPanel, SuggestionsSkeleton } from "@/components/suggestions/suggestions-panel";

/**
 * The suggestions panel of the overview, team, run and deployment pages,
 * streamed: the page's figures render without waiting for it, and a failure
 * shows in the panel only. A page may start the read early
 * (`startSuggestions`, before its own queries) so the two run side by side.
 */

interface Props {
  viewer: Viewer;
  scope: SuggestionScope;
  now: Date;
  timeZone: string;
  zoneLabel: string;
  title?: string;
  /** A dashboard's panel: the largest savings, and a link here to all of them. */
  allHref?: Route;
  /** The suggestions page: all of them at once. */
  listAll?: boolean;
  /** The panel's data, already requested (startSuggestions); read here when absent. */
  data?: Promise<SuggestionPanelData | null>;
}

/** Requests the panel's data now; a failure resolves to null (logged) so the page never fails for it. */
export function startSuggestions({ viewer, scope, now, timeZone }: Pick<Props, "viewer" | "scope" | "now" | "timeZone">): Promise<SuggestionPanelData | null> {
  return cachedSuggestionPanelData({ viewer, scope, now, timeZone }).catch((error: unknown) => {
    console.error("Suggestions panel failed", error);
    return null;
  });
}

export function SuggestionsSection(props: Props) {
  return (
    <Suspense fallback={<SuggestionsSkeleton title={props.title} />}>
      <Suggestions {...props} />
    </Suspense>
  );
}

async function Suggestions({ viewer, scope, now, timeZone, zoneLabel, title, allHref, listAll, data: started }: Props) {
  const data = await (started ?? startSuggestions({ viewer, scope, now, timeZone }));
  return data ? <SuggestionsPanel data={data} zoneLabel={zoneLabel} now={now} title={title} allHref={allHref} listAll={listAll} /> : <SuggestionsFailed title={title} />;
}
