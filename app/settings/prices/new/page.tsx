import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { authorize } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { saveGpuPriceAction } from "@/lib/actions/gpu-prices";
import { priceFormOptions } from "@/lib/db/queries/settings";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice } from "@/lib/validation/form-zone";
import { startOfNextLocalDay } from "@/lib/validation/settings-forms";
import { GpuPriceForm } from "@/components/settings/gpu-price-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Add price" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function NewGpuPricePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { gpuTypeId: requested } = params;
  const viewer = await getViewer();
  // Org-managed: refused on the server for anyone who doesn't manage the org, not just hidden.
  const denied = authorize(viewer, "org:manage");
  if (denied) return deniedPage(denied, { href: "/settings", label: "Back to settings" });
  // Times are entered in the zone of the view the form was opened from; prices have no team, so "team" is the org's zone.
  const { timeZone } = reportingZone({ choice: formZoneChoice(params), orgTimeZone: viewer.orgTimeZone });
  const options = await priceFormOptions({ viewer });
  const gpuType = options.gpuTypes.find((g) => String(g.id) === requested) ?? options.gpuTypes.find((g) => options.prices.some((p) => p.gpuTypeId === g.id)) ?? options.gpuTypes[0];
  // The common case is a new price for what this GPU is already bought as: its latest open-ended price's provider and model.
  const latest = options.prices.filter((p) => p.gpuTypeId === gpuType?.id && p.effectiveTo === null).sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime())[0];
  const now = new Date();
  const initialValues = {
    gpuTypeId: gpuType ? String(gpuType.id) : "",
    provider: latest?.provider ?? options.mostUsedProvider ?? "",
    pricingModel: latest?.pricingModel ?? "ON_DEMAND",
    pricePerGpuHour: "",
    // Prices change at the start of a day; tomorrow's, so a new price never silently reprices work already recorded.
    effectiveFrom: startOfNextLocalDay(now, timeZone),
    effectiveTo: "",
    endCurrentPrice: "true",
  };
  return (
    <>
      <Breadcrumbs items={[{ href: "/settings", label: "Settings" }, { label: "Add price" }]} />
      <PageHeader title={gpuType && requested ? `Add price for ${gpuType.name}` : "Add price"} description="A price per GPU-hour for one GPU type, provider and pricing model over a period." />
      {options.gpuTypes.length === 0 ? (
        <EmptyState title="Add a GPU type first">
          <p className="mb-3">Prices belong to a GPU type.</p>
          <ButtonLink href="/settings/gpu-types/new" variant="primary">
            New GPU type
          </ButtonLink>
        </EmptyState>
      ) : (
        <GpuPriceForm action={saveGpuPriceAction.bind(null, null)} initialValues={initialValues} options={options} timeZone={timeZone} now={now} submitLabel="Add price" cancelHref="/settings" />
      )}
    </>
  );
}
