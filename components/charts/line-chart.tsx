"use client";
/**
 * Trends that are not sums: $/1M tokens, p50/p95/p99 latency, utilization.
 * A bucket without data breaks the line (nulls are never bridged). An
 * optional labelled horizontal line marks a target such as a latency SLO.
 * Render only: a server page prepares ChartData and passes it in.
 *
 *   // app/inference/page.tsx (server component)
 *   const buckets = bucketsBetween({ from, to, unit: "hour", timeZone });
 *   const { rows } = await queryUsage({ viewer, filters, from, to, unit: "hour", timeZone, groupBy: "none" });
 *   const latency = denseMeasures({ buckets, rows, fill: "gap", unit: "ms", measures: latencyPercentileMeasures() });
 *   const data = toChartData({
 *     series: latency, bucketUnit: "hour", timeZone,
 *     referenceLine: { value: deployment.p99SloMs, label: "p99 SLO" },
 *   });
 *   return <LineChart title="Latency percentiles" data={data} />;
 */
import { CartesianGrid, Line, LineChart as RechartsLineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import {
  AXIS_STROKE,
  CHART_MARGIN,
  ChartFrame,
  ChartTooltipBody,
  DEFAULT_CHART_HEIGHT,
  GRID_STROKE,
  REFERENCE_STROKE,
  TICK_STYLE,
  chartLabel,
  hoveredPoint,
  seriesDot,
  useTickFormatters,
  valueKey,
  type ChartProps,
} from "./chart-parts";

/** Room above the plot for a reference line's label when the line is the top of the axis. */
const REFERENCE_LABEL_ROOM = 18;

export function LineChart({ data, title, height = DEFAULT_CHART_HEIGHT, hasDataTable }: ChartProps) {
  const { timeTick, valueTick, allowDecimals } = useTickFormatters(data);
  return (
    <ChartFrame data={data} title={title} height={height} hasDataTable={hasDataTable} marker="line">
      <RechartsLineChart
        responsive
        accessibilityLayer
        role="img"
        aria-label={chartLabel(title, data)}
        data={data.points}
        margin={data.referenceLine === null ? CHART_MARGIN : { ...CHART_MARGIN, top: REFERENCE_LABEL_ROOM }}
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
          content={({ payload }) => <ChartTooltipBody point={hoveredPoint(payload)} series={data.series} marker="line" referenceLine={data.referenceLine} />}
        />
        {data.referenceLine !== null ? (
          <ReferenceLine
            y={data.referenceLine.value}
            stroke={REFERENCE_STROKE}
            strokeDasharray="4 4"
            ifOverflow="extendDomain"
            // A horizontal line has no height: "insideTopRight" hangs the text below the line, onto
            // the series just under it (the p95 line under a p99 SLO). "insideBottomRight" sets it on top.
            label={{ value: data.referenceLine.label, position: "insideBottomRight", fill: REFERENCE_STROKE, fontSize: 11 }}
          />
        ) : null}
        {data.series.map((s) => (
          <Line
            key={s.key}
            type="linear"
            dataKey={valueKey(s)}
            name={s.label}
            stroke={s.color}
            strokeWidth={2}
            dot={seriesDot(data, s)}
            activeDot={{ r: 4 }}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </RechartsLineChart>
    </ChartFrame>
  );
}
