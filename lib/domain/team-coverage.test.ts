import { describe, expect, it } from "vitest";
import { teamCoverageText } from "./team-coverage";

describe("teamCoverageText", () => {
  it("says nothing when every team is covered", () => {
    expect(teamCoverageText({ all: true, visible: 4, total: 4 })).toBeNull();
  });

  it("names how many of the org's teams the figures add up", () => {
    expect(teamCoverageText({ all: false, visible: 2, total: 4 })).toBe("Showing 2 of 4 teams — the ones you have access to.");
    expect(teamCoverageText({ all: false, visible: 0, total: 1 })).toBe("Showing 0 of 1 team — the ones you have access to.");
  });
});
