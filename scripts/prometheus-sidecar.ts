// npm run prometheus:sidecar -- --metrics http://localhost:8000/metrics --burnrate http://burnrate:3000 \
//   --source gpu-node-7 --server vllm --map "meta-llama/Llama-3.1-8B-Instruct=12" [--map "<model>@<engine>=<id>"] \
//   [--interval 60] [--max-window 900] [--once]
// with BURNRATE_API_KEY=brk_… (a team key with the usage:write scope) in the environment.
// Runs beside a vLLM or SGLang server: every interval it reads /metrics and posts the scrape to
// Burnrate, which turns successive scrapes into usage windows (lib/prometheus/sidecar.ts).
import { parseArgs } from "node:util";
import { parseMapping, sidecarConfigSchema, sidecarTick, type SidecarEvent } from "../lib/prometheus/sidecar";
import { runMain, StartupError } from "./lib/errors";

function describe(event: SidecarEvent): string {
  const at = event.scrapedAt.toISOString();
  switch (event.kind) {
    case "scraped":
      return `${at} scraped ${event.bytes.toLocaleString("en-US")} bytes`;
    case "scrape-failed":
      return `${at} scrape failed (${event.message}); Burnrate will see a gap if the next one is too far apart`;
    case "posted": {
      const body = event.body as { baseline?: boolean; windows?: number; unmapped?: string[]; gaps?: unknown[] };
      const extra = [
        body.baseline ? "baseline" : `${body.windows ?? 0} window(s)`,
        body.gaps && body.gaps.length > 0 ? `${body.gaps.length} gap(s)` : "",
        body.unmapped && body.unmapped.length > 0 ? `unmapped: ${body.unmapped.join(", ")}` : "",
      ].filter(Boolean);
      return `${at} sent: ${extra.join("; ")}`;
    }
    case "post-retry":
      return `${at} send failed (${event.message}); retry ${event.attempt} in ${(event.waitMs / 1000).toFixed(1)} s`;
    case "post-refused":
      return `${at} Burnrate refused the scrape (${event.status}): ${event.message}`;
    case "post-dropped":
      return `${at} gave up sending: ${event.message}`;
  }
}

runMain(async () => {
  const { values } = parseArgs({
    options: {
      metrics: { type: "string" },
      burnrate: { type: "string" },
      source: { type: "string" },
      server: { type: "string", default: "vllm" },
      map: { type: "string", multiple: true, default: [] },
      interval: { type: "string", default: "60" },
      "max-window": { type: "string", default: "900" },
      once: { type: "boolean", default: false },
    },
  });
  const deployments = values.map.map((m) => {
    const parsed = parseMapping(m);
    if (!parsed) throw new StartupError(`--map "${m}" must be "<model_name>=<deployment id>" or "<model_name>@<engine>=<deployment id>"`);
    return parsed;
  });
  const config = sidecarConfigSchema.safeParse({
    metricsUrl: values.metrics,
    burnrateUrl: values.burnrate,
    apiKey: process.env.BURNRATE_API_KEY ?? "",
    source: values.source,
    server: values.server,
    deployments,
    intervalSeconds: Number(values.interval),
    maxWindowSeconds: Number(values["max-window"]),
  });
  if (!config.success) {
    const issue = config.error.issues[0]!;
    throw new StartupError(issue.path.length > 0 && !issue.message.startsWith("--") && !issue.message.startsWith("BURNRATE") ? `${String(issue.path[0])}: ${issue.message}` : issue.message);
  }
  const intervalMs = config.data.intervalSeconds * 1000;
  let stopping = false;
  process.once("SIGINT", () => (stopping = true));
  process.once("SIGTERM", () => (stopping = true));
  console.log(`burnrate sidecar: ${config.data.metricsUrl} → ${config.data.burnrateUrl} as "${config.data.source}", every ${config.data.intervalSeconds} s`);
  for (;;) {
    // Ticks on the interval grid, so windows have even lengths whatever a post took.
    const next = (Math.floor(Date.now() / intervalMs) + 1) * intervalMs;
    await sidecarTick({ config: config.data, deadline: next, onEvent: (event) => console.log(describe(event)) });
    if (values.once || stopping) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    if (stopping) return;
  }
});
