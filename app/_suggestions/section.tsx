import { Suspense } from "react";
import type { Viewer } from "@/lib/access/viewer";
import { suggestionPanelData } from "@/lib/db/queries/suggestion-states";
import type { SuggestionScope } from "@/lib/db/queries/suggestions";
import { SuggestionsFailed, SuggestionsPanel, SuggestionsSkeleton } from "@/components/suggestions/suggestions-panel";

/**
 * The suggestions panel of the overview, team, run and deployment pages,
 * streamed: the page's figures render without waiting for it, and a failure
 * shows in the panel only.
 */

interface Props {
  viewer: Viewer;
  scope: SuggestionScope;
  now: Date;
  timeZone: string;
  zoneLabel: string;
  title?: string;
}

export function SuggestionsSection(props: Props) {
  return (
    <Suspense fallback={<SuggestionsSkeleton title={props.title} />}>
      <Suggestions {...props} />
    </Suspense>
  );
}

async function Suggestions({ viewer, scope, now, timeZone, zoneLabel, title }: Props) {
  const data = await suggestionPanelData({ viewer, scope, now, timeZone }).catch((error: unknown) => {
    console.error("Suggestions panel failed", error);
    return null;
  });
  return data ? <SuggestionsPanel data={data} zoneLabel={zoneLabel} now={now} title={title} /> : <SuggestionsFailed title={title} />;
}
