import "server-only";
import type { z } from "zod";
import { teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { cachedSuggestionPanelData } from "@/lib/cache/read-models";
import { db } from "@/lib/db/client";
import type { StoredSuggestionState } from "@/lib/db/queries/suggestion-states";
import type { SuggestionScope } from "@/lib/db/queries/suggestions";
import { teamBySlug } from "@/lib/db/queries/teams";
import { reportingZone } from "@/lib/domain/reporting-zone";
import type { Suggestion } from "@/lib/domain/suggestions/types";
import { v1Error, v1Json } from "./responses";
import type { SUGGESTION_STATUSES, suggestionsQuerySchema } from "./reads-schema";

/**
 * GET /api/v1/suggestions: the suggestions panel's read model
 * (suggestion-states.ts suggestionPanelData, through the read cache) for the
 * viewer's teams or one team — the same suggestions, savings and decisions
 * the overview and team pages list, without the panel's display cap.
 */

type SuggestionsQuery = z.output<typeof suggestionsQuerySchema>;
type Status = (typeof SUGGESTION_STATUSES)[number];

export async function suggestionsResponse({ viewer, query }: { viewer: Viewer; query: SuggestionsQuery }): Promise<Response> {
  const now = new Date();
  const team = query.team ? await teamBySlug({ viewer, slug: query.team }) : null;
  if (query.team && !team) return v1Error(404, "not-found", `No team "${query.team}" in this organization.`, { field: "team" });
  if (query.tz === "team" && !team) return v1Error(400, "bad-request", "tz team needs a team: add team=<slug>, or use tz=org or tz=utc.", { field: "tz" });
  const zone = reportingZone({ choice: query.tz, orgTimeZone: viewer.orgTimeZone, teamTimeZone: team?.timeZone ?? null });
  const scope: SuggestionScope = team ? { kind: "team", teamId: team.id } : { kind: "org" };
  const [data, teams] = await Promise.all([
    cachedSuggestionPanelData({ viewer, scope, now, timeZone: zone.timeZone }),
    db().team.findMany({ where: teamWhere(viewer), select: { id: true, slug: true } }),
  ]);
  const slugs = new Map(teams.map((t) => [t.id, t.slug]));
  const item = (s: Suggestion) => ({ kind: s.subject.kind, id: s.subject.id, name: s.subject.name, team: slugs.get(s.subject.teamId) ?? null });
  const json = (s: Suggestion, status: Status, state: StoredSuggestionState | null) => ({
    id: s.id,
    rule: s.ruleId,
    title: s.title,
    item: item(s),
    status,
    monthlySaving: { lowCents: s.monthlySaving.lowCents, highCents: s.monthlySaving.highCents },
    costsMoney: s.costsMoney ?? false,
    confidence: s.confidence,
    action: s.action,
    evidence: s.evidence.map((e) => ({ label: e.label, value: e.value, period: e.period })),
    decidedAt: state?.updatedAt ?? null,
    decidedBy: state?.actorName ?? null,
    snoozedUntil: status === "snoozed" ? (state?.snoozedUntil ?? null) : null,
    appliedAt: state?.appliedAt ?? null,
  });
  const listed = [
    ...data.open.map((s) => ({ s, status: "open" as const, state: null })),
    ...data.snoozed.map((d) => ({ s: d.suggestion, status: "snoozed" as const, state: d.state })),
    ...data.dismissed.map((d) => ({ s: d.suggestion, status: "dismissed" as const, state: d.state })),
  ];
  const applied = data.applied.map(({ state }) => ({ s: state.snapshot.suggestion as Suggestion, status: "applied" as const, state }));
  const suggestions = [...listed, ...applied].filter((x) => query.status === "all" || x.status === query.status).map((x) => json(x.s, x.status, x.state));
  return v1Json({ zone, period: data.period, suggestions });
}
