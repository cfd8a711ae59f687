import Link from "next/link";
import type { Route } from "next";
import type { ReactNode } from "react";
import { closeMonthAction, reopenMonthAction } from "@/lib/actions/month-closures";
import type { Breakdown, Contributor, MonthReport } from "@/lib/db/queries/reports";
import { bucketsBetween } from "@/lib/domain/calendar";
import { denseMeasures, toChartData } from "@/lib/domain/charts/series";
import { formatGpuHours, formatPercent, formatUsdRate } from "@/lib/domain/display";
import { formatDateTime, formatPeriod } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import type { ReportingZone, ZoneChoice } from "@/lib/domain/reporting-zone";
import { lineCents, type ReportLine } from "@/lib/reports/line";
import { addMonths, monthTitle } from "@/lib/reports/month";
import type { FilterNotice } from "@/lib/validation/dashboard-filters";
import { CostBars } from "@/components/charts/cost-bars";
import { StackedBarChart } from "@/components/charts/stacked-bar-chart";
import { FilterNotices } from "@/components/filters/filter-notices";
import { TeamCoverageNotice } from "@/components/ui/team-coverage-notice";
import type { TeamCoverageCounts } from "@/lib/domain/team-coverage";
import { ZoneSwitch } from "@/components/filters/zone-switch";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { Card, Stat } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { MonthClosureForm } from "./month-closure-form";
import { PrintButton } from "./print-button";
import { PrintHeader } from "./print-header";

/**
 * A month's cost report, org-wide or for one team, as the read model
 * (monthReport, lib/db/queries/reports.ts) returns it. Every amount shown is
 * formatUsd of a figure from the read model; tables' total rows are the read
 * model's totals, which are the sums of the same lines' cents, so every
 * table adds up to the report total to the cent. Screen-only parts (links,
 * zone switch, exports, close form) carry data-print="hide".
 */
export interface MonthReportProps {
  report: MonthReport;
  org: { name: string; timeZone: string };
  /** May close and reopen months (an org admin). */
  canCloseMonths: boolean;
  zone: ReportingZone;
  notices: FilterNotice[];
  /** Set for a team's report. */
  team: { slug: string; name: string; timeZone: string } | null;
  /** "YYYY-MM" of the current month in the view's zone (the newest report with a next link). */
  currentMonth: string;
  /** ?notice= after closing or reopening. */
  notice?: string;
  /** On the org-wide report: how many of the org's teams it adds up (a notice when not all). */
  coverage?: TeamCoverageCounts | null;
}

const link = "font-medium text-blue-800 hover:underline";
const navLink = "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-100";

/** The path of a month's report, org-wide or a team's. */
export function reportPath(month: string, teamSlug?: string): string {
  return `/reports/${month}${teamSlug ? `/${teamSlug}` : ""}`;
}

/** "?tz=utc" for a zone other than the default org zone; "team" only where a team is in scope. */
function tzQuery(choice: ZoneChoice, hasTeam: boolean): string {
  if (choice === "org" || (choice === "team" && !hasTeam)) return "";
  return `?tz=${choice}`;
}

/** "+$1.00", "-$1.00", "$0.00". */
function signedUsd(cents: bigint): string {
  return cents > 0n ? `+${formatUsd({ cents })}` : formatUsd({ cents });
}

function signedPercent(fraction: number): string {
  return fraction > 0 ? `+${formatPercent(fraction)}` : formatPercent(fraction);
}

/** Share of the report total, as text. */
function share(cents: bigint, totalCents: bigint): string {
  return totalCents > 0n ? formatPercent(Number(cents) / Number(totalCents)) : "—";
}

/** GPU-milliseconds as GPU-hours. */
function gpuHoursOf(gpuMs: bigint): string {
  return formatGpuHours(Number(gpuMs) / 3_600_000);
}

/** Token and request counts: exact below a million, else three significant digits ("12.3M", "4.56B"). */
function formatCount(count: bigint): string {
  if (count < 1_000_000n) return count.toLocaleString("en-US");
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 }).format(Number(count));
}

function itemPath(kind: "training" | "inference", id: number | string): Route {
  return `/${kind}/${id}` as Route;
}

