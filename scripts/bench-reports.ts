// npm run bench:reports — monthly reports on a production build: (1) the report pages and every export of the last
// complete month of the demo data, time to the complete body; (2) a day-granularity export of 1,000,000 lines from a
// generated database, streamed while the server's resident memory is sampled. Writes BENCHMARKS.md.
//
// BENCH_SKIP_PAGES=1 measures the exports only (for a checkout where the report pages do not exist yet); without it a
// report page that does not answer 200 stops the run.
//
// Runs under Node's "react-server" condition (see package.json), as scripts/bench.ts does: the breakdown of where a
// large export's time goes runs the export's own query and encoders in this process, and those modules import
// "server-only", which throws without it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { makeViewer, type Viewer } from "../lib/access/viewer";
import type { RawLine } from "../lib/db/queries/report-lines";
import { pgRunner } from "../lib/db/sql";
import { formatPeriod } from "../lib/domain/labels";
import { csvRow, type CsvCell } from "../lib/reports/csv";
import { FOCUS_COLUMNS, FOCUS_DECIMAL_COLUMNS, focusRows } from "../lib/reports/focus";
import type { ReportContext } from "../lib/reports/line";
import { lineCsvRow, localIso, periodLabel } from "../lib/reports/line-csv";
import { seedDatabase } from "../lib/seed/write";
import { createTemplate, createTestDatabase, freePort, startTestServer } from "../lib/testing/test-database";
import { isBuildCurrent, markBuildCurrent } from "./lib/build-stamp";
import { benchSessionCookie } from "./lib/bench-session";
import { runMain, StartupError } from "./lib/errors";
import { endChild, NEXT_BIN, nextServerArgs, runNode } from "./lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const RUNS = 15;
const WARM_UP = 3;
const TARGET_MS = 1_000;
/** Part 2: runs spanning the whole of a 30-day month, one line per run and day. */
const BIG_RUNS = 33_400;
const SMALL_RUNS = 3_340;
const SAMPLE_MS = 100;
const MB = 2 ** 20;

const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
const mb = (bytes: number) => (bytes / MB).toFixed(0);

// ---------------------------------------------------------------------------
// Reading a response

interface Body {
  status: number;
  /** Until the first chunk of the body. */
  ttfbMs: number;
  /** Until the last byte of the body. */
  totalMs: number;
  bytes: number;
  /** Lines ended by CRLF (CSV rows, header included). */
  crlf: number;
  /** Lines ended by LF (CRLF ones included). */
  lf: number;
}

/** GETs `url` and reads the whole body as it streams, counting bytes and line ends without keeping it. */
async function readBody(url: string, accept: string): Promise<Body> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept, cookie: sessionCookie }, redirect: "manual" });
  } catch (error) {
    throw new Error(`GET ${url} failed before an answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  const reader = response.body!.getReader();
  let ttfbMs = Number.NaN;
  let bytes = 0;
  let crlf = 0;
  let lf = 0;
  let lastByte = -1;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (Number.isNaN(ttfbMs)) ttfbMs = performance.now() - started;
      bytes += value.length;
      for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) {
        lf += 1;
        if ((i > 0 ? value[i - 1] : lastByte) === 13) crlf += 1;
      }
      if (value.length > 0) lastByte = value[value.length - 1]!;
    }
  } catch (error) {
    throw new Error(`GET ${url} answered ${response.status} but the body broke off after ${thousands(bytes)} bytes: ${error instanceof Error ? error.message : String(error)}`);
  }
  const totalMs = performance.now() - started;
  return { status: response.status, ttfbMs: Number.isNaN(ttfbMs) ? totalMs : ttfbMs, totalMs, bytes, crlf, lf };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------------------
// The app server and its memory

interface App {
  child: ChildProcess;
  base: string;
}

/** The signed-in session pages and exports are fetched with (the org's owner), set by startApp. */
let sessionCookie = "";

async function startApp(env: NodeJS.ProcessEnv): Promise<App> {
  sessionCookie = await benchSessionCookie(env.DATABASE_URL!, { orgSlug: env.BENCH_ORG });
  const port = await freePort();
  const child = spawn(process.execPath, nextServerArgs({ port }), { env, stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode} before answering`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { child, base };
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await endChild(child);
  throw new Error(`next start did not answer ${base}/api/health within 60 s`);
}

/** The process and all its descendants (`next start` may serve from a child), from /proc. */
function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid … — comm may hold spaces and parentheses: read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** VmRSS and VmHWM (peak RSS) of a process, in bytes; zero once it has exited. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, `echo 5 > clear_refs`); false where that is not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

interface MemoryReport {
  /** Σ VmRSS over the process tree, highest of the samples. */
  sampledPeak: number;
  /** Σ VmHWM over the tree after the work (since the reset before it). */
  hwm: number;
  /** Σ VmRSS right after the work. */
  after: number;
  samples: number;
}

