import type { ReactNode } from "react";
import type { ApiKeyRow } from "@/lib/db/queries/api-keys";
import { formatDateTime } from "@/lib/domain/labels";
import { timeAgoLabel } from "@/lib/domain/relative-time";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";

/** A team's API keys (server component: rows in, markup out); the revoke button comes from the page. */

/** The fields of an API key's audit entries (listed in the team's history). */
export const API_KEY_FIELD_LABELS: Record<string, string> = { name: "Name", prefix: "Key prefix", scopes: "Scopes", teamId: "Team id", revokedAt: "Revoked at" };

function Instant({ instant, timeZone, now }: { instant: Date; timeZone: string; now: Date }) {
  return (
    <span className="block">
      <span className="block">{timeAgoLabel({ instant, now })}</span>
      <time dateTime={instant.toISOString()} className="block text-xs text-slate-500 tabular-nums">
        {formatDateTime({ instant, timeZone })}
      </time>
    </span>
  );
}

export function ApiKeysTable({
  keys,
  scopeNames,
  timeZone,
  now,
  revokeButton,
}: {
  keys: ApiKeyRow[];
  /** How each scope is written in the API ("runs:write"). */
  scopeNames: Record<string, string>;
  timeZone: string;
  now: Date;
  revokeButton: (key: ApiKeyRow) => ReactNode;
}) {
  if (keys.length === 0) {
    return (
      <EmptyState title="No API keys yet">
        Create one above for each job or gateway that reports to Burnrate. Every key acts for this team only, with the scopes you give it.
      </EmptyState>
    );
  }
  return (
    <>
      <p className="px-4 pt-3 text-xs text-slate-500">Times in {timeZone} (org).</p>
      <DataTable
        caption="API keys"
        rows={keys}
        rowKey={(k) => k.id}
        rowClassName={(k) => (k.revokedAt ? "text-slate-500" : undefined)}
        columns={[
          {
            key: "name",
            header: "Key",
            cell: (k) => (
              <div>
                <div className={`font-medium ${k.revokedAt ? "text-slate-600" : "text-slate-900"}`}>{k.name}</div>
                <div className="font-mono text-xs text-slate-600">{k.prefix}…</div>
              </div>
            ),
          },
          {
            key: "scopes",
            header: "Scopes",
            canWrap: true,
            cell: (k) => (
              <ul className="flex flex-wrap gap-1">
                {k.scopes.map((s) => (
                  <li key={s}>
                    <Badge>
                      <span className="font-mono">{scopeNames[s] ?? s}</span>
                    </Badge>
                  </li>
                ))}
              </ul>
            ),
          },
          {
            key: "created",
            header: "Created",
            cell: (k) => (
              <div>
                <time dateTime={k.createdAt.toISOString()} className="tabular-nums">
                  {formatDateTime({ instant: k.createdAt, timeZone })}
                </time>
                <div className="text-xs text-slate-500">by {k.createdBy ?? "a removed person"}</div>
              </div>
            ),
          },
          {
            key: "lastUsed",
            header: "Last used",
            cell: (k) => (k.lastUsedAt ? <Instant instant={k.lastUsedAt} timeZone={timeZone} now={now} /> : <span className="text-slate-400">Never used</span>),
          },
          {
            key: "lastIp",
            header: "Last IP",
            cell: (k) => (k.lastUsedIp ? <span className="font-mono text-xs">{k.lastUsedIp}</span> : <span className="text-slate-400">—</span>),
          },
          {
            key: "status",
            header: "Status",
            cell: (k) =>
              k.revokedAt ? (
                <div>
                  <Badge tone="bad">Revoked</Badge>
                  <div className="text-xs text-slate-500">
                    <time dateTime={k.revokedAt.toISOString()} className="tabular-nums">
                      {formatDateTime({ instant: k.revokedAt, timeZone })}
                    </time>
                    {k.revokedBy ? ` by ${k.revokedBy}` : null}
                  </div>
                </div>
              ) : (
                <Badge tone="good">Active</Badge>
              ),
          },
          { key: "actions", header: "", cell: (k) => (k.revokedAt ? null : <div className="text-right">{revokeButton(k)}</div>) },
        ]}
      />
    </>
  );
}
