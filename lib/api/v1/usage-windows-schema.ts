import { z } from "zod";
import { sketchKey, SKETCH_MAX_MS, SKETCH_MIN_MS } from "@/lib/domain/latency-sketch";

/**
 * The JSON shape of usage windows in API v1. The route validates requests with
 * these schemas and the OpenAPI document is generated from them; the values
 * are then read by the entity's own schema (usage-windows.ts).
 */

export const MAX_BATCH_WINDOWS = 10_000;
/** Pairs of a DDSketch, buckets of a histogram, raw samples: per window. */
export const MAX_SKETCH_PAIRS = 4_096;
export const MAX_HISTOGRAM_BUCKETS = 512;
export const MAX_SAMPLES = 100_000;
/** A batch of 10,000 windows with histograms fits; anything larger is refused while it is read (413). */
export const MAX_USAGE_BODY_BYTES = 32 * 1024 * 1024;

const MIN_KEY = sketchKey(SKETCH_MIN_MS);
const MAX_KEY = sketchKey(SKETCH_MAX_MS);

const wholeNumber = (description: string) =>
  z.union([z.number(), z.string()]).meta({ description: `${description} A whole number; send values above 2^53 as a string of digits.`, examples: [1200, "18446744073"] });

/**
 * An array of whole numbers within [min, max], checked in one pass over the
 * array, and documented as such (its items' JSON Schema). A sketch's keys and
 * counts are most of a usage batch's numbers — 42,000 in a 1,000-window batch
 * with 21-pair sketches — and zod's checks per element (a payload and three
 * checks each) took ~6 ms of such a batch; this takes ~1.
 */
function wholeNumbers({ min, max, maxItems }: { min: number; max: number; maxItems: number }) {
  return z
    .array(z.number())
    .max(maxItems)
    .check((ctx) => {
      const values = ctx.value;
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (!(Number.isInteger(value) && value >= min && value <= max)) {
          ctx.issues.push({ code: "custom", path: [i], input: value, message: `Expected a whole number from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}` });
        }
      }
    })
    .meta({ items: { type: "integer", minimum: min, maximum: max } });
}

const sketchLatency = z
  .object({
    kind: z.literal("sketch"),
    keys: wholeNumbers({ min: MIN_KEY, max: MAX_KEY, maxItems: MAX_SKETCH_PAIRS }).meta({ description: "DDSketch bucket indexes (relative accuracy 1%, γ = 1.0202; key = ⌈log_γ(ms)⌉ as Burnrate stores them)." }),
    counts: wholeNumbers({ min: 1, max: 1e12, maxItems: MAX_SKETCH_PAIRS }).meta({ description: "Requests in each bucket, same length as keys." }),
  })
  .meta({ id: "LatencySketch", description: "A DDSketch of the window's request latencies, the form Burnrate stores: percentiles within 1% of exact over any range." });

const histogramLatency = z
  .object({
    kind: z.literal("histogram"),
    unit: z.enum(["s", "ms"]).default("s").meta({ description: 'Unit of the bucket bounds: "s" as Prometheus exposes them (default), or "ms".' }),
    buckets: z
      .array(
        z.object({
          le: z.union([z.number().positive(), z.literal("+Inf")]).meta({ description: 'Upper bound of the bucket, or "+Inf" for the last one.' }),
          count: z.number().int().min(0).meta({ description: "Cumulative count of requests at or below `le` in this window (as Prometheus reports buckets)." }),
        }),
      )
      .min(1)
      .max(MAX_HISTOGRAM_BUCKETS),
  })
  .meta({ id: "LatencyHistogram", description: "Explicit histogram buckets with upper bounds, as Prometheus exposes them: percentiles are exact to the bucket they fall in (the reference page states the bound)." });

const samplesLatency = z
  .object({
    kind: z.literal("samples"),
    valuesMs: z.array(z.number().positive().max(SKETCH_MAX_MS)).min(1).max(MAX_SAMPLES).meta({ description: "Each request's latency in milliseconds." }),
  })
  .meta({ id: "LatencySamples", description: "Raw latency samples, stored as a DDSketch (within 1% of exact)." });

const summaryLatency = z
  .object({
    kind: z.literal("summary"),
    p50Ms: z.union([z.number(), z.string()]),
    p95Ms: z.union([z.number(), z.string()]),
    p99Ms: z.union([z.number(), z.string()]),
  })
  .meta({ id: "LatencySummary", description: "Only the window's p50/p95/p99 in milliseconds: merged percentiles are estimates, and are labelled as such." });

export const latencyInputSchema = z.discriminatedUnion("kind", [sketchLatency, histogramLatency, samplesLatency, summaryLatency]).meta({ id: "Latency" });

export const usageWindowInputSchema = z
  .object({
    deploymentId: z.number().int().positive().meta({ description: "The deployment's id (in its page's URL, /inference/<id>)." }),
    windowStart: z.string().meta({ description: "RFC 3339 instant with Z or an offset.", examples: ["2026-11-30T14:05:00Z"] }),
    windowSeconds: z.number().int().meta({ description: "Length of the window in seconds (1 s to 31 days)." }),
    requests: wholeNumber("Requests served in the window."),
    errors: wholeNumber("Requests that failed (at most `requests`).").optional(),
    inputTokens: wholeNumber("Prompt tokens."),
    cachedInputTokens: wholeNumber("Prompt tokens served from a prefix cache (at most `inputTokens`).").optional(),
    outputTokens: wholeNumber("Generated tokens."),
    latency: latencyInputSchema.optional(),
    avgGpuUtilizationPct: z.union([z.number(), z.string()]).optional().meta({ description: "Average GPU utilization over the window, percent 0–100." }),
  })
  .meta({ id: "UsageWindowInput", description: "One deployment's traffic over [windowStart, windowStart + windowSeconds). Keyed by (deploymentId, windowStart): sending it again replaces it." });

export const usageBatchSchema = z
  .object({
    windows: z.array(usageWindowInputSchema).min(1, { error: "Send at least one window" }).max(MAX_BATCH_WINDOWS, { error: `At most ${MAX_BATCH_WINDOWS.toLocaleString("en-US")} windows per request; split the batch` }),
  })
  .meta({ id: "UsageBatch" });

export const usageBatchResultSchema = z
  .object({
    windows: z.number().int().meta({ description: "Windows in the request." }),
    inserted: z.number().int(),
    updated: z.number().int().meta({ description: "Windows that replaced a stored window with other values." }),
    unchanged: z.number().int().meta({ description: "Windows equal to the stored ones (a resend)." }),
  })
  .meta({ id: "UsageBatchResult" });

export type UsageBatchInput = z.output<typeof usageBatchSchema>;
export type UsageWindowApiInput = z.output<typeof usageWindowInputSchema>;
export type LatencyInput = z.output<typeof latencyInputSchema>;

