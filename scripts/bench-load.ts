// npm run bench:load — many readers at once: N virtual users (default 20), signed in as a
// few demo people with different scopes, each looping over a mix of dashboard URLs against a
// production build on the demo data for a fixed time after a warm-up. Every request is
// measured to its complete body. Reports requests/s, p50/p95/p99, errors, the share
// answered from the page cache, the server's peak RSS and CPU per request, in three phases
// (page cache off as the baseline, on, and on with a write every few seconds), and writes
// a section of BENCHMARKS.md.
//
//   npm run bench:load -- [--users 20] [--seconds 60] [--warm-up 15] [--no-write] [--profile DIR]
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { seedDatabase } from "../lib/seed/write";
import { createTemplate, createTestDatabase, freePort, startTestServer } from "../lib/testing/test-database";
import { isBuildCurrent, markBuildCurrent } from "./lib/build-stamp";
import { benchSessionCookie } from "./lib/bench-session";
import { runMain } from "./lib/errors";
import { endChild, NEXT_BIN, nextServerArgs, runNode, waitForHealth } from "./lib/processes";
import { postgresPids, processTree, treeCpuSeconds, treeRss } from "./lib/proc-stats";

const root = path.resolve(import.meta.dirname, "..");
const TARGET_RPS = 50;
const TARGET_P95_MS = 1000;
const TARGET_RSS_MB = 1024;
const WRITE_EVERY_SECONDS = 5;

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "20" },
    seconds: { type: "string", default: "60" },
    "warm-up": { type: "string", default: "15" },
    "no-write": { type: "boolean", default: false },
    /** A directory for a V8 CPU profile of the server (written when it exits). */
    profile: { type: "string" },
  },
});
const USERS = Number(args.users);
const SECONDS = Number(args.seconds);
const WARM_UP_SECONDS = Number(args["warm-up"]);
if (!(USERS >= 1 && SECONDS >= 1 && WARM_UP_SECONDS >= 0)) throw new Error("--users, --seconds and --warm-up must be positive numbers");

interface Sample {
  url: string;
  ms: number;
  ok: boolean;
  bytes: number;
  /** x-burnrate-page-cache: "hit" (replayed), "miss" (rendered and kept) or null (rendered, not kept). */
  cache: string | null;
}

interface Phase {
  name: string;
  writes: number;
  samples: Sample[];
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  hitShare: number;
  rssMb: number;
  startRssMb: number;
  appCpuMs: number;
  pgCpuMs: number;
  load: string;
}

