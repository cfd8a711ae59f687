import { z } from "zod";
import { ZONE_CHOICES } from "@/lib/domain/reporting-zone";
import { reportMonthSchema } from "@/lib/reports/month";
import { paramSchemas, RANGE_PRESETS } from "@/lib/validation/dashboard-filters";

/**
 * Parameters and responses of API v1's reads (rollups, monthly reports,
 * suggestions). The dashboards' filters are checked by the dashboards' own
 * rules (lib/validation/dashboard-filters.ts `paramSchemas`); only the words
 * differ: a page leaves a bad filter unapplied with a notice, the API refuses
 * the request with 400 naming the parameter.
 */

const shown = (raw: string) => (raw.length > 40 ? `${raw.slice(0, 40)}…` : raw).replace(/[\u0000-\u001f\u007f]/g, "�");

/** A dashboard parameter checked by its page schema, the message naming it. */
function dashboardParam<K extends keyof typeof paramSchemas>(name: K, description: string, format: { format?: string; pattern?: string } = {}) {
  return z
    .string()
    .transform((raw, ctx): z.output<(typeof paramSchemas)[K]> => {
      const parsed = paramSchemas[name].safeParse(raw);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: `${name} "${shown(raw)}" ${parsed.error.issues[0]?.message ?? "is not valid"}.` });
        return z.NEVER;
      }
      return parsed.data as z.output<(typeof paramSchemas)[K]>;
    })
    .optional()
    .meta({ description, ...format });
}

const zoneParam = z
  .enum(ZONE_CHOICES, { error: 'tz must be "org", "team" or "utc"' })
  .default("org")
  .meta({ description: "The reporting time zone: the org's (default), the team's (needs `team`), or UTC. Days, weeks and months are local to it." });

const teamParam = (what: string) =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "team must be a team's slug (lowercase letters, digits and hyphens)" })
    .optional()
    .meta({ description: `One team's ${what}, by its slug. An API key sees its own team only, so this may be left out (another team's slug answers 404).` });

// ─── Rollups ────────────────────────────────────────────────────────────────

export const ROLLUP_GROUPS = ["none", "team", "model", "gpu", "item"] as const;
export type RollupGroup = (typeof ROLLUP_GROUPS)[number];
export const ROLLUP_UNITS = ["hour", "day", "week", "month"] as const;
/** At most this many time buckets per request (an hourly year would be 8,760). */
export const MAX_ROLLUP_BUCKETS = 2_000;

export const rollupsQuerySchema = z.object({
  range: z
    .enum(RANGE_PRESETS, { error: `range must be one of ${RANGE_PRESETS.join(", ")}` })
    .optional()
    .meta({ description: "A preset period, in whole local days of the zone: `mtd` (this month, the default), `last-month`, `7d`, `30d`, `90d` (today included), or `custom` with `from`/`to`." }),
  from: dashboardParam("from", "First day of a custom range (YYYY-MM-DD, local to the zone); implies `range=custom`. Alone, the range runs through today.", { format: "date" }),
  to: dashboardParam("to", "Last day of a custom range (YYYY-MM-DD, included); needs `from`.", { format: "date" }),
  team: dashboardParam("team", "Only this team's figures, by slug. An API key sees its own team only (another team's slug answers 404).", { pattern: "^[a-z0-9-]+$" }),
  model: dashboardParam("model", "Only runs and deployments of this model, e.g. `Llama-3.1-70B`."),
  gpu: dashboardParam("gpu", "Only this GPU type, by its id in the price catalog.", { pattern: "^[1-9][0-9]{0,8}$" }),
  tz: zoneParam,
  groupBy: z
    .enum(ROLLUP_GROUPS, { error: `groupBy must be one of ${ROLLUP_GROUPS.join(", ")}` })
    .default("none")
    .meta({ description: "One row per bucket and `team`, `model`, `gpu` type or `item` (each training run and deployment), or `none` (the default): one row per bucket." }),
  unit: z
    .enum(ROLLUP_UNITS, { error: `unit must be one of ${ROLLUP_UNITS.join(", ")}` })
    .optional()
    .meta({ description: `Bucket size. By default the dashboards' choice for the range: hours up to 2 days, days up to ~3 months, then weeks, then months. At most ${MAX_ROLLUP_BUCKETS.toLocaleString("en-US")} buckets.` }),
});

const int = (description: string) => z.string().regex(/^-?\d+$/).meta({ description });
const instant = (description: string) => z.iso.datetime().meta({ description });

