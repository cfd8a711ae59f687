import { exportResponse } from "@/lib/api/report-exports";
import { guardedRoute } from "@/lib/api/route";

// Streams; never cached or prerendered.
export const dynamic = "force-dynamic";

export const GET = guardedRoute<RouteContext<"/api/reports/[month]/lines.csv">>(({ request, viewer, context }) => exportResponse(request, viewer, context, "lines"), {
  stateChanging: false,
});
