import { readdirSync, readFileSync, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { splitSqlScript } from "./sql-script";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine, MigrationList, SchemaFilter } from "@prisma/schema-engine-wasm";
import { RollupFormatTooNewError, upgradeRollupFormat } from "../../lib/db/mutations/rollup-format";
import { StartupError } from "./errors";

/**
 * Prisma's schema engine, compiled to WebAssembly and published on npm, used
 * in place of the Prisma CLI (which downloads a native engine first). It
 * applies prisma/migrations with the same `_prisma_migrations` bookkeeping as
 * `prisma migrate deploy`, and diffs the schema against the migrations.
 */

const root = path.resolve(import.meta.dirname, "..", "..");
export const SCHEMA_PATH = path.join(root, "prisma", "schema.prisma");
export const MIGRATIONS_DIR = path.join(root, "prisma", "migrations");
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

let glue: Promise<typeof import("@prisma/schema-engine-wasm")> | undefined;

/** Node 20 cannot import a .wasm ES module: instantiate it by hand. */
function loadEngineModule() {
  glue ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const mod = (await import(gluePath)) as typeof import("@prisma/schema-engine-wasm") & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": mod as unknown as WebAssembly.ModuleImports });
    mod.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return mod;
  })();
  return glue;
}

export function readMigrations(): MigrationList {
  const dirs = existsSync(MIGRATIONS_DIR)
    ? readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: readFileSync(path.join(MIGRATIONS_DIR, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

export function readSchemaFiles() {
  return { files: [{ path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, "utf8") }] };
}

interface EngineOptions {
  url: string;
  /** A scratch database for diffs that replay the migrations. */
  shadowUrl?: string;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** ColumnTypeEnum.Character in @prisma/driver-adapter-utils. */
const COLUMN_TYPE_CHARACTER = 6;
const charColumns = new WeakMap<object, number[]>();

/**
 * The schema engine reads PostgreSQL's catalogs, whose one-byte `"char"`
 * columns @prisma/adapter-pg 7.10 refuses (UnsupportedNativeDataType) while
 * the engine expects them as Character. Results from our own pools remember
 * which columns were `"char"`; the adapter's result is then typed to match.
 * Queries from any other pool are untouched.
 */
function rememberCharColumns(result: pg.QueryResult | undefined) {
  const indexes: number[] = [];
  (result?.fields ?? []).forEach((field, i) => {
    if (field.dataTypeID === PG_CHAR_OID) {
      field.dataTypeID = PG_TEXT_OID;
      indexes.push(i);
    }
  });
  if (result && indexes.length > 0) charColumns.set(result.rows, indexes);
  return result;
}

/** Wraps `query` of a pg Pool or Client (promise form; callback calls pass through). */
function patchQuery(target: pg.Pool | pg.PoolClient) {
  const holder = target as unknown as { query: (...args: unknown[]) => unknown };
  const query = holder.query.bind(target);
  holder.query = (...args: unknown[]) => {
    const result = query(...args);
    return result instanceof Promise ? result.then(rememberCharColumns) : result;
  };
}

function catalogSafePool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // A scratch database is force-dropped right after use; a connection still
  // closing then reports "terminating connection" on an idle client.
  pool.on("error", () => {});
  patchQuery(pool);
  pool.on("connect", patchQuery);
  return pool;
}

type QueryRaw = (query: unknown) => Promise<{ columnTypes: number[]; rows: object }>;
let adapterPatched = false;

async function patchAdapterCharColumns(adapter: PrismaPg): Promise<void> {
  if (adapterPatched) return;
  const connection = await adapter.connect();
  let scriptProto: object | null = Object.getPrototypeOf(connection) as object | null;
  while (scriptProto && !Object.prototype.hasOwnProperty.call(scriptProto, "executeScript")) scriptProto = Object.getPrototypeOf(scriptProto) as object | null;
  let proto: object | null = Object.getPrototypeOf(connection) as object | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "queryRaw")) proto = Object.getPrototypeOf(proto) as object | null;
  await connection.dispose();
  if (!proto) throw new Error("@prisma/adapter-pg: queryRaw not found");
  if (!scriptProto) throw new Error("@prisma/adapter-pg: executeScript not found");
  const target = proto as { queryRaw: QueryRaw };
  // Migrations with PL/pgSQL bodies (triggers) need a splitter that knows dollar quotes.
  (scriptProto as { executeScript: unknown }).executeScript = async function (this: { client: pg.PoolClient; onError: (error: unknown) => never }, script: string) {
    for (const sql of splitSqlScript(script)) {
      try {
        await this.client.query(sql);
      } catch (error) {
        this.onError(error);
      }
    }
  };
  const original = target.queryRaw;
  target.queryRaw = async function (this: unknown, query: unknown) {
    const result = await original.call(this, query);
    for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return result;
  };
  adapterPatched = true;
}