async function timeRequest(url: string, cookie: string): Promise<Sample> {
  const started = performance.now();
  try {
    const res = await fetch(url, { headers: { accept: "text/html", cookie }, redirect: "manual" });
    const reader = res.body!.getReader();
    let bytes = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
    return { url, ms: performance.now() - started, ok: res.status === 200, bytes, cache: res.headers.get("x-burnrate-page-cache") };
  } catch {
    return { url, ms: performance.now() - started, ok: false, bytes: 0, cache: null };
  }
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function replaceSection(markdown: string, section: string): string {
  const start = "<!-- load:start -->";
  const end = "<!-- load:end -->";
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
    const database = await createTestDatabase(server.adminUrl, "load");
    await seedDatabase({ url: database.url, reset: false });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // Targets a Research viewer may see too (the demo viewer's team), so every URL answers 200 for every person.
    const { rows: [ids] } = await client.query<{ deployment: number; team: string; other: string; month: string; prev: string }>(
      `select (select d.id from inference_deployments d join teams t on t.id = d."teamId" where t.slug = 'research' order by d.id limit 1) as deployment,
              'research' as team,
              (select slug from teams where slug <> 'research' order by id limit 1) as other,
              to_char(now(), 'YYYY-MM') as month,
              to_char(now() - interval '1 month', 'YYYY-MM') as prev`,
    );
    const counts = await client.query<{ runs: string; windows: string }>(`select (select count(*) from training_runs)::text as runs, (select count(*) from inference_usage_windows)::text as windows`);
    await client.end();
    const dbName = new URL(database.url).pathname.slice(1);
    const people = [
      { email: "admin@burnrate.dev", scope: "org admin (all teams)" },
      { email: "viewer@burnrate.dev", scope: "Research viewer" },
      { email: "applied-viewer@burnrate.dev", scope: "Applied viewer" },
    ];
    const cookies = await Promise.all(people.map((p) => benchSessionCookie(database.url, { orgSlug: "demo", email: p.email })));
    const env = { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const };
    if (!isBuildCurrent(root)) {
      await runNode([NEXT_BIN, "build"], env);
      markBuildCurrent(root);
    }
    const profile = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
    const urlsFor = (person: number) => {
      const team = person === 2 ? "applied" : ids!.team;
      return [
        "/",
        "/?range=30d",
        "/?range=90d",
        "/training",
        "/training?sort=cost&dir=desc",
        "/inference",
        // The Applied viewer can't see the Research deployment: their own team's list instead.
        person === 2 ? "/inference?range=7d" : `/inference/${ids!.deployment}`,
        `/teams/${team}`,
        "/reports",
        `/reports/${ids!.prev}`,
      ];
    };

    /** One measured phase against a fresh `next start` with `extraEnv`; `writeEverySeconds` commits a data-version bump (what every write commits) that often. */
    const runPhase = async (name: string, extraEnv: Record<string, string>, writeEverySeconds: number | null): Promise<Phase> => {
      const port = await freePort();
      const app = spawn(process.execPath, nextServerArgs({ port, extraNodeArgs: profile }), { env: { ...env, ...extraEnv }, stdio: "ignore" });
      const base = `http://127.0.0.1:${port}`;
      const writer = new pg.Client({ connectionString: database.url });
      await writer.connect();
      try {
        await waitForHealth(base);
        // Every URL answers 200 before anything is timed.
        for (let p = 0; p < people.length; p++) {
          for (const url of urlsFor(p)) {
            const s = await timeRequest(base + url, cookies[p]!);
            if (!s.ok) throw new Error(`${url} as ${people[p]!.email} did not answer 200`);
          }
        }
        const appPid = app.pid!;
        let peakRss = treeRss(appPid);
        let startRss = peakRss;
        const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, treeRss(appPid))), 100);
        const samples: Sample[] = [];
        let measuring = false;
        let stopAt = Infinity;
        let writes = 0;
        const loadAverages: number[][] = [];
        const loadTimer = setInterval(() => measuring && loadAverages.push(os.loadavg()), 5000);
        const writeTimer = writeEverySeconds
          ? setInterval(() => {
              if (!measuring) return;
              writes++;
              void writer.query(`update data_version set version = version + 1 where id = 1`);
            }, writeEverySeconds * 1000)
          : undefined;
        const user = async (n: number) => {
          const person = n % people.length;
          const urls = urlsFor(person);
          // Each user starts at a different place in the mix.
          for (let i = n; performance.now() < stopAt; i++) {
            const s = await timeRequest(base + urls[i % urls.length]!, cookies[person]!);
            if (measuring && performance.now() <= stopAt) samples.push(s);
          }
        };
        stopAt = performance.now() + (WARM_UP_SECONDS + SECONDS) * 1000;
        const users = Array.from({ length: USERS }, (_, n) => user(n));
        await new Promise((r) => setTimeout(r, WARM_UP_SECONDS * 1000));
        const serverPids = processTree(appPid);
        const pgPids = postgresPids(dbName);
        const cpu0 = { app: treeCpuSeconds(serverPids), pg: treeCpuSeconds(pgPids) };
        startRss = treeRss(appPid);
        peakRss = startRss;
        measuring = true;
        const measuredFrom = performance.now();
        loadAverages.push(os.loadavg());
        await Promise.all(users);
        const elapsed = (Math.min(performance.now(), stopAt) - measuredFrom) / 1000;
        const cpu1 = { app: treeCpuSeconds(processTree(appPid)), pg: treeCpuSeconds(pgPids) };
        clearInterval(rssTimer);
        clearInterval(loadTimer);
        clearInterval(writeTimer);
        loadAverages.push(os.loadavg());
        const ok = samples.filter((s) => s.ok);
        const ms = ok.map((s) => s.ms);
        const load1 = loadAverages.map((l) => l[0]!);
        const phase: Phase = {
          name,
          writes,
          samples: ok.map((s) => ({ ...s, url: s.url.slice(base.length) })),
          errors: samples.length - ok.length,
          rps: ok.length / elapsed,
          p50: percentile(ms, 0.5),
          p95: percentile(ms, 0.95),
          p99: percentile(ms, 0.99),
          hitShare: ok.filter((s) => s.cache === "hit").length / Math.max(1, ok.length),
          rssMb: peakRss / 2 ** 20,
          startRssMb: startRss / 2 ** 20,
          appCpuMs: ((cpu1.app - cpu0.app) / Math.max(1, samples.length)) * 1000,
          pgCpuMs: ((cpu1.pg - cpu0.pg) / Math.max(1, samples.length)) * 1000,
          load: `${Math.min(...load1).toFixed(1)}–${Math.max(...load1).toFixed(1)}`,
        };
        console.log(
          `${name}: ${phase.rps.toFixed(1)} requests/s, p50 ${phase.p50.toFixed(0)} ms, p95 ${phase.p95.toFixed(0)} ms, p99 ${phase.p99.toFixed(0)} ms, ${phase.errors} errors, ${(phase.hitShare * 100).toFixed(1)}% from the page cache, ${writes} writes, peak server RSS ${phase.rssMb.toFixed(0)} MB (${phase.startRssMb.toFixed(0)} MB at the start), server CPU ${phase.appCpuMs.toFixed(1)} ms/request, PostgreSQL CPU ${phase.pgCpuMs.toFixed(1)} ms/request, load average (1 min) ${phase.load}`,
        );
        return phase;
      } finally {
        await writer.end();
        await endChild(app);
      }
    };

    try {
      const phases = [
        await runPhase("page cache off (every request rendered)", { BURNRATE_PAGE_CACHE: "off" }, null),
        await runPhase("page cache on", {}, null),
        await runPhase(`page cache on, a write every ${WRITE_EVERY_SECONDS} s`, {}, WRITE_EVERY_SECONDS),
      ];
      const main = phases[1]!;
      const perUrl = new Map<string, Sample[]>();
      for (const s of main.samples) perUrl.set(s.url, [...(perUrl.get(s.url) ?? []), s]);
      const urlRows = [...perUrl.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([url, v]) => {
          const ms = v.map((s) => s.ms);
          const kb = v.reduce((sum, s) => sum + s.bytes, 0) / v.length / 1024;
          const hits = v.filter((s) => s.cache === "hit").length / v.length;
          return `| \`${url}\` | ${v.length} | ${percentile(ms, 0.5).toFixed(0)} | ${percentile(ms, 0.95).toFixed(0)} | ${(hits * 100).toFixed(1)}% | ${kb.toFixed(0)} |`;
        });
      for (const row of urlRows) console.log(row);
      if (args["no-write"]) return;
      // The target is the page cache with writes going on: what people get while records come in.
      const judged = phases[2]!;
      const met = phases.slice(1).every((p) => p.rps >= TARGET_RPS && p.p95 < TARGET_P95_MS && p.rssMb < TARGET_RSS_MB && p.errors === 0);
      const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU";
      const section = [
        "## Many readers at once (demo data)",
        "",
        `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC by \`npm run bench:load\` on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded PostgreSQL 18, production build (\`next start\`); the load generator runs on the same machine.`,
        `Dataset: the demo seed (${counts.rows[0]!.runs} training runs, ${Number(counts.rows[0]!.windows).toLocaleString("en-US")} usage windows). ${USERS} virtual users signed in as ${people.map((p) => p.scope).join(", ")} (users take turns), each requesting the next URL of the mix as soon as the previous document is complete, for ${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, in three phases, each against a fresh server: the page cache off (the baseline: every request rendered from the read cache), on, and on while a write commits every ${WRITE_EVERY_SECONDS} s (a data-version bump, what every write commits: every page and read model is computed again after it). Times are to the complete body; an error is any answer but 200. "From the page cache" counts answers replayed by lib/cache/page-cache.ts (the rest were rendered).`,
        "",
        "| phase | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | errors | from the page cache | peak server RSS (MB) | server CPU / request (ms) | PostgreSQL CPU / request (ms) | load average (1 min) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...phases.map(
          (p) =>
            `| ${p.name} | ${p.rps.toFixed(1)} | ${p.p50.toFixed(0)} | ${p.p95.toFixed(0)} | ${p.p99.toFixed(0)} | ${p.errors} | ${(p.hitShare * 100).toFixed(1)}% | ${p.rssMb.toFixed(0)} | ${p.appCpuMs.toFixed(1)} | ${p.pgCpuMs.toFixed(1)} | ${p.load} |`,
        ),
        "",
        "Per URL with the page cache on (no writes):",
        "",
        "| URL (the Applied viewer's team page is `/teams/applied` and their deployment slot `/inference?range=7d`) | requests | p50 (ms) | p95 (ms) | from the page cache | document (kB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        ...urlRows,
        "",
        `Target: at least ${TARGET_RPS} requests/s with p95 under ${TARGET_P95_MS} ms and server RSS under ${TARGET_RSS_MB} MB, without errors, with the page cache on, with and without writes (with writes: ${judged.rps.toFixed(1)} requests/s, p95 ${judged.p95.toFixed(0)} ms): ${met ? "met" : "missed"}. The baseline shows what rendering every request gives on the same machine in the same run.`,
      ].join("\n");
      const file = path.join(root, "BENCHMARKS.md");
      writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n", section));
      console.log("Wrote the load section of BENCHMARKS.md.");
    } finally {
      await database.drop();
    }
  } finally {
    await server.stop();
  }
});
