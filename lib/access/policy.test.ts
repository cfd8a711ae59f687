import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/db/generated/client";
import {
  authorize,
  authorizeTeam,
  can,
  canAnyTeam,
  canTeam,
  seesAllTeams,
  teamIdsFor,
  teamScopeSql,
  teamWhere,
  type OrgAction,
  type TeamAction,
} from "./policy";
import { makeViewer, type OrgRole, type TeamRole } from "./viewer";

const TEAM_A = 11;
const TEAM_B = 22;
const person = (role: OrgRole, teams: [number, TeamRole][] = []) =>
  makeViewer({ userId: 1, orgId: 7, orgName: "Acme", orgTimeZone: "UTC", name: "P", role, teamRoles: teams });

const people = {
  owner: person("OWNER"),
  orgAdmin: person("ADMIN"),
  teamAdmin: person("MEMBER", [[TEAM_A, "ADMIN"]]),
  editor: person("MEMBER", [[TEAM_A, "EDITOR"]]),
  viewer: person("MEMBER", [[TEAM_A, "VIEWER"]]),
  otherTeamViewer: person("MEMBER", [[TEAM_B, "VIEWER"]]),
  noTeams: person("MEMBER"),
};

describe("the role → action map", () => {
  it("gives org actions by org role only", () => {
    const table = Object.fromEntries(
      Object.entries(people).map(([key, viewer]) => [key, (["org:read", "org:manage", "org:own"] as OrgAction[]).filter((a) => can(viewer, a))]),
    );
    expect(table).toEqual({
      owner: ["org:read", "org:manage", "org:own"],
      orgAdmin: ["org:read", "org:manage"],
      teamAdmin: ["org:read"],
      editor: ["org:read"],
      viewer: ["org:read"],
      otherTeamViewer: ["org:read"],
      noTeams: ["org:read"],
    });
  });

  it("gives team actions by team role, and every team action on every team to org owners and admins", () => {
    const actions: TeamAction[] = ["team:read", "team:write", "team:manage"];
    const onA = Object.fromEntries(Object.entries(people).map(([key, viewer]) => [key, actions.filter((a) => canTeam(viewer, a, TEAM_A))]));
    expect(onA).toEqual({
      owner: actions,
      orgAdmin: actions,
      teamAdmin: actions,
      editor: ["team:read", "team:write"],
      viewer: ["team:read"],
      otherTeamViewer: [],
      noTeams: [],
    });
    // A team role on A says nothing about B.
    expect(actions.some((a) => canTeam(people.teamAdmin, a, TEAM_B))).toBe(false);
    expect(canTeam(people.orgAdmin, "team:manage", 999)).toBe(true);
  });

  it("lists the teams a person may act on, or all", () => {
    expect(teamIdsFor(people.owner)).toBe("all");
    expect(teamIdsFor(people.editor)).toEqual([TEAM_A]);
    expect(teamIdsFor(people.editor, "team:write")).toEqual([TEAM_A]);
    expect(teamIdsFor(people.viewer, "team:write")).toEqual([]);
    expect(teamIdsFor(people.noTeams)).toEqual([]);
    expect(teamIdsFor(person("MEMBER", [[TEAM_B, "VIEWER"], [TEAM_A, "EDITOR"]]))).toEqual([TEAM_A, TEAM_B]);
    expect(canAnyTeam(people.viewer, "team:write")).toBe(false);
    expect(canAnyTeam(people.editor, "team:write")).toBe(true);
    expect(seesAllTeams(people.orgAdmin)).toBe(true);
    expect(seesAllTeams(people.teamAdmin)).toBe(false);
  });
});

describe("refusals", () => {
  it("is null when allowed, forbidden when the person sees the team, not-found when they don't", () => {
    expect(authorizeTeam(people.editor, "team:write", TEAM_A)).toBeNull();
    expect(authorizeTeam(people.viewer, "team:write", TEAM_A, "run")).toMatchObject({ ok: false, kind: "forbidden" });
    expect(authorizeTeam(people.otherTeamViewer, "team:write", TEAM_A, "run")).toEqual({ ok: false, kind: "not-found", message: "No such run." });
    expect(authorizeTeam(people.otherTeamViewer, "team:read", TEAM_A)).toMatchObject({ kind: "not-found" });
    expect(authorize(people.teamAdmin, "org:manage")).toMatchObject({ kind: "forbidden", message: expect.stringContaining("org admin") });
    expect(authorize(people.orgAdmin, "org:own")).toMatchObject({ kind: "forbidden" });
    expect(authorize(people.owner, "org:own")).toBeNull();
  });
});

describe("scope helpers", () => {
  it("scope Prisma reads to the org, and to the person's teams for members", () => {
    expect(teamWhere(people.orgAdmin)).toEqual({ orgId: 7 });
    expect(teamWhere(people.viewer)).toEqual({ orgId: 7, AND: [{ id: { in: [TEAM_A] } }] });
    expect(teamWhere(people.viewer, "team:write")).toEqual({ orgId: 7, AND: [{ id: { in: [] } }] });
    // A caller's own id narrows the scope; it can't replace it (`{ id: otherTeam, ...teamWhere(viewer) }`).
    expect({ id: 999, ...teamWhere(people.viewer) }).toEqual({ id: 999, orgId: 7, AND: [{ id: { in: [TEAM_A] } }] });
  });

  it("scope SQL the same way, always inside the org", () => {
    const all = teamScopeSql(people.orgAdmin, Prisma.sql`r."teamId"`);
    expect(all.text).toBe(`r."teamId" in (select id from teams where "orgId" = $1)`);
    expect(all.values).toEqual([7]);
    const some = teamScopeSql(people.editor, Prisma.sql`r."teamId"`);
    expect(some.text).toContain(`"orgId" = $1 and id = any($2::int[])`);
    expect(some.values).toEqual([7, [TEAM_A]]);
  });
});
