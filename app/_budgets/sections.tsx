import { Suspense } from "react";
import type { Viewer } from "@/lib/access/viewer";
import { cachedBudgetAlertsPanel, cachedBudgetForecasts } from "@/lib/cache/read-models";
import { evaluateBudgetAlertsAfter } from "@/lib/notify/budget-alerts-after";
import {
  BudgetAlertsFailed,
  BudgetAlertsPanel,
  BudgetAlertsSkeleton,
  TeamBudgetForecast,
  TeamBudgetForecastFailed,
  TeamBudgetForecastSkeleton,
} from "@/components/budgets/budget-alerts-panel";

/**
 * The budget panels of the overview and the team page, streamed: the page
 * renders without waiting for them, a failure shows in the panel only, and
 * rendering schedules an alert evaluation after the response (Next's
 * `after`), which posts to the org's webhook without delaying anything.
 */

interface SectionProps {
  viewer: Viewer;
  now: Date;
  timeZone: string;
  zoneLabel: string;
}

export function BudgetAlertsSection(props: SectionProps & { teamId?: number }) {
  // Not a read scope: schedules the org's alert evaluation (a system job over every team; nothing from it reaches this page).
  evaluateBudgetAlertsAfter({ orgId: props.viewer.orgId, trigger: "render" });
  // Not printed: the printed overview's "Budget this month" table has every team's spend, projection and budget.
  return (
    <div className="mb-5 print:hidden">
      <Suspense fallback={<BudgetAlertsSkeleton />}>
        <BudgetAlerts {...props} />
      </Suspense>
    </div>
  );
}

async function BudgetAlerts({ viewer, now, timeZone, zoneLabel, teamId }: SectionProps & { teamId?: number }) {
  const data = await cachedBudgetAlertsPanel({ viewer, now, timeZone, teamId }).catch((error: unknown) => {
    console.error("Budget alerts panel failed", error);
    return null;
  });
  return data ? <BudgetAlertsPanel data={data} zoneLabel={zoneLabel} /> : <BudgetAlertsFailed />;
}

export function TeamBudgetSection(props: SectionProps & { teamId: number }) {
  // Not a read scope: schedules the org's alert evaluation (a system job over every team; nothing from it reaches this page).
  evaluateBudgetAlertsAfter({ orgId: props.viewer.orgId, trigger: "render" });
  return (
    <div className="mb-5">
      <Suspense fallback={<TeamBudgetForecastSkeleton />}>
        <TeamBudget {...props} />
      </Suspense>
    </div>
  );
}

async function TeamBudget({ viewer, now, timeZone, zoneLabel, teamId }: SectionProps & { teamId: number }) {
  const data = await cachedBudgetForecasts({ viewer, now, timeZone, teamId }).catch((error: unknown) => {
    console.error("Team budget forecast failed", error);
    return null;
  });
  if (!data) return <TeamBudgetForecastFailed />;
  const team = data.teams[0];
  return team ? <TeamBudgetForecast team={team} month={data.month} timeZone={timeZone} zoneLabel={zoneLabel} /> : null;
}
