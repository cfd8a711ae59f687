/**
 * Chart series, prepared: ledger rows in, a plain serializable ChartData out.
 * Chart components (components/charts) only draw what this decides.
 *
 *   rows ──denseTimeSeries / denseMeasures──► exact dense series (bigint sums)
 *        ──topNWithOther (sums only)────────► N named series + "Other"
 *        ──ratioSeries (optional)───────────► per-bucket ratios (gaps)
 *        ──toChartData─────────────────────► points, keys, colors, labels, text
 *
 * Empty buckets are filled on purpose: zero for sums (cost, tokens,
 * requests, GPU-time: nothing happened, so nothing was spent), null for
 * percentiles, averages and ratios (no data is not a measurement of 0, and a
 * line must break there). Sums stay exact bigint through every step, so
 * "Other" plus the named series equals the total to the micro-dollar; they
 * become floats only in toChartData, for drawing. Charts plot floats; tables,
 * totals, tooltips and summaries never use them.
 */
import type { BucketUnit } from "../calendar";
import { sketchBucketValue } from "../latency-sketch";
import type { TimeRange } from "../time-range";
import { formatBucketLabel, formatChartValue, formatPlotValue, toPlotNumber } from "./format";
import { MAX_NAMED_SERIES, seriesColor } from "./palette";
import { durationAxisUnit, formatDuration, UNIT_LABELS, type ChartUnit, type DurationUnit, type GapUnit, type SumUnit } from "./units";

export type Fill = "zero" | "gap";

/** An additive series: exact values in the unit's base (µ$, GPU-ms, counts). */
export interface SumSeries {
  groupKey: string;
  label: string;
  values: bigint[];
  total: bigint;
  isOther: boolean;
}

export interface SumSeriesSet {
  fill: "zero";
  unit: SumUnit;
  buckets: TimeRange[];
  /** Ranked by total, largest first; "Other", if any, last. */
  series: SumSeries[];
  /** How many groups were folded into "Other". */
  foldedCount: number;
}

/** A non-additive series: one value per bucket, null where there is none. */
export interface GapSeries {
  groupKey: string;
  label: string;
  values: (number | null)[];
}

export interface GapSeriesSet {
  fill: "gap";
  unit: GapUnit;
  buckets: TimeRange[];
  /** By label for groups; in the order given for measures. */
  series: GapSeries[];
}

export type DenseSeriesSet = SumSeriesSet | GapSeriesSet;

/** Any ledger row: its bucket is identified by its start instant. */
export interface BucketedRow {
  bucketStart: Date;
}

interface RowsOptions<Row> {
  /** Every bucket of the range, dense (calendar.bucketsBetween). */
  buckets: readonly TimeRange[];
  /** Sparse rows, at most one per bucket and group for gap fills. */
  rows: readonly Row[];
}

interface GroupOptions<Row> extends RowsOptions<Row> {
  groupOf: (row: Row) => string;
  labelOf: (row: Row) => string;
}

/** Sums: several rows in one bucket and group (training + inference) add up. */
export interface SumMeasure<Row> {
  fill: "zero";
  unit: SumUnit;
  valueOf: (row: Row) => bigint;
}

/** Percentiles, averages, ratios: never combined; a duplicate cell is an error. */
export interface GapMeasure<Row> {
  fill: "gap";
  unit: GapUnit;
  valueOf: (row: Row) => number | null;
}

interface Entry<Value> {
  bucketIndex: number;
  groupKey: string;
  label: string;
  value: Value;
}

export const OTHER_GROUP_KEY = "\u0000other";

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Largest total first; ties by label, then key, so ranks never depend on row order. */
function compareByTotal(a: SumSeries, b: SumSeries): number {
  if (a.total !== b.total) return a.total > b.total ? -1 : 1;
  return compareText(a.label, b.label) || compareText(a.groupKey, b.groupKey);
}

function compareByLabel(a: GapSeries, b: GapSeries): number {
  return compareText(a.label, b.label) || compareText(a.groupKey, b.groupKey);
}

