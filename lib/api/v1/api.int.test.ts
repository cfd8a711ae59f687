import fc from "fast-check";
import pg from "pg";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PUT as putRun } from "@/app/api/v1/runs/[externalId]/route";
import { POST as postUsage } from "@/app/api/v1/usage-windows/route";
import { generateApiKeyToken } from "@/lib/access/api-key-token";
import { db } from "@/lib/db/client";
import { checkUsageRollups, ensureRollupTimeZones } from "@/lib/db/mutations/usage-rollups";
import { prismaRunner } from "@/lib/db/sql";
import { sketchKey } from "@/lib/domain/latency-sketch";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { consumeApiRequest } from "./rate-limit";
import { IDEMPOTENCY_RETENTION_HOURS } from "./idempotency";

// API v1 through its route handlers, against a real PostgreSQL: key
// authentication and scopes, the usage batch (all or nothing, resends
// replace, Idempotency-Key replays and conflicts, 100 concurrent retries →
// one set of records), the run upsert by external id, and every kind of bad
// input answered with a 4xx that names the item and field — never a 500,
// never a partial write. (A request without any credential reaches the
// session lookup, which needs Next's request scope: e2e/api-v1.spec.ts covers it.)

let sql: pg.Client;
let fx: OrgFixture;
let deploymentId: number;
let otherTeamDeploymentId: number;
const tokens: Record<string, string> = {};

