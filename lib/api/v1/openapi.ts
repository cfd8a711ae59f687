import { z } from "zod";
import { API_KEY_SCOPE_LABELS, API_KEY_SCOPE_NAMES } from "@/lib/access/policy";
import { apiErrorBodySchema, MAX_LISTED_ISSUES } from "./error-body";
import { idempotencyKeySchema, IDEMPOTENCY_RETENTION_HOURS } from "./idempotency";
import { API_RATE_LIMITS } from "./rate-limit";
import type { ApiOperation } from "./operation";

/**
 * The OpenAPI 3.1 document of API v1, generated from the operations list
 * (lib/api/v1/operations.ts) and the zod schemas the server validates with,
 * through zod's own `z.toJSONSchema` (JSON Schema 2020-12, OpenAPI 3.1's
 * dialect). Request parameters and bodies are described as the server
 * *accepts* them (`io: "input"`: before transforms and defaults), responses
 * as it *sends* them (`io: "output"`). Schemas with a `.meta({ id })` become
 * `components/schemas/<id>`; one whose input and output differ gets a second
 * entry `<id>Input`. The same operations always give the same document, key
 * for key.
 */

export type JsonSchema = { [key: string]: unknown };

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiMediaType {
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { $ref: string } | { description: string; schema: JsonSchema }>;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiOperationObject {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: Record<string, string[]>[];
  /** The API key scope the operation needs, as keys are written ("runs:write"); absent when any key or session will do. */
  "x-scope"?: string;
  /** Whether an Idempotency-Key header is honoured. */
  "x-idempotent"?: boolean;
  parameters?: ({ $ref: string } | OpenApiParameter)[];
  requestBody?: { required: boolean; description?: string; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse | { $ref: string }>;
}

export type OpenApiMethod = "get" | "put" | "post" | "delete";

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; summary: string; description: string; license: { name: string; identifier: string } };
  servers?: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<OpenApiMethod, OpenApiOperationObject>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, OpenApiResponse>;
    parameters: Record<string, OpenApiParameter>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

export const OPENAPI_VERSION = "3.1.1";
export const OPENAPI_DOCUMENT_PATH = "/api/v1/openapi.json";
export const API_REFERENCE_PATH = "/docs/api";

/** The session cookie's name over plain HTTP; over HTTPS it carries the `__Secure-` prefix (lib/auth/server.ts). */
const SESSION_COOKIE = "burnrate.session_token";

export const TAG_DESCRIPTIONS: Readonly<Record<ApiOperation["tag"], string>> = {
  "Training runs": "Create and update training runs from the jobs that run them, keyed by your own id for the run.",
  Usage: "Send inference usage — requests, tokens, utilization and latency — as time windows, in batches.",
  Reports: "Read cost and usage rollups, monthly reports and exports, as the dashboards show them.",
  Suggestions: "Read the cost-saving suggestions Burnrate makes from your usage.",
  Prometheus: "Import usage from Prometheus metrics.",
  Meta: "About the API itself.",
};

const METHOD_ORDER: readonly OpenApiMethod[] = ["get", "put", "post", "delete"];

const API_DESCRIPTION = `Burnrate's REST API: record training runs and inference usage from your jobs and gateways, and read back what they cost. Every request and response body is JSON (UTF-8) unless an operation says otherwise.

## Authentication

Send a team API key in the \`Authorization\` header: \`Authorization: Bearer brk_<8 hex>_<43 base64url>\`. A team admin creates keys on the team's **API keys** page (Teams → a team → API keys); the whole key is shown once, when it is created. A key acts for its one team only, with the scopes it was given. A browser that is signed in to Burnrate may also call the API with its session cookie, with that person's roles; calls that change data must then come from this site (same origin).

## Scopes

An operation that needs a scope names it. A key without that scope is refused with 403.

${(Object.keys(API_KEY_SCOPE_NAMES) as (keyof typeof API_KEY_SCOPE_NAMES)[]).map((scope) => `- \`${API_KEY_SCOPE_NAMES[scope]}\` — ${API_KEY_SCOPE_LABELS[scope]}`).join("\n")}

## Errors

