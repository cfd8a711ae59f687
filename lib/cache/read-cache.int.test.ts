import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { createTrainingRun, deleteTrainingRun } from "@/lib/db/mutations/training-runs";
import { updateTeam } from "@/lib/db/mutations/teams";
import { dashboardData } from "@/lib/db/queries/dashboards";
import { monthRange } from "@/lib/reports/month";
import { teamSchema } from "@/lib/validation/entities/team";
import { trainingRunSchema } from "@/lib/validation/entities/training-run";
import { lineItemsCsv } from "@/lib/db/queries/report-export";
import { closeStreamPool } from "@/lib/db/stream";
import { accessKey, cachedDocument, clearReadCache, invalidateOrgData, readCacheStats, USAGE_WRITE } from "./read-cache";
import { monthReport, type MonthReport } from "@/lib/db/queries/reports";
import { cachedDashboardData, cachedFilterOptions, cachedMonthLines, cachedMonthReport, cachedTeamCoverage } from "./read-models";

// The read cache (lib/cache/read-cache.ts) against a real database: a write
// through the mutation path is seen by the very next read, and people with
// different team scopes never share an entry.

const timeZone = "Europe/London";
const october = monthRange({ month: "2026-10", timeZone });
// A fixed instant long after October: the run's figures don't move with the clock.
const now = new Date("2026-11-20T12:00:30Z");

