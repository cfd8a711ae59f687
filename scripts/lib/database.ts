import path from "node:path";
import pg from "pg";
import { z } from "zod";
import { startEmbeddedPostgres, type EmbeddedPostgres, type SuperviseOptions } from "./embedded-postgres";
import { StartupError } from "./errors";

const root = path.resolve(import.meta.dirname, "..", "..");

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  BURNRATE_DATA_DIR: z.string().trim().min(1).optional(),
  BURNRATE_PG_PORT: z.coerce.number().int().min(1024).max(65535).optional(),
});

export type ScriptEnv = z.infer<typeof envSchema>;

export function readScriptEnv(env: NodeJS.ProcessEnv = process.env): ScriptEnv {
  const parsed = envSchema.safeParse({
    DATABASE_URL: env.DATABASE_URL || undefined,
    BURNRATE_DATA_DIR: env.BURNRATE_DATA_DIR || undefined,
    BURNRATE_PG_PORT: env.BURNRATE_PG_PORT || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StartupError(`${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export const DEFAULT_PG_PORT = 54329;
export const APP_DATABASE = "burnrate";

export interface Database {
  url: string;
  embedded?: EmbeddedPostgres;
  stop(): Promise<void>;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Fails with one line when the server cannot be reached or refuses us. */
export async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { code?: string };
    const reason =
      e.code === "ECONNREFUSED" ? "connection refused" :
      e.code === "ENOTFOUND" ? "host not found" :
      e.code === "28P01" ? "password authentication failed" :
      e.code === "3D000" ? "database does not exist" :
      /timeout/i.test(e.message) ? "timed out" : e.message;
    throw new StartupError(
      `cannot reach the database at ${redact(url)} (${reason}) — start that PostgreSQL server or fix DATABASE_URL; unset DATABASE_URL to use the embedded one`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL with its data
 * under .data/ (kept across restarts). With `supervise`, the embedded server
 * is restarted whenever it dies (see startEmbeddedPostgres).
 */
export async function openDatabase(options: { log?: (line: string) => void; supervise?: SuperviseOptions } = {}): Promise<Database> {
  const env = readScriptEnv();
  if (env.DATABASE_URL) {
    await assertReachable(env.DATABASE_URL);
    return { url: env.DATABASE_URL, stop: async () => {} };
  }
  const dataDir = path.resolve(root, env.BURNRATE_DATA_DIR ?? ".data", "postgres");
  const embedded = await startEmbeddedPostgres({ dataDir, port: env.BURNRATE_PG_PORT ?? DEFAULT_PG_PORT, log: options.log, supervise: options.supervise });
  try {
    await ensureDatabase(embedded.url(), APP_DATABASE);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { url: embedded.url(APP_DATABASE), embedded, stop: () => embedded.stop() };
}

/** Stops the database on Ctrl-C / SIGTERM, then exits. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }
}
