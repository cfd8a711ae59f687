import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrgFixture } from "@/lib/testing/org-fixture";
import { Prisma } from "./sql";
import { closeStreamPool, withCursorSession } from "./stream";

let orgId: number;
let client: pg.Client;

beforeAll(async () => {
  orgId = (await createOrgFixture()).orgId;
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await closeStreamPool();
});

const nameSql = () => Prisma.sql`select name from orgs where id = ${orgId}`;

/** Runs `body` in a cursor session to its end and returns what it yielded. */
async function collect<T>(body: Parameters<typeof withCursorSession<T>>[0]): Promise<T[]> {
  const out: T[] = [];
  for await (const item of withCursorSession(body)) out.push(item);
  return out;
}

describe("withCursorSession", () => {
  it("runs parallel reads on another connection in the session's snapshot, beside the session's own statements", async () => {
    await client.query(`update orgs set name = 'Before' where id = $1`, [orgId]);
    const seen = await collect<string>(async function* (session) {
      const [before] = await session.query<{ name: string }>(nameSql());
      // Committed by someone else after the session's snapshot was taken.
      await client.query(`update orgs set name = 'After' where id = $1`, [orgId]);
      const [parallelPid, ownPid] = await Promise.all([
        session.parallel(async (reader) => (await reader.query<{ pid: number }>(Prisma.sql`select pg_backend_pid() as pid`))[0]!.pid),
        session.query<{ pid: number }>(Prisma.sql`select pg_backend_pid() as pid`).then((rows) => rows[0]!.pid),
      ]);
      expect(parallelPid).not.toBe(ownPid);
      const [inParallel, inSession] = await Promise.all([session.parallel((reader) => reader.query<{ name: string }>(nameSql())), session.query<{ name: string }>(nameSql())]);
      for await (const batch of session.cursor<{ name: string }>(nameSql())) yield* batch.map((r) => `cursor:${r.name}`);
      yield `first:${before!.name}`;
      yield `parallel:${inParallel[0]!.name}`;
      yield `session:${inSession[0]!.name}`;
    });
    expect(seen).toEqual(["cursor:Before", "first:Before", "parallel:Before", "session:Before"]);
    expect((await client.query(`select name from orgs where id = $1`, [orgId])).rows[0].name).toBe("After");
  });

  it("reports a failed parallel read and goes on in the session", async () => {
    const seen = await collect<string>(async function* (session) {
      await expect(session.parallel((reader) => reader.query(Prisma.sql`select 1 / 0`))).rejects.toThrow(/division by zero/);
      const [org] = await session.query<{ name: string }>(nameSql());
      yield org!.name;
      const [again] = await session.parallel((reader) => reader.query<{ n: number }>(Prisma.sql`select 1 as n`));
      yield String(again!.n);
    });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe("1");
  });

  it("is read-only on the parallel connection too", async () => {
    await expect(
      collect(async function* (session) {
        await session.parallel((reader) => reader.query(Prisma.sql`update orgs set name = 'Changed' where id = ${orgId}`));
        yield 1;
      }),
    ).rejects.toThrow(/read-only transaction/);
  });
});
