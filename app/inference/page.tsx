import type { Metadata } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { DEPLOYMENT_WINDOW_DAYS, deploymentsWithMetrics } from "@/lib/db/queries/dashboards";
import { DeploymentsTable } from "@/components/tables/deployments-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Inference" };

export default function InferencePage() {
  return (
    <>
      <PageHeader
        title="Inference deployments"
        description={`Last ${DEPLOYMENT_WINDOW_DAYS} days. A deployment costs its GPUs whether or not it serves; idle cost is the share paid for GPU time that did no work.`}
      />
      <Card>
        <Suspense fallback={<TableSkeleton />}>
          <Deployments />
        </Suspense>
      </Card>
    </>
  );
}

async function Deployments() {
  const viewer = await getViewer();
  const { rows } = await deploymentsWithMetrics({ viewer, now: new Date() });
  return <DeploymentsTable deployments={rows} />;
}
