// GET /api/v1/reports/{month} — the monthly report as JSON, the session export's bytes (lib/api/v1/operations.ts describes it).
import { exportResponse } from "@/lib/api/report-exports";
import { getMonthReportOperation } from "@/lib/api/v1/operations";
import { apiRoute } from "@/lib/api/v1/route";

// Streams; never cached or prerendered.
export const dynamic = "force-dynamic";

export const GET = apiRoute(getMonthReportOperation, ({ request, viewer, params }) => exportResponse(request, viewer, { params: Promise.resolve(params) }, "json"), {
  rateClass: "read",
});
