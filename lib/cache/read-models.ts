import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { auditHistory } from "@/lib/db/queries/audit-history";
import { budgetAlertsPanel, budgetForecasts } from "@/lib/db/queries/budgets";
import { filterOptions } from "@/lib/db/queries/catalog";
import { dashboardData, deploymentsWithMetrics, monthlyCostByTeam, trainingCharts, trainingRunsPage } from "@/lib/db/queries/dashboards";
import { costByMonth, deploymentDetail } from "@/lib/db/queries/details";
import { deploymentUsageTable } from "@/lib/db/queries/inference-records";
import { monthReport, reportMonths } from "@/lib/db/queries/reports";
import { suggestionPanelData } from "@/lib/db/queries/suggestion-states";
import { teamCoverage } from "@/lib/db/queries/teams";
import { cachedReadModel } from "./read-cache";

/**
 * The dashboards' read models through the read cache (lib/cache/read-cache.ts):
 * same arguments, same results, computed once per (access, arguments, minute)
 * until the org's next write. Pages import these instead of the queries.
 */

export const cachedDashboardData = cachedReadModel("dashboardData", dashboardData);
export const cachedTrainingCharts = cachedReadModel("trainingCharts", trainingCharts);
export const cachedTrainingRunsPage = cachedReadModel("trainingRunsPage", trainingRunsPage);
export const cachedDeploymentsWithMetrics = cachedReadModel("deploymentsWithMetrics", deploymentsWithMetrics);
export const cachedMonthlyCostByTeam = cachedReadModel("monthlyCostByTeam", monthlyCostByTeam);
export const cachedDeploymentDetail = cachedReadModel("deploymentDetail", deploymentDetail);
export const cachedCostByMonth = cachedReadModel("costByMonth", costByMonth);
export const cachedDeploymentUsageTable = cachedReadModel("deploymentUsageTable", deploymentUsageTable);
/** Audit entries are written only inside write transactions, which invalidate. */
export const cachedAuditHistory = cachedReadModel("auditHistory", auditHistory);
export const cachedMonthReport = cachedReadModel("monthReport", monthReport);
export const cachedReportMonths = cachedReadModel("reportMonths", reportMonths);
export const cachedSuggestionPanelData = cachedReadModel("suggestionPanelData", suggestionPanelData);
export const cachedBudgetAlertsPanel = cachedReadModel("budgetAlertsPanel", budgetAlertsPanel);
export const cachedBudgetForecasts = cachedReadModel("budgetForecasts", budgetForecasts);
export const cachedFilterOptions = cachedReadModel("filterOptions", filterOptions);
const coverage = cachedReadModel("teamCoverage", ({ viewer }: { viewer: Viewer }) => teamCoverage(viewer));
export const cachedTeamCoverage = (viewer: Viewer) => coverage({ viewer });
