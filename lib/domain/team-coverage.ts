/**
 * What an org-wide view or export adds up when the person sees only some of
 * the org's teams (lib/access/policy.ts TeamCoverage, read by teamCoverage in
 * lib/db/queries/teams.ts): said in words next to the figures and in exports.
 */
export interface TeamCoverageCounts {
  all: boolean;
  visible: number;
  total: number;
}

/** Null when the view covers every team; else "Showing 2 of 4 teams — the ones you have access to." */
export function teamCoverageText(coverage: TeamCoverageCounts): string | null {
  if (coverage.all) return null;
  const teams = coverage.total === 1 ? "team" : "teams";
  return `Showing ${coverage.visible} of ${coverage.total} ${teams} — the ones you have access to.`;
}
