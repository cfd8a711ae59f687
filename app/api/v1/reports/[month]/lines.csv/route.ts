// GET /api/v1/reports/{month}/lines.csv — the monthly report's line items, the session export's bytes (lib/api/v1/operations.ts describes it).
import { exportResponse } from "@/lib/api/report-exports";
import { getMonthLinesCsvOperation } from "@/lib/api/v1/operations";
import { apiRoute } from "@/lib/api/v1/route";

// Streams; never cached or prerendered.
export const dynamic = "force-dynamic";

export const GET = apiRoute(getMonthLinesCsvOperation, ({ request, viewer, params }) => exportResponse(request, viewer, { params: Promise.resolve(params) }, "lines"), {
  rateClass: "read",
});