const HOUR = 3_600_000;
const BASE = Date.parse("2026-11-20T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

async function insertKey(teamId: number, scopes: string[], revoked = false): Promise<string> {
  const key = generateApiKeyToken();
  await sql.query(
    `insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes, "createdById", "revokedAt")
     values ($1, $2, 'test key', $3, $4, $5::"ApiKeyScope"[], $6, $7)`,
    [fx.orgId, teamId, key.prefix, key.secretHash, scopes, fx.viewer.userId, revoked ? new Date() : null],
  );
  return key.token;
}

function request(method: string, path: string, { token, body, headers = {} }: { token?: string; body?: string | Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {}): Request {
  return new Request(`http://localhost${path}`, {
    method,
    body,
    headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.7", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

const noParams = { params: Promise.resolve({}) };

async function sendUsage(body: unknown, { token = tokens.usage!, headers = {} }: { token?: string; headers?: Record<string, string> } = {}) {
  const response = await postUsage(request("POST", "/api/v1/usage-windows", { token, body: typeof body === "string" ? body : JSON.stringify(body), headers }), noParams);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as Record<string, unknown> & { error?: { code: string; message: string; issues?: { path: string; message: string }[]; issueCount?: number } } };
}

async function sendRun(externalId: string, body: unknown, token = tokens.runs!) {
  const response = await putRun(request("PUT", `/api/v1/runs/${encodeURIComponent(externalId)}`, { token, body: JSON.stringify(body) }), {
    params: Promise.resolve({ externalId }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; issues?: { path: string; message: string }[] } } };
}

const window = (i: number, extra: Record<string, unknown> = {}) => ({
  deploymentId,
  windowStart: iso(BASE + i * 300_000),
  windowSeconds: 300,
  requests: 100,
  errors: 1,
  inputTokens: 50_000,
  cachedInputTokens: 10_000,
  outputTokens: 20_000,
  ...extra,
});

async function counts() {
  const one = async (text: string) => Number((await sql.query<{ n: string }>(text)).rows[0]!.n);
  return {
    windows: await one(`select count(*) as n from inference_usage_windows`),
    audit: await one(`select count(*) as n from audit_entries where "entityType" = 'usageWindow'`),
    quarters: await one(`select count(*) as n from usage_rollup_quarter`),
    runs: await one(`select count(*) as n from training_runs`),
  };
}

beforeAll(async () => {
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  fx = await createOrgFixture();
  const deployment = async (teamId: number, name: string) =>
    (
      await sql.query<{ id: number }>(
        `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
         values ($1, $2, 'Llama-3.1-70B', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 2, '2026-11-01T00:00:00Z', now()) returning id`,
        [teamId, name, fx.gpuTypeId],
      )
    ).rows[0]!.id;
  deploymentId = await deployment(fx.teamId, "chat-prod");
  otherTeamDeploymentId = await deployment(fx.otherTeamId, "applied-chat");
  tokens.usage = await insertKey(fx.teamId, ["USAGE_WRITE"]);
  tokens.runs = await insertKey(fx.teamId, ["RUNS_WRITE"]);
  tokens.readOnly = await insertKey(fx.teamId, ["REPORTS_READ"]);
  tokens.revoked = await insertKey(fx.teamId, ["USAGE_WRITE"], true);
  tokens.otherTeam = await insertKey(fx.otherTeamId, ["USAGE_WRITE"]);
  tokens.storm = await insertKey(fx.teamId, ["USAGE_WRITE"]);
  // The fuzz sends 150 requests in about a second: with a key of its own its 429s (limit 100 writes/s) can't spill into the next test.
  tokens.fuzz = await insertKey(fx.teamId, ["USAGE_WRITE"]);
  // Runs are rolled up (costRolledTo) in every zone the rollups keep.
  await ensureRollupTimeZones(prismaRunner(db()));
});

afterAll(async () => {
  await sql?.end();
});

beforeEach(async () => {
  await sql.query(`delete from inference_usage_windows`);
  await sql.query(`delete from api_idempotency`);
  await sql.query(`delete from audit_entries where "entityType" in ('usageWindow', 'apiKey')`);
  // The rollups follow the windows only through the write path; rebuild them empty for each test.
  await sql.query(`delete from usage_rollup_quarter; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_hour; delete from usage_rollup_team_day`);
});

describe("authentication and scopes", () => {
  it("answers 401 for a malformed, unknown or revoked key, naming the Authorization header", async () => {
    for (const token of ["nonsense", `brk_00000000_${"A".repeat(43)}`, tokens.revoked!]) {
      const answer = await sendUsage({ windows: [window(0)] }, { token });
      expect(answer.status).toBe(401);
      expect(answer.json.error).toMatchObject({ code: "unauthenticated", field: "Authorization" });
    }
    const revoked = await sendUsage({ windows: [window(0)] }, { token: tokens.revoked! });
    expect(revoked.json.error!.message).toMatch(/was revoked/);
    expect((await counts()).windows).toBe(0);
  });

  it("answers 403 when the key lacks the operation's scope, and 422 for another team's deployment", async () => {
    const noScope = await sendUsage({ windows: [window(0)] }, { token: tokens.readOnly! });
    expect(noScope.status).toBe(403);
    expect(noScope.json.error!.message).toMatch(/lacks the usage:write scope/);
    const otherTeam = await sendUsage({ windows: [window(0)] }, { token: tokens.otherTeam! });
    expect(otherTeam.status).toBe(422);
    expect(otherTeam.json.error!.issues).toEqual([{ path: "windows[0].deploymentId", message: expect.stringMatching(/^No deployment \d+ that you may see/) }]);
    const runWithUsageKey = await sendRun("job-1", { name: "x" }, tokens.usage!);
    expect(runWithUsageKey.status).toBe(403);
  });

  it("records the key's use once a minute with the client's address", async () => {
    await sql.query(`update api_keys set "lastUsedAt" = null, "lastUsedIp" = null`);
    await sendUsage({ windows: [window(0)] });
    await sendUsage({ windows: [window(0)] });
    const uses = await sql.query(`select "clientIp", "apiKeyId", source from audit_entries where action = 'USE' and "entityType" = 'apiKey'`);
    expect(uses.rows).toEqual([{ clientIp: "203.0.113.7", apiKeyId: expect.any(Number), source: "api" }]);
    const key = await sql.query(`select "lastUsedIp" from api_keys where "lastUsedAt" is not null and id = $1`, [uses.rows[0].apiKeyId]);
    expect(key.rows).toEqual([{ lastUsedIp: "203.0.113.7" }]);
  });
});

describe("POST /api/v1/usage-windows", () => {
  it("writes a batch with every latency form, audited with the key and address, rollups in step", async () => {
    const histogram = { kind: "histogram", unit: "s", buckets: [{ le: 0.1, count: 20 }, { le: 0.5, count: 80 }, { le: 2.5, count: 99 }, { le: "+Inf", count: 99 }] };
    const answer = await sendUsage({
      windows: [
        window(0, { latency: { kind: "sketch", keys: [sketchKey(120), sketchKey(450)], counts: [60, 39] } }),
        window(1, { latency: histogram }),
        window(2, { requests: 3, errors: 0, latency: { kind: "samples", valuesMs: [100, 200, 300] } }),
        window(3, { latency: { kind: "summary", p50Ms: 120, p95Ms: "400.5", p99Ms: 900 } }),
        window(4, { requests: "0", errors: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 }),
      ],
    });
    expect(answer).toMatchObject({ status: 200, json: { windows: 5, inserted: 5, updated: 0, unchanged: 0 } });
    const stored = await sql.query<{ keys: number[]; p50: string | null }>(
      `select "latencyKeys" as keys, "latencyP50Ms"::text as p50 from inference_usage_windows order by "windowStart"`,
    );
    expect(stored.rows.map((r) => r.keys.length > 0)).toEqual([true, true, true, false, false]);
    expect(stored.rows[3]!.p50).toBe("120.000");
    // New windows from the API: one entry for the batch's windows of the deployment, with their span and summed counts.
    const audit = await sql.query(`select source, "apiKeyId", "clientIp", action::text, "entityId", "subjectType", "subjectId", after from audit_entries where "entityType" = 'usageWindow'`);
    const sums = await sql.query(
      `select count(*)::int as windows, sum(requests)::text as requests, sum(errors)::text as errors, sum("inputTokens")::text as "inputTokens",
         sum("cachedInputTokens")::text as "cachedInputTokens", sum("outputTokens")::text as "outputTokens" from inference_usage_windows`,
    );
    expect(audit.rows).toEqual([
      {
        source: "api",
        apiKeyId: expect.any(Number),
        clientIp: "203.0.113.7",
        action: "CREATE",
        entityId: `${deploymentId}@${iso(BASE)}/${iso(BASE + 5 * 300_000)}`,
        subjectType: "inferenceDeployment",
        subjectId: String(deploymentId),
        after: { deploymentId, windowStart: iso(BASE), windowEnd: iso(BASE + 5 * 300_000), ...sums.rows[0] },
      },
    ]);
    expect(sums.rows[0]).toMatchObject({ windows: 5, requests: "303" });
    const check = await checkUsageRollups(prismaRunner(db()), { deploymentIds: [deploymentId], start: new Date(BASE - HOUR), end: new Date(BASE + 2 * HOUR) });
    expect(check.mismatches).toEqual([]);
  });

  it("replaces a resent window and leaves an equal one alone", async () => {
    expect((await sendUsage({ windows: [window(0), window(1)] })).json).toMatchObject({ inserted: 2 });
    const again = await sendUsage({ windows: [window(0), window(1, { requests: 150 }), window(2)] });
    expect(again.json).toMatchObject({ windows: 3, inserted: 1, updated: 1, unchanged: 1 });
    // A replaced window keeps its own entry with before and after; new ones are audited per batch.
    const audit = await sql.query(
      `select action::text, "entityId", case when action = 'UPDATE' then "changedFields" end as changed, after ->> 'windows' as windows from audit_entries where "entityType" = 'usageWindow' order by id`,
    );
    expect(audit.rows).toEqual([
      { action: "CREATE", entityId: `${deploymentId}@${iso(BASE)}/${iso(BASE + 2 * 300_000)}`, changed: null, windows: "2" },
      { action: "CREATE", entityId: `${deploymentId}@${iso(BASE + 2 * 300_000)}/${iso(BASE + 3 * 300_000)}`, changed: null, windows: "1" },
      { action: "UPDATE", entityId: `${deploymentId}@${iso(BASE + 300_000)}`, changed: ["requests"], windows: null },
    ]);
    const total = await sql.query(`select sum(requests)::int as n from inference_usage_windows`);
    expect(total.rows[0].n).toBe(100 + 150 + 100);
    const check = await checkUsageRollups(prismaRunner(db()), { deploymentIds: [deploymentId], start: new Date(BASE - HOUR), end: new Date(BASE + 2 * HOUR) });
    expect(check.mismatches).toEqual([]);
  });

  it("is all or nothing: one bad item refuses the batch, listing each problem by item and field", async () => {
    const before = await counts();
    const answer = await sendUsage({
      windows: [
        window(0),
        window(1, { requests: -5 }),
        window(2, { windowStart: iso(Date.now() + 2 * 24 * HOUR) }),
        window(3, { deploymentId: 999_999 }),
        window(4, { errors: 500 }),
        window(5, { requests: "123456789012345678901234567890" }),
        window(6, { latency: { kind: "histogram", buckets: Array.from({ length: 600 }, (_, i) => ({ le: i + 1, count: i })) } }),
        window(7, { latency: { kind: "histogram", buckets: [{ le: 1, count: 5 }, { le: 0.5, count: 6 }] } }),
        window(0),
        window(9, { deploymentId: otherTeamDeploymentId }),
      ],
    });
    expect(answer.status).toBe(422);
    const paths = answer.json.error!.issues!.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["windows[6].latency.buckets"]));
    // Structural problems (the oversized histogram) are found before the values are read.
    expect(answer.json.error!.issueCount).toBeGreaterThan(0);
    const valuesOnly = await sendUsage({
      windows: [window(0), window(1, { requests: -5 }), window(2, { windowStart: iso(Date.now() + 2 * 24 * HOUR) }), window(3, { deploymentId: 999_999 }), window(4, { errors: 500 }), window(5, { requests: "123456789012345678901234567890" }), window(7, { latency: { kind: "histogram", buckets: [{ le: 1, count: 5 }, { le: 0.5, count: 6 }] } }), window(0), window(9, { deploymentId: otherTeamDeploymentId })],
    });
    expect(valuesOnly.status).toBe(422);
    const byPath = new Map(valuesOnly.json.error!.issues!.map((i) => [i.path, i.message]));
    expect(byPath.get("windows[1].requests")).toBe("Requests cannot be negative");
    expect(byPath.get("windows[2].windowStart")).toBe("Window start can't be in the future");
    expect(byPath.get("windows[3].deploymentId")).toMatch(/^No deployment 999999/);
    expect(byPath.get("windows[4].errors")).toBe("Errors cannot exceed requests");
    expect(byPath.get("windows[5].requests")).toMatch(/^Requests must be at most/);
    expect(byPath.get("windows[6].latency.buckets[1].le")).toMatch(/must increase/);
    expect(byPath.get("windows[7].windowStart")).toMatch(/windows\[0\] has the same deployment and start/);
    expect(byPath.get("windows[8].deploymentId")).toMatch(/^No deployment/);
    expect(valuesOnly.json.error!.message).toMatch(/^8 problems in the request\. Nothing was written\.$/);
    expect(await counts()).toEqual(before);
  });

  it("checks each window against its own deployment's period in one batch", async () => {
    const lateStart = BASE + 24 * HOUR;
    const late = (
      await sql.query<{ id: number }>(
        `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
         values ($1, 'chat-late', 'Llama-3.1-70B', 'VLLM', 'NONE', 'CONTINUOUS', $2, 'aws', 'ON_DEMAND', 2, $3, now()) returning id`,
        [fx.teamId, fx.gpuTypeId, new Date(lateStart)],
      )
    ).rows[0]!.id;
    try {
      const before = await counts();
      const early = await sendUsage({ windows: [window(0), window(1), window(0, { deploymentId: late })] });
      expect(early.status).toBe(422);
      expect(early.json.error!.issues).toEqual([
        { path: "windows[2].windowStart", message: `Window starts before the deployment went live (${iso(lateStart).slice(0, 16).replace("T", " ")} UTC)` },
      ]);
      expect(await counts()).toEqual(before);
      const ok = await sendUsage({ windows: [window(0), window(288, { deploymentId: late })] });
      expect(ok.status).toBe(200);
      expect(await counts()).toMatchObject({ windows: before.windows + 2 });
    } finally {
      await sql.query(`delete from inference_deployments where id = $1`, [late]);
    }
  });

  it("refuses windows that overlap each other or stored ones, and writes none of the batch", async () => {
    await sendUsage({ windows: [window(0)] });
    const before = await counts();
    const answer = await sendUsage({ windows: [window(10), window(0, { windowStart: iso(BASE + 60_000) })] });
    expect(answer.status).toBe(422);
    expect(answer.json.error!.issues).toEqual([{ path: "windows[1].windowStart", message: expect.stringMatching(/^Overlaps the usage recorded for .*; windows of one deployment can't overlap/) }]);
    expect(await counts()).toEqual(before);
  });

  it("refuses a batch whose deployment is deleted while it is written (422 naming its windows), and writes none of it", async () => {
    const { rows } = await sql.query<{ id: number }>(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       select "teamId", 'doomed', model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", now() from inference_deployments where id = $1 returning id`,
      [deploymentId],
    );
    const doomed = rows[0]!.id;
    const deleter = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await deleter.connect();
    try {
      const before = await counts();
      await deleter.query("begin");
      await deleter.query(`delete from inference_deployments where id = $1`, [doomed]);
      const sending = sendUsage({ windows: [window(0), window(0, { deploymentId: doomed })] });
      // Until the batch waits for the delete's row lock (PostgreSQL is polled; nothing is timed).
      for (;;) {
        const waiting = await sql.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if (waiting.rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await deleter.query("commit");
      const answer = await sending;
      expect(answer.status).toBe(422);
      expect(answer.json.error!.issues).toEqual([{ path: "windows[1].deploymentId", message: `Deployment ${doomed} was deleted while this batch was being written` }]);
      expect(await counts()).toEqual(before);
    } finally {
      await deleter.end();
    }
  });

  it("answers malformed JSON, wrong types, a wrong content type and an oversized body with 4xx", async () => {
    expect((await sendUsage("{ not json")).status).toBe(400);
    // Bytes that are not UTF-8 (Latin-1 "é" in a string), and a valid multi-byte "é" that is read as one.
    const notUtf8 = await postUsage(request("POST", "/api/v1/usage-windows", { token: tokens.usage, body: Uint8Array.from([...Buffer.from('{"windows":"'), 0xe9, ...Buffer.from('"}')]) }), noParams);
    expect(notUtf8.status).toBe(400);
    expect((await notUtf8.json()).error.message).toBe("The request body is not UTF-8 text; send JSON.");
    const utf8 = await sendUsage('{"windows":"é"}');
    expect(utf8.json.error!.issues![0]!.path).toBe("windows");
    expect((await sendUsage({ windows: "many" })).json.error!.issues![0]!.path).toBe("windows");
    expect((await sendUsage({ windows: [] })).json.error!.issues![0]!.message).toBe("Send at least one window");
    const tooMany = await sendUsage({ windows: Array.from({ length: 10_001 }, (_, i) => window(i)) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error!.issues![0]!.message).toMatch(/^At most 10,000 windows per request/);
    const unknownParam = await postUsage(request("POST", "/api/v1/usage-windows?dryRun=1", { token: tokens.usage, body: JSON.stringify({ windows: [window(0)] }) }), noParams);
    expect(unknownParam.status).toBe(400);
    expect(await unknownParam.json()).toMatchObject({ error: { field: "dryRun", message: 'Unknown query parameter "dryRun"; this operation takes none.' } });
    const csv = await postUsage(request("POST", "/api/v1/usage-windows", { token: tokens.usage, body: "a,b", headers: { "content-type": "text/csv" } }), noParams);
    expect(csv.status).toBe(415);
    const big = await postUsage(request("POST", "/api/v1/usage-windows", { token: tokens.usage, body: "{}", headers: { "content-length": String(64 * 1024 * 1024) } }), noParams);
    expect(big.status).toBe(413);
    expect(big.headers.get("connection")).toBe("close");
  });

  it("never answers a 500 or writes part of a batch, whatever the body (fuzzed)", async () => {
    const before = await counts();
    const value = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double(), fc.string(), fc.constant(null), fc.boolean(), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String));
    const item = fc.record(
      {
        deploymentId: fc.oneof(fc.constant(deploymentId), fc.constant(otherTeamDeploymentId), value),
        windowStart: fc.oneof(fc.constant(iso(BASE)), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), value),
        windowSeconds: fc.oneof(fc.constant(300), value),
        requests: value,
        errors: value,
        inputTokens: value,
        outputTokens: value,
        latency: fc.oneof(
          fc.record({ kind: fc.constant("sketch"), keys: fc.array(fc.integer({ min: -5000, max: 5000 }), { maxLength: 5 }), counts: fc.array(fc.integer({ min: -5, max: 1e6 }), { maxLength: 5 }) }),
          fc.record({ kind: fc.constant("histogram"), buckets: fc.array(fc.record({ le: fc.oneof(fc.double({ min: -1, max: 10 }), fc.constant("+Inf")), count: fc.integer({ min: -5, max: 100 }) }), { maxLength: 5 }) }),
          fc.record({ kind: fc.constant("samples"), valuesMs: fc.array(fc.double(), { maxLength: 5 }) }),
          value,
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.record({ windows: fc.array(item, { maxLength: 4 }) }), fc.anything()), async (body) => {
        const answer = await sendUsage(JSON.stringify(body) ?? "null", { token: tokens.fuzz! });
        expect(answer.status).toBeLessThan(500);
        if (answer.status !== 200) {
          expect(answer.json.error).toBeDefined();
          expect(await counts()).toEqual(before);
        } else {
          // A valid batch may slip through; take it back out so the next run starts equal.
          await sql.query(`delete from inference_usage_windows`);
          await sql.query(`delete from audit_entries where "entityType" = 'usageWindow'`);
          await sql.query(`delete from usage_rollup_quarter; delete from usage_rollup_day; delete from usage_rollup_month; delete from usage_rollup_team_hour; delete from usage_rollup_team_day`);
        }
      }),
      { numRuns: 150, seed: 15 },
    );
  });
});

describe("Idempotency-Key", () => {
  it("clears keys older than the retention when a keyed request is answered, and keeps newer ones", async () => {
    await sql.query(
      `insert into api_idempotency ("orgId", principal, key, "requestHash", status, body, "createdAt")
       select $1::int, 'test', 'old-' || g, 'h', 200, '{}', now() - make_interval(hours => $2::int + 1) from generate_series(1, 3) g
       union all select $1::int, 'test', 'recent', 'h', 200, '{}', now() - make_interval(hours => $2::int - 1)`,
      [fx.orgId, IDEMPOTENCY_RETENTION_HOURS],
    );
    expect((await sendUsage({ windows: [window(40)] }, { headers: { "idempotency-key": "clears-old" } })).status).toBe(200);
    const { rows } = await sql.query<{ key: string }>(`select key from api_idempotency where principal = 'test' or key = 'clears-old' order by key`);
    expect(rows.map((r) => r.key)).toEqual(["clears-old", "recent"]);
  });

  it("replays the first answer for the same key and body, and refuses another body under it (409)", async () => {
    const body = { windows: [window(0), window(1)] };
    const first = await sendUsage(body, { headers: { "idempotency-key": "batch-1" } });
    expect(first.status).toBe(200);
    // The windows changed since: a replay still answers what the first request did, and writes nothing.
    await sql.query(`update inference_usage_windows set requests = 7, version = version + 1`);
    const replay = await sendUsage(body, { headers: { "idempotency-key": "batch-1" } });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    // Small answers say their length (so the server does not compress them).
    expect([first.headers.get("content-length"), replay.headers.get("content-length")]).toEqual([String(Buffer.byteLength(first.text)), String(Buffer.byteLength(first.text))]);
    expect((await sql.query(`select distinct requests::int as n from inference_usage_windows`)).rows).toEqual([{ n: 7 }]);
    const conflict = await sendUsage({ windows: [window(5)] }, { headers: { "idempotency-key": "batch-1" } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({ code: "conflict", field: "Idempotency-Key" });
    expect((await sendUsage(body, { headers: { "idempotency-key": "" } })).status).toBe(400);
  });

  it("turns 100 concurrent retries of one request into exactly one set of records", async () => {
    const body = { windows: Array.from({ length: 20 }, (_, i) => window(100 + i)) };
    const auditBefore = (await counts()).audit;
    // A key of its own: the others' rate budgets are spent by the tests before.
    // Each sender behaves like a client: a 503 (no database connection free within the pool's wait, on a busy machine) is retried after its Retry-After.
    const send = async () => {
      for (let attempt = 1; ; attempt++) {
        const answer = await sendUsage(body, { token: tokens.storm!, headers: { "idempotency-key": "retry-storm" } });
        if (answer.status !== 503 || attempt === 5) return answer;
        await new Promise((r) => setTimeout(r, Number(answer.headers.get("retry-after") ?? "1") * 1000));
      }
    };
    const answers = await Promise.all(Array.from({ length: 100 }, send));
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true")).toHaveLength(99);
    const after = await counts();
    expect(after.windows).toBe(20);
    expect(after.audit - auditBefore).toBe(1);
    const check = await checkUsageRollups(prismaRunner(db()), { deploymentIds: [deploymentId], start: new Date(BASE), end: new Date(BASE + 4 * HOUR) });
    expect(check.mismatches).toEqual([]);
  });
});

describe("PUT /api/v1/runs/{externalId}", () => {
  const started = "2026-11-25T08:00:00Z";
  const create = {
    name: "llama-sft-42",
    model: "llama-3.1-8b",
    method: "LORA",
    precision: "BF16",
    gpuType: "H100 80GB",
    provider: "aws",
    pricingModel: "ON_DEMAND",
    gpuCount: 8,
    startedAt: started,
    status: "RUNNING",
  };

  it("creates a run, then marks it finished with only the changed fields, then leaves an equal resend alone", async () => {
    const created = await sendRun("slurm-1001", create);
    expect(created).toMatchObject({ status: 201, json: { externalId: "slurm-1001", team: "research", action: "created", status: "RUNNING", endedAt: null } });
    const finished = await sendRun("slurm-1001", { status: "SUCCEEDED", endedAt: "2026-11-25T20:00:00Z" });
    expect(finished).toMatchObject({ status: 200, json: { id: created.json.id, action: "updated", status: "SUCCEEDED", endedAt: "2026-11-25T20:00:00.000Z" } });
    const again = await sendRun("slurm-1001", { status: "SUCCEEDED" });
    expect(again.json.action).toBe("unchanged");
    const row = await sql.query(`select name, "gpuCount", status::text, "costRolledTo" is not null as rolled, "externalId" from training_runs where id = $1`, [created.json.id]);
    expect(row.rows).toEqual([{ name: "llama-sft-42", gpuCount: 8, status: "SUCCEEDED", rolled: true, externalId: "slurm-1001" }]);
    const audit = await sql.query(`select action::text, source, "changedFields" from audit_entries where "entityType" = 'trainingRun' and "entityId" = $1 order by id`, [String(created.json.id)]);
    expect(audit.rows.map((r) => [r.action, r.source])).toEqual([
      ["CREATE", "api"],
      ["UPDATE", "api"],
    ]);
    expect(audit.rows[1].changedFields).toEqual(["endedAt", "status"]);
  });

  it("names every missing or wrong field (422), and writes nothing", async () => {
    const before = (await counts()).runs;
    const missing = await sendRun("slurm-2000", { name: "x" });
    expect(missing.status).toBe(422);
    const paths = missing.json.error!.issues!.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["model", "method", "gpuType", "startedAt", "status"]));
    const finishedWithoutEnd = await sendRun("slurm-2001", { ...create, status: "FAILED" });
    expect(finishedWithoutEnd.json.error!.issues).toEqual([{ path: "endedAt", message: "A failed run needs an end time" }]);
    const unknownGpu = await sendRun("slurm-2002", { ...create, gpuType: "TPU v9" });
    expect(unknownGpu.json.error!.issues![0]!.path).toBe("gpuType");
    const otherTeam = await sendRun("slurm-2003", { ...create, team: "applied" });
    expect(otherTeam.json.error!.issues![0]).toMatchObject({ path: "team", message: expect.stringMatching(/writes only to team "research"/) });
    const unknownField = await sendRun("slurm-2004", { ...create, colour: "blue" });
    expect(unknownField.status).toBe(422);
    expect((await counts()).runs).toBe(before);
  });
});

describe("per-credential rate limits", () => {
  it("refuses requests past the limit with the seconds to wait", async () => {
    const limiter = new RateLimiterMemory({ keyPrefix: "test", points: 2, duration: 60 });
    expect(await consumeApiRequest("key:1", "write", limiter)).toEqual({ ok: true });
    expect(await consumeApiRequest("key:1", "write", limiter)).toEqual({ ok: true });
    const refused = await consumeApiRequest("key:1", "write", limiter);
    expect(refused).toMatchObject({ ok: false, limit: 2, perSeconds: 60 });
    expect(refused.ok === false && refused.retryAfterSeconds).toBeGreaterThan(0);
    // Another key has its own budget.
    expect(await consumeApiRequest("key:2", "write", limiter)).toEqual({ ok: true });
  });
});