function bucketIndexer(buckets: readonly TimeRange[]): (row: BucketedRow) => number {
  const indexByStart = new Map(buckets.map((bucket, index) => [bucket.start.getTime(), index]));
  return (row) => {
    const index = indexByStart.get(row.bucketStart.getTime());
    // Dropping the row would silently lose cost: the query and the buckets disagree.
    if (index === undefined) throw new RangeError(`Row at ${row.bucketStart.toISOString()} does not start any of the chart's buckets`);
    return index;
  };
}

function sumSeries(bucketCount: number, entries: Iterable<Entry<bigint>>, seedGroups: readonly { key: string; label: string }[]): SumSeries[] {
  const byKey = new Map<string, SumSeries>();
  const seriesFor = (groupKey: string, label: string): SumSeries => {
    let series = byKey.get(groupKey);
    if (series === undefined) {
      series = { groupKey, label, values: Array.from({ length: bucketCount }, () => 0n), total: 0n, isOther: false };
      byKey.set(groupKey, series);
    }
    return series;
  };
  for (const group of seedGroups) seriesFor(group.key, group.label);
  for (const entry of entries) {
    const series = seriesFor(entry.groupKey, entry.label);
    series.values[entry.bucketIndex] = (series.values[entry.bucketIndex] ?? 0n) + entry.value;
    series.total += entry.value;
  }
  return [...byKey.values()];
}

function gapSeries(bucketCount: number, entries: Iterable<Entry<number | null>>, seedGroups: readonly { key: string; label: string }[]): GapSeries[] {
  const byKey = new Map<string, { series: GapSeries; isSeen: boolean[] }>();
  const seriesFor = (groupKey: string, label: string) => {
    let found = byKey.get(groupKey);
    if (found === undefined) {
      found = {
        series: { groupKey, label, values: Array.from({ length: bucketCount }, () => null) },
        isSeen: Array.from({ length: bucketCount }, () => false),
      };
      byKey.set(groupKey, found);
    }
    return found;
  };
  for (const group of seedGroups) seriesFor(group.key, group.label);
  for (const entry of entries) {
    const { series, isSeen } = seriesFor(entry.groupKey, entry.label);
    if (isSeen[entry.bucketIndex]) {
      throw new RangeError(`Two values for "${entry.groupKey}" in one bucket: percentiles and ratios cannot be combined; group the query by the series`);
    }
    if (entry.value !== null && !Number.isFinite(entry.value)) {
      throw new RangeError(`Not a finite value for "${entry.groupKey}": ${entry.value}`);
    }
    isSeen[entry.bucketIndex] = true;
    series.values[entry.bucketIndex] = entry.value;
  }
  return [...byKey.values()].map((found) => found.series);
}

/**
 * One series per group, one value per bucket. Sums (`fill: "zero"`, bigint
 * values) are added up per cell and ranked by total; gaps (`fill: "gap"`)
 * must have at most one row per cell and are ordered by label.
 */
export function denseTimeSeries<Row extends BucketedRow>(options: GroupOptions<Row> & SumMeasure<Row>): SumSeriesSet;
export function denseTimeSeries<Row extends BucketedRow>(options: GroupOptions<Row> & GapMeasure<Row>): GapSeriesSet;
export function denseTimeSeries<Row extends BucketedRow>(
  options: GroupOptions<Row> & (SumMeasure<Row> | GapMeasure<Row>),
): DenseSeriesSet {
  const buckets = [...options.buckets];
  const indexOf = bucketIndexer(buckets);
  const { rows, groupOf, labelOf } = options;
  if (options.fill === "zero") {
    const { valueOf } = options;
    const entries = rows.map((row) => ({ bucketIndex: indexOf(row), groupKey: groupOf(row), label: labelOf(row), value: valueOf(row) }));
    return { fill: "zero", unit: options.unit, buckets, series: sumSeries(buckets.length, entries, []).sort(compareByTotal), foldedCount: 0 };
  }
  const { valueOf } = options;
  const entries = rows.map((row) => ({ bucketIndex: indexOf(row), groupKey: groupOf(row), label: labelOf(row), value: valueOf(row) }));
  return { fill: "gap", unit: options.unit, buckets, series: gapSeries(buckets.length, entries, []).sort(compareByLabel) };
}

