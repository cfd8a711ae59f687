import type { PrismaClient } from "@/lib/db/create-client";
import type { ApiKeyScope, OrgRole, TeamRole } from "@/lib/db/generated/enums";

export type { ApiKeyScope, OrgRole, TeamRole };

/**
 * How the viewer proved who they are, where it matters: an API key acts for
 * its one team, with its scopes only (lib/access/policy.ts `authorizeScope`),
 * and its writes are audited with the key. Absent: a person's session, or a
 * script acting for a person.
 */
export interface ApiKeyCredential {
  kind: "apiKey";
  keyId: number;
  /** The token's visible first part, e.g. "brk_3f9a1c2e". */
  prefix: string;
  teamId: number;
  scopes: readonly ApiKeyScope[];
}

/**
 * Who is asking: a signed-in person, their org, their org role and their
 * team roles. Every query and mutation takes a Viewer and scopes itself with
 * lib/access/policy.ts (never with a hand-written org clause).
 */
export interface Viewer {
  userId: number;
  orgId: number;
  orgName: string;
  orgTimeZone: string;
  /** Org role: OWNER and ADMIN act as team admin on every team; MEMBER only on `teamRoles`. */
  role: OrgRole;
  /** Explicit team roles (teamId → role); org owners and admins need none. */
  teamRoles: ReadonlyMap<number, TeamRole>;
  name: string;
  email: string;
  /** Set when the request was authenticated by an API key. */
  credential?: ApiKeyCredential;
  /** The client's address (lib/auth/client-ip.ts), for the audit log of API writes. */
  clientIp?: string;
}

export class NoOrganizationError extends Error {
  constructor() {
    super("No organization exists yet — open Burnrate in a browser to set one up.");
    this.name = "NoOrganizationError";
  }
}

/** A viewer built by hand (tests, scripts, system jobs): `teamRoles` defaults to none. */
export function makeViewer(fields: Omit<Viewer, "teamRoles" | "email"> & { teamRoles?: Iterable<[number, TeamRole]>; email?: string }): Viewer {
  return { ...fields, email: fields.email ?? "", teamRoles: new Map(fields.teamRoles ?? []) };
}

/**
 * The viewer for a signed-in user id, or null when the user no longer exists.
 * One statement (user, org and team roles): every page and action starts here.
 */
export async function loadViewerForUser(client: PrismaClient, userId: number): Promise<Viewer | null> {
  const [user] = await client.$queryRaw<
    { id: number; orgId: number; orgName: string; orgTimeZone: string; role: OrgRole; name: string; email: string; memberships: [number, TeamRole][] }[]
  >`select u.id, u."orgId", o.name as "orgName", o."timeZone" as "orgTimeZone", u.role::text as role, u.name, u.email,
           coalesce((select json_agg(json_build_array(m."teamId", m.role::text) order by m."teamId") from team_memberships m where m."userId" = u.id), '[]'::json) as memberships
      from users u join orgs o on o.id = u."orgId"
     where u.id = ${userId}`;
  if (!user) return null;
  return {
    userId: user.id,
    orgId: user.orgId,
    orgName: user.orgName,
    orgTimeZone: user.orgTimeZone,
    role: user.role,
    teamRoles: new Map(user.memberships),
    name: user.name,
    email: user.email,
  };
}

/** The viewer for a user picked by email (scripts and benches, which don't sign in). */
export async function loadViewerByEmail(client: PrismaClient, email: string): Promise<Viewer | null> {
  const user = await client.user.findUnique({ where: { email: email.toLowerCase() }, select: { id: true } });
  return user ? loadViewerForUser(client, user.id) : null;
}

/** An org's owner (or first admin) as a viewer: for scripts and benches that act for the whole org. */
export async function loadOrgOwnerViewer(client: PrismaClient, orgSlug: string): Promise<Viewer | null> {
  const user = await client.user.findFirst({
    where: { org: { slug: orgSlug }, role: { in: ["OWNER", "ADMIN"] } },
    orderBy: [{ role: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return user ? loadViewerForUser(client, user.id) : null;
}
