import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { rollAllCosts, servingWatermark } from "../../lib/db/mutations/cost-rollups";
import { compactTeamRollups, sealUsageMonths, unsealUsageDays } from "../../lib/db/mutations/usage-rollups";
import { rebuildUsageRollups } from "@/lib/db/mutations/usage-rollups";
import { pgRunner, type SqlRunner } from "@/lib/db/sql";
import { freePort, withDatabase } from "@/lib/testing/test-database";
import { startEmbeddedPostgres } from "../lib/embedded-postgres";
import { applyMigrations } from "../lib/schema-engine";
import {
  GPU_TYPES,
  ORG,
  PRICE_CHANGE,
  PRICES_FROM,
  TEAMS,
  datasetRange,
  generateTrainingRuns,
  generateWindows,
  planDeployments,
  type DatasetParams,
  type RowChunk,
} from "./dataset";

const root = path.resolve(import.meta.dirname, "..", "..");
export const BENCH_DATA_DIR = path.join(root, "bench-data");

export interface BenchServer {
  adminUrl: string;
  isEmbedded: boolean;
  stop(): Promise<void>;
}

/**
 * BENCH_DATABASE_URL's server, or an embedded PostgreSQL whose cluster lives
 * in bench-data/ (git-ignored) and is kept between runs with its datasets.
 */
export async function startBenchServer(log: (line: string) => void): Promise<BenchServer> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) return { adminUrl: external, isEmbedded: false, stop: async () => {} };
  mkdirSync(BENCH_DATA_DIR, { recursive: true });
  // PostgreSQL runs as the `postgres` user when we are root: it must reach in.
  chmodSync(BENCH_DATA_DIR, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(BENCH_DATA_DIR, "postgres"), port: await freePort(), log });
  const admin = new pg.Client({ connectionString: server.url("postgres") });
  await admin.connect();
  try {
    // Bulk loads of several GB: fewer forced checkpoints. Query-time settings stay at the app's defaults.
    await admin.query(`alter system set max_wal_size = '8GB'`);
    await admin.query(`select pg_reload_conf()`);
  } finally {
    await admin.end();
  }
  return { adminUrl: server.url("postgres"), isEmbedded: true, stop: () => server.stop() };
}

export interface PhaseTime {
  label: string;
  seconds: number;
  statements?: number;
}

export interface LoadMeta {
  generatedAt: string;
  loadMethod: string;
  counts: { teams: number; gpuTypes: number; gpuPrices: number; deployments: number; trainingRuns: number; usageWindows: number };
  /** Generate + load of the raw rows, then ANALYZE. */
  loadPhases: PhaseTime[];
  /** rebuildUsageRollups, split by statement kind (see timedRunner). */
  rollupPhases: PhaseTime[];
  rollupSeconds: number;
  rollupQuarters: number;
  vacuumSeconds: number;
  totalSeconds: number;
}

export interface Dataset {
  url: string;
  params: DatasetParams;
  meta: LoadMeta;
  isReused: boolean;
  /** Cost rollups this run had to build (none pending on a dataset built after they existed). */
  costRoll: CostRoll;
}

export interface CostRoll {
  seconds: number;
  runs: number;
  deployments: number;
  rows: number;
}

/**
 * Rolls every pending item's cost up (lib/db/mutations/cost-rollups.ts) and
 * seals the usage months (usage-rollups.ts sealUsageMonths) and compacts the
 * closed team buckets (compactTeamRollups) as the background roller would, in chunks of 2,000 items per transaction, at the dataset's
 * "now". A dataset generated before the cost rollup existed is
 * rolled once here; the time is reported.
 */
