// GET /api/v1/reports/{month}/focus.csv — the monthly report as FOCUS rows, the session export's bytes (lib/api/v1/operations.ts describes it).
import { exportResponse } from "@/lib/api/report-exports";
import { getMonthFocusCsvOperation } from "@/lib/api/v1/operations";
import { apiRoute } from "@/lib/api/v1/route";

// Streams; never cached or prerendered.
export const dynamic = "force-dynamic";

export const GET = apiRoute(getMonthFocusCsvOperation, ({ request, viewer, params }) => exportResponse(request, viewer, { params: Promise.resolve(params) }, "focus"), {
  rateClass: "read",
});
