import { hashPassword } from "better-auth/crypto";
import pg from "pg";
import { rebuildCostRollups } from "../db/mutations/cost-rollups";
import { rebuildUsageRollups } from "../db/mutations/usage-rollups";
import { pgRunner } from "../db/sql";
import {
  planDemoData,
  type DemoDataPlan,
  type DeploymentRecord,
  type GpuPriceRecord,
  type GpuTypeRecord,
  type TeamRecord,
  type TrainingRunRecord,
  type UsageWindowRecord,
  type UserRecord,
  DEMO_PASSWORD,
} from "./demo-data";

/**
 * Writes the demo dataset with the plain pg driver: bulk
 * `INSERT … SELECT FROM unnest($1::type[], …)` statements, values only ever
 * as parameters, everything in one transaction.
 */

export interface SeedDatabaseOptions {
  url: string;
  /** Wipe every app table (RESTART IDENTITY) before seeding. */
  reset: boolean;
  /** Defaults to the current time; the data is relative to it. */
  now?: Date;
  seed?: number;
  /** Days of 5-minute usage windows; 90 by default. */
  usageDays?: number;
}

export interface SeedCounts {
  orgs: number;
  users: number;
  teams: number;
  gpuTypes: number;
  gpuPrices: number;
  trainingRuns: number;
  deployments: number;
  usageWindows: number;
  /** 15-minute usage rollup rows (team-hour and per-zone day rows derive from them). */
  rollupQuarters: number;
}

/** isSeeded is false when the database already had an org and nothing was written. */
export type SeedResult =
  | { isSeeded: true; counts: SeedCounts; seconds: number; rollupSeconds: number }
  | { isSeeded: false; seconds: number };

/** Rows per usage-window INSERT: large enough to amortize round trips, small enough to keep params modest. */
const WINDOW_CHUNK_ROWS = 5_000;

/** Serializes concurrent seeders (two `npm run db:seed` at once). */
const SEED_LOCK_KEY = 7_384_112;

/**
 * A column of a bulk insert. `type` is the column's SQL type. Each column
 * travels as ONE parameter: a PostgreSQL array literal that we build here
 * (faster than letting pg serialize millions of elements, and it lets the
 * next chunk be built while the server inserts the previous one). Special
 * cases:
 * - timestamptz: epoch seconds as float8 (cheaper to send and parse than text),
 * - array columns (`smallint[]`, `int[]`): one array literal per row inside a
 *   text[] (PostgreSQL arrays cannot be ragged), cast back row by row.
 */
interface Column<T> {
  name: string;
  type: string;
  value: (row: T) => unknown;
}

function col<T>(name: string, type: string, value: (row: T) => unknown): Column<T> {
  return { name, type, value };
}

const isArrayType = (type: string) => type.endsWith("[]");

function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/** How one value becomes an element of the column's array literal (chosen once per column, not per cell). */
function elementWriter(type: string): (value: unknown) => string {
  if (type === "timestamptz") return (v) => (v == null ? "NULL" : String((v as Date).getTime() / 1000));
  if (isArrayType(type)) return (v) => (v == null ? "NULL" : `"{${(v as number[]).join(",")}}"`);
  return (v) =>
    v == null ? "NULL" :
    typeof v === "number" ? String(v) :
    typeof v === "boolean" ? (v ? "t" : "f") :
    quoted(String(v));
}

/** INSERT … SELECT … FROM unnest($1::t1[], …): identifiers and types come from the constant column lists, never from data. */
function bulkInsertSql<T>(table: string, columns: readonly Column<T>[], returning = ""): string {
  const unnestArgs = columns.map((column, i) => {
    const paramType = column.type === "timestamptz" ? "float8" : isArrayType(column.type) ? "text" : column.type;
    return `$${i + 1}::${paramType}[]`;
  });
  const selectList = columns.map((column, i) =>
    column.type === "timestamptz" ? `to_timestamp(u.c${i})` :
    isArrayType(column.type) ? `u.c${i}::${column.type}` :
    `u.c${i}`,
  );
  return (
    `INSERT INTO "${table}" (${columns.map((c) => `"${c.name}"`).join(", ")}) ` +
    `SELECT ${selectList.join(", ")} FROM unnest(${unnestArgs.join(", ")}) ` +
    `AS u(${columns.map((_, i) => `c${i}`).join(", ")})` +
    (returning ? ` RETURNING ${returning}` : "")
  );
}