let client: pg.Client;
let admin: Viewer;
let adminTwin: Viewer;
let member: Viewer;
const ids = { org: 0, a: 0, b: 0, gpu: 0, run: 0 };

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const one = async (text: string, values: unknown[] = []) => ((await client.query(text, values)).rows[0] as { id: number }).id;
  ids.org = await one(`insert into orgs (slug, name, "timeZone") values ('cache', 'Cache Co', $1) returning id`, [timeZone]);
  const adminId = await one(`insert into users ("orgId", email, name, role) values ($1, 'ada@cache.test', 'Ada Admin', 'ADMIN') returning id`, [ids.org]);
  const twinId = await one(`insert into users ("orgId", email, name, role) values ($1, 'abe@cache.test', 'Abe Admin', 'ADMIN') returning id`, [ids.org]);
  const memberId = await one(`insert into users ("orgId", email, name, role) values ($1, 'mia@cache.test', 'Mia Member', 'MEMBER') returning id`, [ids.org]);
  const newTeam = (slug: string) =>
    one(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $3, 1000, $4, now()) returning id`, [ids.org, slug, slug.toUpperCase(), timeZone]);
  ids.a = await newTeam("alpha");
  ids.b = await newTeam("beta");
  await client.query(`insert into team_memberships ("userId", "teamId", role) values ($1, $2, 'EDITOR')`, [memberId, ids.a]);
  ids.gpu = await one(`insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100 80GB', 80, 989.5, 3350) returning id`, [ids.org]);
  await client.query(`insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 2.5, '2025-01-01')`, [ids.gpu]);
  ids.run = await one(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
     values ($1, 'beta-run', 'mistral', 'PRETRAIN', 'BF16', $2, 'aws', 'ON_DEMAND', 8, '2026-10-10T00:00:00Z', '2026-10-12T07:07:00Z', 'SUCCEEDED', now()) returning id`,
    [ids.b, ids.gpu],
  );
  const base = { orgId: ids.org, orgName: "Cache Co", orgTimeZone: timeZone };
  admin = makeViewer({ ...base, userId: adminId, role: "ADMIN", name: "Ada Admin" });
  adminTwin = makeViewer({ ...base, userId: twinId, role: "ADMIN", name: "Abe Admin" });
  member = makeViewer({ ...base, userId: memberId, role: "MEMBER", name: "Mia Member", teamRoles: [[ids.a, "EDITOR"]] });
});

afterAll(async () => {
  await client.end();
  await closeStreamPool();
});

beforeEach(() => clearReadCache());

const cached = (viewer: Viewer) => cachedDashboardData({ viewer, scope: {}, range: october, unit: "day", timeZone, now });
const live = (viewer: Viewer) => dashboardData({ viewer, scope: {}, range: october, unit: "day", timeZone, now: new Date("2026-11-20T12:00:00Z") });

/** A finished October run of team A, as the run form would post it. */
function runValues(name: string) {
  return trainingRunSchema({ now: new Date() }).parse({
    teamId: String(ids.a),
    name,
    model: "llama-alpha",
    method: "PRETRAIN",
    precision: "BF16",
    gpuTypeId: String(ids.gpu),
    provider: "aws",
    pricingModel: "ON_DEMAND",
    gpuCount: "4",
    startedAt: "2026-10-05T03:17:00Z",
    endedAt: "2026-10-06T11:41:00Z",
    status: "SUCCEEDED",
    storageCostUsd: "3.333333",
  });
}

/** A deployment of team A in plain SQL (no invalidation call): serving from 2026-10-01, until `activeTo` when given. */
async function insertDeployment(name: string, activeTo: string | null = null): Promise<number> {
  const { rows: [row] } = await client.query<{ id: number }>(
    `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "activeTo", "updatedAt")
     values ($1, $2, 'llama-alpha', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 1, '2026-10-01', $4, now()) returning id`,
    [ids.a, name, ids.gpu, activeTo],
  );
  return row!.id;
}

/** One 15-minute usage rollup row (10 requests, 110 tokens) in plain SQL: what any usage write changes. */
async function insertQuarter(deploymentId: number, bucketStart: Date | string): Promise<void> {
  await client.query(
    `insert into usage_rollup_quarter ("deploymentId", "bucketStart", "windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts")
     values ($1, $2, 1, 900000, 0, 0, 0, 10, 0, 100, 0, 10, 0, '{}', '{}')`,
    [deploymentId, bucketStart],
  );
}

async function deleteDeployment(id: number): Promise<void> {
  await client.query(`delete from usage_rollup_quarter where "deploymentId" = $1`, [id]);
  await client.query(`delete from inference_deployments where id = $1`, [id]);
}

describe("read cache", () => {
  it("serves a repeated read from the cache, with the figures of a direct read", async () => {
    const first = await cached(admin);
    const second = await cached(admin);
    expect(second).toBe(first);
    // Two entries: the dashboard's costs and its traffic.
    expect(readCacheStats()).toMatchObject({ hits: 2, misses: 2 });
    // The cached read runs as of the minute (now floored): equal to a direct read at that instant.
    expect(first.kpis).toEqual((await live(admin)).kpis);
    expect(first.kpis.totalCents).toBeGreaterThan(0n);
  });

  it("a write through the mutation path is in the next read (no stale figure), and so is its delete", async () => {
    const before = await cached(admin);
    expect(await cached(admin)).toBe(before);

    const created = await createTrainingRun({ viewer: member, values: runValues("alpha-run"), idempotencyKey: null });
    if (!created.ok) throw new Error(`create failed: ${JSON.stringify(created)}`);
    const after = await cached(admin);
    expect(after).not.toBe(before);
    expect(after.kpis.totalCents).toBeGreaterThan(before.kpis.totalCents);
    expect(after.kpis).toEqual((await live(admin)).kpis);
    expect(after.top.runs.map((r) => r.label)).toContain("alpha-run");

    const deleted = await deleteTrainingRun({ viewer: member, id: created.value.id });
    expect(deleted.ok).toBe(true);
    const restored = await cached(admin);
    expect(restored.kpis.totalCents).toBe(before.kpis.totalCents);
    expect(restored.top.runs.map((r) => r.label)).not.toContain("alpha-run");
  });

  it("an org-level write (a team's budget) is in the next read too", async () => {
    const before = await cached(admin);
    const budgetOf = (data: typeof before) => data.budgets.teams.find((t) => t.teamId === ids.b)!.budgetCents;
    expect(budgetOf(before)).toBe(100_000n);
    const team = await client.query<{ version: number }>(`select version from teams where id = $1`, [ids.b]);
    const updated = await updateTeam({
      viewer: admin,
      id: ids.b,
      expectedVersion: team.rows[0]!.version,
      values: teamSchema.parse({ name: "BETA", slug: "beta", timeZone, monthlyBudgetUsd: "2500.00" }),
    });
    expect(updated).toMatchObject({ ok: true });
    expect(budgetOf(await cached(admin))).toBe(250_000n);
  });

  it("a failed write (refused, rolled back) leaves the figures as they were", async () => {
    const before = await cached(admin);
    // The member edits team A only: a run of team B is refused inside the transaction.
    const refused = await createTrainingRun({ viewer: member, values: { ...runValues("sneaky"), teamId: ids.b }, idempotencyKey: null });
    expect(refused.ok).toBe(false);
    const after = await cached(admin);
    expect(after.kpis).toEqual(before.kpis);
  });

  it("people with different team scopes never share an entry; people with the same access do", async () => {
    expect(accessKey(admin)).toBe(accessKey(adminTwin));
    expect(accessKey(admin)).not.toBe(accessKey(member));

    const asAdmin = await cached(admin);
    const asMember = await cached(member);
    expect(asMember).not.toBe(asAdmin);
    // The member sees team A only: team B's run is in the admin's figures, not in theirs.
    expect(asAdmin.kpis.totalCents).toBeGreaterThan(0n);
    expect(asMember.kpis.totalCents).toBe(0n);
    expect(asMember.budgets.teams.map((t) => t.teamId)).toEqual([ids.a]);
    expect(asAdmin.budgets.teams.map((t) => t.teamId).sort()).toEqual([ids.a, ids.b].sort());
    // The member's entry is the member scope's, whoever asks first.
    expect(await cached(member)).toBe(asMember);
    expect(await cached(adminTwin)).toBe(asAdmin);

    const adminOptions = await cachedFilterOptions({ viewer: admin });
    const memberOptions = await cachedFilterOptions({ viewer: member });
    expect(adminOptions.teams.map((t) => t.slug)).toEqual(["alpha", "beta"]);
    expect(memberOptions.teams.map((t) => t.slug)).toEqual(["alpha"]);
    expect(await cachedTeamCoverage(member)).toEqual({ all: false, visible: 1, total: 2 });
    expect(await cachedTeamCoverage(admin)).toEqual({ all: true, visible: 2, total: 2 });
  });

  it("a change of someone's team roles is a different scope at once", async () => {
    const narrow = await cached(member);
    const widened = makeViewer({ ...member, teamRoles: [[ids.a, "EDITOR"], [ids.b, "VIEWER"]] });
    const wide = await cached(widened);
    expect(wide).not.toBe(narrow);
    expect(wide.kpis.totalCents).toBe((await cached(admin)).kpis.totalCents);
  });

  it("the cached computation sees the viewer's access only, never who they are", async () => {
    let seen: Viewer | null = null;
    const { cachedReadModel } = await import("./read-cache");
    const probe = cachedReadModel("probe", async ({ viewer }: { viewer: Viewer }) => {
      seen = viewer;
      return viewer.orgId;
    });
    await probe({ viewer: member });
    expect(seen).toMatchObject({ orgId: ids.org, role: "MEMBER", userId: 0, name: "", email: "" });
    expect([...seen!.teamRoles]).toEqual([[ids.a, "EDITOR"]]);
  });

  it("a write by another process or tool (plain SQL, no invalidation call) is seen by the very next read", async () => {
    const before = await cached(admin);
    expect(await cached(admin)).toBe(before); // a hit
    const { rows } = await client.query(
      `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
       values ($1, 'psql-run', 'mistral', 'PRETRAIN', 'BF16', $2, 'aws', 'ON_DEMAND', 4, '2026-10-20T00:00:00Z', '2026-10-21T00:00:00Z', 'SUCCEEDED', now()) returning id`,
      [ids.a, ids.gpu],
    );
    try {
      const after = await cached(admin);
      expect(after).not.toBe(before);
      expect(after).toEqual(await live(admin));
      // 4 GPUs × 24 h × $2.50 = $240.00 more than before.
      expect(after.kpis.totalCents - before.kpis.totalCents).toBe(24_000n);
    } finally {
      await client.query(`delete from training_runs where id = $1`, [rows[0].id]);
    }
  });

  it("each kind of data has its own version, bumped once at commit by the writes of that kind only", async () => {
    const versions = async () => Object.fromEntries((await client.query<{ id: number; version: string }>(`select id, version::text as version from data_version order by id`)).rows.map((r) => [r.id, BigInt(r.version)]));
    const deploymentId = await insertDeployment("versions-dep");
    try {
      const v0 = await versions();
      await client.query("begin");
      for (let q = 0; q < 3; q++) {
        await insertQuarter(deploymentId, new Date(Date.UTC(2026, 9, 15, 0, 15 * q)));
      }
      await client.query("commit");
      const v1 = await versions();
      expect([v1[1]! - v0[1]!, v1[2]! - v0[2]!, v1[3]! - v0[3]!]).toEqual([0n, 1n, 0n]);
      await client.query(`insert into audit_entries ("orgId", "actorName", "entityType", "entityId", "subjectType", "subjectId", action, "changedFields", source)
         values ($1, 'psql', 'trainingRun', '0', 'trainingRun', '0', 'UPDATE', '{}', 'form')`, [ids.org]);
      const v2 = await versions();
      expect([v2[1]! - v1[1]!, v2[2]! - v1[2]!, v2[3]! - v1[3]!]).toEqual([0n, 0n, 1n]);
      await client.query(`update training_runs set notes = 'versions' where id = $1`, [ids.run]);
      const v3 = await versions();
      expect([v3[1]! - v2[1]!, v3[2]! - v2[2]!, v3[3]! - v2[3]!]).toEqual([1n, 0n, 0n]);
      // The cost rollups' bookkeeping (the roller moving a watermark) changes no figure: no version moves.
      await client.query(`update inference_deployments set "costRolledTo" = '2026-10-02' where id = $1`, [deploymentId]);
      const { rows: [rolled] } = await client.query(`select "costRolledTo", "costRolledCents", "costRolledMicros" from training_runs where id = $1`, [ids.run]);
      await client.query(`update training_runs set "costRolledTo" = "endedAt", "costRolledCents" = 1, "costRolledMicros" = 10000 where id = $1`, [ids.run]);
      expect(await versions()).toEqual(v3);
      await client.query(`update training_runs set "costRolledTo" = $2, "costRolledCents" = $3, "costRolledMicros" = $4 where id = $1`, [ids.run, rolled.costRolledTo, rolled.costRolledCents, rolled.costRolledMicros]);
      // With anything else in the same update, it does.
      await client.query(`update inference_deployments set "costRolledTo" = null, "gpuCount" = 2 where id = $1`, [deploymentId]);
      expect((await versions())[1]).toBe(v3[1]! + 1n);
    } finally {
      await deleteDeployment(deploymentId);
    }
  });

  it("a usage write (another process's or this one's) recomputes a dashboard's traffic and keeps its costs; both stay equal to a direct read", async () => {
    const deploymentId = await insertDeployment("usage-dep", "2026-10-20");
    try {
      clearReadCache();
      const before = await cached(admin);
      expect(before.kpis.hasUsageRecords).toBe(false);
      // Plain SQL (no invalidation call): only the usage version moves.
      await insertQuarter(deploymentId, "2026-10-15T00:00:00Z");
      const after = await cached(admin);
      expect(readCacheStats()).toMatchObject({ hits: 1, misses: 3 });
      expect(after).not.toBe(before);
      expect(after.kpis.hasUsageRecords).toBe(true);
      expect(after.kpis.totalCents).toBe(before.kpis.totalCents);
      expect(after).toEqual(await live(admin));
      // This process's usage ingest (read-cache.ts USAGE_WRITE) drops the traffic only; a records write drops both.
      invalidateOrgData(ids.org, USAGE_WRITE);
      await cached(admin);
      expect(readCacheStats()).toMatchObject({ hits: 2, misses: 4 });
      invalidateOrgData(ids.org);
      await cached(admin);
      expect(readCacheStats()).toMatchObject({ hits: 2, misses: 6 });
    } finally {
      await deleteDeployment(deploymentId);
    }
  });

  it("a usage write recomputes a month report's traffic and keeps its cents; the report stays equal to a direct read", async () => {
    const deploymentId = await insertDeployment("report-dep", "2026-10-20");
    const scope = { viewer: admin, month: "2026-10", timeZone, now };
    const direct = () => monthReport({ ...scope, now: new Date("2026-11-20T12:00:00Z") });
    const line = (report: MonthReport) => report.lines.find((l) => l.kind === "inference" && l.itemId === deploymentId)!;
    try {
      clearReadCache();
      const before = await cachedMonthReport(scope);
      expect(before).toEqual(await direct());
      expect(line(before)).toMatchObject({ recordedMs: 0n, requests: null });
      expect(await cachedMonthReport(scope)).toBe(before);
      // Three entries: the report's cents, its lines (inside them, shared with month exports) and their traffic.
      expect(readCacheStats()).toMatchObject({ hits: 2, misses: 3 });
      await insertQuarter(deploymentId, "2026-10-15T00:00:00Z");
      const after = await cachedMonthReport(scope);
      // The cents part was a hit; the traffic was read again.
      expect(readCacheStats()).toMatchObject({ hits: 3, misses: 4 });
      expect(line(after)).toMatchObject({ recordedMs: 900_000n, requests: 10n, inputTokens: 100n });
      expect(after.totals).toEqual(before.totals);
      expect(after.usage.requests).toBe(10n);
      expect(after).toEqual(await direct());
      // A records write recomputes both.
      invalidateOrgData(ids.org);
      expect(await cachedMonthReport(scope)).toEqual(after);
      expect(readCacheStats()).toMatchObject({ hits: 3, misses: 7 });
      // A month export's lines: the report's own, with their traffic, from the same entries.
      const lines = await cachedMonthLines(scope);
      expect(readCacheStats()).toMatchObject({ hits: 5, misses: 7 });
      expect(lines.charges).toEqual(after.lines);
    } finally {
      await deleteDeployment(deploymentId);
    }
  });

  describe("report exports (encoded documents)", () => {
    const scope = (viewer: Viewer) => ({ viewer, month: "2026-10", timeZone, granularity: "month" as const, now });
    const exportText = async (viewer: Viewer) => new Response(await cachedDocument("export:lines", scope(viewer), (s) => lineItemsCsv(s, { bom: false }))).text();
    const direct = (viewer: Viewer) => new Response(lineItemsCsv({ ...scope(viewer), now: new Date("2026-11-20T12:00:00Z") }, { bom: false })).text();

    it("a second download is the first one's bytes, equal to a direct export as of the minute; a write recomputes it", async () => {
      const first = await exportText(admin);
      expect(first).toContain("beta-run");
      expect(first).toBe(await direct(admin));
      expect(await exportText(admin)).toBe(first);
      expect(readCacheStats().documents).toMatchObject({ hits: 1, misses: 1, entries: 1 });

      const created = await createTrainingRun({ viewer: member, values: runValues("alpha-export"), idempotencyKey: null });
      if (!created.ok) throw new Error(`create failed: ${JSON.stringify(created)}`);
      try {
        const after = await exportText(admin);
        expect(after).toContain("alpha-export");
        expect(after).toBe(await direct(admin));
        expect(readCacheStats().documents).toMatchObject({ hits: 1, misses: 2 });
      } finally {
        expect((await deleteTrainingRun({ viewer: member, id: created.value.id })).ok).toBe(true);
      }
      expect(await exportText(admin)).toBe(first);
    });

    it("people with different team scopes get their own export", async () => {
      const asAdmin = await exportText(admin);
      const asMember = await exportText(member);
      expect(asAdmin).toContain("beta-run");
      expect(asMember).not.toContain("beta-run");
      expect(asMember).toBe(await direct(member));
    });

    it("keeps nothing of a download the client cancelled, or of one that failed", async () => {
      const body = await cachedDocument("export:lines", scope(admin), (s) => lineItemsCsv(s, { bom: false }));
      const reader = body.getReader();
      await reader.read();
      await reader.cancel();
      expect(readCacheStats().documents.entries).toBe(0);

      const failing = await cachedDocument("probe-failing", scope(admin), () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array([1, 2, 3]));
            controller.error(new Error("database went away"));
          },
        }),
      );
      await expect(new Response(failing).arrayBuffer()).rejects.toThrow();
      expect(readCacheStats().documents.entries).toBe(0);
      // The next download computes again.
      expect(await exportText(admin)).toBe(await direct(admin));
      expect(readCacheStats().documents).toMatchObject({ hits: 0, entries: 1 });
    });
  });
});
