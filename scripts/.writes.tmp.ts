import pg from "pg";
import { measureWrites } from "./bench/writes";
import { loadContext } from "./bench/queries";
const client = new pg.Client({ connectionString: "postgresql://burnrate:burnrate@127.0.0.1:55432/burnrate_bench_10m" });
await client.connect();
const now = new Date("2026-11-01T00:00:00.000Z");
const ctx = await loadContext(client, now);
import { sealUsageMonths } from "@/lib/db/mutations/usage-rollups";
import { pgRunner } from "@/lib/db/sql";
if (process.env.RESEAL) {
  await client.query("begin");
  await client.query(`delete from usage_rollup_month; update rollup_time_zones set "monthsSealedTo" = null`);
  console.log(await sealUsageMonths(pgRunner(client), now));
  await client.query("commit");
}
const r = await measureWrites(client, { now, teamId: ctx.hourlyTeam.id, log: console.log });
for (const s of r.shapes) {
  console.log(s.label, s.windowsPerSecond.toFixed(0), "p50", s.batchMs.p50.toFixed(1), "p95", s.batchMs.p95.toFixed(1));
  for (const p of s.phases.sort((a, b) => b.seconds - a.seconds)) console.log("   ", p.label, (p.seconds * 1000 / s.batches).toFixed(1), "ms/batch");
}
await client.end();
