import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Reports" };

export default function ReportsPage() {
  return <PageHeader title="Reports" description="Monthly cost reports by team and model." />;
}
