import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { teamSchema } from "./entities/team";
import { slugFromName } from "./settings-forms";

describe("slugFromName", () => {
  it.each([
    ["Applied ML & Eval", "applied-ml-eval"],
    ["  Search / Ranking  ", "search-ranking"],
    ["Équipe Données", "equipe-donnees"],
    ["ML--Ops", "ml-ops"],
    ["R2D2", "r2d2"],
    ["!!!", ""],
    ["😀 Team", "team"],
  ])("%s → %s", (name, slug) => expect(slugFromName(name)).toBe(slug));

  it("cuts long names to 64 characters without a trailing hyphen", () => {
    expect(slugFromName(`${"a".repeat(63)} b`)).toBe("a".repeat(63));
  });

  it("always gives a slug the team schema accepts, when it gives one of 2+ characters", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (name) => {
        const slug = slugFromName(name);
        if (slug.length < 2) return;
        const parsed = teamSchema.safeParse({ slug, name: "x", monthlyBudgetUsd: "1", timeZone: "UTC" });
        expect(parsed.success).toBe(true);
      }),
    );
  });
});
