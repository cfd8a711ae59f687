import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freePort } from "@/lib/testing/test-database";
import { applyMigrations, withScratchDatabase } from "./lib/schema-engine";

// What a person sees when `npm start` or a db script cannot start: one line
// naming the problem and the fix, exit code 1, no stack trace.
const root = path.resolve(import.meta.dirname, "..");
const TSX = path.join(path.dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "cli.mjs");

function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX, script], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function expectOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("start-up failures", () => {
  it("npm start: the app port is in use", async () => {
    const port = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const result = await runScript("scripts/start.ts", { PORT: String(port), DATABASE_URL: process.env.DATABASE_URL! });
      expect(result.code).toBe(1);
      expectOneLine(result.stderr, new RegExp(`^burnrate: port ${port} \\(Burnrate\\) is already in use — set PORT to a free port`));
    } finally {
      blocker.close();
    }
  });

  it("npm start: PORT is not a port", async () => {
    const result = await runScript("scripts/start.ts", { PORT: "http", DATABASE_URL: process.env.DATABASE_URL! });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^burnrate: PORT must be a whole number from 1 to 65535, got "http"$/);
  });

  it("db:migrate: DATABASE_URL is unreachable", async () => {
    const result = await runScript("scripts/migrate.ts", { DATABASE_URL: `postgresql://x:y@127.0.0.1:${await freePort()}/nope` });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^burnrate: cannot reach the database at postgresql:\/\/x:\*\*\*@127\.0\.0\.1:\d+\/nope \(connection refused\)/);
  });

  it("db:migrate: DATABASE_URL is not a PostgreSQL URL", async () => {
    const result = await runScript("scripts/migrate.ts", { DATABASE_URL: "mysql://localhost/burnrate" });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^burnrate: DATABASE_URL: DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
  });

  it("db:migrate: the database is ahead of the code", async () => {
    await withScratchDatabase(process.env.BURNRATE_TEST_ADMIN_URL!, async (url) => {
      await applyMigrations(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(
        `insert into _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) values ('f', 'x', '29990101000000_next', now(), now(), 1)`,
      );
      await client.end();
      const result = await runScript("scripts/migrate.ts", { DATABASE_URL: url });
      expect(result.code).toBe(1);
      expectOneLine(result.stderr, /^burnrate: the database has migrations this code does not know \(29990101000000_next\) — .*update the code/);
    });
  });
});
