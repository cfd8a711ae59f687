import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { can } from "@/lib/access/viewer";
import { timeZoneNames } from "@/lib/domain/time-zones";
import { importKindFromSlug } from "@/lib/import/kinds";
import { ColumnGuide } from "@/components/import/column-guide";
import { ImportWizard } from "@/components/import/import-wizard";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Import" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ImportPage({ searchParams }: { searchParams: SearchParams }) {
  const [viewer, params] = await Promise.all([getViewer(), searchParams]);
  const kind = importKindFromSlug(typeof params.kind === "string" ? params.kind : null) ?? "trainingRuns";
  const zones = timeZoneNames();
  return (
    <>
      <PageHeader
        title="Import CSV"
        description="Add training runs or usage windows from a spreadsheet. Every row is checked before anything is saved, and importing the same file again updates what changed instead of duplicating it."
      />
      {can(viewer, "write") ? (
        <div className="space-y-5">
          <ImportWizard initialKind={kind} orgTimeZone={viewer.orgTimeZone} timeZones={zones.includes(viewer.orgTimeZone) ? zones : [viewer.orgTimeZone, ...zones]} />
          <Card title="Columns">
            <ColumnGuide />
          </Card>
        </div>
      ) : (
        <Card>
          <EmptyState title="Your role can view records but not import them">Ask an admin for write access.</EmptyState>
        </Card>
      )}
    </>
  );
}
