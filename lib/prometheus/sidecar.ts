import { z } from "zod";

/**
 * The Prometheus sidecar's loop (scripts/prometheus-sidecar.ts runs it beside
 * a vLLM or SGLang server): every `intervalSeconds` it reads the server's
 * /metrics and posts the text to Burnrate's POST /api/v1/prometheus/scrapes,
 * which turns successive scrapes into usage windows. It keeps no state: the
 * previous scrape is Burnrate's.
 *
 *   - A scrape that fails (server down, timeout) is skipped: Burnrate sees the
 *     next one further apart, and past `maxWindowSeconds` that is a gap, never
 *     idle time.
 *   - A post that fails for a reason a retry can fix (network, 429, 503) is
 *     retried with the same Idempotency-Key until the next tick, honouring
 *     Retry-After; then the scrape is dropped (the next one covers its time).
 *   - A refusal (4xx) is logged with Burnrate's message and not retried.
 */

export const sidecarConfigSchema = z.object({
  metricsUrl: z.url({ error: "--metrics must be the server's metrics URL, e.g. http://localhost:8000/metrics" }),
  burnrateUrl: z.url({ error: "--burnrate must be Burnrate's base URL, e.g. https://burnrate.example.com" }),
  apiKey: z.string().regex(/^brk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/, { error: "BURNRATE_API_KEY must be a Burnrate API key (brk_…) with the usage:write scope" }),
  source: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, { error: "--source must be letters, digits and . _ : - (e.g. the host name)" }),
  server: z.enum(["vllm", "sglang"], { error: '--server must be "vllm" or "sglang"' }),
  /** "model=deploymentId" or "model@engine=deploymentId". */
  deployments: z
    .array(z.object({ modelName: z.string().min(1), engine: z.string().nullable(), deploymentId: z.number().int().positive() }))
    .min(1, { error: 'give at least one --map "<model_name>=<deployment id>"' }),
  intervalSeconds: z.number().int().min(5).max(900),
  maxWindowSeconds: z.number().int().min(10).max(3600),
});

export type SidecarConfig = z.output<typeof sidecarConfigSchema>;

/** `--map` values: "meta-llama/Llama-3.1-8B-Instruct=12", or with an engine: "meta-llama/Llama-3.1-8B-Instruct@1=13". */
export function parseMapping(value: string): { modelName: string; engine: string | null; deploymentId: number } | null {
  const match = /^(.+?)(?:@([0-9A-Za-z_-]+))?=([1-9]\d{0,9})$/.exec(value.trim());
  if (!match) return null;
  return { modelName: match[1]!, engine: match[2] ?? null, deploymentId: Number(match[3]) };
}

export type SidecarEvent =
  | { kind: "scraped"; scrapedAt: Date; bytes: number }
  | { kind: "scrape-failed"; scrapedAt: Date; message: string }
  | { kind: "posted"; scrapedAt: Date; status: number; body: unknown }
  | { kind: "post-retry"; scrapedAt: Date; attempt: number; message: string; waitMs: number }
  | { kind: "post-refused"; scrapedAt: Date; status: number; message: string }
  | { kind: "post-dropped"; scrapedAt: Date; message: string };

export interface TickOptions {
  config: SidecarConfig;
  now?: () => Date;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Stop retrying a post at this instant (the next tick). */
  deadline: number;
  onEvent: (event: SidecarEvent) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One scrape and its delivery. */
export async function sidecarTick({ config, now = () => new Date(), fetch: fetcher = fetch, sleep = defaultSleep, deadline, onEvent }: TickOptions): Promise<void> {
  const scrapedAt = now();
  let exposition: string;
  try {
    const response = await fetcher(config.metricsUrl, { signal: AbortSignal.timeout(Math.min(10_000, config.intervalSeconds * 500)), headers: { accept: "text/plain;version=0.0.4" } });
    if (!response.ok) throw new Error(`${config.metricsUrl} answered ${response.status}`);
    exposition = await response.text();
  } catch (error) {
    onEvent({ kind: "scrape-failed", scrapedAt, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  onEvent({ kind: "scraped", scrapedAt, bytes: exposition.length });
  const body = JSON.stringify({
    source: config.source,
    server: config.server,
    scrapedAt: scrapedAt.toISOString(),
    exposition,
    deployments: config.deployments,
    maxWindowSeconds: config.maxWindowSeconds,
  });
  const url = new URL("/api/v1/prometheus/scrapes", config.burnrateUrl);
  for (let attempt = 1; ; attempt++) {
    let message: string;
    let waitMs = Math.min(30_000, 500 * 2 ** (attempt - 1));
    try {
      const response = await fetcher(url, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${config.apiKey}`,
          // The same key on every attempt: a post that reached Burnrate but whose answer was lost is not counted twice.
          "idempotency-key": `prometheus-${config.source}-${scrapedAt.toISOString()}`,
        },
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      if (response.ok) {
        onEvent({ kind: "posted", scrapedAt, status: response.status, body: parsed });
        return;
      }
      const errorMessage = (parsed as { error?: { message?: string } } | null)?.error?.message ?? text.slice(0, 300);
      if (response.status !== 429 && response.status < 500) {
        onEvent({ kind: "post-refused", scrapedAt, status: response.status, message: errorMessage });
        return;
      }
      message = `${response.status}: ${errorMessage}`;
      const retryAfter = Number(response.headers.get("retry-after"));
      if (Number.isFinite(retryAfter) && retryAfter > 0) waitMs = retryAfter * 1000;
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() + waitMs >= deadline) {
      onEvent({ kind: "post-dropped", scrapedAt, message: `${message}; the next scrape covers this one's time` });
      return;
    }
    onEvent({ kind: "post-retry", scrapedAt, attempt, message, waitMs });
    await sleep(waitMs);
  }
}
