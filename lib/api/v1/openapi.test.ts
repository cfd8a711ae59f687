import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ApiOperation } from "./operation";
import { SKETCH_MAX_MS, SKETCH_MIN_MS, sketchKey } from "@/lib/domain/latency-sketch";
import { API_OPERATIONS } from "./operations";
import { MAX_SKETCH_PAIRS, usageBatchSchema } from "./usage-windows-schema";
import { buildOpenApiDocument, errorStatusesFor, pathTemplateParameters, type JsonSchema, type OpenApiDocument, type OpenApiOperationObject } from "./openapi";
import { apiReference } from "./openapi-reference";

// Fixture operations shaped like the real ones: ids, pipes and transforms on
// the way in, bigint-as-string money, enums, optional fields, arrays, a raw body.
const bigintText = z
  .string()
  .regex(/^-?\d{1,20}$/, "must be an integer")
  .transform((s) => BigInt(s));
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const fixtureRun = z
  .object({
    name: z.string().min(1).max(200).meta({ description: "What people call the run.", example: "llama-3-8b-sft" }),
    gpuCount: z.coerce.number().int().min(1).max(100_000),
    status: z.enum(["RUNNING", "FINISHED", "FAILED"]).default("RUNNING"),
    startedAt: instant,
    endedAt: instant.nullable().optional(),
    extraCostMicros: bigintText.optional().meta({ description: "Storage, data and network, in micro-dollars." }),
    labels: z.array(z.string().max(40)).max(20).optional(),
  })
  .meta({ id: "FixtureRunInput" });
const fixtureRunOut = z
  .object({
    externalId: z.string(),
    name: z.string(),
    status: z.enum(["RUNNING", "FINISHED", "FAILED"]),
    startedAt: z.date(),
    costMicros: z.bigint().meta({ description: "Lifetime cost so far." }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "FixtureRun" });
const fixtureWindow = z
  .object({
    deploymentId: z.string(),
    startAt: z.iso.datetime(),
    endAt: z.iso.datetime(),
    source: z.enum(["api", "gateway"]).default("api"),
    requests: z.number().int().min(0),
    latency: z
      .discriminatedUnion("kind", [
        z.object({ kind: z.literal("summary"), p50Ms: z.number().positive(), p99Ms: z.number().positive() }).meta({ id: "FixtureLatencySummary" }),
        z.object({ kind: z.literal("samples"), samplesMs: z.array(z.number().min(0)).min(1) }).meta({ id: "FixtureLatencySamples" }),
      ])
      .meta({ id: "FixtureLatency" })
      .optional(),
  })
  .meta({ id: "FixtureUsageWindow" });
// One id used on the way in and on the way out, where the two differ.
const fixtureMonth = z
  .string()
  .regex(/^\d{4}-\d{2}$/)
  .transform((s) => s)
  .pipe(z.string())
  .meta({ id: "FixtureMonth" });

const FIXTURE_OPERATIONS: ApiOperation[] = [
  {
    method: "PUT",
    path: "/api/v1/runs/{externalId}",
    operationId: "upsertRun",
    summary: "Create or update a training run",
    description: "Creates the run with this id, or updates it.",
    tag: "Training runs",
    scope: "RUNS_WRITE",
    authenticated: true,
    params: z.object({ externalId: z.string().min(1).max(200).meta({ description: "Your id for the run." }) }),
    body: fixtureRun,
    idempotent: true,
    responses: { 200: { description: "Updated.", schema: fixtureRunOut }, 201: { description: "Created.", schema: fixtureRunOut } },
  },
  {
    method: "POST",
    path: "/api/v1/usage-windows",
    operationId: "writeUsageWindows",
    summary: "Write usage windows",
    description: "All or nothing.",
    tag: "Usage",
    scope: "USAGE_WRITE",
    authenticated: true,
    body: z.object({ windows: z.array(fixtureWindow).min(1).max(10_000) }),
    idempotent: true,
    responses: { 200: { description: "Written.", schema: z.object({ written: z.number().int(), windows: z.array(fixtureWindow).optional() }) } },
  },
  {
    method: "GET",
    path: "/api/v1/reports/{month}",
    operationId: "getMonthlyReport",
    summary: "A monthly report",
    description: "As CSV.",
    tag: "Reports",
    scope: "REPORTS_READ",
    authenticated: true,
    params: z.object({ month: fixtureMonth }),
    query: z.object({
      tz: z.enum(["org", "team", "utc"]).optional().meta({ description: "Reporting zone." }),
      page: z.preprocess((v) => v ?? undefined, z.coerce.number().int().min(1).default(1)),
    }),
    responses: {
      200: { description: "The report.", contentType: "text/csv" },
      202: { description: "Month as read.", schema: z.object({ month: fixtureMonth.optional() }) },
    },
  },
  {
    method: "POST",
    path: "/api/v1/prometheus/import",
    operationId: "importPrometheus",
    summary: "Import Prometheus metrics",
    description: "Text exposition format.",
    tag: "Prometheus",
    scope: "USAGE_WRITE",
    authenticated: true,
    rawBody: { contentType: "text/plain; version=0.0.4", description: "Prometheus text exposition format." },
    responses: { 200: { description: "Imported.", schema: z.object({ windows: z.number().int() }) } },
  },
  {
    method: "GET",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document",
    description: "OpenAPI 3.1.",
    tag: "Meta",
    scope: null,
    authenticated: false,
    responses: { 200: { description: "The document.", schema: z.object({ openapi: z.string() }).loose() } },
  },
];

/** Every `$ref` in the document, with where it is. */
function refsIn(value: unknown, at = "#"): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsIn(item, `${at}/${i}`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => (key === "$ref" && typeof item === "string" ? [{ ref: item, at }] : refsIn(item, `${at}/${key}`)));
}