async function withEngine<T>({ url, shadowUrl }: EngineOptions, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const pools: pg.Pool[] = [catalogSafePool(url)];
  const adapter = new PrismaPg(pools[0]!);
  await patchAdapterCharColumns(adapter);
  // PrismaPg's own shadow handling reconnects to the main database; hand the
  // engine a connection to the scratch database we created instead.
  const factory = Object.assign(Object.create(Object.getPrototypeOf(adapter) as object) as PrismaPg, adapter, {
    connectToShadowDb: async () => {
      if (!shadowUrl) throw new Error("this operation needs a shadow database");
      const pool = catalogSafePool(shadowUrl);
      pools.push(pool);
      return new PrismaPg(pool).connect();
    },
  });
  const logs: string[] = [];
  const engine = await SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, readFileSync(SCHEMA_PATH, "utf8")]] },
    (line: string) => logs.push(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await Promise.all(pools.map((p) => p.end()));
  }
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Migrations recorded in the database that this code does not have. */
  unknown: string[];
  failed: string[];
}

/** Reads `_prisma_migrations` directly: cheap and safe to run before anything else. */
export async function migrationStatus(url: string): Promise<MigrationStatus> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query<{ t: string | null }>("select to_regclass('public._prisma_migrations')::text as t");
    const local = readMigrations().migrationDirectories.map((d) => d.path);
    if (!exists.rows[0]?.t) return { applied: [], pending: local, unknown: [], failed: [] };
    const rows = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      "select migration_name, finished_at, rolled_back_at from _prisma_migrations",
    );
    const done = rows.rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
    const failed = rows.rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
    return {
      applied: done,
      pending: local.filter((m) => !done.includes(m)),
      unknown: done.filter((m) => !local.includes(m)),
      failed,
    };
  } finally {
    await client.end();
  }
}

/** Applies pending migrations. Refuses a database that is ahead of the code. */
export async function applyMigrations(url: string): Promise<string[]> {
  const status = await migrationStatus(url);
  if (status.unknown.length > 0) {
    throw new StartupError(
      `the database has migrations this code does not know (${status.unknown.join(", ")}) — it was migrated by a newer Burnrate; update the code (git pull) or point DATABASE_URL at another database`,
    );
  }
  if (status.failed.length > 0) {
    throw new StartupError(`migration ${status.failed.join(", ")} failed earlier and is half-applied — fix it by hand, then mark it rolled back`);
  }
  const applied =
    status.pending.length === 0
      ? []
      : (await withEngine({ url }, (engine) => engine.applyMigrations({ migrationsList: readMigrations(), filters: NO_FILTER }))).appliedMigrationNames;
  await upgradeRollups(url);
  return applied;
}

/**
 * Rebuilds the usage rollups once when they were built in an older format
 * than this code writes (lib/db/mutations/rollup-format.ts), as part of
 * bringing the database up to date.
 */
async function upgradeRollups(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const upgrade = await upgradeRollupFormat(client);
    if (upgrade?.rebuilt) {
      const { deployments, quarters, seconds } = upgrade.rebuilt;
      console.log(
        `Rebuilt the usage rollups in format ${upgrade.to} (was ${upgrade.from}): ${quarters.toLocaleString("en-US")} 15-minute rows for ${deployments} deployments in ${seconds.toFixed(1)} s`,
      );
    }
  } catch (error) {
    if (error instanceof RollupFormatTooNewError) throw new StartupError(error.message);
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * SQL that takes a database built from prisma/migrations to schema.prisma.
 * Empty when they agree. Needs a scratch database to replay the migrations.
 */
export async function diffMigrationsToSchema(options: { url: string; shadowUrl: string }): Promise<string> {
  const result = await withEngine(options, (engine) =>
    engine.diff({
      from: { tag: "migrations", ...readMigrations() },
      to: { tag: "schemaDatamodel", ...readSchemaFiles() },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    }),
  );
  const sql = (result.stdout ?? "").trim();
  return sql === "-- This is an empty migration." ? "" : sql;
}

/** Runs fn with a fresh scratch database on the same server, dropped afterwards. */
export async function withScratchDatabase<T>(url: string, fn: (scratchUrl: string) => Promise<T>): Promise<T> {
  const name = `burnrate_shadow_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
    const scratch = new URL(url);
    scratch.pathname = `/${name}`;
    try {
      return await fn(scratch.toString());
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await admin.end();
  }
}
