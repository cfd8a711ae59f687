import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { bucketsBetween } from "@/lib/domain/calendar";
import { denseMeasures, denseTimeSeries, latencyPercentileMeasures, toChartData, type ChartData } from "@/lib/domain/charts/series";
import { sketchKey } from "@/lib/domain/latency-sketch";
import { AreaChart } from "./area-chart";
import { LineChart } from "./line-chart";
import { StackedBarChart } from "./stacked-bar-chart";

const timeZone = "America/New_York";
const buckets = bucketsBetween({ from: new Date("2026-11-01T04:00:00Z"), to: new Date("2026-11-04T05:00:00Z"), unit: "day", timeZone });
const [d1, d2] = buckets.map((b) => b.start) as [Date, Date];

const costData = toChartData({
  series: denseTimeSeries({
    buckets,
    rows: [
      { bucketStart: d1, groupKey: "1", groupLabel: "Research", costCents: 1_234_567n },
      { bucketStart: d2, groupKey: "2", groupLabel: "Serving", costCents: 100n },
    ],
    groupOf: (r) => r.groupKey,
    labelOf: (r) => r.groupLabel,
    fill: "zero",
    unit: "usd",
    valueOf: (r) => r.costCents,
  }),
  bucketUnit: "day",
  timeZone,
});

const latencyData = toChartData({
  series: denseMeasures({
    buckets,
    rows: [{ bucketStart: d1, p50Key: sketchKey(100), p95Key: sketchKey(200), p99Key: sketchKey(400) }],
    fill: "gap",
    unit: "ms",
    measures: latencyPercentileMeasures(),
  }),
  bucketUnit: "day",
  timeZone,
  referenceLine: { value: 500, label: "p99 SLO" },
});

const emptyData = toChartData({
  series: denseTimeSeries({ buckets, rows: [], groupOf: () => "all", labelOf: () => "All", fill: "zero", unit: "gpuHours", valueOf: () => 0n }),
  bucketUnit: "day",
  timeZone,
});

const charts = [
  { name: "StackedBarChart", component: StackedBarChart },
  { name: "LineChart", component: LineChart },
  { name: "AreaChart", component: AreaChart },
];

function render(component: (props: { data: ChartData; title: string }) => ReactElement, data: ChartData): string {
  return renderToStaticMarkup(createElement(component, { data, title: "Test chart" }));
}

describe.each(charts)("$name on the server", ({ component }) => {
  it("renders a named figure, legend and a screen-reader table with exact values", () => {
    const html = render(component, costData);
    expect(html).toContain('<figure aria-label="Test chart"');
    expect(html).toContain("Research");
    expect(html).toContain("$12,345.67");
    expect(html).toContain('<div class="sr-only"><table>');
    expect(html).toContain("Sun, Nov 1, 2026");
    expect(html).not.toContain("No data in this range");
  });

  it("renders gaps as — in the table", () => {
    const html = render(component, latencyData);
    expect(html).toContain("p99");
    expect(html).toContain("—");
  });

  it("shows the empty state when every value is zero or missing", () => {
    const html = render(component, emptyData);
    expect(html).toContain("No data in this range");
    expect(html).not.toContain("<table");
  });
});

describe("LineChart with a reference line", () => {
  it("names the SLO line in the legend, with its value, beside p50/p95/p99", () => {
    const html = render(LineChart, latencyData);
    const legend = html.slice(html.indexOf("<ul"), html.indexOf("</ul>"));
    expect(legend).toContain("p95");
    expect(legend).toContain("p99 SLO: 500 ms");
    expect(legend.match(/p99 SLO/g)).toHaveLength(1);
  });
});
