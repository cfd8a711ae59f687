import type { JsonSchema, OpenApiDocument, OpenApiMethod, OpenApiOperationObject, OpenApiParameter, OpenApiResponse } from "./openapi";

/**
 * What the API reference page (app/docs/api) shows, read from the generated
 * OpenAPI document — never from the operations directly — so the page and
 * the document can't disagree: per tag, each operation with its fields
 * flattened into rows ("windows[].requests"), its responses and a curl call.
 */

export interface ReferenceField {
  /** Dotted path: "latency.p50Ms", "windows[].startAt". */
  name: string;
  /** "string (date-time)", "integer", `"org" | "utc"`, "array of UsageWindow" … */
  type: string;
  isRequired: boolean;
  description: string;
  /** "1–200 characters", "default 1", "pattern ^…$" … */
  constraints: string[];
  /** How deep it is nested (0 for top-level fields). */
  depth: number;
}

export interface ReferenceParameter extends ReferenceField {
  in: "path" | "query" | "header";
}

export interface ReferenceResponse {
  status: string;
  description: string;
  contentType?: string;
  /** The component the body is, when it is one. */
  schemaName?: string;
  fields: ReferenceField[];
  /** A standard error response (components/responses): its name. */
  errorName?: string;
}

export interface ReferenceOperation {
  /** The operationId, used as the anchor. */
  id: string;
  method: Uppercase<OpenApiMethod>;
  path: string;
  summary: string;
  /** Markdown, without the access sentence the document appends (shown as `access`). */
  description: string;
  access: { kind: "public" } | { kind: "authenticated"; scope?: string };
  isIdempotent: boolean;
  parameters: ReferenceParameter[];
  body: { contentType: string; description?: string; schemaName?: string; fields: ReferenceField[] } | null;
  responses: ReferenceResponse[];
  curl: string;
}

export interface ReferenceTag {
  name: string;
  description: string;
  operations: ReferenceOperation[];
}

export interface ReferenceErrorResponse {
  status: string;
  name: string;
  description: string;
}

/** A named schema the page lists apart (see schemasToList), for the fields a type name stands for. */
export interface ReferenceSchema {
  name: string;
  description: string;
  /** "object", or the choices: "LatencySketch | LatencyHistogram". */
  type: string;
  fields: ReferenceField[];
}

export interface ApiReference {
  title: string;
  version: string;
  openapi: string;
  /** Markdown. */
  description: string;
  tags: ReferenceTag[];
  /** The standard error responses operations use, by status. */
  errors: ReferenceErrorResponse[];
  schemas: ReferenceSchema[];
}

const METHODS: readonly OpenApiMethod[] = ["get", "put", "post", "delete"];
const SCHEMA_REF = "#/components/schemas/";
const RESPONSE_REF = "#/components/responses/";
const MAX_DEPTH = 5;
const EXAMPLE_BASE_URL = "http://localhost:3000";

export function apiReference(document: OpenApiDocument): ApiReference {
  const errors = new Map<string, ReferenceErrorResponse>();
  const byTag = new Map<string, ReferenceOperation[]>();
  for (const [path, byMethod] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = byMethod[method];
      if (!operation) continue;
      const reference = referenceOperation(document, path, method, operation);
      for (const response of reference.responses) {
        if (response.errorName) errors.set(response.status, { status: response.status, name: response.errorName, description: response.description });
      }
      const tag = operation.tags[0] ?? "Other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), reference]);
    }
  }
  const listed = schemasToList(document);
  const tagOrder = [...document.tags.map((t) => t.name), ...[...byTag.keys()].filter((name) => !document.tags.some((t) => t.name === name))];
  return {
    title: document.info.title,
    version: document.info.version,
    openapi: document.openapi,
    description: document.info.description,
    tags: tagOrder.flatMap((name) => {
      const operations = byTag.get(name);
      return operations ? [{ name, description: document.tags.find((t) => t.name === name)?.description ?? "", operations }] : [];
    }),
    errors: [...errors.values()].sort((a, b) => Number(a.status) - Number(b.status)),
    schemas: Object.entries(document.components.schemas)
      .filter(([name]) => listed.has(name))
      .map(([name, schema]) => ({
      name,
      description: stringOf(schema.description),
      type: baseTypeText(nonNull(schema).schema),
      fields: schemaFields(document, { $ref: `${SCHEMA_REF}${name}` }),
    })),
  };
}

/**
 * The schemas the page lists apart: the error body, and the choices of a
 * oneOf/anyOf (with the schema that is one) — what the field tables can't
 * flatten. Everything else is shown flattened where it is used.
 */
