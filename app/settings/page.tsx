import type { Metadata } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { listGpuCatalog, listTeams } from "@/lib/db/queries/catalog";
import { formatPricePerGpuHour } from "@/lib/domain/display";
import { formatDateTime, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { formatUsd, parseUsdMicros } from "@/lib/domain/money";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Teams, GPU types and the price catalog that costs are computed from." />
      <div className="space-y-5">
        <Card title="Teams">
          <Suspense fallback={<TableSkeleton rows={4} />}>
            <Teams />
          </Suspense>
        </Card>
        <Card title="GPU price catalog">
          <Suspense fallback={<TableSkeleton />}>
            <Catalog />
          </Suspense>
        </Card>
      </div>
    </>
  );
}

const micros = (value: { toFixed(dp: number): string }) => parseUsdMicros(value.toFixed(6));

async function Teams() {
  const viewer = await getViewer();
  const teams = await listTeams({ viewer });
  if (teams.length === 0) return <EmptyState title="No teams yet">Create a team to group runs and deployments.</EmptyState>;
  return (
    <DataTable
      caption="Teams"
      rows={teams}
      rowKey={(t) => t.id}
      columns={[
        { key: "name", header: "Team", cell: (t) => <span className="font-medium">{t.name}</span> },
        { key: "slug", header: "Slug", cell: (t) => <code className="text-xs">{t.slug}</code> },
        { key: "tz", header: "Time zone", cell: (t) => t.timeZone },
        { key: "budget", header: "Monthly budget", isNumeric: true, cell: (t) => formatUsd({ micros: micros(t.monthlyBudgetUsd) }) },
      ]}
    />
  );
}

async function Catalog() {
  const viewer = await getViewer();
  const gpus = await listGpuCatalog({ viewer });
  const rows = gpus.flatMap((g) => g.prices.map((p) => ({ ...p, gpu: g })));
  if (rows.length === 0) return <EmptyState title="No GPU prices yet">Add a GPU type and its $/GPU-hour to cost your runs.</EmptyState>;
  return (
    <DataTable
      caption="GPU price catalog"
      rows={rows}
      rowKey={(r) => r.id}
      columns={[
        { key: "gpu", header: "GPU", cell: (r) => <span className="font-medium">{r.gpu.name}</span> },
        { key: "mem", header: "Memory", isNumeric: true, cell: (r) => `${r.gpu.memoryGb} GB` },
        { key: "tflops", header: "BF16 peak", isNumeric: true, cell: (r) => `${r.gpu.peakBf16Tflops.toFixed(1)} TFLOPS` },
        { key: "provider", header: "Provider", cell: (r) => r.provider },
        { key: "model", header: "Pricing", cell: (r) => PRICING_MODEL_LABELS[r.pricingModel] },
        { key: "price", header: "$/GPU-hour", isNumeric: true, cell: (r) => formatPricePerGpuHour(micros(r.pricePerGpuHour)) },
        { key: "from", header: "Effective from", isNumeric: true, cell: (r) => formatDateTime({ instant: r.effectiveFrom, timeZone: viewer.orgTimeZone }) },
        { key: "to", header: "Effective to", isNumeric: true, cell: (r) => (r.effectiveTo ? formatDateTime({ instant: r.effectiveTo, timeZone: viewer.orgTimeZone }) : "open") },
      ]}
    />
  );
}
