// npm run bench:pages — server response time of every page on the demo data (or, with
// --dataset=10m, on the bench's 10M-window dataset): time to first byte of the HTML and time
// to the complete streamed document, written to BENCHMARKS.md.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { seedDatabase } from "../lib/seed/write";
import { rollAllCosts } from "../lib/db/mutations/cost-rollups";
import { pgRunner } from "../lib/db/sql";
import { createTemplate, createTestDatabase, freePort, startTestServer, withDatabase } from "../lib/testing/test-database";
import { startBenchServer } from "./bench/load";
import { isBuildCurrent, markBuildCurrent } from "./lib/build-stamp";
import { benchSessionCookie } from "./lib/bench-session";
import { runMain, StartupError } from "./lib/errors";
import { applyMigrations } from "./lib/schema-engine";
import { endChild, NEXT_BIN, nextServerArgs, runNode, waitForHealth } from "./lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const RUNS = 20;
const WARM_UP = 3;
const AFTER_WRITE_RUNS = 5;
/** Every dashboard page's complete document, p95 (issue 14). */
const TARGET_MS = 500;

/** The signed-in session the pages are measured with (the demo org's owner). */
let cookie = "";

async function timePage(url: string): Promise<{ ttfbMs: number; totalMs: number; status: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { accept: "text/html", cookie }, redirect: "manual" });
  const reader = res.body!.getReader();
  const first = await reader.read();
  const ttfbMs = performance.now() - started;
  let done = first.done;
  while (!done) done = (await reader.read()).done;
  return { ttfbMs, totalMs: performance.now() - started, status: res.status };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function replaceSection(markdown: string, section: string, marker: string): string {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const block = `${start}\n${section}\n${end}`;
  if (markdown.includes(start) && markdown.includes(end)) {
    return markdown.slice(0, markdown.indexOf(start)) + block + markdown.slice(markdown.indexOf(end) + end.length);
  }
  return `${markdown.trimEnd()}\n\n${block}\n`;
}

interface PageSet {
  databaseUrl: string;
  pages: string[];
  title: string;
  dataset: string;
  marker: string;
  cleanup: () => Promise<void>;
}

/** `--dataset=10m` (or 1m): the bench's stored dataset (npm run bench) instead of the demo seed. */
const datasetArg = process.argv.find((a) => a.startsWith("--dataset="))?.slice("--dataset=".length);
/** `--only=/api/reports,/reports/2026-09`: measure only the pages starting with one of these (`=/`: exactly this path), print the rows, leave BENCHMARKS.md alone. */
const onlyArg = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",").filter(Boolean);

async function demoPages(): Promise<PageSet> {
  const server = await startTestServer();
  await createTemplate(server.adminUrl);
  const database = await createTestDatabase(server.adminUrl, "pages");
  const seeded = await seedDatabase({ url: database.url, reset: false });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows: [ids] } = await client.query<{ run: number; deployment: number; team: string }>(
    `select (select id from training_runs order by "startedAt" desc limit 1) as run,
            (select id from inference_deployments order by id limit 1) as deployment,
            (select slug from teams order by id limit 1) as team`,
  );
  const counts = await client.query<{ runs: string; windows: string }>(`select (select count(*) from training_runs)::text as runs, (select count(*) from inference_usage_windows)::text as windows`);
  await client.end();
  cookie = await benchSessionCookie(database.url, { orgSlug: "demo" });
  return {
    databaseUrl: database.url,
    title: "## Page response times (demo data)",
    dataset: `the demo seed (${counts.rows[0]!.runs} training runs, ${Number(counts.rows[0]!.windows).toLocaleString("en-US")} usage windows, seeded in ${seeded.seconds.toFixed(1)} s)`,
    marker: "pages",
    pages: [
      "/",
      "/?range=90d",
      "/teams",
      `/teams/${ids!.team}`,
      "/training",
      "/training?range=90d&sort=cost&dir=desc",
      `/training/${ids!.run}`,
      "/inference",
      `/inference/${ids!.deployment}`,
      `/inference/${ids!.deployment}?range=30d`,
      "/reports",
      "/settings",
      "/training/new",
      `/training/${ids!.run}/edit`,
      `/inference/${ids!.deployment}/edit`,
      `/inference/${ids!.deployment}/usage/new`,
      "/import",
      "/estimate",
    ],
    cleanup: async () => {
      await database.drop();
      await server.stop();
    },
  };
}

