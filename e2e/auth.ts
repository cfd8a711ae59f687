import path from "node:path";

/** The seeded demo users (lib/seed/demo-data.ts), one per role, by the key specs use. */
export const DEMO_USERS = {
  owner: { email: "owner@burnrate.dev", name: "Olive Owner" },
  admin: { email: "admin@burnrate.dev", name: "Ada Admin" },
  teamAdmin: { email: "team-admin@burnrate.dev", name: "Tara Teamadmin" },
  editor: { email: "editor@burnrate.dev", name: "Ed Editor" },
  viewer: { email: "viewer@burnrate.dev", name: "Vic Viewer" },
  otherViewer: { email: "applied-viewer@burnrate.dev", name: "Abe Applied" },
} as const;

export type DemoRole = keyof typeof DEMO_USERS;

/** Where auth.setup.ts saved a signed-in browser state for a demo user. */
export function storageStateFor(role: DemoRole): string {
  return path.join(import.meta.dirname, "..", "test-results", ".auth", `${role}.json`);
}

/**
 * A person of the demo org made for one spec (so rate limits and "sign out
 * everywhere" never touch the shared demo users): MEMBER with the given team
 * roles, password `password`. Returns the email.
 */
export async function createPerson(
  sql: import("pg").Pool,
  { email, name, password, teams = [] }: { email: string; name: string; password: string; teams?: { slug: string; role: "VIEWER" | "EDITOR" | "ADMIN" }[] },
): Promise<{ id: number; email: string }> {
  const { hashPassword } = await import("better-auth/crypto");
  const user = await sql.query<{ id: number }>(
    `insert into users ("orgId", email, name, role, "emailVerified") select id, $1, $2, 'MEMBER', true from orgs where slug = 'demo' returning id`,
    [email.toLowerCase(), name],
  );
  const id = user.rows[0]!.id;
  await sql.query(`insert into auth_accounts ("userId", "accountId", "providerId", password, "updatedAt") values ($1, $2, 'credential', $3, now())`, [id, String(id), await hashPassword(password)]);
  for (const team of teams) {
    await sql.query(`insert into team_memberships ("userId", "teamId", role) select $1, t.id, $3::"TeamRole" from teams t join orgs o on o.id = t."orgId" where o.slug = 'demo' and t.slug = $2`, [id, team.slug, team.role]);
  }
  return { id, email: email.toLowerCase() };
}

/** Signs in through the sign-in form of the page's context. */
export async function signInWithForm(page: import("@playwright/test").Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}
