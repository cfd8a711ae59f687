import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/lib/testing/test-database";
import { startEmbeddedPostgres } from "./embedded-postgres";

const dirs: string[] = [];
function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burnrate-pg-it-"));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return path.join(dir, "pg");
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL", () => {
  it("keeps data across a restart", async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    await query(first.url(), "create table kept (v int); insert into kept values (42)");
    await first.stop();
    const second = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(await query<{ v: number }>(second.url(), "select v from kept")).toEqual([{ v: 42 }]);
    } finally {
      await second.stop();
    }
  });

  it("names the port and the fix when the port is taken", async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      await expect(startEmbeddedPostgres({ dataDir: tempDataDir(), port })).rejects.toThrow(
        new RegExp(`port ${port} \\(embedded PostgreSQL\\) is already in use — set BURNRATE_PG_PORT`),
      );
    } finally {
      blocker.close();
    }
  });

  it("refuses a data directory that a running server holds, without touching it", async () => {
    const dataDir = tempDataDir();
    const running = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    try {
      await query(running.url(), "create table mine (v int); insert into mine values (7)");
      await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(/is in use by a running PostgreSQL \(PID \d+\) — stop the other Burnrate first/);
      expect(await query<{ v: number }>(running.url(), "select v from mine")).toEqual([{ v: 7 }]);
    } finally {
      await running.stop();
    }
  });

  it("recovers from a stale lock after a crash, with committed data intact", async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const crashed = await startEmbeddedPostgres({ dataDir, port });
    await query(crashed.url(), "create table survived (v int); insert into survived values (1), (2)");
    // Kill the postmaster without a shutdown: postmaster.pid stays behind.
    const postmasterPid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(postmasterPid, "SIGKILL");
    // Its auxiliary processes exit when they notice the postmaster is gone.
    await new Promise((r) => setTimeout(r, 500));
    const lines: string[] = [];
    const recovered = await startEmbeddedPostgres({ dataDir, port: await freePort(), log: (l) => lines.push(l) });
    try {
      expect(lines.some((l) => l.includes("stale PostgreSQL lock"))).toBe(true);
      expect(await query<{ v: number }>(recovered.url(), "select v from survived order by v")).toEqual([{ v: 1 }, { v: 2 }]);
    } finally {
      await recovered.stop();
      await crashed.stop();
    }
  });
});