async function rollDatasetCosts(url: string, now: Date, log: (line: string) => void): Promise<CostRoll> {
  return withClient(url, async (client) => {
    const started = performance.now();
    // A serving deployment rolled past the dataset's "now" (by `bench:pages`, whose server runs at the real time) is rolled again
    // from its start: queries as of the dataset's now would otherwise be answered live.
    const watermark = servingWatermark(now);
    await client.query("begin");
    await client.query(`delete from cost_rollup_day c using inference_deployments d where c.kind = 'inference' and c."itemId" = d.id and d."costRolledTo" > $1`, [watermark]);
    await client.query(`update inference_deployments set "costRolledTo" = null where "costRolledTo" > $1`, [watermark]);
    // Likewise the usage months sealed (by the migration or a server) after the dataset's now: unsealed, then sealed as of it,
    // so writes at the dataset's now meet the month rows a live server would have.
    await client.query(`delete from usage_rollup_month; update rollup_time_zones set "monthsSealedTo" = null`);
    // And the days: those sealed past the dataset's now (by a migration, a rebuild or a server at the real time) unsealed,
    // so today's writes at the dataset's now take the live path a server would give them (sealUsageMonths then seals the
    // days that ended by now, a no-op when they are).
    await unsealUsageDays(pgRunner(client), now);
    await sealUsageMonths(pgRunner(client), now);
    await client.query("commit");
    const done = await rollAllCosts(
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
      { now, chunk: 2_000, isAdvancing: true, onProgress: (t) => log(`  cost rollups: ${t.runs.toLocaleString("en-US")} runs, ${t.deployments} deployments rolled`) },
    );
    // What was deleted and written again (a re-roll deletes every serving deployment's day rows in all zones, and the
    // months are sealed afresh) is vacuumed, not just analyzed: measured right after, a cost_rollup_day with ~180,000 dead
    // rows made (a) ~70 ms slower (p50 128 against 60 ms) than in steady state, where autovacuum keeps up.
    // Team buckets closed as of now get their quantile keys, as the roller's first tick gives them (a no-op once stored).
    let compacted = 0;
    for (;;) {
      await client.query("begin");
      const rows = await compactTeamRollups(pgRunner(client), { now, since: null, limit: 5_000 });
      await client.query("commit");
      if (rows === 0) break;
      compacted += rows;
    }
    if (compacted > 0) log(`  team rollups: ${compacted.toLocaleString("en-US")} closed buckets compacted`);
    await client.query("vacuum (analyze) cost_rollup_day, usage_rollup_month, usage_rollup_day, usage_rollup_team_hour, usage_rollup_team_day, rollup_time_zones, training_runs, inference_deployments");
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await client.query<{ n: string }>("select count(*)::text as n from cost_rollup_day");
    return { ...done, seconds, rows: Number(rows[0]!.n) };
  });
}

function databaseName(params: DatasetParams): string {
  return `burnrate_bench_${params.tier}`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function readMeta(url: string, params: DatasetParams): Promise<LoadMeta | null> {
  try {
    return await withClient(url, async (client) => {
      const { rows } = await client.query<{ key: string; value: unknown }>(`select key, value from bench_meta`);
      const byKey = new Map(rows.map((r) => [r.key, r.value]));
      // jsonb reorders keys: compare key-sorted serializations.
      const canonical = (value: unknown) => JSON.stringify(Object.entries(value as object).sort(([a], [b]) => a.localeCompare(b)));
      const isSame = byKey.has("params") && canonical(byKey.get("params")) === canonical(params);
      return isSame && byKey.get("complete") === true ? (byKey.get("load") as LoadMeta) : null;
    });
  } catch {
    return null; // no database or no meta table: generate
  }
}

/** The tier's database with its dataset: reused when it was fully built with the same parameters. */
export async function ensureDataset(
  server: BenchServer,
  params: DatasetParams,
  options: { regenerate: boolean; log: (line: string) => void },
): Promise<Dataset> {
  const name = databaseName(params);
  const url = withDatabase(server.adminUrl, name);
  if (!options.regenerate) {
    const meta = await readMeta(url, params);
    if (meta) {
      options.log(`[${params.tier}] reusing dataset in database ${name} (generated ${meta.generatedAt}; --regenerate to rebuild)`);
      // Migrations added since the dataset was built (a changed SQL function, an index) must be measured too.
      const applied = await applyMigrations(url);
      if (applied.length > 0) options.log(`[${params.tier}] applied new migrations: ${applied.join(", ")}`);
      const costRoll = await rollDatasetCosts(url, new Date(params.now), options.log);
      return { url, params, meta, isReused: true, costRoll };
    }
  }
  await withClient(server.adminUrl, async (admin) => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  });
  await applyMigrations(url);
  const meta = await withClient(url, (client) => generate(client, params, options.log));
  const costRoll = await rollDatasetCosts(url, new Date(params.now), options.log);
  return { url, params, meta, isReused: false, costRoll };
}

const seconds = (startMs: number) => (performance.now() - startMs) / 1000;

