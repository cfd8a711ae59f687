import type pg from "pg";
import { Prisma } from "./generated/client";

/**
 * Runs typed `Prisma.sql` statements on either a Prisma client/transaction or
 * a node-postgres client, so the rollup code works inside the app's Prisma
 * transactions and inside bulk scripts (seed, rebuild, bench) alike. Column
 * values differ between the two drivers for int8/numeric (bigint/Decimal vs
 * string): statements that read them cast to text and parse.
 */
export interface SqlRunner {
  query<T>(statement: Prisma.Sql): Promise<T[]>;
  execute(statement: Prisma.Sql): Promise<number>;
}

interface PrismaLike {
  $queryRaw<T = unknown>(query: Prisma.Sql): Prisma.PrismaPromise<T>;
  $executeRaw(query: Prisma.Sql): Prisma.PrismaPromise<number>;
}

export function prismaRunner(client: PrismaLike): SqlRunner {
  return {
    query: <T>(statement: Prisma.Sql) => client.$queryRaw<T[]>(statement),
    execute: (statement) => client.$executeRaw(statement),
  };
}

/** A Prisma or decimal.js Decimal (duck-typed: each library has its own class). */
export function isDecimalLike(value: object): value is { toFixed(): string } {
  return "toFixed" in value && "isFinite" in value && typeof (value as { toFixed: unknown }).toFixed === "function";
}

/** A Decimal parameter as its exact text (node-postgres would send JSON.stringify's quoted string); everything else as it is. */
const parameter = (value: unknown): unknown => (typeof value === "object" && value !== null && isDecimalLike(value) ? value.toFixed() : value);

export function pgRunner(client: pg.ClientBase | pg.Pool): SqlRunner {
  return {
    query: async <T>(statement: Prisma.Sql) => (await client.query(statement.text, statement.values.map(parameter))).rows as T[],
    execute: async (statement) => (await client.query(statement.text, statement.values.map(parameter))).rowCount ?? 0,
  };
}

/**
 * A PostgreSQL array literal of values that need no quoting — numbers,
 * bigints, decimal strings, ISO instants — with null as NULL. Batch writes
 * send a column as one such text parameter and `unnest` it: the driver's
 * per-element escaping of JS arrays, or json_to_recordset, cost more.
 */
export function arrayLiteral(values: readonly (string | number | bigint | null | undefined)[]): string {
  return `{${values.map((v) => (v === null || v === undefined ? "NULL" : v)).join(",")}}`;
}

/**
 * Instants as epoch milliseconds, a literal for a ::bigint[] parameter; read
 * each back with `instantOfMs`. PostgreSQL reads 1,000 of them in about a
 * quarter of the time it takes for ISO text, and building them skips
 * toISOString (a 1,000-window batch sends three such columns).
 */
export function epochMsLiteral(dates: readonly Date[]): string {
  return `{${dates.map((d) => d.getTime()).join(",")}}`;
}

/** A bigint column of epoch milliseconds as timestamptz, exactly: whole milliseconds times 1 ms stay far below 2^53 µs. */
export function instantOfMs(column: string): Prisma.Sql {
  return Prisma.raw(`(timestamptz 'epoch' + ${column} * interval '1 millisecond')`);
}

/** Integer arrays as elements of a text[] literal (cast each back with `::int[]` etc.): one row's sketch keys or counts each. */
export function nestedArrayLiteral(arrays: readonly (readonly number[])[]): string {
  return `{${arrays.map((a) => `"{${a.join(",")}}"`).join(",")}}`;
}

export { Prisma };
