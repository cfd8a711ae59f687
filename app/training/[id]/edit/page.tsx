import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { saveTrainingRunAction } from "@/lib/actions/training-runs";
import { recordFormOptions, trainingRunFormValues } from "@/lib/db/queries/record-forms";
import { TrainingRunForm } from "@/components/forms/training-run-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit training run" };

export default async function EditTrainingRunPage({ params }: { params: Promise<{ id: string }> }) {
  const raw = (await params).id;
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) notFound();
  const viewer = await getViewer();
  const [run, options] = await Promise.all([trainingRunFormValues({ viewer, id, timeZone: viewer.orgTimeZone }), recordFormOptions({ viewer })]);
  if (!run) notFound();
  return (
    <>
      <Breadcrumbs items={[{ href: "/training", label: "Training" }, { href: `/training/${id}` as Route, label: run.name }, { label: "Edit" }]} />
      <PageHeader title={`Edit “${run.name}”`} description="Saving is refused if someone else changed this run since you opened it; nothing is lost either way." />
      <TrainingRunForm
        action={saveTrainingRunAction.bind(null, id)}
        initialValues={run.values}
        version={run.version}
        options={options}
        timeZone={viewer.orgTimeZone}
        now={new Date()}
        submitLabel="Save changes"
        cancelHref={`/training/${id}` as Route}
      />
    </>
  );
}
