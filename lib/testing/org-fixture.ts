import pg from "pg";
import type { Viewer } from "@/lib/access/viewer";

/**
 * A small org for integration tests of record keeping: an admin and a viewer
 * user, two teams, one GPU type with an aws on-demand price, and a second org
 * whose records must stay invisible. Returns ids and viewers.
 */
export async function createOrgFixture(url = process.env.DATABASE_URL!) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const one = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0] as T;
    const org = await one<{ id: number }>(`insert into orgs (slug, name, "timeZone") values ('acme', 'Acme', 'Europe/London') returning id`);
    const admin = await one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, 'ada@acme.test', 'Ada Admin', 'ADMIN') returning id`, [org.id]);
    const member = await one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, 'max@acme.test', 'Max Member', 'MEMBER') returning id`, [org.id]);
    const reader = await one<{ id: number }>(`insert into users ("orgId", email, name, role) values ($1, 'val@acme.test', 'Val Viewer', 'VIEWER') returning id`, [org.id]);
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
    const base = { orgId: org.id, orgName: "Acme", orgTimeZone: "Europe/London" };
    const viewer: Viewer = { ...base, userId: admin.id, role: "ADMIN", name: "Ada Admin" };
    const memberViewer: Viewer = { ...base, userId: member.id, role: "MEMBER", name: "Max Member" };
    const readOnlyViewer: Viewer = { ...base, userId: reader.id, role: "VIEWER", name: "Val Viewer" };
    return { orgId: org.id, viewer, memberViewer, readOnlyViewer, teamId: team.id, otherTeamId: otherTeam.id, gpuTypeId: gpu.id, foreignTeamId: foreignTeam.id, foreignGpuTypeId: foreignGpu.id };
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