/**
 * The bench's dataset (10,093,991 windows, 100,000 runs at the 10m tier),
 * which ends at its own "now" (2026-11-01): views use explicit date ranges
 * ending there. Cost rollups are first brought up to date at the real time,
 * as the app's background roller keeps them, so the measured pages read what
 * a running server reads.
 */
async function datasetPages(tier: string): Promise<PageSet> {
  const server = await startBenchServer(() => {});
  const url = withDatabase(server.adminUrl, `burnrate_bench_${tier}`);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const meta = await client.query<{ value: unknown }>(`select value from bench_meta where key = 'complete'`);
    if (meta.rows[0]?.value !== true) throw new Error("incomplete");
  } catch {
    await server.stop();
    throw new StartupError(`no complete ${tier} bench dataset in bench-data/: run \`npm run bench -- --tiers=${tier}\` first`);
  }
  const applied = await applyMigrations(url);
  if (applied.length > 0) console.log(`Applied ${applied.join(", ")}`);
  const rolled = await rollAllCosts(
    async (work) => {
      await client.query("begin");
      try {
        const result = await work(pgRunner(client));
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      }
    },
    { isAdvancing: true, chunk: 2_000 },
  );
  console.log(`Cost rollups brought up to date: ${rolled.runs} runs, ${rolled.deployments} deployments`);
  const { rows: [ids] } = await client.query<{ run: number; deployment: number; team: string; runs: string; windows: string }>(
    `select (select id from training_runs where "endedAt" is not null order by "startedAt" desc limit 1) as run,
            (select "deploymentId" from usage_rollup_day group by "deploymentId" order by sum(requests) desc limit 1) as deployment,
            (select slug from teams order by id limit 1) as team,
            (select count(*) from training_runs)::text as runs,
            (select reltuples::bigint from pg_class where relname = 'inference_usage_windows')::text as windows`,
  );
  await client.end();
  cookie = await benchSessionCookie(url);
  const range = "from=2026-08-03&to=2026-10-31";
  return {
    databaseUrl: url,
    title: `## Page response times at the ${tier} tier`,
    dataset: `the bench's ${tier} dataset (${Number(ids!.runs).toLocaleString("en-US")} training runs, about ${Number(ids!.windows).toLocaleString("en-US")} usage windows; it ends on 2026-11-01, so views use the 90 days before it: \`${range}\`)`,
    marker: `pages-${tier}`,
    pages: [
      "/",
      `/?${range}`,
      `/teams/${ids!.team}?${range}`,
      `/training?from=2025-11-01&to=2026-10-31&sort=cost&dir=desc`,
      `/training?from=2025-11-01&to=2026-10-31&sort=cost&dir=desc&page=500`,
      `/training/${ids!.run}`,
      `/inference?${range}`,
      `/inference/${ids!.deployment}?${range}`,
      `/inference/${ids!.deployment}?from=2025-11-01&to=2026-10-31`,
      "/reports/2026-09",
      "/api/reports/2026-09/lines.csv",
      "/api/reports/2026-09/focus.csv",
    ],
    cleanup: () => server.stop(),
  };
}

