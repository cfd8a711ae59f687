import type { Metadata } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { trainingRunsWithCost } from "@/lib/db/queries/dashboards";
import { TrainingRunsTable } from "@/components/tables/training-runs-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Training" };

export default function TrainingPage() {
  return (
    <>
      <PageHeader title="Training runs" description="Every GPU training run, newest first. Cost is GPU time at the price in effect plus storage, data and network." />
      <Card>
        <Suspense fallback={<TableSkeleton />}>
          <TrainingRuns />
        </Suspense>
      </Card>
    </>
  );
}

async function TrainingRuns() {
  const viewer = await getViewer();
  const runs = await trainingRunsWithCost({ viewer, now: new Date() });
  return <TrainingRunsTable runs={runs} timeZone={viewer.orgTimeZone} />;
}
