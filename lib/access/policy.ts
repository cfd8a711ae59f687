import { Prisma } from "@/lib/db/generated/client";
import type { ApiKeyScope, OrgRole, TeamRole, Viewer } from "./viewer";

/**
 * Who may do what — the one place that decides it.
 *
 * Org actions concern the organization as a whole; team actions concern one
 * team's data and are checked against the team of the record at hand, after
 * loading it. Every query, server action and route handler goes through the
 * functions below; nothing writes its own org or team clause.
 */
export type OrgAction =
  /** Read org-level settings (GPU catalog, prices, team list) and the org's dashboards, limited to visible teams. */
  | "org:read"
  /** Manage teams, the GPU catalog, prices, month closing, the alert webhook, people and invitations. */
  | "org:manage"
  /** Make or remove owners; transfer ownership. */
  | "org:own";

export type TeamAction =
  /** Read the team's runs, deployments, usage, costs, suggestions and budget. */
  | "team:read"
  /** Create, edit, delete and restore the team's records; import them; act on its suggestions. */
  | "team:write"
  /** Manage the team's members, budget and (later) API keys. */
  | "team:manage";

export type AccessAction = OrgAction | TeamAction;

export const TEAM_ROLE_ACTIONS: Readonly<Record<TeamRole, readonly TeamAction[]>> = {
  VIEWER: ["team:read"],
  EDITOR: ["team:read", "team:write"],
  ADMIN: ["team:read", "team:write", "team:manage"],
};

/** What each org role may do, and the team role it holds implicitly on every team (null: only its memberships). */
export const ORG_ROLE_GRANTS: Readonly<Record<OrgRole, { org: readonly OrgAction[]; everyTeam: TeamRole | null }>> = {
  OWNER: { org: ["org:read", "org:manage", "org:own"], everyTeam: "ADMIN" },
  ADMIN: { org: ["org:read", "org:manage"], everyTeam: "ADMIN" },
  MEMBER: { org: ["org:read"], everyTeam: null },
};

export const ORG_ROLES: readonly OrgRole[] = ["OWNER", "ADMIN", "MEMBER"];
export const TEAM_ROLES: readonly TeamRole[] = ["VIEWER", "EDITOR", "ADMIN"];

export const ORG_ROLE_LABELS: Readonly<Record<OrgRole, string>> = { OWNER: "Owner", ADMIN: "Admin", MEMBER: "Member" };
export const TEAM_ROLE_LABELS: Readonly<Record<TeamRole, string>> = { VIEWER: "Viewer", EDITOR: "Editor", ADMIN: "Team admin" };

type ViewerAccess = Pick<Viewer, "role" | "teamRoles">;

/** The viewer's role on a team (implicit for org owners and admins), or null when they have none. */
export function teamRoleOf(viewer: ViewerAccess, teamId: number): TeamRole | null {
  return ORG_ROLE_GRANTS[viewer.role].everyTeam ?? viewer.teamRoles.get(teamId) ?? null;
}

/** May the viewer take an org action? */
export function can(viewer: ViewerAccess, action: OrgAction): boolean {
  return ORG_ROLE_GRANTS[viewer.role].org.includes(action);
}

/** May the viewer take a team action on this team? (teamId must belong to the viewer's org; scoped loads guarantee it.) */
export function canTeam(viewer: ViewerAccess, action: TeamAction, teamId: number): boolean {
  const role = teamRoleOf(viewer, teamId);
  return role !== null && TEAM_ROLE_ACTIONS[role].includes(action);
}

/** May the viewer take a team action on at least one team (shows "New run", "Import")? */
export function canAnyTeam(viewer: ViewerAccess, action: TeamAction): boolean {
  if (ORG_ROLE_GRANTS[viewer.role].everyTeam) return TEAM_ROLE_ACTIONS[ORG_ROLE_GRANTS[viewer.role].everyTeam!].includes(action);
  for (const role of viewer.teamRoles.values()) if (TEAM_ROLE_ACTIONS[role].includes(action)) return true;
  return false;
}

