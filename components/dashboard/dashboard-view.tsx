import Link from "next/link";
import type { Route } from "next";
import type { DashboardData, TopItem } from "@/lib/db/queries/dashboards";
import { bucketsBetween } from "@/lib/domain/calendar";
import { denseTimeSeries, toChartData, topNWithOther } from "@/lib/domain/charts/series";
import { formatGpuHours, formatMs, formatPercent, formatQps, formatUsdRate } from "@/lib/domain/display";
import { formatDateTime } from "@/lib/domain/labels";
import { allocateRounded, formatUsd } from "@/lib/domain/money";
import { CostBars } from "@/components/charts/cost-bars";
import { LineChart } from "@/components/charts/line-chart";
import { StackedBarChart } from "@/components/charts/stacked-bar-chart";
import { Card, Stat } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

/** The overview of an org or a team: KPIs, charts, top-N tables and budgets. */
export function DashboardView({ data, showTeams }: { data: DashboardData; showTeams: boolean }) {
  const { kpis, range, unit, timeZone } = data;
  const day = (d: Date) => formatDateTime({ instant: d, timeZone }).slice(0, 10);
  const buckets = bucketsBetween({ from: range.start, to: range.end, unit, timeZone });
  const costSeries = denseTimeSeries({
    buckets,
    rows: data.series.costByTeam,
    fill: "zero",
    unit: "usd",
    groupOf: (r) => r.groupKey,
    labelOf: (r) => r.groupLabel,
    valueOf: (r) => r.computeCostMicros + r.extraCostMicros,
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
  const isEmpty = kpis.totalMicros === 0n && kpis.gpuHours === 0;
  const change =
    kpis.change === null ? "no spend to compare with" : `${kpis.change >= 0 ? "+" : ""}${formatPercent(kpis.change)} vs ${day(kpis.comparison.start)} – ${day(new Date(kpis.comparison.end.getTime() - 1))}`;
  return (
    <div className="space-y-5">
      <p className="text-xs text-slate-500">
        {day(range.start)} – {day(new Date(range.end.getTime() - 1))} ({timeZone}), by {unit}
      </p>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Spend" value={formatUsd({ micros: kpis.totalMicros })} hint={change} />
        <Stat label="Projected month-end" value={formatUsd({ micros: kpis.projectedMonthEndMicros })} hint={kpis.projectedMonthEndMicros === null ? "For month-to-date ranges" : "At the current burn rate"} />
        <Stat label="Training" value={formatUsd({ micros: kpis.trainingMicros })} hint={kpis.totalMicros > 0n ? `${formatPercent(Number(kpis.trainingMicros) / Number(kpis.totalMicros))} of spend` : undefined} />
        <Stat label="Inference" value={formatUsd({ micros: kpis.inferenceMicros })} hint={kpis.totalMicros > 0n ? `${formatPercent(Number(kpis.inferenceMicros) / Number(kpis.totalMicros))} of spend` : undefined} />
        <Stat label="GPU-hours" value={formatGpuHours(kpis.gpuHours).replace(" GPU-h", "")} hint="GPU count × wall-clock hours" />
        <Stat label="$/1M tokens" value={formatUsdRate(kpis.costPerMillionTokensUsd)} hint="Inference cost ÷ (input + output tokens)" />
        <Stat label="QPS" value={formatQps(kpis.qps)} hint="Requests ÷ elapsed seconds" />
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
          <div className="grid gap-5 xl:grid-cols-3">
            <Card title={showTeams ? `Cost by ${unit} and team` : `Cost by ${unit}`} className="xl:col-span-2">
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
          <div className="grid gap-5 lg:grid-cols-2">
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
            </Card>
          ) : null}
        </>
      )}
      <Card title="Budget this month">
        <DataTable
          caption="Budget status per team: spent this month, projected month-end, budget"
          rows={data.budgets}
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
            { key: "spent", header: "Spent", isNumeric: true, cell: (b) => formatUsd({ micros: b.spentMicros }) },
            { key: "projected", header: "Projected", isNumeric: true, cell: (b) => <span className={b.projectedMicros !== null && b.projectedMicros > b.budgetMicros ? "font-semibold text-red-700" : undefined}>{formatUsd({ micros: b.projectedMicros })}</span> },
            { key: "budget", header: "Budget", isNumeric: true, cell: (b) => formatUsd({ micros: b.budgetMicros }) },
            { key: "used", header: "Used", isNumeric: true, cell: (b) => formatPercent(b.budgetMicros > 0n ? Number(b.spentMicros) / Number(b.budgetMicros) : null) },
          ]}
        />
      </Card>
    </div>
  );
}

function TopTable({ title, items, href }: { title: string; items: TopItem[]; href?: (key: string) => string }) {
  const cents = allocateRounded({ partsMicros: items.map((i) => i.costMicros) });
  return (
    <Card title={title}>
      {items.length === 0 ? (
        <EmptyState title="Nothing in this range" />
      ) : (
        <DataTable
          caption={title}
          rows={items.map((item, i) => ({ ...item, cents: cents.partsCents[i]! }))}
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
            { key: "cost", header: "Cost", isNumeric: true, cell: (i) => formatUsd({ cents: i.cents }) },
          ]}
        />
      )}
    </Card>
  );
}
