import { createHash } from "node:crypto";
import { MAX_LISTED_ERRORS } from "@/lib/import/kinds";
import { runKey, windowKey, type ValidRows, type ValidRun, type ValidWindow } from "@/lib/import/rows";
import { ALL_DOMAINS, invalidateOrgData, type DataDomain } from "@/lib/cache/read-cache";
import { poolOf, type PrismaClient } from "../create-client";
import { pgTransaction } from "../pg-transaction";
import { arrayLiteral, epochMsLiteral, instantOfMs, Prisma, type SqlRunner } from "../sql";
import { auditSnapshot, auditValue, usageWindowEntityId, writeAuditEntries, type AuditContext, type AuditEntryInput, type AuditSnapshot, type AuditSource } from "./audit";
import { applyUsageWindowChanges, refreshUsageRollups, usageWindowInput, type DeploymentWindow, type UsageChange } from "./usage-rollups";

/**
 * The one batch write path for training runs and usage windows: the CSV
 * import (lib/db/mutations/imports.ts), the REST API (lib/api/v1) and the
 * Prometheus import all plan and write through here, inside a transaction
 * their caller holds (`withBatchTransaction`). Validation (each source's own
 * reading, then the entities' zod schemas) happens before; here a batch is
 * compared with stored records by natural key — (team, name, start) or the
 * caller's external id for runs, (deployment, window start) for windows —
 * and written: a record equal to the stored one is left alone, a different
 * one updates it (version + 1, audited with before and after), a new one is
 * inserted (audited). Usage rollups follow in the same transaction
 * (`settleUsageRollups`), and the overlap rule for windows of one deployment
 * is `findOverlaps`. The audit source ("import", "api", "prometheus") is the
 * caller's.
 */

export type RecordAction = "new" | "update" | "unchanged";

// ---------------------------------------------------------------------------
// The batch writers' one transaction helper

/** Thrown inside `batchTransaction` to roll everything back and answer `result` instead (a refusal the caller reports). */
export class RollbackBatch<R> extends Error {
  constructor(readonly result: R) {
    super("batch rolled back");
    this.name = "RollbackBatch";
  }
}

/**
 * One batch write — the CSV import's commit, an API request, a Prometheus
 * scrape — in one transaction: `work` plans and writes through the functions
 * below, and either returns its result (committed) or throws
 * `RollbackBatch(result)` to write nothing and answer that instead; anything
 * else rolls back and propagates. Either way the org's cached figures are
 * recomputed from here on. It runs on a connection of the client's pool,
 * through node-postgres directly (pg-transaction.ts says why and how it is bounded).
 */
export async function batchTransaction<T, R = never>(
  client: PrismaClient,
  {
    orgId,
    timeoutMs,
    maxWaitMs,
    domains = ALL_DOMAINS,
  }: {
    orgId: number;
    timeoutMs: number;
    maxWaitMs: number;
    /** What the batch may change (read-cache.ts DataDomain): usage ingest changes usage and the audit log only. */
    domains?: readonly DataDomain[];
  },
  work: (run: SqlRunner) => Promise<T>,
): Promise<T | R> {
  try {
    return await pgTransaction(poolOf(client), { timeoutMs, maxWaitMs }, work);
  } catch (error) {
    if (error instanceof RollbackBatch) return error.result as R;
    throw error;
  } finally {
    invalidateOrgData(orgId, domains);
  }
}

export interface RecordCounts {
  new: number;
  updated: number;
  unchanged: number;
}

/** Keys per look-up of stored records. */
const LOOKUP_ROWS = 10_000;
/** Records compared with their stored ones between turns of the event loop (~2 ms): an import of 100,000 rows never holds the server. */
const PLAN_YIELD_ROWS = 500;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A window as the overlap rule needs it; `row` is the caller's ordinal for it (a file row, an item index + 1), never 0. */
export interface BatchWindowKey {
  row: number;
  deploymentId: number;
  windowStart: Date;
  windowSeconds: number;
}

export interface PlannedUpdate<R> {
  item: R;
  before: AuditSnapshot;
  after: AuditSnapshot;
  /** Training runs: the stored id. */
  id?: number;
  /** Usage windows: the stored span, so rollups covering the old span are refreshed too. */
  storedEnd?: Date;
  /** Usage windows: keep the stored latency sketch (the file gives no percentiles and the same request count). */
  isSketchKept?: boolean;
}