async function generate(client: pg.Client, params: DatasetParams, log: (line: string) => void): Promise<LoadMeta> {
  const started = performance.now();
  await client.query(`create table bench_meta (key text primary key, value jsonb not null)`);
  await client.query(`insert into bench_meta values ('params', $1)`, [JSON.stringify(params)]);
  const loadPhases: PhaseTime[] = [];
  const loader = new BulkLoader(client, log);

  let phase = performance.now();
  const ids = await insertCatalog(client, params);
  const plans = planDeployments(params);
  const deploymentIds: number[] = [];
  for (const plan of plans) deploymentIds.push(await insertDeployment(client, plan, ids));
  const totalWindows = plans.reduce((sum, p) => sum + p.windowCount, 0);
  if (totalWindows < params.minWindows) throw new Error(`dataset plan has ${totalWindows} windows, fewer than ${params.minWindows}`);
  await loader.load(generateTrainingRuns(params, ids.teamIds, ids.gpuTypeIds));
  loadPhases.push({ label: `org, teams, GPU catalog, ${plans.length} deployments, ${params.trainingRuns.toLocaleString("en-US")} training runs`, seconds: seconds(phase) });

  phase = performance.now();
  let generateMs = 0;
  let done = 0;
  let lastLog = performance.now();
  for (const [i, plan] of plans.entries()) {
    const g = performance.now();
    const chunk = generateWindows(params, plan, deploymentIds[i]!);
    generateMs += performance.now() - g;
    // The previous chunk loads on the server while this one was generated.
    await loader.load(chunk, { isPipelined: true });
    done += chunk.rowCount;
    if (performance.now() - lastLog > 15_000) {
      log(`[${params.tier}]   ${done.toLocaleString("en-US")} / ${totalWindows.toLocaleString("en-US")} windows (${seconds(phase).toFixed(0)} s)`);
      lastLog = performance.now();
    }
  }
  await loader.flush();
  loadPhases.push({
    label: `${totalWindows.toLocaleString("en-US")} usage windows (${loader.method}; generating them in Node took ${(generateMs / 1000).toFixed(1)} s of this, overlapped with loading)`,
    seconds: seconds(phase),
  });
  log(`[${params.tier}] loaded ${totalWindows.toLocaleString("en-US")} windows in ${seconds(phase).toFixed(1)} s`);

  phase = performance.now();
  await client.query(`analyze`);
  loadPhases.push({ label: "ANALYZE", seconds: seconds(phase) });

  log(`[${params.tier}] building rollups with rebuildUsageRollups …`);
  phase = performance.now();
  const stats = new Map<string, { ms: number; count: number }>();
  let lastProgress = performance.now();
  const rebuilt = await rebuildUsageRollups(timedRunner(pgRunner(client), stats), {
    onProgress: (d, total) => {
      if (performance.now() - lastProgress > 15_000 || d === total) {
        log(`[${params.tier}]   rollups: ${d} / ${total} deployments (${seconds(phase).toFixed(0)} s)`);
        lastProgress = performance.now();
      }
    },
  });
  const rollupSeconds = seconds(phase);
  const dbMs = [...stats.values()].reduce((sum, s) => sum + s.ms, 0);
  const rollupPhases: PhaseTime[] = [...stats.entries()].map(([label, s]) => ({ label, seconds: s.ms / 1000, statements: s.count }));
  rollupPhases.push({ label: "Node: rollupQuarters (proration in lib/domain) and parameter building", seconds: rollupSeconds - dbMs / 1000 });
  log(`[${params.tier}] rollups built in ${rollupSeconds.toFixed(1)} s (${rebuilt.quarters.toLocaleString("en-US")} quarter rows)`);

  phase = performance.now();
  await client.query(`vacuum (analyze)`);
  const vacuumSeconds = seconds(phase);

  const count = async (table: string) => Number((await client.query<{ n: string }>(`select count(*)::text as n from ${table}`)).rows[0]!.n);
  const meta: LoadMeta = {
    generatedAt: new Date().toISOString(),
    loadMethod: loader.method,
    counts: {
      teams: ids.teamIds.length,
      gpuTypes: ids.gpuTypeIds.length,
      gpuPrices: await count("gpu_prices"),
      deployments: plans.length,
      trainingRuns: await count("training_runs"),
      usageWindows: await count("inference_usage_windows"),
    },
    loadPhases,
    rollupPhases,
    rollupSeconds,
    rollupQuarters: rebuilt.quarters,
    vacuumSeconds,
    totalSeconds: seconds(started),
  };
  await client.query(`insert into bench_meta values ('load', $1), ('complete', 'true')`, [JSON.stringify(meta)]);
  return meta;
}

