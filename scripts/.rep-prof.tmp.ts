import pg from "pg";
import { makeViewer } from "@/lib/access/viewer";
import { reportLines, monthReport } from "@/lib/db/queries/reports";
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
const u = (await client.query(`select u.id as "userId", o.id as "orgId", o.name as "orgName", o."timeZone" as "orgTimeZone" from users u join orgs o on o.id = u."orgId" where o.slug='bench' and u.role='ADMIN' order by u.id limit 1`)).rows[0];
const viewer = makeViewer({ ...u, role: "ADMIN", name: "x" });
const scope = { viewer, month: "2026-09", timeZone: "America/Los_Angeles", now: new Date("2026-12-01T20:00:00Z") };
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  const m = await reportLines({ ...scope, granularity: "month" }); const tm = performance.now() - t; t = performance.now();
  const d = await reportLines({ ...scope, granularity: "day" }); const td = performance.now() - t; t = performance.now();
  const p = await reportLines({ ...scope, month: "2026-08", granularity: "month" }); const tp = performance.now() - t; t = performance.now();
  await monthReport(scope); const tr = performance.now() - t;
  console.log({ month: [m.charges.length, tm.toFixed(0)], day: [d.charges.length, td.toFixed(0)], prev: [p.charges.length, tp.toFixed(0)], report: tr.toFixed(0) });
}
await client.end(); process.exit(0);
