import { beforeAll, describe, expect, it } from "vitest";
import { loadOrgOwnerViewer, type Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { listSuggestions } from "@/lib/db/queries/suggestions";
import { formatUsd } from "@/lib/domain/money";
import { isConflict, type Suggestion } from "@/lib/domain/suggestions";
import { seedDatabase } from "./write";

// The demo data, seeded as `npm run db:seed` and the e2e run seed it (90
// days of usage up to now), must give the overview's suggestion panel
// something to show: at least six different rules with plausible savings,
// none contradicting another on the same item.

let viewer: Viewer;
let now: Date;
let suggestions: Suggestion[];

beforeAll(async () => {
  now = new Date();
  await seedDatabase({ url: process.env.DATABASE_URL!, reset: false, now });
  viewer = (await loadOrgOwnerViewer(db(), "demo"))!;
  const startedAt = performance.now();
  ({ suggestions } = await listSuggestions({ viewer, scope: { kind: "org" }, now }));
  const ms = Math.round(performance.now() - startedAt);
  const saving = (s: Suggestion) => `${formatUsd({ cents: s.monthlySaving.lowCents })}–${formatUsd({ cents: s.monthlySaving.highCents })}/mo`;
  console.log(`${suggestions.length} suggestions at org scope in ${ms} ms:\n` + suggestions.map((s) => `${s.ruleId.padEnd(32)} ${s.subject.kind} ${s.subject.name.padEnd(24)} ${saving(s)}  ${s.title}`).join("\n"));
}, 300_000);

describe("suggestions on the demo data", () => {
  it("fire for at least six different rules", () => {
    expect(new Set(suggestions.map((s) => s.ruleId)).size).toBeGreaterThanOrEqual(6);
  });

  it("never contradict each other on one item", () => {
    for (const a of suggestions) for (const b of suggestions) if (a !== b) expect(isConflict(a, b), `${a.id} vs ${b.id}`).toBe(false);
  });

  it("have savings ranges with high ≥ low", () => {
    for (const s of suggestions) expect(s.monthlySaving.highCents >= s.monthlySaving.lowCents, s.id).toBe(true);
  });

  it("tell the demo's stories: the idle sandbox, the SLO breachers, the exporter outage", () => {
    const rules = (name: string) => suggestions.filter((s) => s.subject.name === name).map((s) => s.ruleId);
    expect(rules("demo-sandbox")).toContain("idle-capacity");
    for (const name of ["edge-assistant", "query-rewrite"]) {
      expect(rules(name)).toContain("slo-scale-out");
      expect(rules(name)).not.toContain("idle-capacity");
    }
    expect(rules("rag-answer")).toEqual(["usage-data-gap"]);
  });

  it("give each team only its own items", async () => {
    const teams = await db().team.findMany({ where: { orgId: viewer.orgId }, select: { id: true } });
    const byId = new Set(suggestions.map((s) => s.id));
    for (const team of teams) {
      const mine = await listSuggestions({ viewer, scope: { kind: "team", teamId: team.id }, now });
      expect(mine.suggestions.every((s) => s.subject.teamId === team.id && byId.has(s.id))).toBe(true);
    }
  });
});