export interface Plan<R> {
  /** New records (their audit snapshots are taken when they are written: a preview only counts them). */
  inserts: { item: R }[];
  updates: PlannedUpdate<R>[];
  unchanged: R[];
  actionOfRow: Map<number, RecordAction>;
}

/** numeric's text ("12.500000") in the shortest exact form the schemas produce ("12.5"). */
function shortDecimal(text: string | null): string | null {
  if (text === null || !text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

const RUN_COLUMNS = Prisma.sql`
  r.id, r."teamId", r.name, r.model, r."parameterCount"::text as "parameterCount", r.method::text as method, r.precision::text as precision,
  r."gradientCheckpointing", r."flashAttention", r."zeroStage", r."gradientAccumulationSteps", r."gpuTypeId", r.provider,
  r."pricingModel"::text as "pricingModel", r."gpuCount", r."startedAt", r."endedAt", r.status::text as status,
  r."tokensProcessed"::text as "tokensProcessed", r."throughputTokensPerSec"::text as "throughputTokensPerSec",
  r."avgGpuUtilizationPct"::text as "avgGpuUtilizationPct", r."pricePerGpuHourOverride"::text as "pricePerGpuHourOverride",
  r."storageCostUsd"::text as "storageCostUsd", r."dataCostUsd"::text as "dataCostUsd", r."networkCostUsd"::text as "networkCostUsd", r.notes`;

const RUN_DECIMALS = ["throughputTokensPerSec", "avgGpuUtilizationPct", "pricePerGpuHourOverride", "storageCostUsd", "dataCostUsd", "networkCostUsd"] as const;

type StoredRun = Record<string, unknown> & { id: number; teamId: number; name: string; startedAt: Date };

function storedRunSnapshot(row: StoredRun): AuditSnapshot {
  const values: Record<string, unknown> = { ...row };
  for (const key of RUN_DECIMALS) values[key] = shortDecimal(row[key] as string | null);
  return auditSnapshot(values);
}

const WINDOW_COLUMNS = Prisma.sql`
  w."deploymentId", w."windowStart", w."windowSeconds", w.requests::text as requests, w.errors::text as errors,
  w."inputTokens"::text as "inputTokens", w."cachedInputTokens"::text as "cachedInputTokens", w."outputTokens"::text as "outputTokens",
  w."latencyP50Ms"::text as "latencyP50Ms", w."latencyP95Ms"::text as "latencyP95Ms", w."latencyP99Ms"::text as "latencyP99Ms",
  w."avgGpuUtilizationPct"::text as "avgGpuUtilizationPct",
  md5(array_to_string(w."latencyKeys", ',') || '|' || array_to_string(w."latencyCounts", ',')) as "latencySketch"`;

/** A sketch as the audit log compares it: the same digest PostgreSQL computes of the stored arrays (WINDOW_COLUMNS). */
export function sketchDigest(keys: readonly number[], counts: readonly number[]): string {
  return createHash("md5").update(`${keys.join(",")}|${counts.join(",")}`).digest("hex");
}

/** The audit snapshot of a window to write: its values, and its sketch's digest when it carries one. */
function windowSnapshot(values: BatchWindow["values"]): AuditSnapshot {
  const after = auditSnapshot(values);
  if (values.latencyKeys && values.latencyKeys.length > 0) after.latencySketch = sketchDigest(values.latencyKeys, values.latencyCounts ?? []);
  return after;
}

const WINDOW_DECIMALS = ["latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct"] as const;

type StoredWindow = Record<string, unknown> & { deploymentId: number; windowStart: Date; windowSeconds: number; requests: string };

function storedWindowSnapshot(row: StoredWindow, hasSketch: boolean): AuditSnapshot {
  // The stored sketch is compared only with a window that brings one (CSV rows never do).
  const values: Record<string, unknown> = { ...row };
  if (!hasSketch) delete values.latencySketch;
  for (const key of WINDOW_DECIMALS) values[key] = shortDecimal(row[key] as string | null);
  return auditSnapshot(values);
}

const isSameSnapshot = (a: AuditSnapshot, b: AuditSnapshot) => Object.keys(b).every((key) => (a[key] ?? null) === (b[key] ?? null));

function emptyPlan<R>(): Plan<R> {
  return { inserts: [], updates: [], unchanged: [], actionOfRow: new Map() };
}

/** A run to write: `values.externalId` (the API's) makes it match the stored run with that id in its team instead of the natural key. */
export type BatchRun = ValidRun & { values: ValidRun["values"] & { externalId?: string } };

/** A window to write: a latency sketch (API, Prometheus) rides along with the entity's values. */
export type BatchWindow = ValidWindow & { values: ValidWindow["values"] & { latencyKeys?: number[]; latencyCounts?: number[] } };

const externalKey = (v: { teamId: number; externalId?: string | null }) => `${v.teamId}|${v.externalId}`;

/**
 * Compares each run with its stored run — the same team and external id when
 * it has one, else the same team, name and start; `isLocking` locks those rows until commit.
 */
export async function planRuns(run: SqlRunner, rows: BatchRun[], isLocking: boolean): Promise<Plan<BatchRun>> {
  const plan = emptyPlan<BatchRun>();
  const lock = isLocking ? Prisma.sql`for update of r` : Prisma.empty;
  for (let i = 0; i < rows.length; i += LOOKUP_ROWS) {
    const chunk = rows.slice(i, i + LOOKUP_ROWS);
    const natural = chunk.filter((r) => r.values.externalId === undefined).map(({ values: v }) => ({ teamId: v.teamId, name: v.name, startedAt: v.startedAt.toISOString() }));
    const external = chunk.filter((r) => r.values.externalId !== undefined).map(({ values: v }) => ({ teamId: v.teamId, externalId: v.externalId }));
    const byName = natural.length === 0 ? [] : await run.query<StoredRun>(Prisma.sql`
      select ${RUN_COLUMNS}, r."externalId"
      from json_to_recordset(${JSON.stringify(natural)}::json) as k("teamId" int, name text, "startedAt" timestamptz)
      join training_runs r on r."teamId" = k."teamId" and r.name = k.name and r."startedAt" = k."startedAt"
      ${lock}`);
    const byExternal = external.length === 0 ? [] : await run.query<StoredRun>(Prisma.sql`
      select ${RUN_COLUMNS}, r."externalId"
      from json_to_recordset(${JSON.stringify(external)}::json) as k("teamId" int, "externalId" text)
      join training_runs r on r."teamId" = k."teamId" and r."externalId" = k."externalId"
      ${lock}`);
    const byKey = new Map(byName.map((r) => [runKey(r), r]));
    const byId = new Map(byExternal.map((r) => [externalKey(r as unknown as { teamId: number; externalId: string }), r]));
    for (const [index, item] of chunk.entries()) {
      if (index % PLAN_YIELD_ROWS === PLAN_YIELD_ROWS - 1) await yieldToEventLoop();
      const existing = item.values.externalId === undefined ? byKey.get(runKey(item.values)) : byId.get(externalKey(item.values));
      if (!existing) {
        plan.inserts.push({ item });
        plan.actionOfRow.set(item.row, "new");
        continue;
      }
      const after = auditSnapshot(item.values);
      // The stored external id is part of the comparison only when the item names one.
      const { externalId, ...stored } = existing;
      const before = storedRunSnapshot(item.values.externalId === undefined ? (stored as StoredRun) : { ...stored, externalId } as StoredRun);
      if (isSameSnapshot(before, after)) {
        plan.unchanged.push(item);
        plan.actionOfRow.set(item.row, "unchanged");
      } else {
        plan.updates.push({ item, before, after, id: existing.id });
        plan.actionOfRow.set(item.row, "update");
      }
    }
  }
  return plan;
}

/** Compares each window with the stored window of the same deployment and start. */
export async function planWindows(run: SqlRunner, rows: BatchWindow[], isLocking: boolean): Promise<Plan<BatchWindow>> {
  const plan = emptyPlan<BatchWindow>();
  for (let i = 0; i < rows.length; i += LOOKUP_ROWS) {
    const chunk = rows.slice(i, i + LOOKUP_ROWS);
    // Each key through the primary key: the lateral subquery (kept whole by `offset 0`) can't become a hash join over a scan
    // of the table, which the planner chose while the table was growing faster than its statistics.
    const stored = await run.query<StoredWindow>(Prisma.sql`
      select w.*
      from unnest(${arrayLiteral(chunk.map(({ values: v }) => v.deploymentId))}::int[], ${epochMsLiteral(chunk.map(({ values: v }) => v.windowStart))}::bigint[]) as k("deploymentId", ms)
      cross join lateral (
        select ${WINDOW_COLUMNS} from inference_usage_windows w
        where w."deploymentId" = k."deploymentId" and w."windowStart" = ${instantOfMs("k.ms")}
        ${isLocking ? Prisma.sql`for update` : Prisma.empty} offset 0) w`);
    const byKey = new Map(stored.map((w) => [windowKey(w), w]));
    for (const [index, item] of chunk.entries()) {
      if (index % PLAN_YIELD_ROWS === PLAN_YIELD_ROWS - 1) await yieldToEventLoop();
      const existing = byKey.get(windowKey(item.values));
      if (!existing) {
        plan.inserts.push({ item });
        plan.actionOfRow.set(item.row, "new");
        continue;
      }
      const after = windowSnapshot(item.values);
      const before = storedWindowSnapshot(existing, after.latencySketch !== undefined);
      if (isSameSnapshot(before, after)) {
        plan.unchanged.push(item);
        plan.actionOfRow.set(item.row, "unchanged");
      } else {
        plan.updates.push({
          item,
          before,
          after,
          storedEnd: new Date(existing.windowStart.getTime() + existing.windowSeconds * 1000),
          // A latency sketch describes the stored requests; a new sketch, percentiles, or other requests replace it.
          isSketchKept: after.latencySketch === undefined && item.values.latencyP50Ms === null && existing.requests === item.values.requests.toString(),
        });
        plan.actionOfRow.set(item.row, "update");
      }
    }
  }
  return plan;
}

// ---------------------------------------------------------------------------
// Writes (inside the commit's transaction)

const RUN_RECORD = Prisma.sql`"teamId" int, name text, model text, "parameterCount" bigint, method "TrainingMethod", precision "Precision",
  "gradientCheckpointing" boolean, "flashAttention" boolean, "zeroStage" int, "gradientAccumulationSteps" int, "gpuTypeId" int, provider text,
  "pricingModel" "PricingModel", "gpuCount" int, "startedAt" timestamptz, "endedAt" timestamptz, status "RunStatus", "tokensProcessed" bigint,
  "throughputTokensPerSec" numeric, "avgGpuUtilizationPct" numeric, "pricePerGpuHourOverride" numeric, "storageCostUsd" numeric,
  "dataCostUsd" numeric, "networkCostUsd" numeric, notes text, "externalId" text`;

export async function insertRuns(run: SqlRunner, planned: Plan<BatchRun>["inserts"]): Promise<AuditEntryInput[]> {
  const inserts = planned.map(({ item }) => ({ item, after: auditSnapshot(item.values) }));
  const created = await run.query<{ id: number; teamId: number; name: string; startedAt: Date }>(Prisma.sql`
    insert into training_runs ("teamId", name, model, "parameterCount", method, precision, "gradientCheckpointing", "flashAttention",
      "zeroStage", "gradientAccumulationSteps", "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
      "tokensProcessed", "throughputTokensPerSec", "avgGpuUtilizationPct", "pricePerGpuHourOverride", "storageCostUsd", "dataCostUsd",
      "networkCostUsd", notes, "externalId", "updatedAt")
    select t."teamId", t.name, t.model, t."parameterCount", t.method, t.precision, t."gradientCheckpointing", t."flashAttention",
      t."zeroStage", t."gradientAccumulationSteps", t."gpuTypeId", t.provider, t."pricingModel", t."gpuCount", t."startedAt", t."endedAt",
      t.status, t."tokensProcessed", t."throughputTokensPerSec", t."avgGpuUtilizationPct", t."pricePerGpuHourOverride", t."storageCostUsd",
      t."dataCostUsd", t."networkCostUsd", t.notes, t."externalId", now()
    from json_to_recordset(${JSON.stringify(inserts.map((i) => i.after))}::json) as t(${RUN_RECORD})
    returning id, "teamId", name, "startedAt"`);
  const idOf = new Map(created.map((r) => [runKey(r), r.id]));
  return inserts.map(({ item, after }) => {
    const id = idOf.get(runKey(item.values));
    if (id === undefined) throw new Error(`Inserted run of row ${item.row} not returned`);
    return { entityType: "trainingRun", entityId: String(id), action: "CREATE", before: null, after };
  });
}

export async function updateRuns(run: SqlRunner, updates: PlannedUpdate<BatchRun>[]): Promise<AuditEntryInput[]> {
  await run.execute(Prisma.sql`
    update training_runs r set model = t.model, "parameterCount" = t."parameterCount", method = t.method, precision = t.precision,
      "gradientCheckpointing" = t."gradientCheckpointing", "flashAttention" = t."flashAttention", "zeroStage" = t."zeroStage",
      "gradientAccumulationSteps" = t."gradientAccumulationSteps", "gpuTypeId" = t."gpuTypeId", provider = t.provider,
      "pricingModel" = t."pricingModel", "gpuCount" = t."gpuCount", "endedAt" = t."endedAt", status = t.status,
      "tokensProcessed" = t."tokensProcessed", "throughputTokensPerSec" = t."throughputTokensPerSec",
      "avgGpuUtilizationPct" = t."avgGpuUtilizationPct", "pricePerGpuHourOverride" = t."pricePerGpuHourOverride",
      "storageCostUsd" = t."storageCostUsd", "dataCostUsd" = t."dataCostUsd", "networkCostUsd" = t."networkCostUsd", notes = t.notes,
      name = t.name, "startedAt" = t."startedAt", "externalId" = coalesce(t."externalId", r."externalId"),
      version = r.version + 1, "updatedAt" = now()
    from json_to_recordset(${JSON.stringify(updates.map((u) => ({ ...u.after, id: u.id })))}::json) as t(id int, ${RUN_RECORD})
    where r.id = t.id`);
  return updates.map(({ id, before, after }) => ({ entityType: "trainingRun", entityId: String(id), action: "UPDATE", before, after }));
}

const WINDOW_RECORD = Prisma.sql`"deploymentId" int, "windowStart" timestamptz, "windowSeconds" int, requests bigint, errors bigint,
  "inputTokens" bigint, "cachedInputTokens" bigint, "outputTokens" bigint, "latencyP50Ms" numeric, "latencyP95Ms" numeric,
  "latencyP99Ms" numeric, "avgGpuUtilizationPct" numeric, "latencyKeys" smallint[], "latencyCounts" int[]`;

/** A window's row for json_to_recordset: its snapshot (values as exact scalars) and its sketch arrays. */
const windowRecord = (item: BatchWindow, after: AuditSnapshot) => ({ ...after, latencyKeys: item.values.latencyKeys ?? [], latencyCounts: item.values.latencyCounts ?? [] });

function windowAudit(values: ValidWindow["values"], action: "CREATE" | "UPDATE", before: AuditSnapshot | null, after: AuditSnapshot): AuditEntryInput {
  return {
    entityType: "usageWindow",
    entityId: usageWindowEntityId(values.deploymentId, values.windowStart),
    subject: { type: "inferenceDeployment", id: String(values.deploymentId) },
    action,
    before,
    after,
  };
}

/**
 * Sources whose writes are traffic — a gateway or scraper posting every
 * minute: their new windows are audited as one entry per batch and
 * deployment (how many, their span, their summed counts), or audit_entries
 * would grow as fast as the raw table. A replaced window is still audited on
 * its own, with before and after; people's writes (forms, CSV import) are
 * audited window by window.
 */
const TRAFFIC_SOURCES: ReadonlySet<AuditSource> = new Set(["api", "prometheus"]);
const SUMMED_WINDOW_FIELDS = ["requests", "errors", "inputTokens", "cachedInputTokens", "outputTokens"] as const;

/** One CREATE entry per deployment for a batch's new windows; its id names the deployment and the span (ISO 8601 interval). */
function windowBatchAudit(inserts: readonly BatchWindow[]): AuditEntryInput[] {
  const groups = new Map<number, { windows: number; start: number; end: number; sums: bigint[] }>();
  for (const { values } of inserts) {
    const start = values.windowStart.getTime();
    const end = start + values.windowSeconds * 1000;
    const group = groups.get(values.deploymentId);
    if (!group) groups.set(values.deploymentId, { windows: 1, start, end, sums: SUMMED_WINDOW_FIELDS.map((field) => values[field]) });
    else {
      group.windows++;
      group.start = Math.min(group.start, start);
      group.end = Math.max(group.end, end);
      SUMMED_WINDOW_FIELDS.forEach((field, i) => (group.sums[i]! += values[field]));
    }
  }
  return [...groups].map(([deploymentId, { windows, start, end, sums }]) => {
    const span = `${new Date(start).toISOString()}/${new Date(end).toISOString()}`;
    return {
      entityType: "usageWindow",
      entityId: `${deploymentId}@${span}`,
      subject: { type: "inferenceDeployment", id: String(deploymentId) },
      action: "CREATE",
      before: null,
      after: {
        deploymentId,
        windows,
        windowStart: new Date(start).toISOString(),
        windowEnd: new Date(end).toISOString(),
        ...Object.fromEntries(SUMMED_WINDOW_FIELDS.map((field, i) => [field, sums[i]!.toString()])),
      },
    };
  });
}

export async function insertWindows(run: SqlRunner, planned: Plan<BatchWindow>["inserts"], { perBatch = false }: { perBatch?: boolean } = {}): Promise<AuditEntryInput[]> {
  const items = planned.map(({ item }) => item);
  // Each column as one array literal of the values as the audit log writes them (unnest reads them in about half the time json_to_recordset takes).
  const column = (key: Exclude<keyof BatchWindow["values"], "latencyKeys" | "latencyCounts" | "windowStart">) => arrayLiteral(items.map(({ values }) => auditValue(values[key]) as string | number | null));
  // The sketches as two flat arrays, each row's pairs a slice from its offset: PostgreSQL reads every key and count once
  // (as a text[] of one array per row, each was read twice, the outer literal and then the row's cast).
  const offsets: number[] = [];
  const pairs: number[] = [];
  let offset = 0;
  for (const { values } of items) {
    offsets.push(offset);
    const n = values.latencyKeys?.length ?? 0;
    if ((values.latencyCounts?.length ?? 0) !== n) throw new Error(`insertWindows: a sketch with ${n} keys and ${values.latencyCounts?.length ?? 0} counts`);
    pairs.push(n);
    offset += n;
  }
  // Each row's numbers joined, then the rows (flatMap over 42,000 numbers took ~6 ms).
  const flat = (f: (values: BatchWindow["values"]) => readonly number[] | undefined) => {
    const rows: string[] = [];
    for (const { values } of items) {
      const list = f(values);
      if (list && list.length > 0) rows.push(list.join(","));
    }
    return `{${rows.join(",")}}`;
  };
  await run.execute(Prisma.sql`
    insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens",
      "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts", "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct")
    select d, ${instantOfMs("ws")}, s, r, e, it, ct, ot, (${flat((v) => v.latencyKeys)}::smallint[])[o + 1 : o + n], (${flat((v) => v.latencyCounts)}::int[])[o + 1 : o + n], p50, p95, p99, u
    from unnest(${column("deploymentId")}::int[], ${epochMsLiteral(items.map(({ values }) => values.windowStart))}::bigint[], ${column("windowSeconds")}::int[], ${column("requests")}::bigint[],
      ${column("errors")}::bigint[], ${column("inputTokens")}::bigint[], ${column("cachedInputTokens")}::bigint[], ${column("outputTokens")}::bigint[],
      ${arrayLiteral(offsets)}::int[], ${arrayLiteral(pairs)}::int[], ${column("latencyP50Ms")}::numeric[], ${column("latencyP95Ms")}::numeric[],
      ${column("latencyP99Ms")}::numeric[], ${column("avgGpuUtilizationPct")}::numeric[]) as t(d, ws, s, r, e, it, ct, ot, o, n, p50, p95, p99, u)`);
  // Traffic is audited per deployment; people's writes window by window, with the full snapshot.
  return perBatch ? windowBatchAudit(items) : items.map((item) => windowAudit(item.values, "CREATE", null, windowSnapshot(item.values)));
}

export async function updateWindows(run: SqlRunner, updates: PlannedUpdate<BatchWindow>[]): Promise<AuditEntryInput[]> {
  await run.execute(Prisma.sql`
    update inference_usage_windows w set "windowSeconds" = t."windowSeconds", requests = t.requests, errors = t.errors,
      "inputTokens" = t."inputTokens", "cachedInputTokens" = t."cachedInputTokens", "outputTokens" = t."outputTokens",
      "latencyP50Ms" = t."latencyP50Ms", "latencyP95Ms" = t."latencyP95Ms", "latencyP99Ms" = t."latencyP99Ms",
      "avgGpuUtilizationPct" = t."avgGpuUtilizationPct",
      "latencyKeys" = case when t."isSketchKept" then w."latencyKeys" else t."latencyKeys" end,
      "latencyCounts" = case when t."isSketchKept" then w."latencyCounts" else t."latencyCounts" end,
      version = w.version + 1
    from json_to_recordset(${JSON.stringify(updates.map((u) => ({ ...windowRecord(u.item, u.after), isSketchKept: u.isSketchKept ?? false })))}::json)
      as t(${WINDOW_RECORD}, "isSketchKept" boolean)
    where w."deploymentId" = t."deploymentId" and w."windowStart" = t."windowStart"`);
  return updates.map(({ item, before, after }) => windowAudit(item.values, "UPDATE", before, after));
}

/**
 * One rollup change per replaced window: from its start to the later of its old and new ends. The rollups merge
 * changes of a deployment that lie within an hour of each other (usage-rollups.ts `changedSpans`), so a file that
 * changes every 100th window recomputes the 15-minute rows around those windows, not the whole span between the first
 * and the last (a 1%-changed re-import of 100,000 windows recomputed all of them).
 */
export function rollupChanges(plan: Plan<BatchWindow>): UsageChange[] {
  return plan.updates.map(({ item, storedEnd }) => {
    const start = item.values.windowStart.getTime();
    return { deploymentId: item.values.deploymentId, start: new Date(start), end: new Date(Math.max(start + item.values.windowSeconds * 1000, storedEnd?.getTime() ?? 0)) };
  });
}

// ---------------------------------------------------------------------------
// A batch: plan, write, audit; rollups once at the end

export type BatchRows = { kind: "trainingRuns"; rows: BatchRun[] } | { kind: "usageWindows"; rows: BatchWindow[] };

export type PlannedBatch = { kind: "trainingRuns"; plan: Plan<BatchRun> } | { kind: "usageWindows"; plan: Plan<BatchWindow> };

/** Compares a batch with stored records (no writes). */
export async function planBatch(run: SqlRunner, batch: BatchRows | ValidRows, isLocking: boolean): Promise<PlannedBatch> {
  return batch.kind === "trainingRuns"
    ? { kind: batch.kind, plan: await planRuns(run, batch.rows, isLocking) }
    : { kind: batch.kind, plan: await planWindows(run, batch.rows, isLocking) };
}

/** What a batch's writes leave for the rollups: windows added, and spans of replaced windows to recompute. */
export interface PendingRollups {
  added: DeploymentWindow[];
  replaced: UsageChange[];
}

export const noPendingRollups = (): PendingRollups => ({ added: [], replaced: [] });

/**
 * Writes a planned batch and its audit entries (with the caller's source —
 * "import", "api", "prometheus" — and the actor's key and address when an API
 * key wrote it; new windows from the API and Prometheus one entry per
 * deployment, see TRAFFIC_SOURCES); windows' rollup work is added to `pending` for
 * `settleUsageRollups` once the whole batch is written.
 */
export async function writePlannedBatch(run: SqlRunner, planned: PlannedBatch, audit: AuditContext, pending: PendingRollups): Promise<RecordCounts> {
  const { plan } = planned;
  if (planned.kind === "trainingRuns") {
    if (plan.inserts.length > 0) await writeAuditEntries(run, audit, await insertRuns(run, planned.plan.inserts));
    if (plan.updates.length > 0) await writeAuditEntries(run, audit, await updateRuns(run, planned.plan.updates));
  } else {
    if (plan.inserts.length > 0) await writeAuditEntries(run, audit, await insertWindows(run, planned.plan.inserts, { perBatch: TRAFFIC_SOURCES.has(audit.source) }));
    if (plan.updates.length > 0) await writeAuditEntries(run, audit, await updateWindows(run, planned.plan.updates));
    for (const { item } of planned.plan.inserts) pending.added.push({ deploymentId: item.values.deploymentId, window: usageWindowInput(item.values) });
    pending.replaced.push(...rollupChanges(planned.plan));
  }
  return { new: plan.inserts.length, updated: plan.updates.length, unchanged: plan.unchanged.length };
}

/**
 * The usage rollups after a batch, in its transaction: new windows are added
 * to the rollups as they are (nothing read back); then the spans of replaced
 * windows are recomputed from raw, against rollups that already hold the new
 * windows, so their deltas are right.
 */
export async function settleUsageRollups(run: SqlRunner, pending: PendingRollups): Promise<void> {
  if (pending.added.length > 0) await applyUsageWindowChanges(run, { added: pending.added });
  if (pending.replaced.length > 0) await refreshUsageRollups(run, pending.replaced);
}

// ---------------------------------------------------------------------------
// Usage windows of one deployment may not overlap

export interface OverlapRow {
  /** The window that starts inside an earlier one: its file row, or null when it is a stored window. */
  r: number | null;
  windowStart: Date;
  windowSeconds: number;
  /** The earlier window it starts inside (the one reaching furthest), as epoch seconds, length and file row (null: stored). */
  otherStart: string;
  otherSeconds: number;
  otherRow: number | null;
}

/**
 * Where the windows of the file, together with the stored windows they don't
 * replace, would overlap — the same rule the usage form applies (two totals
 * for one stretch of time count its traffic twice). One statement over the
 * file's deployments and span; pairs of stored windows alone are not the
 * file's business and are left out. Works before the writes (preview) and
 * after them (commit), since stored windows with a file row's key count as
 * that row.
 */
export async function findOverlaps(run: SqlRunner, windows: readonly BatchWindowKey[]): Promise<OverlapRow[]> {
  if (windows.length === 0) return [];
  // The file as four array literals (unnest reads them faster than json_to_recordset), and each deployment's stored
  // windows through its primary key, one range per deployment: `offset 0` keeps the lateral subquery from being flattened
  // into a join, which the planner ran as a scan of the whole table.
  return run.query<OverlapRow>(Prisma.sql`
    with f as (
      select r, "deploymentId", ${instantOfMs("ms")} as "windowStart", "windowSeconds", ms
      from unnest(${arrayLiteral(windows.map((w) => w.row))}::int[], ${arrayLiteral(windows.map((w) => w.deploymentId))}::int[],
        ${epochMsLiteral(windows.map((w) => w.windowStart))}::bigint[], ${arrayLiteral(windows.map((w) => w.windowSeconds))}::int[])
        as f(r, "deploymentId", ms, "windowSeconds")
    ), span as (
      select "deploymentId", min("windowStart") as lo, max("windowStart" + make_interval(secs => "windowSeconds")) as hi
      from f group by "deploymentId"
    ), u as (
      -- Starts also as epoch milliseconds: the running maximum below compares integers, not timestamps plus intervals.
      select f.r, f."deploymentId", f."windowStart", f."windowSeconds", f.ms from f
      union all
      select null, w."deploymentId", w."windowStart", w."windowSeconds", (extract(epoch from w."windowStart") * 1000)::bigint
      from span cross join lateral (
        select w."deploymentId", w."windowStart", w."windowSeconds" from inference_usage_windows w
        where w."deploymentId" = span."deploymentId" and w."windowStart" >= span.lo and w."windowStart" < span.hi
        offset 0) w
      where not exists (select 1 from f where f."deploymentId" = w."deploymentId" and f."windowStart" = w."windowStart")
      union all
      -- Stored windows never overlap one another, so of those starting before the file's span only the last can reach into it.
      select null, p."deploymentId", p."windowStart", p."windowSeconds", (extract(epoch from p."windowStart") * 1000)::bigint
      from span cross join lateral (
        select w."deploymentId", w."windowStart", w."windowSeconds" from inference_usage_windows w
        where w."deploymentId" = span."deploymentId" and w."windowStart" < span.lo
        order by w."windowStart" desc limit 1) p
    ), o as (
      -- How far the windows before each one reach: only a window they reach into overlaps (the rare case, described below).
      select u.*, max(u.ms + u."windowSeconds" * 1000::bigint)
          over (partition by u."deploymentId" order by u.ms rows between unbounded preceding and 1 preceding) as "reachedTo"
      from u
    )
    select o.r, o."windowStart", o."windowSeconds", e."otherStart", e."otherSeconds", e."otherRow"
    from o cross join lateral (
      -- The earlier window reaching furthest (ties: the later start, the longer, the file's later row).
      select extract(epoch from p."windowStart")::text as "otherStart", p."windowSeconds" as "otherSeconds", p.r as "otherRow"
      from u p
      where p."deploymentId" = o."deploymentId" and p."windowStart" < o."windowStart"
      order by p."windowStart" + make_interval(secs => p."windowSeconds") desc, p."windowStart" desc, p."windowSeconds" desc, coalesce(p.r, 0) desc
      limit 1) e
    where o."reachedTo" > o.ms and (o.r is not null or e."otherRow" is not null)
    order by coalesce(o.r, e."otherRow")
    limit ${MAX_LISTED_ERRORS}`);
}

