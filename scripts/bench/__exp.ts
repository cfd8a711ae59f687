import pg from "pg";
import { withDatabase } from "@/lib/testing/test-database";
import { startBenchServer } from "./load";
import { loadContext, buildCases } from "./queries";
import { ledgerSql } from "@/lib/db/queries/cost-ledger";
import { usageSql, chooseUsageSource } from "@/lib/db/queries/usage-ledger";
import { pgRunner } from "@/lib/db/sql";

const tier = process.argv[2] ?? "1m";
const server = await startBenchServer(() => {});
const client = new pg.Client({ connectionString: withDatabase(server.adminUrl, `burnrate_bench_${tier}`) });
await client.connect();
const ctx = await loadContext(client, new Date("2026-11-01T00:00:00Z"));
const cases = buildCases(ctx);
async function time(label: string, text: string, values: unknown[], n = 10) {
  for (let i = 0; i < 2; i++) await client.query(text, values);
  const t: number[] = [];
  for (let i = 0; i < n; i++) { const s = performance.now(); await client.query(text, values); t.push(performance.now() - s); }
  t.sort((a, b) => a - b);
  console.log(label.padEnd(60), "p50", t[Math.floor(n / 2)]!.toFixed(1), "max", t[n - 1]!.toFixed(1));
}
try {
  const a = await cases[0]!.parts[0]!.rollup.statement();
  const b = await cases[1]!.parts[0]!.rollup.statement();
  const d = await cases[3]!.parts[1]!.rollup.statement();
  await time("(a) ledger as is", a.text, a.values);
  await time("(b) usage as is", b.text, b.values);
  await time("(d) usage as is", d.text, d.values);
  await client.query("begin");
  await client.query(`CREATE OR REPLACE FUNCTION burnrate_round_half_even(n numeric, d numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sign(n) * CASE
    WHEN 2 * mod(abs(n), d) > d THEN div(abs(n), d) + 1
    WHEN 2 * mod(abs(n), d) < d THEN div(abs(n), d)
    ELSE div(abs(n), d) + mod(div(abs(n), d), 2)
  END
$$`);
  await time("(a) ledger, round fn not STRICT", a.text, a.values);
  await client.query("rollback");
  await client.query("begin");
  await client.query(`CREATE OR REPLACE FUNCTION burnrate_round_half_even(n numeric, d numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE q numeric := div(abs(n), d); r numeric := mod(abs(n), d);
BEGIN
  RETURN sign(n) * CASE WHEN 2 * r > d THEN q + 1 WHEN 2 * r < d THEN q ELSE q + mod(q, 2) END;
END $$`);
  await time("(a) ledger, round fn plpgsql", a.text, a.values);
  await client.query("rollback");
  await client.query("set work_mem = '64MB'");
  await time("(a) ledger, work_mem 64MB", a.text, a.values);
  await time("(b) usage, work_mem 64MB", b.text, b.values);
  await time("(d) usage, work_mem 64MB", d.text, d.values);
  await client.query("reset work_mem");
} finally {
  await client.end();
  await server.stop();
}
