import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { canTeam } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { deleteInferenceDeploymentAction } from "@/lib/actions/inference-deployments";
import { recordNotice } from "@/lib/db/queries/audit-history";
import { deploymentTeam, type DeploymentDetail } from "@/lib/db/queries/details";
import { cachedAuditHistory, cachedCostByMonth, cachedDeploymentDetail, cachedDeploymentUsageTable } from "@/lib/cache/read-models";
import { resolveView } from "@/lib/db/queries/view";
import { FilterNotices, zoneChoices } from "@/components/filters/filter-notices";
import { DataTable } from "@/components/ui/data-table";
import type { TimeRange } from "@/lib/domain/time-range";
import { IDLE_DEFINITION } from "@/lib/domain/inference-cost";
import { PERCENTILE_ACCURACY_NOTE, SKETCH_ACCURACY_NOTE } from "@/lib/domain/percentiles";
import { formatDuration } from "@/lib/domain/display";
import { denseMeasures, toChartData } from "@/lib/domain/charts/series";
import { formatGpuHours, formatMs, formatPercent, formatQps, formatUsdRate } from "@/lib/domain/display";
import { BATCHING_LABELS, formatDateTime, formatPeriod, PRICING_MODEL_LABELS, QUANTIZATION_LABELS, SERVING_ENGINE_LABELS } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { unitForRange } from "@/lib/validation/dashboard-filters";
import { formZoneChoice, withZone } from "@/lib/validation/form-zone";
import { deploymentEstimateHref } from "@/lib/validation/estimate-params";
import { DEPLOYMENT_FIELD_LABELS, USAGE_FIELD_LABELS } from "@/lib/validation/inference-forms";
import { parseUsageTableParams, type UsageBy } from "@/lib/validation/usage-table";
import { LineChart } from "@/components/charts/line-chart";
import { StackedBarChart } from "@/components/charts/stacked-bar-chart";
import { FilterBar } from "@/components/filters/filter-bar";
import { UsageRecords } from "@/components/inference/usage-records";
import { AuditHistory } from "@/components/records/audit-history";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { NoticeBanner } from "@/components/records/notice-banner";
import { ButtonLink } from "@/components/ui/button";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { Card } from "@/components/ui/card";
import { DefinitionList } from "@/components/ui/definition-list";
import { PageHeader } from "@/components/ui/page-header";
import { SuggestionsSection } from "@/app/_suggestions/section";

