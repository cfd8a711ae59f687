import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { saveInferenceDeploymentAction } from "@/lib/actions/inference-deployments";
import { deploymentFormValues } from "@/lib/db/queries/inference-records";
import { recordFormOptions } from "@/lib/db/queries/record-forms";
import { DeploymentForm } from "@/components/inference/deployment-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit deployment" };

export default async function EditDeploymentPage({ params }: { params: Promise<{ id: string }> }) {
  const raw = (await params).id;
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) notFound();
  const viewer = await getViewer();
  const timeZone = viewer.orgTimeZone;
  const [deployment, options] = await Promise.all([deploymentFormValues({ viewer, id, timeZone }), recordFormOptions({ viewer })]);
  if (!deployment) notFound();
  const usage = deployment.usageCount;
  return (
    <>
      <Breadcrumbs items={[{ href: "/inference", label: "Inference" }, { href: `/inference/${id}` as Route, label: deployment.name }, { label: "Edit" }]} />
      <PageHeader
        title={`Edit “${deployment.name}”`}
        description="Saving is refused if someone else changed this deployment since you opened it; nothing is lost either way. Moving it to another team moves its usage too."
      />
      <DeploymentForm
        action={saveInferenceDeploymentAction.bind(null, id)}
        initialValues={deployment.values}
        version={deployment.version}
        options={options}
        timeZone={timeZone}
        now={new Date()}
        submitLabel="Save changes"
        cancelHref={`/inference/${id}` as Route}
        usageNote={
          usage > 0
            ? `${usage.toLocaleString("en-US")} usage record${usage === 1 ? "" : "s"} must stay inside the active period. Leave Active until empty while it is still serving.`
            : undefined
        }
      />
    </>
  );
}