Every error has one body: \`{ "error": { "code", "message", "field"?, "issues"?, "issueCount"? } }\` (schema \`ApiError\`). \`message\` is written for a person; \`code\` is stable for programs. Errors are never cached and never carry a stack trace.

- 400 \`bad-request\`: a path or query parameter or a header is invalid (\`field\` names it), or the body is not valid JSON.
- 401 \`unauthenticated\`: no key, or an unknown or revoked key.
- 403 \`forbidden\`: the key lacks the scope, or its team may not do this.
- 404 \`not-found\`: no such record for this team.
- 409 \`conflict\`: the Idempotency-Key was used with another request.
- 413 \`too-large\`: the body is too large.
- 415 \`unsupported-media-type\`: the body is not of the content type the operation takes.
- 422 \`invalid\`: the body is invalid. \`issues\` gives a message per item and field (\`windows[12].requests\`), at most ${MAX_LISTED_ISSUES}; \`issueCount\` says how many there are in all.
- 429 \`rate-limited\`: too many requests; wait for the seconds in \`Retry-After\`.
- 503 \`unavailable\`: the database is briefly unavailable; retry after \`Retry-After\` seconds.

## Batches are all or nothing

A batch write (many usage windows in one request) is validated as a whole and written in one transaction: if any item is invalid, nothing is written and the 422 lists the problems by item index. Fix them and send the whole batch again.

## Idempotency

Writes that say so honour an \`Idempotency-Key\` header (any unique string, such as a UUID). Retrying a request with the same key and the same body returns the first response again, with the header \`Idempotent-Replayed: true\`, and writes nothing twice; the same key with a different body is refused with 409. Keys are kept ${IDEMPOTENCY_RETENTION_HOURS} hours. Send one when a retry after a timeout or a dropped connection must not write twice.

## Rate limits

Requests are limited per API key (or per signed-in person): ${API_RATE_LIMITS.write.points} writes and ${API_RATE_LIMITS.read.points} reads a second, counted apart. Past the limit the API answers 429 with \`Retry-After\` (seconds); back off and retry then.

## Money and large numbers

Money is exact: amounts come back as strings — decimal US dollars, or whole cents or micro-dollars where a name ends in \`Cents\` or \`Micros\` — never as floating-point numbers. Amounts and counts you send may be numbers or strings; send a string when a value must stay exact (dollars with decimals, counts above 2^53).`;

/** The standard error responses, in components/responses. */
const ERROR_RESPONSES = {
  400: { name: "BadRequest", description: "A path or query parameter or a header is invalid (`field` names it), or the body is not valid JSON." },
  401: { name: "Unauthenticated", description: "No API key or session, or the key is unknown or revoked." },
  403: { name: "Forbidden", description: "The API key lacks the scope this operation needs, or its team may not do this." },
  404: { name: "NotFound", description: "There is no such record for this key's team." },
  409: { name: "Conflict", description: "The Idempotency-Key was already used with a different request body." },
  413: { name: "TooLarge", description: "The request body is larger than this operation accepts." },
  415: { name: "UnsupportedMediaType", description: "The request body is not of the content type this operation takes." },
  422: { name: "Invalid", description: `The body is invalid. \`issues\` names each problem by item and field (at most ${MAX_LISTED_ISSUES}); nothing was written.` },
  429: { name: "RateLimited", description: "Too many requests for this API key; retry after the seconds in Retry-After." },
  500: { name: "Internal", description: "An unexpected error; it was logged. Retry later." },
  503: { name: "Unavailable", description: "The database is briefly unavailable; retry after the seconds in Retry-After." },
} as const satisfies Record<number, { name: string; description: string }>;

type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** Which standard errors an operation can answer with, from what it takes and needs. */
export function errorStatusesFor(operation: ApiOperation): ErrorStatus[] {
  const hasBody = operation.body !== undefined || operation.rawBody !== undefined;
  const hasParameters = operation.params !== undefined || operation.query !== undefined;
  const statuses: ErrorStatus[] = [];
  if (hasBody || hasParameters || operation.idempotent) statuses.push(400);
  if (operation.authenticated) statuses.push(401, 403);
  // A record or team named in the path or query that the key's team can't see.
  if (operation.authenticated && hasParameters) statuses.push(404);
  if (operation.idempotent) statuses.push(409);
  if (hasBody) statuses.push(413, 415);
  if (hasBody) statuses.push(422);
  if (operation.authenticated) statuses.push(429, 500, 503);
  return statuses;
}

