// npm run bench:upload — does a large upload stall the server? Uploads a ~50 MB CSV of training
// runs to the import preview of a production build while polling /api/health and a dashboard
// page, and compares their latency with a baseline taken without the upload; then times the
// answers to hostile bodies. Writes its section of BENCHMARKS.md.
import { spawn } from "node:child_process";
import http from "node:http";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { seedDatabase } from "../lib/seed/write";
import { createTemplate, createTestDatabase, freePort, startTestServer } from "../lib/testing/test-database";
import { MAX_IMPORT_BYTES } from "../lib/import/kinds";
import { isBuildCurrent, markBuildCurrent } from "./lib/build-stamp";
import { benchSessionCookie } from "./lib/bench-session";
import { runMain } from "./lib/errors";
import { endChild, NEXT_BIN, nextServerArgs, runNode, waitForHealth } from "./lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const TARGET_MS = 300;
/** Rows of the upload: ~270 bytes each, just under the 50 MB limit. */
const UPLOAD_ROWS = 190_000;
const PAGE = "/training";
/** Pause between one poller's requests (each poller waits for its answer first). */
const HEALTH_GAP_MS = 100;
const PAGE_GAP_MS = 250;
const BASELINE_MS = 15_000;

let cookie = "";

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests `url` again and again (waiting `gapMs` after each answer) until `until` settles; the complete-response times. */
async function poll(url: string, gapMs: number, until: Promise<unknown>): Promise<number[]> {
  let isDone = false;
  void until.finally(() => {
    isDone = true;
  });
  const samples: number[] = [];
  while (!isDone) {
    const started = performance.now();
    const response = await fetch(url, { headers: { accept: "text/html", cookie }, redirect: "manual" });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    samples.push(performance.now() - started);
    await sleep(gapMs);
  }
  return samples;
}