/** Runs `work` while sampling the server tree's RSS every 100 ms. */
async function withMemorySampling<T>(rootPid: number, work: () => Promise<T>): Promise<{ result: T; memory: MemoryReport; isHwmReset: boolean }> {
  const pids = processTree(rootPid);
  const isHwmReset = pids.map(resetPeak).every(Boolean);
  const total = () => processTree(rootPid).reduce((sum, pid) => sum + memoryOf(pid).rss, 0);
  let sampledPeak = total();
  let samples = 1;
  const timer = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, total());
    samples += 1;
  }, SAMPLE_MS);
  try {
    const result = await work();
    sampledPeak = Math.max(sampledPeak, total());
    const tree = processTree(rootPid);
    return {
      result,
      memory: { sampledPeak, hwm: tree.reduce((sum, pid) => sum + memoryOf(pid).hwm, 0), after: tree.reduce((sum, pid) => sum + memoryOf(pid).rss, 0), samples },
      isHwmReset,
    };
  } finally {
    clearInterval(timer);
  }
}

function treeRss(rootPid: number): number {
  return processTree(rootPid).reduce((sum, pid) => sum + memoryOf(pid).rss, 0);
}

function describeTree(rootPid: number): string {
  const tree = processTree(rootPid);
  const name = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).map((a) => path.basename(a)).slice(0, 3).join(" ");
    } catch {
      return "?";
    }
  };
  return tree.map((pid) => `${pid} (\`${name(pid)}\`, ${mb(memoryOf(pid).rss)} MB)`).join(", ");
}

// ---------------------------------------------------------------------------
// Months

/** "YYYY-MM" of a UTC month index (year × 12 + month − 1). */
const monthText = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
const monthStart = (index: number) => new Date(Date.UTC(Math.floor(index / 12), index % 12, 1));
const monthDays = (index: number) => (monthStart(index + 1).getTime() - monthStart(index).getTime()) / 86_400_000;

/** The latest 30-day UTC month that ended before `now`, at or before `before` (a month index). */
function thirtyDayMonth(before: number): number {
  let index = before;
  while (monthDays(index) !== 30) index -= 1;
  return index;
}

function replaceSection(markdown: string, section: string): string {
  const start = "<!-- reports:start -->";
  const end = "<!-- reports:end -->";
  const block = `${start}\n${section}\n${end}`;
  if (markdown.includes(start) && markdown.includes(end)) {
    return markdown.slice(0, markdown.indexOf(start)) + block + markdown.slice(markdown.indexOf(end) + end.length);
  }
  return `${markdown.trimEnd()}\n\n${block}\n`;
}

// ---------------------------------------------------------------------------
// Part 1: the demo data

interface Timed {
  label: string;
  path: string;
  kind: "page" | "csv" | "json" | "baseline";
  p50: number;
  p95: number;
  bytes: number;
  lines: number;
}

async function timeRequest(base: string, request: Omit<Timed, "p50" | "p95" | "bytes" | "lines">): Promise<Timed> {
  const accept = request.kind === "page" ? "text/html" : request.kind === "csv" ? "text/csv" : "application/json";
  const check = (body: Body) => {
    if (body.status === 200) return;
    if (request.kind === "page") {
      throw new StartupError(
        `the report page ${request.path} answered ${body.status}, not 200 — the report pages (app/reports/[month]/…) must exist and render before this benchmark can time them; BENCH_SKIP_PAGES=1 measures the exports only`,
      );
    }
    throw new Error(`${request.path} answered ${body.status}, not 200`);
  };
  for (let i = 0; i < WARM_UP; i++) check(await readBody(base + request.path, accept));
  const samples: Body[] = [];
  for (let i = 0; i < RUNS; i++) {
    const body = await readBody(base + request.path, accept);
    check(body);
    samples.push(body);
  }
  const last = samples.at(-1)!;
  const totals = samples.map((s) => s.totalMs);
  return { ...request, p50: percentile(totals, 0.5), p95: percentile(totals, 0.95), bytes: last.bytes, lines: request.kind === "csv" ? last.crlf : last.lf };
}

interface DemoResult {
  rows: Timed[];
  month: string;
  timeZone: string;
  team: string;
  counts: { runs: string; deployments: string; windows: string; closures: string };
  seedSeconds: number;
  isSkippingPages: boolean;
}

