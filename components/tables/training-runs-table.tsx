import Link from "next/link";
import type { Route } from "next";
import type { TrainingRunRow as RunWithCost } from "@/lib/db/queries/dashboards";

/** A row of the runs table: the run's lifetime figures and its cents within the view's range (null without a range). */
type TrainingRunRow = RunWithCost & { inRangeCostCents: bigint | null };
import { formatGpuHours, formatPercent, formatUsdRate } from "@/lib/domain/display";
import { formatDateTime, PRECISION_LABELS, RUN_STATUS_LABELS, TRAINING_METHOD_LABELS } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { DataTable, type Column, type SortState } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

const STATUS_TONE: Record<TrainingRunRow["status"], BadgeTone> = {
  QUEUED: "neutral",
  RUNNING: "info",
  SUCCEEDED: "good",
  FAILED: "bad",
  CANCELLED: "warn",
};

export function TrainingRunsTable({ runs, timeZone, sort }: { runs: TrainingRunRow[]; timeZone: string; sort?: SortState }) {
  if (runs.length === 0) {
    return (
      <EmptyState title="No training runs match">
        Widen the range or clear a filter — or record a run by hand or import a CSV of your job log.
      </EmptyState>
    );
  }
  const columns: Column<TrainingRunRow>[] = [
    {
      key: "name",
      header: "Run",
      sortKey: "name",
      cell: (r) => (
        <div className="leading-tight">
          <Link href={`/training/${r.id}` as Route} className="font-medium text-blue-800 hover:underline">
            {r.name}
          </Link>
          <div className="text-xs text-slate-500">{r.model}</div>
        </div>
      ),
    },
    // Text columns and multi-word headers wrap when space is short, and pairs
    // of figures share a column, so the table fits a 1024 px laptop.
    {
      key: "team",
      header: "Team / method",
      sortKey: "team",
      canWrap: true,
      cell: (r) => (
        <div className="leading-tight">
          <div>{r.team.name}</div>
          <div className="text-xs text-slate-500">
            {TRAINING_METHOD_LABELS[r.method]} · {PRECISION_LABELS[r.precision]}
          </div>
        </div>
      ),
    },
    { key: "gpus", header: "GPUs", isNumeric: true, canWrap: true, cell: (r) => `${r.gpuCount}\u00a0×\u00a0${r.gpuTypeName}` },
    { key: "gpuHours", header: "GPU-hours", isNumeric: true, canWrap: true, sortKey: "gpuHours", cell: (r) => formatGpuHours(r.gpuHours).replace(" GPU-h", "") },
    {
      // Two figures in one column, so the table still fits a 1024 px laptop.
      key: "cost",
      header: "Cost in range / lifetime",
      isNumeric: true,
      canWrap: true,
      sortKey: "cost",
      cell: (r) => (
        <div className="whitespace-nowrap leading-tight" title={r.hasUnpricedTime ? "Part of this run has no GPU price in the catalog" : undefined}>
          <div>{formatUsd({ cents: r.inRangeCostCents })}</div>
          <div className="text-xs text-slate-500">
            {formatUsd({ cents: r.lifetimeCostCents })}
            {r.hasUnpricedTime ? <span className="text-amber-700"> *</span> : null}
          </div>
        </div>
      ),
    },
    { key: "perToken", header: "$/1M tokens", isNumeric: true, canWrap: true, sortKey: "perToken", cell: (r) => formatUsdRate(r.costPerMillionTokensUsd) },
    { key: "mfu", header: "MFU", isNumeric: true, sortKey: "mfu", cell: (r) => formatPercent(r.mfu) },
    { key: "status", header: "Status", cell: (r) => <Badge tone={STATUS_TONE[r.status]}>{RUN_STATUS_LABELS[r.status]}</Badge> },
    {
      key: "when",
      header: "Started / ended",
      isNumeric: true,
      canWrap: true,
      sortKey: "started",
      cell: (r) => (
        <div className="whitespace-nowrap leading-tight">
          <div>{formatDateTime({ instant: r.startedAt, timeZone })}</div>
          <div className="text-xs text-slate-500">{r.endedAt ? formatDateTime({ instant: r.endedAt, timeZone }) : "running"}</div>
        </div>
      ),
    },
  ];
  return <DataTable caption="Training runs" columns={columns} rows={runs} rowKey={(r) => r.id} sort={sort} />;
}
