import type { Viewer } from "@/lib/access/viewer";
import { cachedTeamCoverage } from "@/lib/cache/read-models";
import { TeamCoverageNotice } from "@/components/ui/team-coverage-notice";

/**
 * On org-wide views: "Showing 2 of 4 teams — the ones you have access to"
 * when the person sees only some of the org's teams; nothing otherwise.
 * Read while the page renders (no Suspense), so a failure is the page's error.
 */
export async function TeamCoverageSection({ viewer }: { viewer: Viewer }) {
  return <TeamCoverageNotice coverage={await cachedTeamCoverage(viewer)} />;
}
