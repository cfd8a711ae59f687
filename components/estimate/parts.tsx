import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import type { Column } from "@/components/ui/data-table";
import { PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { describeCatalogPrice, type EstimatorCatalogPrice, type PricingModel } from "@/lib/domain/estimator/catalog-price";

/** A GPU type of the org's catalog as the page hands it to the browser (decimals as text, micro-dollars as text). */
export interface EstimatorGpu {
  name: string;
  memoryGb: string;
  peakBf16Tflops: string;
  memoryBandwidthGbps: string;
  /** The estimator's catalog price (estimatorCatalogPrice): lowest on-demand in effect today. */
  catalogPrice: { micros: string; provider: string; pricingModel: PricingModel } | null;
}

export function catalogPriceOf(gpu: EstimatorGpu): EstimatorCatalogPrice | null {
  return gpu.catalogPrice === null ? null : { pricePerGpuHourMicros: BigInt(gpu.catalogPrice.micros), provider: gpu.catalogPrice.provider, pricingModel: gpu.catalogPrice.pricingModel };
}

/** The price a GPU type is estimated at: the one entered for the chosen type, else its catalog price. */
export function priceFor(gpu: EstimatorGpu, chosen: { name: string; enteredMicros: bigint | null }): { micros: bigint | null; source: string } {
  if (gpu.name === chosen.name && chosen.enteredMicros !== null) return { micros: chosen.enteredMicros, source: "entered" };
  const catalog = catalogPriceOf(gpu);
  return catalog === null ? { micros: null, source: "no catalog price" } : { micros: catalog.pricePerGpuHourMicros, source: `${catalog.provider} ${PRICING_MODEL_LABELS[catalog.pricingModel]}` };
}

/** "Empty: the catalog price, $2.50 / GPU-h (aws On-demand)". */
export function priceHint(gpu: EstimatorGpu | undefined, entered: string): string {
  const catalog = gpu ? describeCatalogPrice(catalogPriceOf(gpu)) : "no catalog price";
  return entered.trim() === ""
    ? `Empty: ${gpu?.name ?? "the GPU"}'s catalog price, ${catalog} — the lowest on-demand price in effect today.`
    : `Entered. Catalog: ${catalog}. Changing the GPU type resets it.`;
}

export interface Output {
  label: string;
  value: ReactNode;
  /** The arithmetic behind the value. */
  formula: ReactNode;
  isEmphasized?: boolean;
}

/** Estimated figures, each with its formula beneath it. */
export function OutputList({ outputs, label }: { outputs: Output[]; label: string }) {
  return (
    <dl aria-label={label} className="grid grid-cols-1 gap-x-6 gap-y-3 px-4 py-3 sm:grid-cols-2 xl:grid-cols-3">
      {outputs.map((o) => (
        <div key={o.label} data-output={o.label} className="min-w-0">
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{o.label}</dt>
          <dd data-output-value className={`mt-0.5 tabular-nums text-slate-900 ${o.isEmphasized ? "text-lg font-semibold" : "text-sm font-medium"}`}>
            {o.value}
          </dd>
          <dd className="mt-0.5 text-xs text-slate-500 wrap-anywhere">
            <span className="sr-only">How this is computed: </span>
            {o.formula}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The assumptions behind an estimate, folded: one click away, listed in full. */
export function Assumptions({ items, sources }: { items: string[]; sources?: ReactNode }) {
  return (
    <details className="border-t border-slate-200 px-4 py-2 text-xs text-slate-600">
      <summary className="cursor-pointer py-1 font-medium text-slate-700 hover:text-slate-900">Assumptions and sources ({items.length})</summary>
      <ul className="mt-1 list-disc space-y-1 pl-5">
        {items.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
      {sources ? <p className="mt-2">{sources}</p> : null}
    </details>
  );
}

/** The fields that stop an estimate, each message naming its field. */
export function FixFields({ errors }: { errors: string[] }) {
  return (
    <div role="alert" className="m-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
      <p className="font-medium">No estimate until these are fixed:</p>
      <ul className="mt-1 list-disc pl-5">
        {errors.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
    </div>
  );
}

/** A comparison table's GPU type column and row highlight: the chosen type in bold with a "chosen" badge. */
export function gpuComparisonColumn<Row extends { gpuName: string; isChosen: boolean }>(): Column<Row> {
  return {
    key: "gpu",
    header: "GPU type",
    cell: (r) => (
      <span className="inline-flex items-center gap-1.5">
        <span className={r.isChosen ? "font-semibold" : undefined}>{r.gpuName}</span>
        {r.isChosen ? <Badge tone="info">chosen</Badge> : null}
      </span>
    ),
  };
}

export const chosenRowClass = (r: { isChosen: boolean }): string | undefined => (r.isChosen ? "bg-blue-50" : undefined);
