import type { PrismaClient } from "@/lib/db/create-client";
import type { Role } from "@/lib/db/generated/enums";

/**
 * Who is asking. Every query and mutation takes a Viewer and scopes itself to
 * the viewer's org; actions check `can` before writing. Until sign-in exists
 * the viewer is the configured org's first admin (BURNRATE_ORG, default "demo").
 */
export interface Viewer {
  userId: number;
  orgId: number;
  orgName: string;
  orgTimeZone: string;
  role: Role;
  name: string;
}

export class NoOrganizationError extends Error {
  constructor(slug: string) {
    super(`No organization "${slug}" with an admin exists yet — run \`npm run db:seed\` or create one.`);
    this.name = "NoOrganizationError";
  }
}

export type Action = "read" | "write" | "admin";

const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  ADMIN: ["read", "write", "admin"],
  MEMBER: ["read", "write"],
  VIEWER: ["read"],
};

export function can(viewer: Pick<Viewer, "role">, action: Action): boolean {
  return ROLE_ACTIONS[viewer.role].includes(action);
}

export class ForbiddenError extends Error {
  constructor(action: Action) {
    super(`You may not ${action} here.`);
    this.name = "ForbiddenError";
  }
}

export function assertCan(viewer: Pick<Viewer, "role">, action: Action): void {
  if (!can(viewer, action)) throw new ForbiddenError(action);
}

/** The org's first admin stands in for the signed-in user until sign-in exists. */
export async function loadViewer({ client, orgSlug }: { client: PrismaClient; orgSlug: string }): Promise<Viewer> {
  const user = await client.user.findFirst({
    where: { org: { slug: orgSlug }, role: "ADMIN" },
    orderBy: { id: "asc" },
    include: { org: true },
  });
  if (!user) throw new NoOrganizationError(orgSlug);
  return {
    userId: user.id,
    orgId: user.orgId,
    orgName: user.org.name,
    orgTimeZone: user.org.timeZone,
    role: user.role,
    name: user.name,
  };
}