async function benchDemo(adminUrl: string, env: NodeJS.ProcessEnv): Promise<DemoResult> {
  const database = await createTestDatabase(adminUrl, "reports_demo");
  try {
    const seeded = await seedDatabase({ url: database.url, reset: false });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    let month: string;
    let timeZone: string;
    let team: string;
    let counts: DemoResult["counts"];
    try {
      // The last complete month in the org's zone: the month before the one "now" is in there.
      ({ month, timeZone } = (
        await client.query<{ month: string; timeZone: string }>(
          `select to_char(date_trunc('month', now() at time zone "timeZone") - interval '1 month', 'YYYY-MM') as month, "timeZone" from orgs where slug = 'demo'`,
        )
      ).rows[0]!);
      // The team with the most runs and deployments active in that month: its report is the largest team report.
      team = (
        await client.query<{ slug: string }>(
          `with m as (select (($1 || '-01')::timestamp at time zone $2) as s, ((($1 || '-01')::timestamp + interval '1 month') at time zone $2) as e)
           select t.slug from teams t, m
           order by (select count(*) from training_runs r where r."teamId" = t.id and r."startedAt" < m.e and coalesce(r."endedAt", now()) > m.s)
                  + (select count(*) from inference_deployments d where d."teamId" = t.id and d."activeFrom" < m.e and coalesce(d."activeTo", now()) > m.s) desc, t.slug
           limit 1`,
          [month, timeZone],
        )
      ).rows[0]!.slug;
      counts = (
        await client.query<DemoResult["counts"]>(
          `select (select count(*) from training_runs)::text as runs, (select count(*) from inference_deployments)::text as deployments, (select count(*) from inference_usage_windows)::text as windows,
                  (select count(*) from month_closures where month = $1 and "reopenedAt" is null)::text as closures`,
          [month],
        )
      ).rows[0]!;
    } finally {
      await client.end();
    }
    const isSkippingPages = process.env.BENCH_SKIP_PAGES === "1";
    const app = await startApp({ ...env, DATABASE_URL: database.url });
    try {
      const requests: Omit<Timed, "p50" | "p95" | "bytes" | "lines">[] = [
        { label: "baseline: health check (routing + one database round trip)", path: "/api/health", kind: "baseline" },
        ...(isSkippingPages
          ? []
          : [
              { label: "report page, whole org", path: `/reports/${month}`, kind: "page" as const },
              { label: `report page, team ${team}`, path: `/reports/${month}/${team}`, kind: "page" as const },
            ]),
        { label: "line items CSV, month", path: `/api/reports/${month}/lines.csv`, kind: "csv" },
        { label: "line items CSV, day", path: `/api/reports/${month}/lines.csv?granularity=day`, kind: "csv" },
        { label: "FOCUS 1.2 CSV", path: `/api/reports/${month}/focus.csv`, kind: "csv" },
        { label: "JSON", path: `/api/reports/${month}/report.json`, kind: "json" },
        { label: `line items CSV, team ${team}`, path: `/api/reports/${month}/lines.csv?team=${team}`, kind: "csv" },
      ];
      const rows: Timed[] = [];
      console.log(`Demo data, ${month} (${timeZone}), team ${team}: ${WARM_UP} warm-ups + ${RUNS} runs each, time to the complete body`);
      console.log("| request | bytes | lines | p50 ms | p95 ms | p95 < 1 s |");
      for (const request of requests) {
        const row = await timeRequest(app.base, request);
        rows.push(row);
        console.log(`| ${row.path} | ${thousands(row.bytes)} | ${thousands(row.lines)} | ${row.p50.toFixed(0)} | ${row.p95.toFixed(0)} | ${row.p95 < TARGET_MS ? "yes" : "NO"} |`);
      }
      return { rows, month, timeZone, team, counts, seedSeconds: seeded.seconds, isSkippingPages };
    } finally {
      await endChild(app.child);
    }
  } finally {
    await database.drop();
  }
}

// ---------------------------------------------------------------------------
// Part 2: a million lines

interface StreamRow {
  label: string;
  path: string;
  body: Body;
  memory: MemoryReport;
}

interface Breakdown {
  lines: number;
  /** DECLARE and the first FETCH: PostgreSQL computes and sorts every line before the first one. */
  firstBatchMs: number;
  /** Every FETCH of 2,000 lines, the first included, with node-postgres decoding the rows. */
  fetchMs: number;
  /** Rows to report lines (liveLinesReader's parse, which joins usage and prices). */
  parseMs: number;
  /** Line-item CSV rows (lineCsvRow + csvRow). */
  lineCsvMs: number;
  /** FOCUS rows (focusRows + csvRow). */
  focusMs: number;
  /** The line-item CSV's three dates alone (periodLabel + 2 × localIso). */
  lineDatesMs: number;
  /** FOCUS's charge description period alone (formatPeriod). */
  focusDatesMs: number;
  /** The server's whole export pipeline (exportLines → csvStream) read in this process, no HTTP: [line items, FOCUS]. */
  pipelineMs: [number, number];
}

/**
 * Where a day export's time goes, measured in this process with the server stopped: the export's own query through a
 * cursor in batches of 2,000 (as lib/db/stream.ts reads it), then each batch parsed and encoded as both CSVs. Timed
 * phase by phase; the server interleaves the same work with sending.
 */