export const zoneSchema = z
  .object({
    choice: z.enum(ZONE_CHOICES),
    timeZone: z.string().meta({ description: "IANA name of the zone the buckets are local to.", example: "Europe/London" }),
    label: z.string().meta({ example: "Europe/London (org)" }),
  })
  .meta({ id: "ReportingZone", description: "The zone the figures are reported in." });

const rangeSchema = z.object({ start: instant("First instant (included)."), end: instant("Last instant (excluded).") }).meta({ id: "TimeRange" });

const costSchema = z
  .object({
    totalCents: int("Cost in cents as the dashboards show it: the sum of its line items' cents (training + inference)."),
    trainingCents: int("Training runs' part, in cents."),
    inferenceCents: int("Inference deployments' part, in cents."),
    totalMicros: int("Exact cost in micro-dollars (millionths of a US dollar)."),
    computeMicros: int("GPU time's part, in micro-dollars."),
    extraMicros: int("Storage, data and network, in micro-dollars."),
  })
  .meta({ id: "RollupCost" });

const latencySchema = z
  .object({
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
    approximateRequests: int("Requests whose latency came from windows with only p50/p95/p99 summaries, estimated by interpolating through each window's p50/p95/p99 in log space (within 5% of exact on log-normal and Pareto test data); the other requests' percentiles are within 1% (DDSketch), or to the bucket bounds for windows sent as histograms."),
    note: z.string().nullable().meta({ description: "What that means for these percentiles; null when every request had a sketch, histogram or samples." }),
  })
  .meta({ id: "RollupLatency", description: "Percentiles of the merged latency sketches (DDSketch, 1% relative accuracy); null without latency data." });

const usageSchema = z
  .object({
    requests: int("Requests."),
    errors: int("Requests that failed."),
    inputTokens: int("Prompt tokens, cached ones included."),
    cachedInputTokens: int("Prompt tokens served from a prefix cache."),
    outputTokens: int("Generated tokens."),
    recordedMs: int("Deployment time covered by usage windows (ms)."),
    costPerMillionTokensMicros: int(
      "Micro-dollars per million tokens (input + output), over the time that has usage records — each deployment's cost for the share of its active time with records, as the dashboards compute it. Null without tokens.",
    ).nullable(),
    latency: latencySchema,
  })
  .meta({ id: "RollupUsage", description: "Inference traffic from the usage rollups." });

export const rollupRowSchema = z
  .object({
    bucketStart: instant("The bucket's first instant."),
    bucketEnd: instant("The bucket's end (excluded)."),
    group: z
      .object({ key: z.string().meta({ description: "Team id, model name, GPU type id, or `training:<id>` / `inference:<id>`." }), label: z.string() })
      .nullable()
      .meta({ description: "Null with groupBy=none." }),
    cost: costSchema,
    gpuMs: int("GPU-milliseconds (GPU count × time) in the bucket."),
    gpuHours: z.string().meta({ description: "The same in GPU-hours, a decimal string (6 decimals)." }),
    usage: usageSchema.nullable().meta({ description: "Null when the group has no usage records in the bucket (training runs, unrecorded deployments)." }),
  })
  .meta({ id: "RollupRow" });

export const rollupsResponseSchema = z
  .object({
    zone: zoneSchema,
    range: rangeSchema,
    unit: z.enum(ROLLUP_UNITS),
    groupBy: z.enum(ROLLUP_GROUPS),
    filters: z.object({ team: z.string().nullable(), model: z.string().nullable(), gpu: z.number().int().nullable() }).meta({ description: "The filters applied." }),
    totals: z
      .object({ cost: costSchema, gpuMs: int("GPU-milliseconds."), gpuHours: z.string(), usage: usageSchema.nullable() })
      .meta({ description: "The whole range: cost is the sum of the rows' (cents as shown); usage's percentiles and $/1M tokens are the whole range's own." }),
    rows: z.array(rollupRowSchema).meta({ description: "By bucket, then group key. A group appears in a bucket when it had cost or usage there." }),
  })
  .meta({ id: "Rollups" });

// ─── Monthly reports ────────────────────────────────────────────────────────

export const reportParamsSchema = z.object({
  month: reportMonthSchema.meta({ description: "The report's month, YYYY-MM (local to the zone).", example: "2026-10" }),
});

const granularityParam = z
  .enum(["month", "day"], { error: 'granularity must be "month" or "day"' })
  .default("month")
  .meta({ description: "One line per item per month (default) or per day." });

