import pg from "pg";
import { makeViewer } from "@/lib/access/viewer";
import { exportLineBatches, lineItemsCsv, focusCsv } from "@/lib/db/queries/report-export";
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
const u = (await client.query(`select u.id as "userId", o.id as "orgId", o.name as "orgName", o."timeZone" as "orgTimeZone" from users u join orgs o on o.id = u."orgId" where o.slug='bench' and u.role='ADMIN' order by u.id limit 1`)).rows[0];
const viewer = makeViewer({ ...u, role: "ADMIN", name: "x" });
const scope = { viewer, month: "2026-09", timeZone: "America/Los_Angeles", granularity: "month" as const, now: new Date("2026-11-01T00:00:00Z") };
for (let i = 0; i < 6; i++) {
  let t0 = performance.now(); let n = 0; let first = 0;
  for await (const b of exportLineBatches(scope)) { if (!first) first = performance.now() - t0; n += b.length; }
  const tLines = performance.now() - t0;
  t0 = performance.now(); let bytes = 0;
  const r = lineItemsCsv(scope, { bom: false }).getReader();
  for (;;) { const { done, value } = await r.read(); if (done) break; bytes += value.length; }
  const tCsv = performance.now() - t0;
  t0 = performance.now(); let fb = 0;
  const f = focusCsv(scope, { bom: false }).getReader();
  for (;;) { const { done, value } = await f.read(); if (done) break; fb += value.length; }
  const tFocus = performance.now() - t0;
  console.log({ n, first: first.toFixed(0), tLines: tLines.toFixed(0), tCsv: tCsv.toFixed(0), bytes, tFocus: tFocus.toFixed(0), fb });
}
await client.end();
process.exit(0);