export function MonthReportView({ report, org, canCloseMonths, zone, notices, team, currentMonth, notice, coverage }: MonthReportProps) {
  const { month, totals, usage, timeZone } = report;
  const title = monthTitle(month);
  const previousTitle = monthTitle(report.previousMonth);
  const hasTeam = team !== null;
  const tz = tzQuery(zone.choice, hasTeam);
  const orgTz = tzQuery(zone.choice, false);
  const path = reportPath(month, team?.slug);
  const periodText = `${formatPeriod({ range: report.period, timeZone })} · ${zone.label}`;
  const previousMonth = report.previousMonth;
  const nextMonth = addMonths(month, 1);
  const hasNext = nextMonth <= currentMonth;
  const hasPrevious = previousMonth >= "2000-01";
  const isEmpty = report.lines.length === 0;
  const isAdminView = !hasTeam && zone.choice === "org" && canCloseMonths;
  const heading = `Cost report · ${title}${team ? ` · ${team.name}` : ""}`;

  const status = statusOf(report);
  return (
    <div className="space-y-5">
      <PrintHeader title={heading} subject={team?.name ?? org.name} zoneLabel={zone.label} generatedAt={formatDateTime({ instant: report.generatedAt, timeZone })} />
      <header className="space-y-3">
        <div data-print="hide">
          <Breadcrumbs
            items={[
              { href: `/reports${orgTz}` as Route, label: "Reports" },
              ...(team ? [{ href: `${reportPath(month)}${orgTz}` as Route, label: title }, { label: team.name }] : [{ label: title }]),
            ]}
          />
        </div>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            {/* In print the print header above carries the title. */}
            <h1 className="text-xl font-semibold tracking-tight print:hidden">{heading}</h1>
            <p className="mt-0.5 text-sm text-slate-600">{periodText}</p>
            <p className="mt-1.5 text-sm text-slate-700" data-report-status>
              <span aria-hidden="true" className={`mr-1.5 inline-block h-2 w-2 rounded-full align-middle ${STATUS_DOT[status.kind]}`} data-print="color" />
              <strong className="font-semibold text-slate-900">{status.lead}</strong>
              {status.rest}
            </p>
          </div>
          <div data-print="hide" className="flex shrink-0 items-center gap-2">
            <PrintButton />
          </div>
        </div>
        <div data-print="hide" className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
          <nav aria-label="Months" className="flex flex-wrap gap-2">
            {hasPrevious ? (
              <Link href={`${reportPath(previousMonth, team?.slug)}${tz}` as Route} rel="prev" className={navLink}>
                <span aria-hidden="true">← </span>
                {previousTitle}
              </Link>
            ) : null}
            {hasNext ? (
              <Link href={`${reportPath(nextMonth, team?.slug)}${tz}` as Route} rel="next" className={navLink}>
                {monthTitle(nextMonth)}
                <span aria-hidden="true"> →</span>
              </Link>
            ) : null}
          </nav>
          <nav aria-label="Team reports" className="flex flex-wrap items-center gap-1 text-sm">
            {team ? (
              <Link href={`${reportPath(month)}${orgTz}` as Route} className={navLink}>
                All teams · {title}
              </Link>
            ) : (
              <>
                <span className="mr-1 text-xs font-medium text-slate-600">Team reports</span>
                {report.budgets.map((t) => (
                  <Link key={t.slug} href={`${reportPath(month, t.slug)}${tz}` as Route} className={navLink}>
                    {t.name}
                  </Link>
                ))}
              </>
            )}
          </nav>
        </div>
      </header>

      <div>
        <ZoneSwitch current={zone.choice} orgTimeZone={org.timeZone} teamTimeZone={team?.timeZone} path={path} />
        <FilterNotices notices={notices} />
        {coverage ? <TeamCoverageNotice coverage={coverage} /> : null}
        <ClosureNotice notice={notice} month={month} report={report} />
        <ReportNotes report={report} zone={zone} path={path} />
      </div>

      {isAdminView ? <ClosureControls report={report} /> : null}

      {report.isFuture ? (
        <Card>
          <EmptyState title={`${title} has not started yet`}>
            It starts on {formatDateTime({ instant: report.period.start, timeZone }).slice(0, 10)} ({zone.label}).{" "}
            <Link href={`${reportPath(currentMonth, team?.slug)}${tz}` as Route} className={link}>
              See {monthTitle(currentMonth)}
            </Link>
            .
          </EmptyState>
        </Card>
      ) : (
        <>
          {isEmpty ? null : <Kpis report={report} previousTitle={previousTitle} />}
          {report.corrections.length > 0 ? <Corrections report={report} /> : null}
          {isEmpty ? (
            <Card>
              <EmptyState title={`No costs recorded in ${title}`}>
                No training run or deployment was active in {title}
                {team ? ` for ${team.name}` : ""} ({zone.label}).
              </EmptyState>
            </Card>
          ) : (
            <>
              <Charts report={report} hasTeam={hasTeam} />
              {/* Side by side from 1280 px; the budget table has one more column, so it gets more of the width. */}
              <div className="grid grid-cols-1 items-start gap-5 xl:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
                <ChangeTable report={report} previousTitle={previousTitle} hasTeam={hasTeam} />
                {report.budgets.length > 0 ? <Budgets report={report} tz={tz} hasTeam={hasTeam} /> : null}
              </div>
              <Breakdowns report={report} hasTeam={hasTeam} />
              <TopItems title="Top training runs" kind="training" items={report.top.runs} hasTeam={hasTeam} />
              <TopItems title="Top deployments" kind="inference" items={report.top.deployments} hasTeam={hasTeam} />
            </>
          )}
          {isEmpty && report.corrections.length === 0 ? null : <Exports month={month} zone={zone} teamSlug={team?.slug} totals={totals} />}
        </>
      )}
      <p className="text-xs text-slate-500">
        Generated {formatDateTime({ instant: report.generatedAt, timeZone })} ({zone.label}). {usage.gpuMs > 0n ? "GPU-hours are GPUs × wall-clock hours." : ""}
      </p>
    </div>
  );
}

