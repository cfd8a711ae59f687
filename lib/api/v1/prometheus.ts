import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { USAGE_WRITE } from "@/lib/cache/read-cache";
import { mergeSketches, type LatencySketch } from "@/lib/domain/latency-sketch";
import { Prisma } from "@/lib/db/sql";
import { CLOCK_SKEW_MS, instant } from "@/lib/validation/entities/fields";
import { ExpositionError } from "@/lib/prometheus/exposition";
import { readSglangScrape, readVllmScrape, scrapedUsageWindows, type ScrapedUsageWindow, type ServerScrape } from "@/lib/prometheus/usage-windows";
import { apiWriteTransaction, rollBackWith, type IdempotentRequest } from "./idempotency";
import type { PrometheusScrapeInput } from "./prometheus-schema";
import { v1Error, v1Invalid } from "./responses";
import { readUsageBatch, writeUsageBatch } from "./usage-windows";
import type { UsageWindowApiInput } from "./usage-windows-schema";

/**
 * POST /api/v1/prometheus/scrapes: successive scrapes of one vLLM or SGLang
 * server's /metrics become usage windows. The source's previous scrape is
 * kept (prometheus_sources); each new one makes the window [previous,
 * this) of every engine from the counters' and histogram buckets' deltas
 * (lib/prometheus/usage-windows.ts: restarts, gaps, bucket bounds read from
 * the data). Engines are mapped to deployments by the request's mapping;
 * engines of one deployment are added up. The windows go through the same
 * checks and the same batch write path as POST /api/v1/usage-windows (audit
 * source "prometheus"), in one transaction with the new baseline — a refused
 * scrape leaves the baseline where it was, so the next one covers its time.
 */

const readers = { vllm: readVllmScrape, sglang: readSglangScrape } as const;

function readScrape(server: PrometheusScrapeInput["server"], text: string, scrapedAt: Date): ServerScrape {
  return readers[server]({ text, scrapedAt });
}

const engineLabel = (w: { key: { modelName: string; engine: string | null } }) => (w.key.engine === null ? w.key.modelName : `${w.key.modelName} (engine ${w.key.engine})`);

/** The mapped deployment of a window's engine: an exact engine mapping first, then the model's catch-all. */
function deploymentOf(input: PrometheusScrapeInput, window: ScrapedUsageWindow): number | null {
  const forModel = input.deployments.filter((d) => d.modelName === window.key.modelName);
  return (forModel.find((d) => d.engine != null && d.engine === window.key.engine) ?? forModel.find((d) => d.engine == null))?.deploymentId ?? null;
}

interface Merged {
  deploymentId: number;
  windowStart: Date;
  windowSeconds: number;
  requests: bigint;
  errors: bigint;
  inputTokens: bigint;
  cachedInputTokens: bigint;
  outputTokens: bigint;
  latency: LatencySketch[];
}

function toApiWindow(m: Merged): UsageWindowApiInput {
  const latency = m.latency.length > 0 ? mergeSketches(...m.latency) : null;
  return {
    deploymentId: m.deploymentId,
    windowStart: m.windowStart.toISOString(),
    windowSeconds: m.windowSeconds,
    requests: m.requests.toString(),
    errors: m.errors.toString(),
    inputTokens: m.inputTokens.toString(),
    cachedInputTokens: m.cachedInputTokens.toString(),
    outputTokens: m.outputTokens.toString(),
    ...(latency && latency.keys.length > 0 ? { latency: { kind: "sketch" as const, keys: latency.keys, counts: latency.counts } } : {}),
  };
}

