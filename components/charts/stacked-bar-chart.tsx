"use client";
/**
 * Sums per bucket, stacked by series (daily cost by team, GPU-hours by
 * model). Render only: a server page prepares ChartData and passes it in.
 *
 *   // app/page.tsx (server component)
 *   const buckets = bucketsBetween({ from, to, unit: "day", timeZone });
 *   const rows = await queryLedger({ viewer, filters, from, to, unit: "day", timeZone, groupBy: "team", now });
 *   const byTeam = denseTimeSeries({
 *     buckets, rows, fill: "zero", unit: "usd",
 *     groupOf: (r) => r.groupKey, labelOf: (r) => r.groupLabel,
 *     valueOf: (r) => r.computeCostMicros + r.extraCostMicros,
 *   });
 *   const data = toChartData({ series: topNWithOther({ series: byTeam, n: 6 }), bucketUnit: "day", timeZone });
 *   return <Card title="Daily cost by team"><StackedBarChart title="Daily cost by team" data={data} /></Card>;
 */
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import {
  AXIS_STROKE,
  CHART_MARGIN,
  ChartFrame,
  ChartTooltipBody,
  DEFAULT_CHART_HEIGHT,
  GRID_STROKE,
  TICK_STYLE,
  chartLabel,
  hoveredPoint,
  useTickFormatters,
  valueKey,
  type ChartProps,
} from "./chart-parts";

const STACK_ID = "stack";

export function StackedBarChart({ data, title, height = DEFAULT_CHART_HEIGHT, hasDataTable }: ChartProps) {
  const { timeTick, valueTick, allowDecimals } = useTickFormatters(data);
  return (
    <ChartFrame data={data} title={title} height={height} hasDataTable={hasDataTable} marker="square">
      <BarChart
        responsive
        accessibilityLayer
        role="img"
        aria-label={chartLabel(title, data)}
        data={data.points}
        margin={CHART_MARGIN}
        maxBarSize={48}
        style={{ height }}
      >
        <CartesianGrid vertical={false} stroke={GRID_STROKE} />
        <XAxis
          dataKey="key"
          tickFormatter={timeTick}
          tick={TICK_STYLE}
          tickLine={false}
          axisLine={{ stroke: AXIS_STROKE }}
          interval="preserveStartEnd"
          minTickGap={16}
        />
        <YAxis width="auto" tickFormatter={valueTick} allowDecimals={allowDecimals} tick={TICK_STYLE} tickLine={false} axisLine={false} />
        <Tooltip
          cursor={{ fill: "#f1f5f9" }}
          isAnimationActive={false}
          content={({ payload }) => <ChartTooltipBody point={hoveredPoint(payload)} series={data.series} marker="square" />}
        />
        {data.series.map((s) => (
          <Bar key={s.key} dataKey={valueKey(s)} name={s.label} stackId={STACK_ID} fill={s.color} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartFrame>
  );
}
