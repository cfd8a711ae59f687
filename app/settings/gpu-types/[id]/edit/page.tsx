import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { authorize } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { deleteGpuTypeAction, saveGpuTypeAction } from "@/lib/actions/gpu-types";
import { auditHistory, recordNotice } from "@/lib/db/queries/audit-history";
import { gpuTypeFormValues, settingsPrices } from "@/lib/db/queries/settings";
import { describeRecords } from "@/lib/domain/record-counts";
import { AuditHistory } from "@/components/records/audit-history";
import { DeleteRecordButton } from "@/components/records/delete-record-button";
import { NoticeBanner } from "@/components/records/notice-banner";
import { GPU_TYPE_FIELD_LABELS, GpuTypeForm } from "@/components/settings/gpu-type-form";
import { PriceCatalogTable } from "@/components/settings/settings-tables";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Edit GPU type" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditGpuTypePage({ params, searchParams }: Props) {
  const raw = (await params).id;
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) notFound();
  const viewer = await getViewer();
  // Org-managed: refused on the server for anyone who doesn't manage the org, not just hidden.
  const denied = authorize(viewer, "org:manage");
  if (denied) return deniedPage(denied, { href: "/settings", label: "Back to settings" });
  const gpuType = await gpuTypeFormValues({ viewer, id });
  if (!gpuType) notFound();
  const { counts } = gpuType;
  const isInUse = counts.runs + counts.deployments > 0;
  const priceWord = counts.prices === 1 ? "price" : "prices";
  return (
    <>
      <Breadcrumbs items={[{ href: "/settings", label: "Settings" }, { label: gpuType.name }]} />
      <NoticeBanner {...await recordNotice({ viewer, searchParams: await searchParams })} />
      <PageHeader
        title={`Edit GPU type “${gpuType.name}”`}
        description={`Used by ${describeRecords(counts)}. Saving is refused if someone else changed it since you opened it.`}
        actions={
          <>
              <ButtonLink href={`/settings/prices/new?gpuTypeId=${id}` as Route}>Add price</ButtonLink>
              {isInUse ? (
                <span className="max-w-xs text-xs text-slate-600">Can&apos;t be deleted while runs or deployments use it.</span>
              ) : (
                <DeleteRecordButton
                  action={deleteGpuTypeAction.bind(null, id)}
                  noun="GPU type"
                  name={gpuType.name}
                  consequence={counts.prices > 0 ? `Its ${counts.prices} ${priceWord} ${counts.prices === 1 ? "is" : "are"} deleted with it, and come back with Undo.` : undefined}
                />
              )}
          </>
        }
      />
      <div className="space-y-5">
        <GpuTypeForm
          action={saveGpuTypeAction.bind(null, id)}
          initialValues={gpuType.values}
          version={gpuType.version}
          timeZone={viewer.orgTimeZone}
          submitLabel="Save changes"
          cancelHref="/settings"
        />
        <Card title={`Prices (${counts.prices})`}>
            <Prices gpuTypeId={id} />
        </Card>
          <History gpuTypeId={id} />
      </div>
    </>
  );
}

async function Prices({ gpuTypeId }: { gpuTypeId: number }) {
  const viewer = await getViewer();
  const prices = (await settingsPrices({ viewer })).filter((p) => p.gpuTypeId === gpuTypeId);
  return <PriceCatalogTable prices={prices} timeZone={viewer.orgTimeZone} now={new Date()} showGpu={false} canManage />;
}

async function History({ gpuTypeId }: { gpuTypeId: number }) {
  const viewer = await getViewer();
  const entries = await auditHistory({ viewer, subjectType: "gpuType", subjectId: String(gpuTypeId) });
  return <AuditHistory entries={entries} timeZone={viewer.orgTimeZone} labels={GPU_TYPE_FIELD_LABELS} />;
}
