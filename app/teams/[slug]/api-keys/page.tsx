import Link from "next/link";
import type { Metadata, Route } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "@/lib/access/current-viewer";
import { API_KEY_SCOPE_LABELS, API_KEY_SCOPE_NAMES, API_KEY_SCOPES, isDenied } from "@/lib/access/policy";
import { createApiKeyAction, revokeApiKeyAction } from "@/lib/actions/api-keys";
import { teamApiKeys } from "@/lib/db/queries/api-keys";
import { teamBySlug } from "@/lib/db/queries/teams";
import { MAX_ACTIVE_API_KEYS_PER_TEAM } from "@/lib/validation/api-keys";
import { CreateApiKeyForm, RevokeApiKeyButton } from "@/components/api-keys/api-key-forms";
import { ApiKeysTable } from "@/components/api-keys/api-keys-table";
import { deniedPage } from "@/app/_access/denied";
import { Breadcrumbs } from "@/components/ui/breadcrumbs";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "API keys" };

type Props = { params: Promise<{ slug: string }> };

export default async function TeamApiKeysPage({ params }: Props) {
  const { slug } = await params;
  const viewer = await getViewer();
  const team = /^[a-z0-9-]{1,64}$/.test(slug) ? await teamBySlug({ viewer, slug }) : null;
  if (!team) notFound();
  const data = await teamApiKeys(viewer, team.id);
  // A team admin's page (org admins are admins of every team): the team's other members are told what it takes.
  if (isDenied(data)) return deniedPage(data, { href: `/teams/${team.slug}` as Route, label: `Back to ${team.name}` });
  const now = new Date();
  const scopes = API_KEY_SCOPES.map((scope) => ({ value: scope, label: API_KEY_SCOPE_LABELS[scope], hint: API_KEY_SCOPE_NAMES[scope] }));
  return (
    <>
      <Breadcrumbs items={[{ href: "/teams", label: "Teams" }, { href: `/teams/${team.slug}` as Route, label: team.name }, { label: "API keys" }]} />
      <PageHeader
        title={`${team.name} API keys`}
        description={
          <>
            Keys let jobs and gateways report runs and usage to {team.name} and read its reports, with only the scopes you give them. Send a key in the header{" "}
            <code className="font-mono text-xs">Authorization: Bearer &lt;key&gt;</code>; the{" "}
            <Link href="/docs/api" className="underline underline-offset-2">
              API reference
            </Link>{" "}
            lists every operation and the scope it needs.
          </>
        }
      />
      <div className="space-y-5">
        <Card title="Create an API key">
          <div className="px-4 py-3">
            <CreateApiKeyForm action={createApiKeyAction.bind(null, team.id)} scopes={scopes} activeCount={data.activeCount} maxActive={MAX_ACTIVE_API_KEYS_PER_TEAM} />
          </div>
        </Card>
        <Card title={`Keys (${data.activeCount} active${data.keys.length > data.activeCount ? `, ${data.keys.length - data.activeCount} revoked` : ""})`}>
          <ApiKeysTable
            keys={data.keys}
            scopeNames={API_KEY_SCOPE_NAMES}
            timeZone={viewer.orgTimeZone}
            now={now}
            revokeButton={(k) => <RevokeApiKeyButton action={revokeApiKeyAction.bind(null, k.id)} id={`revoke-key-${k.id}`} name={k.name} prefix={k.prefix} />}
          />
        </Card>
      </div>
    </>
  );
}