async function timeBreakdown(databaseUrl: string, month: number): Promise<Breakdown> {
  const { liveLinesReader } = await import("../lib/db/queries/report-lines");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const viewer = makeViewer(
      (
        await client.query<Omit<Viewer, "teamRoles" | "email">>(
          `select u.id as "userId", o.id as "orgId", o.name as "orgName", o."timeZone" as "orgTimeZone", u.role, u.name
           from users u join orgs o on o.id = u."orgId" where o.slug = 'bench' and u.role in ('OWNER', 'ADMIN') order by u.role, u.id limit 1`,
        )
      ).rows[0]!,
    );
    const timeZone = "UTC";
    const from = monthStart(month);
    const to = monthStart(month + 1);
    const now = new Date();
    const q = { viewer, from, to, granularity: "day" as const, timeZone, now };
    const context: ReportContext = { orgSlug: "bench", orgName: viewer.orgName, month: monthText(month), timeZone, billingPeriodStart: from, billingPeriodEnd: to, currency: "USD", generatedAt: now };
    const result: Breakdown = { lines: 0, firstBatchMs: 0, fetchMs: 0, parseMs: 0, lineCsvMs: 0, focusMs: 0, lineDatesMs: 0, focusDatesMs: 0, pipelineMs: [0, 0] };
    const focusCell = (value: string | null, i: number): CsvCell => (FOCUS_DECIMAL_COLUMNS.has(FOCUS_COLUMNS[i]!) ? { number: value } : { text: value });
    await client.query("begin isolation level repeatable read, read only");
    const reader = await liveLinesReader(q, pgRunner(client));
    const sql = reader.sql;
    let started = performance.now();
    await client.query(`declare bench_cursor no scroll cursor for ${sql.text}`, sql.values as unknown[]);
    let chars = 0;
    for (let isFirst = true; ; isFirst = false) {
      const { rows } = await client.query<RawLine>("fetch 2000 from bench_cursor");
      const fetched = performance.now();
      result.fetchMs += fetched - started;
      if (isFirst) result.firstBatchMs = fetched - started;
      if (rows.length === 0) break;
      result.lines += rows.length;
      const lines = rows.map(reader.parse);
      const parsed = performance.now();
      for (const line of lines) chars += csvRow(lineCsvRow(line, { timeZone })).length;
      const csvDone = performance.now();
      for (const line of lines) for (const row of focusRows(line, context)) chars += csvRow(row.map(focusCell)).length;
      const focusDone = performance.now();
      for (const line of lines) chars += periodLabel(line, timeZone).length + localIso(line.chargeStart, timeZone).length + localIso(line.chargeEnd, timeZone).length;
      const datesDone = performance.now();
      for (const line of lines) chars += formatPeriod({ range: { start: line.chargeStart, end: line.chargeEnd }, timeZone }).length;
      const focusDatesDone = performance.now();
      result.parseMs += parsed - fetched;
      result.lineCsvMs += csvDone - parsed;
      result.focusMs += focusDone - csvDone;
      result.lineDatesMs += datesDone - focusDone;
      result.focusDatesMs += focusDatesDone - datesDone;
      started = performance.now();
    }
    await client.query("commit");
    if (chars === 0) throw new Error("the breakdown encoded nothing");
    // The same export as the server streams it, read here without HTTP: the difference to the HTTP time is the response
    // path (Next.js piping the stream to the socket, the client reading it). The export modules read the database
    // URL from the environment, as the server does.
    process.env.DATABASE_URL = databaseUrl;
    const { focusCsv, lineItemsCsv } = await import("../lib/db/queries/report-export");
    const { closeStreamPool } = await import("../lib/db/stream");
    const { disconnectDb } = await import("../lib/db/client");
    try {
      const scope = { viewer, month: monthText(month), timeZone, granularity: "day" as const, now };
      for (const [i, stream] of [() => lineItemsCsv(scope, { bom: false }), () => focusCsv(scope, { bom: false })].entries()) {
        const pipelineStarted = performance.now();
        const reader = stream().getReader();
        while (!(await reader.read()).done);
        result.pipelineMs[i] = performance.now() - pipelineStarted;
      }
    } finally {
      await closeStreamPool();
      await disconnectDb();
    }
    return result;
  } finally {
    await client.end();
  }
}

interface MillionResult {
  bigMonth: string;
  smallMonth: string;
  insertSeconds: number;
  runs: number;
  idleAfterStart: number;
  idleAfterWarmUp: number;
  rows: StreamRow[];
  tree: string;
  isHwmReset: boolean;
  breakdown: Breakdown;
}

