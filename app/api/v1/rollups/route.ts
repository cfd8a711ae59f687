// GET /api/v1/rollups — cost, GPU-hours and usage per bucket and group with the dashboards' filters (lib/api/v1/operations.ts describes it).
import { getRollupsOperation } from "@/lib/api/v1/operations";
import { rollupsResponse } from "@/lib/api/v1/rollups";
import { apiRoute } from "@/lib/api/v1/route";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getRollupsOperation, ({ request, viewer, query }) => rollupsResponse({ request, viewer, query }), { rateClass: "read" });
