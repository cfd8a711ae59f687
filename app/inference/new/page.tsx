import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { deniedPage, refuseNewRecord, writableTeams } from "@/app/_access/denied";
import { saveInferenceDeploymentAction } from "@/lib/actions/inference-deployments";
import { recordFormOptions } from "@/lib/db/queries/record-forms";
import { instantToLocal } from "@/lib/domain/local-time";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { DeploymentForm } from "@/components/inference/deployment-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "New deployment" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function NewDeploymentPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const viewer = await getViewer();
  const denied = refuseNewRecord(viewer, "deployments");
  if (denied) return deniedPage(denied, { href: "/inference", label: "Back to inference" });
  const choice = formZoneChoice(params);
  const options = writableTeams(viewer, await recordFormOptions({ viewer }));
  const team = options.teams.find((t) => t.slug === params.team) ?? options.teams[0];
  // Times are entered in the zone of the view the form was opened from ("team": the preselected team's).
  const { timeZone } = reportingZone({ choice, orgTimeZone: viewer.orgTimeZone, teamTimeZone: team?.timeZone });
  // The first GPU type with a catalog price, and its first provider and pricing model.
  const gpuType = options.gpuTypes.find((g) => options.prices.some((p) => p.gpuTypeId === g.id)) ?? options.gpuTypes[0];
  const price = options.prices.find((p) => p.gpuTypeId === gpuType?.id);
  const initialValues: Record<string, string> = {
    teamId: team ? String(team.id) : "",
    servingEngine: "VLLM",
    quantization: "NONE",
    batching: "CONTINUOUS",
    gpuTypeId: gpuType ? String(gpuType.id) : "",
    provider: price?.provider ?? "",
    pricingModel: price?.pricingModel ?? "ON_DEMAND",
    gpuCount: "1",
    activeFrom: instantToLocal({ instant: new Date(), timeZone }),
  };
  return (
    <>
      <Breadcrumbs items={[{ href: "/inference", label: "Inference" }, { label: "New deployment" }]} />
      <PageHeader
        title="New inference deployment"
        description="A model served on a fixed set of GPUs. It costs its GPUs over its whole active period; record its traffic afterwards as usage periods."
      />
      {options.teams.length === 0 || options.gpuTypes.length === 0 ? (
        <EmptyState title="Add a team and a GPU type first">Deployments belong to a team and run on a GPU type from the catalog; add them in Settings.</EmptyState>
      ) : (
        <DeploymentForm
          action={saveInferenceDeploymentAction.bind(null, null)}
          initialValues={initialValues}
          options={options}
          timeZone={timeZone}
          now={new Date()}
          submitLabel="Save deployment"
          cancelHref={withZone("/inference", choice)}
        />
      )}
    </>
  );
}
