// The app's own database client (lib/db/client + /api/health) against a PostgreSQL that dies: queries fail
// fast with a named problem while it is away, and work again once it is back, without restarting the app.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { db, disconnectDb } from "@/lib/db/client";
import { checkDatabase } from "@/lib/db/queries/health";
import { freePort } from "@/lib/testing/test-database";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../scripts/lib/embedded-postgres";

const DEADLINE_MS = 90_000;
const root = mkdtempSync(path.join(os.tmpdir(), "burnrate-reconnect-"));
chmodSync(root, 0o755);
const dataDir = path.join(root, "pg");
let port = 0;
let server: EmbeddedPostgres | undefined;

beforeAll(async () => {
  port = await freePort();
  server = await startEmbeddedPostgres({ dataDir, port });
  // This file's app client talks to its own server, which it kills (not the shared test server).
  await disconnectDb();
  process.env.DATABASE_URL = server.url("postgres");
  await db().$executeRawUnsafe("create table ledger (id int primary key, micros bigint not null)");
  await db().$executeRawUnsafe("insert into ledger select g, g * 1000000 from generate_series(1, 500) g");
});

afterAll(async () => {
  await disconnectDb();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Calls `probe` every 200 ms until it returns a value, or fails after DEADLINE_MS. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${DEADLINE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function postmasterStart(): Promise<string> {
  const [row] = await db().$queryRaw<{ t: string }[]>`select pg_postmaster_start_time()::text t`;
  return row!.t;
}

/** Fills the pool with idle connections that will die with the server. */
async function warmPool(): Promise<void> {
  await Promise.all(Array.from({ length: 5 }, () => db().$queryRaw`select 1 from pg_sleep(0.05)`));
}

describe("the app's database client when PostgreSQL dies", () => {
  it("(external server) fails fast naming the problem, then reconnects by itself when the server is back", async () => {
    await warmPool();
    process.kill(server!.pid()!, "SIGKILL");

    // Down: health names the problem and when it began (an orphaned backend may answer for a moment first).
    const down = await eventually("health reports the server unreachable", async () => {
      const health = await checkDatabase();
      return !health.isOk && health.problem === "server not reachable" ? health : undefined;
    });
    const response = await GET();
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { status: string; database: { status: string; problem: string; since: string } };
    expect(body).toMatchObject({ status: "unavailable", database: { status: "unreachable", problem: "server not reachable" } });
    // The outage keeps the time it began across checks.
    expect(body.database.since).toBe(down.since.toISOString());
    // App queries fail with an error (not a hang, not a crash).
    await expect(db().$queryRaw`select 1`).rejects.toThrow();

    // The operator brings the server back (same data and port); the app needs no restart.
    server = await eventually("the server restarts", () => startEmbeddedPostgres({ dataDir, port }).catch(() => undefined));
    await eventually("health is ok again", async () => ((await checkDatabase()).isOk ? true : undefined));
    const again = await GET();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "ok", database: { status: "ok" } });
    const [row] = await db().$queryRaw<{ n: bigint; total: bigint }[]>`select count(*) n, sum(micros)::bigint total from ledger`;
    expect(row).toEqual({ n: 500n, total: 125_250_000_000n });
  }, 240_000);

  it("(npm start's supervised server) comes back within seconds with every commit", async () => {
    await server!.stop();
    const events: string[] = [];
    server = await startEmbeddedPostgres({ dataDir, port, supervise: { notify: (l) => events.push(l) } });
    await eventually("health is ok on the supervised server", async () => ((await checkDatabase()).isOk ? true : undefined));
    await db().$executeRawUnsafe("insert into ledger values (501, 7)");
    await warmPool();
    const before = await postmasterStart();

    const killedAt = Date.now();
    process.kill(server.pid()!, "SIGKILL");
    // Healthy again means: answered by the restarted server, not by an orphaned backend of the killed one.
    await eventually("the app reaches the restarted server", async () => {
      if (!(await checkDatabase()).isOk) return undefined;
      return (await postmasterStart().catch(() => before)) !== before ? true : undefined;
    });
    console.log(`app client: PostgreSQL killed -> /api/health ok on the restarted server in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);

    expect(events[0]).toMatch(/exited unexpectedly \(SIGKILL\)/);
    expect((await GET()).status).toBe(200);
    const [row] = await db().$queryRaw<{ n: bigint; total: bigint }[]>`select count(*) n, sum(micros)::bigint total from ledger`;
    expect(row).toEqual({ n: 501n, total: 125_250_000_007n });
  }, 240_000);
});