const STATUS_DOT: Record<"closed" | "inProgress" | "open" | "future", string> = {
  closed: "bg-emerald-600",
  inProgress: "bg-blue-600",
  open: "bg-slate-400",
  future: "bg-slate-300",
};

/** "Closed by …", "In progress — …", "Open — …": the first words in bold, then the rest. */
function statusOf(report: MonthReport): { kind: keyof typeof STATUS_DOT; lead: string; rest: string } {
  const { closure, totals, timeZone } = report;
  if (report.isFuture) return { kind: "future", lead: "Not started", rest: " — the month has not begun yet." };
  if (closure) {
    return {
      kind: "closed",
      lead: "Closed",
      rest: ` by ${closure.closedByName} on ${formatDateTime({ instant: closure.closedAt, timeZone })} (${closure.timeZone}) — figures as stored at closing.`,
    };
  }
  if (report.isInProgress) {
    return { kind: "inProgress", lead: "In progress", rest: ` — figures to date, projection ${formatUsd({ cents: totals.projectedCents })} at month end.` };
  }
  return { kind: "open", lead: "Open", rest: " — the month has ended but is not closed; its figures follow later edits." };
}

/** The line shown after closing or reopening redirected here. */
function ClosureNotice({ notice, month, report }: { notice?: string; month: string; report: MonthReport }) {
  if (notice !== "closed" && notice !== "reopened") return null;
  const title = monthTitle(month);
  const text =
    notice === "closed"
      ? report.closure
        ? `${title} is closed. This report now shows the figures as stored; later edits to ${title} appear as corrections in the next open month.`
        : null
      : report.closure
        ? null
        : `${title} is reopened. This report shows current figures again.`;
  if (text === null) return null;
  return (
    <div role="status" data-print="hide" className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-4 py-2 text-sm text-emerald-900">
      {text}
    </div>
  );
}

/** A closed month that changed since, and a month closed in another zone than this view's. */
function ReportNotes({ report, zone, path }: { report: MonthReport; zone: ReportingZone; path: string }) {
  const { closure, closedElsewhere, liveCents, totals } = report;
  const notes: ReactNode[] = [];
  if (closure && liveCents !== null && liveCents !== totals.chargesCents) {
    notes.push(
      <p key="live">
        Current figures for this month are {formatUsd({ cents: liveCents })} (Δ {signedUsd(liveCents - totals.chargesCents)}); the difference is billed as corrections
        in the next open month.
      </p>,
    );
  }
  if (closedElsewhere) {
    const orgZone = closedElsewhere.timeZone;
    notes.push(
      <p key="elsewhere">
        {monthTitle(report.month)} was closed in {orgZone} by {closedElsewhere.closedByName} on {formatDateTime({ instant: closedElsewhere.closedAt, timeZone: orgZone })}. This
        view ({zone.label}) shows current figures for the month in its own zone, not the closed report.{" "}
        {zone.timeZone !== orgZone && zone.choice !== "org" ? (
          <Link href={path as Route} className="font-medium underline" data-print="hide">
            See the closed report
          </Link>
        ) : null}
      </p>,
    );
  }
  if (notes.length === 0) return null;
  return (
    <div role="note" className="mb-4 space-y-1 rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-950">
      {notes}
    </div>
  );
}