export interface BuildOpenApiOptions {
  /** The server's public origin, e.g. "https://burnrate.example.com" (the paths carry /api/v1). */
  serverUrl?: string;
  /**
   * Throw when a schema can't be described exactly (a transform in a
   * response, a Map, an undeclared path parameter …) instead of describing
   * it as "any value". The tests build the real operations strictly.
   */
  isStrict?: boolean;
}

/** Path template parameters in order: "/api/v1/runs/{externalId}" → ["externalId"]. */
export function pathTemplateParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
}

export function buildOpenApiDocument(operations: readonly ApiOperation[], { serverUrl, isStrict = false }: BuildOpenApiOptions = {}): OpenApiDocument {
  const problems: string[] = [];
  const schemas = new SchemaCollector(problems);
  const errorSchema = schemas.convert(apiErrorBodySchema, "output", "ApiError");
  const idempotencyKeyJson = schemas.convert(idempotencyKeySchema, "input", "Idempotency-Key");

  const paths: OpenApiDocument["paths"] = {};
  const seenIds = new Set<string>();
  const tags: ApiOperation["tag"][] = [];
  for (const operation of operations) {
    const method = operation.method.toLowerCase() as OpenApiMethod;
    const where = `${operation.method} ${operation.path}`;
    if (seenIds.has(operation.operationId)) problems.push(`${where}: operationId "${operation.operationId}" is used twice`);
    seenIds.add(operation.operationId);
    if (paths[operation.path]?.[method]) problems.push(`${where}: listed twice`);
    if (!tags.includes(operation.tag)) tags.push(operation.tag);
    (paths[operation.path] ??= {})[method] = operationObject(operation, schemas, problems);
  }
  for (const path of Object.keys(paths)) {
    const byMethod = paths[path]!;
    paths[path] = Object.fromEntries(METHOD_ORDER.filter((m) => byMethod[m]).map((m) => [m, byMethod[m]]));
  }
  if (isStrict && problems.length > 0) throw new Error(`The OpenAPI document can't describe API v1 exactly:\n- ${problems.join("\n- ")}`);

  const retryAfter = { $ref: "#/components/headers/Retry-After" };
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: "Burnrate API",
      version: "1",
      summary: "Record training runs and inference usage; read costs, reports and suggestions.",
      description: API_DESCRIPTION,
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    ...(serverUrl ? { servers: [{ url: serverUrl.replace(/\/+$/, ""), description: "This Burnrate server" }] } : {}),
    tags: tags.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] })),
    paths,
    components: {
      schemas: schemas.components(),
      responses: Object.fromEntries(
        (Object.entries(ERROR_RESPONSES) as [string, (typeof ERROR_RESPONSES)[ErrorStatus]][]).map(([status, { name, description }]) => [
          name,
          {
            description,
            ...(status === "429" || status === "503" ? { headers: { "Retry-After": retryAfter } } : {}),
            content: { "application/json": { schema: errorSchema } },
          },
        ]),
      ),
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "Any unique printable string (a UUID, say). A retry with the same key and body returns the first response again with `Idempotent-Replayed: true` and writes nothing twice; the same key with another body gets 409.",
          schema: idempotencyKeyJson,
        },
      },
      headers: {
        "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 0 } },
        "Idempotent-Replayed": { description: "`true` when this is the stored response to an earlier request with the same Idempotency-Key.", schema: { type: "string", enum: ["true"] } },
      },
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "brk_<8 hex>_<43 base64url>",
          description: "A team API key, created by a team admin on the team's API keys page: `Authorization: Bearer brk_…`. It acts for its team with its scopes only.",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE,
          description: `A signed-in browser session (\`__Secure-${SESSION_COOKIE}\` over HTTPS), with that person's roles. Calls that change data must come from this site.`,
        },
      },
    },
  };
}

