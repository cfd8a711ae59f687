import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { teamSchema } from "./entities/team";
import { slugFromName, startOfNextLocalDay } from "./settings-forms";

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

describe("startOfNextLocalDay", () => {
  it.each([
    ["late evening in Los Angeles is already tomorrow in UTC", "2026-11-20T23:30:00-08:00", "America/Los_Angeles", "2026-11-21T00:00"],
    ["same instant in UTC", "2026-11-21T07:30:00Z", "UTC", "2026-11-22T00:00"],
    ["end of month", "2026-01-31T12:00:00Z", "Europe/London", "2026-02-01T00:00"],
    ["end of a leap February", "2028-02-28T12:00:00Z", "Asia/Kolkata", "2028-02-29T00:00"],
    ["end of year", "2026-12-31T20:00:00Z", "UTC", "2027-01-01T00:00"],
  ])("%s", (_label, now, zone, expected) => expect(startOfNextLocalDay(new Date(now), zone)).toBe(expected));
});
