import type { Metadata } from "next";
import { API_OPERATIONS } from "@/lib/api/v1/operations";
import { buildOpenApiDocument, OPENAPI_DOCUMENT_PATH } from "@/lib/api/v1/openapi";
import { apiReference } from "@/lib/api/v1/openapi-reference";
import { publicUrl } from "@/lib/env";
import { ErrorsTable, OperationIndex, SchemasSection, TagSection } from "@/components/api-docs/api-reference";
import { Markdown } from "@/components/api-docs/markdown";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "API reference" };

/**
 * The API v1 reference, rendered from the same generated OpenAPI document
 * /api/v1/openapi.json serves. Public, like the document: it holds no data,
 * and a developer wiring a job to the API may not have an account yet.
 */
export default function ApiReferencePage() {
  const reference = apiReference(buildOpenApiDocument(API_OPERATIONS, { serverUrl: publicUrl().origin }));
  const schemaNames = new Set(reference.schemas.map((s) => s.name));
  return (
    <>
      <PageHeader
        title="API reference"
        description={`${reference.title} v${reference.version}: generated from the schemas the server validates with (OpenAPI ${reference.openapi}).`}
        actions={
          // A plain link: the document is a route handler, not a page.
          <a href={OPENAPI_DOCUMENT_PATH} className={buttonClass("secondary")}>
            OpenAPI document (JSON)
          </a>
        }
      />
      <div className="lg:grid lg:grid-cols-[16rem_minmax(0,1fr)] lg:gap-6">
        <aside className="mb-5 rounded-lg border border-slate-200 bg-white p-3 lg:sticky lg:top-4 lg:mb-0 lg:max-h-[calc(100vh-2rem)] lg:self-start lg:overflow-y-auto">
          <OperationIndex tags={reference.tags} />
        </aside>
        <div className="min-w-0 max-w-5xl space-y-6">
          <section id="overview" aria-labelledby="overview-title" className="scroll-mt-4 rounded-lg border border-slate-200 bg-white">
            <h2 id="overview-title" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-800">
              Overview
            </h2>
            <div className="px-4 py-3">
              <Markdown text={reference.description} headingLevel={3} />
            </div>
          </section>
          {reference.tags.length === 0 ? (
            <Card>
              <EmptyState title="No operations yet">
                API v1&apos;s operations appear here as they are added. Authentication, scopes and errors above apply to all of them.
              </EmptyState>
            </Card>
          ) : (
            <>
              <section id="errors" aria-labelledby="errors-title" className="scroll-mt-4 rounded-lg border border-slate-200 bg-white">
                <h2 id="errors-title" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-800">
                  Errors
                </h2>
                <p className="px-4 pt-3 text-sm text-slate-700">
                  Every error has the ApiError body: <code className="font-mono text-[0.8125rem]">{'{ "error": { "code", "message", "field"?, "issues"?, "issueCount"? } }'}</code>
                </p>
                <div className="px-2 py-2">
                  <ErrorsTable errors={reference.errors} />
                </div>
              </section>
              {reference.tags.map((tag) => (
                <TagSection key={tag.name} tag={tag} schemaNames={schemaNames} />
              ))}
              <SchemasSection schemas={reference.schemas} />
            </>
          )}
        </div>
      </div>
    </>
  );
}
