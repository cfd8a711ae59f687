import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { deniedPage, refuseNewRecord, writableTeams } from "@/app/_access/denied";
import { saveTrainingRunAction } from "@/lib/actions/training-runs";
import { recordFormOptions, trainingRunFormValues } from "@/lib/db/queries/record-forms";
import { instantToLocal } from "@/lib/domain/local-time";
import { reportingZone } from "@/lib/domain/reporting-zone";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { TrainingRunForm } from "@/components/forms/training-run-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "New training run" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const DUPLICATE_CLEARS = ["endedAt", "tokensProcessed", "throughputTokensPerSec", "avgGpuUtilizationPct", "notes"] as const;

export default async function NewTrainingRunPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const viewer = await getViewer();
  const denied = refuseNewRecord(viewer, "training runs");
  if (denied) return deniedPage(denied, { href: "/training", label: "Back to training" });
  const choice = formZoneChoice(params);
  const options = writableTeams(viewer, await recordFormOptions({ viewer }));
  const from = typeof params.from === "string" && /^\d{1,9}$/.test(params.from) ? Number(params.from) : null;
  const original = from === null ? null : await trainingRunFormValues({ viewer, id: from, timeZone: viewer.orgTimeZone });
  const team = options.teams.find((t) => (original ? String(t.id) === original.values.teamId : t.slug === params.team)) ?? options.teams[0];
  // Times are entered in the zone of the view the form was opened from; "team" is the chosen (or duplicated) run's team.
  const { timeZone } = reportingZone({ choice, orgTimeZone: viewer.orgTimeZone, teamTimeZone: team?.timeZone });
  const source = original && from !== null && timeZone !== viewer.orgTimeZone ? await trainingRunFormValues({ viewer, id: from, timeZone }) : original;
  const gpuType = options.gpuTypes.find((g) => options.prices.some((p) => p.gpuTypeId === g.id)) ?? options.gpuTypes[0];
  const price = options.prices.find((p) => p.gpuTypeId === gpuType?.id);
  const now = instantToLocal({ instant: new Date(), timeZone });
  // A duplicate keeps the setup and starts now as a new, running run.
  const initialValues: Record<string, string> = source
    ? { ...source.values, ...Object.fromEntries(DUPLICATE_CLEARS.map((k) => [k, ""])), name: `${source.values.name} (copy)`, startedAt: now, status: "RUNNING" }
    : {
        teamId: team ? String(team.id) : "",
        gpuTypeId: gpuType ? String(gpuType.id) : "",
        provider: price?.provider ?? "",
        pricingModel: price?.pricingModel ?? "ON_DEMAND",
        method: "FULL_FINE_TUNE",
        precision: "BF16",
        status: "RUNNING",
        gpuCount: "8",
        startedAt: now,
        storageCostUsd: "0",
        dataCostUsd: "0",
        networkCostUsd: "0",
        gradientAccumulationSteps: "1",
        gradientCheckpointing: "false",
        flashAttention: "false",
      };
  return (
    <>
      <Breadcrumbs items={[{ href: "/training", label: "Training" }, { label: source ? `Duplicate ${source.name}` : "New run" }]} />
      <PageHeader title={source ? `Duplicate “${source.name}”` : "New training run"} description="Record a run by hand. The cost preview uses the same engine as the dashboards." />
      {options.teams.length === 0 || options.gpuTypes.length === 0 ? (
        <EmptyState title="Add a team and a GPU type first">Runs belong to a team and run on a GPU type from the catalog; add them in Settings.</EmptyState>
      ) : (
        <TrainingRunForm action={saveTrainingRunAction.bind(null, null)} initialValues={initialValues} options={options} timeZone={timeZone} now={new Date()} submitLabel="Save run" cancelHref={withZone("/training", choice)} />
      )}
    </>
  );
}