export async function importPrometheusScrape({
  viewer,
  input,
  idempotency,
  now = new Date(),
}: {
  viewer: Viewer;
  input: PrometheusScrapeInput;
  idempotency: IdempotentRequest | null;
  now?: Date;
}): Promise<Response> {
  const at = instant({ label: "scrapedAt" }).parse(input.scrapedAt);
  if (!at.ok) return v1Invalid([{ path: "scrapedAt", message: at.message }]);
  const scrapedAt = at.value;
  if (scrapedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) return v1Invalid([{ path: "scrapedAt", message: "scrapedAt can't be in the future (check the sidecar's clock)" }]);
  let current: ServerScrape;
  try {
    current = readScrape(input.server, input.exposition, scrapedAt);
  } catch (error) {
    if (error instanceof ExpositionError || error instanceof RangeError) return v1Invalid([{ path: "exposition", message: error.message }]);
    throw error;
  }
  return apiWriteTransaction({ orgId: viewer.orgId, idempotency, domains: USAGE_WRITE }, async (run) => {
    const [stored] = await run.query<{ server: string; lastScrapedAt: Date; lastText: string }>(Prisma.sql`
      select server, "lastScrapedAt", "lastText" from prometheus_sources where "orgId" = ${viewer.orgId} and name = ${input.source} for update`);
    const result = { source: input.source, baseline: true, windows: 0, gaps: [] as { start: string; end: string; reason: string; modelName: string | null }[], unmapped: [] as string[], restarted: [] as string[], warnings: [] as string[] };
    if (stored && scrapedAt.getTime() <= stored.lastScrapedAt.getTime()) {
      rollBackWith(
        v1Error(409, "conflict", `This source's last scrape was taken at ${stored.lastScrapedAt.toISOString()}; a scrape must be later than that (was it sent twice?).`, { field: "scrapedAt" }),
      );
    }
    if (stored && stored.server === input.server) {
      const previous = readScrape(input.server, stored.lastText, stored.lastScrapedAt);
      const { windows, gaps } = scrapedUsageWindows([previous, current], { maxWindowSeconds: input.maxWindowSeconds, ...(input.errorReasons ? { errorReasons: input.errorReasons } : {}) });
      result.baseline = false;
      result.gaps = gaps.map((g) => ({ start: g.start.toISOString(), end: g.end.toISOString(), reason: g.reason, modelName: g.key?.modelName ?? null }));
      const merged = new Map<number, Merged>();
      for (const window of windows) {
        const deploymentId = deploymentOf(input, window);
        if (deploymentId === null) {
          result.unmapped.push(engineLabel(window));
          continue;
        }
        if (window.restarted) result.restarted.push(engineLabel(window));
        result.warnings.push(...window.warnings.map((w) => `${engineLabel(window)}: ${w}`));
        const into = merged.get(deploymentId);
        if (!into) {
          merged.set(deploymentId, { deploymentId, ...window, latency: window.latency ? [window.latency] : [] });
          continue;
        }
        into.requests += window.requests;
        into.errors += window.errors;
        into.inputTokens += window.inputTokens;
        into.cachedInputTokens += window.cachedInputTokens;
        into.outputTokens += window.outputTokens;
        if (window.latency) into.latency.push(window.latency);
      }
      const apiWindows = [...merged.values()].sort((a, b) => a.deploymentId - b.deploymentId).map(toApiWindow);
      if (apiWindows.length > 0) {
        // The windows are the scrape's, not a list the caller sent: problems name the deployment they are about.
        const itemPath = (index: number) => `deployment ${apiWindows[index]!.deploymentId}`;
        const read = await readUsageBatch(run, viewer, { windows: apiWindows }, now, { isSketchBeyondRequestsAllowed: true });
        if (!read.ok) rollBackWith(v1Invalid(read.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^windows\[(\d+)\]/, (_, i: string) => itemPath(Number(i))) }))));
        await writeUsageBatch(run, viewer, read.rows, "prometheus", itemPath);
        result.windows = read.rows.length;
      }
    }
    await run.execute(Prisma.sql`
      insert into prometheus_sources ("orgId", name, server, "lastScrapedAt", "lastText")
      values (${viewer.orgId}, ${input.source}, ${input.server}, ${scrapedAt}, ${input.exposition})
      on conflict ("orgId", name) do update set server = excluded.server, "lastScrapedAt" = excluded."lastScrapedAt", "lastText" = excluded."lastText", "updatedAt" = now()`);
    return { status: 200, body: JSON.stringify(result) };
  });
}
