import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/prometheus/scrapes/route";
import { generateApiKeyToken } from "@/lib/access/api-key-token";
import { db } from "@/lib/db/client";
import { checkUsageRollups } from "@/lib/db/mutations/usage-rollups";
import { prismaRunner } from "@/lib/db/sql";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";

// POST /api/v1/prometheus/scrapes with the vLLM exposition fixtures of
// lib/prometheus/fixtures (a data-parallel server: engines 0 and 1, a missed
// scrape, a restart), against a real PostgreSQL: windows from successive
// scrapes, engines added up per deployment, a too-long gap writes nothing,
// a restart counts from zero, a resent scrape is refused, unmapped engines
// are reported, and the rollups stay equal to a recomputation from raw.

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../../prometheus/fixtures", name), "utf8");
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

let sql: pg.Client;
let fx: OrgFixture;
let token: string;
let deploymentId: number;

async function scrape(file: string, scrapedAt: string, extra: Record<string, unknown> = {}) {
  const body = {
    source: "gpu-node-7",
    server: "vllm",
    scrapedAt,
    exposition: fixture(file),
    deployments: [{ modelName: MODEL, deploymentId }],
    maxWindowSeconds: 90,
    ...extra,
  };
  const response = await POST(
    new Request("http://localhost/api/v1/prometheus/scrapes", {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-forwarded-for": "198.51.100.4" },
    }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; issues?: { path: string; message: string }[] } } };
}

async function windows() {
  return (
    await sql.query<{ start: string; seconds: number; requests: string; errors: string; input: string; cached: string; output: string; sketch: number }>(
      `select to_char("windowStart" at time zone 'UTC', 'HH24:MI') as start, "windowSeconds" as seconds, requests::text, errors::text,
         "inputTokens"::text as input, "cachedInputTokens"::text as cached, "outputTokens"::text as output,
         (select coalesce(sum(c), 0)::int from unnest("latencyCounts") c) as sketch
       from inference_usage_windows where "deploymentId" = $1 order by "windowStart"`,
      [deploymentId],
    )
  ).rows;
}

