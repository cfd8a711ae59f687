import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { canTeam } from "@/lib/access/policy";
import { RUN_FIELD_LABELS } from "@/lib/validation/record-forms";
import { deleteTrainingRunAction } from "@/lib/actions/training-runs";
import { auditHistory, recordNotice } from "@/lib/db/queries/audit-history";
import { trainingRunDetail } from "@/lib/db/queries/details";
import { cachedCostByMonth } from "@/lib/cache/read-models";
import { resolveView } from "@/lib/db/queries/view";
import { ZoneSwitch } from "@/components/filters/zone-switch";
import { formatGpuHours, formatPercent, formatPricePerGpuHour, formatUsdRate } from "@/lib/domain/display";
import { trainingFlopsFactor } from "@/lib/domain/estimator/training";
import { trainingRunEstimateHref } from "@/lib/validation/estimate-params";
import { formatDateTime, PRECISION_LABELS, PRICING_MODEL_LABELS, RUN_STATUS_LABELS, TRAINING_METHOD_LABELS } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { AuditHistory } from "@/components/records/audit-history";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { NoticeBanner } from "@/components/records/notice-banner";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { DefinitionList } from "@/components/ui/definition-list";
import { PageHeader } from "@/components/ui/page-header";
import { SuggestionsSection } from "@/app/_suggestions/section";

export const metadata: Metadata = { title: "Training run" };

const parseId = (raw: string) => (/^\d{1,9}$/.test(raw) ? Number(raw) : null);

