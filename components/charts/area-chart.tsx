"use client";
/**
 * One measure over time as a filled area (GPU-hours by week, tokens by
 * day). Meant for a single series; if given several it stacks sums and
 * overlays gaps, so nothing handed to it goes undrawn. Render only: a server
 * page prepares ChartData and passes it in.
 *
 *   // app/training/page.tsx (server component)
 *   const buckets = bucketsBetween({ from, to, unit: "week", timeZone });
 *   const rows = await queryLedger({ viewer, filters, from, to, unit: "week", timeZone, groupBy: "none", now });
 *   const gpuHours = denseTimeSeries({
 *     buckets, rows, fill: "zero", unit: "gpuHours",
 *     groupOf: () => "all", labelOf: () => "GPU-hours", valueOf: (r) => r.gpuMs,
 *   });
 *   const data = toChartData({ series: gpuHours, bucketUnit: "week", timeZone });
 *   return <AreaChart title="GPU-hours by week" data={data} />;
 */
import { Area, AreaChart as RechartsAreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
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
  seriesDot,
  useTickFormatters,
  valueKey,
  type ChartProps,
} from "./chart-parts";

export function AreaChart({ data, title, height = DEFAULT_CHART_HEIGHT, hasDataTable }: ChartProps) {
  const { timeTick, valueTick, allowDecimals } = useTickFormatters(data);
  const stackId = data.fill === "zero" ? "stack" : undefined;
  return (
    <ChartFrame data={data} title={title} height={height} hasDataTable={hasDataTable} marker="square">
      <RechartsAreaChart
        responsive
        accessibilityLayer
        role="img"
        aria-label={chartLabel(title, data)}
        data={data.points}
        margin={CHART_MARGIN}
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
          cursor={{ stroke: AXIS_STROKE }}
          isAnimationActive={false}
          content={({ payload }) => <ChartTooltipBody point={hoveredPoint(payload)} series={data.series} marker="square" />}
        />
        {data.series.map((s) => (
          <Area
            key={s.key}
            type="linear"
            dataKey={valueKey(s)}
            name={s.label}
            stackId={stackId}
            stroke={s.color}
            strokeWidth={2}
            fill={s.color}
            fillOpacity={0.2}
            dot={data.fill === "gap" ? seriesDot(data, s) : false}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </RechartsAreaChart>
    </ChartFrame>
  );
}