/** Times every statement a runner executes, grouped by what it does. */
export function timedRunner(inner: SqlRunner, stats: Map<string, { ms: number; count: number }>): SqlRunner {
  const classify = (text: string): string => {
    const t = text.replace(/\s+/g, " ").trim();
    if (/^truncate/i.test(t)) return "SQL: other";
    if (/insert into inference_usage_windows/i.test(t)) return "SQL: insert raw windows";
    if (/delete from usage_rollup_quarter/i.test(t)) return "SQL: delete 15-minute rows";
    if (/insert into usage_rollup_quarter/i.test(t)) return "SQL: insert 15-minute rows (usage_rollup_quarter)";
    if (/^select .* from usage_rollup_quarter/i.test(t)) return "SQL: read 15-minute rows (incl. pg result parsing in Node)";
    if (/^select .* from (inference_deployments|rollup_time_zones) /i.test(t)) return "SQL: look up deployments and zones";
    if (/pg_advisory_xact_lock/i.test(t)) return "SQL: advisory locks";
    if (/usage_rollup_team_hour/i.test(t)) return "SQL: team-hour rows (usage_rollup_team_hour)";
    if (/usage_rollup_team_day/i.test(t)) return "SQL: team-day rows (usage_rollup_team_day)";
    if (/usage_rollup_day/i.test(t)) return "SQL: per-zone day rows (usage_rollup_day)";
    if (/usage_rollup_month/i.test(t)) return "SQL: per-zone month rows (usage_rollup_month)";
    if (/from inference_usage_windows/i.test(t)) return "SQL: read raw windows (incl. pg result parsing in Node)";
    return "SQL: other";
  };
  const time = async <T>(text: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      const key = classify(text);
      const s = stats.get(key) ?? { ms: 0, count: 0 };
      s.ms += performance.now() - start;
      s.count += 1;
      stats.set(key, s);
    }
  };
  return {
    query: (statement) => time(statement.text, () => inner.query(statement)),
    execute: (statement) => time(statement.text, () => inner.execute(statement)),
  };
}

interface CatalogIds {
  orgId: number;
  teamIds: number[];
  gpuTypeIds: number[];
}

async function insertCatalog(client: pg.Client, params: DatasetParams): Promise<CatalogIds> {
  const { startMs } = datasetRange(params);
  const created = new Date(startMs - 30 * 86_400_000).toISOString();
  const org = await client.query<{ id: number }>(`insert into orgs (slug, name, "timeZone", "createdAt") values ($1, $2, $3, $4) returning id`, [
    ORG.slug,
    ORG.name,
    ORG.timeZone,
    created,
  ]);
  const orgId = org.rows[0]!.id;
  await client.query(`insert into users ("orgId", email, name, role) values ($1, 'admin@bench.example', 'Bench Admin', 'ADMIN')`, [orgId]);
  const teamIds: number[] = [];
  for (const team of TEAMS) {
    const r = await client.query<{ id: number }>(
      `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "createdAt", "updatedAt") values ($1, $2, $3, $4, $5, $6, $6) returning id`,
      [orgId, team.slug, team.name, team.monthlyBudgetUsd, team.timeZone, created],
    );
    teamIds.push(r.rows[0]!.id);
  }
  const gpuTypeIds: number[] = [];
  for (const gpu of GPU_TYPES) {
    const r = await client.query<{ id: number }>(
      `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, $2, $3, $4, $5) returning id`,
      [orgId, gpu.name, gpu.memoryGb, gpu.peakBf16Tflops, gpu.memoryBandwidthGbps],
    );
    const id = r.rows[0]!.id;
    gpuTypeIds.push(id);
    const insertPrice = (provider: string, model: string, price: string, from: string, to: string | null) =>
      client.query(
        `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values ($1, $2, $3, $4, $5, $6)`,
        [id, provider, model, price, from, to],
      );
    await insertPrice("aws", "ON_DEMAND", gpu.onDemand[0], PRICES_FROM, PRICE_CHANGE);
    await insertPrice("aws", "ON_DEMAND", gpu.onDemand[1], PRICE_CHANGE, null);
    await insertPrice("coreweave", "RESERVED", gpu.reserved, PRICES_FROM, null);
  }
  return { orgId, teamIds, gpuTypeIds };
}

