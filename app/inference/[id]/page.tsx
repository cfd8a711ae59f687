import type { Metadata, Route } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import type { Viewer } from "@/lib/access/viewer";
import { deleteInferenceDeploymentAction } from "@/lib/actions/inference-deployments";
import { auditHistory, recordNotice } from "@/lib/db/queries/audit-history";
import { deploymentDetail, type DeploymentDetail } from "@/lib/db/queries/details";
import { deploymentUsagePage } from "@/lib/db/queries/inference-records";
import { denseMeasures, toChartData } from "@/lib/domain/charts/series";
import { formatGpuHours, formatMs, formatPercent, formatQps, formatUsdRate } from "@/lib/domain/display";
import { BATCHING_LABELS, formatDateTime, PRICING_MODEL_LABELS, QUANTIZATION_LABELS, SERVING_ENGINE_LABELS } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { parseDashboardFilters, resolveRange, unitForRange } from "@/lib/validation/dashboard-filters";
import { DEPLOYMENT_FIELD_LABELS, USAGE_FIELD_LABELS } from "@/lib/validation/inference-forms";
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
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Deployment" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function DeploymentPage({ params, searchParams }: Props) {
  const raw = (await params).id;
  if (!/^\d{1,9}$/.test(raw)) notFound();
  const query = await searchParams;
  const filters = parseDashboardFilters({ range: "7d", ...query });
  const usagePage = typeof query.usagePage === "string" && /^\d{1,6}$/.test(query.usagePage) ? Math.max(1, Number(query.usagePage)) : 1;
  const viewer = await getViewer();
  const now = new Date();
  const range = resolveRange({ filters, now, timeZone: viewer.orgTimeZone });
  const detail = await deploymentDetail({ viewer, id: Number(raw), range, unit: unitForRange(range), timeZone: viewer.orgTimeZone, now });
  if (!detail) notFound();
  const { deployment } = detail;
  return (
    <>
      <Breadcrumbs items={[{ href: "/inference", label: "Inference" }, { label: deployment.name }]} />
      <NoticeBanner {...await recordNotice({ viewer, searchParams: query })} />
      <PageHeader
        title={deployment.name}
        description={`${deployment.model} · ${SERVING_ENGINE_LABELS[deployment.servingEngine]} · ${QUANTIZATION_LABELS[deployment.quantization]} · ${BATCHING_LABELS[deployment.batching]} batching · ${deployment.team.name}`}
        actions={
          <>
            <ButtonLink href={`/inference/${deployment.id}/usage/new` as Route} variant="primary">
              Add usage
            </ButtonLink>
            <ButtonLink href={`/inference/${deployment.id}/edit` as Route}>Edit</ButtonLink>
            <DeleteRecordButton
              action={deleteInferenceDeploymentAction.bind(null, deployment.id)}
              noun="deployment"
              name={deployment.name}
              consequence="Its usage records are deleted with it, and come back with it on undo."
            />
          </>
        }
      />
      <FilterBar key={JSON.stringify(filters)} filters={filters} show={{}} />
      <div className="space-y-5">
        <Body detail={detail} timeZone={viewer.orgTimeZone} />
        <Suspense key={`usage-${usagePage}`} fallback={<TableSkeleton rows={4} />}>
          <Usage viewer={viewer} id={deployment.id} page={usagePage} query={query} />
        </Suspense>
        <Suspense fallback={<TableSkeleton rows={3} />}>
          <History viewer={viewer} id={deployment.id} timeZone={viewer.orgTimeZone} />
        </Suspense>
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
  const cost = denseMeasures({
    buckets,
    rows,
    fill: "zero",
    unit: "usd",
    measures: [
      { key: "busy", label: "Serving", valueOf: (r) => r.costMicros - r.idleCostMicros },
      { key: "idle", label: "Idle", valueOf: (r) => r.idleCostMicros },
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
  const isBreaching = latency.p99Ms !== null && deployment.p99SloMs !== null && latency.p99Ms > deployment.p99SloMs;
  return (
    <div className="space-y-5">
      <Card title="Summary">
        <DefinitionList
          items={[
            { term: "Cost", value: formatUsd({ micros: summary.computeCostMicros }), how: `${deployment.gpuCount} × ${deployment.gpuType.name} × active hours × the price in effect` },
            { term: "Idle cost", value: `${formatUsd({ micros: summary.idleCostMicros })} (${formatPercent(summary.idleShare)})`, how: "Active time without traffic + traffic time × (1 − GPU utilization)" },
            { term: "GPU-hours", value: formatGpuHours(summary.gpuHours) },
            { term: "$/1M tokens", value: formatUsdRate(summary.metrics.costPerMillionTokensUsd), how: `Output only: ${formatUsdRate(summary.metrics.costPerMillionOutputTokensUsd)}` },
            { term: "$/1k requests", value: formatUsdRate(summary.metrics.costPerThousandRequestsUsd) },
            { term: "QPS", value: formatQps(summary.metrics.qps), how: "Requests ÷ seconds of the range" },
            {
              term: "p50 / p95 / p99",
              value: (
                <span>
                  {formatMs(latency.p50Ms)} / {formatMs(latency.p95Ms)} / <span className={isBreaching ? "text-red-700" : undefined}>{formatMs(latency.p99Ms)}</span>
                </span>
              ),
              how: latency.note ?? `p99 SLO ${deployment.p99SloMs === null ? "not set" : formatMs(deployment.p99SloMs)}${isBreaching ? " — breached" : ""}; from merged latency sketches (1% accuracy)`,
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
        <Card title="Cost: serving and idle">
          <div className="p-3">
            <StackedBarChart title="Cost: serving and idle" data={chart(cost)} />
          </div>
        </Card>
        <Card title="Tokens">
          <div className="p-3">
            <StackedBarChart title="Tokens" data={chart(tokens)} />
          </div>
        </Card>
        <Card title="Latency">
          <div className="p-3">
            <LineChart title="Latency p50, p95 and p99" data={chart(latencySeries, deployment.p99SloMs === null ? undefined : { value: deployment.p99SloMs, label: "p99 SLO" })} />
          </div>
        </Card>
        <Card title="Requests per second">
          <div className="p-3">
            <LineChart title="Requests per second" data={chart(qps)} />
          </div>
        </Card>
        <Card title="Error rate">
          <div className="p-3">
            <LineChart title="Error rate" data={chart(errors)} />
          </div>
        </Card>
        <Card title="GPU utilization">
          <div className="p-3">
            <LineChart title="GPU utilization" data={chart(utilization)} />
          </div>
        </Card>
      </div>
    </div>
  );
}

type Query = Record<string, string | string[] | undefined>;

async function Usage({ viewer, id, page, query }: { viewer: Viewer; id: number; page: number; query: Query }) {
  const data = await deploymentUsagePage({ viewer, deploymentId: id, page, now: new Date() });
  if (!data) return null;
  const hrefForPage = (n: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (typeof value === "string" && !["usagePage", "notice", "deleted"].includes(key)) params.set(key, value);
    }
    if (n > 1) params.set("usagePage", String(n));
    const search = params.toString();
    return `/inference/${id}${search ? `?${search}` : ""}#usage`;
  };
  return <UsageRecords data={data} hrefForPage={hrefForPage} />;
}

async function History({ viewer, id, timeZone }: { viewer: Viewer; id: number; timeZone: string }) {
  const entries = await auditHistory({ viewer, subjectType: "inferenceDeployment", subjectId: String(id) });
  return <AuditHistory entries={entries} timeZone={timeZone} labels={{ ...USAGE_FIELD_LABELS, ...DEPLOYMENT_FIELD_LABELS }} />;
}
