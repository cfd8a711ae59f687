import type { AuditHistoryEntry } from "@/lib/db/queries/audit-history";
import { formatDateTime } from "@/lib/domain/labels";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";

const ACTIONS: Record<AuditHistoryEntry["action"], { label: string; tone: BadgeTone }> = {
  CREATE: { label: "Created", tone: "good" },
  UPDATE: { label: "Edited", tone: "info" },
  DELETE: { label: "Deleted", tone: "bad" },
  RESTORE: { label: "Restored", tone: "warn" },
  USE: { label: "Used", tone: "neutral" },
  REVOKE: { label: "Revoked", tone: "bad" },
};

const SUBJECT_NAMES: Record<string, string> = { usageWindow: "Usage", gpuPrice: "Price", apiKey: "API key" };

/** Where a change came from, as the history line ends: "via form", "via CSV import (runs.csv)", "via API key brk_3f9a1c2e". */
function sourceLabel(entry: AuditHistoryEntry): string {
  if (entry.apiKeyPrefix) return `${entry.source === "prometheus" ? "Prometheus import with API key" : "API key"} ${entry.apiKeyPrefix}`;
  switch (entry.source) {
    case "import":
      return `CSV import${entry.importFileName ? ` (${entry.importFileName})` : ""}`;
    case "undo":
      return "undo";
    case "api":
      return "API";
    case "prometheus":
      return "Prometheus import";
    case "setup":
      return "setup";
    default:
      return "form";
  }
}

/** "window 2026-11-20T00:00:00.000Z", or for a batch from the API or Prometheus (one entry per deployment) "60 windows 2026-11-20T00:00:00.000Z – 2026-11-20T01:00:00.000Z". */
function windowLabel(entry: AuditHistoryEntry): string {
  const id = entry.entityId.split("@")[1] ?? "";
  const [from, to] = id.split("/");
  return to ? `${show(entry.after?.windows)} windows ${from} – ${to}` : `window ${id}`;
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

/**
 * A record's history from the audit log: who, when, from where, and for
 * edits each changed field before → after. Created/deleted entries list all
 * values in a disclosure.
 */
export function AuditHistory({ entries, timeZone, labels = {} }: { entries: AuditHistoryEntry[]; timeZone: string; labels?: Record<string, string> }) {
  return (
    <Card title="History">
      {entries.length === 0 ? (
        <EmptyState title="No changes recorded">Records created before the audit log existed have no history.</EmptyState>
      ) : (
        <ol className="divide-y divide-slate-100">
          {entries.map((entry) => {
            const action = ACTIONS[entry.action];
            const values = entry.after ?? entry.before ?? {};
            const source = sourceLabel(entry);
            return (
              <li key={entry.id} className="px-4 py-2.5 text-sm">
                <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
                  <Badge tone={action.tone}>{SUBJECT_NAMES[entry.entityType] ? `${SUBJECT_NAMES[entry.entityType]} ${action.label.toLowerCase()}` : action.label}</Badge>
                  <span className="font-medium text-slate-900">{entry.actorName}</span>
                  <span className="text-slate-500">
                    <time dateTime={entry.at.toISOString()}>{formatDateTime({ instant: entry.at, timeZone })}</time> · via {source}
                    {entry.clientIp ? <> · from <span className="font-mono text-xs">{entry.clientIp}</span></> : null}
                  </span>
                  {entry.entityType === "apiKey" && !entry.apiKeyPrefix && (entry.after ?? entry.before)?.prefix ? (
                    <span className="font-mono text-xs text-slate-500">{String((entry.after ?? entry.before)?.prefix)}</span>
                  ) : null}
                  {entry.entityType === "usageWindow" ? <span className="text-xs text-slate-500">{windowLabel(entry)}</span> : null}
                </div>
                {entry.action === "UPDATE" ? (
                  <table className="mt-1.5 text-xs">
                    <tbody>
                      {entry.changedFields.map((field) => (
                        <tr key={field}>
                          <th scope="row" className="py-0.5 pr-3 text-left font-medium text-slate-600">
                            {labels[field] ?? field}
                          </th>
                          <td className="py-0.5 pr-2 font-mono text-slate-500 line-through decoration-slate-400">{show(entry.before?.[field])}</td>
                          <td className="py-0.5 pr-2 text-slate-400">→</td>
                          <td className="py-0.5 font-mono text-slate-900">{show(entry.after?.[field])}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : (
                  <details className="mt-1 text-xs">
                    <summary className="cursor-pointer text-slate-600">{entry.action === "DELETE" ? "Values when deleted" : "Values"}</summary>
                    <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5">
                      {Object.entries(values).map(([field, value]) => (
                        <div key={field} className="contents">
                          <dt className="font-medium text-slate-600">{labels[field] ?? field}</dt>
                          <dd className="font-mono text-slate-900">{show(value)}</dd>
                        </div>
                      ))}
                    </dl>
                  </details>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
