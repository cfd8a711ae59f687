import { teamCoverageText, type TeamCoverageCounts } from "@/lib/domain/team-coverage";

/**
 * Said on org-wide views when the person sees only some teams: every figure
 * on the page adds up those teams only. Renders nothing when they see all.
 */
export function TeamCoverageNotice({ coverage }: { coverage: TeamCoverageCounts }) {
  const text = teamCoverageText(coverage);
  if (!text) return null;
  return (
    <p role="note" data-testid="team-coverage" className="mb-4 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
      {text} Totals add up these teams only.
    </p>
  );
}
