import type { Metadata } from "next";
import { Suspense } from "react";
import { getViewer } from "@/lib/access/current-viewer";
import { listDeployments } from "@/lib/db/queries/deployments";
import { DeploymentsTable } from "@/components/tables/deployments-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Inference" };

export default function InferencePage() {
  return (
    <>
      <PageHeader title="Inference deployments" description="Serving deployments, active first." />
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
  const deployments = await listDeployments({ viewer });
  return <DeploymentsTable deployments={deployments} timeZone={viewer.orgTimeZone} now={new Date()} />;
}
