import Link from "next/link";
import type { ReactNode } from "react";
import type { Route } from "next";
import type { BudgetAlertsPanelData, TeamBudget } from "@/lib/db/queries/budgets";
import { runOutDate, runOutLabel, type BudgetForecast, type RankedBudgetAlert } from "@/lib/domain/budgets";
import { formatPercent } from "@/lib/domain/display";
import { formatPeriod } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";

/**
 * Budget alerts on the overview and the budget forecast on a team page:
 * this month's spend, month-end projection and run-out day against the
 * budget, in the view's zone (figures from lib/db/queries/budgets.ts;
 * app/_budgets/sections.tsx reads them and streams these in).
 */

const PROJECTION_NOTE = "Projected: spend so far scaled to the whole month at this month's rate. Runs out: the day spend reaches the budget at that rate.";

function AlertBadges({ alert }: { alert: Pick<RankedBudgetAlert<unknown>, "actual" | "projected" | "forecast"> }) {
  const { actual, projected, forecast } = alert;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {actual !== null ? (
        <Badge tone={actual === 100 ? "bad" : "warn"}>
          <span className="whitespace-nowrap">
            {actual === 100 ? "Over budget" : "80% spent"} · {formatPercent(forecast.actualShare)}
          </span>
        </Badge>
      ) : null}
      {projected !== null ? (
        <Badge tone={projected === 100 ? "bad" : "warn"}>
          <span className="whitespace-nowrap">
            {projected === 100 ? "Projected over" : "Projected ≥ 80%"} · {formatPercent(forecast.projectedShare)}
          </span>
        </Badge>
      ) : null}
    </span>
  );
}

function PanelFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card title={title}>
      <div data-testid="budget-alerts">{children}</div>
    </Card>
  );
}

export function BudgetAlertsSkeleton() {
  return (
    <PanelFrame title="Budget alerts">
      <TableSkeleton rows={3} />
    </PanelFrame>
  );
}

export function BudgetAlertsError({ what }: { what: string }) {
  return (
    // data-load-failed: the page cache never keeps a page showing it (lib/cache/page-cache.ts), so a reload tries again.
    <p role="alert" data-load-failed="" className="px-4 py-3 text-sm text-red-800">
      {what} could not be loaded. The rest of the page is unaffected; reload to try again.
    </p>
  );
}

export function BudgetAlertsFailed() {
  return (
    <PanelFrame title="Budget alerts">
      <BudgetAlertsError what="Budget alerts" />
    </PanelFrame>
  );
}

/** Teams at or over 80 % / 100 % of their budget, actual or projected, most urgent first. */
export function BudgetAlertsPanel({ data, zoneLabel }: { data: BudgetAlertsPanelData; zoneLabel: string }) {
  const { timeZone } = data;
  const title = `Budget alerts · ${formatPeriod({ range: data.month, timeZone })} · ${zoneLabel}`;
  if (data.alerts.length === 0) {
    return (
      <PanelFrame title={title}>
        <EmptyState title="No team is at 80% of its budget">Neither spend so far nor the month-end projection reaches 80% of any team&apos;s monthly budget.</EmptyState>
      </PanelFrame>
    );
  }
  return (
    <PanelFrame title={title}>
      <DataTable
        caption="Teams at or over 80% or 100% of their monthly budget, spent or projected, most urgent first"
        rows={data.alerts}
        rowKey={(a) => a.team.teamId}
        columns={[
          {
            key: "team",
            header: "Team",
            canWrap: true,
            cell: (a) => (
              <span className="flex min-w-40 flex-wrap items-center gap-x-2 gap-y-1">
                <Link href={`/teams/${a.team.slug}` as Route} className="font-medium text-blue-800 hover:underline">
                  {a.team.name}
                </Link>
                <AlertBadges alert={a} />
              </span>
            ),
          },
          { key: "spent", header: "Spent to date", isNumeric: true, cell: (a) => formatUsd({ cents: a.forecast.spentCents }) },
          { key: "projected", header: "Projected", isNumeric: true, cell: (a) => formatUsd({ cents: a.forecast.projectedCents }) },
          { key: "budget", header: "Budget", isNumeric: true, cell: (a) => formatUsd({ cents: a.forecast.budgetCents }) },
          { key: "runOut", header: "Runs out", isNumeric: true, cell: (a) => <RunOut forecast={a.forecast} timeZone={timeZone} /> },
        ]}
      />
      <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
        {PROJECTION_NOTE} Alerts at 80% and 100% are posted once per team and month to the webhook set in Settings.
      </p>
    </PanelFrame>
  );
}

