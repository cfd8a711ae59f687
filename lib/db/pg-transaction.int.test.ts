import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./availability";
import { createPool } from "./create-client";
import { pgTransaction, TransactionTimeoutError } from "./pg-transaction";
import { Prisma } from "./sql";

// The batch writers' transaction on node-postgres, against a real PostgreSQL: commit, rollback on any error with the
// connection back in the pool, the deadline and the statement timeout.

let pool: pg.Pool;
let sql: pg.Client;

const rows = async () => Number((await sql.query<{ n: string }>(`select count(*) as n from pg_tx_probe`)).rows[0]!.n);
const insert = Prisma.sql`insert into pg_tx_probe values (1)`;

beforeAll(async () => {
  pool = createPool(process.env.DATABASE_URL!);
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  await sql.query(`create table pg_tx_probe (n int)`);
});

afterAll(async () => {
  await sql.query(`drop table if exists pg_tx_probe`);
  await sql.end();
  await pool.end();
});

describe("pgTransaction", () => {
  it("commits what the work wrote and returns its result", async () => {
    const before = await rows();
    expect(await pgTransaction(pool, { timeoutMs: 10_000, maxWaitMs: 1_000 }, async (run) => run.execute(insert))).toBe(1);
    expect(await rows()).toBe(before + 1);
  });

  it("sends a Decimal parameter as its exact text", async () => {
    const [row] = await pgTransaction(pool, { timeoutMs: 10_000, maxWaitMs: 1_000 }, async (run) =>
      run.query<{ v: string }>(Prisma.sql`select ${new Prisma.Decimal("12345678901234567890.125")}::numeric::text as v`),
    );
    expect(row).toEqual({ v: "12345678901234567890.125" });
  });

  it("rolls everything back on an error, rethrows it, and leaves the connection usable", async () => {
    const before = await rows();
    const failing = pgTransaction(pool, { timeoutMs: 10_000, maxWaitMs: 1_000 }, async (run) => {
      await run.execute(insert);
      await run.execute(Prisma.sql`select 1 / 0`);
    });
    await expect(failing).rejects.toMatchObject({ code: "22012" });
    expect(await rows()).toBe(before);
    // Every connection of the pool is idle again and answers (none was left inside the failed transaction).
    expect(pool.totalCount).toBe(pool.idleCount);
    expect(await pgTransaction(pool, { timeoutMs: 10_000, maxWaitMs: 1_000 }, async (run) => run.query<{ x: number }>(Prisma.sql`select 1 as x`))).toEqual([{ x: 1 }]);
  });

  it("refuses a statement that would start after the deadline, and writes nothing", async () => {
    const before = await rows();
    const late = pgTransaction(pool, { timeoutMs: 50, maxWaitMs: 1_000 }, async (run) => {
      await run.execute(insert);
      // Work in Node that outlasts the deadline (PostgreSQL may end the idle session meanwhile: the outcome is the same).
      await new Promise((resolve) => setTimeout(resolve, 200));
      await run.execute(insert);
    });
    const error = await late.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionTimeoutError);
    // The API answers it as a busy database (503 with Retry-After), not a 500.
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(await rows()).toBe(before);
  });

  it("cancels a statement that runs longer than the timeout (57014), and writes nothing", async () => {
    const before = await rows();
    // The timeout is long enough that the insert surely starts within it on a busy machine; the sleep is far longer.
    const slow = pgTransaction(pool, { timeoutMs: 2_000, maxWaitMs: 1_000 }, async (run) => {
      await run.execute(insert);
      await run.query(Prisma.sql`select pg_sleep(60)`);
    });
    await expect(slow).rejects.toMatchObject({ code: "57014" });
    expect(await rows()).toBe(before);
  });
});