runMain(async () => {
  const set = datasetArg ? await datasetPages(datasetArg) : await demoPages();
  try {
    const env = { ...process.env, DATABASE_URL: set.databaseUrl, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const };
    if (!isBuildCurrent(root)) {
      await runNode([NEXT_BIN, "build"], env);
      markBuildCurrent(root);
    }
    const port = await freePort();
    const app = spawn(process.execPath, nextServerArgs({ port }), { env, stdio: "ignore" });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForHealth(base);
      const pages = onlyArg ? set.pages.filter((page) => onlyArg.some((prefix) => (prefix.startsWith("=") ? page === prefix.slice(1) : page.startsWith(prefix)))) : set.pages;
      const rows: string[] = [];
      let worstTtfb = 0;
      let worstTotal = 0;
      let worstAfterWrite = 0;
      let worstAfterUsage = 0;
      const bumper = new pg.Client({ connectionString: set.databaseUrl });
      await bumper.connect();
      for (const page of pages) {
        for (let i = 0; i < WARM_UP; i++) await timePage(base + page);
        // After a write the page computes its read models again: a committed bump of a data version (what every write commits) before each of these —
        // the records version (a form, an import: every read model recomputes), then the usage version alone (usage ingest: only the read models that read usage).
        const afterWrite = [];
        for (let i = 0; i < AFTER_WRITE_RUNS; i++) {
          await bumper.query(`update data_version set version = version + 1 where id = 1`);
          afterWrite.push((await timePage(base + page)).totalMs);
        }
        worstAfterWrite = Math.max(worstAfterWrite, percentile(afterWrite, 0.95));
        const afterUsage = [];
        for (let i = 0; i < AFTER_WRITE_RUNS; i++) {
          await bumper.query(`update data_version set version = version + 1 where id = 2`);
          afterUsage.push((await timePage(base + page)).totalMs);
        }
        worstAfterUsage = Math.max(worstAfterUsage, percentile(afterUsage, 0.95));
        const samples = [];
        for (let i = 0; i < RUNS; i++) samples.push(await timePage(base + page));
        if (samples.some((s) => s.status !== 200)) throw new Error(`${page} answered ${samples.find((s) => s.status !== 200)!.status}`);
        const ttfb = samples.map((s) => s.ttfbMs);
        const total = samples.map((s) => s.totalMs);
        worstTtfb = Math.max(worstTtfb, percentile(ttfb, 0.95));
        worstTotal = Math.max(worstTotal, percentile(total, 0.95));
        rows.push(
          `| \`${page}\` | ${percentile(ttfb, 0.5).toFixed(0)} | ${percentile(ttfb, 0.95).toFixed(0)} | ${percentile(total, 0.5).toFixed(0)} | ${percentile(total, 0.95).toFixed(0)} | ${percentile(afterWrite, 0.5).toFixed(0)} | ${percentile(afterWrite, 0.95).toFixed(0)} | ${percentile(afterUsage, 0.5).toFixed(0)} | ${percentile(afterUsage, 0.95).toFixed(0)} |`,
        );
        console.log(rows.at(-1));
      }
      const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU";
      const section = [
        set.title,
        "",
        `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:pages\` on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded PostgreSQL 18, production build (\`next start\`).`,
        `Dataset: ${set.dataset}. ${WARM_UP} warm-up requests, then ${RUNS} sequential requests per page. Load average before measuring: ${os.loadavg()[0]!.toFixed(1)}. ` +
          `Nothing is written meanwhile, so after the warm-up a dashboard's document is replayed from the page cache (lib/cache/page-cache.ts: the same person's page for the same data version and minute, with a fresh nonce), and the other pages' read models — and the exports' bytes — come from the in-process read cache (lib/cache, invalidated by every write): the first four columns are steady-state times. ` +
          `"After a write": ${AFTER_WRITE_RUNS} more requests per page, each right after a committed bump of the records data version (what a form or an import commits), so the page is rendered again (for a dashboard, through the page cache's loopback fill) and computes all its read models from the database again. ` +
          `"After usage": ${AFTER_WRITE_RUNS} more, each right after a bump of the usage version alone (what usage ingest — the API, Prometheus — commits, with the audit log's): the page is rendered again, but only the read models that read usage are computed again; costs, runs and budgets stay cached (lib/cache/read-models.ts).`,
        "",
        "Pages stream: the first byte carries the layout and skeletons, the rest arrives as each Suspense boundary's data resolves, so a page's speed is the time to its complete document. Both are shown.",
        "",
        "| page | TTFB p50 (ms) | TTFB p95 (ms) | complete p50 (ms) | complete p95 (ms) | after a write: complete p50 (ms) | after a write: complete p95 (ms) | after usage: complete p50 (ms) | after usage: complete p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...rows,
        "",
        `Target: the complete document under ${TARGET_MS} ms p95 on every page — worst p95 ${worstTotal.toFixed(0)} ms: ${worstTotal < TARGET_MS ? "met" : "**missed**"}. Worst first-byte p95: ${worstTtfb.toFixed(0)} ms. Right after a write, the worst complete p95 is ${worstAfterWrite.toFixed(0)} ms; right after usage ingest, ${worstAfterUsage.toFixed(0)} ms.`,
      ].join("\n");
      await bumper.end();
      if (onlyArg) {
        console.log(`--only: BENCHMARKS.md left as it is (worst TTFB p95 ${worstTtfb.toFixed(0)} ms, complete ${worstTotal.toFixed(0)} ms; load average ${os.loadavg()[0]!.toFixed(1)}).`);
        return;
      }
      const file = path.join(root, "BENCHMARKS.md");
      writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n", section, set.marker));
      console.log(`Wrote the pages section of BENCHMARKS.md (worst TTFB p95 ${worstTtfb.toFixed(0)} ms, complete ${worstTotal.toFixed(0)} ms).`);
    } finally {
      await endChild(app);
    }
  } finally {
    await set.cleanup();
  }
});
