import { authorize, orgWhere, type Denied } from "@/lib/access/policy";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { budgetAlertText, runOutDate, runOutLabel, type BudgetBasis, type BudgetThresholdPct } from "@/lib/domain/budgets";
import { formatPercent } from "@/lib/domain/display";
import { postWebhook, type WebhookResult } from "@/lib/notify/webhook";
import { maskWebhookUrl } from "@/lib/validation/alert-webhook";
import { db } from "../client";
import { budgetForecasts, type BudgetForecasts, type TeamBudget } from "../queries/budgets";
import { Prisma } from "../sql";
import { writeAuditEntries } from "./audit";
import { MAX_DELIVERY_ATTEMPTS } from "./budget-alert-limits";
import { orgWriteTransaction, type MutationResult } from "./records";
import { invalidateOrgData } from "@/lib/cache/read-cache";

/**
 * Budget alerts: each threshold (80 %, 100 %) on each basis (actual,
 * projected) fires once per team per month in the org's zone. Firing is an
 * insert that the unique key (org, team, month, threshold, basis) lets
 * through once — ON CONFLICT DO NOTHING — so concurrent evaluations fire
 * once. Delivery to the org's webhook runs under a transaction-scoped
 * advisory lock per org, so two evaluations never post the same alert; a
 * failed post is recorded (attempts, lastError) and retried by the next
 * evaluation, up to MAX_DELIVERY_ATTEMPTS. Alerts recorded while no webhook
 * was set are posted once one is (this month's only: last month's are old news).
 *
 * Evaluations are triggered after a response (Next's `after`), never inside
 * one: see lib/notify/budget-alerts-after.ts.
 */

export { MAX_DELIVERY_ATTEMPTS };
/** pg_advisory_xact_lock namespace for webhook delivery (the second key is the org). */
const DELIVERY_LOCK = 7_384_127;

/**
 * Who evaluates when nobody in particular does: reads every team's figures
 * (budgets are org-wide alerts), so it holds the org-admin role; it is only
 * ever passed to budgetForecasts, never to a mutation.
 */
function systemViewer(org: { id: number; name: string; timeZone: string }): Viewer {
  return makeViewer({ userId: 0, orgId: org.id, orgName: org.name, orgTimeZone: org.timeZone, role: "ADMIN", name: "Budget alerts" });
}

export interface EvaluationResult {
  /** "2026-12" in the org's zone. */
  month: string;
  fired: { teamId: number; thresholdPct: number; basis: string }[];
  delivered: number;
  failed: number;
}

export async function evaluateBudgetAlerts({ orgId, now }: { orgId: number; now: Date }): Promise<EvaluationResult> {
  const org = await db().org.findUnique({ where: { id: orgId }, select: { id: true, name: true, timeZone: true, alertWebhookUrl: true } });
  if (!org) return { month: "", fired: [], delivered: 0, failed: 0 };
  const forecasts = await budgetForecasts({ viewer: systemViewer(org), now, timeZone: org.timeZone });
  const crossed = forecasts.teams.flatMap((t) =>
    t.forecast.crossed.map((c) => ({
      orgId,
      teamId: t.teamId,
      month: forecasts.monthKey,
      thresholdPct: c.thresholdPct,
      basis: c.basis,
      // The figure that crossed: spend to date, or the month-end projection.
      spendCents: c.basis === "actual" ? t.forecast.spentCents : t.forecast.projectedCents!,
      budgetCents: t.forecast.budgetCents,
      firedAt: now,
      webhookUrl: org.alertWebhookUrl,
    })),
  );
  const fired = crossed.length > 0 ? await db().budgetAlert.createManyAndReturn({ data: crossed, skipDuplicates: true, select: { teamId: true, thresholdPct: true, basis: true } }) : [];
  // The budget panels list fired alerts and their delivery (lib/cache/read-cache.ts).
  if (fired.length > 0) invalidateOrgData(orgId);
  const delivery = await deliverBudgetAlerts({ orgId, forecasts });
  if (delivery.delivered + delivery.failed > 0) invalidateOrgData(orgId);
  return { month: forecasts.monthKey, fired, ...delivery };
}

