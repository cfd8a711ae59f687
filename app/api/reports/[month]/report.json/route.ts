import { exportResponse } from "@/lib/api/report-exports";

// Streams; never cached or prerendered.
export const dynamic = "force-dynamic";

export function GET(request: Request, context: { params: Promise<{ month: string }> }) {
  return exportResponse(request, context, "json");
}
