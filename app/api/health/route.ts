// GET /api/health — liveness and database reachability, for load balancers and `npm start`.
import { NextResponse } from "next/server";
import { checkDatabase } from "@/lib/db/queries/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const database = await checkDatabase();
  return NextResponse.json(
    { status: database.isOk ? "ok" : "error", database: database.isOk ? { status: "ok", latencyMs: database.latencyMs } : { status: "error", latencyMs: database.latencyMs } },
    { status: database.isOk ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