function ClosureControls({ report }: { report: MonthReport }) {
  const { month, closure, closedElsewhere } = report;
  const title = monthTitle(month);
  const next = monthTitle(addMonths(month, 1));
  if (report.isFuture) return null;
  if (closure) {
    return (
      <MonthClosureForm
        action={reopenMonthAction.bind(null, month)}
        mode="reopen"
        monthLabel={title}
        consequence={`Reopening makes this report follow the records again: it shows current figures, and edits to ${title} no longer appear as corrections in a later month. You can close it again. Months reopen newest first.`}
      />
    );
  }
  if (closedElsewhere) return null;
  if (report.isInProgress) {
    return (
      <p data-print="hide" className="text-sm text-slate-600">
        You can close {title} once it has ended ({formatDateTime({ instant: report.period.end, timeZone: report.timeZone })}, {report.timeZone}).
      </p>
    );
  }
  return (
    <MonthClosureForm
      action={closeMonthAction.bind(null, month)}
      mode="close"
      monthLabel={title}
      consequence={`Stores this report as it stands. Later edits to ${title} appear as corrections in the next open month (${next}, unless it is closed too). The exports then read the stored figures. An admin can reopen it.`}
    />
  );
}

function Kpis({ report, previousTitle }: { report: MonthReport; previousTitle: string }) {
  const { totals, usage, change } = report;
  const totalHint = report.isInProgress
    ? `To date; projected ${formatUsd({ cents: totals.projectedCents })} at month end`
    : totals.correctionsCents !== 0n
      ? `Usage; billed ${formatUsd({ cents: totals.billedCents })} with corrections`
      : "Training + inference";
  const changeHint =
    change.relative === null
      ? `No costs in ${previousTitle} to compare with`
      : `${signedPercent(change.relative)} vs ${formatUsd({ cents: change.previousCents })} in ${previousTitle}${report.isInProgress ? " (to date vs the whole month)" : ""}`;
  const tokenHint = [
    usage.requests !== null ? `${formatCount(usage.requests)} requests` : null,
    usage.trainingTokens !== null ? `training ${formatCount(usage.trainingTokens)} tokens` : null,
  ]
    .filter((t) => t !== null)
    .join("; ");
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <Stat label="Total" value={formatUsd({ cents: totals.chargesCents })} hint={totalHint} />
      <Stat label="Training" value={formatUsd({ cents: totals.trainingCents })} hint={`${share(totals.trainingCents, totals.chargesCents)} of total`} />
      <Stat label="Inference" value={formatUsd({ cents: totals.inferenceCents })} hint={`${share(totals.inferenceCents, totals.chargesCents)} of total`} />
      <Stat label="Change vs previous month" value={signedUsd(change.changeCents)} hint={changeHint} />
      <Stat label="GPU-hours" value={formatGpuHours(usage.gpuHours.toNumber())} hint="GPUs × wall-clock hours" />
      <Stat label="$/GPU-hour" value={usage.costPerGpuHourUsd === null ? "No data" : formatUsdRate(usage.costPerGpuHourUsd)} hint="GPU compute cost ÷ GPU-hours" />
      <Stat
        label="Inference tokens"
        value={usage.inferenceTokens === null ? "No data" : formatCount(usage.inferenceTokens)}
        hint={tokenHint || "Input + output, from usage records"}
      />
      <Stat
        label="$/1M tokens"
        value={usage.costPerMillionTokensUsd === null ? "No data" : formatUsdRate(usage.costPerMillionTokensUsd)}
        hint="Inference cost ÷ tokens, over time with usage records"
      />
    </div>
  );
}

// ---------------------------------------------------------------------------
// Tables

interface ReportColumn<Row> {
  key: string;
  header: string;
  isNumeric?: boolean;
  /** Long text (causes, names) may wrap. */
  canWrap?: boolean;
  cell: (row: Row) => ReactNode;
  /** The total row's cell, when the table has one. */
  foot?: ReactNode;
}