function operationObject(operation: ApiOperation, schemas: SchemaCollector, problems: string[]): OpenApiOperationObject {
  const where = `${operation.method} ${operation.path}`;
  const scopeName = operation.scope ? API_KEY_SCOPE_NAMES[operation.scope] : undefined;
  const parameters: OpenApiOperationObject["parameters"] = [
    ...objectParameters(operation.params, "path", schemas, `${where} path parameters`),
    ...objectParameters(operation.query, "query", schemas, `${where} query`),
    ...(operation.idempotent ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : []),
  ];
  const declared = new Set(parameters.flatMap((p) => ("in" in p && p.in === "path" ? [p.name] : [])));
  const templated = pathTemplateParameters(operation.path);
  for (const name of templated) if (!declared.has(name)) problems.push(`${where}: path parameter {${name}} is not declared in params`);
  for (const name of declared) if (!templated.includes(name)) problems.push(`${where}: params declares "${name}", which the path does not have`);

  const content: Record<string, OpenApiMediaType> = {};
  if (operation.body) content["application/json"] = { schema: schemas.convert(operation.body, "input", `${where} body`) };
  if (operation.rawBody) content[operation.rawBody.contentType] = { schema: { type: "string", description: operation.rawBody.description } };

  const responses: OpenApiOperationObject["responses"] = {};
  for (const status of Object.keys(operation.responses).map(Number).sort((a, b) => a - b)) {
    const response = operation.responses[status]!;
    const contentType = response.contentType ?? "application/json";
    responses[String(status)] = {
      description: response.description,
      ...(operation.idempotent && status < 300 ? { headers: { "Idempotent-Replayed": { $ref: "#/components/headers/Idempotent-Replayed" } } } : {}),
      ...(response.schema
        ? { content: { [contentType]: { schema: schemas.convert(response.schema, "output", `${where} response ${status}`) } } }
        : response.contentType
          ? { content: { [contentType]: { schema: { type: "string" } } } }
          : {}),
    };
  }
  for (const status of errorStatusesFor(operation)) {
    responses[String(status)] ??= { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` };
  }

  const scopeSentence = scopeName
    ? `**Scope:** \`${scopeName}\` (${API_KEY_SCOPE_LABELS[operation.scope!]}) for an API key; a signed-in session needs a role that allows it.`
    : operation.authenticated
      ? "**Scope:** any valid API key of the team, or a signed-in session."
      : "**Public:** no authentication.";
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: `${operation.description.trim()}\n\n${scopeSentence}`,
    tags: [operation.tag],
    // OpenAPI 3.1 lets a non-OAuth scheme list the roles it needs: the key's scope.
    security: operation.authenticated ? [{ apiKey: scopeName ? [scopeName] : [] }, { session: [] }] : [],
    ...(scopeName ? { "x-scope": scopeName } : {}),
    ...(operation.idempotent ? { "x-idempotent": true } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(Object.keys(content).length > 0
      ? { requestBody: { required: true, ...(operation.rawBody && !operation.body ? { description: operation.rawBody.description } : {}), content } }
      : {}),
    responses,
  };
}

function objectParameters(object: z.ZodObject | undefined, location: "path" | "query", schemas: SchemaCollector, where: string): OpenApiParameter[] {
  if (!object) return [];
  const json = schemas.convert(object, "input", where);
  const resolved = schemas.resolve(json);
  const properties = (resolved.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((resolved.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...schema } = property;
    return {
      name,
      in: location,
      // Path parameters are always required (OpenAPI); an optional one would be a route without it.
      required: location === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema,
    };
  });
}

type Io = "input" | "output";

/**
 * Turns zod schemas into JSON Schemas whose `$ref`s point into
 * components/schemas, collecting the referenced schemas as it goes. Two
 * conversions of the same id share one component when they come out the
 * same, referenced schemas included; otherwise the later one gets a suffix.
 */
class SchemaCollector {
  private readonly byName = new Map<string, JsonSchema>();
  /** Per id: the variants seen, by their JSON (with everything they reference), and the component name each got. */
  private readonly variants = new Map<string, { key: string; name: string }[]>();

  constructor(private readonly problems: string[]) {}

  convert(schema: z.ZodType, io: Io, where: string): JsonSchema {
    const raw = z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io,
      cycles: "ref",
      reused: "inline",
      unrepresentable: (ctx) => this.unrepresentable(ctx, io, where),
    }) as JsonSchema;
    const { $defs, $schema: _dialect, ...root } = raw;
    // "#" would point at the whole OpenAPI document once the schema is embedded in it.
    if (collectRefs(raw).includes("#")) this.problems.push(`${where}: a recursive schema needs .meta({ id }) to be described`);
    const defs = ($defs ?? {}) as Record<string, JsonSchema>;
    const names = new Map<string, string>();
    for (const id of Object.keys(defs)) {
      const key = JSON.stringify([...closure(id, defs)].sort().map((name) => [name, defs[name]]));
      const seen = this.variants.get(id) ?? [];
      let variant = seen.find((v) => v.key === key);
      if (!variant) {
        variant = { key, name: this.freeName(seen.length === 0 ? id : `${id}${io === "input" ? "Input" : "Output"}`) };
        seen.push(variant);
        this.variants.set(id, seen);
        this.byName.set(variant.name, {});
      }
      names.set(id, variant.name);
    }
    const rewrite = (value: unknown): unknown => rewriteRefs(value, names);
    for (const [id, def] of Object.entries(defs)) this.byName.set(names.get(id)!, rewrite(def) as JsonSchema);
    return rewrite(root) as JsonSchema;
  }

  /** The schema a `$ref` to components/schemas points at (or the schema itself). */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) return this.byName.get(ref.slice("#/components/schemas/".length)) ?? schema;
    return schema;
  }

  components(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private freeName(base: string): string {
    let name = base;
    for (let n = 2; this.byName.has(name); n++) name = `${base}${n}`;
    return name;
  }

  /**
   * Values JSON Schema has no type for, described as they travel in JSON:
   * bigints as integer strings (money is never a float), dates as ISO 8601
   * strings. Anything else (a transform's output, a Map …) is "any value",
   * and a problem when the document is built strictly.
   */
  private unrepresentable({ zodSchema, path }: { zodSchema: z.core.$ZodTypes; path: (string | number)[] }, io: Io, where: string): JsonSchema | "any" {
    const def = zodSchema._zod.def;
    if (def.type === "bigint") return { type: "string", pattern: "^-?[0-9]+$" };
    if (def.type === "date") return { type: "string", format: "date-time" };
    if (def.type === "literal" && def.values.every((v) => typeof v === "bigint" || typeof v === "string")) {
      const values = def.values.map(String);
      return values.length === 1 ? { type: "string", const: values[0] } : { type: "string", enum: values };
    }
    const at = path.length > 0 ? ` at ${path.join(".")}` : "";
    this.problems.push(
      def.type === "transform"
        ? `${where}${at}: a transform's ${io} can't be described; ${io === "output" ? "describe the response with a plain schema (the JSON it sends)" : "put the transform after a schema of what is accepted (.pipe or .transform on it)"}`
        : `${where}${at}: a ${def.type} has no JSON Schema`,
    );
    return "any";
  }
}

/** The $defs a def reaches through its $refs, itself included. */
function closure(id: string, defs: Record<string, JsonSchema>): Set<string> {
  const reached = new Set<string>();
  const visit = (name: string) => {
    if (reached.has(name) || !defs[name]) return;
    reached.add(name);
    for (const ref of collectRefs(defs[name])) if (ref.startsWith("#/$defs/")) visit(ref.slice("#/$defs/".length));
  };
  visit(id);
  return reached;
}

function collectRefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") into.push(item);
      else collectRefs(item, into);
    }
  }
  return into;
}

function rewriteRefs(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) =>
      key === "$ref" && typeof item === "string" && item.startsWith("#/$defs/")
        ? [key, `#/components/schemas/${names.get(item.slice("#/$defs/".length)) ?? item.slice("#/$defs/".length)}`]
        : [key, rewriteRefs(item, names)],
    ),
  );
}
