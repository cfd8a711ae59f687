import { csvHeaderRow, csvRow } from "@/lib/reports/csv";
import type { ImportKind } from "./kinds";

/**
 * The columns of each import file: header names (snake_case, as in the
 * template), the schema field each one fills, and what a person needs to
 * fill it in. Browser-safe: the import page lists these next to the upload.
 */

/** How a cell is read before the entity schema sees it. */
export type CellKind =
  /**
   * Free text (names, notes): handed to the entity schema as a form's field is,
   * so "=HYPERLINK(…)" or "- lr warmup" is accepted here as it is there; every
   * CSV Burnrate writes neutralizes it (lib/reports/csv.ts).
   */
  | "text"
  /** A team, GPU type or deployment named in the file, resolved to its id in the viewer's org. */
  | "reference"
  /** A date and time; without an offset it is read in the zone chosen for the import. */
  | "instant"
  /** Anything else: the schema's field parser reads the text as is. */
  | "value";

export interface ColumnSpec {
  header: string;
  /** The schema's field. */
  field: string;
  /** The field's name in messages, as the entity schema words it ("Start", "GPU type"). */
  label: string;
  isRequired: boolean;
  cell: CellKind;
  description: string;
  example: string;
}

const column = (header: string, [field, label]: [string, string], isRequired: boolean, cell: CellKind, description: string, example: string): ColumnSpec => ({
  header,
  field,
  label,
  isRequired,
  cell,
  description,
  example,
});

const TRAINING_RUN_COLUMNS: readonly ColumnSpec[] = [
  column("team", ["teamId", "Team"], true, "reference", "Team slug (Settings → Teams).", "research"),
  column("name", ["name", "Name"], true, "text", "Run name. Team, name and start identify a run: importing it again updates it.", "llama-sft-042"),
  column("model", ["model", "Model"], true, "text", "Model trained.", "Llama-3.1-8B"),
  column("parameter_count", ["parameterCount", "Parameter count"], false, "value", "Parameters, in digits.", "8030261248"),
  column("method", ["method", "Training method"], true, "value", "Pretrain, Full fine-tune, LoRA, QLoRA or Other.", "LoRA"),
  column("precision", ["precision", "Precision"], true, "value", "FP32, FP16, BF16 or FP8.", "BF16"),
  column("gradient_checkpointing", ["gradientCheckpointing", "Gradient checkpointing"], false, "value", "yes or no (default no).", "yes"),
  column("flash_attention", ["flashAttention", "Flash attention"], false, "value", "yes or no (default no).", "yes"),
  column("zero_stage", ["zeroStage", "ZeRO stage"], false, "value", "DeepSpeed ZeRO stage 0–3; empty when not used.", "2"),
  column("gradient_accumulation_steps", ["gradientAccumulationSteps", "Gradient accumulation steps"], false, "value", "1–4096 (default 1).", "4"),
  column("gpu_type", ["gpuTypeId", "GPU type"], true, "reference", "GPU type name (Settings → GPU price catalog).", "H100 80GB"),
  column("provider", ["provider", "Provider"], true, "value", "Cloud or host: aws, gcp, lambda-labs, on-prem…", "aws"),
  column("pricing_model", ["pricingModel", "Pricing model"], true, "value", "On-demand, Spot, Reserved or On-prem.", "On-demand"),
  column("gpu_count", ["gpuCount", "GPU count"], true, "value", "GPUs used, 1–100,000.", "8"),
  column("started_at", ["startedAt", "Start"], true, "instant", "Start, e.g. 2026-03-01 09:00 (in the import's time zone) or 2026-03-01T09:00:00Z.", "2026-03-01 09:00"),
  column("ended_at", ["endedAt", "End"], false, "instant", "End; empty while the run is going.", "2026-03-01 17:30"),
  column("status", ["status", "Status"], true, "value", "Queued, Running, Succeeded, Failed or Cancelled.", "Succeeded"),
  column("tokens_processed", ["tokensProcessed", "Tokens processed"], false, "value", "Tokens processed, in digits.", "1200000000"),
  column("throughput_tokens_per_sec", ["throughputTokensPerSec", "Throughput"], false, "value", "Tokens per second, up to 3 decimals.", "41666.7"),
  column("avg_gpu_utilization_pct", ["avgGpuUtilizationPct", "Average GPU utilization"], false, "value", "Average GPU utilization, 0–100.", "87.5"),
  column("price_per_gpu_hour_override", ["pricePerGpuHourOverride", "Price override"], false, "value", "$/GPU-hour when it differs from the catalog; empty uses the catalog.", ""),
  column("storage_cost_usd", ["storageCostUsd", "Storage cost"], false, "value", "Dollars, e.g. 12.50 (default 0).", "12.50"),
  column("data_cost_usd", ["dataCostUsd", "Data cost"], false, "value", "Dollars (default 0).", "0"),
  column("network_cost_usd", ["networkCostUsd", "Network cost"], false, "value", "Dollars (default 0).", "0"),
  column("notes", ["notes", "Notes"], false, "text", "Free text.", "Sweep 3, lr 2e-4"),
];

