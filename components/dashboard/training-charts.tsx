import type { LedgerRow } from "@/lib/db/queries/cost-ledger";
import type { TopItem } from "@/lib/db/queries/dashboards";
import type { BucketUnit } from "@/lib/domain/calendar";
import { denseTimeSeries, toChartData } from "@/lib/domain/charts/series";
import type { TimeRange } from "@/lib/domain/time-range";
import { AreaChart } from "@/components/charts/area-chart";
import { CostBars } from "@/components/charts/cost-bars";
import { Card } from "@/components/ui/card";

/** The runs page charts: cost by model and by GPU type, GPU-hours over time. */
export function TrainingCharts({
  byModel,
  byGpu,
  gpuHours,
  buckets,
  unit,
  timeZone,
}: {
  byModel: TopItem[];
  byGpu: TopItem[];
  gpuHours: LedgerRow[];
  buckets: TimeRange[];
  unit: BucketUnit;
  timeZone: string;
}) {
  const series = denseTimeSeries({
    buckets,
    rows: gpuHours,
    fill: "zero",
    unit: "gpuHours",
    groupOf: () => "all",
    labelOf: () => "GPU-hours",
    valueOf: (r) => r.gpuMs,
  });
  return (
    <div className="mb-5 grid gap-5 lg:grid-cols-3">
      <Card title="Cost by model">
        <CostBars items={byModel} emptyTitle="No training cost in this range" />
      </Card>
      <Card title="Cost by GPU type">
        <CostBars items={byGpu} emptyTitle="No training cost in this range" />
      </Card>
      <Card title={`GPU-hours by ${unit}`}>
        <div className="p-3">
          <AreaChart title={`Training GPU-hours by ${unit}`} data={toChartData({ series, bucketUnit: unit, timeZone })} height={220} />
        </div>
      </Card>
    </div>
  );
}