function bulkInsertParams<T>(columns: readonly Column<T>[], rows: readonly T[]): string[] {
  return columns.map((column) => {
    const write = elementWriter(column.type);
    const elements = new Array<string>(rows.length);
    for (let r = 0; r < rows.length; r++) elements[r] = write(column.value(rows[r]!));
    return `{${elements.join(",")}}`;
  });
}

async function insertRows<T>(
  client: pg.ClientBase,
  table: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  returning = "",
): Promise<pg.QueryResult> {
  return client.query(bulkInsertSql(table, columns, returning), bulkInsertParams(columns, rows));
}

function idMap(result: pg.QueryResult, key: string): Map<string, number> {
  return new Map(result.rows.map((row: Record<string, unknown>) => [String(row[key]), Number(row.id)]));
}

function lookup(map: Map<string, number>, key: string, what: string): number {
  const id = map.get(key);
  if (id === undefined) throw new Error(`seed data refers to unknown ${what} "${key}"`);
  return id;
}

async function hasOrg(client: pg.ClientBase): Promise<boolean> {
  const result = await client.query<{ found: boolean }>("SELECT EXISTS (SELECT 1 FROM orgs) AS found");
  return result.rows[0]?.found === true;
}

/** TRUNCATE every table of the app's schema except Prisma's migration log. */
async function truncateAppTables(client: pg.ClientBase): Promise<void> {
  await client.query(`
    DO $$
    DECLARE tables text;
    BEGIN
      SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables
      FROM pg_tables
      WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations';
      IF tables IS NOT NULL THEN
        EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
      END IF;
    END $$`);
}

