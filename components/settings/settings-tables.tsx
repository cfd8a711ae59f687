import type { Route } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatPricePerGpuHour } from "@/lib/domain/display";
import { formatDateTime, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { formatUsd, parseUsdMicros } from "@/lib/domain/money";
import { undoTimeLeft } from "@/lib/domain/undo-window";
import { restoreDeletedAction } from "@/lib/actions/records";
import type { PricingModel } from "@/lib/validation/entities/enums";
import { UndoButton } from "@/components/records/undo-button";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

/** The tables of the Settings page: each record with an Edit link, and what was deleted lately with Restore. */

function EditLink({ href, what }: { href: string; what: string }) {
  return (
    <Link href={href as Route} className="font-medium text-blue-700 hover:underline">
      Edit<span className="sr-only"> {what}</span>
    </Link>
  );
}

const count = (n: number) => (n === 0 ? <span className="text-slate-400">0</span> : n.toLocaleString("en-US"));

export function TeamsTable({
  teams,
  editableTeamIds,
}: {
  teams: { id: number; slug: string; name: string; timeZone: string; monthlyBudgetUsd: string; runs: number; deployments: number }[];
  /** Teams whose Edit link is shown: all for org admins, a team admin's own (its budget), else none. */
  editableTeamIds: readonly number[] | "all";
}) {
  const isEditable = (id: number) => editableTeamIds === "all" || editableTeamIds.includes(id);
  if (teams.length === 0) return <EmptyState title="No teams yet">Create a team to group runs and deployments and give them a budget.</EmptyState>;
  return (
    <DataTable
      caption="Teams"
      rows={teams}
      rowKey={(t) => t.id}
      columns={[
        { key: "name", header: "Team", cell: (t) => <span className="font-medium">{t.name}</span> },
        { key: "slug", header: "Slug", cell: (t) => <code className="text-xs">{t.slug}</code> },
        { key: "tz", header: "Time zone", cell: (t) => t.timeZone },
        { key: "budget", header: "Monthly budget", isNumeric: true, cell: (t) => formatUsd({ micros: parseUsdMicros(t.monthlyBudgetUsd) }) },
        { key: "runs", header: "Runs", isNumeric: true, cell: (t) => count(t.runs) },
        { key: "deployments", header: "Deployments", isNumeric: true, cell: (t) => count(t.deployments) },
        { key: "edit", header: "Actions", cell: (t) => (isEditable(t.id) ? <EditLink href={`/settings/teams/${t.slug}/edit`} what={`team ${t.name}`} /> : null) },
      ]}
    />
  );
}

export function GpuTypesTable({
  gpuTypes,
  canManage,
}: {
  gpuTypes: { id: number; name: string; memoryGb: number; peakBf16Tflops: string; memoryBandwidthGbps: string; prices: number; runs: number; deployments: number }[];
  /** May the viewer manage the GPU catalog (org:manage)? Without it: no Edit or Add price. */
  canManage: boolean;
}) {
  if (gpuTypes.length === 0) return <EmptyState title="No GPU types yet">Add the GPUs you train and serve on; then add their $/GPU-hour.</EmptyState>;
  const number = (text: string) => Number(text).toLocaleString("en-US", { maximumFractionDigits: 2 });
  return (
    <DataTable
      caption="GPU types"
      rows={gpuTypes}
      rowKey={(g) => g.id}
      columns={[
        { key: "name", header: "GPU", cell: (g) => <span className="font-medium">{g.name}</span> },
        { key: "mem", header: "Memory", isNumeric: true, cell: (g) => `${g.memoryGb} GB` },
        { key: "tflops", header: "BF16 peak", isNumeric: true, cell: (g) => `${number(g.peakBf16Tflops)} TFLOPS` },
        { key: "bw", header: "Bandwidth", isNumeric: true, cell: (g) => `${number(g.memoryBandwidthGbps)} GB/s` },
        { key: "prices", header: "Prices", isNumeric: true, cell: (g) => count(g.prices) },
        { key: "runs", header: "Runs", isNumeric: true, cell: (g) => count(g.runs) },
        { key: "deployments", header: "Deployments", isNumeric: true, cell: (g) => count(g.deployments) },
        {
          key: "actions",
          header: "Actions",
          cell: (g) =>
            canManage ? (
              <span className="flex gap-3">
                <EditLink href={`/settings/gpu-types/${g.id}/edit`} what={`GPU type ${g.name}`} />
                <Link href={`/settings/prices/new?gpuTypeId=${g.id}` as Route} className="font-medium text-blue-700 hover:underline">
                  Add price<span className="sr-only"> for {g.name}</span>
                </Link>
              </span>
            ) : null,
        },
      ]}
    />
  );
}

export interface PriceRow {
  id: number;
  gpuTypeName: string;
  provider: string;
  pricingModel: PricingModel;
  pricePerGpuHour: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

/** `canManage`: may the viewer manage the price catalog (org:manage)? Without it: no Edit links. */
export function PriceCatalogTable({ prices, timeZone, now, showGpu = true, canManage }: { prices: PriceRow[]; timeZone: string; now: Date; showGpu?: boolean; canManage: boolean }) {
  if (prices.length === 0) return <EmptyState title="No GPU prices yet">Add a $/GPU-hour for each GPU, provider and pricing model you use to cost your runs.</EmptyState>;
  const isInEffect = (p: PriceRow) => p.effectiveFrom <= now && (p.effectiveTo === null || p.effectiveTo > now);
  return (
    <DataTable
      caption="GPU price catalog"
      rows={prices}
      rowKey={(p) => p.id}
      columns={[
        ...(showGpu ? [{ key: "gpu", header: "GPU", canWrap: true, cell: (p: PriceRow) => <span className="font-medium">{p.gpuTypeName}</span> }] : []),
        { key: "provider", header: "Provider", cell: (p) => p.provider },
        { key: "model", header: "Pricing", canWrap: true, cell: (p) => PRICING_MODEL_LABELS[p.pricingModel] },
        { key: "price", header: "$/GPU-hour", isNumeric: true, cell: (p) => formatPricePerGpuHour(parseUsdMicros(p.pricePerGpuHour)) },
        { key: "from", header: "Effective from", isNumeric: true, canWrap: true, cell: (p) => formatDateTime({ instant: p.effectiveFrom, timeZone }) },
        {
          key: "to",
          header: "Until",
          canWrap: true,
          isNumeric: true,
          cell: (p) => (p.effectiveTo ? formatDateTime({ instant: p.effectiveTo, timeZone }) : <span className="text-slate-500">no end</span>),
        },
        { key: "state", header: "Status", cell: (p) => (isInEffect(p) ? <span className="text-xs font-medium text-emerald-700">in effect</span> : null) },
        {
          key: "edit",
          header: "Actions",
          cell: (p) =>
            canManage ? <EditLink href={`/settings/prices/${p.id}/edit`} what={`price ${p.gpuTypeName} ${p.provider} ${PRICING_MODEL_LABELS[p.pricingModel]} from ${formatDateTime({ instant: p.effectiveFrom, timeZone })}`} /> : null,
        },
      ]}
    />
  );
}

const KINDS: Record<string, string> = {
  team: "Team",
  gpuType: "GPU type",
  gpuPrice: "Price",
  trainingRun: "Training run",
  inferenceDeployment: "Deployment",
  usageWindow: "Usage",
};

export function RecentlyDeletedList({
  items,
  timeZone,
  now,
  undoDays,
  canRestore,
}: {
  items: { id: number; entityType: string; label: string; deletedAt: Date; deletedBy: string | null }[];
  timeZone: string;
  now: Date;
  undoDays: number;
  canRestore: boolean;
}): ReactNode {
  if (items.length === 0) {
    return <p className="px-4 py-3 text-sm text-slate-600">Nothing deleted lately. Deleted teams, GPU types, prices, runs and deployments can be restored here for {undoDays} days.</p>;
  }
  return (
    <ul className="divide-y divide-slate-100">
      {items.map((item) => (
        <li key={item.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm">
          <span className="w-24 shrink-0 text-xs font-medium uppercase tracking-wide text-slate-500">{KINDS[item.entityType] ?? item.entityType}</span>
          <span className="min-w-0 flex-1 font-medium text-slate-900">{item.label}</span>
          <span className="text-xs text-slate-500">
            Deleted {item.deletedBy ? `by ${item.deletedBy} ` : ""}
            <time dateTime={item.deletedAt.toISOString()}>{formatDateTime({ instant: item.deletedAt, timeZone })}</time> · {undoTimeLeft({ deletedAt: item.deletedAt, now, undoDays })}
          </span>
          {canRestore ? <UndoButton action={restoreDeletedAction.bind(null, item.id)} label="Restore" accessibleName={`Restore ${item.label}`} /> : null}
        </li>
      ))}
    </ul>
  );
}
