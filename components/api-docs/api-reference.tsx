import type { ReactNode } from "react";
import type { ReferenceErrorResponse, ReferenceField, ReferenceOperation, ReferenceParameter, ReferenceResponse, ReferenceSchema, ReferenceTag } from "@/lib/api/v1/openapi-reference";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { InlineMarkdown, Markdown } from "./markdown";

const METHOD_TONES: Record<ReferenceOperation["method"], BadgeTone> = { GET: "info", PUT: "warn", POST: "good", DELETE: "bad" };

export function MethodBadge({ method }: { method: ReferenceOperation["method"] }) {
  return (
    <Badge tone={METHOD_TONES[method]}>
      <span className="font-mono">{method}</span>
    </Badge>
  );
}

/** The list of operations by tag, linking to each one's section. */
export function OperationIndex({ tags }: { tags: ReferenceTag[] }) {
  return (
    <nav aria-label="Operations" className="text-sm">
      <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">On this page</p>
      <ul className="space-y-0.5">
        <li>
          <a href="#overview" className="block rounded px-2 py-1 text-slate-700 hover:bg-slate-100">
            Overview
          </a>
        </li>
        {tags.length > 0 ? (
          <li>
            <a href="#errors" className="block rounded px-2 py-1 text-slate-700 hover:bg-slate-100">
              Errors
            </a>
          </li>
        ) : null}
        {tags.map((tag) => (
          <li key={tag.name}>
            <a href={`#${tagAnchor(tag.name)}`} className="block rounded px-2 py-1 font-medium text-slate-900 hover:bg-slate-100">
              {tag.name}
            </a>
            <ul className="mb-1 space-y-0.5">
              {tag.operations.map((operation) => (
                <li key={operation.id}>
                  <a href={`#${operation.id}`} className="flex items-baseline gap-2 rounded py-0.5 pl-4 pr-2 text-slate-700 hover:bg-slate-100">
                    <span className={`w-10 shrink-0 font-mono text-[0.6875rem] font-semibold ${METHOD_TEXT[operation.method]}`}>{operation.method}</span>
                    <span className="min-w-0">{operation.summary}</span>
                  </a>
                </li>
              ))}
            </ul>
          </li>
        ))}
        {tags.length > 0 ? (
          <li>
            <a href="#schemas-title" className="block rounded px-2 py-1 text-slate-700 hover:bg-slate-100">
              Schemas
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

const METHOD_TEXT: Record<ReferenceOperation["method"], string> = { GET: "text-blue-800", PUT: "text-amber-800", POST: "text-emerald-800", DELETE: "text-red-800" };

export const tagAnchor = (tag: string) => `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

/** Names of the schemas listed under "Schemas": a type naming one links to it. */
type SchemaNames = ReadonlySet<string>;

export const schemaAnchor = (name: string) => `schema-${name}`;

export function TagSection({ tag, schemaNames }: { tag: ReferenceTag; schemaNames: SchemaNames }) {
  const id = tagAnchor(tag.name);
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div>
        <h2 id={id} className="scroll-mt-4 text-lg font-semibold tracking-tight">
          {tag.name}
        </h2>
        {tag.description ? <p className="text-sm text-slate-600">{tag.description}</p> : null}
      </div>
      {tag.operations.map((operation) => (
        <OperationSection key={operation.id} operation={operation} schemaNames={schemaNames} />
      ))}
    </section>
  );
}

function OperationSection({ operation, schemaNames }: { operation: ReferenceOperation; schemaNames: SchemaNames }) {
  const titleId = `${operation.id}-title`;
  const successes = operation.responses.filter((r) => !r.errorName);
  const errors = operation.responses.filter((r) => r.errorName);
  return (
    <section id={operation.id} aria-labelledby={titleId} className="scroll-mt-4 rounded-lg border border-slate-200 bg-white">
      <header className="border-b border-slate-200 px-4 py-3">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <MethodBadge method={operation.method} />
          <code className="font-mono text-sm font-medium text-slate-900 break-all">{operation.path}</code>
        </div>
        <h3 id={titleId} className="mt-1 text-base font-semibold">
          <a href={`#${operation.id}`} className="hover:underline">
            {operation.summary}
          </a>
        </h3>
        <div className="mt-1.5 flex flex-wrap gap-1.5">
          {operation.access.kind === "public" ? (
            <Badge>Public: no authentication</Badge>
          ) : operation.access.scope ? (
            <Badge tone="info">
              Scope&nbsp;<code className="font-mono">{operation.access.scope}</code>
            </Badge>
          ) : (
            <Badge>Any API key or session</Badge>
          )}
          {operation.isIdempotent ? <Badge>Honours Idempotency-Key</Badge> : null}
          <Badge>
            operationId&nbsp;<code className="font-mono">{operation.id}</code>
          </Badge>
        </div>
      </header>
      <div className="space-y-4 px-4 py-3">
        {operation.description ? <Markdown text={operation.description} headingLevel={4} /> : null}
        {operation.parameters.length > 0 ? (
          <Part title="Parameters">
            <FieldsTable caption={`${operation.summary}: parameters`} fields={operation.parameters} schemaNames={schemaNames} isParameters />
          </Part>
        ) : null}
        {operation.body ? (
          <Part title="Request body" detail={[operation.body.contentType, operation.body.schemaName].filter(Boolean).join(" · ")}>
            {operation.body.fields.length > 0 ? (
              <FieldsTable caption={`${operation.summary}: request body fields`} fields={operation.body.fields} schemaNames={schemaNames} />
            ) : (
              <p className="text-sm text-slate-700">{operation.body.description ?? "See the schema in the OpenAPI document."}</p>
            )}
          </Part>
        ) : null}
        <Part title="Responses">
          <ul className="space-y-2 text-sm">
            {successes.map((response) => (
              <SuccessResponse key={response.status} operation={operation} response={response} schemaNames={schemaNames} />
            ))}
          </ul>
          {errors.length > 0 ? (
            <p className="mt-2 text-sm text-slate-700">
              <span className="font-medium text-slate-900">Errors </span>
              <span className="text-slate-500">(ApiError body): </span>
              {errors.map((response, i) => (
                <span key={response.status}>
                  {i > 0 ? ", " : null}
                  <a href="#errors" className="text-blue-700 hover:underline">
                    <span className="font-mono tabular-nums">{response.status}</span> {response.errorName}
                  </a>
                </span>
              ))}
            </p>
          ) : null}
        </Part>
        <Part title="Example">
          {/* Not a ScrollRegion: its edge shadows are drawn for white boxes. Focusable, so a keyboard can scroll it. */}
          <div role="region" aria-label={`${operation.summary}: curl example`} tabIndex={0} className="max-w-full overflow-x-auto rounded-md bg-slate-900">
            <pre className="px-3 py-2 font-mono text-xs leading-relaxed text-slate-100">
              <code>{operation.curl}</code>
            </pre>
          </div>
        </Part>
      </div>
    </section>
  );
}

function SuccessResponse({ operation, response, schemaNames }: { operation: ReferenceOperation; response: ReferenceResponse; schemaNames: SchemaNames }) {
  const head = (
    <>
      <span className="font-mono font-semibold tabular-nums text-emerald-800">{response.status}</span> <span className="text-slate-700">{response.description}</span>
      {response.contentType ? (
        <span className="text-slate-500">
          {" "}
          · {response.contentType}
          {response.schemaName ? ` · ${response.schemaName}` : ""}
        </span>
      ) : null}
    </>
  );
  if (response.fields.length === 0) return <li>{head}</li>;
  return (
    <li>
      <details className="group">
        <summary className="cursor-pointer rounded marker:text-slate-400">
          {head}
          <span className="text-blue-700"> · {response.fields.length} fields</span>
        </summary>
        <div className="mt-2">
          <FieldsTable caption={`${operation.summary}: ${response.status} response fields`} fields={response.fields} schemaNames={schemaNames} />
        </div>
      </details>
    </li>
  );
}

function Part({ title, detail, children }: { title: string; detail?: string; children: ReactNode }) {
  return (
    <div>
      <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-600">
        {title}
        {detail ? <span className="ml-2 font-mono font-normal normal-case tracking-normal text-slate-500">{detail}</span> : null}
      </h4>
      {children}
    </div>
  );
}

/**
 * Fields as a list, not a table: name, type and whether it is required on one
 * line, the description beneath — readable on a phone without scrolling
 * sideways. Nested fields are indented under their parent.
 */
function FieldsTable({
  caption,
  fields,
  schemaNames,
  isParameters = false,
}: {
  caption: string;
  fields: (ReferenceField | ReferenceParameter)[];
  schemaNames: SchemaNames;
  isParameters?: boolean;
}) {
  return (
    <ul aria-label={caption} className="divide-y divide-slate-100 rounded-md border border-slate-200 text-sm">
      {fields.map((f) => (
        <li key={`${"in" in f ? f.in : ""}:${f.name}`} className="py-1.5 pr-3" style={{ paddingLeft: `${0.75 + f.depth * 1}rem` }}>
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
            <code className="font-mono text-[0.8125rem] font-semibold text-slate-900 wrap-anywhere">{f.name}</code>
            <TypeText text={f.type} schemaNames={schemaNames} />
            {f.isRequired ? <span className="text-xs font-medium text-red-800">required</span> : <span className="text-xs text-slate-500">optional</span>}
            {isParameters && "in" in f ? <span className="text-xs text-slate-500">in {f.in}</span> : null}
          </div>
          {f.description ? (
            <p className="mt-0.5 text-slate-700">
              <InlineMarkdown text={f.description} />
            </p>
          ) : null}
          {f.constraints.length > 0 ? <p className="mt-0.5 text-xs text-slate-500 wrap-anywhere">{f.constraints.join(" · ")}</p> : null}
        </li>
      ))}
    </ul>
  );
}

export function ErrorsTable({ errors }: { errors: ReferenceErrorResponse[] }) {
  return (
    <ul aria-label="Error responses" className="divide-y divide-slate-100 text-sm">
      {errors.map((e) => (
        <li key={e.status} className="flex gap-3 px-2 py-1.5">
          <span className="w-8 shrink-0 font-mono font-semibold tabular-nums text-slate-900">{e.status}</span>
          <span className="min-w-0">
            <span className="font-medium text-slate-900">{e.name}</span>
            <span className="text-slate-700">
              {" "}
              — <InlineMarkdown text={e.description} />
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A type, with the schema names in it linked to their definitions. */
function TypeText({ text, schemaNames }: { text: string; schemaNames: SchemaNames }) {
  return (
    <span className="font-mono text-xs text-slate-700">
      {text.split(/([A-Za-z][A-Za-z0-9_]*)/).map((part, i) =>
        schemaNames.has(part) ? (
          <a key={i} href={`#${schemaAnchor(part)}`} className="text-blue-700 hover:underline">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </span>
  );
}

/** The named schemas: what a type name in the tables stands for. */
export function SchemasSection({ schemas }: { schemas: ReferenceSchema[] }) {
  const names = new Set(schemas.map((s) => s.name));
  return (
    <section aria-labelledby="schemas-title" className="space-y-3">
      <h2 id="schemas-title" className="scroll-mt-4 text-lg font-semibold tracking-tight">
        Schemas
      </h2>
      {schemas.map((schema) => (
        <section key={schema.name} id={schemaAnchor(schema.name)} aria-labelledby={`${schemaAnchor(schema.name)}-title`} className="scroll-mt-4 rounded-lg border border-slate-200 bg-white">
          <div className="border-b border-slate-200 px-4 py-2">
            <h3 id={`${schemaAnchor(schema.name)}-title`} className="font-mono text-sm font-semibold text-slate-900">
              {schema.name}
            </h3>
            <p className="text-sm text-slate-700">
              <TypeText text={schema.type} schemaNames={names} />
              {schema.description ? (
                <span className="ml-2">
                  <InlineMarkdown text={schema.description} />
                </span>
              ) : null}
            </p>
          </div>
          {schema.fields.length > 0 ? (
            <div className="px-2 py-2">
              <FieldsTable caption={`${schema.name} fields`} fields={schema.fields} schemaNames={names} />
            </div>
          ) : null}
        </section>
      ))}
    </section>
  );
}