export interface MeasureDefinition<Row, Value> {
  key: string;
  label: string;
  valueOf: (row: Row) => Value;
}

interface MeasuresOptions<Row> extends RowsOptions<Row> {
  /** Rows of one group (groupBy "none" or a filter): one series per measure. */
  rows: readonly Row[];
}

/**
 * Several measures of the same rows as series, in the order given (their
 * colors follow that order): p50/p95/p99 latency, compute vs extra cost.
 * Every measure gets a series even when it has no data.
 */
export function denseMeasures<Row extends BucketedRow>(
  options: MeasuresOptions<Row> & { fill: "zero"; unit: SumUnit; measures: readonly MeasureDefinition<Row, bigint>[] },
): SumSeriesSet;
export function denseMeasures<Row extends BucketedRow>(
  options: MeasuresOptions<Row> & { fill: "gap"; unit: GapUnit; measures: readonly MeasureDefinition<Row, number | null>[] },
): GapSeriesSet;
export function denseMeasures<Row extends BucketedRow>(
  options: MeasuresOptions<Row> &
    (
      | { fill: "zero"; unit: SumUnit; measures: readonly MeasureDefinition<Row, bigint>[] }
      | { fill: "gap"; unit: GapUnit; measures: readonly MeasureDefinition<Row, number | null>[] }
    ),
): DenseSeriesSet {
  const buckets = [...options.buckets];
  const indexOf = bucketIndexer(buckets);
  const seeds = options.measures.map((m) => ({ key: m.key, label: m.label }));
  if (new Set(seeds.map((s) => s.key)).size !== seeds.length) throw new RangeError("Measure keys must be unique");
  if (options.fill === "zero") {
    const entries = options.rows.flatMap((row) =>
      options.measures.map((m) => ({ bucketIndex: indexOf(row), groupKey: m.key, label: m.label, value: m.valueOf(row) })),
    );
    return { fill: "zero", unit: options.unit, buckets, series: sumSeries(buckets.length, entries, seeds), foldedCount: 0 };
  }
  const entries = options.rows.flatMap((row) =>
    options.measures.map((m) => ({ bucketIndex: indexOf(row), groupKey: m.key, label: m.label, value: m.valueOf(row) })),
  );
  return { fill: "gap", unit: options.unit, buckets, series: gapSeries(buckets.length, entries, seeds) };
}

/** Sketch keys as rows carry them (usage-ledger UsageRow). */
export interface LatencyKeys {
  p50Key: number | null;
  p95Key: number | null;
  p99Key: number | null;
}

/** p50/p95/p99 in ms from each row's sketch keys, for denseMeasures with fill "gap", unit "ms". */
export function latencyPercentileMeasures<Row extends LatencyKeys>(): MeasureDefinition<Row, number | null>[] {
  const valueOfKey = (key: number | null) => (key === null ? null : sketchBucketValue(key));
  return [
    { key: "p50", label: "p50", valueOf: (row) => valueOfKey(row.p50Key) },
    { key: "p95", label: "p95", valueOf: (row) => valueOfKey(row.p95Key) },
    { key: "p99", label: "p99", valueOf: (row) => valueOfKey(row.p99Key) },
  ];
}

/**
 * Keeps the `n` largest series by total and adds the rest, bucket by bucket,
 * into one "Other (k)" series, so named + Other = total exactly. Only for
 * sums: the type accepts SumSeriesSet alone, because an "Other" of
 * percentiles or ratios would need the underlying distributions, not the
 * series.
 */
