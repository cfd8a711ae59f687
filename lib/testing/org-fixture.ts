import pg from "pg";
import { makeViewer, type TeamRole, type Viewer } from "@/lib/access/viewer";

/**
 * A small org for integration tests of record keeping: two teams (A =
 * `teamId` "research", B = `otherTeamId` "applied"), one GPU type with an aws
 * on-demand price, a second org whose records must stay invisible, and one
 * person per role, each a real user row (audit entries name them) with real
 * team memberships, as viewers built with makeViewer:
 *
 * - `viewer` (= `adminViewer`): org ADMIN — every team, org:manage.
 * - `ownerViewer`: org OWNER.
 * - `memberViewer` (= `editorViewer`): MEMBER, EDITOR of team A (writes A's records, not B's).
 * - `readOnlyViewer`: MEMBER, VIEWER of team A (reads A, writes nothing).
 * - `teamAdminViewer`: MEMBER, ADMIN of team A (writes A, manages its budget).
 * - `otherTeamViewer`: MEMBER, VIEWER of team B (team A doesn't exist for them).
 */
export async function createOrgFixture(url = process.env.DATABASE_URL!) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const one = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0] as T;
    const org = await one<{ id: number }>(`insert into orgs (slug, name, "timeZone") values ('acme', 'Acme', 'Europe/London') returning id`);
    const user = (email: string, name: string, role: "OWNER" | "ADMIN" | "MEMBER") =>
      one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, $2, $3, $4) returning id`, [org.id, email, name, role]);
    const admin = await user("ada@acme.test", "Ada Admin", "ADMIN");
    const owner = await user("olga@acme.test", "Olga Owner", "OWNER");
    const member = await user("max@acme.test", "Max Member", "MEMBER");
    const reader = await user("val@acme.test", "Val Viewer", "MEMBER");
    const teamAdmin = await user("tess@acme.test", "Tess Team-admin", "MEMBER");
    const outsider = await user("otto@acme.test", "Otto Other-team", "MEMBER");
    const team = await one<{ id: number }>(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, 'research', 'Research', 1000, 'Europe/London', now()) returning id`,
      [org.id],
    );
    const otherTeam = await one<{ id: number }>(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, 'applied', 'Applied', 500, 'America/New_York', now()) returning id`,
      [org.id],
    );
    const gpu = await one<{ id: number }>(
      `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100 80GB', 80, 989.5, 3350) returning id`,
      [org.id],
    );
    await client.query(
      `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 2.5, '2025-01-01T00:00:00Z')`,
      [gpu.id],
    );
    const foreignOrg = await one<{ id: number }>(`insert into orgs (slug, name) values ('rival', 'Rival') returning id`);
    const foreignTeam = await one<{ id: number }>(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "updatedAt") values ($1, 'rival-team', 'Rival team', 1, now()) returning id`,
      [foreignOrg.id],
    );
    const foreignGpu = await one<{ id: number }>(
      `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100 80GB', 80, 989.5, 3350) returning id`,
      [foreignOrg.id],
    );
    const memberships: [number, number, TeamRole][] = [
      [member.id, team.id, "EDITOR"],
      [reader.id, team.id, "VIEWER"],
      [teamAdmin.id, team.id, "ADMIN"],
      [outsider.id, otherTeam.id, "VIEWER"],
    ];
    for (const [userId, teamId, role] of memberships) {
      await client.query(`insert into team_memberships ("userId", "teamId", role) values ($1, $2, $3)`, [userId, teamId, role]);
    }
    const base = { orgId: org.id, orgName: "Acme", orgTimeZone: "Europe/London" };
    const person = (id: number, name: string, email: string, role: "OWNER" | "ADMIN" | "MEMBER") =>
      makeViewer({ ...base, userId: id, role, name, email, teamRoles: memberships.filter(([userId]) => userId === id).map(([, teamId, teamRole]) => [teamId, teamRole]) });
    const viewer: Viewer = person(admin.id, "Ada Admin", "ada@acme.test", "ADMIN");
    const ownerViewer = person(owner.id, "Olga Owner", "olga@acme.test", "OWNER");
    const memberViewer = person(member.id, "Max Member", "max@acme.test", "MEMBER");
    const readOnlyViewer = person(reader.id, "Val Viewer", "val@acme.test", "MEMBER");
    const teamAdminViewer = person(teamAdmin.id, "Tess Team-admin", "tess@acme.test", "MEMBER");
    const otherTeamViewer = person(outsider.id, "Otto Other-team", "otto@acme.test", "MEMBER");
    return {
      orgId: org.id,
      viewer,
      adminViewer: viewer,
      ownerViewer,
      memberViewer,
      editorViewer: memberViewer,
      readOnlyViewer,
      teamAdminViewer,
      otherTeamViewer,
      teamId: team.id,
      otherTeamId: otherTeam.id,
      gpuTypeId: gpu.id,
      foreignTeamId: foreignTeam.id,
      foreignGpuTypeId: foreignGpu.id,
    };
  } finally {
    await client.end();
  }
}

export type OrgFixture = Awaited<ReturnType<typeof createOrgFixture>>;

/** Row counts of the tables a record write touches, to prove a rejected write left nothing behind. */
export async function tableCounts(url = process.env.DATABASE_URL!): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = [
      "teams", "gpu_types", "gpu_prices", "training_runs", "inference_deployments", "inference_usage_windows",
      "usage_rollup_quarter", "usage_rollup_team_hour", "usage_rollup_day", "audit_entries", "deleted_records", "idempotency_keys", "import_batches",
    ];
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = Number((await client.query(`select count(*)::int as n from ${table}`)).rows[0].n);
    return counts;
  } finally {
    await client.end();
  }
}
