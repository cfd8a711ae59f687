/**
 * What every chart shares around its Recharts core: the figure, the empty
 * state, the legend, the tooltip body and a data table for screen readers.
 * Every string shown here comes ready-made in ChartData (lib/domain/charts);
 * only value-axis ticks are formatted in the browser, because Recharts picks
 * tick values there.
 */
import { useCallback, useMemo, type ReactNode } from "react";
import type { DotItemDotProps } from "recharts";
import { EmptyState } from "@/components/ui/empty-state";
import type { ChartData, ChartPoint, ChartSeries, ReferenceLineData } from "@/lib/domain/charts/series";
import { allowsDecimalTicks, formatAxisTick, type ChartUnit } from "@/lib/domain/charts/units";

export const DEFAULT_CHART_HEIGHT = 280;

// Quiet frame (slate), so the series carry the color.
export const GRID_STROKE = "#e2e8f0"; // slate-200
export const AXIS_STROKE = "#cbd5e1"; // slate-300
export const TICK_STYLE = { fontSize: 11, fill: "#64748b" } as const; // slate-500
export const CHART_MARGIN = { top: 8, right: 8, bottom: 0, left: 0 } as const;

/** Reference lines (an SLO) are dashed red: they read as a limit, 6:1 on white (red-700). */
export const REFERENCE_STROKE = "#b91c1c";

/** Props every chart takes from a server page. All plain data: no functions. */
export interface ChartProps {
  data: ChartData;
  /** The chart's accessible name, e.g. "Daily cost by team". */
  title: string;
  /** Plot height in px; the width follows the container (phone to laptop). */
  height?: number;
  /** A visually hidden table of every value, for screen readers. Default true. */
  hasDataTable?: boolean;
}

/** Recharts dataKey of a series inside a ChartPoint. */
export function valueKey(series: ChartSeries): string {
  return `values.${series.key}`;
}

/** The accessible name Recharts' SVG gets (role="img"). */
export function chartLabel(title: string, data: ChartData): string {
  return `${title}. ${data.summary}`;
}

/** Tick formatters for the time axis (prepared labels by bucket key) and the value axis. */
export function useTickFormatters(data: ChartData): {
  timeTick: (key: string) => string;
  valueTick: (value: number) => string;
  allowDecimals: boolean;
} {
  const labels = useMemo(() => new Map(data.points.map((p) => [p.key, p.axisLabel])), [data.points]);
  const timeTick = useCallback((key: string) => labels.get(key) ?? "", [labels]);
  const unit: ChartUnit = data.unit;
  // Latency: one unit (ms or s) for every tick of the axis, as the tooltips use.
  const durationUnit = data.durationUnit ?? undefined;
  const valueTick = useCallback((value: number) => formatAxisTick(unit, value, durationUnit), [unit, durationUnit]);
  return { timeTick, valueTick, allowDecimals: allowsDecimalTicks(unit) };
}

const DOT_RADIUS = 2.5;

/**
 * Dots on a line: on every point when there are few, otherwise only where a
 * value stands alone between gaps and the line alone would not show it.
 */
export function seriesDot(data: ChartData, series: ChartSeries): false | { r: number; fill: string; strokeWidth: number } | ((props: DotItemDotProps) => ReactNode) {
  if (data.hasDots) return { r: DOT_RADIUS, fill: series.color, strokeWidth: 0 };
  if (series.loneIndexes.length === 0) return false;
  const lone = new Set(series.loneIndexes);
  return function LoneDot({ cx, cy, index }: DotItemDotProps) {
    if (!lone.has(index) || cx === undefined || cy === undefined) return null;
    return <circle key={index} cx={cx} cy={cy} r={DOT_RADIUS} fill={series.color} />;
  };
}

type Marker = "square" | "line";

function Swatch({ color, marker }: { color: string; marker: Marker }) {
  return (
    <span
      aria-hidden="true"
      className={marker === "line" ? "inline-block h-0.5 w-3 shrink-0 rounded-full" : "inline-block h-2.5 w-2.5 shrink-0 rounded-sm"}
      style={{ backgroundColor: color }}
    />
  );
}

/** The dashed red swatch of a reference line, as drawn. */
function ReferenceSwatch() {
  return <span aria-hidden="true" className="inline-block w-3 shrink-0 border-t-2 border-dashed" style={{ borderColor: REFERENCE_STROKE }} />;
}