async function insertDemoData(client: pg.ClientBase, data: DemoDataPlan): Promise<Omit<SeedCounts, "rollupQuarters">> {
  const orgResult = await client.query<{ id: number }>(
    `INSERT INTO orgs (slug, name, "timeZone", currency, "createdAt", "isDemo") VALUES ($1, $2, $3, $4, $5, true) RETURNING id`,
    [data.org.slug, data.org.name, data.org.timeZone, data.org.currency, data.org.createdAt],
  );
  const orgId = orgResult.rows[0]!.id;

  const users = idMap(
    await insertRows<UserRecord>(client, "users", [
      col("orgId", "int", () => orgId),
      col("email", "text", (u) => u.email),
      col("name", "text", (u) => u.name),
      col("role", '"OrgRole"', (u) => u.role),
      col("emailVerified", "boolean", () => true),
      col("createdAt", "timestamptz", (u) => u.createdAt),
    ], data.users, "id, email"),
    "email",
  );
  // Demo users sign in with DEMO_PASSWORD (one scrypt hash, better-auth's format, shared by all of them).
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await client.query(
    `INSERT INTO auth_accounts ("userId", "accountId", "providerId", password, "updatedAt")
     SELECT id, id::text, 'credential', $2, now() FROM users WHERE id = any($1::int[])`,
    [[...users.values()], passwordHash],
  );

  const teams = idMap(
    await insertRows<TeamRecord>(client, "teams", [
      col("orgId", "int", () => orgId),
      col("slug", "text", (t) => t.slug),
      col("name", "text", (t) => t.name),
      col("monthlyBudgetUsd", "numeric", (t) => t.monthlyBudgetUsd),
      col("timeZone", "text", (t) => t.timeZone),
      col("createdAt", "timestamptz", (t) => t.createdAt),
      col("updatedAt", "timestamptz", (t) => t.createdAt),
    ], data.teams, "id, slug"),
    "slug",
  );
  const memberships = data.users.flatMap((u) => u.teams.map((t) => ({ userId: users.get(u.email)!, teamId: teams.get(t.slug)!, role: t.role })));
  if (memberships.length > 0) {
    await client.query(
      `INSERT INTO team_memberships ("userId", "teamId", role) SELECT * FROM unnest($1::int[], $2::int[], $3::"TeamRole"[])`,
      [memberships.map((m) => m.userId), memberships.map((m) => m.teamId), memberships.map((m) => m.role)],
    );
  }

  const gpuTypes = idMap(
    await insertRows<GpuTypeRecord>(client, "gpu_types", [
      col("orgId", "int", () => orgId),
      col("name", "text", (g) => g.name),
      col("memoryGb", "int", (g) => g.memoryGb),
      col("peakBf16Tflops", "numeric", (g) => g.peakBf16Tflops),
      col("memoryBandwidthGbps", "numeric", (g) => g.memoryBandwidthGbps),
      col("createdAt", "timestamptz", (g) => g.createdAt),
    ], data.gpuTypes, "id, name"),
    "name",
  );

  await insertRows<GpuPriceRecord>(client, "gpu_prices", [
    col("gpuTypeId", "int", (p) => lookup(gpuTypes, p.gpuTypeName, "GPU type")),
    col("provider", "text", (p) => p.provider),
    col("pricingModel", '"PricingModel"', (p) => p.pricingModel),
    col("pricePerGpuHour", "numeric", (p) => p.pricePerGpuHour),
    col("effectiveFrom", "timestamptz", (p) => p.effectiveFrom),
    col("effectiveTo", "timestamptz", (p) => p.effectiveTo),
    col("createdAt", "timestamptz", (p) => p.createdAt),
  ], data.gpuPrices);

  await insertRows<TrainingRunRecord>(client, "training_runs", [
    col("teamId", "int", (r) => lookup(teams, r.teamSlug, "team")),
    col("name", "text", (r) => r.name),
    col("model", "text", (r) => r.model),
    col("parameterCount", "int8", (r) => r.parameterCount),
    col("method", '"TrainingMethod"', (r) => r.method),
    col("precision", '"Precision"', (r) => r.precision),
    col("gradientCheckpointing", "bool", (r) => r.gradientCheckpointing),
    col("flashAttention", "bool", (r) => r.flashAttention),
    col("zeroStage", "int", (r) => r.zeroStage),
    col("gradientAccumulationSteps", "int", (r) => r.gradientAccumulationSteps),
    col("gpuTypeId", "int", (r) => lookup(gpuTypes, r.gpuTypeName, "GPU type")),
    col("provider", "text", (r) => r.provider),
    col("pricingModel", '"PricingModel"', (r) => r.pricingModel),
    col("gpuCount", "int", (r) => r.gpuCount),
    col("startedAt", "timestamptz", (r) => r.startedAt),
    col("endedAt", "timestamptz", (r) => r.endedAt),
    col("status", '"RunStatus"', (r) => r.status),
    col("tokensProcessed", "int8", (r) => r.tokensProcessed),
    col("throughputTokensPerSec", "numeric", (r) => r.throughputTokensPerSec),
    col("avgGpuUtilizationPct", "numeric", (r) => r.avgGpuUtilizationPct),
    col("pricePerGpuHourOverride", "numeric", (r) => r.pricePerGpuHourOverride),
    col("storageCostUsd", "numeric", (r) => r.storageCostUsd),
    col("dataCostUsd", "numeric", (r) => r.dataCostUsd),
    col("networkCostUsd", "numeric", (r) => r.networkCostUsd),
    col("notes", "text", (r) => r.notes),
    col("createdAt", "timestamptz", (r) => r.createdAt),
    col("updatedAt", "timestamptz", (r) => r.updatedAt),
  ], data.trainingRuns);

  const deployments = idMap(
    await insertRows<DeploymentRecord>(client, "inference_deployments", [
      col("teamId", "int", (d) => lookup(teams, d.teamSlug, "team")),
      col("name", "text", (d) => d.name),
      col("model", "text", (d) => d.model),
      col("parameterCount", "int8", (d) => d.parameterCount),
      col("servingEngine", '"ServingEngine"', (d) => d.servingEngine),
      col("quantization", '"Quantization"', (d) => d.quantization),
      col("batching", '"Batching"', (d) => d.batching),
      col("maxBatchSize", "int", (d) => d.maxBatchSize),
      col("gpuTypeId", "int", (d) => lookup(gpuTypes, d.gpuTypeName, "GPU type")),
      col("provider", "text", (d) => d.provider),
      col("pricingModel", '"PricingModel"', (d) => d.pricingModel),
      col("gpuCount", "int", (d) => d.gpuCount),
      col("pricePerGpuHourOverride", "numeric", (d) => d.pricePerGpuHourOverride),
      col("p99SloMs", "int", (d) => d.p99SloMs),
      col("activeFrom", "timestamptz", (d) => d.activeFrom),
      col("activeTo", "timestamptz", (d) => d.activeTo),
      col("createdAt", "timestamptz", (d) => d.createdAt),
      col("updatedAt", "timestamptz", (d) => d.updatedAt),
    ], data.deployments, "id, name"),
    "name",
  );

  const windowColumns: Column<UsageWindowRecord>[] = [
    col("deploymentId", "int", (w) => lookup(deployments, w.deploymentName, "deployment")),
    col("windowStart", "timestamptz", (w) => w.windowStart),
    col("windowSeconds", "int", (w) => w.windowSeconds),
    col("requests", "int8", (w) => w.requests),
    col("errors", "int8", (w) => w.errors),
    col("inputTokens", "int8", (w) => w.inputTokens),
    col("cachedInputTokens", "int8", (w) => w.cachedInputTokens),
    col("outputTokens", "int8", (w) => w.outputTokens),
    col("latencyKeys", "smallint[]", (w) => w.latencyKeys),
    col("latencyCounts", "int[]", (w) => w.latencyCounts),
    col("avgGpuUtilizationPct", "numeric", (w) => w.avgGpuUtilizationPct),
  ];
  // Pipelined: the next chunk is simulated and serialized while the server
  // inserts the previous one (the two run on different cores).
  const windowSql = bulkInsertSql("inference_usage_windows", windowColumns);
  let usageWindows = 0;
  let inFlight: Promise<unknown> | undefined;
  for (const batch of data.usageWindowBatches(WINDOW_CHUNK_ROWS)) {
    const params = bulkInsertParams(windowColumns, batch);
    usageWindows += batch.length;
    if (inFlight) await inFlight;
    inFlight = client.query(windowSql, params);
  }
  if (inFlight) await inFlight;

  return {
    orgs: 1,
    users: data.users.length,
    teams: data.teams.length,
    gpuTypes: data.gpuTypes.length,
    gpuPrices: data.gpuPrices.length,
    trainingRuns: data.trainingRuns.length,
    deployments: data.deployments.length,
    usageWindows,
  };
}