export function topNWithOther({ series: set, n, otherLabel = "Other" }: { series: SumSeriesSet; n: number; otherLabel?: string }): SumSeriesSet {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
  const named = set.series.filter((s) => !s.isOther).sort(compareByTotal);
  const previousOther = set.series.filter((s) => s.isOther);
  if (named.length <= n) return { ...set, series: [...named, ...previousOther] };
  const folded = [...named.slice(n), ...previousOther];
  const foldedCount = set.foldedCount + named.length - n;
  const values = set.buckets.map((_, i) => folded.reduce((sum, s) => sum + (s.values[i] ?? 0n), 0n));
  const other: SumSeries = {
    groupKey: OTHER_GROUP_KEY,
    label: `${otherLabel} (${foldedCount})`,
    values,
    total: values.reduce((sum, v) => sum + v, 0n),
    isOther: true,
  };
  return { ...set, series: [...named.slice(0, n), other], foldedCount };
}

/**
 * Per bucket and group: numerator ÷ denominator × scale, null where the
 * denominator is 0 (no tokens: no $/1M tokens, not $0 or ∞). Groups are
 * matched by key; a group missing on one side counts as 0 there.
 *
 * $ per 1M tokens from cost (µ$) and tokens: scale 1, since
 * µ$ per token = $ per 1M tokens. An error rate from errors and requests:
 * unit "percent", scale 1.
 *
 * Pass unfolded sets: a ratio of two "Other"s is only meaningful if both
 * folded the same groups, so topNWithOther belongs after, not before.
 */
export function ratioSeries({
  numerator,
  denominator,
  unit,
  scale = 1,
}: {
  numerator: SumSeriesSet;
  denominator: SumSeriesSet;
  unit: GapUnit;
  scale?: number;
}): GapSeriesSet {
  const sameBuckets =
    numerator.buckets.length === denominator.buckets.length &&
    numerator.buckets.every((b, i) => b.start.getTime() === denominator.buckets[i]?.start.getTime());
  if (!sameBuckets) throw new RangeError("Numerator and denominator must have the same buckets");
  if (numerator.foldedCount > 0 || denominator.foldedCount > 0) throw new RangeError("ratioSeries needs series not yet folded into Other");
  const byKey = new Map<string, { label: string; numerator?: SumSeries; denominator?: SumSeries }>();
  for (const s of numerator.series) byKey.set(s.groupKey, { label: s.label, numerator: s });
  for (const s of denominator.series) byKey.set(s.groupKey, { label: s.label, ...byKey.get(s.groupKey), denominator: s });
  const series = [...byKey].map(([groupKey, pair]) => ({
    groupKey,
    label: pair.label,
    values: numerator.buckets.map((_, i) => {
      const over = pair.denominator?.values[i] ?? 0n;
      if (over <= 0n) return null;
      return (Number(pair.numerator?.values[i] ?? 0n) / Number(over)) * scale;
    }),
  }));
  return { fill: "gap", unit, buckets: [...numerator.buckets], series: series.sort(compareByLabel) };
}

/** Safe as an object key and a Recharts dataKey: "s0", "s1", …, "other". */
export type SeriesKey = `s${number}` | "other";

export interface ChartSeries {
  key: SeriesKey;
  label: string;
  color: string;
  isOther: boolean;
  /** Exact total over the range for sums ("$12,345.67"); null for gaps. */
  totalText: string | null;
  /**
   * Points with a gap (or the range's edge) on both sides: a line cannot show
   * them, so they need a dot even when the line has none.
   */
  loneIndexes: number[];
}

export interface ChartPoint {
  /** The bucket's start instant (ISO): unique, the x value. */
  key: string;
  /** Short label for the time axis: "14:00", "Nov 3", "Nov 2026". */
  axisLabel: string;
  /** Full label for tooltips and the data table: "Tue, Nov 3, 2026". */
  tooltipLabel: string;
  /** What is drawn, by series key: dollars, hours, counts, ms…; null = gap. */
  values: Partial<Record<SeriesKey, number | null>>;
  /** Exact text per series key ("$1,234.56", "—"). */
  texts: Partial<Record<SeriesKey, string>>;
  /** The bucket's exact total for sums; null for gaps. */
  totalText: string | null;
}

