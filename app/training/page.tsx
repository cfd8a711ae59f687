import type { Metadata } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { listTrainingRuns } from "@/lib/db/queries/training-runs";
import { TrainingRunsTable } from "@/components/tables/training-runs-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Training" };

export default function TrainingPage() {
  return (
    <>
      <PageHeader title="Training runs" description="Every GPU training run, newest first." />
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
  const runs = await listTrainingRuns({ viewer });
  return <TrainingRunsTable runs={runs} timeZone={viewer.orgTimeZone} />;
}