const USAGE_WINDOW_COLUMNS: readonly ColumnSpec[] = [
  column("deployment", ["deploymentId", "Deployment"], true, "reference", "Deployment name, or its id (from its page's address) when two share a name.", "support-chat"),
  column("window_start", ["windowStart", "Window start"], true, "instant", "Window start, e.g. 2026-03-01 09:00 or 2026-03-01T09:00:00Z. With the deployment it identifies the window.", "2026-03-01 09:00"),
  column("window_seconds", ["windowSeconds", "Window length"], true, "value", "Window length in seconds, up to 31 days.", "3600"),
  column("requests", ["requests", "Requests"], true, "value", "Requests served in the window.", "12000"),
  column("errors", ["errors", "Errors"], false, "value", "Failed requests (default 0).", "3"),
  column("input_tokens", ["inputTokens", "Input tokens"], true, "value", "Prompt tokens.", "9600000"),
  column("cached_input_tokens", ["cachedInputTokens", "Cached input tokens"], false, "value", "Prompt tokens served from cache (default 0).", "2400000"),
  column("output_tokens", ["outputTokens", "Output tokens"], true, "value", "Generated tokens.", "3000000"),
  column("latency_p50_ms", ["latencyP50Ms", "p50 latency"], false, "value", "Median latency in ms; give all three percentiles or none.", "180"),
  column("latency_p95_ms", ["latencyP95Ms", "p95 latency"], false, "value", "p95 latency in ms.", "420"),
  column("latency_p99_ms", ["latencyP99Ms", "p99 latency"], false, "value", "p99 latency in ms.", "910"),
  column(
    "latency_histogram_ms",
    ["latencyHistogram", "Latency histogram"],
    false,
    "value",
    "The window's latency distribution as cumulative buckets, <upper bound in ms>:<requests at or below it> separated by spaces, the last bound may be +Inf (as Prometheus exposes histograms). It becomes the window's latency sketch: percentiles are exact to their bucket, and more accurate than p50/p95/p99 alone.",
    "50:3000 100:7000 250:11000 500:11900 +Inf:12000",
  ),
  column("avg_gpu_utilization_pct", ["avgGpuUtilizationPct", "Average GPU utilization"], false, "value", "Average GPU utilization, 0–100.", "62.5"),
];

export const IMPORT_COLUMNS: Record<ImportKind, readonly ColumnSpec[]> = {
  trainingRuns: TRAINING_RUN_COLUMNS,
  usageWindows: USAGE_WINDOW_COLUMNS,
};

/** The column that holds a schema field (for errors on fields the file has no column for). */
export function columnForField(kind: ImportKind, field: string): ColumnSpec | undefined {
  return IMPORT_COLUMNS[kind].find((c) => c.field === field);
}

/**
 * The downloadable template: the header and one example row. `examples`
 * replaces the built-in examples per header (the org's own team slug, GPU type
 * and recent times, so the template imports as it is).
 */
export function templateCsv(kind: ImportKind, examples: Partial<Record<string, string>> = {}): string {
  const columns = IMPORT_COLUMNS[kind];
  // Through the one CSV writer: examples that start like a formula get a leading ' as in every export.
  return csvHeaderRow(columns.map((c) => c.header)) + csvRow(columns.map((c) => ({ text: examples[c.header] ?? c.example })));
}