export interface ReferenceLineData {
  value: number;
  /** "p99 SLO: 500 ms" */
  label: string;
}

/**
 * Everything a chart component needs, as plain JSON (no bigint, Date or
 * functions), so a server page can hand it to a client component.
 */
export interface ChartData {
  unit: ChartUnit;
  /** Caption for the value axis: "US dollars", "GPU-hours". */
  unitLabel: string;
  fill: Fill;
  series: ChartSeries[];
  points: ChartPoint[];
  /** Every drawn value is null or zero: show the empty state instead. */
  isEmpty: boolean;
  /** One-paragraph text alternative for screen readers. */
  summary: string;
  /** Exact total over all series and buckets for sums; null for gaps. */
  totalText: string | null;
  /** Sum groups folded into "Other". */
  foldedSeriesCount: number;
  /** Gap series not drawn because there are more than colors. */
  omittedSeriesCount: number;
  referenceLine: ReferenceLineData | null;
  /** Latency charts: the one unit of the axis, tooltips and reference line (durationAxisUnit); null otherwise. */
  durationUnit: DurationUnit | null;
  /** Says what was folded or left out ("The 7 largest of 12 are shown; …"), or null. */
  note: string | null;
  /** Few enough buckets that every point gets a dot. */
  hasDots: boolean;
}

function seriesKey(index: number, isOther: boolean): SeriesKey {
  return isOther ? "other" : `s${index}`;
}

const MAX_POINTS_WITH_DOTS = 48;

function loneIndexes(values: readonly (number | null)[]): number[] {
  return values.flatMap((v, i) => (v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null ? [i] : []));
}

/** Sums are exact in their base unit (cents for money, money.ts rule 6), so a total is the sum of its parts. */
function sumTexts(unit: SumUnit, parts: readonly bigint[]): { parts: string[]; total: string } {
  return {
    parts: parts.map((value) => formatChartValue({ unit, value })),
    total: formatChartValue({ unit, value: parts.reduce((sum, v) => sum + v, 0n) }),
  };
}

const BUCKET_NOUNS: Record<BucketUnit, [string, string]> = {
  hour: ["hour", "hours"],
  day: ["day", "days"],
  week: ["week", "weeks"],
  month: ["month", "months"],
};

function periodText(points: readonly ChartPoint[], bucketUnit: BucketUnit, timeZone: string): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return "No buckets.";
  const [one, many] = BUCKET_NOUNS[bucketUnit];
  const count = `${points.length} ${points.length === 1 ? one : many}`;
  const span = first === last ? first.tooltipLabel : `${first.tooltipLabel} to ${last.tooltipLabel}`;
  return `${count}, ${span} (${timeZone} time).`;
}

/**
 * The last step: stable keys ("s0"…, "other"), colors by rank, time labels
 * in the reporting zone, exact texts, and the numbers Recharts draws. Sums
 * with more groups than colors are folded into "Other" here if the caller
 * hasn't; gap series beyond the palette are left out and counted.
 */
