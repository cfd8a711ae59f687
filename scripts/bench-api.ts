// npm run bench:api — usage windows through the REST API: clients posting batches of 1,000 windows
// (spread over 100 deployments, as a gateway's scrape tick sends them) to POST /api/v1/usage-windows
// of a production build (`next start`) with an API key, each batch under its own Idempotency-Key.
// Each client is a gateway with its own 100 deployments of the key's team. Runs once with one
// client (the baseline: no concurrency) and once with --clients, each for a fixed time after a
// warm-up. Afterwards every acknowledged window must be stored exactly once and
// the rollups must equal a recomputation from raw. Writes a section of BENCHMARKS.md.
//
//   npm run bench:api -- [--clients 4] [--seconds 30] [--warm-up 5] [--no-write] [--profile DIR]
import { readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { generateApiKeyToken } from "../lib/access/api-key-token";
import { checkUsageRollups, ensureRollupTimeZones, unsealUsageDays } from "../lib/db/mutations/usage-rollups";
import { pgRunner } from "../lib/db/sql";
import { sketchFromSamples } from "../lib/domain/latency-sketch";
import { createOrgFixture } from "../lib/testing/org-fixture";
import { createTemplate, createTestDatabase, startTestServer } from "../lib/testing/test-database";
import { percentile, startProductionServer, writeBenchSection } from "./lib/bench-common";
import { runMain } from "./lib/errors";
import { endChild, SERVER_NODE_FLAGS } from "./lib/processes";
import { postgresPids, processTree, treeCpuSeconds } from "./lib/proc-stats";

const TARGET_WINDOWS_PER_SECOND = 20_000;
const DEPLOYMENTS = 100;
const BATCH = 1_000;
const PER_DEPLOYMENT = BATCH / DEPLOYMENTS;
const WINDOW_SECONDS = 60;
/** Bodies are built ahead for up to this rate (a client that outruns them builds the rest as it goes, and the run says how many). */
const PREBUILT_WINDOWS_PER_SECOND = 40_000;
const BASE = Date.parse("2026-06-01T00:00:00Z");

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "4" },
    seconds: { type: "string", default: "30" },
    "warm-up": { type: "string", default: "5" },
    "no-write": { type: "boolean", default: false },
    /** A directory for a V8 CPU profile of the server (written when it exits). */
    profile: { type: "string" },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const WARM_UP_SECONDS = Number(args["warm-up"]);
if (!(CLIENTS >= 1 && SECONDS >= 1 && WARM_UP_SECONDS >= 0)) throw new Error("--clients, --seconds and --warm-up must be positive numbers");

/** A few latency sketches to pick from (a real gateway's windows carry one each). */
const SKETCHES = Array.from({ length: 16 }, (_, i) => sketchFromSamples(Array.from({ length: 40 }, (_, j) => 80 + ((i * 37 + j * 53) % 900))));

/** A client's batch `n`: 10 consecutive windows on each of its 100 deployments, after every earlier batch's. */
function batchBody(deploymentIds: readonly number[], n: number): Buffer {
  const windows = [];
  for (let d = 0; d < DEPLOYMENTS; d++) {
    for (let k = 0; k < PER_DEPLOYMENT; k++) {
      const slot = n * PER_DEPLOYMENT + k;
      const sketch = SKETCHES[(slot + d) % SKETCHES.length]!;
      windows.push({
        deploymentId: deploymentIds[d]!,
        windowStart: new Date(BASE + slot * WINDOW_SECONDS * 1000).toISOString(),
        windowSeconds: WINDOW_SECONDS,
        requests: 40,
        errors: (slot + d) % 3 === 0 ? 1 : 0,
        inputTokens: 30_000 + d,
        cachedInputTokens: 5_000,
        outputTokens: 9_000 + k,
        latency: { kind: "sketch", keys: sketch.keys, counts: sketch.counts },
      });
    }
  }
  return Buffer.from(JSON.stringify({ windows }));
}

/** Keep-alive connections for the clients: node:http costs the clients about half the CPU of fetch, and they share the machine with the server. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function postJson(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": String(body.byteLength) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

interface Phase {
  /** CPU milliseconds per acknowledged batch: the server's process tree, and PostgreSQL's backends of the run's database. */
  appCpuMs: number;
  pgCpuMs: number;
  /** This process: the clients' own CPU (they share the machine). */
  clientCpuMs: number;
  clients: number;
  seconds: number;
  batches: number;
  windows: number;
  errors: number;
  ms: number[];
  load: number[];
}

