import { z } from "zod";

/**
 * The JSON shape of POST /api/v1/prometheus/scrapes: one scrape of a vLLM or
 * SGLang server's /metrics as its sidecar (scripts/prometheus-sidecar.ts)
 * read it, and which deployment each served model (and engine) is.
 */

export const MAX_EXPOSITION_CHARS = 8 * 1024 * 1024;
export const MAX_PROMETHEUS_BODY_BYTES = 9 * 1024 * 1024;

export const prometheusScrapeSchema = z
  .object({
    source: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { error: "source must be letters, digits and . _ : - (e.g. the server's host name)" })
      .meta({ description: "A stable name for the scraped server (one per /metrics endpoint), e.g. its host name: successive scrapes of one source make windows." }),
    server: z.enum(["vllm", "sglang"]).meta({ description: "What serves the metrics: vLLM (`vllm:` families) or SGLang (`sglang:` families)." }),
    scrapedAt: z.string().meta({ description: "When the scrape was taken (RFC 3339). Must be later than the source's previous scrape.", examples: ["2026-11-30T10:01:00Z"] }),
    exposition: z.string().max(MAX_EXPOSITION_CHARS).meta({ description: "The /metrics response as it was, Prometheus text format 0.0.4." }),
    deployments: z
      .array(
        z.object({
          modelName: z.string().min(1).max(500).meta({ description: "The `model_name` label (vLLM's served model name)." }),
          engine: z.string().max(20).nullable().optional().meta({ description: "The `engine` label (vLLM V1 data-parallel rank); leave out to map every engine of the model." }),
          deploymentId: z.number().int().positive(),
        }),
      )
      .min(1)
      .max(100)
      .meta({ description: "Which Burnrate deployment each served model (and engine) is. Engines mapped to one deployment are added up." }),
    maxWindowSeconds: z.number().int().min(10).max(3600).default(900).meta({ description: "Scrapes further apart than this are a gap (no window, never idle time). Default 900 s." }),
    errorReasons: z.array(z.string().max(40)).max(10).optional().meta({ description: 'vLLM `finished_reason` values counted as errors (default ["error"]).' }),
  })
  .meta({ id: "PrometheusScrape" });

export const prometheusResultSchema = z
  .object({
    source: z.string(),
    baseline: z.boolean().meta({ description: "True for a source's first scrape (or the first after a gap): it only sets the baseline." }),
    windows: z.number().int().meta({ description: "Usage windows written (one per mapped deployment)." }),
    gaps: z.array(z.object({ start: z.string(), end: z.string(), reason: z.string(), modelName: z.string().nullable() })),
    unmapped: z.array(z.string()).meta({ description: "model_name/engine pairs in the scrape that no deployment mapping names (their traffic is not recorded)." }),
    restarted: z.array(z.string()).meta({ description: "Engines that restarted during the window (their counters are counted from the restart)." }),
    warnings: z.array(z.string()),
  })
  .meta({ id: "PrometheusScrapeResult" });

export type PrometheusScrapeInput = z.output<typeof prometheusScrapeSchema>;