export function toChartData({
  series: set,
  bucketUnit,
  timeZone,
  referenceLine,
  noDataBuckets,
}: {
  series: DenseSeriesSet;
  bucketUnit: BucketUnit;
  timeZone: string;
  /** A labelled horizontal line in the chart's unit, e.g. an SLO in ms. */
  referenceLine?: { value: number; label: string };
  /**
   * Per bucket: true where the measure was not recorded at all (no usage
   * records). Those buckets are a gap reading "No data", never 0: a sum there
   * is unknown, not nothing.
   */
  noDataBuckets?: readonly boolean[];
}): ChartData {
  const labels = set.buckets.map((bucket) => ({
    key: bucket.start.toISOString(),
    axisLabel: formatBucketLabel({ start: bucket.start, unit: bucketUnit, timeZone, style: "axis" }),
    tooltipLabel: formatBucketLabel({ start: bucket.start, unit: bucketUnit, timeZone, style: "full" }),
  }));
  // One unit for a whole latency axis, from its largest value or the reference line (which widens the axis).
  const durationUnit =
    set.unit === "ms" ? durationAxisUnit([...set.series.flatMap((s) => s.values), referenceLine?.value ?? null]) : null;
  const valueText = (value: number) =>
    durationUnit === null ? formatPlotValue(set.unit, value) : formatDuration({ ms: value, unit: durationUnit, style: "exact" });
  const reference = referenceLine === undefined ? null : { value: referenceLine.value, label: `${referenceLine.label}: ${valueText(referenceLine.value)}` };
  const data = set.fill === "zero" ? sumChartData(set, labels, bucketUnit, timeZone, reference) : gapChartData(set, labels, bucketUnit, timeZone, reference, durationUnit);
  return noDataBuckets === undefined ? data : withNoData(data, noDataBuckets, bucketUnit);
}

const NO_DATA_TEXT = "No data";

/** Marks unrecorded buckets: nothing drawn, "No data" in tooltips and the data table, and said in the summary. */
function withNoData(data: ChartData, noDataBuckets: readonly boolean[], bucketUnit: BucketUnit): ChartData {
  if (noDataBuckets.length !== data.points.length) throw new RangeError("noDataBuckets must have one entry per bucket");
  const missing = noDataBuckets.filter(Boolean).length;
  if (missing === 0) return data;
  const points = data.points.map((point, i) => {
    if (!noDataBuckets[i]) return point;
    const values: ChartPoint["values"] = {};
    const texts: ChartPoint["texts"] = {};
    for (const s of data.series) {
      values[s.key] = null;
      texts[s.key] = NO_DATA_TEXT;
    }
    return { ...point, values, texts, totalText: data.fill === "zero" ? NO_DATA_TEXT : null };
  });
  const [one, many] = BUCKET_NOUNS[bucketUnit];
  const series = data.series.map((s) => ({ ...s, loneIndexes: loneIndexes(points.map((p) => p.values[s.key] ?? null)) }));
  return {
    ...data,
    series,
    points,
    summary: `${data.summary} No usage records in ${missing} of ${points.length} ${points.length === 1 ? one : many}.`,
  };
}

type BucketLabels = Pick<ChartPoint, "key" | "axisLabel" | "tooltipLabel">[];

function foldedNote(set: SumSeriesSet): string | null {
  if (set.foldedCount === 0) return null;
  const named = set.series.filter((s) => !s.isOther).length;
  const other = set.series.find((s) => s.isOther);
  return `The ${named} largest of ${named + set.foldedCount} are shown; the rest are in “${other?.label ?? "Other"}”.`;
}