function schemasToList(document: OpenApiDocument): Set<string> {
  const listed = new Set<string>();
  const choiceRefs = (schema: JsonSchema): string[] => {
    const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
    if (!options || (options.length === 2 && options.some((o) => o.type === "null"))) return [];
    return options.flatMap((o) => schemaName(o) ?? []);
  };
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      for (const name of choiceRefs(value as JsonSchema)) listed.add(name);
      Object.values(value).forEach(visit);
    }
  };
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    if (choiceRefs(schema).length > 0) listed.add(name);
  }
  visit(document.components.schemas);
  visit(document.paths);
  for (const response of Object.values(document.components.responses)) {
    for (const media of Object.values(response.content ?? {})) {
      const name = schemaName(media.schema);
      if (name) listed.add(name);
    }
  }
  return listed;
}

function referenceOperation(document: OpenApiDocument, path: string, method: OpenApiMethod, operation: OpenApiOperationObject): ReferenceOperation {
  const parameters = (operation.parameters ?? []).map((p) => resolveParameter(document, p));
  const scope = operation["x-scope"];
  const isPublic = operation.security.length === 0;
  const bodyEntry = operation.requestBody ? Object.entries(operation.requestBody.content)[0] : undefined;
  const body = bodyEntry
    ? {
        contentType: bodyEntry[0],
        description: operation.requestBody!.description,
        schemaName: schemaName(bodyEntry[1].schema),
        fields: bodyEntry[0].includes("json") ? schemaFields(document, bodyEntry[1].schema) : [],
      }
    : null;
  const responses = Object.entries(operation.responses).map(([status, entry]): ReferenceResponse => {
    const ref = "$ref" in entry ? entry.$ref : undefined;
    const errorName = ref?.startsWith(RESPONSE_REF) ? ref.slice(RESPONSE_REF.length) : undefined;
    const response: OpenApiResponse | undefined = errorName ? document.components.responses[errorName] : (entry as OpenApiResponse);
    const content = response?.content ? Object.entries(response.content)[0] : undefined;
    return {
      status,
      description: response?.description ?? "",
      contentType: content?.[0],
      schemaName: content ? schemaName(content[1].schema) : undefined,
      // Error bodies are the one ApiError shape, described once on the page.
      fields: content && !errorName && content[0].includes("json") ? schemaFields(document, content[1].schema) : [],
      ...(errorName ? { errorName } : {}),
    };
  });
  return {
    id: operation.operationId,
    method: method.toUpperCase() as Uppercase<OpenApiMethod>,
    path,
    summary: operation.summary,
    description: withoutAccessSentence(operation.description),
    access: isPublic ? { kind: "public" } : { kind: "authenticated", ...(scope ? { scope } : {}) },
    isIdempotent: operation["x-idempotent"] === true,
    parameters,
    body,
    responses,
    curl: curlExample(document, path, method, operation, parameters),
  };
}

/** The document appends who may call an operation as a last paragraph; the page shows that apart. */
function withoutAccessSentence(description: string): string {
  return description.replace(/\n*\*\*(Scope|Public):\*\*[^\n]*$/, "").trim();
}

function resolveParameter(document: OpenApiDocument, parameter: { $ref: string } | OpenApiParameter): ReferenceParameter {
  const resolved: OpenApiParameter =
    "$ref" in parameter ? document.components.parameters[parameter.$ref.slice("#/components/parameters/".length)]! : parameter;
  const schema = resolveSchema(document, resolved.schema);
  return {
    name: resolved.name,
    in: resolved.in,
    type: typeText(resolved.schema),
    isRequired: resolved.required,
    description: resolved.description ?? stringOf(schema.description),
    constraints: constraintsOf(schema),
    depth: 0,
  };
}

function schemaName(schema: JsonSchema): string | undefined {
  const ref = schema.$ref;
  return typeof ref === "string" && ref.startsWith(SCHEMA_REF) ? ref.slice(SCHEMA_REF.length) : undefined;
}

function resolveSchema(document: OpenApiDocument, schema: JsonSchema, seen: ReadonlySet<string> = new Set()): JsonSchema {
  const name = schemaName(schema);
  if (!name || seen.has(name)) return schema;
  const target = document.components.schemas[name];
  if (!target) return schema;
  // Keywords beside a $ref (a description at the use site) win over the target's.
  const { $ref: _ref, ...beside } = schema;
  return { ...resolveSchema(document, target, new Set([...seen, name])), ...beside };
}

