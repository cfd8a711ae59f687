import type { Metadata } from "next";
import { renderMonthReport, reportMetadata, type ReportSearchParams } from "./report-route";

type Props = { params: Promise<{ month: string }>; searchParams: ReportSearchParams };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { month } = await params;
  return reportMetadata({ month });
}

/** The org's cost report for one month. */
export default async function MonthReportPage({ params, searchParams }: Props) {
  const { month } = await params;
  return renderMonthReport({ month, searchParams });
}
