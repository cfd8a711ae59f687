import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { authorizeTeam } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { deleteUsageWindowAction, saveUsageWindowAction } from "@/lib/actions/usage-windows";
import { usageFormContext, usageWindowFormValues, usageWindowHistory } from "@/lib/db/queries/inference-records";
import { formatDateTime, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { USAGE_FIELD_LABELS } from "@/lib/validation/inference-forms";
import { parseUsageWindowStart } from "@/lib/validation/usage-window-start";
import { UsageForm } from "@/components/inference/usage-form";
import { AuditHistory } from "@/components/records/audit-history";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit usage" };

type Props = { params: Promise<{ id: string; start: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditUsagePage({ params, searchParams }: Props) {
  const { id: rawId, start: rawStart } = await params;
  const id = /^\d{1,9}$/.test(rawId) ? Number(rawId) : null;
  // The start is epoch milliseconds (the links use it) or an ISO instant; anything else names no period.
  const windowStart = parseUsageWindowStart(decodeURIComponent(rawStart));
  if (id === null || windowStart === null) notFound();
  const viewer = await getViewer();
  const deployment = await usageFormContext({ viewer, deploymentId: id });
  if (!deployment) notFound();
  // Loaded within the viewer's read scope; recording usage takes team:write on the deployment's team.
  const denied = authorizeTeam(viewer, "team:write", deployment.teamId, "deployment");
  if (denied) return deniedPage(denied, { href: `/inference/${id}` as Route, label: "Back to the deployment" });
  // Times are edited in the zone of the view the form was opened from (the org's by default); "team" is the deployment's team.
  const choice = formZoneChoice(await searchParams);
  const zone = reportingZone({ choice, orgTimeZone: viewer.orgTimeZone, teamTimeZone: deployment.timeZone });
  const { timeZone } = zone;
  const window = await usageWindowFormValues({ viewer, deploymentId: id, windowStart, timeZone });
  if (!window) notFound();
  const href = withZone(`/inference/${id}` as Route, choice);
  const end = new Date(window.windowStart.getTime() + window.windowSeconds * 1000);
  const period = `${formatDateTime({ instant: window.windowStart, timeZone })} – ${formatDateTime({ instant: end, timeZone })}`;
  const startIso = window.windowStart.toISOString();
  return (
    <>
      <Breadcrumbs items={[{ href: withZone("/inference", choice), label: "Inference" }, { href, label: deployment.name }, { label: `Usage ${period}` }]} />
      <PageHeader
        title={`Edit usage ${period}`}
        description={`${deployment.name} · times in ${zone.label}. Saving is refused if someone else changed this period since you opened it.${
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
          action={saveUsageWindowAction.bind(null, id, startIso, choice)}
          initialValues={window.values}
          version={window.version}
          deployment={{
            id,
            name: deployment.name,
            activeFrom: deployment.activeFrom,
            activeTo: deployment.activeTo,
            pricing: deployment.pricing,
            catalogName: `${deployment.provider} ${PRICING_MODEL_LABELS[deployment.pricingModel]}`,
            gpuLabel: `${deployment.gpuCount} × ${deployment.gpuTypeName}`,
          }}
          timeZone={timeZone}
          now={new Date()}
          submitLabel="Save changes"
          autoFocusField="requests"
          cancelHref={href}
        />
          <History deploymentId={id} windowStart={window.windowStart} timeZone={timeZone} />
      </div>
    </>
  );
}

async function History({ deploymentId, windowStart, timeZone }: { deploymentId: number; windowStart: Date; timeZone: string }) {
  const viewer = await getViewer();
  const entries = await usageWindowHistory({ viewer, deploymentId, windowStart });
  return <AuditHistory entries={entries} timeZone={timeZone} labels={USAGE_FIELD_LABELS} />;
}