async function benchMillion(adminUrl: string, env: NodeJS.ProcessEnv): Promise<MillionResult> {
  const database = await createTestDatabase(adminUrl, "reports_1m");
  try {
    const thisMonth = new Date().getUTCFullYear() * 12 + new Date().getUTCMonth();
    const big = thirtyDayMonth(thisMonth - 1);
    const small = thirtyDayMonth(big - 2);
    const empty = small - 2;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    let insertSeconds: number;
    let runs: number;
    try {
      await client.query("begin");
      const { rows: [ids] } = await client.query<{ team: number; gpu: number }>(
        `with org as (insert into orgs (slug, name, "timeZone") values ('bench', 'Bench Org', 'UTC') returning id),
              usr as (insert into users ("orgId", email, name, role) select id, 'bench@example.com', 'Bench Admin', 'ADMIN' from org),
              team as (insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "updatedAt") select id, 'training', 'Training', 1000000, now() from org returning id),
              gpu as (insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") select id, 'H100 SXM', 80, 989.5, 3350 from org returning id)
         select team.id as team, gpu.id as gpu from team, gpu`,
      );
      await client.query(
        `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 3.930000, '2020-01-01T00:00:00Z')`,
        [ids!.gpu],
      );
      // The one statement that makes the data: every run spans its month exactly (UTC), so a day export has 30 lines per run.
      const started = performance.now();
      const inserted = await client.query(
        `insert into training_runs ("teamId", name, model, "parameterCount", method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount",
                                    "startedAt", "endedAt", status, "tokensProcessed", "updatedAt")
         select $1, 'bench-run-' || lpad(g::text, 6, '0'), case when g % 3 = 0 then 'Qwen2.5-7B' else 'Llama-3.1-8B' end, 8030261248,
                'LORA'::"TrainingMethod", 'BF16'::"Precision", $2, 'aws', 'ON_DEMAND'::"PricingModel", 1 << (g % 4),
                m.s, m.e, 'SUCCEEDED'::"RunStatus", (1 << (g % 4)) * 1000000000::bigint, now()
         from (values ($3::timestamptz, $4::timestamptz, $5::int), ($6::timestamptz, $7::timestamptz, $8::int)) as m(s, e, n)
         cross join lateral generate_series(1, m.n) as g`,
        [ids!.team, ids!.gpu, monthStart(big), monthStart(big + 1), BIG_RUNS, monthStart(small), monthStart(small + 1), SMALL_RUNS],
      );
      insertSeconds = (performance.now() - started) / 1000;
      runs = inserted.rowCount ?? 0;
      await client.query("commit");
      await client.query("analyze");
    } finally {
      await client.end();
    }
    console.log(`1M lines: ${thousands(runs)} training runs inserted in ${insertSeconds.toFixed(1)} s (${monthText(big)}: ${thousands(BIG_RUNS)}, ${monthText(small)}: ${thousands(SMALL_RUNS)})`);

    const app = await startApp({ ...env, DATABASE_URL: database.url, BENCH_ORG: "bench" });
    try {
      const pid = app.child.pid!;
      await new Promise((r) => setTimeout(r, 2_000));
      const idleAfterStart = treeRss(pid);
      // Warm-up: an empty month's exports load the route code and open the export pool.
      for (const file of ["lines.csv", "focus.csv"]) {
        const body = await readBody(`${app.base}/api/reports/${monthText(empty)}/${file}?granularity=day&tz=utc`, "text/csv");
        if (body.status !== 200) throw new Error(`warm-up export ${file} answered ${body.status}`);
      }
      await new Promise((r) => setTimeout(r, 2_000));
      const idleAfterWarmUp = treeRss(pid);
      const tree = describeTree(pid);
      console.log(`server process tree: ${tree}; idle RSS ${mb(idleAfterStart)} MB after start, ${mb(idleAfterWarmUp)} MB after warm-up`);
      const exports = [
        { label: `line items CSV, day, ${monthText(small)} (${thousands(SMALL_RUNS)} runs)`, path: `/api/reports/${monthText(small)}/lines.csv?granularity=day&tz=utc`, expected: SMALL_RUNS * 30 },
        { label: `FOCUS 1.2 CSV, day, ${monthText(small)}`, path: `/api/reports/${monthText(small)}/focus.csv?granularity=day&tz=utc`, expected: SMALL_RUNS * 30 },
        { label: `line items CSV, day, ${monthText(big)} (${thousands(BIG_RUNS)} runs)`, path: `/api/reports/${monthText(big)}/lines.csv?granularity=day&tz=utc`, expected: BIG_RUNS * 30 },
        { label: `FOCUS 1.2 CSV, day, ${monthText(big)}`, path: `/api/reports/${monthText(big)}/focus.csv?granularity=day&tz=utc`, expected: BIG_RUNS * 30 },
      ];
      const rows: StreamRow[] = [];
      let isHwmReset = true;
      for (const e of exports) {
        const { result: body, memory, isHwmReset: isReset } = await withMemorySampling(pid, () => readBody(app.base + e.path, "text/csv"));
        isHwmReset &&= isReset;
        if (body.status !== 200) throw new Error(`${e.path} answered ${body.status}`);
        // The header is one CRLF line; every run-day is one line (one FOCUS row: the runs have no storage, data or network cost).
        if (body.crlf - 1 !== e.expected) throw new Error(`${e.path}: ${thousands(body.crlf - 1)} data lines, expected ${thousands(e.expected)}`);
        rows.push({ ...e, body, memory });
        console.log(
          `${e.label}: ${thousands(body.crlf - 1)} lines, ${mb(body.bytes)} MB in ${(body.totalMs / 1000).toFixed(1)} s (first byte ${(body.ttfbMs / 1000).toFixed(1)} s), ` +
            `${(body.bytes / MB / (body.totalMs / 1000)).toFixed(1)} MB/s; server RSS peak ${mb(memory.sampledPeak)} MB sampled (${memory.samples} samples), VmHWM ${mb(memory.hwm)} MB, ${mb(memory.after)} MB after`,
        );
        await new Promise((r) => setTimeout(r, 1_000));
      }
      await endChild(app.child);
      const breakdown = await timeBreakdown(database.url, small);
      const perLine = (ms: number) => ((ms * 1000) / breakdown.lines).toFixed(0);
      console.log(
        `breakdown, ${monthText(small)}: first batch ${(breakdown.firstBatchMs / 1000).toFixed(1)} s, all fetches ${(breakdown.fetchMs / 1000).toFixed(1)} s; per line: ` +
          `parse ${perLine(breakdown.parseMs)} µs, line CSV ${perLine(breakdown.lineCsvMs)} µs (dates ${perLine(breakdown.lineDatesMs)} µs), FOCUS ${perLine(breakdown.focusMs)} µs (charge period ${perLine(breakdown.focusDatesMs)} µs); ` +
          `whole pipeline without HTTP: line items ${(breakdown.pipelineMs[0] / 1000).toFixed(1)} s, FOCUS ${(breakdown.pipelineMs[1] / 1000).toFixed(1)} s`,
      );
      return { bigMonth: monthText(big), smallMonth: monthText(small), insertSeconds, runs, idleAfterStart, idleAfterWarmUp, rows, tree, isHwmReset, breakdown };
    } finally {
      await endChild(app.child);
    }
  } finally {
    await database.drop();
  }
}

