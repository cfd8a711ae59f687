import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { listGpuCatalog } from "@/lib/db/queries/catalog";
import { estimatorCatalogPrice } from "@/lib/domain/estimator/catalog-price";
import { parseUsdMicros } from "@/lib/domain/money";
import { readEstimateParams } from "@/lib/validation/estimate-params";
import { Estimator, type EstimatorGpu } from "@/components/estimate/estimator";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Cost estimator" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * What a training run or a deployment would cost before it exists, on the
 * org's own GPU catalog. The formulas are lib/domain/estimator's; the page
 * only reads the catalog and the URL, and the form recomputes in the browser.
 */
export default async function EstimatePage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  const now = new Date();
  const catalog = await listGpuCatalog({ viewer });
  const gpus: EstimatorGpu[] = catalog.map((g) => {
    const price = estimatorCatalogPrice(
      g.prices.map((p) => ({
        provider: p.provider,
        pricingModel: p.pricingModel,
        pricePerGpuHourMicros: parseUsdMicros(p.pricePerGpuHour.toString()),
        effectiveFrom: p.effectiveFrom,
        effectiveTo: p.effectiveTo,
      })),
      now,
    );
    return {
      name: g.name,
      memoryGb: String(g.memoryGb),
      peakBf16Tflops: g.peakBf16Tflops.toString(),
      memoryBandwidthGbps: g.memoryBandwidthGbps.toString(),
      catalogPrice: price === null ? null : { micros: price.pricePerGpuHourMicros.toString(), provider: price.provider, pricingModel: price.pricingModel },
    };
  });
  const { notices, ...initial } = readEstimateParams(await searchParams, gpus.map((g) => g.name));
  return (
    <>
      <PageHeader
        title="Cost estimator"
        description="What training a model or serving its traffic would take and cost, on this org's GPU catalog — with the formula and assumptions behind every figure."
      />
      {notices.length > 0 ? (
        <div role="status" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <p className="font-medium">Some values in the address could not be used:</p>
          <ul className="mt-1 list-disc pl-5">
            {notices.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {gpus.length === 0 ? (
        <Card>
          <EmptyState title="No GPU types in the catalog">
            The estimator compares the GPU types in this org&apos;s catalog. Add one with its peak BF16 TFLOPS, memory and bandwidth first.
            <div className="mt-3">
              <ButtonLink href="/settings">Open settings</ButtonLink>
            </div>
          </EmptyState>
        </Card>
      ) : (
        // Keyed by the address: a navigation to other figures (a record's link, the menu) starts a fresh form.
        <Estimator key={JSON.stringify(initial)} gpus={gpus} initial={initial} />
      )}
    </>
  );
}
