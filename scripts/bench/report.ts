import type { UsageSource } from "@/lib/db/queries/usage-ledger";
import { ORG, TEAMS, GPU_TYPES, PRICE_CHANGE, type DatasetParams } from "./dataset";
import type { CostRoll, LoadMeta } from "./load";
import type { LatencyStats, PlanSummary } from "./measure";
import type { CaseMeasurement, PartMeasurement } from "./queries";
import { WARM_UP_BATCHES, WRITE_BATCHES, WRITE_TARGET_WINDOWS_PER_S, type WriteResult } from "./writes";

/** Renders BENCHMARKS.md from one `npm run bench`. */

export const TARGET_P95_MS = 150;

export interface MachineInfo {
  nproc: string;
  cpuModel: string;
  ramGb: number;
  kernel: string;
  node: string;
  postgres: string;
  settings: Record<string, string>;
}

export interface TableSize {
  table: string;
  rows: number;
  totalBytes: number;
  heapBytes: number;
}

export interface TierReport {
  params: DatasetParams;
  dataset: { meta: LoadMeta; isReused: boolean; seconds: number; costRoll: CostRoll };
  cases: CaseMeasurement[];
  sweep: CaseMeasurement[];
  writes: WriteResult | null;
  sizes: TableSize[];
  /** Share of the machine's CPU used by processes outside the bench (and its PostgreSQL) while the tier was measured. */
  otherCpuShare: number | null;
  roundingFunction: { language: string; isStrict: boolean } | null;
}