runMain(async () => {
  const server = await startTestServer();
  try {
    await createTemplate(server.adminUrl);
    const database = await createTestDatabase(server.adminUrl, "api");
    const databaseName = new URL(database.url).pathname.slice(1);
    const fx = await createOrgFixture(database.url);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await ensureRollupTimeZones(pgRunner(client));
    // The gateways post "today's" traffic: the clock of this run is BASE, whose days are not sealed yet (usage-rollups.ts
    // sealUsageDays; the roller seals a day an hour after it ends), so batches take the live path, as they would at the real
    // time. The server's roller, at the real time, would seal them under the run: it is off (BURNRATE_COST_ROLLER).
    await unsealUsageDays(pgRunner(client), new Date(BASE));
    const { rows: deployments } = await client.query<{ id: number }>(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       select $1, 'gateway-' || g, 'Llama-3.1-70B', 'VLLM', 'NONE', 'CONTINUOUS', $2, 'aws', 'ON_DEMAND', 2, '2026-05-01T00:00:00Z', now() from generate_series(1, ${DEPLOYMENTS * CLIENTS}) g
       returning id`,
      [fx.teamId, fx.gpuTypeId],
    );
    const deploymentIds = deployments.map((d) => d.id).sort((a, b) => a - b);
    /** Client i's deployments: a gateway posts for the deployments behind it. */
    const groups = Array.from({ length: CLIENTS }, (_, i) => deploymentIds.slice(i * DEPLOYMENTS, (i + 1) * DEPLOYMENTS));
    const key = generateApiKeyToken();
    await client.query(`insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes) values ($1, $2, 'bench', $3, $4, '{USAGE_WRITE}')`, [fx.orgId, fx.teamId, key.prefix, key.secretHash]);
    const env = { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const, BURNRATE_COST_ROLLER: "off" };
    const { app, base } = await startProductionServer(env, args.profile ? ["--cpu-prof", `--cpu-prof-dir=${args.profile}`] : []);
    try {
      /** Batches sent per client (its windows follow one another in time). */
      const nextBatch = groups.map(() => 0);
      let acknowledged = 0;
      /** Bodies built before a phase, by client and batch number: the clients' JSON encoding is not the server's work, so it stays out of the timed interval. */
      const prebuilt = groups.map(() => new Map<number, Buffer>());
      let builtLate = 0;
      const prebuild = (clients: number) => {
        const perClient = Math.ceil((PREBUILT_WINDOWS_PER_SECOND * (WARM_UP_SECONDS + SECONDS)) / BATCH / clients);
        for (let group = 0; group < clients; group++) {
          prebuilt[group]!.clear();
          for (let n = nextBatch[group]!; n < nextBatch[group]! + perClient; n++) prebuilt[group]!.set(n, batchBody(groups[group]!, n));
        }
      };
      const post = async (group: number): Promise<{ ok: boolean; ms: number }> => {
        const n = nextBatch[group]!++;
        let body = prebuilt[group]!.get(n);
        if (body === undefined) {
          builtLate += 1;
          body = batchBody(groups[group]!, n);
        }
        const started = performance.now();
        try {
          const res = await postJson(`${base}/api/v1/usage-windows`, body, { authorization: `Bearer ${key.token}`, "idempotency-key": `bench-${group}-${n}` });
          if (res.status !== 200) console.error(`client ${group} batch ${n}: ${res.status} ${res.text.slice(0, 300)}`);
          else acknowledged += 1;
          return { ok: res.status === 200, ms: performance.now() - started };
        } catch (error) {
          console.error(`client ${group} batch ${n}: ${String(error)}`);
          return { ok: false, ms: performance.now() - started };
        }
      };
      const runPhase = async (clients: number): Promise<Phase> => {
        prebuild(clients);
        const phase: Phase = { clients, seconds: SECONDS, batches: 0, windows: 0, errors: 0, ms: [], load: [], appCpuMs: 0, pgCpuMs: 0, clientCpuMs: 0 };
        let measuring = false;
        const stopAt = performance.now() + (WARM_UP_SECONDS + SECONDS) * 1000;
        const worker = async (group: number) => {
          while (performance.now() < stopAt) {
            const result = await post(group);
            if (!measuring || performance.now() > stopAt) continue;
            phase.batches += 1;
            if (result.ok) {
              phase.windows += BATCH;
              phase.ms.push(result.ms);
            } else phase.errors += 1;
          }
        };
        const workers = Array.from({ length: clients }, (_, group) => worker(group));
        await new Promise((r) => setTimeout(r, WARM_UP_SECONDS * 1000));
        measuring = true;
        const from = performance.now();
        phase.load.push(os.loadavg()[0]!);
        const serverPids = processTree(app.pid!);
        const pgPids = postgresPids(databaseName);
        const cpu0 = { app: treeCpuSeconds(serverPids), pg: treeCpuSeconds(pgPids), client: process.cpuUsage() };
        await Promise.all(workers);
        phase.seconds = (Math.min(performance.now(), stopAt) - from) / 1000;
        phase.load.push(os.loadavg()[0]!);
        // The measured interval's CPU, less what the batches that finished after it (timed out of the count) ran past it: a small overcount.
        const batches = Math.max(1, phase.batches - phase.errors);
        phase.appCpuMs = ((treeCpuSeconds(serverPids) - cpu0.app) * 1000) / batches;
        phase.pgCpuMs = ((treeCpuSeconds(postgresPids(databaseName)) - cpu0.pg) * 1000) / batches;
        const client = process.cpuUsage(cpu0.client);
        phase.clientCpuMs = (client.user + client.system) / 1000 / batches;
        return phase;
      };
      const phases = [await runPhase(1), ...(CLIENTS > 1 ? [await runPhase(CLIENTS)] : [])];

      // Every acknowledged window stored once; rollups equal to a recomputation from raw.
      const { rows: stored } = await client.query<{ n: string }>(`select count(*)::text as n from inference_usage_windows`);
      const storedWindows = Number(stored[0]!.n);
      const sent = nextBatch.reduce((a, b) => a + b, 0);
      const written = sent * BATCH;
      const check = await checkUsageRollups(pgRunner(client), {
        deploymentIds,
        start: new Date(BASE),
        end: new Date(BASE + (Math.max(...nextBatch) * PER_DEPLOYMENT + 1) * WINDOW_SECONDS * 1000),
      });
      const consistent = storedWindows === acknowledged * BATCH && check.mismatches.length === 0;
      const rows = phases.map((p) => {
        const rate = p.windows / p.seconds;
        return {
          p,
          rate,
          line: `| ${p.clients} | ${p.seconds.toFixed(1)} | ${p.batches} | ${Math.round(rate).toLocaleString("en-US")} | ${percentile(p.ms, 0.5).toFixed(0)} | ${percentile(p.ms, 0.95).toFixed(0)} | ${p.errors} | ${p.appCpuMs.toFixed(0)} | ${p.pgCpuMs.toFixed(0)} | ${p.clientCpuMs.toFixed(0)} | ${p.load.map((l) => l.toFixed(1)).join("–")} |`,
        };
      });
      for (const r of rows) console.log(r.line);
      if (builtLate > 0) console.log(`${builtLate} batches outran the bodies built ahead and were built while timed`);
      console.log(`${acknowledged} of ${sent} batches acknowledged (${written.toLocaleString("en-US")} windows sent), ${storedWindows.toLocaleString("en-US")} stored, rollups checked over ${check.rows.toLocaleString("en-US")} rows: ${check.mismatches.length} mismatches`);
      if (!consistent) throw new Error(`the database does not hold exactly the acknowledged windows with rollups in step: ${check.mismatches.slice(0, 5).join("; ")}`);
      if (args["no-write"]) return;
      const best = rows.reduce((a, b) => (b.rate > a.rate ? b : a));
      const met = best.rate >= TARGET_WINDOWS_PER_SECOND && best.p.errors === 0;
      const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU";
      const section = [
        "## Usage windows through the API",
        "",
        `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC by \`npm run bench:api\` on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded PostgreSQL 18, production build (\`next start\`); the clients run on the same machine.`,
        `Method: clients post batches of ${BATCH.toLocaleString("en-US")} windows — ${PER_DEPLOYMENT} consecutive ${WINDOW_SECONDS}-second windows on each of ${DEPLOYMENTS} deployments, each with a latency sketch — to \`POST /api/v1/usage-windows\` with a team API key and an Idempotency-Key per batch. Each client is a gateway posting for its own ${DEPLOYMENTS} deployments (all of the key's one team, so their team rollup rows are shared), sending its next batch when the previous answer is complete, for ${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up. Bodies are encoded before each phase (a gateway on another machine does that work; here it would take the server's CPU)${builtLate > 0 ? `, except ${builtLate} batches that outran them` : ""}, and posted with node:http over keep-alive connections (fetch cost the clients ~6 ms of CPU per batch on the server's two cores; their CPU is in the table). Every batch is checked (the entity schema per window, references, overlaps), written with its audit entries and rollups in one transaction. The windows fall on days not sealed yet (the run's clock is ${new Date(BASE).toISOString().slice(0, 10)}; its server's roller is off), as a gateway's traffic for today does: they add to the 15-minute and team-hour rollups, and the day rows are built when the day is sealed. The baseline is one client (no concurrency) in the same run. Latency is one batch's request to its complete answer. CPU per batch is read from /proc over the timed interval: the server's process tree, the PostgreSQL backends serving the run's database, and the clients' process. The server runs with the flags \`npm start\` gives it (scripts/lib/processes.ts SERVER_NODE_FLAGS: ${SERVER_NODE_FLAGS.join(" ")}).`,
        "",
        "| clients | seconds | batches | windows/s | batch p50 (ms) | batch p95 (ms) | errors | server CPU / batch (ms) | PostgreSQL CPU / batch (ms) | clients' CPU / batch (ms) | load (1 min) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ...rows.map((r) => r.line),
        "",
        `Afterwards: ${acknowledged.toLocaleString("en-US")} batches acknowledged, ${storedWindows.toLocaleString("en-US")} windows stored (each acknowledged window exactly once), and every rollup row of the ${deploymentIds.length} deployments (and their team) equal to a recomputation from raw (${check.rows.toLocaleString("en-US")} rows checked).`,
        "",
        `Target: at least ${TARGET_WINDOWS_PER_SECOND.toLocaleString("en-US")} windows/s with no errors and the rollups in step: ${met ? "met" : `missed (${Math.round(best.rate).toLocaleString("en-US")} windows/s)`}.`,
      ].join("\n");
      writeBenchSection("api", section);
      console.log("Wrote the API section of BENCHMARKS.md.");
    } finally {
      await endChild(app);
      await client.end();
      await database.drop();
    }
  } finally {
    await server.stop();
  }
});