// ---------------------------------------------------------------------------

function demoSection(demo: DemoResult): string[] {
  const measured = demo.rows.filter((r) => r.kind !== "baseline");
  const worst = measured.reduce((w, r) => (r.p95 > w.p95 ? r : w));
  const missed = measured.filter((r) => r.p95 >= TARGET_MS);
  const baseline = demo.rows.find((r) => r.kind === "baseline")!;
  return [
    `### Demo data: ${demo.month}`,
    "",
    `Dataset: the demo seed (${thousands(Number(demo.counts.runs))} training runs, ${demo.counts.deployments} inference deployments, ${thousands(Number(demo.counts.windows))} usage windows, seeded in ${demo.seedSeconds.toFixed(1)} s). ` +
      `Month ${demo.month}: the last complete month in the org's zone (${demo.timeZone}), ${
        demo.counts.closures === "0" ? "open (not closed), so every request computes its lines live from the ledger" : "closed, so the exports read its stored lines"
      }. ` +
      `Team \`${demo.team}\`: the team with the most runs and deployments in that month. ${WARM_UP} warm-up requests, then ${RUNS} sequential requests each; ` +
      "the time is to the complete body (the whole stream read). Lines: CRLF-ended lines for CSV (the header included), LF-ended for JSON and HTML.",
    "",
    "| request | size (bytes) | lines | p50 (ms) | p95 (ms) | p95 under 1 s |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    ...demo.rows.map(
      (r) =>
        `| ${r.label}: \`${r.path}\` | ${thousands(r.bytes)} | ${thousands(r.lines)} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.kind === "baseline" ? "(baseline)" : r.p95 < TARGET_MS ? "yes" : "**no**"} |`,
    ),
    "",
    demo.isSkippingPages
      ? "**The report pages were not measured** (BENCH_SKIP_PAGES=1: they did not exist in the checkout this ran on). Re-run `npm run bench:reports` without it once they do."
      : "",
    `Target: a month's report page and each export for the demo data answer in under 1 s — worst p95 ${worst.p95.toFixed(0)} ms (\`${worst.path}\`): ${
      missed.length === 0 ? "met" : `missed by ${missed.map((r) => `\`${r.path}\` (${(r.p95 - TARGET_MS).toFixed(0)} ms over)`).join(", ")}`
    }${demo.isSkippingPages ? " for the exports; the pages are still to be measured" : ""}. Baseline from the same run: the health check's p95 is ${baseline.p95.toFixed(0)} ms.`,
  ].filter((line, i, all) => line !== "" || all[i - 1] !== "");
}