const n = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : n(x));
const sec = (x: number) => (x < 100 ? x.toFixed(1) : n(x));
const bytes = (b: number) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(2)} GB` : `${(b / 1024 ** 2).toFixed(0)} MB`);
const pct = (x: number | null) => (x === null ? "unknown" : `${(x * 100).toFixed(0)}%`);
const stat = (s: LatencyStats | null, key: "p50" | "p95" | "max") => (s ? ms(s[key]) : "—");

const TABLE_NAMES: Record<string, string> = {
  usage_rollup_quarter: "quarter rollup",
  usage_rollup_team_hour: "team-hour rollup",
  usage_rollup_day: "day rollup",
  usage_rollup_month: "month rollup",
  inference_usage_windows: "raw windows",
  training_runs: "training runs",
  inference_deployments: "deployments",
};

/** The biggest scans of a plan, e.g. "day rollup 3,000". */
function rowsRead(plan: PlanSummary | null): string {
  if (!plan) return "—";
  return Object.entries(plan.rowsByTable)
    .filter(([table]) => table in TABLE_NAMES)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([table, rows]) => `${TABLE_NAMES[table]} ${n(rows)}`)
    .join(", ");
}

const SOURCE_NAMES = {
  teamDay: "team-day rollup",
  month: "month rollup",
  monthAndDay: "month + day rollups",
  day: "day rollup",
  teamHour: "team-hour rollup",
  quarter: "quarter rollup",
  teamDayLive: "team-day rollup + today's 15-minute rows",
  monthAndDayLive: "month + day rollups + today's 15-minute rows",
  dayLive: "day rollup + today's 15-minute rows",
} as const satisfies Record<UsageSource, string>;

function partRow(c: CaseMeasurement, p: PartMeasurement): string {
  const isCost = p.kind === "cost";
  return [
    `(${c.key}) ${p.label}`,
    isCost ? "cost rollup + live remainder" : SOURCE_NAMES[p.source ?? "quarter"],
    stat(p.rollup, "p50"),
    stat(p.rollup, "p95"),
    stat(p.rollup, "max"),
    String(p.rollup.runs),
    stat(p.naive, "p50"),
    stat(p.naive, "p95"),
    String(p.naive?.runs ?? "—"),
    rowsRead(p.rollupPlan),
    isCost ? "" : rowsRead(p.naivePlan),
    `${n(p.buckets)} / ${n(p.rows)}`,
    p.isMatch === null ? "" : p.isMatch ? "yes" : "**NO**",
  ].join(" | ");
}

function caseRows(c: CaseMeasurement): string[] {
  const rows = c.parts.map((p) => `| ${partRow(c, p)} |`);
  if (c.parts.length > 1) {
    rows.push(
      `| **(${c.key}) total, in sequence** | | **${stat(c.total, "p50")}** | **${stat(c.total, "p95")}** | ${stat(c.total, "max")} | ${c.total.runs} | ${stat(c.naiveTotal, "p50")} | ${stat(c.naiveTotal, "p95")} | ${c.naiveTotal?.runs ?? ""} | | | | |`,
    );
  }
  return rows;
}

function tierTable(tier: TierReport): string[] {
  return [
    `| Query | Reads | Rollup p50 | Rollup p95 | max | runs | Naive p50 | Naive p95 | runs | Rows read (rollup path) | Rows read (naive) | Buckets / rows returned | Same answer |`,
    `|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|--:|---|`,
    ...tier.cases.flatMap(caseRows),
  ];
}

function totalWindows(tier: TierReport): number {
  return tier.dataset.meta.counts.usageWindows;
}

function verdict(tiers: TierReport[]): string[] {
  const big = tiers.reduce((a, b) => (totalWindows(b) > totalWindows(a) ? b : a));
  const required = big.cases.filter((c) => !c.isExtra);
  const misses = required.filter((c) => c.total.p95 >= TARGET_P95_MS);
  const extraMisses = big.cases.filter((c) => c.isExtra && c.total.p95 >= TARGET_P95_MS);
  const lines: string[] = [];
  const busy = tiers.filter((t) => (t.otherCpuShare ?? 0) > 0.05);
  if (busy.length > 0) {
    lines.push(
      `> **Noise:** other processes on this machine used ${busy.map((t) => `${pct(t.otherCpuShare)} (${t.params.tier})`).join(", ")} of the CPUs while the queries were measured; ` +
        `on 2 cores that inflates latencies, mostly p95. Re-run on an idle machine for clean numbers.`,
      "",
    );
  }
  lines.push(
    `At ${n(totalWindows(big))} windows, **${required.length - misses.length} of ${required.length}** required queries have p95 under ${TARGET_P95_MS} ms ` +
      `(timed as the whole sequence a page would run, e.g. (c) = three queries).`,
  );
  for (const c of required) {
    const ok = c.total.p95 < TARGET_P95_MS;
    lines.push(`- (${c.key}) ${c.title}: p95 ${ms(c.total.p95)} ms — ${ok ? "meets the target" : `**misses the target by ${ms(c.total.p95 - TARGET_P95_MS)} ms**`}.`);
  }
  for (const c of extraMisses) lines.push(`- (${c.key}) ${c.title} (not a required query): p95 ${ms(c.total.p95)} ms — over the target.`);
  const worst = [...misses, ...extraMisses].flatMap((c) => c.parts.filter((p) => p.rollup.p95 >= TARGET_P95_MS / 3).map((p) => ({ c, p })));
  if (worst.length > 0) {
    lines.push("", "Why (from this run's EXPLAIN ANALYZE of each slow part):");
    for (const { c, p } of worst) lines.push(`- (${c.key}) ${p.label}: ${workSummary(p)}`);
    const rounding = big.roundingFunction;
    if (rounding && rounding.language === "sql" && rounding.isStrict && worst.some(({ p }) => p.kind === "cost")) {
      lines.push(
        "- The ledger's `burnrate_round_half_even(n, d)` is `LANGUAGE sql … STRICT` with a non-strict body (CASE), so PostgreSQL cannot inline it: " +
          "each of its four calls per pair goes through the SQL-function executor.",
      );
    }
    lines.push("", "Hottest plan nodes (own time, excluding children):");
    for (const { c, p } of worst) {
      lines.push(
        `- (${c.key}) ${p.label}: ${p.rollupPlan.hotNodes.map((h) => `${h.node}: ${ms(h.ms)} ms`).join("; ")}` +
          (p.rollupPlan.tempBlocks > 0 ? `; ${n(p.rollupPlan.tempBlocks)} temp blocks (spills past work_mem)` : ""),
      );
    }
  }
  const small = tiers.find((t) => t !== big);
  if (small) {
    lines.push("", `Growth from ${n(totalWindows(small))} to ${n(totalWindows(big))} windows (×${(totalWindows(big) / totalWindows(small)).toFixed(1)} raw rows), p95:`);
    for (const c of big.cases) {
      const other = small.cases.find((x) => x.key === c.key);
      if (!other) continue;
      const naive = c.naiveTotal && other.naiveTotal ? `; naive ${ms(other.naiveTotal.p95)} → ${ms(c.naiveTotal.p95)} ms (×${(c.naiveTotal.p95 / other.naiveTotal.p95).toFixed(1)})` : "";
      lines.push(`- (${c.key}) app query ${ms(other.total.p95)} → ${ms(c.total.p95)} ms (×${(c.total.p95 / other.total.p95).toFixed(1)})${naive}`);
    }
    lines.push(
      `  (Training runs are the same 100,000 in both tiers; the 10× more windows come from 10× more deployments, so org-wide queries also see 10× more deployments and day-rollup rows.)`,
    );
  }
  const first = big.sweep[0]?.parts[0];
  const last = big.sweep.at(-1)?.parts[0];
  if (first && last) {
    const raw = (p: PartMeasurement) => p.naivePlan?.rowsByTable.inference_usage_windows ?? 0;
    lines.push(
      "",
      `Buckets shown, query (b) at ${big.params.tier}: ${n(first.buckets)} → ${n(last.buckets)} hourly buckets (×${(last.buckets / first.buckets).toFixed(0)}) takes the app query from ` +
        `${ms(first.rollup.p50)} to ${ms(last.rollup.p50)} ms p50 (×${(last.rollup.p50 / first.rollup.p50).toFixed(0)}) — it does grow with the buckets shown, but at ` +
        `${ms((last.rollup.p50 * 1000) / last.buckets)} µs per bucket, ${TARGET_P95_MS} ms is reached at about ${n(TARGET_P95_MS / (last.rollup.p50 / last.buckets))} hourly buckets; the naive query (reading ${n(raw(first))} → ${n(raw(last))} raw windows) ` +
        `goes from ${stat(first.naive, "p50")} to ${stat(last.naive, "p50")} ms.`,
    );
  }
  const writes = tiers.find((t) => t.writes)?.writes;
  if (writes) {
    lines.push("", `Writes through the rollup path (batches of 1,000; target ${n(WRITE_TARGET_WINDOWS_PER_S)} windows/s for each shape):`);
    for (const shape of writes.shapes) {
      const ok = shape.windowsPerSecond >= WRITE_TARGET_WINDOWS_PER_S;
      lines.push(`- ${shape.label}: ${n(shape.windowsPerSecond)} windows/s — ${ok ? "meets the target" : "**misses the target**"}.`);
    }
  }
  return lines;
}

/** What a query part's time is proportional to, with the per-unit cost. */
function workSummary(p: PartMeasurement): string {
  const plan = p.rollupPlan;
  const pairs = plan.seriesRows;
  if (p.kind === "cost") {
    const items = (plan.rowsByTable.training_runs ?? 0) + (plan.rowsByTable.inference_deployments ?? 0);
    const rolled = plan.rowsByTable.cost_rollup_day ?? 0;
    return (
      `${n(rolled)} cost_rollup_day rows are summed, and the live remainder computes ${n(pairs ?? 0)} (item × bucket) pairs from ${n(items)} unrolled runs and deployments` +
      (pairs ? ` (${ms((p.rollup.p50 * 1000) / Math.max(1, pairs + rolled))} µs per pair or row at p50)` : "") +
      `. No usage rows are involved, so this does not depend on the number of windows.` +
      (plan.tempBlocks > 0 ? ` Sorts and CTEs spill to disk (${n(plan.tempBlocks)} temp blocks).` : "")
    );
  }
  if (p.kind === "usage" && plan.unnestRows > 0) {
    const rollupRows = Object.entries(plan.rowsByTable).find(([t]) => t.startsWith("usage_rollup_"))?.[1] ?? 0;
    return (
      `${n(rollupRows)} rollup rows are read, but their sketches are unnested into ${n(plan.unnestRows)} (row, latency key) entries ` +
      `(${n(plan.unnestRows / Math.max(1, rollupRows))} keys per row) and re-merged per bucket and group: ${ms((p.rollup.p50 * 1000) / plan.unnestRows)} µs per entry at p50. ` +
      `Latency grows with buckets × distinct latency keys per bucket (wider when a bucket merges many deployments), not with raw windows.` +
      (plan.tempBlocks > 0 ? ` Sorts and aggregates spill to disk (${n(plan.tempBlocks)} temp blocks).` : "")
    );
  }
  return `${ms(p.rollup.p50)} ms at p50.`;
}

function loadSection(tier: TierReport): string[] {
  const m = tier.dataset.meta;
  return [
    `**${tier.params.tier} tier** — generated ${m.generatedAt.slice(0, 19).replace("T", " ")} UTC in ${sec(m.totalSeconds)} s total` +
      (tier.dataset.isReused ? ` (reused by this run: opening it took ${sec(tier.dataset.seconds)} s)` : " (by this run)") +
      `. Raw rows loaded with ${m.loadMethod}.`,
    "",
    `| Step | Seconds | Statements |`,
    `|---|--:|--:|`,
    ...m.loadPhases.map((p) => `| Load: ${p.label} | ${sec(p.seconds)} | |`),
    `| **Rollup build: rebuildUsageRollups, total (${n(m.rollupQuarters)} quarter rows)** | **${sec(m.rollupSeconds)}** | |`,
    ...m.rollupPhases.map((p) => `| &nbsp;&nbsp;${p.label} | ${sec(p.seconds)} | ${p.statements === undefined ? "" : n(p.statements)} |`),
    `| VACUUM (ANALYZE) | ${sec(m.vacuumSeconds)} | |`,
    `| Cost rollups built by this run (rollAllCosts: ${n(tier.dataset.costRoll.runs)} runs, ${n(tier.dataset.costRoll.deployments)} deployments → ${n(tier.dataset.costRoll.rows)} day rows in all zones; then VACUUM (ANALYZE) of what it rewrote) | ${sec(tier.dataset.costRoll.seconds)} | |`,
  ];
}

function sweepSection(tiers: TierReport[]): string[] {
  const [first] = tiers;
  if (!first || first.sweep.length === 0) return [];
  const header = tiers.flatMap((t) => [`${t.params.tier} rollup p50 / p95`, `${t.params.tier} naive p50 / p95`, `${t.params.tier} rows read (rollup / naive)`]);
  return [
    `| Range | Buckets | ${header.join(" | ")} |`,
    `|---|--:|${tiers.map(() => "--:|--:|---|").join("")}`,
    ...first.sweep.map((c, i) => {
      const cells = tiers.flatMap((t) => {
        const s = t.sweep[i];
        const p = s?.parts[0];
        if (!s || !p) return ["", "", ""];
        return [`${ms(p.rollup.p50)} / ${ms(p.rollup.p95)}`, `${stat(p.naive, "p50")} / ${stat(p.naive, "p95")}`, `${rowsRead(p.rollupPlan)} / ${rowsRead(p.naivePlan)}`];
      });
      return `| ${c.title.replace(/^Team p99 by hour, /, "")} | ${n(c.parts[0]?.buckets ?? 0)} | ${cells.join(" | ")} |`;
    }),
  ];
}

function writesSection(tier: TierReport): string[] {
  const w = tier.writes;
  if (!w) return [];
  return [
    `On the ${tier.params.tier} tier. Each batch: BEGIN; INSERT 1,000 windows (one unnest statement); applyUsageWindowChanges with the 1,000 windows (the batch write path: their prorated parts added to every rollup level in SQL, nothing read back); COMMIT (synchronous_commit on). Each writer has its own connection and sends its batches one after another; with two writers both run at once on their own deployments, as two scrapers or gateways posting to one server would (they share teams, so they wait for each other on the teams' rows). The tables written to are vacuumed before each shape (earlier runs' deleted rows otherwise slow the inserts). ` +
      `${WRITE_BATCHES} timed batches per writer, after ${WARM_UP_BATCHES} untimed warm-up batches each (as the queries warm up); everything written was deleted afterwards (rollup counts restored: ${w.isRestored ? "yes" : "**no**"}). Target: ${n(WRITE_TARGET_WINDOWS_PER_S)} windows/s for every shape.`,
    "",
    `| Shape | Windows / s | Batch p50 | Batch p95 | Batch max | Where the time goes (all batches, summed over writers) |`,
    `|---|--:|--:|--:|--:|---|`,
    ...w.shapes.map(
      (s) =>
        `| **${s.label}**: ${s.detail} | **${n(s.windowsPerSecond)}** | ${ms(s.batchMs.p50)} ms | ${ms(s.batchMs.p95)} ms | ${ms(s.batchMs.max)} ms | ` +
        s.phases
          .filter((p) => p.seconds >= 0.005 * s.seconds)
          .sort((a, b) => b.seconds - a.seconds)
          .map((p) => `${p.label.replace(/^SQL: /, "")} ${sec(p.seconds)} s${p.statements ? ` (${n(p.statements)} stmts)` : ""}`)
          .join("; ") +
        " |",
    ),
    "",
    ...w.shapes.map((s) =>
      s.check
        ? `${s.label}: rollups of the deployments written and of their teams compared with a recomputation from raw (checkUsageRollups): ` +
          `${n(s.check.rows)} rows after the writes, ${s.check.mismatches === 0 ? "all equal" : `**${n(s.check.mismatches)} differ**`}; ` +
          `${n(s.check.afterCleanup.rows)} rows after the cleanup, ${s.check.afterCleanup.mismatches === 0 ? "all equal" : `**${n(s.check.afterCleanup.mismatches)} differ**`}.`
        : `${s.label}: rollups not checked.`,
    ),
  ];
}

function sizesSection(tiers: TierReport[]): string[] {
  return [
    `| Table | ${tiers.map((t) => `${t.params.tier} rows | ${t.params.tier} size (heap + indexes)`).join(" | ")} |`,
    `|---|${tiers.map(() => "--:|--:|").join("")}`,
    ...(tiers[0]?.sizes ?? []).map(
      (s, i) =>
        `| ${s.table} | ${tiers
          .map((t) => {
            const x = t.sizes[i];
            return x ? `${n(x.rows)} | ${bytes(x.totalBytes)} (${bytes(x.heapBytes)} + ${bytes(x.totalBytes - x.heapBytes)})` : " | ";
          })
          .join(" | ")} |`,
    ),
  ];
}

function evidenceSection(tiers: TierReport[]): string[] {
  const big = tiers.reduce((a, b) => (totalWindows(b) > totalWindows(a) ? b : a));
  const slow = big.cases.flatMap((c) => c.parts.filter((p) => p.rollup.p95 >= TARGET_P95_MS / 3).map((p) => ({ c, p })));
  if (slow.length === 0) return ["No rollup-path query part took more than a third of the target; no plans to show."];
  return slow.flatMap(({ c, p }) => [
    `<details><summary>(${c.key}) ${p.label} — ${big.params.tier}, p95 ${ms(p.rollup.p95)} ms</summary>`,
    "",
    "```",
    ...p.explain.split("\n").slice(0, 60),
    ...(p.explain.split("\n").length > 60 ? ["…"] : []),
    "```",
    "</details>",
    "",
  ]);
}

