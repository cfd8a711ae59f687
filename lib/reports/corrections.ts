import type { ReportLine } from "./line";

/** A line already reported for a closed month: its stored charge lines and corrections to it billed since. */
export type ReportedLine = ReportLine;

type Quantity =
  | "computeMicros"
  | "computeCents"
  | "extraMicros"
  | "extraCents"
  | "gpuMs"
  | "unpricedGpuMs"
  | "activeMs"
  | "recordedMs"
  | "requests"
  | "inputTokens"
  | "cachedInputTokens"
  | "outputTokens"
  | "trainingTokens";

const REQUIRED: readonly Quantity[] = ["computeMicros", "computeCents", "extraMicros", "extraCents", "gpuMs", "unpricedGpuMs", "activeMs"];
const OPTIONAL: readonly Quantity[] = ["recordedMs", "requests", "inputTokens", "cachedInputTokens", "outputTokens", "trainingTokens"];

/** Lines are the same charge when they are the same item billed to the same team. */
const keyOf = (l: Pick<ReportLine, "kind" | "itemId" | "teamId">) => `${l.kind}:${l.itemId}:${l.teamId}`;

/**
 * Correction lines for a closed month: per item and team, what its month
 * line is now minus everything already reported for it (the month's stored
 * line and corrections billed since). An item edited, repriced, moved to
 * another team, deleted or added after closing gets a line with the
 * difference in every amount and quantity (negative when it went down);
 * unchanged items get none. Cents are differences of displayed cents, so the
 * closed month's stored cents plus its corrections equal its live cents.
 */
export function correctionLines({
  live,
  reported,
  month,
  period,
}: {
  live: readonly ReportLine[];
  reported: readonly ReportedLine[];
  month: string;
  period: { start: Date; end: Date };
}): ReportLine[] {
  const groups = new Map<string, { live: ReportLine[]; reported: ReportLine[] }>();
  for (const l of live) {
    const g = groups.get(keyOf(l)) ?? { live: [], reported: [] };
    g.live.push(l);
    groups.set(keyOf(l), g);
  }
  for (const l of reported) {
    const g = groups.get(keyOf(l)) ?? { live: [], reported: [] };
    g.reported.push(l);
    groups.set(keyOf(l), g);
  }
  const result: ReportLine[] = [];
  for (const g of groups.values()) {
    const base = g.live[0] ?? g.reported[0]!;
    const sum = (lines: ReportLine[], q: Quantity) => lines.reduce((s, l) => s + (l[q] ?? 0n), 0n);
    const delta = (q: Quantity) => sum(g.live, q) - sum(g.reported, q);
    const anyOf = (q: Quantity) => g.live.some((l) => l[q] !== null) || g.reported.some((l) => l[q] !== null);
    const line: ReportLine = {
      ...base,
      lineType: "correction",
      periodStart: period.start,
      periodEnd: period.end,
      p99LatencyMs: null,
      prices: g.live[0]?.prices ?? base.prices,
      computeMicros: delta("computeMicros"),
      computeCents: delta("computeCents"),
      extraMicros: delta("extraMicros"),
      extraCents: delta("extraCents"),
      gpuMs: delta("gpuMs"),
      unpricedGpuMs: delta("unpricedGpuMs"),
      activeMs: delta("activeMs"),
      recordedMs: anyOf("recordedMs") ? delta("recordedMs") : null,
      requests: anyOf("requests") ? delta("requests") : null,
      inputTokens: anyOf("inputTokens") ? delta("inputTokens") : null,
      cachedInputTokens: anyOf("cachedInputTokens") ? delta("cachedInputTokens") : null,
      outputTokens: anyOf("outputTokens") ? delta("outputTokens") : null,
      trainingTokens: anyOf("trainingTokens") ? delta("trainingTokens") : null,
      correction: { correctsMonth: month, cause: "", auditEntryIds: [] },
    };
    const changed = [...REQUIRED, ...OPTIONAL].some((q) => (line[q] ?? 0n) !== 0n);
    if (changed) result.push(line);
  }
  return result.sort((a, b) => a.teamName.localeCompare(b.teamName) || b.kind.localeCompare(a.kind) || a.itemName.localeCompare(b.itemName) || a.itemId - b.itemId);
}