export function ChartLegend({ series, marker, referenceLine = null }: { series: ChartSeries[]; marker: Marker; referenceLine?: ReferenceLineData | null }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
      {series.map((s) => (
        <li key={s.key} className="flex min-w-0 items-center gap-1.5">
          <Swatch color={s.color} marker={marker} />
          <span className="truncate">{s.label}</span>
          {s.totalText !== null ? <span className="tabular-nums text-slate-500">{s.totalText}</span> : null}
        </li>
      ))}
      {referenceLine !== null ? (
        <li className="flex min-w-0 items-center gap-1.5">
          <ReferenceSwatch />
          <span className="truncate">{referenceLine.label}</span>
        </li>
      ) : null}
    </ul>
  );
}

/** Tooltip body: the bucket's full label, each series' exact value, and the bucket total for sums. */
export function ChartTooltipBody({
  point,
  series,
  marker,
  referenceLine = null,
}: {
  point: ChartPoint | undefined;
  series: ChartSeries[];
  marker: Marker;
  referenceLine?: ReferenceLineData | null;
}) {
  if (point === undefined) return null;
  const isTotalShown = point.totalText !== null && series.length > 1;
  return (
    <div className="max-w-[18rem] rounded-lg border border-slate-200 bg-white px-3 py-2 text-xs text-slate-700 shadow-sm">
      <p className="mb-1 font-medium text-slate-900">{point.tooltipLabel}</p>
      <table className="w-full border-collapse">
        <tbody>
          {series.map((s) => (
            <tr key={s.key}>
              <td className="py-0.5 pr-3">
                <span className="flex items-center gap-1.5">
                  <Swatch color={s.color} marker={marker} />
                  <span className="truncate">{s.label}</span>
                </span>
              </td>
              <td className="py-0.5 text-right tabular-nums">{point.texts[s.key] ?? "—"}</td>
            </tr>
          ))}
          {referenceLine !== null ? (
            <tr className="border-t border-slate-200 text-slate-500">
              <td colSpan={2} className="pt-1">
                <span className="flex items-center gap-1.5">
                  <ReferenceSwatch />
                  <span className="truncate">{referenceLine.label}</span>
                </span>
              </td>
            </tr>
          ) : null}
          {isTotalShown ? (
            <tr className="border-t border-slate-200 font-medium text-slate-900">
              <td className="pt-1 pr-3">Total</td>
              <td className="pt-1 text-right tabular-nums">{point.totalText}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

/** Recharts hands the hovered data point back as `payload[i].payload`. */
export function hoveredPoint(payload: ReadonlyArray<{ payload?: unknown }> | undefined): ChartPoint | undefined {
  return payload?.[0]?.payload as ChartPoint | undefined;
}

function ChartDataTable({ data, title }: { data: ChartData; title: string }) {
  const hasTotal = data.series.length > 1 && data.points.some((p) => p.totalText !== null);
  // sr-only on a wrapper: a table box ignores width and overflow, so the
  // class on <table> itself would still widen the page on a phone.
  return (
    <div className="sr-only">
      <table>
        <caption>{`${title}, values by period`}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {data.series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
            {hasTotal ? <th scope="col">Total</th> : null}
          </tr>
        </thead>
        <tbody>
          {data.points.map((p) => (
            <tr key={p.key}>
              <th scope="row">{p.tooltipLabel}</th>
              {data.series.map((s) => (
                <td key={s.key}>{p.texts[s.key] ?? "—"}</td>
              ))}
              {hasTotal ? <td>{p.totalText}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The figure around a chart. The SVG itself carries role="img" and the
 * summary (set on the Recharts chart): a role="img" wrapper around it would
 * hide the keyboard-focusable chart inside an image, which axe reports as
 * nested-interactive. Before hydration, and for screen readers, the
 * figure's name and the hidden table say the same.
 */
export function ChartFrame({
  data,
  title,
  height = DEFAULT_CHART_HEIGHT,
  hasDataTable = true,
  marker,
  children,
}: ChartProps & { marker: Marker; children: ReactNode }) {
  return (
    <figure aria-label={title} className="relative m-0 w-full min-w-0">
      {data.isEmpty ? (
        <div className="flex items-center justify-center rounded-lg border border-dashed border-slate-200" style={{ height }}>
          <EmptyState title="No data in this range" />
        </div>
      ) : (
        <>
          <p aria-hidden="true" className="mb-1 text-xs text-slate-500">
            {data.unitLabel}
          </p>
          {children}
          <ChartLegend series={data.series} marker={marker} referenceLine={data.referenceLine} />
          {hasDataTable ? <ChartDataTable data={data} title={title} /> : null}
        </>
      )}
      {data.note !== null ? <figcaption className="mt-1 text-xs text-slate-500">{data.note}</figcaption> : null}
    </figure>
  );
}