export default async function TrainingRunPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const id = parseId((await params).id);
  if (id === null) notFound();
  const query = await searchParams;
  // Forms opened from this page keep its zone choice.
  const zoneChoice = formZoneChoice(query);
  const viewer = await getViewer();
  const now = new Date();
  const detail = await trainingRunDetail({ viewer, id, now });
  if (!detail) notFound();
  const { run, cost, lineCents } = detail;
  const view = await resolveView({ viewer, searchParams: query, defaultRange: "30d", pageTeam: run.team, now });
  const tz = view.zone.timeZone;
  const [byMonth, history, notice] = await Promise.all([
    cachedCostByMonth({ viewer, kind: "training", id: run.id, start: run.startedAt, end: run.endedAt, timeZone: tz, now }),
    auditHistory({ viewer, subjectType: "trainingRun", subjectId: String(run.id) }),
    recordNotice({ viewer, searchParams: query }),
  ]);
  const computeCents = lineCents.reduce((a, b) => a + b, 0n);
  const extraCents = cost.totalCostCents - computeCents;
  const hours = (cost.interval.end.getTime() - cost.interval.start.getTime()) / 3_600_000;
  const number = (n: bigint | number | null) => (n === null ? "—" : Number(n).toLocaleString("en-US"));
  // FLOPs per parameter per token in the MFU: 6, or 4 for LoRA/QLoRA (lib/domain/estimator/training.ts).
  const flopsFactor = trainingFlopsFactor(run.method);
  return (
    <>
      <Breadcrumbs items={[{ href: "/training", label: "Training" }, { label: run.name }]} />
      <NoticeBanner {...notice} />
      <PageHeader
        title={run.name}
        description={`${run.model} · ${TRAINING_METHOD_LABELS[run.method]} · ${PRECISION_LABELS[run.precision]} · ${run.team.name} · ${RUN_STATUS_LABELS[run.status]}`}
        actions={
          <>
            {/* The estimator with this run's figures: "what if it ran on another GPU type, or as LoRA?" */}
            <ButtonLink href={trainingRunEstimateHref({ parameterCount: run.parameterCount, tokensProcessed: run.tokensProcessed, method: run.method, gpuTypeName: run.gpuType.name, gpuCount: run.gpuCount, pricePerGpuHourMicros: cost.lines.at(-1)?.pricePerGpuHourMicros ?? null }) as Route}>
              Estimate alternatives
            </ButtonLink>
            {canTeam(viewer, "team:write", run.teamId) ? (
              <>
                <ButtonLink href={withZone(`/training/${run.id}/edit` as Route, zoneChoice)} variant="primary">
                  Edit
                </ButtonLink>
                <ButtonLink href={withZone(`/training/new?from=${run.id}` as Route, zoneChoice)}>Duplicate</ButtonLink>
                <DeleteRecordButton action={deleteTrainingRunAction.bind(null, run.id)} noun="run" name={run.name} />
              </>
            ) : null}
          </>
        }
      />
      <ZoneSwitch current={view.zone.choice} orgTimeZone={viewer.orgTimeZone} teamTimeZone={run.team.timeZone} path={`/training/${run.id}`} />
      <div className="space-y-5">
        <SuggestionsSection viewer={viewer} scope={{ kind: "run", id: run.id }} timeZone={tz} zoneLabel={view.zone.label} now={now} title="Suggestions for this run" />
        <Card title="Lifetime cost">
          <DefinitionList
            items={[
              { term: "Total", value: formatUsd({ cents: cost.totalCostCents }), how: `Compute + storage, data and network, from start to ${run.endedAt ? "end" : "now (still running)"}` },
              {
                term: "Compute",
                value: formatUsd({ cents: computeCents }),
                how: cost.hasUnpricedTime
                  ? `${formatGpuHours(cost.unpricedGpuHours)} had no catalog price and are not charged`
                  : "GPU-hours × the price in effect, split at every price change",
              },
              {
                term: "Storage, data and network",
                value: formatUsd({ cents: extraCents }),
                how: `Storage ${formatUsd({ micros: cost.storageCostMicros })}, data ${formatUsd({ micros: cost.dataCostMicros })}, network ${formatUsd({ micros: cost.networkCostMicros })} as entered, spread over the run's time`,
              },
              {
                term: "Cost per 1M tokens",
                value: formatUsdRate(cost.costPerMillionTokensUsd),
                how: run.tokensProcessed ? `Total ÷ ${number(run.tokensProcessed)} tokens processed` : "No tokens recorded",
              },
            ]}
          />
        </Card>
        <Card title={`Cost by month · ${view.zone.label}`}>
          <DataTable
            caption={`The run's cost by calendar month in ${view.zone.label}; the months add up to the lifetime total`}
            rows={byMonth.months}
            rowKey={(m) => m.start.getTime()}
            columns={[
              { key: "month", header: "Month", cell: (m) => formatDateTime({ instant: m.start, timeZone: tz }).slice(0, 7) },
              { key: "gpuHours", header: "GPU-hours", isNumeric: true, cell: (m) => formatGpuHours(Number(m.gpuMs) / 3_600_000) },
              { key: "compute", header: "Compute", isNumeric: true, cell: (m) => formatUsd({ cents: m.computeCents }) },
              { key: "extra", header: "Storage, data, network", isNumeric: true, canWrap: true, cell: (m) => formatUsd({ cents: m.extraCents }) },
              { key: "total", header: "Cost in month", isNumeric: true, canWrap: true, cell: (m) => <span className="font-medium">{formatUsd({ cents: m.totalCents })}</span> },
            ]}
          />
          <p className="px-4 py-2 text-xs text-slate-500">
            {byMonth.months.length > 1 ? `Spans ${byMonth.months.length} months; ` : ""}total {formatUsd({ cents: byMonth.totalCents })}, the lifetime cost above.
          </p>
        </Card>
        <Card title="Price periods used">
          <DataTable
            caption="Price periods used for the compute cost"
            rows={cost.lines.map((line, i) => ({ ...line, i }))}
            rowKey={(l) => l.i}
            columns={[
              { key: "from", header: "From", isNumeric: true, cell: (l) => formatDateTime({ instant: l.start, timeZone: tz }) },
              { key: "to", header: "To", isNumeric: true, cell: (l) => formatDateTime({ instant: l.end, timeZone: tz }) },
              { key: "source", header: "Price source", cell: (l) => (l.source === "override" ? "Run override" : l.source === "catalog" ? `Catalog: ${run.provider} ${PRICING_MODEL_LABELS[run.pricingModel]}` : "No price") },
              { key: "price", header: "$/GPU-hour", isNumeric: true, cell: (l) => formatPricePerGpuHour(l.pricePerGpuHourMicros) },
              { key: "gpuHours", header: "GPU-hours", isNumeric: true, cell: (l) => formatGpuHours(l.gpuHours) },
              { key: "cost", header: "Compute cost", isNumeric: true, cell: (l) => formatUsd({ cents: l.costMicros === null ? null : lineCents[l.i]! }) },
            ]}
          />
        </Card>
        <Card title="Run">
          <DefinitionList
            items={[
              { term: "GPUs", value: `${run.gpuCount} × ${run.gpuType.name}`, how: `${run.provider} · ${PRICING_MODEL_LABELS[run.pricingModel]}` },
              { term: "Duration", value: `${hours.toLocaleString("en-US", { maximumFractionDigits: 1 })} h`, how: run.endedAt ? undefined : "Still running: measured up to now" },
              { term: "GPU-hours", value: formatGpuHours(cost.gpuHours), how: `${run.gpuCount} GPUs × ${hours.toFixed(2)} h wall clock` },
              { term: "Started", value: formatDateTime({ instant: run.startedAt, timeZone: tz }), how: view.zone.label },
              { term: "Ended", value: run.endedAt ? formatDateTime({ instant: run.endedAt, timeZone: tz }) : "running" },
              { term: "Tokens processed", value: number(run.tokensProcessed) },
              {
                term: "Throughput",
                value: run.throughputTokensPerSec ? `${Number(run.throughputTokensPerSec).toLocaleString("en-US")} tokens/s` : "—",
                how: "As measured by the training job",
              },
              { term: "GPU utilization", value: run.avgGpuUtilizationPct ? `${run.avgGpuUtilizationPct.toFixed(1)}%` : "—", how: "Average reported by the job" },
              {
                term: "MFU",
                value: formatPercent(cost.mfu),
                how:
                  cost.mfu === null
                    ? "Needs parameter count, tokens and a peak FLOPS figure"
                    : `${flopsFactor} × ${number(run.parameterCount)} params × ${number(run.tokensProcessed)} tokens ÷ (GPU-seconds × ${run.gpuType.peakBf16Tflops.toString()} TFLOPS)${
                        flopsFactor === 4 ? ` — 4, not 6: ${TRAINING_METHOD_LABELS[run.method]} computes no weight gradients for the frozen base weights` : ""
                      }`,
              },
              {
                term: "Setup",
                value: [
                  run.flashAttention ? "FlashAttention" : null,
                  run.gradientCheckpointing ? "gradient checkpointing" : null,
                  run.zeroStage !== null ? `ZeRO-${run.zeroStage}` : null,
                  run.gradientAccumulationSteps > 1 ? `grad. accumulation ×${run.gradientAccumulationSteps}` : null,
                ]
                  .filter(Boolean)
                  .join(", ") || "—",
              },
            ]}
          />
          {run.notes ? <p className="border-t border-slate-100 px-4 py-3 text-sm text-slate-700">{run.notes}</p> : null}
        </Card>
        <AuditHistory entries={history} timeZone={tz} labels={RUN_FIELD_LABELS} />
      </div>
    </>
  );
}
