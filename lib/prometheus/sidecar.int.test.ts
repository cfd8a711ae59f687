import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/prometheus/scrapes/route";
import { generateApiKeyToken } from "@/lib/access/api-key-token";
import { createOrgFixture } from "@/lib/testing/org-fixture";
import { parseMapping, sidecarTick, type SidecarConfig, type SidecarEvent } from "./sidecar";

// The sidecar's loop end to end over real HTTP: a metrics server serving the
// vLLM fixtures one scrape after another (and failing once), and Burnrate's
// route handler behind a plain HTTP server on a real PostgreSQL. The clock is
// the test's (each tick is given its scrape time), so nothing waits on timers.

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8");
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

let sql: pg.Client;
let metrics: http.Server;
let burnrate: http.Server;
let config: SidecarConfig;
let serve: () => { status: number; text: string } = () => ({ status: 503, text: "" });
let posts = 0;
let failNextPosts = 0;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  const fx = await createOrgFixture();
  const deploymentId = (
    await sql.query<{ id: number }>(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, 'llama-8b-dp2', $2, 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 2, '2026-11-30T09:00:00Z', now()) returning id`,
      [fx.teamId, MODEL, fx.gpuTypeId],
    )
  ).rows[0]!.id;
  const key = generateApiKeyToken();
  await sql.query(`insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes) values ($1, $2, 'sidecar', $3, $4, '{USAGE_WRITE}')`, [fx.orgId, fx.teamId, key.prefix, key.secretHash]);

  metrics = http.createServer((_req, res) => {
    const { status, text } = serve();
    res.writeHead(status, { "content-type": "text/plain; version=0.0.4" }).end(text);
  });
  burnrate = http.createServer(async (req, res) => {
    posts += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (failNextPosts > 0) {
      // The answer is lost on the way back after Burnrate took the scrape: the retry must not count it twice.
      failNextPosts -= 1;
      await POST(new Request(`http://localhost${req.url}`, { method: "POST", body: Buffer.concat(chunks), headers: req.headers as Record<string, string> }), { params: Promise.resolve({}) });
      res.writeHead(503, { "retry-after": "1" }).end("{}");
      return;
    }
    const response = await POST(new Request(`http://localhost${req.url}`, { method: "POST", body: Buffer.concat(chunks), headers: req.headers as Record<string, string> }), {
      params: Promise.resolve({}),
    });
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
  });
  const [metricsUrl, burnrateUrl] = await Promise.all([listen(metrics), listen(burnrate)]);
  config = {
    metricsUrl: `${metricsUrl}/metrics`,
    burnrateUrl,
    apiKey: key.token,
    source: "gpu-node-7",
    server: "vllm",
    deployments: [{ ...parseMapping(`${MODEL}=${deploymentId}`)! }],
    intervalSeconds: 60,
    maxWindowSeconds: 90,
  };
});

afterAll(async () => {
  await new Promise((resolve) => metrics?.close(resolve));
  await new Promise((resolve) => burnrate?.close(resolve));
  await sql?.end();
});

async function tick(at: string): Promise<SidecarEvent[]> {
  const events: SidecarEvent[] = [];
  await sidecarTick({ config, now: () => new Date(at), deadline: Date.now() + 60_000, sleep: async () => undefined, onEvent: (e) => events.push(e) });
  return events;
}

describe("the Prometheus sidecar", () => {
  it("reads mappings as model=id or model@engine=id", () => {
    expect(parseMapping("meta-llama/Llama-3.1-8B-Instruct=12")).toEqual({ modelName: "meta-llama/Llama-3.1-8B-Instruct", engine: null, deploymentId: 12 });
    expect(parseMapping("qwen@1=7")).toEqual({ modelName: "qwen", engine: "1", deploymentId: 7 });
    expect(parseMapping("no-id")).toBeNull();
    expect(parseMapping("m=0")).toBeNull();
  });

  it("posts successive scrapes, skips a failed one (a gap), and retries a lost answer without double counting", async () => {
    serve = () => ({ status: 200, text: fixture("vllm-dp2-1000.prom") });
    expect((await tick("2026-11-30T10:00:00Z")).map((e) => e.kind)).toEqual(["scraped", "posted"]);
    serve = () => ({ status: 200, text: fixture("vllm-dp2-1001.prom") });
    failNextPosts = 1;
    const retried = await tick("2026-11-30T10:01:00Z");
    expect(retried.map((e) => e.kind)).toEqual(["scraped", "post-retry", "posted"]);
    serve = () => ({ status: 500, text: "engine dead" });
    expect((await tick("2026-11-30T10:02:00Z")).map((e) => e.kind)).toEqual(["scrape-failed"]);
    serve = () => ({ status: 200, text: fixture("vllm-dp2-1003.prom") });
    const afterGap = await tick("2026-11-30T10:03:00Z");
    expect(afterGap.at(-1)).toMatchObject({ kind: "posted", body: { windows: 0, gaps: [{ reason: "too-long" }, { reason: "too-long" }] } });
    serve = () => ({ status: 200, text: fixture("vllm-dp2-1004.prom") });
    await tick("2026-11-30T10:04:00Z");
    const stored = await sql.query(`select to_char("windowStart" at time zone 'UTC', 'HH24:MI') as start, requests::int from inference_usage_windows order by "windowStart"`);
    expect(stored.rows).toEqual([
      { start: "10:00", requests: 410 },
      { start: "10:03", requests: 185 },
    ]);
  });

  it("reports a refusal once, without retrying it", async () => {
    serve = () => ({ status: 200, text: fixture("vllm-dp2-1004.prom") });
    const before = posts;
    // Earlier than the last scrape (a clock gone back) → 409. (The same scrape sent again would be replayed under its Idempotency-Key.)
    const events = await tick("2026-11-30T10:03:30Z");
    expect(events.at(-1)).toMatchObject({ kind: "post-refused", status: 409 });
    expect(posts - before).toBe(1);
  });
});