export function renderReport({ date, machine, tiers, totalSeconds }: { date: Date; machine: MachineInfo; tiers: TierReport[]; totalSeconds: number }): string {
  const anyTier = tiers[0]!;
  const p = anyTier.params;
  const zones = [...new Set([ORG.timeZone, ...TEAMS.map((t) => t.timeZone)])];
  const generatedThisRun = tiers.filter((t) => !t.dataset.isReused);
  const lines: string[] = [
    "# Benchmarks",
    "",
    `Generated by \`npm run bench\` (scripts/bench.ts, scripts/bench/) on ${date.toISOString().slice(0, 10)}; every number below was measured by that run ` +
      `unless marked as coming from the stored dataset's generation. Re-run to refresh; do not edit by hand.`,
    "",
    `This run took **${(totalSeconds / 60).toFixed(1)} min** end to end` +
      (generatedThisRun.length > 0
        ? `, including generating the ${generatedThisRun.map((t) => t.params.tier).join(" and ")} dataset${generatedThisRun.length > 1 ? "s" : ""}.`
        : ` on stored datasets (generation times below are from when they were built).`),
    "",
    ...(generatedThisRun.length === tiers.length
      ? []
      : [
          `From scratch (generating every dataset, then measuring) it takes about ${((tiers.reduce((sum, t) => sum + t.dataset.meta.totalSeconds, 0) + totalSeconds - tiers.reduce((sum, t) => sum + t.dataset.seconds, 0)) / 60).toFixed(1)} min: ` +
            `the stored generation times below plus this run's measuring time.`,
          "",
        ]),
    "## Verdict",
    "",
    `Target: p95 under ${TARGET_P95_MS} ms for every query at 10 million windows, latency growing with the buckets shown rather than the raw rows.`,
    "",
    ...verdict(tiers),
    "",
    "## Machine",
    "",
    `- CPU: ${machine.cpuModel}, \`nproc\` = ${machine.nproc}`,
    `- RAM: ${machine.ramGb.toFixed(1)} GB; ${machine.kernel}`,
    `- Node ${machine.node}; ${machine.postgres}`,
    `- PostgreSQL settings: ${Object.entries(machine.settings).map(([k, v]) => `${k}=${v}`).join(", ")} ` +
      `(the embedded server's defaults as \`npm start\` runs it; the bench only raises max_wal_size for bulk loading)`,
    `- Client and server on the same machine over TCP (127.0.0.1); latency is wall-clock around each query call in the bench process (node-postgres client, results parsed), warm caches.`,
    "",
    "## Dataset",
    "",
    `Deterministic (seeded PRNG, seed ${p.seed}); "now" = ${p.now}; ${p.days} days of data ending at now.`,
    "",
    `- 1 org (${ORG.timeZone}) with an admin; ${TEAMS.length} teams in ${zones.join(", ")} — so day rollups are kept for ${zones.length} zones.`,
    `- ${GPU_TYPES.length} GPU types (${GPU_TYPES.map((g) => g.name).join(", ")}); catalog prices for aws ON_DEMAND (price cut on ${PRICE_CHANGE.slice(0, 10)}) and coreweave RESERVED; some items use a per-item override or a price the catalog lacks (unpriced GPU time).`,
    `- Inference deployments report one 5-minute window each with requests, errors, input/cached/output tokens, GPU utilization and a latency sketch of 10–25 simulated log-normal request latencies; ` +
      `traffic follows the team's day (×0.15 at 04:00 to ×1 at 16:00 local) and week (weekends ×0.55) and grows over the year; 20% of deployments start later in the year, a few are retired, 10% are low-traffic dev endpoints with idle windows at night.`,
    `- Training runs (the same in every tier) start uniformly over the year, last 5 minutes to 14 days (log-normal, median 2.5 h) on 1–256 GPUs; those still going at now are RUNNING with no end.`,
    "",
    `| Tier | Deployments | Usage windows | Training runs | Quarter rollup rows |`,
    `|---|--:|--:|--:|--:|`,
    ...tiers.map(
      (t) =>
        `| ${t.params.tier} | ${n(t.dataset.meta.counts.deployments)} | ${n(t.dataset.meta.counts.usageWindows)} | ${n(t.dataset.meta.counts.trainingRuns)} | ${n(t.dataset.meta.rollupQuarters)} |`,
    ),
    "",
    "### Loading and rollup build",
    "",
    ...tiers.flatMap((t) => [...loadSection(t), ""]),
    "## Query latency",
    "",
    `"Rollup" is the app's query (lib/db/queries: queryLedger / queryUsage over the rollups). "Naive" answers the same usage question from raw ` +
      `inference_usage_windows (scripts/bench/naive.ts: every window's sketch unnested and merged per bucket). Cost has no naive variant: the ledger never reads usage rows — ` +
      `it computes cost analytically from training runs, deployments and the price catalog — so its "naive" query is the same SQL. ` +
      `Each case starts on a collected heap (the previous case's garbage does not land in its timings). Rollup path: 3 warm-up runs, then 30 timed. Naive: 1 warm-up, then 20 timed runs, or 3 when a run takes over a second (then p95 is the slowest of 3). ` +
      `"Rows read" sums the rows produced by scans of the main tables in EXPLAIN ANALYZE. "Same answer" compares, for usage, requests, input tokens and the p50/p95/p99 sketch keys of every bucket and group; for cost, every row's micro-dollars, cents and GPU time (the bench stops if they differ).`,
    "",
    ...tiers.flatMap((t) => [
      `### ${n(totalWindows(t))} windows (${t.params.tier} tier)`,
      "",
      `Other processes used ${pct(t.otherCpuShare)} of the machine's CPU while this tier was measured.`,
      "",
      ...t.cases.map((c) => `- (${c.key}) ${c.title}: ${c.detail}`),
      "",
      ...tierTable(t),
      "",
    ]),
    "### Latency against the number of buckets shown",
    "",
    `Query (b), one team's hourly usage and p99, over longer ranges (rollup path: 2 warm-up + 20 timed runs).`,
    "",
    ...sweepSection(tiers),
    "",
    "## Write throughput through the rollup path",
    "",
    ...tiers.flatMap(writesSection),
    "",
    "## Table sizes",
    "",
    ...sizesSection(tiers),
    "",
    "## Evidence: plans of the slowest rollup-path queries",
    "",
    ...evidenceSection(tiers),
    "",
    "## How to run",
    "",
    "```sh",
    "npm run bench                          # both tiers; reuses stored datasets with the same parameters",
    "npm run bench -- --regenerate          # rebuild the datasets first",
    "npm run bench -- --tiers=1m --no-writes  # quick look at the small tier",
    "BENCH_DATABASE_URL=postgresql://user:pass@localhost:5432/postgres npm run bench  # your own server instead of the embedded one",
    "```",
    "",
    "Datasets live in an embedded PostgreSQL cluster under `bench-data/` (git-ignored, ~" +
      bytes(tiers.reduce((sum, t) => sum + t.sizes.reduce((s, x) => s + x.totalBytes, 0), 0)) +
      " for the tables above); delete the directory to reclaim the space. With BENCH_DATABASE_URL the bench creates databases `burnrate_bench_10m` and `burnrate_bench_1m` on that server " +
      "(server-side COPY needs superuser or pg_read_server_files and a shared /tmp; otherwise it falls back to INSERT … unnest).",
    "",
  ];
  return lines.join("\n");
}