export const metadata: Metadata = { title: "Deployment" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function DeploymentPage({ params, searchParams }: Props) {
  const raw = (await params).id;
  if (!/^\d{1,9}$/.test(raw)) notFound();
  const query = await searchParams;
  const usageTable = parseUsageTableParams(query);
  const viewer = await getViewer();
  const now = new Date();
  // Looked up before anything renders, so an unknown deployment answers 404.
  const team = await deploymentTeam({ viewer, id: Number(raw) });
  if (!team) notFound();
  const view = await resolveView({ viewer, searchParams: query, defaultRange: "7d", pageTeam: team, now });
  const { range, zone } = view;
  const [detail, notice] = await Promise.all([
    cachedDeploymentDetail({ viewer, id: Number(raw), range, unit: view.unit, timeZone: zone.timeZone, now }),
    recordNotice({ viewer, searchParams: query }),
  ]);
  if (!detail) notFound();
  const byMonth = await cachedCostByMonth({ viewer, kind: "inference", id: detail.deployment.id, start: detail.deployment.activeFrom, end: detail.deployment.activeTo, timeZone: zone.timeZone, now });
  const { deployment } = detail;
  // Edit controls only for who may write the deployment's team.
  const canEdit = canTeam(viewer, "team:write", deployment.teamId);
  return (
    <>
      <Breadcrumbs items={[{ href: "/inference", label: "Inference" }, { label: deployment.name }]} />
      <NoticeBanner {...notice} />
      <PageHeader
        title={deployment.name}
        description={`${deployment.model} · ${SERVING_ENGINE_LABELS[deployment.servingEngine]} · ${QUANTIZATION_LABELS[deployment.quantization]} · ${BATCHING_LABELS[deployment.batching]} batching · ${deployment.team.name}`}
        actions={
          <>
            {/* The estimator with this deployment's model, GPU, price, traffic in the range and p99 SLO: "what if it ran on L40S in INT8?" */}
            <ButtonLink
              href={
                deploymentEstimateHref({
                  parameterCount: deployment.parameterCount,
                  quantization: deployment.quantization,
                  gpuTypeName: deployment.gpuType.name,
                  pricePerGpuHourMicros: detail.summary.lines.at(-1)?.pricePerGpuHourMicros ?? null,
                  qps: detail.summary.metrics.qps,
                  requests: detail.traffic.requests,
                  inputTokens: detail.traffic.inputTokens,
                  outputTokens: detail.traffic.outputTokens,
                  p99SloMs: deployment.p99SloMs,
                }) as Route
              }
            >
              Estimate alternatives
            </ButtonLink>
            {canEdit ? (
              <>
                <ButtonLink href={withZone(`/inference/${deployment.id}/usage/new` as Route, formZoneChoice(query))} variant="primary">
                  Add usage
                </ButtonLink>
                <ButtonLink href={withZone(`/inference/${deployment.id}/edit` as Route, formZoneChoice(query))}>Edit</ButtonLink>
                <DeleteRecordButton
                  action={deleteInferenceDeploymentAction.bind(null, deployment.id)}
                  noun="deployment"
                  name={deployment.name}
                  consequence="Its usage records are deleted with it, and come back with it on undo."
                />
              </>
            ) : null}
          </>
        }
      />
      <FilterNotices notices={view.notices} />
      <FilterBar key={JSON.stringify(view.filters)} filters={view.filters} show={{}} zones={zoneChoices({ orgTimeZone: viewer.orgTimeZone, teamTimeZone: team.timeZone })} />
      <p className="mb-3 text-xs text-slate-500">
        {formatPeriod({ range, timeZone: zone.timeZone })} · {zone.label} · by {view.unit}. Figures below are within this range unless a card says lifetime.
      </p>
      <div className="space-y-5">
        <SuggestionsSection viewer={viewer} scope={{ kind: "deployment", id: deployment.id }} timeZone={zone.timeZone} zoneLabel={zone.label} now={now} title="Suggestions for this deployment" />
        <Body detail={detail} timeZone={zone.timeZone} />
        <Usage viewer={viewer} canEdit={canEdit} id={deployment.id} range={range} timeZone={zone.timeZone} usageBy={usageTable.usageBy} page={usageTable.usagePage} query={query} />
        <Card title={`Cost by month · ${zone.label}`}>
          <DataTable
            caption={`The deployment's GPU cost by calendar month in ${zone.label}, from going live to ${deployment.activeTo ? "its end" : "now"}; the months add up to the lifetime total`}
            rows={byMonth.months}
            rowKey={(m) => m.start.getTime()}
            columns={[
              { key: "month", header: "Month", cell: (m) => formatDateTime({ instant: m.start, timeZone: zone.timeZone }).slice(0, 7) },
              { key: "gpuHours", header: "GPU-hours", isNumeric: true, cell: (m) => formatGpuHours(Number(m.gpuMs) / 3_600_000) },
              { key: "total", header: "Cost in month", isNumeric: true, canWrap: true, cell: (m) => <span className="font-medium">{formatUsd({ cents: m.totalCents })}</span> },
            ]}
          />
          <p className="px-4 py-2 text-xs text-slate-500">Lifetime cost {formatUsd({ cents: byMonth.totalCents })}{byMonth.months.length > 1 ? `, over ${byMonth.months.length} months` : ""}.</p>
        </Card>
        <History viewer={viewer} id={deployment.id} timeZone={zone.timeZone} />
      </div>
    </>
  );
}

function Body({ detail, timeZone }: { detail: DeploymentDetail; timeZone: string }) {
  const { deployment, summary, latency, points } = detail;
  const unit = unitForRange({ start: points[0]?.start ?? new Date(), end: points.at(-1)?.end ?? new Date() });
  const buckets = points.map((p) => ({ start: p.start, end: p.end }));
  const rows = points.map((p) => ({ ...p, bucketStart: p.start }));
  const chart = (series: Parameters<typeof toChartData>[0]["series"], referenceLine?: { value: number; label: string }) =>
    toChartData({ series, bucketUnit: unit, timeZone, referenceLine });
  // Buckets no usage record covers: their traffic is unknown ("no data"), never 0 and never idle.
  const noDataBuckets = points.map((p) => !p.hasRecords);
  const trafficChart = (series: Parameters<typeof toChartData>[0]["series"], referenceLine?: { value: number; label: string }) =>
    toChartData({ series, bucketUnit: unit, timeZone, referenceLine, noDataBuckets });
  // The GPUs cost money with or without records: the part without records is its own series, not idle.
  const cost = denseMeasures({
    buckets,
    rows,
    fill: "zero",
    unit: "usd",
    measures: [
      { key: "busy", label: "Serving", valueOf: (r) => r.servingCents },
      { key: "idle", label: "Idle", valueOf: (r) => r.idleCents },
      { key: "untracked", label: "No usage records", valueOf: (r) => r.untrackedCents },
    ],
  });
  const tokens = denseMeasures({ buckets, rows, fill: "zero", unit: "tokens", measures: [{ key: "tokens", label: "Input + output tokens", valueOf: (r) => r.tokens }] });
  const qps = denseMeasures({ buckets, rows, fill: "gap", unit: "qps", measures: [{ key: "qps", label: "Requests per second", valueOf: (r) => r.qps }] });
  const latencySeries = denseMeasures({
    buckets,
    rows,
    fill: "gap",
    unit: "ms",
    measures: [
      { key: "p50", label: "p50", valueOf: (r) => r.p50Ms },
      { key: "p95", label: "p95", valueOf: (r) => r.p95Ms },
      { key: "p99", label: "p99", valueOf: (r) => r.p99Ms },
    ],
  });
  const errors = denseMeasures({ buckets, rows, fill: "gap", unit: "percent", measures: [{ key: "errors", label: "Error rate", valueOf: (r) => r.errorRate }] });
  const utilization = denseMeasures({ buckets, rows, fill: "gap", unit: "percent", measures: [{ key: "util", label: "GPU utilization", valueOf: (r) => (r.utilizationPct === null ? null : r.utilizationPct / 100) }] });
  const hasRecords = summary.recordedMs > 0;
  const isBreaching = latency.p99Ms !== null && deployment.p99SloMs !== null && latency.p99Ms > deployment.p99SloMs;
  return (
    <div className="space-y-5">
      <Card title="Summary">
        <DefinitionList
          items={[
            { term: "Cost", value: formatUsd({ cents: detail.cents.total }), how: `${deployment.gpuCount} × ${deployment.gpuType.name} × active hours × the price in effect` },
            {
              term: "Recorded",
              value: hasRecords ? formatDuration(summary.recordedMs) : "No usage records",
              how: hasRecords
                ? `of ${formatDuration(summary.recordedMs + summary.untrackedMs)} active${summary.untrackedMs > 0 ? `; ${formatDuration(summary.untrackedMs)} without usage records (${formatUsd({ cents: detail.cents.untracked })}) is no data` : ""}`
                : "Traffic, idle and rates for this range are no data",
            },
            {
              term: "Idle cost",
              value: hasRecords ? `${formatUsd({ cents: detail.cents.idle })} (${formatPercent(summary.idleShare)} of recorded time)` : "No data",
              how: IDLE_DEFINITION,
            },
            { term: "GPU-hours", value: formatGpuHours(summary.gpuHours) },
            { term: "$/1M tokens", value: formatUsdRate(summary.metrics.costPerMillionTokensUsd), how: `Cost of the recorded time ÷ tokens. Output only: ${formatUsdRate(summary.metrics.costPerMillionOutputTokensUsd)}` },
            { term: "$/1k requests", value: formatUsdRate(summary.metrics.costPerThousandRequestsUsd) },
            { term: "QPS", value: formatQps(summary.metrics.qps), how: "Requests ÷ seconds with usage records" },
            {
              term: "p50 / p95 / p99",
              value: (
                <span>
                  {formatMs(latency.p50Ms)} / {formatMs(latency.p95Ms)} / <span className={isBreaching ? "text-red-700" : undefined}>{formatMs(latency.p99Ms)}</span>
                </span>
              ),
              how: `p99 SLO ${deployment.p99SloMs === null ? "not set" : formatMs(deployment.p99SloMs)}${isBreaching ? " — breached" : ""}; ${latency.note ?? `from merged latency sketches, ${SKETCH_ACCURACY_NOTE}`}`,
            },
            { term: "Error rate", value: formatPercent(summary.metrics.errorRate) },
            { term: "Cached input tokens", value: formatPercent(summary.metrics.cachedTokenShare) },
            { term: "Tokens/s per GPU", value: summary.metrics.tokensPerSecondPerGpu === null ? "—" : summary.metrics.tokensPerSecondPerGpu.toLocaleString("en-US", { maximumFractionDigits: 0 }) },
            { term: "GPU utilization", value: formatPercent(detail.utilizationPct === null ? null : detail.utilizationPct / 100), how: "Time-weighted over windows with traffic" },
            {
              term: "Active",
              value: `${formatDateTime({ instant: deployment.activeFrom, timeZone })} – ${deployment.activeTo ? formatDateTime({ instant: deployment.activeTo, timeZone }) : "now"}`,
              how: `${deployment.provider} · ${PRICING_MODEL_LABELS[deployment.pricingModel]}`,
            },
          ]}
        />
      </Card>
      <div className="grid gap-5 xl:grid-cols-2">
        <Card title="Cost: serving, idle and without records">
          <div className="p-3">
            <StackedBarChart title="Cost: serving, idle and without usage records" data={chart(cost)} />
            <p className="mt-1 text-xs text-slate-500">{IDLE_DEFINITION}</p>
          </div>
        </Card>
        <Card title="Tokens">
          <div className="p-3">
            <StackedBarChart title="Tokens" data={trafficChart(tokens)} />
          </div>
        </Card>
        <Card title="Latency">
          <div className="p-3">
            <LineChart title="Latency p50, p95 and p99" data={trafficChart(latencySeries, deployment.p99SloMs === null ? undefined : { value: deployment.p99SloMs, label: "p99 SLO" })} />
            <p className="mt-1 text-xs text-slate-500">{PERCENTILE_ACCURACY_NOTE}</p>
          </div>
        </Card>
        <Card title="Requests per second">
          <div className="p-3">
            <LineChart title="Requests per second" data={trafficChart(qps)} />
          </div>
        </Card>
        <Card title="Error rate">
          <div className="p-3">
            <LineChart title="Error rate" data={trafficChart(errors)} />
          </div>
        </Card>
        <Card title="GPU utilization">
          <div className="p-3">
            <LineChart title="GPU utilization" data={trafficChart(utilization)} />
          </div>
        </Card>
      </div>
    </div>
  );
}

type Query = Record<string, string | string[] | undefined>;

async function Usage({
  viewer,
  canEdit,
  id,
  range,
  timeZone,
  usageBy,
  page,
  query,
}: {
  viewer: Viewer;
  canEdit: boolean;
  id: number;
  range: TimeRange;
  timeZone: string;
  usageBy: UsageBy | undefined;
  page: number;
  query: Query;
}) {
  const data = await cachedDeploymentUsageTable({ viewer, deploymentId: id, range, timeZone, usageBy, page, now: new Date() });
  if (!data) return null;
  // The table's grain and page, every other URL parameter (range, zone, filters) kept.
  const hrefFor = (to: { usageBy: UsageBy; page: number }) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (typeof value === "string" && !["usageBy", "usagePage", "notice", "deleted"].includes(key)) params.set(key, value);
    }
    params.set("usageBy", to.usageBy);
    if (to.page > 1) params.set("usagePage", String(to.page));
    return `/inference/${id}?${params.toString()}#usage`;
  };
  return <UsageRecords data={data} hrefFor={hrefFor} zoneChoice={formZoneChoice(query)} canEdit={canEdit} />;
}

async function History({ viewer, id, timeZone }: { viewer: Viewer; id: number; timeZone: string }) {
  const entries = await cachedAuditHistory({ viewer, subjectType: "inferenceDeployment", subjectId: String(id) });
  return <AuditHistory entries={entries} timeZone={timeZone} labels={{ ...USAGE_FIELD_LABELS, ...DEPLOYMENT_FIELD_LABELS }} />;
}
