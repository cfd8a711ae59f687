import pg from "pg";
import { withDatabase } from "@/lib/testing/test-database";
import { startBenchServer } from "./load";
import { loadContext, buildCases } from "./queries";

const tier = process.argv[2] ?? "1m";
const server = await startBenchServer(() => {});
const client = new pg.Client({ connectionString: withDatabase(server.adminUrl, `burnrate_bench_${tier}`) });
await client.connect();
const ctx = await loadContext(client, new Date("2026-11-01T00:00:00Z"));
const cases = buildCases(ctx);
try {
  const a = await cases[0]!.parts[0]!.rollup.statement();
  console.log(a.text);
  await client.query("begin");
  await client.query(`CREATE OR REPLACE FUNCTION burnrate_round_half_even(n numeric, d numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE q numeric := div(abs(n), d); r numeric := mod(abs(n), d);
BEGIN
  RETURN sign(n) * CASE WHEN 2 * r > d THEN q + 1 WHEN 2 * r < d THEN q ELSE q + mod(q, 2) END;
END $$`);
  const { rows } = await client.query(`explain (analyze, buffers) ${a.text}`, a.values);
  console.log(rows.map((r) => r["QUERY PLAN"]).join("\n"));
  await client.query("rollback");
} finally {
  await client.end();
  await server.stop();
}
