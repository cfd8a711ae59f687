// POST /api/v1/prometheus/scrapes — one scrape of a vLLM/SGLang server's /metrics (lib/api/v1/operations.ts describes it).
import { postPrometheusScrapeOperation } from "@/lib/api/v1/operations";
import { importPrometheusScrape } from "@/lib/api/v1/prometheus";
import { MAX_PROMETHEUS_BODY_BYTES } from "@/lib/api/v1/prometheus-schema";
import { apiRoute } from "@/lib/api/v1/route";
import { USAGE_WRITE } from "@/lib/cache/read-cache";

export const dynamic = "force-dynamic";

export const POST = apiRoute(postPrometheusScrapeOperation, ({ viewer, body, idempotency }) => importPrometheusScrape({ viewer, input: body, idempotency }), {
  rateClass: "write",
  maxBodyBytes: MAX_PROMETHEUS_BODY_BYTES,
  writes: USAGE_WRITE,
});