/** Resident memory of the server process and its children, in MB. */
function rssMb(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      kb += Number(readFileSync(`/proc/${p}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(child));
    } catch {
      // exited
    }
  };
  visit(pid);
  return kb / 1024;
}

function runsFile(team: string, gpu: string, rows: number): Uint8Array {
  const header = "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status,tokens_processed,notes";
  const start = Date.UTC(2024, 0, 1);
  const pad = "x".repeat(120);
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const started = new Date(start + i * 120_000);
    const ended = new Date(started.getTime() + 3_600_000);
    const iso = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");
    lines.push(`${team},bench-upload-${i},llama-3-8b,LoRA,BF16,${gpu},aws,On-demand,8,${iso(started)},${iso(ended)},Succeeded,${1_000_000 + i},"upload bench ${i} ${pad}"`);
  }
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

/**
 * A POST through node:http rather than fetch: a server that answers before
 * reading the whole body (413, 415) may close the connection while the body
 * is still being sent, and fetch then reports only the reset, not the answer.
 */
function rawPost(url: string, body: Uint8Array, headers: Record<string, string>): Promise<{ status?: number; text: string; error?: string }> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let text = "";
    const request = http.request(url, { method: "POST", headers: { ...headers, "content-length": String(body.length) } }, (response) => {
      status = response.statusCode;
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status, text }));
      response.on("error", () => resolve({ status, text }));
    });
    request.on("error", (error) => resolve({ status, text, error: status === undefined ? `connection closed without an answer (${error.message})` : undefined }));
    request.end(Buffer.from(body));
  });
}

function stats(samples: number[]) {
  return { n: samples.length, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), max: Math.max(...samples) };
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "—");

function replaceSection(markdown: string, section: string): string {
  const start = "<!-- upload:start -->";
  const end = "<!-- upload:end -->";
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
    const database = await createTestDatabase(server.adminUrl, "upload");
    await seedDatabase({ url: database.url, reset: false });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows: [names] } = await client.query<{ team: string; gpu: string }>(
      `select (select slug from teams order by id limit 1) as team, (select name from gpu_types order by id limit 1) as gpu`,
    );
    await client.end();
    cookie = await benchSessionCookie(database.url, { orgSlug: "demo" });
    const env = { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const };
    if (!isBuildCurrent(root)) {
      await runNode([NEXT_BIN, "build"], env);
      markBuildCurrent(root);
    }
    const port = await freePort();
    const app = spawn(process.execPath, nextServerArgs({ port }), { env, stdio: "ignore" });
    const base = `http://127.0.0.1:${port}`;
    const previewUrl = `${base}/api/imports/preview?kind=training-runs&timeZone=UTC&fileName=bench.csv`;
    const headers = { "content-type": "text/csv", origin: base, cookie };
    try {
      await waitForHealth(base, 240);
      const file = runsFile(names!.team, names!.gpu, UPLOAD_ROWS);
      if (file.length > MAX_IMPORT_BYTES) throw new Error(`the bench file is ${file.length} bytes, over the limit`);
      // Warm-up: compile paths and caches once.
      for (let i = 0; i < 3; i++) {
        await poll(`${base}/api/health`, 0, Promise.resolve());
        await poll(base + PAGE, 0, Promise.resolve());
      }
      await fetch(previewUrl, { method: "POST", body: new Blob([runsFile(names!.team, names!.gpu, 100) as Uint8Array<ArrayBuffer>]), headers }).then((r) => r.arrayBuffer());

      const baselineRss = rssMb(app.pid!);
      const baselineDone = sleep(BASELINE_MS);
      const [baseHealth, basePage] = await Promise.all([poll(`${base}/api/health`, HEALTH_GAP_MS, baselineDone), poll(base + PAGE, PAGE_GAP_MS, baselineDone)]);

      let peakRss = baselineRss;
      const rssTimer = setInterval(() => {
        peakRss = Math.max(peakRss, rssMb(app.pid!));
      }, 100);
      const uploadStarted = performance.now();
      const upload = fetch(previewUrl, { method: "POST", body: new Blob([file as Uint8Array<ArrayBuffer>]), headers }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { status?: string; rowCount?: number; errorCount?: number; counts?: { new: number } },
        ms: performance.now() - uploadStarted,
      }));
      const [uploadHealth, uploadPage, answer] = await Promise.all([poll(`${base}/api/health`, HEALTH_GAP_MS, upload), poll(base + PAGE, PAGE_GAP_MS, upload), upload]);
      clearInterval(rssTimer);
      if (answer.status !== 200 || answer.body.status !== "checked") throw new Error(`the upload answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);

      console.log(`upload: ${answer.status} after ${(answer.ms / 1000).toFixed(1)} s; health ${JSON.stringify(stats(uploadHealth))} (baseline ${JSON.stringify(stats(baseHealth))}); page ${JSON.stringify(stats(uploadPage))} (baseline ${JSON.stringify(stats(basePage))}); RSS ${baselineRss.toFixed(0)} → ${peakRss.toFixed(0)} MB`);
      // Hostile bodies: how fast the answer comes, and how big it is.
      const hostile: { label: string; body: Uint8Array; type?: string; length?: string }[] = [
        { label: "1 MB of blank lines", body: new TextEncoder().encode("\n".repeat(1024 * 1024)) },
        { label: "header, one row, then 1 MB of blank lines", body: new Uint8Array([...runsFile(names!.team, names!.gpu, 1), ...new TextEncoder().encode("\n".repeat(1024 * 1024))]) },
        { label: "a header of 100,000 columns", body: new TextEncoder().encode(`${Array.from({ length: 100_000 }, (_, i) => `column_${i}`).join(",")}\n`) },
        { label: "2 MB of binary garbage", body: new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7919 + 13) % 256) },
        { label: "a JSON body (application/json)", body: new TextEncoder().encode('{"rows":[]}'), type: "application/json" },
      ];
      const hostileRows: string[] = [];
      for (const h of hostile) {
        const started = performance.now();
        const answer = await rawPost(previewUrl, h.body, { ...headers, "content-type": h.type ?? "text/csv" });
        const elapsed = performance.now() - started;
        let message = answer.error ?? "";
        try {
          const parsed = JSON.parse(answer.text) as { message?: string; error?: { message: string } };
          message = parsed.message ?? parsed.error?.message ?? message;
        } catch {
          // no JSON answer
        }
        hostileRows.push(`| ${h.label} | ${answer.status ?? "—"} | ${elapsed.toFixed(0)} | ${answer.text.length.toLocaleString("en-US")} | ${message.replace(/\|/g, "\\|").slice(0, 110)}${message.length > 110 ? "…" : ""} |`);
        console.log(hostileRows.at(-1));
      }

      const rows = [
        ["`/api/health`", "no upload", stats(baseHealth)],
        ["`/api/health`", "during the upload", stats(uploadHealth)],
        [`\`${PAGE}\``, "no upload", stats(basePage)],
        [`\`${PAGE}\``, "during the upload", stats(uploadPage)],
      ] as const;
      const table = rows.map(([url, when, s]) => `| ${url} | ${when} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`);
      for (const line of table) console.log(line);
      const worst = Math.max(stats(uploadHealth).p95, stats(uploadPage).p95);
      const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU";
      const section = [
        "## Large and hostile uploads (the server never blocks)",
        "",
        `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:upload\` on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded PostgreSQL 18, production build (\`next start\`), demo seed. Load average when it ended: ${os.loadavg().map((l) => l.toFixed(1)).join(", ")}.`,
        "",
        `Method: one POST of a ${(file.length / 2 ** 20).toFixed(1)} MB CSV (${UPLOAD_ROWS.toLocaleString("en-US")} valid training runs) to \`/api/imports/preview\` — read with its byte cap, then decoded, parsed and checked as a stream in a worker thread (lib/import/file-checker.ts), the valid rows compared with the database 5,000 at a time on the server's thread. Meanwhile one client polls \`/api/health\` (${HEALTH_GAP_MS} ms between answer and next request) and another the \`${PAGE}\` page (${PAGE_GAP_MS} ms), timing each complete response. The baseline is the same polling for ${BASELINE_MS / 1000} s without the upload.`,
        "",
        `The upload's answer: ${answer.status}, ${answer.body.rowCount?.toLocaleString("en-US")} rows checked, ${answer.body.errorCount} problems, ${answer.body.counts?.new.toLocaleString("en-US")} new, after ${(answer.ms / 1000).toFixed(1)} s. Server memory (RSS): ${baselineRss.toFixed(0)} MB before, peak ${peakRss.toFixed(0)} MB during.`,
        "",
        "| request | when | samples | p50 (ms) | p95 (ms) | max (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        ...table,
        "",
        `Target: p95 under ${TARGET_MS} ms during the upload — worst p95 ${worst.toFixed(0)} ms: ${worst < TARGET_MS ? "met" : "missed"}.`,
        "",
        "Hostile bodies, one at a time (time from the start of the request to the complete answer; the answer's size in bytes):",
        "",
        "| body | status | ms | answer bytes | message |",
        "| --- | ---: | ---: | ---: | --- |",
        ...hostileRows,
      ].join("\n");
      const out = path.join(root, "BENCHMARKS.md");
      writeFileSync(out, replaceSection(existsSync(out) ? readFileSync(out, "utf8") : "# Benchmarks\n", section));
      console.log(`Wrote the upload section of BENCHMARKS.md (worst p95 during the upload ${worst.toFixed(0)} ms).`);
    } finally {
      await endChild(app);
      await database.drop();
    }
  } finally {
    await server.stop();
  }
});
