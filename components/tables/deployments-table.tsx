import type { DeploymentListRow } from "@/lib/db/queries/deployments";
import { BATCHING_LABELS, formatDateTime, PRICING_MODEL_LABELS, QUANTIZATION_LABELS, SERVING_ENGINE_LABELS } from "@/lib/domain/labels";
import { Badge } from "@/components/ui/badge";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

export function DeploymentsTable({ deployments, timeZone, now }: { deployments: DeploymentListRow[]; timeZone: string; now: Date }) {
  if (deployments.length === 0) {
    return (
      <EmptyState title="No inference deployments yet">
        Add a deployment and its usage to see cost per 1M tokens, QPS and p99 latency against its SLO.
      </EmptyState>
    );
  }
  const columns: Column<DeploymentListRow>[] = [
    { key: "name", header: "Deployment", cell: (d) => <span className="font-medium">{d.name}</span> },
    { key: "team", header: "Team", cell: (d) => d.team.name },
    { key: "model", header: "Model", cell: (d) => d.model },
    { key: "engine", header: "Engine", cell: (d) => SERVING_ENGINE_LABELS[d.servingEngine] },
    { key: "quant", header: "Quantization", cell: (d) => QUANTIZATION_LABELS[d.quantization] },
    { key: "batching", header: "Batching", cell: (d) => BATCHING_LABELS[d.batching] },
    { key: "gpus", header: "GPUs", isNumeric: true, cell: (d) => `${d.gpuCount} × ${d.gpuType.name}` },
    { key: "pricing", header: "Pricing", cell: (d) => `${d.provider} · ${PRICING_MODEL_LABELS[d.pricingModel]}` },
    { key: "slo", header: "p99 SLO", isNumeric: true, cell: (d) => (d.p99SloMs === null ? "—" : `${d.p99SloMs.toLocaleString("en-US")} ms`) },
    { key: "state", header: "State", cell: (d) => (d.activeTo && d.activeTo <= now ? <Badge>Ended</Badge> : <Badge tone="good">Active</Badge>) },
    { key: "from", header: "Active from", isNumeric: true, cell: (d) => formatDateTime({ instant: d.activeFrom, timeZone }) },
  ];
  return <DataTable caption="Inference deployments" columns={columns} rows={deployments} rowKey={(d) => d.id} />;
}