/**
 * Seeds the demo org and rebuilds the usage rollups from its windows. Without
 * `reset`, a database that already has an org is left alone
 * (isSeeded false). With it, every app table is truncated first, in the same
 * transaction as the inserts, so a failed reseed changes nothing.
 */
export async function seedDatabase({ url, reset, now = new Date(), seed, usageDays }: SeedDatabaseOptions): Promise<SeedResult> {
  const startedAt = performance.now();
  const elapsed = () => (performance.now() - startedAt) / 1000;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Cheap check first: no need to generate 250k windows for nothing.
    if (!reset && (await hasOrg(client))) return { isSeeded: false, seconds: elapsed() };

    const data = planDemoData({ now, seed, usageDays });

    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [SEED_LOCK_KEY]);
      if (reset) {
        await truncateAppTables(client);
      } else if (await hasOrg(client)) {
        await client.query("ROLLBACK");
        return { isSeeded: false, seconds: elapsed() };
      }
      const counts = await insertDemoData(client, data);
      // House rule: raw rows and their rollups are written in the same
      // transaction. The rebuild's SQL aggregates millions of (bucket, sketch
      // key) pairs; a larger work_mem lets them hash in memory instead of
      // spilling (per-zone day rows on a fresh database: 9.8 s -> 6.2 s).
      const rollupStartedAt = performance.now();
      await client.query("SET LOCAL work_mem = '256MB'");
      const rollups = await rebuildUsageRollups(pgRunner(client));
      await rebuildCostRollups(pgRunner(client));
      const rollupSeconds = (performance.now() - rollupStartedAt) / 1000;
      await client.query("COMMIT");
      // Fresh statistics so the first dashboard queries get sensible plans.
      await client.query("ANALYZE");
      return { isSeeded: true, counts: { ...counts, rollupQuarters: rollups.quarters }, seconds: elapsed(), rollupSeconds };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  } finally {
    await client.end();
  }
}