/** The JSON an alert posts: Slack's `text` plus the figures as fields (cents as decimal strings, never floats). */
export function budgetAlertPayload({
  alert,
  team,
  forecasts,
}: {
  alert: { thresholdPct: number; basis: string; firedAt: Date };
  team: TeamBudget;
  forecasts: Pick<BudgetForecasts, "monthKey" | "timeZone">;
}) {
  const { forecast } = team;
  const thresholdPct = alert.thresholdPct as BudgetThresholdPct;
  const basis = alert.basis as BudgetBasis;
  const linkPath = `/teams/${team.slug}`;
  return {
    text: budgetAlertText({ teamName: team.name, month: forecasts.monthKey, thresholdPct, basis, forecast, timeZone: forecasts.timeZone, linkPath }),
    kind: "budget_alert",
    team: { slug: team.slug, name: team.name },
    month: forecasts.monthKey,
    timeZone: forecasts.timeZone,
    thresholdPct,
    basis,
    firedAt: alert.firedAt.toISOString(),
    spendCents: forecast.spentCents.toString(),
    projectedCents: forecast.projectedCents?.toString() ?? null,
    budgetCents: forecast.budgetCents.toString(),
    percentOfBudget: formatPercent(basis === "actual" ? forecast.actualShare : forecast.projectedShare),
    runOutDate: runOutDate({ runOut: forecast.runOut, timeZone: forecasts.timeZone }),
    runOut: runOutLabel({ runOut: forecast.runOut, timeZone: forecasts.timeZone }),
    linkPath,
  };
}

/** Posts this month's undelivered alerts to the org's webhook, one evaluation at a time per org. */
async function deliverBudgetAlerts({ orgId, forecasts }: { orgId: number; forecasts: BudgetForecasts }): Promise<{ delivered: number; failed: number }> {
  const teams = new Map(forecasts.teams.map((t) => [t.teamId, t]));
  return db().$transaction(
    async (tx) => {
      await tx.$executeRaw(Prisma.sql`select 1 from pg_advisory_xact_lock(${DELIVERY_LOCK}::int, ${orgId}::int)`);
      // Read under the lock: the URL as it is now, and what earlier holders left undelivered.
      const org = await tx.org.findUnique({ where: { id: orgId }, select: { alertWebhookUrl: true } });
      const url = org?.alertWebhookUrl;
      if (!url) return { delivered: 0, failed: 0 };
      const pending = await tx.budgetAlert.findMany({
        where: { orgId, month: forecasts.monthKey, deliveredAt: null, attempts: { lt: MAX_DELIVERY_ATTEMPTS } },
        orderBy: { id: "asc" },
      });
      const posts = await Promise.all(
        pending.map(async (alert) => {
          const team = teams.get(alert.teamId);
          const result: WebhookResult = team
            ? await postWebhook({ url, body: budgetAlertPayload({ alert, team, forecasts }) })
            : { ok: false, status: null, error: "The team no longer exists" };
          return { alert, result };
        }),
      );
      for (const { alert, result } of posts) {
        await tx.budgetAlert.update({
          where: { id: alert.id },
          data: { attempts: { increment: 1 }, webhookUrl: url, deliveredAt: result.ok ? new Date() : null, lastError: result.ok ? null : result.error },
        });
      }
      const delivered = posts.filter((p) => p.result.ok).length;
      return { delivered, failed: posts.length - delivered };
    },
    // Posts run in parallel, each at most 5 s; waiting for another delivery counts against maxWait only once it holds a connection.
    { timeout: 30_000, maxWait: 10_000 },
  );
}

/**
 * Sets or clears the org's webhook (admins only; audited with the URL masked,
 * since a Slack webhook URL is a secret). A new URL gives this month's
 * undelivered alerts a fresh set of attempts.
 */
export async function setAlertWebhook({ viewer, url }: { viewer: Viewer; url: string | null }): Promise<MutationResult<{ url: string | null; isChanged: boolean }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    const org = { id: orgWhere(viewer).orgId };
    const [current] = await run.query<{ alertWebhookUrl: string | null }>(Prisma.sql`select "alertWebhookUrl" from orgs where id = ${org.id} for update`);
    const before = current?.alertWebhookUrl ?? null;
    if (before === url) return { url, isChanged: false };
    await tx.org.update({ where: org, data: { alertWebhookUrl: url } });
    if (url !== null) {
      await tx.budgetAlert.updateMany({ where: { ...orgWhere(viewer), deliveredAt: null }, data: { attempts: 0, lastError: null } });
    }
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "org", entityId: String(org.id), action: "UPDATE", before: { alertWebhookUrl: maskWebhookUrl(before) }, after: { alertWebhookUrl: maskWebhookUrl(url) } },
    ]);
    return { url, isChanged: true };
  });
}

/** A test message to a URL (org:manage), to check a receiver before relying on it. */
export async function sendTestAlert({ viewer, url }: { viewer: Viewer; url: string }): Promise<WebhookResult | Denied> {
  const denied = authorize(viewer, "org:manage");
  if (denied) return denied;
  return postWebhook({
    url,
    body: {
      text: `Test message from Burnrate: budget alerts for ${viewer.orgName} will be posted here (sent by ${viewer.name}).`,
      kind: "test",
    },
  });
}
