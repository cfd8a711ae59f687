import pg from "pg";
import { withDatabase } from "@/lib/testing/test-database";
import { sketchQuantileKey } from "@/lib/domain/latency-sketch";
import { startBenchServer } from "./load";
import { loadContext, buildCases, buildSweep } from "./queries";

// Usage-query variants: merge sketches in SQL but take percentiles in Node (U1), or skip the merge when each bucket has one row (U2).
const tier = process.argv[2] ?? "1m";
const server = await startBenchServer(() => {});
const client = new pg.Client({ connectionString: withDatabase(server.adminUrl, `burnrate_bench_${tier}`) });
await client.connect();
const ctx = await loadContext(client, new Date("2026-11-01T00:00:00Z"));
const cases = buildCases(ctx);
const sweep = buildSweep(ctx);
async function time(label: string, fn: () => Promise<unknown>, n = 15) {
  for (let i = 0; i < 2; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); }
  t.sort((a, b) => a - b);
  console.log(label.padEnd(50), "p50", t[Math.floor(n / 2)]!.toFixed(1), "p95", t[Math.ceil(n * 0.95) - 1]!.toFixed(1));
}
function prefix(text: string, values: unknown[]) {
  const cut = text.indexOf("sums as (");
  const head = text.slice(0, cut);
  const max = Math.max(0, ...[...head.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  return { head, values: values.slice(0, max) };
}
const quantiles = (keys: number[], counts: string[]) => {
  const sk = { keys, counts: counts.map(Number) };
  return [sketchQuantileKey(sk, 0.5), sketchQuantileKey(sk, 0.95), sketchQuantileKey(sk, 0.99)];
};
try {
  const targets = [
    ["(b) team by hour 30d", cases[1]!.parts[0]!],
    ["(b90) team by hour 90d", sweep[3]!.parts[0]!],
    ["(c) usage by model month", cases[2]!.parts[2]!],
    ["(d) deployment by day year", cases[3]!.parts[1]!],
    ["(e) org by day 90d", cases[4]!.parts[0]!],
  ] as const;
  for (const [label, part] of targets) {
    const st = await part.rollup.statement();
    const { head, values } = prefix(st.text, st.values as unknown[]);
    await time(`${label}: as is`, () => client.query(st.text, st.values as unknown[]));
    const u1 = `${head} sums as (
      select b, gk, min(gl) as gl, sum("windowMs")::text as "windowMs", sum("idleMs")::text as "idleMs", sum(requests)::text as requests,
        sum("inputTokens")::text as "inputTokens", sum("outputTokens")::text as "outputTokens" from src group by b, gk),
      pairs as (select b, gk, u.k, sum(u.c) as c from src, unnest(src."latencyKeys", src."latencyCounts") as u(k, c) group by b, gk, u.k),
      sk as (select b, gk, array_agg(k order by k) as keys, array_agg(c order by k)::text[] as counts from pairs group by b, gk)
      select sums.*, sk.keys, sk.counts from sums left join sk using (b, gk) order by b, gk`;
    await time(`${label}: U1 merge in SQL, percentiles in Node`, async () => {
      const { rows } = await client.query<{ keys: number[] | null; counts: string[] | null }>(u1, values);
      return rows.map((r) => (r.keys ? quantiles(r.keys, r.counts!) : null));
    });
    const single = await client.query(`${head} x as (select b, gk, count(*) as n from src group by b, gk) select max(n)::int as m from x`, values);
    if (single.rows[0].m === 1) {
      const u2 = `${head} x as (select 1) select b, gk, gl, "windowMs"::text, "idleMs"::text, requests::text, "inputTokens"::text, "outputTokens"::text, "latencyKeys" as keys, "latencyCounts"::text[] as counts from src order by b, gk`;
      await time(`${label}: U2 one row per bucket, no merge`, async () => {
        const { rows } = await client.query<{ keys: number[]; counts: string[] }>(u2, values);
        return rows.map((r) => quantiles(r.keys, r.counts));
      });
    }
  }
} finally {
  await client.end();
  await server.stop();
}