function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), document);
}

function operationsOf(document: OpenApiDocument): OpenApiOperationObject[] {
  return Object.values(document.paths).flatMap((byMethod) => Object.values(byMethod));
}

async function expectValidOpenApi31(document: OpenApiDocument) {
  expect(document.openapi).toMatch(/^3\.1\.\d+$/);
  // structuredClone: the validator dereferences in place.
  const result = await validate(structuredClone(document) as never);
  expect(result.valid ? "" : compileErrors(result)).toBe("");
  expect(result.specification).toBe("OpenAPI");
  for (const { ref, at } of refsIn(document)) expect(resolvePointer(document, ref), `${ref} at ${at}`).toBeDefined();
  const ids = operationsOf(document).map((o) => o.operationId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const [path, byMethod] of Object.entries(document.paths)) {
    for (const operation of Object.values(byMethod)) {
      const declared = (operation.parameters ?? []).flatMap((p) => ("in" in p && p.in === "path" ? [p.name] : []));
      expect(declared.sort(), `${operation.operationId} path parameters`).toEqual(pathTemplateParameters(path).sort());
    }
  }
}

describe("buildOpenApiDocument", () => {
  it("describes API_OPERATIONS as a valid OpenAPI 3.1 document, exactly (strict)", async () => {
    const document = buildOpenApiDocument(API_OPERATIONS, { serverUrl: "https://burnrate.example.com/", isStrict: true });
    await expectValidOpenApi31(document);
    expect(document.servers).toEqual([{ url: "https://burnrate.example.com", description: "This Burnrate server" }]);
    expect(operationsOf(document).map((o) => o.operationId)).toEqual(API_OPERATIONS.map((o) => o.operationId));
    // The error body is always there, for every error response to point at.
    expect(document.components.schemas.ApiError).toMatchObject({ type: "object", required: ["error"] });
    expect(document.components.responses.Invalid!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/ApiError" });
  });

  it("describes fixture operations with ids, transforms, pipes, enums, optional fields, arrays and raw bodies", async () => {
    const document = buildOpenApiDocument(FIXTURE_OPERATIONS, { isStrict: true });
    await expectValidOpenApi31(document);
    expect(document.servers).toBeUndefined();
    expect(document.tags.map((t) => t.name)).toEqual(["Training runs", "Usage", "Reports", "Prometheus", "Meta"]);

    const upsert = document.paths["/api/v1/runs/{externalId}"]!.put!;
    expect(upsert.security).toEqual([{ apiKey: ["runs:write"] }, { session: [] }]);
    expect(upsert["x-scope"]).toBe("runs:write");
    expect(upsert.description).toContain("`runs:write`");
    expect(upsert.parameters).toEqual([
      { name: "externalId", in: "path", required: true, description: "Your id for the run.", schema: { type: "string", minLength: 1, maxLength: 200 } },
      { $ref: "#/components/parameters/IdempotencyKey" },
    ]);
    expect(upsert.requestBody).toEqual({ required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/FixtureRunInput" } } } });
    expect(Object.keys(upsert.responses)).toEqual(["200", "201", "400", "401", "403", "404", "409", "413", "415", "422", "429", "500", "503"]);
    expect(upsert.responses["200"]).toMatchObject({ headers: { "Idempotent-Replayed": { $ref: "#/components/headers/Idempotent-Replayed" } } });

    // Inputs as accepted: before transforms and defaults; money as integer strings.
    const run = document.components.schemas.FixtureRunInput as { properties: Record<string, JsonSchema>; required: string[] };
    expect(run.required).toEqual(["name", "gpuCount", "startedAt"]);
    expect(run.properties.status).toEqual({ default: "RUNNING", type: "string", enum: ["RUNNING", "FINISHED", "FAILED"] });
    expect(run.properties.startedAt).toMatchObject({ type: "string", format: "date-time" });
    expect(run.properties.endedAt).toMatchObject({ anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] });
    expect(run.properties.extraCostMicros).toEqual({ description: "Storage, data and network, in micro-dollars.", type: "string", pattern: "^-?\\d{1,20}$" });
    expect(run.properties.labels).toEqual({ type: "array", maxItems: 20, items: { type: "string", maxLength: 40 } });
    expect(run.properties.name).toMatchObject({ description: "What people call the run.", example: "llama-3-8b-sft" });

    // Outputs as sent: bigints and dates as strings.
    const runOut = document.components.schemas.FixtureRun as { properties: Record<string, JsonSchema>; additionalProperties: boolean };
    expect(runOut.properties.costMicros).toEqual({ description: "Lifetime cost so far.", type: "string", pattern: "^-?[0-9]+$" });
    expect(runOut.properties.startedAt).toEqual({ type: "string", format: "date-time" });
    expect(runOut.additionalProperties).toBe(false);

    // A batch of referenced items; the same id in a request and a response, and another whose input and output differ.
    const batch = document.paths["/api/v1/usage-windows"]!.post!;
    expect(batch.requestBody!.content["application/json"]!.schema).toMatchObject({
      type: "object",
      properties: { windows: { type: "array", minItems: 1, maxItems: 10_000, items: { $ref: "#/components/schemas/FixtureUsageWindow" } } },
    });
    expect(document.components.schemas.FixtureUsageWindow).toMatchObject({ required: ["deploymentId", "startAt", "endAt", "requests"] });
    expect(document.components.schemas.FixtureUsageWindowOutput).toMatchObject({ required: ["deploymentId", "startAt", "endAt", "source", "requests"], additionalProperties: false });
    expect(document.components.schemas.FixtureMonth).toMatchObject({ type: "string", pattern: "^\\d{4}-\\d{2}$" });
    expect(Object.keys(document.components.schemas).sort()).toEqual(Object.keys(document.components.schemas));

    const report = document.paths["/api/v1/reports/{month}"]!.get!;
    expect(report.parameters).toEqual([
      { name: "month", in: "path", required: true, schema: { $ref: "#/components/schemas/FixtureMonth" } },
      { name: "tz", in: "query", required: false, description: "Reporting zone.", schema: { type: "string", enum: ["org", "team", "utc"] } },
      { name: "page", in: "query", required: false, schema: { type: "integer", default: 1, minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
    ]);
    expect(report.responses["200"]).toEqual({ description: "The report.", content: { "text/csv": { schema: { type: "string" } } } });
    expect(report.requestBody).toBeUndefined();

    const prometheus = document.paths["/api/v1/prometheus/import"]!.post!;
    expect(prometheus.requestBody).toEqual({
      required: true,
      description: "Prometheus text exposition format.",
      content: { "text/plain; version=0.0.4": { schema: { type: "string", description: "Prometheus text exposition format." } } },
    });

    const meta = document.paths["/api/v1/openapi.json"]!.get!;
    expect(meta.security).toEqual([]);
    expect(Object.keys(meta.responses)).toEqual(["200"]);
  });

  it("documents a sketch's keys and counts with the bounds the route checks in one pass", () => {
    const document = buildOpenApiDocument(API_OPERATIONS, { isStrict: true });
    const sketch = document.components.schemas.LatencySketch as { properties: Record<string, { items: JsonSchema; maxItems: number }> };
    const keys = sketch.properties.keys!;
    const counts = sketch.properties.counts!;
    expect(keys.items).toEqual({ type: "integer", minimum: sketchKey(SKETCH_MIN_MS), maximum: sketchKey(SKETCH_MAX_MS) });
    expect(counts.items).toEqual({ type: "integer", minimum: 1, maximum: 1e12 });
    expect([keys.maxItems, counts.maxItems]).toEqual([MAX_SKETCH_PAIRS, MAX_SKETCH_PAIRS]);
    const window = (keysGiven: unknown[], countsGiven: unknown[]) => ({
      windows: [{ deploymentId: 1, windowStart: "2026-06-01T00:00:00Z", windowSeconds: 60, requests: 9, inputTokens: 1, outputTokens: 1, latency: { kind: "sketch", keys: keysGiven, counts: countsGiven } }],
    });
    expect(usageBatchSchema.safeParse(window([keys.items.minimum, keys.items.maximum], [1, 1e12])).success).toBe(true);
    const result = usageBatchSchema.safeParse(window([0, 1.5, (keys.items.maximum as number) + 1], [0, 2, 1e12 + 1]));
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["windows.0.latency.keys.1", `Expected a whole number from ${keys.items.minimum} to ${keys.items.maximum}`],
      ["windows.0.latency.keys.2", `Expected a whole number from ${keys.items.minimum} to ${keys.items.maximum}`],
      ["windows.0.latency.counts.0", "Expected a whole number from 1 to 1,000,000,000,000"],
      ["windows.0.latency.counts.2", "Expected a whole number from 1 to 1,000,000,000,000"],
    ]);
  });

  it("is deterministic", () => {
    expect(JSON.stringify(buildOpenApiDocument(FIXTURE_OPERATIONS))).toBe(JSON.stringify(buildOpenApiDocument(FIXTURE_OPERATIONS)));
  });

  it("refuses, when strict, what it can't describe exactly; otherwise describes it as any value", () => {
    const response = z.object({ at: z.string().transform((s) => s.length) });
    const operation: ApiOperation = { ...FIXTURE_OPERATIONS[4]!, responses: { 200: { description: "x", schema: response } } };
    expect(() => buildOpenApiDocument([operation], { isStrict: true })).toThrow(/response 200 at properties\.at: a transform's output can't be described/);
    expect(buildOpenApiDocument([operation]).paths["/api/v1/openapi.json"]!.get!.responses["200"]).toEqual({
      description: "x",
      content: { "application/json": { schema: { type: "object", properties: { at: {} }, required: ["at"], additionalProperties: false } } },
    });
    const undeclared: ApiOperation = { ...FIXTURE_OPERATIONS[0]!, params: z.object({ id: z.string() }) };
    expect(() => buildOpenApiDocument([undeclared], { isStrict: true })).toThrow(/path parameter \{externalId\} is not declared/);
    expect(() => buildOpenApiDocument([FIXTURE_OPERATIONS[4]!, { ...FIXTURE_OPERATIONS[4]!, path: "/api/v1/other" }], { isStrict: true })).toThrow(/operationId "getOpenApiDocument" is used twice/);
  });

  it("answers the standard errors an operation can meet", () => {
    expect(errorStatusesFor(FIXTURE_OPERATIONS[4]!)).toEqual([]);
    expect(errorStatusesFor(FIXTURE_OPERATIONS[3]!)).toEqual([400, 401, 403, 413, 415, 422, 429, 500, 503]);
  });
});

/** The JSON body of a curl example (`--data '…'`). */
function curlBody(curl: string): unknown {
  const match = /--data '([\s\S]*)'$/.exec(curl);
  return match ? JSON.parse(match[1]!.replaceAll(`'\\''`, "'")) : undefined;
}

describe("apiReference (the reference page's content)", () => {
  const reference = apiReference(buildOpenApiDocument(FIXTURE_OPERATIONS, { serverUrl: "https://burnrate.example.com" }));
  const operation = (id: string) => reference.tags.flatMap((t) => t.operations).find((o) => o.id === id)!;

  it("lists operations by tag, in the document's order", () => {
    expect(reference.tags.map((t) => [t.name, t.operations.map((o) => `${o.method} ${o.path}`)])).toEqual([
      ["Training runs", ["PUT /api/v1/runs/{externalId}"]],
      ["Usage", ["POST /api/v1/usage-windows"]],
      ["Reports", ["GET /api/v1/reports/{month}"]],
      ["Prometheus", ["POST /api/v1/prometheus/import"]],
      ["Meta", ["GET /api/v1/openapi.json"]],
    ]);
    expect(reference.errors.map((e) => `${e.status} ${e.name}`)).toEqual([
      "400 BadRequest",
      "401 Unauthenticated",
      "403 Forbidden",
      "404 NotFound",
      "409 Conflict",
      "413 TooLarge",
      "415 UnsupportedMediaType",
      "422 Invalid",
      "429 RateLimited",
      "500 Internal",
      "503 Unavailable",
    ]);
  });

  it("shows who may call an operation apart from its description", () => {
    const upsert = operation("upsertRun");
    expect(upsert.description).toBe("Creates the run with this id, or updates it.");
    expect(upsert.access).toEqual({ kind: "authenticated", scope: "runs:write" });
    expect(upsert.isIdempotent).toBe(true);
    expect(operation("getOpenApiDocument").access).toEqual({ kind: "public" });
  });

  it("flattens body fields into rows with types, requiredness and constraints", () => {
    const fields = operation("upsertRun").body!.fields;
    const row = (name: string) => fields.find((f) => f.name === name)!;
    expect(fields.map((f) => f.name)).toEqual(["name", "gpuCount", "status", "startedAt", "endedAt", "extraCostMicros", "labels"]);
    expect(row("name")).toEqual({ name: "name", type: "string", isRequired: true, description: "What people call the run.", constraints: ["1–200 characters"], depth: 0 });
    expect(row("gpuCount")).toMatchObject({ type: "integer", constraints: ["1–100,000"] });
    expect(row("status")).toMatchObject({ type: '"RUNNING" | "FINISHED" | "FAILED"', isRequired: false, constraints: ['default "RUNNING"'] });
    expect(row("startedAt")).toMatchObject({ type: "string (date-time)", isRequired: true, constraints: [] });
    expect(row("endedAt")).toMatchObject({ type: "string (date-time) | null", isRequired: false });
    expect(row("extraCostMicros")).toMatchObject({ type: "string (integer)", description: "Storage, data and network, in micro-dollars." });
    expect(row("labels")).toMatchObject({ type: "array of string", constraints: ["at most 20 items"] });

    const windows = operation("writeUsageWindows").body!.fields;
    expect(windows.map((f) => [f.name, f.type, f.depth])).toEqual([
      ["windows", "array of FixtureUsageWindow", 0],
      ["windows[].deploymentId", "string", 1],
      ["windows[].startAt", "string (date-time)", 1],
      ["windows[].endAt", "string (date-time)", 1],
      ["windows[].source", '"api" | "gateway"', 1],
      ["windows[].requests", "integer", 1],
      ["windows[].latency", "FixtureLatency", 1],
    ]);
    // Listed apart: the error body and a choice's options, which the tables can't flatten.
    expect(reference.schemas.map((s) => [s.name, s.type])).toEqual([
      ["ApiError", "object"],
      ["FixtureLatency", "FixtureLatencySummary | FixtureLatencySamples"],
      // The usage response sends windows too: as output, the same schemas close their objects.
      ["FixtureLatencyOutput", "FixtureLatencySummaryOutput | FixtureLatencySamplesOutput"],
      ["FixtureLatencySamples", "object"],
      ["FixtureLatencySamplesOutput", "object"],
      ["FixtureLatencySummary", "object"],
      ["FixtureLatencySummaryOutput", "object"],
    ]);
    expect(reference.schemas[3]!.fields.map((f) => [f.name, f.type, f.isRequired])).toEqual([
      ["kind", '"samples"', true],
      ["samplesMs", "array of number", true],
    ]);
  });

  it("lists parameters and responses", () => {
    const report = operation("getMonthlyReport");
    expect(report.parameters.map((p) => [p.in, p.name, p.type, p.isRequired, p.constraints])).toEqual([
      ["path", "month", "FixtureMonth", true, ["pattern ^\\d{4}-\\d{2}$"]],
      ["query", "tz", '"org" | "team" | "utc"', false, []],
      ["query", "page", "integer", false, ["at least 1", "default 1"]],
    ]);
    expect(report.responses.map((r) => [r.status, r.contentType, r.errorName])).toEqual([
      ["200", "text/csv", undefined],
      ["202", "application/json", undefined],
      ["400", "application/json", "BadRequest"],
      ["401", "application/json", "Unauthenticated"],
      ["403", "application/json", "Forbidden"],
      ["404", "application/json", "NotFound"],
      ["429", "application/json", "RateLimited"],
      ["500", "application/json", "Internal"],
      ["503", "application/json", "Unavailable"],
    ]);
    expect(operation("upsertRun").responses[0]).toMatchObject({ status: "200", schemaName: "FixtureRun", fields: expect.arrayContaining([expect.objectContaining({ name: "costMicros", type: "string (integer)" })]) });
  });

  it("builds a curl call whose body the operation's own schema accepts", () => {
    const upsert = operation("upsertRun");
    expect(upsert.curl).toBe(
      [
        `curl -X PUT "https://burnrate.example.com/api/v1/runs/<externalId>" \\`,
        `  -H "Authorization: Bearer $BURNRATE_API_KEY" \\`,
        `  -H "Idempotency-Key: $(uuidgen)" \\`,
        `  -H 'Content-Type: application/json' \\`,
        `  --data '{`,
        `  "name": "llama-3-8b-sft",`,
        `  "gpuCount": 1,`,
        `  "startedAt": "2026-12-01T09:00:00Z"`,
        `}'`,
      ].join("\n"),
    );
    expect(operation("getMonthlyReport").curl).toBe(`curl "https://burnrate.example.com/api/v1/reports/<month>" \\\n  -H "Authorization: Bearer $BURNRATE_API_KEY"`);
    expect(operation("importPrometheus").curl).toContain(`-H 'Content-Type: text/plain; version=0.0.4' \\\n  --data-binary @body.txt`);
    expect(operation("getOpenApiDocument").curl).toBe(`curl "https://burnrate.example.com/api/v1/openapi.json"`);
    for (const fixture of FIXTURE_OPERATIONS.filter((o) => o.body)) {
      expect(fixture.body!.safeParse(curlBody(operation(fixture.operationId).curl)).error, fixture.operationId).toBeUndefined();
    }
  });

  it("gives every real operation a curl call whose body its schema accepts", () => {
    const real = apiReference(buildOpenApiDocument(API_OPERATIONS));
    const byId = new Map(real.tags.flatMap((t) => t.operations).map((o) => [o.id, o]));
    for (const op of API_OPERATIONS.filter((o) => o.body)) {
      expect(op.body!.safeParse(curlBody(byId.get(op.operationId)!.curl)).error, op.operationId).toBeUndefined();
    }
  });

  it("is empty, not broken, without operations", () => {
    const empty = apiReference(buildOpenApiDocument([]));
    expect(empty.tags).toEqual([]);
    expect(empty.errors).toEqual([]);
    expect(empty.description).toContain("## Authentication");
  });
});
