import Link from "next/link";
import type { Route } from "next";
import Decimal from "decimal.js";
import { deleteUsageWindowAction } from "@/lib/actions/usage-windows";
import type { DeploymentUsagePage, UsageRecordRow } from "@/lib/db/queries/inference-records";
import { formatUsdRate } from "@/lib/domain/display";
import { formatDateTime } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { usageWindowStartSegment } from "@/lib/validation/usage-window-start";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
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
const ms = (text: string | null) => (text === null ? "—" : Number(text).toLocaleString("en-US", { maximumFractionDigits: 1 }));

function latency(row: UsageRecordRow) {
  if (row.latencyP50Ms === null) return row.hasLatencySketch ? <span className="text-slate-500">histogram</span> : "—";
  return `${ms(row.latencyP50Ms)} / ${ms(row.latencyP95Ms)} / ${ms(row.latencyP99Ms)}`;
}

/**
 * The deployment's "Usage records" card: every recorded period, newest
 * first, paginated, with what its GPUs cost over it, an Edit link and a
 * Delete (with confirmation, undoable) per row.
 */
export function UsageRecords({ data, hrefForPage }: { data: DeploymentUsagePage; hrefForPage: (page: number) => string }) {
  const { context, rows, total } = data;
  const { timeZone, id } = context;
  const addHref = `/inference/${id}/usage/new` as Route;
  return (
    <section id="usage" aria-labelledby="usage-title" className="scroll-mt-4 rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-2">
        <div>
          <h2 id="usage-title" className="text-sm font-semibold text-slate-800">
            Usage records
          </h2>
          <p className="text-xs text-slate-500">
            {total > 0
              ? `${count(BigInt(total))} period${total === 1 ? "" : "s"} · ${count(data.totalRequests)} requests · ${count(data.totalTokens)} tokens · times in ${timeZone}`
              : `Times in ${timeZone}`}
          </p>
        </div>
        <ButtonLink href={addHref} variant="primary">
          Add usage
        </ButtonLink>
      </div>
      {rows.length === 0 ? (
        <EmptyState title={total === 0 ? "No usage recorded yet" : "No usage on this page"}>
          {total === 0 ? (
            <>
              Record this deployment&apos;s traffic a period at a time — a day&apos;s totals of requests, tokens and latency.{" "}
              <Link href={addHref} className="underline underline-offset-2">
                Add the first period
              </Link>
              .
            </>
          ) : (
            <Link href={hrefForPage(1) as Route} className="underline underline-offset-2">
              Back to the newest
            </Link>
          )}
        </EmptyState>
      ) : (
        <>
          <DataTable
            caption={`Usage records of ${context.name}, newest first`}
            rows={rows}
            rowKey={(r) => r.windowStart.getTime()}
            columns={[
              { key: "start", header: "Start", isNumeric: true, cell: (r) => formatDateTime({ instant: r.windowStart, timeZone }) },
              { key: "length", header: "Length", isNumeric: true, cell: (r) => formatLength(r.windowSeconds) },
              { key: "requests", header: "Requests", isNumeric: true, cell: (r) => count(r.requests) },
              { key: "errors", header: "Errors", isNumeric: true, cell: (r) => count(r.errors) },
              {
                key: "input",
                header: "Input tok",
                isNumeric: true,
                cell: (r) => (
                  <>
                    {count(r.inputTokens)}
                    {r.cachedInputTokens > 0n ? <div className="text-xs text-slate-500">{count(r.cachedInputTokens)} cached</div> : null}
                  </>
                ),
              },
              { key: "output", header: "Output tok", isNumeric: true, cell: (r) => count(r.outputTokens) },
              { key: "latency", header: "p50/p95/p99 ms", isNumeric: true, cell: latency },
              { key: "util", header: "GPU util", isNumeric: true, cell: (r) => (r.avgGpuUtilizationPct === null ? "—" : `${Number(r.avgGpuUtilizationPct).toFixed(1)}%`) },
              { key: "cost", header: "GPU cost", isNumeric: true, cell: (r) => formatUsd({ micros: r.costMicros }) },
              {
                key: "perMillion",
                header: "$/1M tok",
                isNumeric: true,
                cell: (r) => formatUsdRate(r.costPerMillionTokensUsd === null ? null : new Decimal(r.costPerMillionTokensUsd)),
              },
              {
                key: "actions",
                header: "Actions",
                cell: (r) => {
                  const label = formatDateTime({ instant: r.windowStart, timeZone });
                  const segment = usageWindowStartSegment(r.windowStart);
                  return (
                    <span className="flex items-center gap-1">
                      <Link
                        href={`/inference/${id}/usage/${segment}/edit` as Route}
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
              },
            ]}
          />
          {data.pageCount > 1 ? <Pagination page={data.page} pageCount={data.pageCount} total={total} hrefFor={hrefForPage} noun="periods" /> : null}
        </>
      )}
    </section>
  );
}