function sumChartData(
  input: SumSeriesSet,
  labels: BucketLabels,
  bucketUnit: BucketUnit,
  timeZone: string,
  referenceLine: ReferenceLineData | null,
): ChartData {
  const namedCount = input.series.filter((s) => !s.isOther).length;
  const set = namedCount > MAX_NAMED_SERIES ? topNWithOther({ series: input, n: MAX_NAMED_SERIES }) : input;
  const unit = set.unit;
  const totals = sumTexts(unit, set.series.map((s) => s.total));
  const series: ChartSeries[] = set.series.map((s, rank) => ({
    key: seriesKey(rank, s.isOther),
    label: s.label,
    color: seriesColor({ rank, isOther: s.isOther }),
    isOther: s.isOther,
    totalText: totals.parts[rank] ?? null,
    // Sums have no gaps; a one-bucket range is drawn with dots (hasDots).
    loneIndexes: [],
  }));
  const points: ChartPoint[] = labels.map((label, i) => {
    const cells = set.series.map((s) => s.values[i] ?? 0n);
    const texts = sumTexts(unit, cells);
    const point: ChartPoint = { ...label, values: {}, texts: {}, totalText: texts.total };
    series.forEach((s, j) => {
      point.values[s.key] = toPlotNumber(unit, cells[j] ?? 0n);
      point.texts[s.key] = texts.parts[j] ?? "—";
    });
    return point;
  });
  const isEmpty = set.series.every((s) => s.values.every((v) => v === 0n));
  const breakdown = series.map((s) => `${s.label} ${s.totalText ?? "—"}`).join("; ");
  const summary = isEmpty
    ? `No data in this range. ${periodText(points, bucketUnit, timeZone)}`
    : `${periodText(points, bucketUnit, timeZone)} Total ${totals.total}${series.length > 1 ? `: ${breakdown}.` : "."}`;
  return {
    unit,
    unitLabel: UNIT_LABELS[unit],
    fill: "zero",
    series,
    points,
    isEmpty,
    summary,
    totalText: totals.total,
    foldedSeriesCount: set.foldedCount,
    omittedSeriesCount: 0,
    referenceLine,
    durationUnit: null,
    note: foldedNote(set),
    hasDots: points.length <= MAX_POINTS_WITH_DOTS,
  };
}

function gapChartData(
  set: GapSeriesSet,
  labels: BucketLabels,
  bucketUnit: BucketUnit,
  timeZone: string,
  referenceLine: ReferenceLineData | null,
  durationUnit: DurationUnit | null,
): ChartData {
  const unit = set.unit;
  // Latency texts in the axis' unit, so a tooltip reads as its axis does.
  const text = (value: number | null) =>
    durationUnit === null ? formatChartValue({ unit, value }) : formatDuration({ ms: value, unit: durationUnit, style: "exact" });
  const drawn = set.series.slice(0, MAX_NAMED_SERIES);
  const series: ChartSeries[] = drawn.map((s, rank) => ({
    key: seriesKey(rank, false),
    label: s.label,
    color: seriesColor({ rank, isOther: false }),
    isOther: false,
    totalText: null,
    loneIndexes: loneIndexes(s.values),
  }));
  const points: ChartPoint[] = labels.map((label, i) => {
    const point: ChartPoint = { ...label, values: {}, texts: {}, totalText: null };
    series.forEach((s, j) => {
      const value = drawn[j]?.values[i] ?? null;
      point.values[s.key] = value;
      point.texts[s.key] = text(value);
    });
    return point;
  });
  const isEmpty = drawn.every((s) => s.values.every((v) => v === null || v === 0));
  const ranges = drawn.map((s) => {
    const present = s.values.filter((v): v is number => v !== null);
    if (present.length === 0) return `${s.label} no data`;
    const low = text(Math.min(...present));
    const high = text(Math.max(...present));
    const missing = s.values.length - present.length;
    return `${s.label} ${low === high ? low : `${low} to ${high}`}${missing > 0 ? ` (no data in ${missing} of ${s.values.length})` : ""}`;
  });
  const omittedSeriesCount = set.series.length - drawn.length;
  const parts = [
    periodText(points, bucketUnit, timeZone),
    isEmpty ? "No data in this range." : `${ranges.join("; ")}.`,
    referenceLine === null ? "" : `Reference line ${referenceLine.label}.`,
    omittedSeriesCount > 0 ? `${omittedSeriesCount} more series not shown.` : "",
  ];
  return {
    unit,
    unitLabel: durationUnit === "s" ? "Seconds" : UNIT_LABELS[unit],
    fill: "gap",
    series,
    points,
    isEmpty,
    summary: parts.filter((p) => p !== "").join(" "),
    totalText: null,
    foldedSeriesCount: 0,
    omittedSeriesCount,
    referenceLine,
    durationUnit,
    note: omittedSeriesCount > 0 ? `${drawn.length} of ${set.series.length} series are shown.` : null,
    hasDots: points.length <= MAX_POINTS_WITH_DOTS,
  };
}
