// GET /api/v1/suggestions — the viewer's cost-saving suggestions (lib/api/v1/operations.ts describes it).
import { getSuggestionsOperation } from "@/lib/api/v1/operations";
import { apiRoute } from "@/lib/api/v1/route";
import { suggestionsResponse } from "@/lib/api/v1/suggestions";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getSuggestionsOperation, ({ viewer, query }) => suggestionsResponse({ viewer, query }), { rateClass: "read" });
