// API v1 while PostgreSQL is killed and restarted (npm start's supervised server) in the middle of a
// load: clients retry every batch under its Idempotency-Key until it is acknowledged, and afterwards
// the database holds every acknowledged window exactly once, with the rollups in step.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/usage-windows/route";
import { generateApiKeyToken } from "@/lib/access/api-key-token";
import { db, disconnectDb } from "@/lib/db/client";
import { checkUsageRollups, ensureRollupTimeZones } from "@/lib/db/mutations/usage-rollups";
import { prismaRunner } from "@/lib/db/sql";
import { createOrgFixture } from "@/lib/testing/org-fixture";
import { freePort } from "@/lib/testing/test-database";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../../scripts/lib/embedded-postgres";
import { applyMigrations } from "../../../scripts/lib/schema-engine";

const CLIENTS = 4;
const BATCHES = 10;
const WINDOWS = 100;
const DEADLINE_MS = 120_000;
const BASE = Date.parse("2026-11-01T00:00:00Z");

const root = mkdtempSync(path.join(os.tmpdir(), "burnrate-api-restart-"));
chmodSync(root, 0o755);
const dataDir = path.join(root, "pg");
let server: EmbeddedPostgres | undefined;
let url = "";
let token = "";
const deploymentIds: number[] = [];

beforeAll(async () => {
  const port = await freePort();
  server = await startEmbeddedPostgres({ dataDir, port, supervise: { notify: () => undefined } });
  url = server.url("postgres");
  await applyMigrations(url);
  const fx = await createOrgFixture(url);
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    for (let c = 0; c < CLIENTS; c++) {
      const { rows } = await sql.query<{ id: number }>(
        `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
         values ($1, $2, 'Llama-3.1-70B', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 2, '2026-10-01T00:00:00Z', now()) returning id`,
        [fx.teamId, `chat-${c}`, fx.gpuTypeId],
      );
      deploymentIds.push(rows[0]!.id);
    }
    const key = generateApiKeyToken();
    await sql.query(`insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes) values ($1, $2, 'gateway', $3, $4, '{USAGE_WRITE}')`, [fx.orgId, fx.teamId, key.prefix, key.secretHash]);
    token = key.token;
  } finally {
    await sql.end();
  }
  // The app's client talks to this file's own server, which the test kills.
  await disconnectDb();
  process.env.DATABASE_URL = url;
  await ensureRollupTimeZones(prismaRunner(db()));
}, 120_000);

afterAll(async () => {
  await disconnectDb();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

function batch(client: number, index: number) {
  return {
    windows: Array.from({ length: WINDOWS }, (_, i) => ({
      deploymentId: deploymentIds[client]!,
      windowStart: new Date(BASE + (index * WINDOWS + i) * 300_000).toISOString(),
      windowSeconds: 300,
      requests: 10 + i,
      inputTokens: 1_000,
      outputTokens: 500,
      latency: { kind: "samples", valuesMs: [100 + i, 200 + i] },
    })),
  };
}

/** Posts until acknowledged (2xx), retrying refusals a retry can fix (5xx, connection errors) under the same key. */
async function deliver(client: number, index: number, onAck: () => void): Promise<{ attempts: number; replayed: boolean }> {
  const body = JSON.stringify(batch(client, index));
  const deadline = Date.now() + DEADLINE_MS;
  for (let attempts = 1; ; attempts++) {
    let status = 0;
    let replayed = false;
    try {
      const response = await POST(
        new Request("http://localhost/api/v1/usage-windows", {
          method: "POST",
          body,
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": `client-${client}-batch-${index}` },
        }),
        { params: Promise.resolve({}) },
      );
      status = response.status;
      replayed = response.headers.get("idempotent-replayed") === "true";
      await response.text();
    } catch {
      status = 0;
    }
    if (status === 200) {
      onAck();
      return { attempts, replayed };
    }
    if (status >= 400 && status < 500 && status !== 429) throw new Error(`batch ${client}/${index} refused with ${status}`);
    if (Date.now() > deadline) throw new Error(`batch ${client}/${index} not acknowledged within ${DEADLINE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("usage batches while PostgreSQL restarts", () => {
  it("loses no acknowledged window and duplicates none", async () => {
    let acknowledged = 0;
    let killed = false;
    let killedAt = 0;
    const onAck = () => {
      acknowledged += 1;
      // Mid-run, with batches of every client in flight.
      if (!killed && acknowledged === (CLIENTS * BATCHES) / 4) {
        killed = true;
        killedAt = Date.now();
        process.kill(server!.pid()!, "SIGKILL");
      }
    };
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const outcomes = [];
        for (let index = 0; index < BATCHES; index++) outcomes.push(await deliver(client, index, onAck));
        return outcomes;
      }),
    );
    expect(killed).toBe(true);
    const retried = results.flat().filter((r) => r.attempts > 1).length;
    console.log(`API under a PostgreSQL restart: ${acknowledged} batches acknowledged, ${retried} needed retries, back ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill at the latest`);
    expect(acknowledged).toBe(CLIENTS * BATCHES);

    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ windows: string; requests: string; keys: string }>(
        `select count(*)::text as windows, sum(requests)::text as requests, count(distinct ("deploymentId", "windowStart"))::text as keys from inference_usage_windows`,
      );
      const expectedRequests = CLIENTS * BATCHES * Array.from({ length: WINDOWS }, (_, i) => 10 + i).reduce((a, b) => a + b, 0);
      expect(rows[0]).toEqual({ windows: String(CLIENTS * BATCHES * WINDOWS), requests: String(expectedRequests), keys: String(CLIENTS * BATCHES * WINDOWS) });
      // One entry per batch (the API audits a batch's new windows per deployment), none twice.
      const audit = await sql.query<{ n: string; windows: string }>(
        `select count(*)::text as n, sum((after ->> 'windows')::int)::text as windows from audit_entries where "entityType" = 'usageWindow'`,
      );
      expect(audit.rows[0]).toEqual({ n: String(CLIENTS * BATCHES), windows: String(CLIENTS * BATCHES * WINDOWS) });
    } finally {
      await sql.end();
    }
    const check = await checkUsageRollups(prismaRunner(db()), { deploymentIds, start: new Date(BASE), end: new Date(BASE + BATCHES * WINDOWS * 300_000) });
    expect(check.mismatches).toEqual([]);
  }, 300_000);
});
