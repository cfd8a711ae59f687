import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { countRecords } from "@/lib/db/queries/catalog";
import { Stat } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="What the organization spends on GPUs, and what it gets." />
      <Suspense fallback={<Skeleton className="h-24 w-full" />}>
        <Counts />
      </Suspense>
    </>
  );
}

async function Counts() {
  const viewer = await getViewer();
  const counts = await countRecords({ viewer });
  const n = (v: number) => v.toLocaleString("en-US");
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <Stat label="Teams" value={n(counts.teams)} />
      <Stat label="Training runs" value={n(counts.trainingRuns)} />
      <Stat label="Deployments" value={n(counts.deployments)} />
      <Stat label="Usage windows" value={n(counts.usageWindows)} />
    </div>
  );
}
