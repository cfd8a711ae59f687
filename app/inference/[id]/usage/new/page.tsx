import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { authorizeTeam } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { saveUsageWindowAction } from "@/lib/actions/usage-windows";
import { usageFormContext } from "@/lib/db/queries/inference-records";
import { formatDateTime, PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { instantToLocal } from "@/lib/domain/local-time";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { MAX_WINDOW_SECONDS } from "@/lib/validation/entities/usage-window";
import { parseUsageWindowStart } from "@/lib/validation/usage-window-start";
import { UsageForm } from "@/components/inference/usage-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Add usage" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function NewUsagePage({ params, searchParams }: Props) {
  const raw = (await params).id;
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) notFound();
  const query = await searchParams;
  const viewer = await getViewer();
  const deployment = await usageFormContext({ viewer, deploymentId: id });
  if (!deployment) notFound();
  // Loaded within the viewer's read scope; recording usage takes team:write on the deployment's team.
  const denied = authorizeTeam(viewer, "team:write", deployment.teamId, "deployment");
  if (denied) return deniedPage(denied, { href: `/inference/${id}` as Route, label: "Back to the deployment" });
  // Times are entered in the zone of the view the form was opened from (the org's by default); "team" is the deployment's team.
  const choice = formZoneChoice(query);
  const zone = reportingZone({ choice, orgTimeZone: viewer.orgTimeZone, teamTimeZone: deployment.timeZone });
  const { timeZone } = zone;
  // "Save and add next" passes the next period (start = the saved one's end, same length); otherwise continue after the latest.
  const askedStart = parseUsageWindowStart(first(query.start));
  const askedSeconds = /^\d{1,7}$/.test(first(query.seconds) ?? "") ? Number(first(query.seconds)) : null;
  const saved = parseUsageWindowStart(first(query.saved));
  const start = askedStart ?? deployment.lastWindow?.end ?? deployment.activeFrom;
  const seconds = askedSeconds && askedSeconds <= MAX_WINDOW_SECONDS ? askedSeconds : (deployment.lastWindow?.seconds ?? 86_400);
  const href = withZone(`/inference/${id}` as Route, choice);
  return (
    <>
      <Breadcrumbs items={[{ href: withZone("/inference", choice), label: "Inference" }, { href, label: deployment.name }, { label: "Add usage" }]} />
      {saved && askedStart ? (
        <div role="status" className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-4 py-2 text-sm text-emerald-900">
          Saved usage for {formatDateTime({ instant: saved, timeZone })} – {formatDateTime({ instant: askedStart, timeZone })}. The next period starts where it ended.
        </div>
      ) : null}
      <PageHeader
        title={`Add usage to “${deployment.name}”`}
        description={`One period's totals, entered in ${zone.label}. Enter saves and opens the next period.`}
      />
      <UsageForm
        action={saveUsageWindowAction.bind(null, id, null, choice)}
        initialValues={{ windowStart: instantToLocal({ instant: start, timeZone }), windowSeconds: String(seconds) }}
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
        submitLabel="Save and add next"
        isSaveAndNext
        autoFocusField={askedStart || deployment.lastWindow ? "requests" : "windowStart"}
        cancelHref={href}
      />
    </>
  );
}
