import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

  it("supervised, comes back by itself after the postmaster is killed, with every commit", async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const events: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, port, supervise: { notify: (l) => events.push(l) } });
    // A pool like the app's: its idle connections die with the server and must not crash this process.
    const pool = new pg.Pool({ connectionString: server.url(), max: 4, connectionTimeoutMillis: 5000 });
    const poolErrors: Error[] = [];
    pool.on("error", (e) => poolErrors.push(e));
    try {
      await pool.query("create table ledger (id int primary key, micros bigint not null)");
      await pool.query("insert into ledger select g, g * 1000000 from generate_series(1, 1000) g");
      // Keep some connections idle in the pool across the crash.
      await Promise.all([1, 2, 3].map(() => pool.query("select pg_sleep(0.05)")));
      const startedBefore = (await pool.query<{ t: string }>("select pg_postmaster_start_time()::text t")).rows[0]!.t;
      const killedPid = server.pid()!;
      expect(Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])).toBe(killedPid);
      const killedAt = Date.now();
      process.kill(killedPid, "SIGKILL");

      // Poll until the restarted server answers (an orphaned backend of the killed one may still answer for a
      // moment: pg_postmaster_start_time tells them apart). Each attempt fails fast while it is down or recovering.
      const deadline = Date.now() + 90_000;
      let rows: { t: string; n: string; total: string }[] | undefined;
      for (;;) {
        try {
          rows = (await pool.query<{ t: string; n: string; total: string }>("select pg_postmaster_start_time()::text t, count(*) n, sum(micros) total from ledger")).rows;
          if (rows[0]!.t !== startedBefore) break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
        if (Date.now() > deadline) throw new Error("the killed PostgreSQL did not come back within 90 s");
        await new Promise((r) => setTimeout(r, 200));
      }
      const recoverySeconds = (Date.now() - killedAt) / 1000;
      console.log(`embedded PostgreSQL: killed -> restarted server answering in ${recoverySeconds.toFixed(1)} s`);

      expect(rows.map(({ n, total }) => ({ n, total }))).toEqual([{ n: "1000", total: String(500500 * 1_000_000) }]);
      expect(server.pid()).not.toBe(killedPid);
      expect(server.port).toBe(port);
      expect(events[0]).toMatch(new RegExp(`PostgreSQL \\(PID ${killedPid}\\) exited unexpectedly \\(SIGKILL\\); restarting it on port ${port}`));
      expect(events.at(-1)).toMatch(/PostgreSQL is back \(PID \d+\) after \d+\.\d s/);
      // The pool dropped the dead connections; new writes work.
      await pool.query("insert into ledger values (1001, 1)");
      expect((await pool.query<{ n: string }>("select count(*) n from ledger")).rows).toEqual([{ n: "1001" }]);
    } finally {
      await pool.end();
      await server.stop();
    }
    // Stopped on purpose: not restarted.
    expect(events.filter((l) => l.includes("exited unexpectedly"))).toHaveLength(1);
    expect(existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);
  }, 240_000);

  it("supervised, stops for good when stop() comes while it is down", async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const events: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, port, supervise: { notify: (l) => events.push(l) } });
    const killedPid = server.pid()!;
    process.kill(killedPid, "SIGKILL");
    await server.stop();
    // Nothing was restarted behind our back: the directory and port are free for a new server.
    expect(events.some((l) => l.includes("is back"))).toBe(false);
    const deadline = Date.now() + 90_000;
    let again: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    while (!again) {
      // The killed server's last backends may hold its shared memory for a moment.
      again = await startEmbeddedPostgres({ dataDir, port }).catch((error: Error) => {
        if (Date.now() > deadline) throw error;
        return undefined;
      });
      if (!again) await new Promise((r) => setTimeout(r, 200));
    }
    try {
      expect(again.pid()).not.toBe(killedPid);
      expect(await query<{ one: number }>(again.url(), "select 1 as one")).toEqual([{ one: 1 }]);
    } finally {
      await again.stop();
    }
  }, 240_000);
});
