import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { auditHistory } from "@/lib/db/queries/audit-history";
import { budgetAlertsPanel, budgetForecasts } from "@/lib/db/queries/budgets";
import { filterOptions } from "@/lib/db/queries/catalog";
import { assembleDashboard, dashboardLedger, dashboardUsage, deploymentsWithMetrics, monthlyCostByTeam, trainingCharts, trainingRunsPage, type DashboardArgs } from "@/lib/db/queries/dashboards";
import { costByMonth, deploymentDetail } from "@/lib/db/queries/details";
import { deploymentUsageTable } from "@/lib/db/queries/inference-records";
import type { LineUsageMap } from "@/lib/db/queries/report-lines";
import {
  joinMonthReportUsage,
  monthLinesCosts,
  monthReport,
  monthReportCosts,
  monthReportUsage,
  reportMonths,
  withLinesUsage,
  type MonthReport,
  type ReportLines,
  type ReportScope,
} from "@/lib/db/queries/reports";
import { suggestionPanelData } from "@/lib/db/queries/suggestion-states";
import { loadSuggestionFacts } from "@/lib/db/queries/suggestions";
import { teamCoverage } from "@/lib/db/queries/teams";
import { cachedReadModel, floorToMinute } from "./read-cache";

/**
 * The dashboards' read models through the read cache (lib/cache/read-cache.ts):
 * same arguments, same results, computed once per (access, arguments, minute)
 * until the org's next write of what they read. Pages import these instead of
 * the queries. Those that read no usage (costs come from records and prices,
 * never from usage windows) name ["records"] or ["records", "audit"], so
 * usage ingest leaves them cached; the rest read every kind.
 */

const RECORDS = ["records"] as const;

/**
 * A join of a read model's two cached parts (its records part and its
 * traffic), memoized by the parts' entries: the same parts give the same
 * object, so a page that asks twice renders one. A null part (no traffic to
 * join) is a key of its own.
 */
function joinOnce<A extends object, B extends object | null, R>(): (a: A, b: B, join: () => R) => R {
  const byFirst = new WeakMap<A, WeakMap<object, R>>();
  const NONE = {};
  return (a, b, join) => {
    let bySecond = byFirst.get(a);
    if (!bySecond) byFirst.set(a, (bySecond = new WeakMap()));
    const key = b ?? NONE;
    let joined = bySecond.get(key);
    if (joined === undefined) bySecond.set(key, (joined = join()));
    return joined;
  };
}

const dashboardLedgerModel = cachedReadModel("dashboardLedger", dashboardLedger, RECORDS);
const dashboardUsageModel = cachedReadModel("dashboardUsage", dashboardUsage);
const assembled = joinOnce<object, object, ReturnType<typeof assembleDashboard>>();
/** The dashboards: their costs (records only) and their traffic cached apart, so a usage write recomputes only the traffic. */
export const cachedDashboardData = async (args: DashboardArgs) => {
  const [ledger, usage] = await Promise.all([dashboardLedgerModel(args), dashboardUsageModel(args)]);
  return assembled(ledger, usage, () => assembleDashboard({ ...args, now: floorToMinute(args.now) }, ledger, usage));
};
export const cachedTrainingCharts = cachedReadModel("trainingCharts", trainingCharts, RECORDS);
export const cachedTrainingRunsPage = cachedReadModel("trainingRunsPage", trainingRunsPage, RECORDS);
export const cachedDeploymentsWithMetrics = cachedReadModel("deploymentsWithMetrics", deploymentsWithMetrics);
export const cachedMonthlyCostByTeam = cachedReadModel("monthlyCostByTeam", monthlyCostByTeam, RECORDS);
export const cachedDeploymentDetail = cachedReadModel("deploymentDetail", deploymentDetail);
export const cachedCostByMonth = cachedReadModel("costByMonth", costByMonth, RECORDS);
export const cachedDeploymentUsageTable = cachedReadModel("deploymentUsageTable", deploymentUsageTable);
/** Audit entries are written only inside write transactions, which invalidate. */
export const cachedAuditHistory = cachedReadModel("auditHistory", auditHistory, ["records", "audit"]);
const monthReportModel = cachedReadModel("monthReport", monthReport);
const monthLinesModel = cachedReadModel("monthLines", monthLinesCosts, RECORDS);
// Its lines through their own entry, which month exports share.
const monthReportCostsModel = cachedReadModel(
  "monthReportCosts",
  (scope: ReportScope) => monthReportCosts(scope, monthLinesModel(scope)),
  RECORDS,
);
const monthReportUsageModel = cachedReadModel("monthReportUsage", monthReportUsage);
const joinedReport = joinOnce<MonthReport, LineUsageMap | null, MonthReport>();
/**
 * A month's report: its cents (records and prices) and its deployments'
 * traffic cached apart, like the dashboards, so usage ingest recomputes only
 * the traffic. A month that bills corrections (their lines carry usage
 * deltas) is read whole.
 */
