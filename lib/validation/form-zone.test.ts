import { describe, expect, it } from "vitest";
import { formZoneChoice, withZone } from "./form-zone";

describe("formZoneChoice", () => {
  it.each([
    [{}, "org"],
    [{ tz: "utc" }, "utc"],
    [{ tz: "team" }, "team"],
    [{ tz: ["utc", "team"] }, "utc"],
    [{ tz: "Europe/London" }, "org"],
    [{ tz: "" }, "org"],
  ] satisfies [Record<string, string | string[]>, string][])("%j → %s", (params, expected) => {
    expect(formZoneChoice(params)).toBe(expected);
  });
});

describe("withZone", () => {
  it("adds tz only when it is not the org's default, keeping the query and the fragment", () => {
    expect(withZone("/inference/3/usage/new", "org")).toBe("/inference/3/usage/new");
    expect(withZone("/inference/3/usage/new", "utc")).toBe("/inference/3/usage/new?tz=utc");
    expect(withZone("/training/new?from=4", "team")).toBe("/training/new?from=4&tz=team");
    expect(withZone("/inference/3?notice=saved#usage", "utc")).toBe("/inference/3?notice=saved&tz=utc#usage");
  });
});
