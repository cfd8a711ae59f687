// npm run bench:pages — server response time of every page on the demo data: time to first
// byte of the HTML and time to the complete streamed document, written to BENCHMARKS.md.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { seedDatabase } from "../lib/seed/write";
import { createTemplate, createTestDatabase, freePort, startTestServer } from "../lib/testing/test-database";
import { isBuildCurrent, markBuildCurrent } from "./lib/build-stamp";
import { benchSessionCookie } from "./lib/bench-session";
import { runMain } from "./lib/errors";
import { endChild, NEXT_BIN, runNode } from "./lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const RUNS = 20;
const WARM_UP = 3;
const TARGET_MS = 300;

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

function replaceSection(markdown: string, section: string): string {
  const start = "<!-- pages:start -->";
  const end = "<!-- pages:end -->";
  const block = `${start}\n${section}\n${end}`;
  if (markdown.includes(start) && markdown.includes(end)) {
    return markdown.slice(0, markdown.indexOf(start)) + block + markdown.slice(markdown.indexOf(end) + end.length);
  }
  return `${markdown.trimEnd()}\n\n${block}\n`;
}

runMain(async () => {
  const server = await startTestServer();
  try {
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
    const env = { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const };
    if (!isBuildCurrent(root)) {
      await runNode([NEXT_BIN, "build"], env);
      markBuildCurrent(root);
    }
    const port = await freePort();
    const app = spawn(process.execPath, [NEXT_BIN, "start", "--port", String(port), "--hostname", "127.0.0.1"], { env, stdio: "ignore" });
    const base = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 120; i++) {
        try {
          if ((await fetch(`${base}/api/health`)).ok) break;
        } catch {
          // starting
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const pages = [
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
      ];
      const rows: string[] = [];
      let worstTtfb = 0;
      let worstTotal = 0;
      for (const page of pages) {
        for (let i = 0; i < WARM_UP; i++) await timePage(base + page);
        const samples = [];
        for (let i = 0; i < RUNS; i++) samples.push(await timePage(base + page));
        if (samples.some((s) => s.status !== 200)) throw new Error(`${page} answered ${samples.find((s) => s.status !== 200)!.status}`);
        const ttfb = samples.map((s) => s.ttfbMs);
        const total = samples.map((s) => s.totalMs);
        worstTtfb = Math.max(worstTtfb, percentile(ttfb, 0.95));
        worstTotal = Math.max(worstTotal, percentile(total, 0.95));
        rows.push(
          `| \`${page}\` | ${percentile(ttfb, 0.5).toFixed(0)} | ${percentile(ttfb, 0.95).toFixed(0)} | ${percentile(total, 0.5).toFixed(0)} | ${percentile(total, 0.95).toFixed(0)} |`,
        );
        console.log(rows.at(-1));
      }
      const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU";
      const section = [
        "## Page response times (demo data)",
        "",
        `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:pages\` on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded PostgreSQL 18, production build (\`next start\`).`,
        `Dataset: the demo seed (${counts.rows[0]!.runs} training runs, ${Number(counts.rows[0]!.windows).toLocaleString("en-US")} usage windows, seeded in ${seeded.seconds.toFixed(1)} s). ${WARM_UP} warm-up requests, then ${RUNS} sequential requests per page.`,
        "",
        "Pages stream: the first byte carries the layout and skeletons, the rest arrives as each Suspense boundary's data resolves. Both are shown; the target is the first byte.",
        "",
        "| page | TTFB p50 (ms) | TTFB p95 (ms) | complete p50 (ms) | complete p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
        ...rows,
        "",
        `Target: time to first byte under ${TARGET_MS} ms on every page — worst p95 ${worstTtfb.toFixed(0)} ms: ${worstTtfb < TARGET_MS ? "met" : "missed"}. Worst p95 to the complete document: ${worstTotal.toFixed(0)} ms${worstTotal < TARGET_MS ? " (also under the target)" : ""}.`,
      ].join("\n");
      const file = path.join(root, "BENCHMARKS.md");
      writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n", section));
      console.log(`Wrote the pages section of BENCHMARKS.md (worst TTFB p95 ${worstTtfb.toFixed(0)} ms, complete ${worstTotal.toFixed(0)} ms).`);
    } finally {
      await endChild(app);
      await database.drop();
    }
  } finally {
    await server.stop();
  }
});
