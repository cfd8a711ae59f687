import "server-only";
import { can, orgTeamRowWhere, orgWhere, teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { budgetForecast, monthKey, rankBudgetAlerts, type BudgetForecast } from "@/lib/domain/budgets";
import { calendarMonth } from "@/lib/domain/date-ranges";
import { microsToCents, parseUsdMicros } from "@/lib/domain/money";
import type { TimeRange } from "@/lib/domain/time-range";
import { maskWebhookUrl } from "@/lib/validation/alert-webhook";
import { MAX_DELIVERY_ATTEMPTS } from "../mutations/budget-alert-limits";
import { db } from "../client";
import { queryLedger, rowCents } from "./cost-ledger";

export interface TeamBudget {
  teamId: number;
  slug: string;
  name: string;
  forecast: BudgetForecast;
}

export interface BudgetForecasts {
  month: TimeRange;
  /** "2026-12" in `timeZone`. */
  monthKey: string;
  timeZone: string;
  teams: TeamBudget[];
}

/**
 * This month's budget forecast per team the viewer may see, in a zone: the month's ledger cents
 * per team and local day (the line items the dashboards' budget table sums,
 * so spent to date and the projection are the same cents), the budget as
 * the dashboards convert it, and lib/domain/budgets for the rest.
 */
export async function budgetForecasts({ viewer, now, timeZone, teamId }: { viewer: Viewer; now: Date; timeZone: string; teamId?: number }): Promise<BudgetForecasts> {
  const month = calendarMonth({ now, timeZone, offset: 0 });
  const [ledger, teams] = await Promise.all([
    queryLedger({
      viewer,
      filters: teamId ? { teamIds: [teamId] } : {},
      from: month.start,
      to: month.end,
      unit: "day",
      timeZone,
      now,
      groupBy: "team",
    }),
    db().team.findMany({
      where: { AND: [teamWhere(viewer), teamId ? { id: teamId } : {}] },
      select: { id: true, slug: true, name: true, monthlyBudgetUsd: true },
      orderBy: { name: "asc" },
    }),
  ]);
  return {
    month,
    monthKey: monthKey({ month, timeZone }),
    timeZone,
    teams: teams.map((t) => ({
      teamId: t.id,
      slug: t.slug,
      name: t.name,
      forecast: budgetForecast({
        budgetCents: microsToCents(parseUsdMicros(t.monthlyBudgetUsd.toFixed(6))),
        dailyCents: ledger.filter((r) => r.groupKey === String(t.id)).map((r) => ({ dayStart: r.bucketStart, cents: rowCents(r) })),
        month,
        now,
        timeZone,
      }),
    })),
  };
}

/** Teams at or over 80 % / 100 % of their budget, actual or projected, most urgent first (the overview's panel). */
export async function budgetAlertsPanel({ viewer, now, timeZone, teamId }: { viewer: Viewer; now: Date; timeZone: string; teamId?: number }) {
  const forecasts = await budgetForecasts({ viewer, now, timeZone, teamId });
  return { ...forecasts, alerts: rankBudgetAlerts(forecasts.teams.map((t) => ({ team: t, forecast: t.forecast }))) };
}

export type BudgetAlertsPanelData = Awaited<ReturnType<typeof budgetAlertsPanel>>;

/**
 * The org's budget-alert webhook as Settings shows it: the URL for admins,
 * masked for everyone else (it is a secret), and this month's deliveries
 * (in the org's zone) of alerts about teams the viewer may see: posted,
 * waiting for a retry, given up on, last error.
 */
export async function alertWebhookSetting({ viewer, now }: { viewer: Viewer; now: Date }) {
  const month = monthKey({ month: calendarMonth({ now, timeZone: viewer.orgTimeZone, offset: 0 }), timeZone: viewer.orgTimeZone });
  const [org, alerts] = await Promise.all([
    // The viewer's org row itself (its id is what orgWhere scopes org-owned rows by).
    db().org.findUnique({ where: { id: orgWhere(viewer).orgId }, select: { alertWebhookUrl: true } }),
    db().budgetAlert.findMany({ where: { ...orgTeamRowWhere(viewer), month }, select: { deliveredAt: true, attempts: true, lastError: true, firedAt: true }, orderBy: { firedAt: "desc" } }),
  ]);
  const url = org?.alertWebhookUrl ?? null;
  const canEdit = can(viewer, "org:manage");
  const undelivered = alerts.filter((a) => a.deliveredAt === null);
  return {
    url: canEdit ? url : maskWebhookUrl(url),
    canEdit,
    month,
    deliveries: {
      fired: alerts.length,
      delivered: alerts.length - undelivered.length,
      /** Not posted yet: no webhook when they fired, or failed and to be retried. */
      pending: undelivered.filter((a) => a.attempts < MAX_DELIVERY_ATTEMPTS).length,
      givenUp: undelivered.filter((a) => a.attempts >= MAX_DELIVERY_ATTEMPTS).length,
      lastError: undelivered.find((a) => a.lastError !== null)?.lastError ?? null,
    },
  };
}
