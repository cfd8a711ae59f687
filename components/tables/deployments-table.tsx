import Link from "next/link";
import type { Route } from "next";
import type { DeploymentRow } from "@/lib/db/queries/dashboards";
import { formatMs, formatPercent, formatQps, formatUsdRate } from "@/lib/domain/display";
import { IDLE_DEFINITION } from "@/lib/domain/inference-cost";
import { PERCENTILE_ACCURACY_NOTE, SUMMARY_ESTIMATE_NOTE } from "@/lib/domain/percentiles";
import { BATCHING_LABELS, QUANTIZATION_LABELS, SERVING_ENGINE_LABELS } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { Badge } from "@/components/ui/badge";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

/** A figure of recorded usage, or "No data" when the deployment has no usage records in the range. */
function recorded(d: DeploymentRow, text: string) {
  return d.hasUsageRecords ? text : <span className="text-slate-500">No data</span>;
}

export function DeploymentsTable({ deployments }: { deployments: DeploymentRow[] }) {
  if (deployments.length === 0) {
    return (
      <EmptyState title="No deployments active in this range">
        Widen the range or clear a filter — or add a deployment and its usage to see cost per 1M tokens, QPS and p99 latency against its SLO.
      </EmptyState>
    );
  }
  const columns: Column<DeploymentRow>[] = [
    {
      key: "name",
      header: "Deployment",
      // Long names and GPU types wrap (within the second line's width) so the table still fits a 1024 px laptop.
      cell: (d) => (
        <div className="max-w-40 whitespace-normal leading-tight">
          <Link href={`/inference/${d.id}` as Route} className="font-medium text-blue-800 hover:underline">
            {d.name}
          </Link>
          {d.isActive ? null : (
            <span className="ml-1.5">
              <Badge>Ended</Badge>
            </span>
          )}
          <div className="max-w-40 whitespace-normal text-xs text-slate-500">
            {d.model} · {d.team.name}
          </div>
        </div>
      ),
    },
    {
      key: "engine",
      header: "Serving",
      cell: (d) => (
        <div className="leading-tight">
          <div className="max-w-40 whitespace-normal">
            {d.gpuCount} × {d.gpuTypeName}
          </div>
          <div className="max-w-40 whitespace-normal text-xs text-slate-500">
            {SERVING_ENGINE_LABELS[d.servingEngine]} · {QUANTIZATION_LABELS[d.quantization]} ·{" "}
            {d.batching === "NONE" ? "no batching" : `${BATCHING_LABELS[d.batching].toLowerCase()} batching`}
          </div>
        </div>
      ),
    },
    // Pairs of figures share a column (second line smaller), so the table fits a 1024 px laptop.
    {
      key: "cost",
      header: "Cost in range / per active day",
      isNumeric: true,
      canWrap: true,
      cell: (d) => (
        <div className="whitespace-nowrap leading-tight">
          <div>{formatUsd({ cents: d.costCents })}</div>
          <div className="text-xs text-slate-500">{d.costPerDayCents === null ? "—" : `${formatUsd({ cents: d.costPerDayCents })} / day`}</div>
        </div>
      ),
    },
    { key: "perToken", header: "$/1M tokens", isNumeric: true, canWrap: true, cell: (d) => recorded(d, formatUsdRate(d.costPerMillionTokensUsd)) },
    { key: "qps", header: "QPS", isNumeric: true, cell: (d) => recorded(d, formatQps(d.qps)) },
    {
      key: "p99",
      header: "p99 / SLO",
      isNumeric: true,
      cell: (d) => (
        <span className={d.isBreachingSlo ? "font-semibold text-red-700" : undefined}>
          {formatMs(d.p99Ms)}
          {d.isLatencyApproximate ? <span title={`Includes windows with only summary percentiles, ${SUMMARY_ESTIMATE_NOTE}`}> ≈</span> : null}
          <span className="font-normal text-slate-500"> / {d.p99SloMs === null ? "—" : formatMs(d.p99SloMs)}</span>
          {d.isBreachingSlo ? <span className="sr-only"> (breaching SLO)</span> : null}
        </span>
      ),
    },
    {
      key: "util",
      header: "GPU util. / idle share",
      isNumeric: true,
      canWrap: true,
      cell: (d) => (
        <div className="whitespace-nowrap leading-tight">
          <div>{formatPercent(d.utilization)}</div>
          <div className="text-xs text-slate-500">{recorded(d, `${formatPercent(d.idleShare)} idle`)}</div>
        </div>
      ),
    },
  ];
  return (
    <>
      <DataTable caption="Inference deployments" columns={columns} rows={deployments} rowKey={(d) => d.id} />
      <p className="px-4 py-2 text-xs text-slate-500">{IDLE_DEFINITION}</p>
      <p className="px-4 pb-2 text-xs text-slate-500">p99: {PERCENTILE_ACCURACY_NOTE}</p>
    </>
  );
}