function millionSection(m: MillionResult): string[] {
  const [smallLines, smallFocus, bigLines, bigFocus] = m.rows as [StreamRow, StreamRow, StreamRow, StreamRow];
  const above = (r: StreamRow) => Math.max(r.memory.sampledPeak, r.memory.hwm) - m.idleAfterWarmUp;
  const row = (r: StreamRow) =>
    `| ${r.label} | ${thousands(r.body.crlf - 1)} | ${thousands(r.body.bytes)} | ${(r.body.ttfbMs / 1000).toFixed(1)} | ${(r.body.totalMs / 1000).toFixed(1)} | ${(r.body.bytes / MB / (r.body.totalMs / 1000)).toFixed(1)} | ${thousands((r.body.crlf - 1) / (r.body.totalMs / 1000))} | ${mb(r.memory.sampledPeak)} | ${mb(r.memory.hwm)} | ${mb(r.memory.after)} |`;
  const ratio = (big: StreamRow, small: StreamRow) => Math.max(big.memory.sampledPeak, big.memory.hwm) / Math.max(small.memory.sampledPeak, small.memory.hwm);
  const streamMs = (r: StreamRow) => r.body.totalMs - r.body.ttfbMs;
  const b = m.breakdown;
  const perLineMs = (ms: number) => ms / b.lines;
  const perLine = (ms: number) => (perLineMs(ms) * 1000).toFixed(0);
  const httpExtra = (ms: number) => (ms > 0 ? `${(ms / 1000).toFixed(1)} s` : "nothing measurable");
  return [
    "### A million lines: streaming and memory",
    "",
    `Dataset: a fresh database (one org in UTC, one team, one GPU type with one price) filled by one \`INSERT … SELECT … FROM generate_series\` of ${thousands(m.runs)} training runs in ${m.insertSeconds.toFixed(1)} s: ` +
      `${thousands(BIG_RUNS)} runs each spanning the whole of ${m.bigMonth} (30 days) and ${thousands(SMALL_RUNS)} spanning ${m.smallMonth}, so a day export (\`?granularity=day&tz=utc\`) has one line per run and day: ` +
      `${thousands(BIG_RUNS * 30)} and ${thousands(SMALL_RUNS * 30)} lines (the smaller month is the baseline). The runs have no storage, data or network cost, so FOCUS has one row per line too.`,
    `Server: a second \`next start\` against that database; its process tree was ${m.tree}. Its RSS (Σ VmRSS over the tree) was sampled every ${SAMPLE_MS} ms from \`/proc/<pid>/status\` while each export streamed, ` +
      `and VmHWM read after it${m.isHwmReset ? " (reset with `clear_refs` before each export, so it is that export's peak)" : " (not resettable here: the peak since the process started)"}. ` +
      `Idle RSS: ${mb(m.idleAfterStart)} MB after start, ${mb(m.idleAfterWarmUp)} MB after a warm-up (an empty month's two exports). ` +
      "The benchmark reads each body as it streams, counting bytes and CRLFs without keeping it. One request at a time.",
    "",
    "| export | data lines | bytes | first byte (s) | complete (s) | MB/s | lines/s | peak RSS, sampled (MB) | VmHWM (MB) | RSS after (MB) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...m.rows.map(row),
    "",
    `Flat memory: 10× the lines took the server's peak RSS from ${mb(Math.max(smallLines.memory.sampledPeak, smallLines.memory.hwm))} to ${mb(Math.max(bigLines.memory.sampledPeak, bigLines.memory.hwm))} MB for line items (×${ratio(bigLines, smallLines).toFixed(2)}; ` +
      `${mb(above(smallLines))} → ${mb(above(bigLines))} MB above idle) and from ${mb(Math.max(smallFocus.memory.sampledPeak, smallFocus.memory.hwm))} to ${mb(Math.max(bigFocus.memory.sampledPeak, bigFocus.memory.hwm))} MB for FOCUS (×${ratio(bigFocus, smallFocus).toFixed(2)}; ` +
      `${mb(above(smallFocus))} → ${mb(above(bigFocus))} MB above idle).`,
    `Where the time goes: until the first byte PostgreSQL computes and sorts every line of the month (the cursor's first FETCH runs the whole ledger query): ${(bigLines.body.ttfbMs / 1000).toFixed(1)} s for ${thousands(BIG_RUNS * 30)} lines, ${(smallLines.body.ttfbMs / 1000).toFixed(1)} s for ${thousands(SMALL_RUNS * 30)}. ` +
      `After it the server fetches 2,000 lines per round trip, encodes and sends them: ${(streamMs(bigLines) / 1000).toFixed(1)} s for the line items (${thousands((BIG_RUNS * 30) / (streamMs(bigLines) / 1000))} lines/s), ${(streamMs(bigFocus) / 1000).toFixed(1)} s for FOCUS (${thousands((BIG_RUNS * 30) / (streamMs(bigFocus) / 1000))} lines/s).`,
    `Breakdown, measured after the HTTP exports with the server stopped: the export's own query and encoders run in the benchmark process on ${m.smallMonth}'s ${thousands(b.lines)} lines, phase by phase — ` +
      `PostgreSQL: DECLARE + first FETCH ${(b.firstBatchMs / 1000).toFixed(1)} s, all FETCHes ${(b.fetchMs / 1000).toFixed(1)} s (after the first, ${perLine(b.fetchMs - b.firstBatchMs)} µs per line, node-postgres decoding included); ` +
      `per line in Node: parsing ${perLine(b.parseMs)} µs, the line-item CSV row ${perLine(b.lineCsvMs)} µs, of which its three dates (\`periodLabel\` + 2 × \`localIso\`, date-fns \`format\` with \`@date-fns/tz\`) take ${perLine(b.lineDatesMs)} µs, ` +
      `and the FOCUS row ${perLine(b.focusMs)} µs, of which the charge period in its description (\`formatPeriod\`) takes ${perLine(b.focusDatesMs)} µs. ` +
      `The whole export pipeline (\`exportLines\` → \`csvStream\`) read in the same process without HTTP takes ${(b.pipelineMs[0] / 1000).toFixed(1)} s for the line items and ${(b.pipelineMs[1] / 1000).toFixed(1)} s for FOCUS, ` +
      `against ${(smallLines.body.totalMs / 1000).toFixed(1)} s and ${(smallFocus.body.totalMs / 1000).toFixed(1)} s over HTTP: the response path (Next.js piping the stream to the socket, the client reading it, on the same 2 cores) adds ` +
      `${httpExtra(smallLines.body.totalMs - b.pipelineMs[0])} to the line items and ${httpExtra(smallFocus.body.totalMs - b.pipelineMs[1])} to FOCUS (single runs each: a few seconds either way is noise).`,
    `Scaled to ${thousands(BIG_RUNS * 30)} lines at those per-line rates (the first byte as measured, ${(bigLines.body.ttfbMs / 1000).toFixed(0)} s): ` +
      `about ${((perLineMs(b.fetchMs - b.firstBatchMs) * BIG_RUNS * 30) / 1000).toFixed(0)} s of further fetches, ${((perLineMs(b.parseMs + b.lineCsvMs) * BIG_RUNS * 30) / 1000).toFixed(0)} s of line-item encoding ` +
      `(${((perLineMs(b.lineDatesMs) * BIG_RUNS * 30) / 1000).toFixed(0)} s of it formatting dates) or ${((perLineMs(b.parseMs + b.focusMs) * BIG_RUNS * 30) / 1000).toFixed(0)} s of FOCUS encoding, ` +
      `against ${(bigLines.body.totalMs / 1000).toFixed(0)} s and ${(bigFocus.body.totalMs / 1000).toFixed(0)} s for the HTTP exports.`,
    "Out of scope: the PostgreSQL side — the backend's memory (the sort of a million lines may spill to disk past `work_mem`) and its CPU are not measured here; the server, PostgreSQL and the benchmark client share the machine's 2 cores.",
  ];
}

