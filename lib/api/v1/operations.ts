import { runInputSchema, runParamsSchema, runResultSchema } from "./runs-schema";
import type { ApiOperation } from "./operation";
import { MAX_BATCH_WINDOWS, usageBatchResultSchema, usageBatchSchema } from "./usage-windows-schema";

/**
 * Every operation of API v1, in the order the reference lists them. Each
 * route module under app/api/v1 serves the operation with the same path and
 * method (apiRoute(operation, …)); the OpenAPI document and the reference
 * page are generated from this list.
 */

export const putRunOperation = {
  method: "PUT",
  path: "/api/v1/runs/{externalId}",
  operationId: "putRun",
  summary: "Create or update a training run by your job id",
  description:
    "Creates the run the first time a job id is sent, and updates it after that — send it when the job starts (`status: \"RUNNING\"`, no `endedAt`) and again when it ends (`status: \"SUCCEEDED\"` and `endedAt`). On an update, fields you leave out keep their stored values. The run belongs to the API key's team (with a session, name the team with `team`). Costs are computed from the GPU type's catalog price over the run's time, like a run entered by hand.",
  tag: "Training runs",
  scope: "RUNS_WRITE",
  authenticated: true,
  params: runParamsSchema,
  body: runInputSchema,
  idempotent: true,
  responses: {
    200: { description: "The run was updated (or was already equal).", schema: runResultSchema },
    201: { description: "The run was created.", schema: runResultSchema },
  },
} as const satisfies ApiOperation;

export const postUsageWindowsOperation = {
  method: "POST",
  path: "/api/v1/usage-windows",
  operationId: "postUsageWindows",
  summary: `Record a batch of up to ${MAX_BATCH_WINDOWS.toLocaleString("en-US")} usage windows`,
  description: [
    "Each window is one deployment's traffic over a period, keyed by `(deploymentId, windowStart)`: a window sent again **replaces** the stored one (or is left alone when equal), so resending never double counts.",
    "",
    "**All or nothing:** the batch is checked as a whole and written in one transaction, with the usage rollups and the audit log; if any window is invalid, or windows of one deployment would overlap, nothing is written and the 422 answer lists every problem by item and field (`windows[12].requests`).",
    "",
    "**Retries:** send an `Idempotency-Key` header (a UUID per batch). A retry with the same key and body gets the first answer again (`Idempotent-Replayed: true`) without writing anything; the same key with another body is refused with 409.",
    "",
    "**Latency** may come as a DDSketch, Prometheus-style histogram buckets, raw samples, or p50/p95/p99 only — see `Latency`.",
  ].join("\n"),
  tag: "Usage",
  scope: "USAGE_WRITE",
  authenticated: true,
  body: usageBatchSchema,
  idempotent: true,
  responses: { 200: { description: "Every window was written (or was already stored as sent).", schema: usageBatchResultSchema } },
} as const satisfies ApiOperation;

export const API_OPERATIONS: readonly ApiOperation[] = [putRunOperation, postUsageWindowsOperation];
