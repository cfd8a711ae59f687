import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { authorizeTeam } from "@/lib/access/policy";
import { deniedPage, writableTeams } from "@/app/_access/denied";
import { saveInferenceDeploymentAction } from "@/lib/actions/inference-deployments";
import { deploymentFormValues } from "@/lib/db/queries/inference-records";
import { recordFormOptions } from "@/lib/db/queries/record-forms";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { DeploymentForm } from "@/components/inference/deployment-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit deployment" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function EditDeploymentPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SearchParams }) {
  const raw = (await params).id;
  const choice = formZoneChoice(await searchParams);
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) notFound();
  const viewer = await getViewer();
  const [inOrgZone, options] = await Promise.all([deploymentFormValues({ viewer, id, timeZone: viewer.orgTimeZone }), recordFormOptions({ viewer })]);
  if (!inOrgZone) notFound();
  // Loaded within the viewer's read scope; editing takes team:write on the deployment's team.
  const denied = authorizeTeam(viewer, "team:write", Number(inOrgZone.values.teamId), "deployment");
  if (denied) return deniedPage(denied, { href: `/inference/${id}` as Route, label: "Back to the deployment" });
  // Times are edited in the zone of the view the form was opened from; "team" is the deployment's team.
  const teamTimeZone = options.teams.find((t) => String(t.id) === inOrgZone.values.teamId)?.timeZone;
  const { timeZone } = reportingZone({ choice, orgTimeZone: viewer.orgTimeZone, teamTimeZone });
  const deployment = timeZone === viewer.orgTimeZone ? inOrgZone : await deploymentFormValues({ viewer, id, timeZone });
  if (!deployment) notFound();
  const deploymentHref = withZone(`/inference/${id}` as Route, choice);
  const usage = deployment.usageCount;
  return (
    <>
      <Breadcrumbs items={[{ href: withZone("/inference", choice), label: "Inference" }, { href: deploymentHref, label: deployment.name }, { label: "Edit" }]} />
      <PageHeader
        title={`Edit “${deployment.name}”`}
        description="Saving is refused if someone else changed this deployment since you opened it; nothing is lost either way. Moving it to another team moves its usage too."
      />
      <DeploymentForm
        action={saveInferenceDeploymentAction.bind(null, id)}
        initialValues={deployment.values}
        version={deployment.version}
        options={writableTeams(viewer, options)}
        timeZone={timeZone}
        now={new Date()}
        submitLabel="Save changes"
        cancelHref={deploymentHref}
        usageNote={
          usage > 0
            ? `${usage.toLocaleString("en-US")} usage record${usage === 1 ? "" : "s"} must stay inside the active period. Leave Active until empty while it is still serving.`
            : undefined
        }
      />
    </>
  );
}