runMain(async () => {
  try {
    await import("../lib/db/queries/report-lines");
  } catch {
    throw new StartupError("run this benchmark with `npm run bench:reports`: it needs Node's --conditions=react-server to load the export's query modules");
  }
  const server = await startTestServer();
  try {
    await createTemplate(server.adminUrl);
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const };
    if (!isBuildCurrent(root)) {
      // The build reads no data; any well-formed URL satisfies the environment check.
      await runNode([NEXT_BIN, "build"], { ...env, DATABASE_URL: server.adminUrl });
      markBuildCurrent(root);
    }
    const started = performance.now();
    // Other work on the machine skews every number: record the 1-minute load average while we measure.
    const loads: number[] = [os.loadavg()[0]!];
    const loadTimer = setInterval(() => loads.push(os.loadavg()[0]!), 5_000);
    const demo = await benchDemo(server.adminUrl, env).finally(() => clearInterval(loadTimer));
    const demoLoad = { min: Math.min(...loads), max: Math.max(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length };
    loads.length = 0;
    loads.push(os.loadavg()[0]!);
    const millionTimer = setInterval(() => loads.push(os.loadavg()[0]!), 5_000);
    const million = await benchMillion(server.adminUrl, env).finally(() => clearInterval(millionTimer));
    const millionLoad = { min: Math.min(...loads), max: Math.max(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length };
    const loadText = (l: typeof demoLoad) => `${l.min.toFixed(1)}–${l.max.toFixed(1)} (mean ${l.mean.toFixed(1)})`;
    const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU";
    const section = [
      "## Monthly reports and exports",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:reports\`${demo.isSkippingPages ? " (with BENCH_SKIP_PAGES=1)" : ""} on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
        `embedded PostgreSQL 18, production build (\`next start\`), client and server on the same machine; the run took ${((performance.now() - started) / 60_000).toFixed(1)} min after the build. ` +
        `1-minute load average sampled every 5 s: ${loadText(demoLoad)} during the demo-data part, ${loadText(millionLoad)} during the million-line part` +
        ` (the benchmark's own server, PostgreSQL and client account for up to about 3 while a large export streams)` +
        `${Math.max(demoLoad.max, millionLoad.max) > os.cpus().length + 1.5 ? ` — higher than that, so other work shared the machine and the times are pessimistic` : ""}.`,
      "",
      ...demoSection(demo),
      "",
      ...millionSection(million),
    ].join("\n");
    const file = path.join(root, "BENCHMARKS.md");
    writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n", section));
    console.log("Wrote the reports section of BENCHMARKS.md.");
  } finally {
    await server.stop();
  }
});
