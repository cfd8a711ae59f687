import type { Metadata } from "next";
import { renderMonthReport, reportMetadata, type ReportSearchParams } from "../report-route";

type Props = { params: Promise<{ month: string; team: string }>; searchParams: ReportSearchParams };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { month, team } = await params;
  return reportMetadata({ month, teamSlug: team });
}

/** One team's cost report for one month (by team slug). */
export default async function TeamMonthReportPage({ params, searchParams }: Props) {
  const { month, team } = await params;
  return renderMonthReport({ month, teamSlug: team, searchParams });
}