function RunOut({ forecast, timeZone }: { forecast: BudgetForecast; timeZone: string }) {
  const label = runOutLabel({ runOut: forecast.runOut, timeZone });
  const isUrgent = forecast.runOut.kind === "on" || forecast.runOut.kind === "exceeded";
  return <span className={isUrgent ? "font-semibold text-red-700" : undefined}>{label}</span>;
}

export function TeamBudgetForecastSkeleton() {
  return (
    <Card title="Budget forecast">
      <div role="status" aria-label="Loading" className="grid grid-cols-2 gap-3 px-4 py-3 sm:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-12" />
        ))}
      </div>
    </Card>
  );
}

export function TeamBudgetForecastFailed() {
  return (
    <Card title="Budget forecast">
      <BudgetAlertsError what="The budget forecast" />
    </Card>
  );
}

/** A team's month: spent, projected month-end and run-out day against its budget. */
export function TeamBudgetForecast({ team, month, timeZone, zoneLabel }: { team: TeamBudget; month: { start: Date; end: Date }; timeZone: string; zoneLabel: string }) {
  const title = `Budget forecast · ${formatPeriod({ range: month, timeZone })} · ${zoneLabel}`;
  const { forecast } = team;
  if (forecast.budgetCents <= 0n) {
    return (
      <Card title={title}>
        <EmptyState title="No budget set">Give the team a monthly budget in Settings to see when it would run out.</EmptyState>
      </Card>
    );
  }
  const actual = forecast.crossed.find((c) => c.basis === "actual")?.thresholdPct ?? null;
  const projected = forecast.crossed.find((c) => c.basis === "projected")?.thresholdPct ?? null;
  const runOut = runOutParts(forecast, timeZone);
  return (
    <Card title={title}>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 px-4 py-3 sm:grid-cols-4" data-testid="team-budget-forecast">
        <Figure term="Projected month-end" value={formatUsd({ cents: forecast.projectedCents })} note={forecast.projectedShare === null ? "No data yet" : `${formatPercent(forecast.projectedShare)} of budget`} />
        <Figure term="Budget" value={formatUsd({ cents: forecast.budgetCents })} note="Per calendar month" />
        <Figure term="Budget runs out" value={runOut.value} note={runOut.note} isUrgent={runOut.isUrgent} />
        <Figure term="Spent to date" value={formatUsd({ cents: forecast.spentCents })} note={`${formatPercent(forecast.actualShare)} of budget`} />
      </dl>
      <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
        {actual !== null || projected !== null ? <AlertBadges alert={{ actual, projected, forecast }} /> : <Badge tone="good">Below 80% spent and projected</Badge>}
        <span>{PROJECTION_NOTE}</span>
      </div>
    </Card>
  );
}

function Figure({ term, value, note, isUrgent = false }: { term: string; value: string; note: string; isUrgent?: boolean }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{term}</dt>
      <dd className={`mt-0.5 text-lg font-semibold tabular-nums ${isUrgent ? "text-red-700" : "text-slate-900"}`}>{value}</dd>
      <dd className="text-xs text-slate-500">{note}</dd>
    </div>
  );
}

/** The run-out figure as a short value (a date when there is one) and what it means. */
function runOutParts(forecast: BudgetForecast, timeZone: string): { value: string; note: string; isUrgent: boolean } {
  const { runOut } = forecast;
  const date = runOutDate({ runOut, timeZone });
  if (runOut.kind === "exceeded") return { value: date!, note: "Spend to date reached the budget that day", isUrgent: true };
  if (runOut.kind === "on") return { value: date!, note: "At this month's rate so far", isUrgent: true };
  if (runOut.kind === "notThisMonth") return { value: "Not this month", note: "At this month's rate the budget lasts the month", isUrgent: false };
  return { value: runOutLabel({ runOut, timeZone }), note: "No burn rate to project from yet", isUrgent: false };
}