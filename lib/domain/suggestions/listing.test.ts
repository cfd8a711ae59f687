import { describe, expect, it } from "vitest";
import { listedSuggestions, MAX_LISTED_SUGGESTIONS } from "./listing";

const item = (i: number, kind: "run" | "deployment" | "team") => ({ id: `r:${i}`, subject: { kind, id: i, name: `n${i}`, teamId: 1 } });

describe("listedSuggestions", () => {
  it("lists every suggestion of a short list, in order", () => {
    const open = Array.from({ length: 12 }, (_, i) => item(i, i % 2 ? "run" : "deployment"));
    expect(listedSuggestions(open)).toEqual(open);
  });

  it("lists the first ones by rank and every team-wide one past them", () => {
    const open = Array.from({ length: 260 }, (_, i) => item(i, i === 120 || i === 259 ? "team" : "deployment"));
    const listed = listedSuggestions(open);
    expect(listed.length).toBe(MAX_LISTED_SUGGESTIONS + 2);
    expect(listed.slice(0, MAX_LISTED_SUGGESTIONS)).toEqual(open.slice(0, MAX_LISTED_SUGGESTIONS));
    expect(listed.slice(MAX_LISTED_SUGGESTIONS).map((s) => s.id)).toEqual(["r:120", "r:259"]);
  });
});
