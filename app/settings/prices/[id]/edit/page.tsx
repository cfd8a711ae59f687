import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { authorize } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { deleteGpuPriceAction, saveGpuPriceAction } from "@/lib/actions/gpu-prices";
import { auditHistory, recordNotice } from "@/lib/db/queries/audit-history";
import { gpuPriceFormValues, priceFormOptions } from "@/lib/db/queries/settings";
import { formatDateTime, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { describeRecords } from "@/lib/domain/record-counts";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice } from "@/lib/validation/form-zone";
import { AuditHistory } from "@/components/records/audit-history";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { NoticeBanner } from "@/components/records/notice-banner";
import { GPU_PRICE_FIELD_LABELS, GpuPriceForm } from "@/components/settings/gpu-price-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit price" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditGpuPricePage({ params, searchParams }: Props) {
  const raw = (await params).id;
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) notFound();
  const viewer = await getViewer();
  // Org-managed: refused on the server for anyone who doesn't manage the org, not just hidden.
  const denied = authorize(viewer, "org:manage");
  if (denied) return deniedPage(denied, { href: "/settings", label: "Back to settings" });
  const query = await searchParams;
  // Times are edited in the zone of the view the form was opened from; prices have no team, so "team" is the org's zone.
  const { timeZone } = reportingZone({ choice: formZoneChoice(query), orgTimeZone: viewer.orgTimeZone });
  const [price, options] = await Promise.all([gpuPriceFormValues({ viewer, id, timeZone }), priceFormOptions({ viewer })]);
  if (!price) notFound();
  const { period, impact } = price;
  const title = `${price.gpuTypeName} · ${period.provider} · ${PRICING_MODEL_LABELS[period.pricingModel]}`;
  const span = `${formatDateTime({ instant: period.effectiveFrom, timeZone })} → ${period.effectiveTo ? formatDateTime({ instant: period.effectiveTo, timeZone }) : "no end"}`;
  const isUsed = impact.runs + impact.deployments > 0;
  // Runs and deployments find their price by GPU, provider and pricing model, so this row's values are their cost.
  const repricing = isUsed
    ? `This changes the cost of ${describeRecords(impact)} that ran in this period (${span}).`
    : `No run or deployment without a price override ran in this period (${span}), so no recorded cost changes.`;
  return (
    <>
      <Breadcrumbs items={[{ href: "/settings", label: "Settings" }, { href: `/settings/gpu-types/${price.gpuTypeId}/edit` as Route, label: price.gpuTypeName }, { label: "Edit price" }]} />
      <NoticeBanner {...await recordNotice({ viewer, searchParams: query })} />
      <PageHeader
        title={`Edit price: ${title}`}
        description={span}
        actions={<DeleteRecordButton action={deleteGpuPriceAction.bind(null, id)} noun="price" name={title} consequence={repricing} />}
      />
      <div className="space-y-5">
        <p role="note" className={`rounded-md border px-4 py-2 text-sm ${isUsed ? "border-amber-300 bg-amber-50 text-amber-950" : "border-slate-200 bg-slate-50 text-slate-700"}`}>
          {isUsed ? <strong className="font-semibold">Saving changes history. </strong> : null}
          {repricing}
        </p>
        <GpuPriceForm
          action={saveGpuPriceAction.bind(null, id)}
          initialValues={price.values}
          version={price.version}
          priceId={id}
          options={options}
          timeZone={timeZone}
          now={new Date()}
          submitLabel="Save changes"
          cancelHref="/settings"
        />
          <History priceId={id} timeZone={timeZone} />
      </div>
    </>
  );
}

async function History({ priceId, timeZone }: { priceId: number; timeZone: string }) {
  const viewer = await getViewer();
  const entries = await auditHistory({ viewer, subjectType: "gpuPrice", subjectId: String(priceId) });
  return <AuditHistory entries={entries} timeZone={timeZone} labels={GPU_PRICE_FIELD_LABELS} />;
}
