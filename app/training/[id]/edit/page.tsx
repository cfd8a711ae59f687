import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { authorizeTeam } from "@/lib/access/policy";
import { deniedPage, writableTeams } from "@/app/_access/denied";
import { saveTrainingRunAction } from "@/lib/actions/training-runs";
import { recordFormOptions, trainingRunFormValues } from "@/lib/db/queries/record-forms";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { TrainingRunForm } from "@/components/forms/training-run-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit training run" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function EditTrainingRunPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SearchParams }) {
  const raw = (await params).id;
  const choice = formZoneChoice(await searchParams);
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) notFound();
  const viewer = await getViewer();
  const [inOrgZone, options] = await Promise.all([trainingRunFormValues({ viewer, id, timeZone: viewer.orgTimeZone }), recordFormOptions({ viewer })]);
  if (!inOrgZone) notFound();
  // Loaded within the viewer's read scope; editing takes team:write on the run's team.
  const denied = authorizeTeam(viewer, "team:write", Number(inOrgZone.values.teamId), "run");
  if (denied) return deniedPage(denied, { href: `/training/${id}` as Route, label: "Back to the run" });
  // Times are edited in the zone of the view the form was opened from; "team" is the run's team.
  const teamTimeZone = options.teams.find((t) => String(t.id) === inOrgZone.values.teamId)?.timeZone;
  const { timeZone } = reportingZone({ choice, orgTimeZone: viewer.orgTimeZone, teamTimeZone });
  const run = timeZone === viewer.orgTimeZone ? inOrgZone : await trainingRunFormValues({ viewer, id, timeZone });
  if (!run) notFound();
  const runHref = withZone(`/training/${id}` as Route, choice);
  return (
    <>
      <Breadcrumbs items={[{ href: withZone("/training", choice), label: "Training" }, { href: runHref, label: run.name }, { label: "Edit" }]} />
      <PageHeader title={`Edit “${run.name}”`} description="Saving is refused if someone else changed this run since you opened it; nothing is lost either way." />
      <TrainingRunForm
        action={saveTrainingRunAction.bind(null, id)}
        initialValues={run.values}
        version={run.version}
        options={writableTeams(viewer, options)}
        timeZone={timeZone}
        now={new Date()}
        submitLabel="Save changes"
        cancelHref={runHref}
      />
    </>
  );
}
