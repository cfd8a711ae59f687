// GET /api/health — liveness and database reachability, for load balancers and `npm start`.
// 200 { status: "ok", database: { status: "ok", latencyMs } }, or while PostgreSQL is away
// 503 { status: "unavailable", database: { status: "unreachable", problem: "connection refused", since, latencyMs } }.
import { NextResponse } from "next/server";
import { checkDatabase } from "@/lib/db/queries/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const database = await checkDatabase();
  const headers = { "cache-control": "no-store" };
  if (database.isOk) return NextResponse.json({ status: "ok", database: { status: "ok", latencyMs: database.latencyMs } }, { headers });
  return NextResponse.json(
    {
      status: "unavailable",
      database: { status: "unreachable", problem: database.problem, since: database.since.toISOString(), latencyMs: database.latencyMs },
    },
    { status: 503, headers: { ...headers, "retry-after": "2" } },
  );
}