/** A dense table: the first column names the row (a row header), numbers right-aligned, an optional total row. */
function ReportTable<Row>({ caption, columns, rows, rowKey }: { caption: string; columns: ReportColumn<Row>[]; rows: Row[]; rowKey: (row: Row) => string }) {
  const hasFoot = columns.some((c) => c.foot !== undefined);
  const align = (c: ReportColumn<Row>) => `${c.canWrap ? "min-w-36" : "whitespace-nowrap"} px-3 ${c.isNumeric ? "text-right tabular-nums" : "text-left"}`;
  return (
    <ScrollRegion label={caption}>
      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
            {columns.map((c) => (
              <th key={c.key} scope="col" className={`${align(c)} py-2 align-bottom`}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className="border-b border-slate-100 last:border-0 hover:bg-slate-50">
              {columns.map((c, i) =>
                i === 0 ? (
                  <th key={c.key} scope="row" className={`${align(c)} py-1.5 font-medium`}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.key} className={`${align(c)} py-1.5`}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
        {hasFoot ? (
          <tfoot>
            <tr className="border-t-2 border-slate-300 font-semibold">
              {columns.map((c, i) =>
                i === 0 ? (
                  <th key={c.key} scope="row" className={`${align(c)} py-1.5`}>
                    {c.foot}
                  </th>
                ) : (
                  <td key={c.key} className={`${align(c)} py-1.5`}>
                    {c.foot}
                  </td>
                ),
              )}
            </tr>
          </tfoot>
        ) : null}
      </table>
    </ScrollRegion>
  );
}

function Corrections({ report }: { report: MonthReport }) {
  const { totals } = report;
  const sign = totals.correctionsCents < 0n ? "−" : "+";
  const magnitude = totals.correctionsCents < 0n ? -totals.correctionsCents : totals.correctionsCents;
  return (
    <Card title="Corrections to closed months">
      <p className="border-b border-slate-100 px-4 py-2 text-sm text-slate-700">
        Changes made after a month was closed are billed here, in the next open month. Usage this month{" "}
        <span className="font-semibold tabular-nums">{formatUsd({ cents: totals.chargesCents })}</span> {sign} corrections{" "}
        <span className="font-semibold tabular-nums">{formatUsd({ cents: magnitude })}</span> = billed{" "}
        <span className="font-semibold tabular-nums" data-billed>
          {formatUsd({ cents: totals.billedCents })}
        </span>
        .
      </p>
      <ReportTable<ReportLine>
        caption="Corrections to closed months"
        rows={report.corrections}
        rowKey={(l) => `${l.correction?.correctsMonth}:${l.kind}:${l.itemId}:${l.teamId}`}
        columns={[
          { key: "month", header: "Month corrected", cell: (l) => (l.correction ? monthTitle(l.correction.correctsMonth) : "—"), foot: "Total corrections" },
          {
            key: "item",
            header: "Item",
            cell: (l) => (
              <Link href={itemPath(l.kind, l.itemId)} className={link}>
                {l.itemName}
              </Link>
            ),
          },
          { key: "amount", header: "Amount", isNumeric: true, cell: (l) => signedUsd(lineCents(l)), foot: signedUsd(totals.correctionsCents) },
          { key: "kind", header: "Kind", cell: (l) => (l.kind === "training" ? "Training run" : "Deployment") },
          { key: "team", header: "Team", cell: (l) => l.teamName },
          { key: "cause", header: "Cause", canWrap: true, cell: (l) => <span className="block min-w-64 text-xs text-slate-600">{l.correction?.cause ?? "—"}</span> },
        ]}
      />
    </Card>
  );
}

function Charts({ report, hasTeam }: { report: MonthReport; hasTeam: boolean }) {
  const { timeZone } = report;
  const buckets = bucketsBetween({ from: report.period.start, to: report.period.end, unit: "day", timeZone });
  const daily = denseMeasures({
    buckets,
    rows: report.daily.map((d) => ({ bucketStart: d.start, trainingCents: d.trainingCents, inferenceCents: d.inferenceCents })),
    fill: "zero",
    unit: "usd",
    measures: [
      { key: "training", label: "Training", valueOf: (r) => r.trainingCents },
      { key: "inference", label: "Inference", valueOf: (r) => r.inferenceCents },
    ],
  });
  const bars = hasTeam ? report.breakdowns.model : report.breakdowns.team;
  const barsTitle = hasTeam ? "Cost by model" : "Cost by team";
  return (
    <div className="grid grid-cols-1 gap-5 lg:grid-cols-3">
      <Card title="Cost by day · training and inference" className="min-w-0 lg:col-span-2">
        <div className="p-3">
          <StackedBarChart title="Cost by day, training and inference" data={toChartData({ series: daily, bucketUnit: "day", timeZone })} />
        </div>
      </Card>
      <Card title={barsTitle} className="min-w-0">
        <CostBars items={bars.slice(0, 8).map((b) => ({ key: b.key, label: b.label, costCents: b.cents }))} emptyTitle="No costs this month" />
        {bars.length > 8 ? <p className="px-4 pb-3 text-xs text-slate-500">The 8 largest of {bars.length}; all are in the table below.</p> : null}
      </Card>
    </div>
  );
}

type ChangeRow = Contributor & { group: string; href?: Route };

const SHORT_MONTH = new Intl.DateTimeFormat("en-US", { month: "short", timeZone: "UTC" });

/** "Oct 2026" */
function shortMonth(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return `${SHORT_MONTH.format(new Date(Date.UTC(year, m - 1, 1)))} ${year}`;
}

function ChangeTable({ report, previousTitle, hasTeam }: { report: MonthReport; previousTitle: string; hasTeam: boolean }) {
  const { change } = report;
  const title = monthTitle(report.month);
  const groups: { name: string; rows: ChangeRow[] }[] = [
    { name: "By team", rows: hasTeam ? [] : change.byTeam.map((c) => ({ ...c, group: "team" })) },
    { name: "By model", rows: change.byModel.map((c) => ({ ...c, group: "model" })) },
    {
      name: "By run or deployment",
      rows: change.byItem.map((c) => {
        const [kind, id] = c.key.split(":");
        return { ...c, group: "item", href: kind === "training" || kind === "inference" ? itemPath(kind, id ?? "") : undefined };
      }),
    },
  ].filter((g) => g.rows.length > 0);
  const cell = "whitespace-nowrap px-3 py-1.5 text-right tabular-nums";
  return (
    <Card title={`Change vs ${previousTitle}`} className="min-w-0">
      <p className="border-b border-slate-100 px-4 py-2 text-sm text-slate-700">
        {formatUsd({ cents: change.previousCents })} in {previousTitle}
        {change.previousClosed ? " (as closed)" : ""} → {formatUsd({ cents: report.totals.chargesCents })} in {title}
        {report.isInProgress ? " to date" : ""}: <span className="font-semibold tabular-nums">{signedUsd(change.changeCents)}</span>
        {change.relative !== null ? ` (${signedPercent(change.relative)})` : ""}. The biggest moves:
      </p>
      {groups.length === 0 ? (
        <EmptyState title="No change from the previous month" />
      ) : (
        <ScrollRegion label={`Biggest changes vs ${previousTitle}`}>
          <table className="w-full border-collapse text-sm">
            <caption className="sr-only">Biggest changes vs {previousTitle}, by team, model and item</caption>
            <thead>
              <tr className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
                <th scope="col" className="px-3 py-2 text-left">
                  Name
                </th>
                <th scope="col" className="whitespace-nowrap px-3 py-2 text-right">
                  <abbr title={previousTitle} className="no-underline">
                    {shortMonth(report.previousMonth)}
                  </abbr>
                </th>
                <th scope="col" className="whitespace-nowrap px-3 py-2 text-right">
                  <abbr title={title} className="no-underline">
                    {shortMonth(report.month)}
                  </abbr>
                </th>
                <th scope="col" className="whitespace-nowrap px-3 py-2 text-right">
                  Change
                </th>
              </tr>
            </thead>
            {groups.map((g) => (
              <tbody key={g.name}>
                <tr className="border-b border-slate-200">
                  <th scope="rowgroup" colSpan={4} className="bg-slate-50/60 px-3 pb-1 pt-3 text-left text-xs font-semibold text-slate-500">
                    {g.name}
                  </th>
                </tr>
                {g.rows.map((c) => (
                  <tr key={`${c.group}:${c.key}`} className="border-b border-slate-100 hover:bg-slate-50">
                    <th scope="row" className="min-w-36 px-3 py-1.5 text-left font-medium">
                      {c.href ? (
                        <Link href={c.href} className={link}>
                          {c.label}
                        </Link>
                      ) : (
                        c.label
                      )}
                    </th>
                    <td className={cell}>{formatUsd({ cents: c.previousCents })}</td>
                    <td className={cell}>{formatUsd({ cents: c.currentCents })}</td>
                    <td className={`${cell} font-medium ${c.changeCents > 0n ? "text-red-800" : "text-emerald-800"}`}>{signedUsd(c.changeCents)}</td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </ScrollRegion>
      )}
    </Card>
  );
}

function Breakdowns({ report, hasTeam }: { report: MonthReport; hasTeam: boolean }) {
  const { breakdowns, totals, usage } = report;
  const tables: { title: string; noun: string; rows: Breakdown[] }[] = [
    ...(hasTeam ? [] : [{ title: "Cost by team", noun: "Team", rows: breakdowns.team }]),
    { title: "Cost by model", noun: "Model", rows: breakdowns.model },
    { title: "Cost by GPU type", noun: "GPU type", rows: breakdowns.gpuType },
    { title: "Cost by provider", noun: "Provider", rows: breakdowns.provider },
    { title: "Cost by pricing model", noun: "Pricing model", rows: breakdowns.pricingModel },
  ];
  return (
    // Two newspaper columns from 1024 px: the long model table beside the short ones, without gaps under them. No negative
    // bottom margin to cancel the cards' own: a column truncates its last card's margin, so one pulled the next section over the tallest column's total.
    <div className="gap-5 lg:columns-2 [&>*]:mb-5 [&>*]:break-inside-avoid [&>*:last-child]:mb-0">
      {tables.map((t) => (
        <Card key={t.title} title={t.title} className="min-w-0">
          <ReportTable<Breakdown>
            caption={t.title}
            rows={t.rows}
            rowKey={(b) => b.key}
            columns={[
              { key: "name", header: t.noun, canWrap: true, cell: (b) => b.label, foot: "Total" },
              { key: "cost", header: "Cost", isNumeric: true, cell: (b) => formatUsd({ cents: b.cents }), foot: formatUsd({ cents: totals.chargesCents }) },
              { key: "share", header: "Share", isNumeric: true, cell: (b) => share(b.cents, totals.chargesCents), foot: totals.chargesCents > 0n ? "100.0%" : "—" },
              { key: "gpuHours", header: "GPU-hours", isNumeric: true, cell: (b) => gpuHoursOf(b.gpuMs), foot: formatGpuHours(usage.gpuHours.toNumber()) },
            ]}
          />
        </Card>
      ))}
    </div>
  );
}

type TopItem = MonthReport["top"]["runs"][number];

function TopItems({ title, kind, items, hasTeam }: { title: string; kind: "training" | "inference"; items: TopItem[]; hasTeam: boolean }) {
  return (
    <Card title={title}>
      {items.length === 0 ? (
        <EmptyState title={kind === "training" ? "No training runs this month" : "No deployments this month"} />
      ) : (
        <ReportTable<TopItem>
          caption={title}
          rows={items}
          rowKey={(i) => i.key}
          columns={[
            {
              key: "name",
              header: kind === "training" ? "Run" : "Deployment",
              canWrap: true,
              cell: (i) => (
                <Link href={itemPath(i.kind, i.id)} className={link}>
                  {i.label}
                </Link>
              ),
            },
            ...(hasTeam ? [] : [{ key: "team", header: "Team", cell: (i: TopItem) => i.teamName }]),
            { key: "gpus", header: "GPUs", cell: (i) => `${i.gpuCount} × ${i.gpuTypeName}` },
            { key: "gpuHours", header: "GPU-hours", isNumeric: true, cell: (i) => gpuHoursOf(i.gpuMs) },
            { key: "cost", header: "Cost", isNumeric: true, cell: (i) => <span className="font-medium">{formatUsd({ cents: i.cents })}</span> },
          ]}
        />
      )}
    </Card>
  );
}

type BudgetRow = MonthReport["budgets"][number];

function Budgets({ report, tz, hasTeam }: { report: MonthReport; tz: string; hasTeam: boolean }) {
  const showProjection = report.isInProgress;
  const over = (cents: bigint | null, budget: bigint) => cents !== null && budget > 0n && cents > budget;
  // Over budget: red and a marker, so it does not rest on color alone.
  const amount = (cents: bigint | null, budget: bigint) =>
    over(cents, budget) ? (
      <span className="font-semibold text-red-700">
        {formatUsd({ cents })}
        <span aria-hidden="true" className="ml-0.5 text-xs">
          ▲
        </span>
        <span className="sr-only"> (over budget)</span>
      </span>
    ) : (
      formatUsd({ cents })
    );
  return (
    <Card title={`Budget vs actual · ${monthTitle(report.month)}`} className="min-w-0">
      <ReportTable<BudgetRow>
        caption="Budget vs actual per team"
        rows={report.budgets}
        rowKey={(b) => b.slug}
        columns={[
          {
            key: "team",
            header: "Team",
            cell: (b) =>
              hasTeam ? (
                b.name
              ) : (
                <Link href={`${reportPath(report.month, b.slug)}${tz}` as Route} className={link}>
                  {b.name}
                </Link>
              ),
          },
          { key: "budget", header: "Budget", isNumeric: true, cell: (b) => (b.budgetCents > 0n ? formatUsd({ cents: b.budgetCents }) : "No budget") },
          { key: "actual", header: report.isInProgress ? "To date" : "Actual", isNumeric: true, cell: (b) => amount(b.actualCents, b.budgetCents) },
          {
            key: "used",
            header: "Used",
            isNumeric: true,
            cell: (b) => (b.budgetCents > 0n ? <span className={over(b.actualCents, b.budgetCents) ? "font-semibold text-red-700" : undefined}>{formatPercent(Number(b.actualCents) / Number(b.budgetCents))}</span> : "—"),
          },
          ...(showProjection
            ? [{ key: "projected", header: "Projected", isNumeric: true, cell: (b: BudgetRow) => amount(b.projectedCents, b.budgetCents) }]
            : []),
        ]}
      />
      <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
        <span aria-hidden="true" className="text-red-700">
          ▲
        </span>{" "}
        over the team&apos;s monthly budget.{showProjection ? " Projected: the cost to date scaled to the whole month at this month's rate so far." : ""}
      </p>
    </Card>
  );
}

function Exports({ month, zone, teamSlug, totals }: { month: string; zone: ReportingZone; teamSlug?: string; totals: MonthReport["totals"] }) {
  const query = `?tz=${zone.choice}${teamSlug ? `&team=${teamSlug}` : ""}`;
  const base = `/api/reports/${month}`;
  const files: { label: string; href: string; isCsv: boolean; what: string }[] = [
    { label: "Line items CSV", href: `${base}/lines.csv${query}`, isCsv: true, what: "one row per run or deployment" },
    { label: "Line items CSV, daily", href: `${base}/lines.csv${query}&granularity=day`, isCsv: true, what: "one row per item and day" },
    { label: "FOCUS 1.2 CSV", href: `${base}/focus.csv${query}`, isCsv: true, what: "FinOps FOCUS columns" },
    { label: "JSON", href: `${base}/report.json${query}`, isCsv: false, what: "totals, breakdowns and lines" },
  ];
  return (
    <section data-print="hide" aria-labelledby="exports-title" className="rounded-lg border border-slate-200 bg-white">
      <h2 id="exports-title" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-800">
        Exports · {zone.label}
      </h2>
      <ul className="max-w-3xl divide-y divide-slate-100">
        {files.map((f) => (
          <li key={f.label} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-4 py-2 text-sm">
            <span className="min-w-0">
              <a href={f.href} download className={link}>
                {f.label}
              </a>
              <span className="ml-2 text-xs text-slate-500">{f.what}</span>
            </span>
            {f.isCsv ? (
              <a href={`${f.href}&bom=1`} download aria-label={`${f.label} for Excel (UTF-8 BOM)`} className="text-xs text-blue-800 hover:underline">
                for Excel (UTF-8 BOM)
              </a>
            ) : null}
          </li>
        ))}
      </ul>
      <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-600">
        Every file is built from the same lines as this report and reconciles to the total above to the cent: {formatUsd({ cents: totals.chargesCents })} usage
        {totals.correctionsCents !== 0n ? `, ${formatUsd({ cents: totals.billedCents })} billed with corrections` : ""}.
      </p>
    </section>
  );
}
