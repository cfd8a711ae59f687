import Link from "next/link";
import type { Route } from "next";
import type { DashboardData, TopItem } from "@/lib/db/queries/dashboards";
import { PERCENTILE_ACCURACY_NOTE } from "@/lib/domain/percentiles";
import { bucketsBetween } from "@/lib/domain/calendar";
import { denseTimeSeries, toChartData, topNWithOther } from "@/lib/domain/charts/series";
import { formatGpuHours, formatMs, formatPercent, formatQps, formatUsdRate } from "@/lib/domain/display";
import { formatPeriod } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import { CostBars } from "@/components/charts/cost-bars";
import { LineChart } from "@/components/charts/line-chart";
import { StackedBarChart } from "@/components/charts/stacked-bar-chart";
import { Card, Stat } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

/** The overview of an org or a team: KPIs, charts, top-N tables and budgets. */
export function DashboardView({ data, zoneLabel, showTeams }: { data: DashboardData; zoneLabel: string; showTeams: boolean }) {
  const { kpis, range, unit, timeZone } = data;
  const buckets = bucketsBetween({ from: range.start, to: range.end, unit, timeZone });
  const costSeries = denseTimeSeries({
    buckets,
    rows: data.series.costByTeam,
    fill: "zero",
    unit: "usd",
    groupOf: (r) => r.groupKey,
    labelOf: (r) => r.groupLabel,
    valueOf: (r) => r.costCents,
  });
  const perToken = denseTimeSeries({
    buckets,
    rows: data.series.costPerMillionTokens.map((p) => ({ bucketStart: p.start, value: p.usd === null ? null : p.usd.toNumber() })),
    fill: "gap",
    unit: "usdPerMillionTokens",
    groupOf: () => "all",
    labelOf: () => "Inference $/1M tokens",
    valueOf: (r) => r.value,
  });
  const isEmpty = kpis.totalCents === 0n && kpis.gpuHours === 0;
  const period = (r: { start: Date; end: Date }) => formatPeriod({ range: r, timeZone });
  const { comparison } = kpis;
  const change =
    comparison === null
      ? "The range has not started yet"
      : comparison.change === null
        ? `No spend in ${period(comparison.previous)} to compare with`
        : `${comparison.change >= 0 ? "+" : ""}${formatPercent(comparison.change)}: ${formatUsd({ cents: comparison.currentCents })} in ${period(comparison.current)} vs ${formatUsd({ cents: comparison.previousCents })} in ${period(comparison.previous)}`;
  const share = (cents: bigint) => (kpis.totalCents > 0n ? `${formatPercent(Number(cents) / Number(kpis.totalCents))} of spend` : undefined);
  return (
    <div className="space-y-5">
      <p className="text-xs text-slate-500">
        {period(range)} · {zoneLabel} · by {unit}
      </p>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4 print:grid-cols-4">
        <Stat label="Spend" value={formatUsd({ cents: kpis.totalCents })} hint={change} />
        <Stat label="Projected month-end" value={formatUsd({ cents: kpis.projectedMonthEndCents })} hint={kpis.projectedMonthEndCents === null ? "For this month's range only" : "This month at the burn rate so far"} />
        <Stat label="Training" value={formatUsd({ cents: kpis.trainingCents })} hint={share(kpis.trainingCents)} />
        <Stat label="Inference" value={formatUsd({ cents: kpis.inferenceCents })} hint={share(kpis.inferenceCents)} />
        <Stat label="GPU-hours" value={formatGpuHours(kpis.gpuHours).replace(" GPU-h", "")} hint="GPU count × wall-clock hours" />
        <Stat label="$/1M tokens" value={kpis.hasUsageRecords ? formatUsdRate(kpis.costPerMillionTokensUsd) : "No data"} hint="Inference cost ÷ (input + output tokens), over time with usage records" />
        <Stat label="QPS" value={kpis.hasUsageRecords ? formatQps(kpis.qps) : "No data"} hint="Requests ÷ seconds with usage records, per deployment, summed" />
        <Stat
          label="p99 SLO breaches"
          value={String(kpis.sloBreaches.length)}
          hint={kpis.sloBreaches.length ? kpis.sloBreaches.map((b) => b.name).join(", ") : "Every deployment within its p99 SLO"}
        />
      </div>
      {isEmpty ? (
        <Card>
          <EmptyState title="Nothing recorded in this range">
            Pick a longer range, or record a training run or a deployment with its usage to see spend here.
          </EmptyState>
        </Card>
      ) : (
        <>
          <div className="grid grid-cols-1 gap-5 lg:grid-cols-3">
            <Card title={showTeams ? `Cost by ${unit} and team` : `Cost by ${unit}`} className="lg:col-span-2">
              <div className="p-3">
                <StackedBarChart title={showTeams ? `Cost by ${unit} and team` : `Cost by ${unit}`} data={toChartData({ series: topNWithOther({ series: costSeries, n: 6 }), bucketUnit: unit, timeZone })} />
              </div>
            </Card>
            <Card title="Cost by GPU type">
              <CostBars items={data.costByGpu} />
            </Card>
          </div>
          <Card title="Inference cost per 1M tokens">
            <div className="p-3">
              <LineChart title="Inference cost per 1M tokens" data={toChartData({ series: perToken, bucketUnit: unit, timeZone })} />
            </div>
          </Card>
          <div className="grid grid-cols-1 gap-5 lg:grid-cols-2 print:grid-cols-2">
            {showTeams ? <TopTable title="Top teams" items={data.top.teams} /> : null}
            <TopTable title="Top models" items={data.top.models} />
            <TopTable title="Top deployments" items={data.top.deployments} href={(key) => `/inference/${key.split(":")[1]}`} />
            <TopTable title="Top training runs" items={data.top.runs} href={(key) => `/training/${key.split(":")[1]}`} />
          </div>
          {kpis.sloBreaches.length > 0 ? (
            <Card title="Deployments breaching their p99 SLO">
              <DataTable
                caption="Deployments whose p99 latency over the range is above their SLO"
                rows={kpis.sloBreaches}
                rowKey={(b) => b.id}
                columns={[
                  {
                    key: "name",
                    header: "Deployment",
                    cell: (b) => (
                      <Link href={`/inference/${b.id}` as Route} className="font-medium text-blue-800 hover:underline">
                        {b.name}
                      </Link>
                    ),
                  },
                  { key: "p99", header: "p99", isNumeric: true, cell: (b) => <span className="font-semibold text-red-700">{formatMs(b.p99Ms)}</span> },
                  { key: "slo", header: "SLO", isNumeric: true, cell: (b) => formatMs(b.sloMs) },
                ]}
              />
              <p className="px-4 py-2 text-xs text-slate-500">{PERCENTILE_ACCURACY_NOTE}</p>
            </Card>
          ) : null}
        </>
      )}
      <Card title={`Budget this month · ${period(data.budgets.month)} · ${zoneLabel}`}>
        <DataTable
          caption="Budget status per team: spent this month to date, projected month-end, monthly budget"
          rows={data.budgets.teams}
          rowKey={(b) => b.teamId}
          columns={[
            {
              key: "team",
              header: "Team",
              cell: (b) => (
                <Link href={`/teams/${b.slug}` as Route} className="font-medium text-blue-800 hover:underline">
                  {b.name}
                </Link>
              ),
            },
            { key: "spent", header: "Spent to date", isNumeric: true, cell: (b) => formatUsd({ cents: b.spentCents }) },
            { key: "projected", header: "Projected", isNumeric: true, cell: (b) => <span className={b.projectedCents !== null && b.projectedCents > b.budgetCents ? "font-semibold text-red-700" : undefined}>{formatUsd({ cents: b.projectedCents })}</span> },
            { key: "budget", header: "Budget", isNumeric: true, cell: (b) => formatUsd({ cents: b.budgetCents }) },
            { key: "used", header: "Used", isNumeric: true, cell: (b) => formatPercent(b.budgetCents > 0n ? Number(b.spentCents) / Number(b.budgetCents) : null) },
          ]}
        />
      </Card>
    </div>
  );
}

function TopTable({ title, items, href }: { title: string; items: TopItem[]; href?: (key: string) => string }) {
  return (
    <Card title={title}>
      {items.length === 0 ? (
        <EmptyState title="Nothing in this range" />
      ) : (
        <DataTable
          caption={title}
          rows={items}
          rowKey={(i) => i.key}
          columns={[
            {
              key: "label",
              header: "Name",
              cell: (i) =>
                href ? (
                  <Link href={href(i.key) as Route} className="font-medium text-blue-800 hover:underline">
                    {i.label}
                  </Link>
                ) : (
                  <span className="font-medium">{i.label}</span>
                ),
            },
            { key: "cost", header: "Cost in range", isNumeric: true, cell: (i) => formatUsd({ cents: i.costCents }) },
          ]}
        />
      )}
    </Card>
  );
}
