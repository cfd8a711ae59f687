import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { authorizeImport } from "@/lib/db/mutations/imports";
import { deniedPage } from "@/app/_access/denied";
import { timeZoneNames } from "@/lib/domain/time-zones";
import { importKindFromSlug } from "@/lib/import/kinds";
import { ColumnGuide } from "@/components/import/column-guide";
import { ImportWizard } from "@/components/import/import-wizard";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Import" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ImportPage({ searchParams }: { searchParams: SearchParams }) {
  const [viewer, params] = await Promise.all([getViewer(), searchParams]);
  const kind = importKindFromSlug(typeof params.kind === "string" ? params.kind : null) ?? "trainingRuns";
  const zones = timeZoneNames();
  // Importing takes team:write on some team (and on each row's team, checked as the file is).
  const denied = authorizeImport(viewer);
  if (denied) return deniedPage(denied, { href: "/training", label: "Back to training" });
  return (
    <>
      <PageHeader
        title="Import CSV"
        description="Add training runs or usage windows from a spreadsheet. Every row is checked before anything is saved, and importing the same file again updates what changed instead of duplicating it."
      />
      <div className="space-y-5">
        <ImportWizard initialKind={kind} orgTimeZone={viewer.orgTimeZone} timeZones={zones.includes(viewer.orgTimeZone) ? zones : [viewer.orgTimeZone, ...zones]} />
        <Card title="Columns">
          <ColumnGuide />
        </Card>
      </div>
    </>
  );
}
