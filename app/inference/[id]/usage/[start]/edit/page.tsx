import type { Metadata, Route } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { deleteUsageWindowAction, saveUsageWindowAction } from "@/lib/actions/usage-windows";
import { usageFormContext, usageWindowFormValues, usageWindowHistory } from "@/lib/db/queries/inference-records";
import { formatDateTime, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { USAGE_FIELD_LABELS } from "@/lib/validation/inference-forms";
import { parseUsageWindowStart } from "@/lib/validation/usage-window-start";
import { UsageForm } from "@/components/inference/usage-form";
import { AuditHistory } from "@/components/records/audit-history";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Edit usage" };

type Props = { params: Promise<{ id: string; start: string }> };

export default async function EditUsagePage({ params }: Props) {
  const { id: rawId, start: rawStart } = await params;
  const id = /^\d{1,9}$/.test(rawId) ? Number(rawId) : null;
  // The start is epoch milliseconds (the links use it) or an ISO instant; anything else names no period.
  const windowStart = parseUsageWindowStart(decodeURIComponent(rawStart));
  if (id === null || windowStart === null) notFound();
  const viewer = await getViewer();
  const deployment = await usageFormContext({ viewer, deploymentId: id });
  if (!deployment) notFound();
  const { timeZone } = deployment;
  const window = await usageWindowFormValues({ viewer, deploymentId: id, windowStart, timeZone });
  if (!window) notFound();
  const href = `/inference/${id}` as Route;
  const end = new Date(window.windowStart.getTime() + window.windowSeconds * 1000);
  const period = `${formatDateTime({ instant: window.windowStart, timeZone })} – ${formatDateTime({ instant: end, timeZone })}`;
  const startIso = window.windowStart.toISOString();
  return (
    <>
      <Breadcrumbs items={[{ href: "/inference", label: "Inference" }, { href, label: deployment.name }, { label: `Usage ${period}` }]} />
      <PageHeader
        title={`Edit usage ${period}`}
        description={`${deployment.name} · times in ${timeZone}. Saving is refused if someone else changed this period since you opened it.${
          window.hasLatencySketch ? " Its latency came as a histogram; retyping the percentiles replaces it." : ""
        }`}
        actions={
          <DeleteRecordButton
            action={deleteUsageWindowAction.bind(null, id, startIso)}
            noun="usage period"
            name={period}
            consequence="The deployment's dashboards and rollups drop this period's traffic."
          />
        }
      />
      <div className="space-y-5">
        <UsageForm
          action={saveUsageWindowAction.bind(null, id, startIso)}
          initialValues={window.values}
          version={window.version}
          deployment={{
            id,
            name: deployment.name,
            timeZone,
            activeFrom: deployment.activeFrom,
            activeTo: deployment.activeTo,
            pricing: deployment.pricing,
            catalogName: `${deployment.provider} ${PRICING_MODEL_LABELS[deployment.pricingModel]}`,
            gpuLabel: `${deployment.gpuCount} × ${deployment.gpuTypeName}`,
          }}
          now={new Date()}
          submitLabel="Save changes"
          autoFocusField="requests"
          cancelHref={href}
        />
        <Suspense fallback={<TableSkeleton rows={3} />}>
          <History deploymentId={id} windowStart={window.windowStart} timeZone={timeZone} />
        </Suspense>
      </div>
    </>
  );
}

async function History({ deploymentId, windowStart, timeZone }: { deploymentId: number; windowStart: Date; timeZone: string }) {
  const viewer = await getViewer();
  const entries = await usageWindowHistory({ viewer, deploymentId, windowStart });
  return <AuditHistory entries={entries} timeZone={timeZone} labels={USAGE_FIELD_LABELS} />;
}
