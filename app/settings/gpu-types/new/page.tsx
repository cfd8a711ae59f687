import type { Metadata } from "next";
import { getViewer } from "@/lib/access/current-viewer";
import { authorize } from "@/lib/access/policy";
import { deniedPage } from "@/app/_access/denied";
import { saveGpuTypeAction } from "@/lib/actions/gpu-types";
import { GpuTypeForm } from "@/components/settings/gpu-type-form";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "New GPU type" };

export default async function NewGpuTypePage() {
  const viewer = await getViewer();
  // Org-managed: refused on the server for anyone who doesn't manage the org, not just hidden.
  const denied = authorize(viewer, "org:manage");
  if (denied) return deniedPage(denied, { href: "/settings", label: "Back to settings" });
  return (
    <>
      <Breadcrumbs items={[{ href: "/settings", label: "Settings" }, { label: "New GPU type" }]} />
      <PageHeader title="New GPU type" description="After saving, add its price per GPU-hour for each provider and pricing model you use." />
      <GpuTypeForm
        action={saveGpuTypeAction.bind(null, null)}
        initialValues={{ name: "", memoryGb: "", peakBf16Tflops: "", memoryBandwidthGbps: "" }}
        timeZone={viewer.orgTimeZone}
        submitLabel="Create GPU type"
        cancelHref="/settings"
      />
    </>
  );
}
