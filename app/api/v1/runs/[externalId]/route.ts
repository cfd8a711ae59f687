// PUT /api/v1/runs/{externalId} — create or update a training run by the caller's job id (lib/api/v1/operations.ts describes it).
import { putRunOperation } from "@/lib/api/v1/operations";
import { apiRoute } from "@/lib/api/v1/route";
import { upsertRun } from "@/lib/api/v1/runs";

export const dynamic = "force-dynamic";

export const PUT = apiRoute(putRunOperation, ({ viewer, params, body, idempotency }) => upsertRun({ viewer, externalId: params.externalId, input: body, idempotency }), {
  rateClass: "write",
  maxBodyBytes: 64 * 1024,
});
