import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { applyMigrations } from "../../scripts/lib/schema-engine";

export const TEMPLATE_DATABASE = "burnrate_test_template";

/** Tests write and drop databases: refuse anything but this machine. */
export function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["localhost", "127.0.0.1", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to run tests against non-local database host "${host}" (TEST_DATABASE_URL must point at localhost).`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestServer {
  /** Connection string to the server's maintenance database. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** TEST_DATABASE_URL's server, or a throwaway embedded PostgreSQL. */
export async function startTestServer(): Promise<TestServer> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    assertLocal(external);
    return { adminUrl: external, stop: async () => {} };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "burnrate-test-pg-"));
  // PostgreSQL runs as the `postgres` user when we are root: it must reach in.
  chmodSync(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port: await freePort() });
  return {
    adminUrl: server.url("postgres"),
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Builds the migrated template that every test database is cloned from. */
export async function createTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
    await admin.query(`create database ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  await applyMigrations(withDatabase(adminUrl, TEMPLATE_DATABASE));
}

/** A fresh database cloned from the template; returns its URL and a dropper. */
export async function createTestDatabase(adminUrl: string, label: string) {
  const name = `burnrate_test_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase().slice(0, 30)}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