export const cachedMonthReport = async (scope: ReportScope): Promise<MonthReport> => {
  const [costs, usage] = await Promise.all([monthReportCostsModel(scope), monthReportUsageModel(scope)]);
  return costs === null ? monthReportModel(scope) : joinedReport(costs, usage, () => joinMonthReportUsage(costs, usage));
};
export const cachedReportMonths = cachedReadModel("reportMonths", reportMonths);
// The runs' facts read no usage: cached apart, so usage ingest recomputes only the deployments' side of the panel.
const suggestionRunFacts = cachedReadModel("suggestionRunFacts", (args: Parameters<typeof loadSuggestionFacts>[0]) => loadSuggestionFacts({ ...args, part: "runs" }), RECORDS);
const suggestionDeploymentFacts = cachedReadModel("suggestionDeploymentFacts", (args: Parameters<typeof loadSuggestionFacts>[0]) =>
  loadSuggestionFacts({ ...args, part: "deployments" }),
);
const loadFactsApart: typeof loadSuggestionFacts = async (args) => {
  const [runs, deployments] = await Promise.all([suggestionRunFacts(args), suggestionDeploymentFacts(args)]);
  return { runs: runs.runs, deployments: deployments.deployments };
};
export const cachedSuggestionPanelData = cachedReadModel("suggestionPanelData", (args: Parameters<typeof suggestionPanelData>[0]) => suggestionPanelData(args, loadFactsApart));
// Forecasts from the ledger (records) ranked: no usage.
export const cachedBudgetAlertsPanel = cachedReadModel("budgetAlertsPanel", budgetAlertsPanel, RECORDS);
export const cachedBudgetForecasts = cachedReadModel("budgetForecasts", budgetForecasts, RECORDS);
export const cachedFilterOptions = cachedReadModel("filterOptions", filterOptions, RECORDS);
const coverage = cachedReadModel("teamCoverage", ({ viewer }: { viewer: Viewer }) => teamCoverage(viewer), RECORDS);
export const cachedTeamCoverage = (viewer: Viewer) => coverage({ viewer });
const joinedLines = joinOnce<ReportLines, LineUsageMap | null, ReportLines>();
/**
 * A month's lines with their traffic — what a month-granularity export
 * writes: the report page's own lines, cached apart from their traffic the
 * same way. A month that bills corrections comes from the whole report.
 */
export const cachedMonthLines = async (scope: ReportScope): Promise<ReportLines> => {
  const [lines, usage] = await Promise.all([monthLinesModel(scope), monthReportUsageModel(scope)]);
  if (lines === null) {
    const report = await cachedMonthReport(scope);
    return { period: report.period, closure: report.closure, closedElsewhere: report.closedElsewhere, charges: report.lines, corrections: report.corrections };
  }
  return joinedLines(lines, usage, () => withLinesUsage(lines, usage));
};
