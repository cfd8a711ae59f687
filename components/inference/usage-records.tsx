import Link from "next/link";
import type { Route } from "next";
import type { ReactNode } from "react";
import { deleteUsageWindowAction } from "@/lib/actions/usage-windows";
import type { DeploymentUsageTable, UsageBucketRow, UsageFigures, UsageRecordRow } from "@/lib/db/queries/inference-records";
import { formatBucketLabel } from "@/lib/domain/charts/format";
import { formatDuration, formatMs, formatQps, formatUsdRate } from "@/lib/domain/display";
import { formatDateTime } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { SKETCH_ACCURACY_NOTE, SUMMARY_ESTIMATE_NOTE } from "@/lib/domain/percentiles";
import type { ZoneChoice } from "@/lib/domain/reporting-zone";
import type { UsageLatency, WithNoData } from "@/lib/domain/usage-table";
import { withZone } from "@/lib/validation/form-zone";
import { MAX_RECORDS_LISTED_BY_DEFAULT, USAGE_BY, USAGE_BY_LABELS, type UsageBy } from "@/lib/validation/usage-table";
import { usageWindowStartSegment } from "@/lib/validation/usage-window-start";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";

/** "1 d", "6 h", "15 min", "90 s": a period's length as entered. */
export function formatLength(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds.toLocaleString("en-US")} s`;
}

const count = (n: bigint) => n.toLocaleString("en-US");
const NO_DATA = <span className="text-slate-400">no data</span>;

/** p50 / p95 / p99, and how exact they are (house rule: every percentile says so). */
function Latency({ latency }: { latency: UsageLatency }) {
  if (latency.source === null) return <>—</>;
  const approximate = latency.source !== "sketch";
  const how =
    latency.source === "summary"
      ? `Summary percentiles only: a record's as entered; a period's merged from its records, ${SUMMARY_ESTIMATE_NOTE}`
      : latency.source === "mixed"
        ? `Approximate: ${((latency.summaryShare ?? 0) * 100).toFixed(1)}% of requests from records with summary percentiles only, ${SUMMARY_ESTIMATE_NOTE}; the rest ${SKETCH_ACCURACY_NOTE}`
        : `From latency sketches: ${SKETCH_ACCURACY_NOTE}`;
  return (
    <span title={how}>
      {approximate ? <span aria-hidden="true">≈ </span> : null}
      {formatMs(latency.p50Ms)} / {formatMs(latency.p95Ms)} / {formatMs(latency.p99Ms)}
      {approximate ? <span className="block text-xs text-slate-500">{latency.source === "summary" ? "approximate: summary only" : `approximate: ${((latency.summaryShare ?? 0) * 100).toFixed(0)}% summary`}</span> : null}
    </span>
  );
}

/** Columns every row kind shares; `figures` is null for a stretch without records. */
function figureColumns<Row>(figures: (row: Row) => UsageFigures | null): Column<Row>[] {
  function of(render: (f: UsageFigures) => ReactNode) {
    return function cell(row: Row): ReactNode {
      const f = figures(row);
      return f === null ? NO_DATA : render(f);
    };
  }
  return [
    { key: "requests", header: "Requests", isNumeric: true, cell: of((f) => count(f.requests)) },
    { key: "errors", header: "Errors", isNumeric: true, cell: of((f) => count(f.errors)) },
    {
      key: "input",
      header: "Input tok",
      isNumeric: true,
      cell: of((f) => (
        <>
          {count(f.inputTokens)}
          {f.cachedInputTokens > 0n ? <div className="text-xs text-slate-500">{count(f.cachedInputTokens)} cached</div> : null}
        </>
      )),
    },
    { key: "output", header: "Output tok", isNumeric: true, cell: of((f) => count(f.outputTokens)) },
    { key: "qps", header: "QPS", isNumeric: true, cell: of((f) => formatQps(f.qps)) },
    { key: "latency", header: "p50 / p95 / p99", isNumeric: true, cell: of((f) => <Latency latency={f.latency} />) },
    { key: "util", header: "GPU util", isNumeric: true, cell: of((f) => (f.utilizationPct === null ? "—" : `${f.utilizationPct.toFixed(1)}%`)) },
  ];
}

function costColumns<Row>(cost: (row: Row) => { costCents: bigint; perMillion: ReactNode }): Column<Row>[] {
  return [
    { key: "cost", header: "GPU cost", isNumeric: true, cell: (r) => formatUsd({ cents: cost(r).costCents }) },
    { key: "perMillion", header: "$/1M tok", isNumeric: true, cell: (r) => cost(r).perMillion },
  ];
}

function RecordTable({ data, rows, zoneChoice, canEdit }: { data: DeploymentUsageTable; rows: UsageRecordRow[]; zoneChoice: ZoneChoice; canEdit: boolean }) {
  const { timeZone } = data;
  const { id, name } = data.context;
  const columns: Column<UsageRecordRow>[] = [
    { key: "start", header: "Start", isNumeric: true, cell: (r) => formatDateTime({ instant: r.windowStart, timeZone }) },
    { key: "length", header: "Length", isNumeric: true, cell: (r) => formatLength(r.windowSeconds) },
    ...figureColumns<UsageRecordRow>((r) => r),
    ...costColumns<UsageRecordRow>((r) => ({ costCents: r.costCents, perMillion: formatUsdRate(r.costPerMillionTokensUsd) })),
  ];
  // Edit and Delete only for who may write the deployment's team (the actions refuse everyone else anyway).
  if (canEdit) columns.push({
      key: "actions",
      header: "Actions",
      cell: (r) => {
        const label = formatDateTime({ instant: r.windowStart, timeZone });
        const segment = usageWindowStartSegment(r.windowStart);
        return (
          <span className="flex items-center gap-1">
            <Link
              href={withZone(`/inference/${id}/usage/${segment}/edit` as Route, zoneChoice)}
              aria-label={`Edit usage ${label}`}
              className="rounded px-1.5 py-0.5 text-sm font-medium text-blue-700 hover:bg-blue-50 hover:underline"
            >
              Edit
            </Link>
            <DeleteRecordButton
              id={`delete-usage-${segment}`}
              action={deleteUsageWindowAction.bind(null, id, r.windowStart.toISOString())}
              noun="usage period"
              name={`${label} (${formatLength(r.windowSeconds)})`}
              consequence="The deployment's dashboards drop this period's traffic."
              triggerLabel="Delete"
              triggerAriaLabel={`Delete usage ${label}`}
              triggerClassName="rounded px-1.5 py-0.5 text-sm font-medium text-red-700 hover:bg-red-50 hover:underline"
            />
          </span>
        );
      },
    });
  return <DataTable caption={`Usage records of ${name} in the range, newest first`} rows={rows} rowKey={(r) => r.windowStart.getTime()} columns={columns} />;
}

type BucketLine = WithNoData<UsageBucketRow>;

function BucketTable({ data, rows, unit }: { data: DeploymentUsageTable; rows: BucketLine[]; unit: "hour" | "day" }) {
  const { timeZone } = data;
  const bucketLabel = (start: Date) => (unit === "day" ? formatBucketLabel({ start, unit, timeZone, style: "full" }) : formatDateTime({ instant: start, timeZone }));
  const columns: Column<BucketLine>[] = [
    {
      key: "period",
      header: unit === "day" ? "Day" : "Hour",
      isNumeric: true,
      cell: (line) =>
        line.kind === "data" ? (
          bucketLabel(line.row.start)
        ) : (
          <span className="text-slate-500">
            {formatDateTime({ instant: line.start, timeZone })} – {formatDateTime({ instant: line.end, timeZone })}
          </span>
        ),
    },
    {
      key: "recorded",
      header: "Recorded",
      isNumeric: true,
      cell: (line) => {
        if (line.kind === "noData") return <span className="font-medium text-slate-600">No usage records ({formatDuration(line.end.getTime() - line.start.getTime())})</span>;
        const bucketMs = line.row.end.getTime() - line.row.start.getTime();
        return line.row.recordedMs >= bucketMs ? formatDuration(line.row.recordedMs) : `${formatDuration(line.row.recordedMs)} of ${formatDuration(bucketMs)}`;
      },
    },
    ...figureColumns<BucketLine>((line) => (line.kind === "data" ? line.row : null)),
    {
      key: "cost",
      header: "GPU cost",
      isNumeric: true,
      cell: (line) => (line.kind === "data" ? formatUsd({ cents: line.row.costCents }) : NO_DATA),
    },
    { key: "perMillion", header: "$/1M tok", isNumeric: true, cell: (line) => (line.kind === "data" ? formatUsdRate(line.row.costPerMillionTokensUsd) : NO_DATA) },
  ];
  return (
    <DataTable
      caption={`Usage of ${data.context.name} by ${unit} in ${timeZone}, newest first; stretches without usage records are marked no data`}
      rows={rows}
      rowKey={(line) => (line.kind === "data" ? `d${line.row.start.getTime()}` : `g${line.start.getTime()}`)}
      columns={columns}
    />
  );
}

function grainNote(data: DeploymentUsageTable): string {
  const records = `${count(BigInt(data.recordCount))} record${data.recordCount === 1 ? "" : "s"} in this range`;
  if (data.usageBy === "record") {
    return data.isDefaultGrain
      ? `Each record, newest first. Ranges with more than ${MAX_RECORDS_LISTED_BY_DEFAULT} records are rolled up by day.`
      : "Each record, newest first.";
  }
  const why = data.isDefaultGrain ? `Rolled up by day: ${records}, more than the ${MAX_RECORDS_LISTED_BY_DEFAULT} listed one by one. ` : "";
  return (
    `${why}${data.usageBy === "day" ? "Days" : "Hours"} in ${data.timeZone}; a record spanning several is split by time. ` +
    "Percentiles come from the merged latency sketches of the period (never averaged); QPS is over the time with records; $/1M tokens uses the cost of that time. " +
    "Stretches with no usage records are no data, not idle."
  );
}

/**
 * The deployment's "Usage records" card over the page's range: each record
 * (with Edit and Delete), or hours or days rolled up from them with the
 * stretches that have no records marked "no data"; paginated.
 */
export function UsageRecords({
  data,
  hrefFor,
  zoneChoice = "org",
  canEdit,
}: {
  data: DeploymentUsageTable;
  /** May the viewer write the deployment's team (team:write)? Without it: no Add, Edit or Delete. */
  canEdit: boolean;
  /** A link to this table at another grain or page (other URL params kept). */
  hrefFor: (to: { usageBy: UsageBy; page: number }) => string;
  /** The page's zone choice: the usage forms it links to open in the same zone. */
  zoneChoice?: ZoneChoice;
}) {
  const { context, table, recordCount } = data;
  const addHref = withZone(`/inference/${context.id}/usage/new` as Route, zoneChoice);
  const isEmpty = table.rows.length === 0;
  return (
    <section id="usage" aria-labelledby="usage-title" className="scroll-mt-4 rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-2">
        <div>
          <h2 id="usage-title" className="text-sm font-semibold text-slate-800">
            Usage records
          </h2>
          <p className="text-xs text-slate-500">
            {recordCount > 0
              ? `${count(BigInt(recordCount))} record${recordCount === 1 ? "" : "s"} in this range · ${count(data.totalRequests)} requests · ${count(data.totalTokens)} tokens · times in ${data.timeZone}`
              : `No records in this range · times in ${data.timeZone}`}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <nav aria-label="Show usage as" className="flex rounded-md border border-slate-300 text-sm">
            {USAGE_BY.map((grain) => (
              <Link
                key={grain}
                href={hrefFor({ usageBy: grain, page: 1 }) as Route}
                aria-current={grain === data.usageBy ? "page" : undefined}
                className={`px-2.5 py-1 first:rounded-l-md last:rounded-r-md ${grain === data.usageBy ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {USAGE_BY_LABELS[grain]}
              </Link>
            ))}
          </nav>
          {canEdit ? (
            <ButtonLink href={addHref} variant="primary">
              Add usage
            </ButtonLink>
          ) : null}
        </div>
      </div>
      {isEmpty ? (
        <EmptyState title={recordCount === 0 ? "No usage recorded in this range" : "No usage on this page"}>
          {recordCount === 0 ? (
            <>
              Its figures for this range are no data, not idle.{" "}
              {canEdit ? (
                <>
                  Widen the range, or record this deployment&apos;s traffic a period at a time — a day&apos;s totals of requests, tokens and latency.{" "}
                  <Link href={addHref} className="underline underline-offset-2">
                    Add a period
                  </Link>
                  .
                </>
              ) : (
                "Widen the range to see recorded periods."
              )}
            </>
          ) : (
            <Link href={hrefFor({ usageBy: data.usageBy, page: 1 }) as Route} className="underline underline-offset-2">
              Back to the newest
            </Link>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="px-4 pt-2 text-xs text-slate-500">{grainNote(data)}</p>
          {table.usageBy === "record" ? (
            <RecordTable data={data} rows={table.rows} zoneChoice={zoneChoice} canEdit={canEdit} />
          ) : (
            <BucketTable data={data} rows={table.rows} unit={table.usageBy} />
          )}
          {data.pageCount > 1 ? (
            <Pagination
              page={data.page}
              pageCount={data.pageCount}
              total={data.total}
              hrefFor={(page) => hrefFor({ usageBy: data.usageBy, page })}
              noun={data.usageBy === "record" ? "records" : "rows"}
            />
          ) : null}
        </>
      )}
    </section>
  );
}