beforeAll(async () => {
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  fx = await createOrgFixture();
  deploymentId = (
    await sql.query<{ id: number }>(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, 'llama-8b-dp2', $2, 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 2, '2026-11-30T09:00:00Z', now()) returning id`,
      [fx.teamId, MODEL, fx.gpuTypeId],
    )
  ).rows[0]!.id;
  const key = generateApiKeyToken();
  await sql.query(`insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes) values ($1, $2, 'sidecar', $3, $4, '{USAGE_WRITE}')`, [fx.orgId, fx.teamId, key.prefix, key.secretHash]);
  token = key.token;
});

afterAll(async () => {
  await sql?.end();
});

describe("POST /api/v1/prometheus/scrapes", () => {
  it("turns successive scrapes into windows: baseline, window, gap, restart, window", async () => {
    const first = await scrape("vllm-dp2-1000.prom", "2026-11-30T10:00:00Z");
    expect(first).toMatchObject({ status: 200, json: { baseline: true, windows: 0 } });

    const second = await scrape("vllm-dp2-1001.prom", "2026-11-30T10:01:00Z");
    expect(second).toMatchObject({ status: 200, json: { baseline: false, windows: 1, unmapped: [], restarted: [] } });

    // 10:02 was missed: 10:01 → 10:03 is longer than maxWindowSeconds, a gap (no window, never idle time).
    const afterGap = await scrape("vllm-dp2-1003.prom", "2026-11-30T10:03:00Z");
    expect(afterGap.json).toMatchObject({ windows: 0, gaps: [{ reason: "too-long" }, { reason: "too-long" }] });

    const restart = await scrape("vllm-dp2-1004.prom", "2026-11-30T10:04:00Z");
    expect(restart.json).toMatchObject({ windows: 1, restarted: [`${MODEL} (engine 0)`, `${MODEL} (engine 1)`] });

    expect((await scrape("vllm-dp2-1005.prom", "2026-11-30T10:05:00Z")).json).toMatchObject({ windows: 1 });

    // Engines 0 and 1 added up (fixtures/README.md): 212 + 198, 97 + 88, 205 + 216 requests …
    const stored = await windows();
    expect(stored.map(({ start, seconds, requests, errors, input, cached, output }) => ({ start, seconds, requests, errors, input, cached, output }))).toEqual([
      { start: "10:00", seconds: 60, requests: "410", errors: "9", input: String(187_107 + 188_159), cached: String(78_011 + 89_706), output: String(43_110 + 35_273) },
      { start: "10:03", seconds: 60, requests: "185", errors: "1", input: String(94_194 + 90_491), cached: String(32_479 + 40_190), output: String(21_121 + 15_722) },
      { start: "10:04", seconds: 60, requests: "421", errors: "4", input: String(180_823 + 176_859), cached: String(82_250 + 78_558), output: String(38_638 + 41_534) },
    ]);
    // … with the e2e latency histogram stored as a sketch holding its observations.
    for (const w of stored) expect(w.sketch).toBeGreaterThan(0);

    const audit = await sql.query(`select distinct source, "clientIp" from audit_entries where "entityType" = 'usageWindow'`);
    expect(audit.rows).toEqual([{ source: "prometheus", clientIp: "198.51.100.4" }]);
    const check = await checkUsageRollups(prismaRunner(db()), { deploymentIds: [deploymentId], start: new Date("2026-11-30T09:00:00Z"), end: new Date("2026-11-30T11:00:00Z") });
    expect(check.mismatches).toEqual([]);
  });

  it("refuses a scrape that is not later than the last one (a resend), writing nothing", async () => {
    const before = await windows();
    const again = await scrape("vllm-dp2-1005.prom", "2026-11-30T10:05:00Z");
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: "conflict", field: "scrapedAt" });
    expect(await windows()).toEqual(before);
  });

  it("refuses a window that overlaps stored usage, and text that is not an exposition (422)", async () => {
    const mapped = { deployments: [{ modelName: MODEL, engine: "0", deploymentId }], source: "gpu-node-8" };
    await scrape("vllm-dp2-1000.prom", "2026-11-30T10:00:30Z", mapped);
    const one = await scrape("vllm-dp2-1001.prom", "2026-11-30T10:01:30Z", mapped);
    expect(one).toMatchObject({ status: 422 });
    // gpu-node-8's 10:00:30–10:01:30 window overlaps gpu-node-7's 10:00–10:01 of the same deployment: refused, nothing written.
    expect(one.json.error!.issues![0]).toMatchObject({ path: `deployment ${deploymentId}.windowStart`, message: expect.stringMatching(/^Overlaps the usage recorded for/) });

    const garbage = await scrape("vllm-dp2-1000.prom", "2026-11-30T10:06:00Z", { exposition: "<html>502 Bad Gateway</html>" });
    expect(garbage.status).toBe(422);
    expect(garbage.json.error!.issues![0]!.path).toBe("exposition");
  });

  it("lists unmapped engines without writing their traffic", async () => {
    await sql.query(`delete from inference_usage_windows where "deploymentId" = $1`, [deploymentId]);
    await sql.query(`delete from usage_rollup_quarter; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_hour; delete from usage_rollup_team_day`);
    const mapped = { deployments: [{ modelName: MODEL, engine: "1", deploymentId }], source: "gpu-node-9" };
    await scrape("vllm-dp2-1000.prom", "2026-11-30T10:00:00Z", mapped);
    const one = await scrape("vllm-dp2-1001.prom", "2026-11-30T10:01:00Z", mapped);
    expect(one.json).toMatchObject({ windows: 1, unmapped: [`${MODEL} (engine 0)`] });
    expect((await windows()).map((w) => w.requests)).toEqual(["198"]);
  });
});
