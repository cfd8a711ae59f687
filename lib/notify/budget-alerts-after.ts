import "server-only";
import { after } from "next/server";
import { evaluateBudgetAlerts } from "@/lib/db/mutations/budget-alerts";

/**
 * Evaluates budget alerts after the response is sent (Next's `after`), so a
 * slow or dead webhook receiver never delays or fails a page or a save, and
 * an evaluation error is logged, never shown. Writes evaluate every time;
 * page views at most once a minute per org and server process (an overview
 * reload must not re-run the month's ledger query each time). Projections
 * cross thresholds as time passes, so views — not only writes — trigger it.
 */
const RENDER_INTERVAL_MS = 60_000;
const lastRenderEvaluation = new Map<number, number>();

export function evaluateBudgetAlertsAfter({ orgId, trigger }: { orgId: number; trigger: "render" | "write" }): void {
  if (trigger === "render") {
    const last = lastRenderEvaluation.get(orgId);
    if (last !== undefined && Date.now() - last < RENDER_INTERVAL_MS) return;
    lastRenderEvaluation.set(orgId, Date.now());
  }
  after(async () => {
    try {
      await evaluateBudgetAlerts({ orgId, now: new Date() });
    } catch (error) {
      console.error("Budget alert evaluation failed", error);
    }
  });
}