export const reportJsonQuerySchema = z.object({
  tz: zoneParam,
  team: teamParam("report"),
  granularity: granularityParam,
});

export const reportCsvQuerySchema = reportJsonQuerySchema.extend({
  bom: z
    .enum(["0", "1", "true", "false"], { error: 'bom must be "1" or "0"' })
    .default("0")
    .meta({ description: "`1`: start the file with a UTF-8 byte order mark, for Excel." }),
});

export const monthReportSchema = z
  .object({
    report: z.record(z.string(), z.unknown()).meta({ description: "The report's header: org or team, month, zone, when it was made, whether the month is closed, which teams it covers." }),
    lines: z.array(z.record(z.string(), z.unknown())).meta({ description: "Line items (item × month or day), amounts as decimal dollar strings; the same lines as lines.csv." }),
    corrections: z.array(z.record(z.string(), z.unknown())).meta({ description: "Corrections to closed months, as lines." }),
    totals: z
      .object({
        chargesUsd: z.string(),
        trainingUsd: z.string(),
        inferenceUsd: z.string(),
        correctionsUsd: z.string(),
        billedUsd: z.string(),
        gpuHours: z.string(),
      })
      .meta({ description: "Sums of the lines' cents, as decimal dollar strings." }),
    breakdowns: z.record(z.string(), z.unknown()).meta({ description: "Totals by team, model, GPU type, provider and pricing model." }),
    previousMonth: z.object({ month: z.string(), chargesUsd: z.string(), changeUsd: z.string() }),
    budgets: z.array(z.object({ team: z.string(), name: z.string(), budgetUsd: z.string(), actualUsd: z.string() })),
  })
  .meta({ id: "MonthReport", description: "The monthly report as the report page and /api/reports/{month}/report.json give it." });

// ─── Suggestions ────────────────────────────────────────────────────────────

export const SUGGESTION_STATUSES = ["open", "snoozed", "dismissed", "applied"] as const;

export const suggestionsQuerySchema = z.object({
  team: teamParam("suggestions"),
  tz: zoneParam,
  status: z
    .enum([...SUGGESTION_STATUSES, "all"], { error: `status must be one of ${[...SUGGESTION_STATUSES, "all"].join(", ")}` })
    .default("all")
    .meta({ description: "Only suggestions with this status (default: all)." }),
});

const savingSchema = z
  .object({
    lowCents: int("Low end of the saving per average month (30.44 days), in cents; negative when following it costs money."),
    highCents: int("High end, in cents."),
  })
  .meta({ id: "MonthlySaving" });

export const suggestionSchema = z
  .object({
    id: z.string().meta({ description: "Stable key: `<rule>:<run|deployment|team>:<id>`.", example: "idle-capacity:deployment:42" }),
    rule: z.string().meta({ description: "The rule that raised it, e.g. `idle-capacity`." }),
    title: z.string(),
    item: z
      .object({ kind: z.enum(["run", "deployment", "team"]), id: z.number().int(), name: z.string(), team: z.string().nullable().meta({ description: "The item's team slug." }) })
      .meta({ description: "What it is about." }),
    status: z.enum(SUGGESTION_STATUSES),
    monthlySaving: savingSchema,
    costsMoney: z.boolean().meta({ description: "True when following it raises spend (p99 above the SLO: scale out)." }),
    confidence: z.enum(["high", "medium", "low"]),
    action: z.string(),
    evidence: z.array(z.object({ label: z.string(), value: z.string(), period: rangeSchema.nullable() })),
    decidedAt: instant("When the status was last set by a person; null for open ones never decided.").nullable(),
    decidedBy: z.string().nullable(),
    snoozedUntil: instant("Until when it is snoozed.").nullable(),
    appliedAt: instant("When it was applied.").nullable(),
  })
  .meta({ id: "Suggestion", description: "A cost-saving suggestion. Applied ones are as they were when applied (their saving is that estimate)." });

export const suggestionsResponseSchema = z
  .object({
    zone: zoneSchema,
    period: rangeSchema.meta({ description: "The window the suggestions are computed over: the dashboards' last 30 days, up to now." }),
    suggestions: z.array(suggestionSchema).meta({ description: "Open ones as the rules rank them (as the dashboards list them), then snoozed, dismissed, and the 10 most recently applied (newest first)." }),
  })
  .meta({ id: "Suggestions" });
