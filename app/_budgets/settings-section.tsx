import { getViewer } from "@/lib/access/current-viewer";
import { alertWebhookSetting } from "@/lib/db/queries/budgets";
import { Card } from "@/components/ui/card";
import { MAX_DELIVERY_ATTEMPTS } from "@/lib/db/mutations/budget-alert-limits";
import { AlertWebhookForm } from "@/components/settings/alert-webhook-form";

/** Settings › Budget alerts: admins set the webhook; everyone else sees whether one is set (masked). */
export async function BudgetAlertSettings() {
  const viewer = await getViewer();
  const { url, canEdit, month, deliveries } = await alertWebhookSetting({ viewer, now: new Date() });
  return (
    <div id="budget-alerts">
      <Card title="Budget alerts">
        {canEdit ? (
          <>
            <AlertWebhookForm url={url} />
            <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-600">
              {deliveries.fired === 0
                ? `No budget alert has fired in ${month} (${viewer.orgTimeZone}).`
                : `${month} (${viewer.orgTimeZone}): ${deliveries.fired} alert${deliveries.fired === 1 ? "" : "s"} fired, ${deliveries.delivered} posted, ${deliveries.pending} waiting${deliveries.givenUp ? `, ${deliveries.givenUp} given up after ${MAX_DELIVERY_ATTEMPTS} failed attempts` : ""}.`}
              {deliveries.lastError ? ` Last failure: ${deliveries.lastError}.` : ""}
            </p>
          </>
        ) : (
          <p className="px-4 py-3 text-sm text-slate-700">
            {url ? `Alerts are posted to ${url}.` : "No webhook is set: alerts show on the overview only."} Only an admin can change this.
          </p>
        )}
      </Card>
    </div>
  );
}
