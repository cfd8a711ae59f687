import { prometheusResultSchema, prometheusScrapeSchema } from "./prometheus-schema";
import {
  MAX_ROLLUP_BUCKETS,
  monthReportSchema,
  reportCsvQuerySchema,
  reportJsonQuerySchema,
  reportParamsSchema,
  rollupsQuerySchema,
  rollupsResponseSchema,
  suggestionsQuerySchema,
  suggestionsResponseSchema,
} from "./reads-schema";
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
    "**All or nothing:** the batch is checked as a whole and written in one transaction, with the usage rollups and the audit log (one entry per deployment for the batch's new windows, one per replaced window with before and after); if any window is invalid, or windows of one deployment would overlap, nothing is written and the 422 answer lists every problem by item and field (`windows[12].requests`).",
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

export const postPrometheusScrapeOperation = {
  method: "POST",
  path: "/api/v1/prometheus/scrapes",
  operationId: "postPrometheusScrape",
  summary: "Send one scrape of a vLLM or SGLang server's /metrics",
  description: [
    "The sidecar (`npm run prometheus:sidecar`, or any script) posts each scrape of a server's `/metrics` as it takes it. Two successive scrapes of one `source` make one usage window per mapped deployment, from the deltas of:",
    "",
    "| figure | vLLM | SGLang |",
    "| --- | --- | --- |",
    "| requests | `vllm:request_success_total` (summed over `finished_reason`) | `sglang:num_requests_total` |",
    "| errors | `finished_reason` in `errorReasons` (default `error`) | — |",
    "| tokens | `vllm:prompt_tokens_total`, `vllm:generation_tokens_total` | `sglang:prompt_tokens_total`, `sglang:generation_tokens_total` |",
    "| cached tokens | `vllm:prompt_tokens_cached_total`, else `vllm:prefix_cache_hits_total` | `sglang:cached_tokens_total` |",
    "| latency | `vllm:e2e_request_latency_seconds` histogram | `sglang:e2e_request_latency_seconds` |",
    "",
    "Bucket bounds are read from the data. A counter that went down, or a changed `_created`, is a restart: deltas count from it. Scrapes further apart than `maxWindowSeconds` are a gap — no window, never idle time. Windows are checked and written like POST /api/v1/usage-windows (audit source `prometheus`); a refused scrape keeps the previous baseline, so the next one covers its time. The source's first scrape only sets the baseline.",
  ].join("\n"),
  tag: "Prometheus",
  scope: "USAGE_WRITE",
  authenticated: true,
  body: prometheusScrapeSchema,
  idempotent: true,
  responses: { 200: { description: "The scrape was taken as the new baseline, and its windows (if any) written.", schema: prometheusResultSchema } },
} as const satisfies ApiOperation;

export const getRollupsOperation = {
  method: "GET",
  path: "/api/v1/rollups",
  operationId: "getRollups",
  summary: "Cost, GPU-hours and usage per time bucket and group",
  description: [
    "The figures the dashboards show, per time bucket and (optionally) per team, model, GPU type or item, with the dashboards' filters: a period (`range`, or `from`/`to`), `team`, `model`, `gpu` and the reporting zone `tz`. The response states the zone and the exact range.",
    "",
    "**Cost** is in cents as the dashboards display it (each line item rounded to cents, and every total the sum of its parts) and in exact micro-dollars. **Usage** (inference traffic) comes from the usage rollups: requests, tokens, $/1M tokens over the time with usage records, and p50/p95/p99 latency from the merged sketches, with a note when some latency came from summary-only windows.",
    "",
    `A parameter that is not valid, or a filter that matches nothing you may see, is refused with 400 naming it (the dashboards would show a notice instead); another team's slug answers 404. At most ${MAX_ROLLUP_BUCKETS.toLocaleString("en-US")} buckets per request.`,
  ].join("\n"),
  tag: "Reports",
  scope: "REPORTS_READ",
  authenticated: true,
  query: rollupsQuerySchema,
  responses: { 200: { description: "The rows and their totals.", schema: rollupsResponseSchema } },
} as const satisfies ApiOperation;

const REPORT_DESCRIPTION =
  "The month's report for your team (an API key) or the teams you may see (a session), in the zone `tz` — the same figures, byte for byte, as the report page's exports. A month that is not over yet is reported to date. Large months stream; send `Accept-Encoding: gzip` to receive them compressed.";

export const getMonthReportOperation = {
  method: "GET",
  path: "/api/v1/reports/{month}",
  operationId: "getMonthReport",
  summary: "The monthly report as JSON",
  description: `${REPORT_DESCRIPTION} Amounts are decimal dollar strings (from whole cents).`,
  tag: "Reports",
  scope: "REPORTS_READ",
  authenticated: true,
  params: reportParamsSchema,
  query: reportJsonQuerySchema,
  responses: { 200: { description: "The report, its line items and totals.", schema: monthReportSchema } },
} as const satisfies ApiOperation;

export const getMonthLinesCsvOperation = {
  method: "GET",
  path: "/api/v1/reports/{month}/lines.csv",
  operationId: "getMonthLinesCsv",
  summary: "The monthly report's line items as CSV",
  description: `${REPORT_DESCRIPTION} One line per item (training run or deployment) per month or day, with its cost split, GPU-hours and usage.`,
  tag: "Reports",
  scope: "REPORTS_READ",
  authenticated: true,
  params: reportParamsSchema,
  query: reportCsvQuerySchema,
  responses: { 200: { description: "CSV with a header row (RFC 4180, UTF-8).", contentType: "text/csv" } },
} as const satisfies ApiOperation;

export const getMonthFocusCsvOperation = {
  method: "GET",
  path: "/api/v1/reports/{month}/focus.csv",
  operationId: "getMonthFocusCsv",
  summary: "The monthly report in the FinOps FOCUS format",
  description: `${REPORT_DESCRIPTION} The line items as FOCUS cost and usage rows, for FinOps tools.`,
  tag: "Reports",
  scope: "REPORTS_READ",
  authenticated: true,
  params: reportParamsSchema,
  query: reportCsvQuerySchema,
  responses: { 200: { description: "FOCUS CSV with a header row (UTF-8).", contentType: "text/csv" } },
} as const satisfies ApiOperation;

export const getSuggestionsOperation = {
  method: "GET",
  path: "/api/v1/suggestions",
  operationId: "getSuggestions",
  summary: "Cost-saving suggestions with their monthly savings",
  description:
    "The suggestions the dashboards list for your team (an API key) or the teams you may see (a session), computed over the last 30 days in the zone `tz`: what to change, on which run or deployment, the saving per month in cents (a low and a high estimate), the figures it rests on, and what people decided (open, snoozed, dismissed, applied).",
  tag: "Suggestions",
  scope: "REPORTS_READ",
  authenticated: true,
  query: suggestionsQuerySchema,
  responses: { 200: { description: "The suggestions.", schema: suggestionsResponseSchema } },
} as const satisfies ApiOperation;

export const API_OPERATIONS: readonly ApiOperation[] = [
  putRunOperation,
  postUsageWindowsOperation,
  postPrometheusScrapeOperation,
  getRollupsOperation,
  getMonthReportOperation,
  getMonthLinesCsvOperation,
  getMonthFocusCsvOperation,
  getSuggestionsOperation,
];