/** A schema with `null` as one option, without it; and whether null was allowed. */
function nonNull(schema: JsonSchema): { schema: JsonSchema; isNullable: boolean } {
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (options) {
    const rest = options.filter((o) => o.type !== "null");
    if (rest.length === 1 && rest.length < options.length) {
      const { anyOf: _a, oneOf: _o, ...beside } = schema;
      return { schema: { ...rest[0]!, ...beside }, isNullable: true };
    }
  }
  if (Array.isArray(schema.type) && schema.type.includes("null")) {
    const types = schema.type.filter((t) => t !== "null");
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, isNullable: true };
  }
  return { schema, isNullable: false };
}

/** "^-?\\d{1,20}$", "^[0-9]+$" …: an integer written as a string (bigints, money). */
const isIntegerPattern = (pattern: unknown) => typeof pattern === "string" && /^\^(-\?)?(\\d|\[0-9\])(\+|\*|\{\d+(,\d*)?\})\$$/.test(pattern);

export function typeText(schema: JsonSchema): string {
  const name = schemaName(schema);
  if (name) return name;
  const { schema: inner, isNullable } = nonNull(schema);
  const base = baseTypeText(inner);
  return isNullable ? `${base} | null` : base;
}

function baseTypeText(schema: JsonSchema): string {
  const name = schemaName(schema);
  if (name) return name;
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (options) return options.map((o) => typeText(o)).join(" | ");
  const type = schema.type;
  if (Array.isArray(type)) return type.join(" | ");
  if (type === "array") return schema.items && typeof schema.items === "object" ? `array of ${typeText(schema.items as JsonSchema)}` : "array";
  if (type === "string") {
    if (typeof schema.format === "string") return `string (${schema.format})`;
    if (isIntegerPattern(schema.pattern)) return "string (integer)";
    return "string";
  }
  if (type === "object" && !schema.properties && schema.additionalProperties && typeof schema.additionalProperties === "object") {
    return `map of ${typeText(schema.additionalProperties as JsonSchema)}`;
  }
  if (typeof type === "string") return type;
  return "any";
}

function constraintsOf(schema: JsonSchema): string[] {
  const s = nonNull(schema).schema;
  const out: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    const isMin = typeof min === "number" && Math.abs(min) !== Number.MAX_SAFE_INTEGER;
    const isMax = typeof max === "number" && Math.abs(max) !== Number.MAX_SAFE_INTEGER;
    if (isMin && isMax) out.push(min === max ? `exactly ${fmt(min)}${unit}` : `${fmt(min)}–${fmt(max)}${unit}`);
    else if (isMin) out.push(`at least ${fmt(min)}${unit}`);
    else if (isMax) out.push(`at most ${fmt(max)}${unit}`);
  };
  range(s.minimum, s.maximum, "");
  if (typeof s.exclusiveMinimum === "number") out.push(`greater than ${fmt(s.exclusiveMinimum)}`);
  if (typeof s.exclusiveMaximum === "number") out.push(`less than ${fmt(s.exclusiveMaximum)}`);
  range(s.minLength, s.maxLength, " characters");
  range(s.minItems, s.maxItems, " items");
  // A format says it better than its (long) pattern; an integer string says it in its type.
  if (typeof s.pattern === "string" && typeof s.format !== "string" && !isIntegerPattern(s.pattern)) out.push(`pattern ${s.pattern}`);
  if ("default" in s) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

const fmt = (n: number) => n.toLocaleString("en-US");

const stringOf = (value: unknown) => (typeof value === "string" ? value : "");

/** Rows for an object's fields, nested objects and arrays of objects flattened beneath their parent. */
export function schemaFields(document: OpenApiDocument, schema: JsonSchema): ReferenceField[] {
  const rows: ReferenceField[] = [];
  const visit = (value: JsonSchema, prefix: string, depth: number, seen: ReadonlySet<string>) => {
    if (depth > MAX_DEPTH) return;
    const name = schemaName(value);
    if (name && seen.has(name)) return;
    const nextSeen = name ? new Set([...seen, name]) : seen;
    const object = nonNull(resolveSchema(document, value)).schema;
    if (object.type === "array" && object.items && typeof object.items === "object") {
      visit(object.items as JsonSchema, `${prefix}[]`, depth, nextSeen);
      return;
    }
    const properties = object.properties as Record<string, JsonSchema> | undefined;
    if (!properties) return;
    const required = new Set((object.required ?? []) as string[]);
    for (const [key, property] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const resolved = resolveSchema(document, property);
      rows.push({
        name: path,
        type: typeText(property),
        isRequired: required.has(key),
        description: stringOf(resolved.description),
        constraints: constraintsOf(resolved),
        depth,
      });
      visit(property, path, depth + 1, nextSeen);
    }
  };
  visit(schema, "", 0, new Set());
  return rows;
}