/** Does the viewer see every team of the org (org owner or admin)? */
export function seesAllTeams(viewer: ViewerAccess): boolean {
  return ORG_ROLE_GRANTS[viewer.role].everyTeam !== null;
}

/** The ids of the teams the viewer may take `action` on, or "all" for every team of the org. */
export function teamIdsFor(viewer: ViewerAccess, action: TeamAction = "team:read"): number[] | "all" {
  const every = ORG_ROLE_GRANTS[viewer.role].everyTeam;
  if (every && TEAM_ROLE_ACTIONS[every].includes(action)) return "all";
  return [...viewer.teamRoles].filter(([, role]) => TEAM_ROLE_ACTIONS[role].includes(action)).map(([id]) => id).sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------
// Refusals: a typed result, never a thrown string.

/**
 * A refused request. "forbidden" when the person may see the thing but not do
 * this (403); "not-found" when even its existence is none of their business
 * (another team's record, another org's id: 404, indistinguishable from a
 * missing id).
 */
export interface Denied {
  ok: false;
  kind: "forbidden" | "not-found";
  message: string;
}

export function forbidden(message: string): Denied {
  return { ok: false, kind: "forbidden", message };
}

export function notFound(message = "Not found."): Denied {
  return { ok: false, kind: "not-found", message };
}

export function isDenied(value: unknown): value is Denied {
  return typeof value === "object" && value !== null && (value as Denied).ok === false && ((value as Denied).kind === "forbidden" || (value as Denied).kind === "not-found");
}

const ACTION_WORDS: Readonly<Record<AccessAction, string>> = {
  "org:read": "read this organization's data",
  "org:manage": "manage the organization (an org admin can)",
  "org:own": "change owners (an org owner can)",
  "team:read": "read this team's data",
  "team:write": "change this team's records (a team editor or admin can)",
  "team:manage": "manage this team (a team admin can)",
};

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ["RUNS_WRITE", "USAGE_WRITE", "REPORTS_READ"];

/** How scopes are written in the API, its documentation and the key form. */
export const API_KEY_SCOPE_NAMES: Readonly<Record<ApiKeyScope, string>> = {
  RUNS_WRITE: "runs:write",
  USAGE_WRITE: "usage:write",
  REPORTS_READ: "reports:read",
};

export const API_KEY_SCOPE_LABELS: Readonly<Record<ApiKeyScope, string>> = {
  RUNS_WRITE: "Write training runs",
  USAGE_WRITE: "Write usage windows",
  REPORTS_READ: "Read rollups, reports and suggestions",
};

/**
 * An API key may only do what its scopes say (a person's session has no
 * scopes: its roles decide, as everywhere else). Checked by the API's route
 * wrapper and again inside the write path, so no caller can skip it.
 */
export function authorizeScope(viewer: Pick<Viewer, "credential">, scope: ApiKeyScope): Denied | null {
  const credential = viewer.credential;
  if (!credential || credential.scopes.includes(scope)) return null;
  return forbidden(`This API key (${credential.prefix}) lacks the ${API_KEY_SCOPE_NAMES[scope]} scope; a team admin can create a key that has it.`);
}

/** Null when allowed; else a Denied that says what it would take. */
export function authorize(viewer: ViewerAccess, action: OrgAction): Denied | null {
  return can(viewer, action) ? null : forbidden(`You may not ${ACTION_WORDS[action]}.`);
}

/**
 * Null when allowed. Else not-found when the viewer can't even read the team
 * (its records don't exist for them), forbidden when they can read but not do this.
 */
export function authorizeTeam(viewer: ViewerAccess, action: TeamAction, teamId: number, noun = "record"): Denied | null {
  if (canTeam(viewer, action, teamId)) return null;
  if (!canTeam(viewer, "team:read", teamId)) return notFound(`No such ${noun}.`);
  return forbidden(`You may not ${ACTION_WORDS[action]}.`);
}

export class DeniedError extends Error {
  readonly denied: Denied;
  constructor(denied: Denied) {
    super(denied.message);
    this.name = "DeniedError";
    this.denied = denied;
  }
}

/** Throws DeniedError when refused (inside transactions, where a throw rolls back). */
export function assertAllowed(denied: Denied | null): void {
  if (denied) throw new DeniedError(denied);
}

// ---------------------------------------------------------------------------
// Scope helpers: the only org/team clauses in the codebase.

/** Prisma where for org-owned rows (GPU types, month closures, suggestion states, audit …). */
export function orgWhere(viewer: Pick<Viewer, "orgId">): { orgId: number } {
  return { orgId: viewer.orgId };
}

/** Prisma where for teams the viewer may take `action` on (read by default). */
export function teamWhere(viewer: Viewer, action: TeamAction = "team:read"): Prisma.TeamWhereInput {
  const ids = teamIdsFor(viewer, action);
  // Under AND, so a caller's own `id` (`{ id, ...teamWhere(viewer) }`) narrows the scope instead of replacing it.
  return ids === "all" ? { orgId: viewer.orgId } : { orgId: viewer.orgId, AND: [{ id: { in: ids } }] };
}

/** Prisma where for rows with a teamId (runs, deployments): the teams the viewer may take `action` on. */
export function teamRecordWhere(viewer: Viewer, action: TeamAction = "team:read"): { team: Prisma.TeamWhereInput } {
  return { team: teamWhere(viewer, action) };
}

/**
 * Prisma where for the deployment whose usage windows the viewer would read
 * or write: windows have no relation to filter through (no foreign key, see
 * schema.prisma), so a caller finds the deployment with this first and then
 * reads the window by its key.
 */
export function usageDeploymentWhere(viewer: Viewer, deploymentId: number, action: TeamAction = "team:read"): Prisma.InferenceDeploymentWhereInput {
  return { id: deploymentId, ...teamRecordWhere(viewer, action) };
}

/**
 * Prisma where for org-owned rows that carry a plain teamId column without a
 * relation (suggestion states, budget alerts): the org's rows of the teams
 * the viewer may take `action` on.
 */
export function orgTeamRowWhere(viewer: Viewer, action: TeamAction = "team:read"): { orgId: number; AND?: { teamId: { in: number[] } }[] } {
  const ids = teamIdsFor(viewer, action);
  // Under AND, so a caller's own `teamId` narrows the scope instead of replacing it.
  return ids === "all" ? { orgId: viewer.orgId } : { orgId: viewer.orgId, AND: [{ teamId: { in: ids } }] };
}

/** SQL: `<column> in (visible team ids)` for a team id column such as `r."teamId"`. */
export function teamScopeSql(viewer: Viewer, teamIdColumn: Prisma.Sql, action: TeamAction = "team:read"): Prisma.Sql {
  const ids = teamIdsFor(viewer, action);
  if (ids === "all") return Prisma.sql`${teamIdColumn} in (select id from teams where "orgId" = ${viewer.orgId})`;
  // Ids come from the viewer's memberships, which only name teams of their org; the org check stays as defence in depth.
  return Prisma.sql`${teamIdColumn} in (select id from teams where "orgId" = ${viewer.orgId} and id = any(${ids}::int[]))`;
}

/**
 * SQL for snapshot rows of an org row already scoped (month close lines of
 * one of the org's closures): `and <column> = any(visible team ids)`, or
 * nothing when the viewer sees every team — a snapshot keeps lines of teams
 * deleted since, and those stay in the org's totals.
 */
export function snapshotTeamScopeSql(viewer: ViewerAccess, teamIdColumn: Prisma.Sql, action: TeamAction = "team:read"): Prisma.Sql {
  const ids = teamIdsFor(viewer, action);
  return ids === "all" ? Prisma.empty : Prisma.sql`and ${teamIdColumn} = any(${ids}::int[])`;
}

/** SQL: `<column> = org id` for org-owned rows. */
export function orgScopeSql(viewer: Pick<Viewer, "orgId">, orgIdColumn: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${orgIdColumn} = ${viewer.orgId}`;
}

/**
 * For org-wide views and exports: "all" when the viewer sees every team,
 * else how many of the org's teams they see (the view says so).
 */
export interface TeamCoverage {
  all: boolean;
  visible: number;
  total: number;
}