async function insertDeployment(client: pg.Client, plan: ReturnType<typeof planDeployments>[number], ids: CatalogIds): Promise<number> {
  const r = await client.query<{ id: number }>(
    `insert into inference_deployments ("teamId", name, model, "parameterCount", "servingEngine", quantization, batching, "maxBatchSize",
       "gpuTypeId", provider, "pricingModel", "gpuCount", "pricePerGpuHourOverride", "p99SloMs", "activeFrom", "activeTo", "createdAt", "updatedAt")
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $15) returning id`,
    [
      ids.teamIds[plan.teamIndex],
      plan.name,
      plan.model,
      plan.parameterCount,
      plan.servingEngine,
      plan.quantization,
      plan.batching,
      plan.maxBatchSize,
      ids.gpuTypeIds[plan.gpuTypeIndex],
      plan.pricing.provider,
      plan.pricing.pricingModel,
      plan.gpuCount,
      plan.pricing.override,
      plan.p99SloMs,
      new Date(plan.activeFromMs).toISOString(),
      plan.activeToMs === null ? null : new Date(plan.activeToMs).toISOString(),
    ],
  );
  return r.rows[0]!.id;
}

function escapeCopyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

function toCopyText(chunk: RowChunk): string {
  const parts: string[] = [];
  const escapes = chunk.columns.map((c) => c.isText === true);
  for (let r = 0; r < chunk.rowCount; r++) {
    let line = "";
    for (let c = 0; c < chunk.columns.length; c++) {
      const v = chunk.values[c]![r] ?? null;
      if (c > 0) line += "\t";
      line += v === null ? "\\N" : escapes[c] ? escapeCopyText(v) : v;
    }
    parts.push(line);
  }
  return parts.join("\n") + "\n";
}

function arrayLiteral(values: readonly (string | null)[], from: number, to: number, isQuoted: boolean): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const v = values[i] ?? null;
    out.push(v === null ? "NULL" : isQuoted ? `"${v.replace(/["\\]/g, "\\$&")}"` : v);
  }
  return `{${out.join(",")}}`;
}

/**
 * Bulk loads row chunks. Preferred: server-side `COPY … FROM '<file>'` from a
 * world-readable temp file (the server runs as the `postgres` OS user; it
 * needs superuser or pg_read_server_files and the same file system). If the
 * server refuses, falls back to `INSERT … SELECT FROM unnest($1::t[], …)` in
 * 20,000-row statements, array columns travelling as text[] of literals.
 */
class BulkLoader {
  method = "COPY FROM file";
  private pending: Promise<void> | null = null;
  private sequence = 0;

  constructor(
    private readonly client: pg.Client,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts loading `chunk`; pipelined loads return before it finishes (after the previous one did). */
  async load(chunk: RowChunk, options: { isPipelined?: boolean } = {}): Promise<void> {
    const started = this.start(chunk);
    started.catch(() => {}); // awaited below or by the next flush; avoid an early unhandled-rejection crash
    await this.flush();
    this.pending = started;
    if (!options.isPipelined) await this.flush();
  }

  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    await pending;
  }

  private async start(chunk: RowChunk): Promise<void> {
    const columns = chunk.columns.map((c) => `"${c.name}"`).join(", ");
    if (this.method === "COPY FROM file") {
      const file = path.join(os.tmpdir(), `burnrate-bench-${process.pid}-${this.sequence++}.tsv`);
      writeFileSync(file, toCopyText(chunk));
      chmodSync(file, 0o644);
      try {
        await this.client.query(`copy ${chunk.table} (${columns}) from '${file}'`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== "42501" && code !== "58P01") throw error;
        this.method = "INSERT … SELECT FROM unnest (20,000-row statements)";
        this.log(`server-side COPY refused (${(error as Error).message}); falling back to ${this.method}`);
      } finally {
        rmSync(file, { force: true });
      }
    }
    const select = chunk.columns.map((c, i) => (c.type.endsWith("[]") ? `c${i}::${c.type}` : `c${i}`)).join(", ");
    const unnest = chunk.columns.map((c, i) => `$${i + 1}::${c.type.endsWith("[]") ? "text" : c.type}[]`).join(", ");
    const names = chunk.columns.map((_, i) => `c${i}`).join(", ");
    const sql = `insert into ${chunk.table} (${columns}) select ${select} from unnest(${unnest}) as u(${names})`;
    for (let from = 0; from < chunk.rowCount; from += 20_000) {
      const to = Math.min(chunk.rowCount, from + 20_000);
      await this.client.query(
        sql,
        chunk.columns.map((c, i) => arrayLiteral(chunk.values[i]!, from, to, c.isText === true || c.type.endsWith("[]") || c.type === "timestamptz")),
      );
    }
  }
}