/**
 * An example value for a schema: its example, default, first enum value …;
 * for an object, its required fields.
 */
export function exampleValue(document: OpenApiDocument, schema: JsonSchema, depth = 0, seen: ReadonlySet<string> = new Set()): unknown {
  const name = schemaName(schema);
  if (depth > MAX_DEPTH + 1 || (name && seen.has(name))) return null;
  const nextSeen = name ? new Set([...seen, name]) : seen;
  const resolved = resolveSchema(document, schema);
  if ("example" in resolved) return resolved.example;
  if (Array.isArray(resolved.examples) && resolved.examples.length > 0) return resolved.examples[0];
  if ("default" in resolved) return resolved.default;
  if ("const" in resolved) return resolved.const;
  if (Array.isArray(resolved.enum)) return resolved.enum[0];
  const s = nonNull(resolved).schema;
  const options = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (options && options.length > 0) return exampleValue(document, options[0]!, depth + 1, nextSeen);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "string":
      if (s.format === "date-time") return "2026-12-01T09:00:00Z";
      if (s.format === "date") return "2026-12-01";
      if (s.format === "email") return "ada@example.com";
      if (s.format === "uuid") return "0b0e6a0c-58c4-4f0e-9a51-6d4f2f8c9a10";
      if (s.format === "uri" || s.format === "url") return "https://example.com";
      if (isIntegerPattern(s.pattern)) return "1000";
      return "string";
    case "integer":
    case "number": {
      if (typeof s.minimum === "number" && Math.abs(s.minimum) !== Number.MAX_SAFE_INTEGER) return Math.max(s.minimum, Math.min(1, typeof s.maximum === "number" ? s.maximum : 1));
      if (typeof s.exclusiveMinimum === "number") return s.exclusiveMinimum + 1;
      return 1;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    case "array":
      return s.items && typeof s.items === "object" ? [exampleValue(document, s.items as JsonSchema, depth + 1, nextSeen)] : [];
    case "object": {
      // The required fields; all of them when none is (an update that may send any).
      const properties = Object.entries((s.properties ?? {}) as Record<string, JsonSchema>);
      const required = new Set((s.required ?? []) as string[]);
      const entries = required.size > 0 ? properties.filter(([key]) => required.has(key)) : properties;
      return Object.fromEntries(entries.map(([key, property]) => [key, exampleValue(document, property, depth + 1, nextSeen)]));
    }
    default:
      return null;
  }
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function curlExample(document: OpenApiDocument, path: string, method: OpenApiMethod, operation: OpenApiOperationObject, parameters: ReferenceParameter[]): string {
  const base = document.servers?.[0]?.url ?? EXAMPLE_BASE_URL;
  const schemaOf = (p: ReferenceParameter) => {
    const raw = (operation.parameters ?? []).map((q) => ("$ref" in q ? null : q)).find((q) => q?.name === p.name && q.in === p.in);
    return raw?.schema;
  };
  const exampleText = (p: ReferenceParameter) => {
    const schema = schemaOf(p);
    const value = schema ? exampleValue(document, schema) : undefined;
    return value === undefined || value === null || value === "string" ? `<${p.name}>` : String(value);
  };
  let url = path;
  for (const p of parameters.filter((q) => q.in === "path")) url = url.replace(`{${p.name}}`, encodeURIComponent(exampleText(p)).replace(/%3C|%3E/g, (m) => (m === "%3C" ? "<" : ">")));
  const query = parameters.filter((p) => p.in === "query" && p.isRequired).map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(exampleText(p))}`);
  const lines = [`curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "${base}${url}${query.length > 0 ? `?${query.join("&")}` : ""}"`];
  if (operation.security.some((requirement) => "apiKey" in requirement)) lines.push(`-H "Authorization: Bearer $BURNRATE_API_KEY"`);
  if (operation["x-idempotent"]) lines.push(`-H "Idempotency-Key: $(uuidgen)"`);
  const content = operation.requestBody ? Object.entries(operation.requestBody.content)[0] : undefined;
  if (content) {
    lines.push(`-H ${shellQuote(`Content-Type: ${content[0]}`)}`);
    if (content[0].includes("json")) lines.push(`--data ${shellQuote(JSON.stringify(exampleValue(document, content[1].schema), null, 2))}`);
    else lines.push(`--data-binary @${content[0].startsWith("text/") ? "body.txt" : "body.bin"}`);
  }
  return lines.join(" \\\n  ");
}
