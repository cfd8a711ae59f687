import type pg from "pg";
import type { Prisma } from "@/lib/db/sql";

/** Latency statistics over timed runs (ms); percentiles by nearest rank. */
export interface LatencyStats {
  runs: number;
  p50: number;
  p95: number;
  max: number;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { runs: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted[sorted.length - 1] ?? Number.NaN };
}

export interface RunPlan {
  warmup: number;
  runs: number;
  /** When the first warm-up run takes longer than this (ms), only `slowRuns` are timed. */
  slowAfterMs?: number;
  slowRuns?: number;
}

export const ROLLUP_RUNS: RunPlan = { warmup: 3, runs: 30 };
export const NAIVE_RUNS: RunPlan = { warmup: 1, runs: 20, slowAfterMs: 1000, slowRuns: 3 };

/**
 * Runs `steps` in order, `warmup` times untimed and then `runs` times timed,
 * each step timed on its own (wall clock around the call, in this process)
 * and the whole sequence as well.
 */
export async function timeSteps(steps: readonly (() => Promise<unknown>)[], plan: RunPlan): Promise<{ steps: number[][]; total: number[] }> {
  let runs = plan.runs;
  for (let w = 0; w < plan.warmup; w++) {
    const start = performance.now();
    for (const step of steps) await step();
    if (w === 0 && plan.slowAfterMs !== undefined && performance.now() - start > plan.slowAfterMs) runs = plan.slowRuns ?? runs;
  }
  const samples = steps.map(() => [] as number[]);
  const total: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    for (const [i, step] of steps.entries()) {
      const s = performance.now();
      await step();
      samples[i]!.push(performance.now() - s);
    }
    total.push(performance.now() - started);
  }
  return { steps: samples, total };
}

export interface PlanSummary {
  /** Rows produced by scans of each table (actual rows × loops). */
  rowsByTable: Record<string, number>;
  sharedHitBlocks: number;
  sharedReadBlocks: number;
  tempBlocks: number;
  executionMs: number;
  /** Plan nodes with the most time of their own (excluding children), for the report's evidence. */
  hotNodes: { node: string; ms: number }[];
  /** Rows from generate_series() (the ledger's item × bucket pairs: one bucket series per item). */
  seriesRows: number;
  /** Array elements produced by unnest() (sketch entries merged). */
  unnestRows: number;
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "CTE Name"?: string;
  "Function Name"?: string;
  "Actual Total Time"?: number;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  "Temp Read Blocks"?: number;
  "Temp Written Blocks"?: number;
  Plans?: PlanNode[];
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement: what it read. */
export async function explainSummary(client: pg.ClientBase, statement: Prisma.Sql): Promise<PlanSummary> {
  const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode; "Execution Time": number }] }>(
    `explain (analyze, buffers, format json) ${statement.text}`,
    statement.values as unknown[],
  );
  const root = rows[0]!["QUERY PLAN"][0];
  const rowsByTable: Record<string, number> = {};
  let seriesRows = 0;
  let unnestRows = 0;
  const hotNodes: { node: string; ms: number }[] = [];
  const totalMs = (node: PlanNode) => (node["Actual Total Time"] ?? 0) * (node["Actual Loops"] ?? 1);
  const visit = (node: PlanNode) => {
    const relation = node["Relation Name"];
    if (relation && /Scan/.test(node["Node Type"])) {
      rowsByTable[relation] = (rowsByTable[relation] ?? 0) + (node["Actual Rows"] ?? 0) * (node["Actual Loops"] ?? 1);
    }
    const rows = Math.round((node["Actual Rows"] ?? 0) * (node["Actual Loops"] ?? 1));
    if (node["Node Type"] === "Function Scan" && node["Function Name"] === "generate_series") seriesRows += rows;
    // unnest(a, b) is planned as ROWS FROM (unnest(a), unnest(b)) and then carries no single function name.
    if (node["Node Type"] === "Function Scan" && (node["Function Name"] ?? "unnest") === "unnest") unnestRows += rows;
    const own = totalMs(node) - (node.Plans ?? []).reduce((sum, child) => sum + totalMs(child), 0);
    const name = node["Node Type"] + (relation ? ` on ${relation}` : node["CTE Name"] ? ` (${node["CTE Name"]})` : "");
    hotNodes.push({ node: `${name}, ${rows.toLocaleString("en-US")} rows`, ms: own });
    node.Plans?.forEach(visit);
  };
  visit(root.Plan);
  hotNodes.sort((a, b) => b.ms - a.ms);
  return {
    rowsByTable,
    sharedHitBlocks: root.Plan["Shared Hit Blocks"] ?? 0,
    sharedReadBlocks: root.Plan["Shared Read Blocks"] ?? 0,
    tempBlocks: (root.Plan["Temp Read Blocks"] ?? 0) + (root.Plan["Temp Written Blocks"] ?? 0),
    executionMs: root["Execution Time"],
    hotNodes: hotNodes.slice(0, 4),
    seriesRows,
    unnestRows,
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) as text, for the report's evidence. */
export async function explainText(client: pg.ClientBase, statement: Prisma.Sql): Promise<string> {
  const { rows } = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${statement.text}`, statement.values as unknown[]);
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}
