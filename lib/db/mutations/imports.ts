import { createHash } from "node:crypto";
import { ownOrgId } from "@/lib/access/own-org-id";
import { canAnyTeam, canTeam, forbidden, orgWhere, TEAM_ROLE_LABELS, teamRoleOf, teamScopeSql, type Denied } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { formatDateTime, RUN_STATUS_LABELS } from "@/lib/domain/labels";
import { checkFileOffThread } from "@/lib/import/file-checker";
import { MAX_LISTED_ERRORS, type ImportIssue, type ImportKind } from "@/lib/import/kinds";
import type { ImportReferences } from "@/lib/import/references";
import { importIssue, runKey, windowKey, type ValidRows, type ValidRun, type ValidWindow } from "@/lib/import/rows";
import type { PrismaClient } from "../create-client";
import { loadImportReferences } from "../queries/import-references";
import { Prisma, prismaRunner, type SqlRunner } from "../sql";
import { auditSnapshot, usageWindowEntityId, writeAuditEntries, type AuditEntryInput, type AuditSnapshot } from "./audit";
import { rollCosts } from "./cost-rollups";
import { applyUsageWindowChanges, MAX_WINDOW_SECONDS, refreshUsageRollups, usageWindowInput, type DeploymentWindow, type UsageChange } from "./usage-rollups";
import { invalidateOrgData } from "@/lib/cache/read-cache";

/**
 * CSV imports of training runs and usage windows: a preview that checks every
 * row and says what a commit would do, and the commit itself — one
 * transaction, all or nothing. The commit never trusts the preview: it reads
 * and checks the file again under a per-org lock. Natural keys (team + name +
 * start for runs, deployment + window start for windows) make a re-import
 * idempotent: a row equal to the stored record is left alone, a different
 * one updates it (version + 1, audited with before and after), a new one is
 * inserted (audited). Usage rollups are refreshed in the same transaction.
 */

export interface ImportFile {
  kind: ImportKind;
  fileName: string;
  bytes: Uint8Array;
  /** IANA zone for times written without an offset (validated by the caller). */
  timeZone: string;
}

/** `total` is the file's data rows, estimated from the bytes read until the last row is checked. */
export type ImportProgress =
  /** Preview: rows read and checked. */
  | { phase: "checking"; done: number; total: number }
  /** Commit: rows checked, and rows compared with stored records and saved (unchanged ones included). */
  | { phase: "importing"; checked: number; saved: number; total: number }
  | { phase: "rollups" };

export type ImportAction = "new" | "update" | "unchanged";

export interface ImportCounts {
  new: number;
  updated: number;
  unchanged: number;
}

export interface SampleRow {
  row: number;
  action: ImportAction;
  cells: string[];
}

export interface ImportSample {
  /** Column headers of the sample table (a subset of the file's). */
  columns: string[];
  rows: SampleRow[];
}

/** Refused by lib/access/policy.ts (no team the viewer may write): the routes answer it as 403 through deniedResponse. */
export interface ImportDenied {
  status: "denied";
  denied: Denied;
}

export type ImportPreview =
  | ImportDenied
  | { status: "invalid-file"; message: string }
  | {
      status: "checked";
      kind: ImportKind;
      rowCount: number;
      /** Counts of the rows that passed; rows with errors are in none of them. */
      counts: ImportCounts;
      errorCount: number;
      /** The first MAX_LISTED_ERRORS errors, in row order. */
      errors: ImportIssue[];
      sample: ImportSample;
    };

export type ImportCommit =
  | ImportDenied
  | { status: "invalid-file"; message: string }
  | { status: "invalid-rows"; rowCount: number; errorCount: number; errors: ImportIssue[] }
  | { status: "committed"; batchId: number; rowCount: number; inserted: number; updated: number; unchanged: number };

/** Rows per statement: large enough to amortize round trips, small enough to report progress often. */
const CHUNK_ROWS = 5_000;
/** Keys per look-up of stored records. */
const LOOKUP_ROWS = 10_000;
/** Rows compared with their stored records between turns of the event loop (~2 ms). */
const PLAN_YIELD_ROWS = 500;
const SAMPLE_ROWS = 10;
/** pg_advisory_xact_lock namespace for imports (the second key is the org). */
const IMPORT_LOCK = 7_384_113;
const TRANSACTION_TIMEOUT_MS = 10 * 60_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A valid usage window of the file, as the overlap check needs it. */
interface FileWindow {
  row: number;
  deploymentId: number;
  windowStart: Date;
  windowSeconds: number;
}

type Checked =
  | { ok: false; message: string }
  | {
      ok: true;
      rowCount: number;
      issueCount: number;
      /** The first problems in row order (at least MAX_LISTED_ERRORS when there are that many). */
      issues: ImportIssue[];
      /** The first SAMPLE_ROWS valid rows. */
      sample: ValidRows;
      /** Usage windows: every valid window's span (for the overlap check). */
      windows: FileWindow[];
      issue: (row: number, field: string, message: string) => ImportIssue;
    };

/**
 * Reads and checks the file off the main thread (lib/import/file-checker.ts)
 * and hands each 5,000 valid rows to `consume` as soon as they are checked —
 * while the rows are valid so far, or always with `isConsumingAfterIssues`.
 * `consume` runs one chunk at a time, concurrently with the checking of the
 * next rows: the database works on one chunk while the worker checks the
 * next, and checking waits while a chunk is still being consumed when the
 * next one is ready, so at most two chunks are held. Every row is checked,
 * so all problems are counted.
 */
async function checkFile({
  file,
  references,
  now,
  consume,
  isConsumingAfterIssues = false,
  onChecked,
}: {
  file: ImportFile;
  references: ImportReferences;
  now: Date;
  consume: (chunk: ValidRows) => Promise<void>;
  isConsumingAfterIssues?: boolean;
  onChecked?: (checked: number, total: number) => void;
}): Promise<Checked> {
  let pending: ValidRows[] = [];
  let buffered = 0;
  let isHanding = true;
  let failure: { error: unknown } | null = null;
  let consuming: Promise<void> = Promise.resolve();
  const sample: ValidRows[] = [];
  let sampled = 0;
  const windows: FileWindow[] = [];
  /** Queues the pending rows for `consume`; resolves once the chunk before them is consumed. */
  const flush = (): Promise<void> => {
    if (buffered === 0) return consuming;
    const chunk = mergeValid(pending);
    pending = [];
    buffered = 0;
    const before = consuming;
    consuming = consuming.then(async () => {
      if (failure) return;
      try {
        await consume(chunk);
      } catch (error) {
        failure = { error };
      }
    });
    return before;
  };
  let checked;
  try {
    checked = await checkFileOffThread({
      kind: file.kind,
      timeZone: file.timeZone,
      now,
      references,
      bytes: file.bytes,
      onChunk: async ({ valid, checked: done, estimatedTotal, issueCount }) => {
        // A failed chunk stops the check (the error is thrown below).
        if (failure) throw (failure as { error: unknown }).error;
        if (sampled < SAMPLE_ROWS && valid.rows.length > 0) {
          sample.push(sliceValid(valid, 0, SAMPLE_ROWS - sampled));
          sampled += Math.min(valid.rows.length, SAMPLE_ROWS - sampled);
        }
        if (valid.kind === "usageWindows") {
          for (const { row, values: v } of valid.rows) windows.push({ row, deploymentId: v.deploymentId, windowStart: v.windowStart, windowSeconds: v.windowSeconds });
        }
        if (issueCount > 0 && !isConsumingAfterIssues) isHanding = false;
        if (isHanding && valid.rows.length > 0) {
          pending.push(valid);
          buffered += valid.rows.length;
          if (buffered >= CHUNK_ROWS) await flush();
        }
        onChecked?.(done, estimatedTotal);
      },
    });
    if (checked.ok && isHanding) void flush();
  } finally {
    // Never leave a chunk's statements running behind the caller's back (it may roll the transaction back next).
    await consuming;
  }
  if (failure) throw (failure as { error: unknown }).error;
  if (!checked.ok) return checked;
  const { header } = checked;
  return {
    ok: true,
    rowCount: checked.rowCount,
    issueCount: checked.issueCount,
    issues: checked.issues,
    sample: mergeValid(sample.length > 0 ? sample : [{ kind: file.kind, rows: [] } as ValidRows]),
    windows,
    issue: (row, field, message) => importIssue(file.kind, header, row, field, message),
  };
}

function sliceValid(valid: ValidRows, from: number, to: number): ValidRows {
  return valid.kind === "trainingRuns" ? { kind: valid.kind, rows: valid.rows.slice(from, to) } : { kind: valid.kind, rows: valid.rows.slice(from, to) };
}

function mergeValid(parts: ValidRows[]): ValidRows {
  const kind = parts[0]?.kind ?? "trainingRuns";
  return kind === "trainingRuns"
    ? { kind, rows: parts.flatMap((p) => (p.kind === "trainingRuns" ? p.rows : [])) }
    : { kind, rows: parts.flatMap((p) => (p.kind === "usageWindows" ? p.rows : [])) };
}

// ---------------------------------------------------------------------------
// Stored records and how an imported row compares with them

interface PlannedUpdate<R> {
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

interface Plan<R> {
  /** New rows (their audit snapshots are taken when they are written: a preview only counts them). */
  inserts: { item: R }[];
  updates: PlannedUpdate<R>[];
  unchanged: R[];
  actionOfRow: Map<number, ImportAction>;
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
  w."avgGpuUtilizationPct"::text as "avgGpuUtilizationPct"`;

const WINDOW_DECIMALS = ["latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct"] as const;

type StoredWindow = Record<string, unknown> & { deploymentId: number; windowStart: Date; windowSeconds: number; requests: string };

function storedWindowSnapshot(row: StoredWindow): AuditSnapshot {
  const values: Record<string, unknown> = { ...row };
  for (const key of WINDOW_DECIMALS) values[key] = shortDecimal(row[key] as string | null);
  return auditSnapshot(values);
}

const isSameSnapshot = (a: AuditSnapshot, b: AuditSnapshot) => Object.keys(b).every((key) => (a[key] ?? null) === (b[key] ?? null));

function emptyPlan<R>(): Plan<R> {
  return { inserts: [], updates: [], unchanged: [], actionOfRow: new Map() };
}

/** Compares each run with the stored run of the same team, name and start; `isLocking` locks those rows until commit. */
async function planRuns(run: SqlRunner, rows: ValidRun[], isLocking: boolean): Promise<Plan<ValidRun>> {
  const plan = emptyPlan<ValidRun>();
  for (let i = 0; i < rows.length; i += LOOKUP_ROWS) {
    const chunk = rows.slice(i, i + LOOKUP_ROWS);
    const keys = chunk.map(({ values: v }) => ({ teamId: v.teamId, name: v.name, startedAt: v.startedAt.toISOString() }));
    const stored = await run.query<StoredRun>(Prisma.sql`
      select ${RUN_COLUMNS}
      from json_to_recordset(${JSON.stringify(keys)}::json) as k("teamId" int, name text, "startedAt" timestamptz)
      join training_runs r on r."teamId" = k."teamId" and r.name = k.name and r."startedAt" = k."startedAt"
      ${isLocking ? Prisma.sql`for update of r` : Prisma.empty}`);
    const byKey = new Map(stored.map((r) => [runKey(r), r]));
    for (const [index, item] of chunk.entries()) {
      if (index % PLAN_YIELD_ROWS === PLAN_YIELD_ROWS - 1) await yieldToEventLoop();
      const existing = byKey.get(runKey(item.values));
      if (!existing) {
        plan.inserts.push({ item });
        plan.actionOfRow.set(item.row, "new");
        continue;
      }
      const after = auditSnapshot(item.values);
      const before = storedRunSnapshot(existing);
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
async function planWindows(run: SqlRunner, rows: ValidWindow[], isLocking: boolean): Promise<Plan<ValidWindow>> {
  const plan = emptyPlan<ValidWindow>();
  for (let i = 0; i < rows.length; i += LOOKUP_ROWS) {
    const chunk = rows.slice(i, i + LOOKUP_ROWS);
    const keys = chunk.map(({ values: v }) => ({ deploymentId: v.deploymentId, windowStart: v.windowStart.toISOString() }));
    const stored = await run.query<StoredWindow>(Prisma.sql`
      select ${WINDOW_COLUMNS}
      from json_to_recordset(${JSON.stringify(keys)}::json) as k("deploymentId" int, "windowStart" timestamptz)
      join inference_usage_windows w on w."deploymentId" = k."deploymentId" and w."windowStart" = k."windowStart"
      ${isLocking ? Prisma.sql`for update of w` : Prisma.empty}`);
    const byKey = new Map(stored.map((w) => [windowKey(w), w]));
    for (const [index, item] of chunk.entries()) {
      if (index % PLAN_YIELD_ROWS === PLAN_YIELD_ROWS - 1) await yieldToEventLoop();
      const existing = byKey.get(windowKey(item.values));
      if (!existing) {
        plan.inserts.push({ item });
        plan.actionOfRow.set(item.row, "new");
        continue;
      }
      const after = auditSnapshot(item.values);
      const before = storedWindowSnapshot(existing);
      if (isSameSnapshot(before, after)) {
        plan.unchanged.push(item);
        plan.actionOfRow.set(item.row, "unchanged");
      } else {
        plan.updates.push({
          item,
          before,
          after,
          storedEnd: new Date(existing.windowStart.getTime() + existing.windowSeconds * 1000),
          // A latency sketch describes the stored requests; percentiles in the file, or other requests, replace it.
          isSketchKept: item.values.latencyP50Ms === null && existing.requests === item.values.requests.toString(),
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
  "dataCostUsd" numeric, "networkCostUsd" numeric, notes text`;

async function insertRuns(run: SqlRunner, planned: Plan<ValidRun>["inserts"]): Promise<AuditEntryInput[]> {
  const inserts = planned.map(({ item }) => ({ item, after: auditSnapshot(item.values) }));
  const created = await run.query<{ id: number; teamId: number; name: string; startedAt: Date }>(Prisma.sql`
    insert into training_runs ("teamId", name, model, "parameterCount", method, precision, "gradientCheckpointing", "flashAttention",
      "zeroStage", "gradientAccumulationSteps", "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status,
      "tokensProcessed", "throughputTokensPerSec", "avgGpuUtilizationPct", "pricePerGpuHourOverride", "storageCostUsd", "dataCostUsd",
      "networkCostUsd", notes, "updatedAt")
    select t."teamId", t.name, t.model, t."parameterCount", t.method, t.precision, t."gradientCheckpointing", t."flashAttention",
      t."zeroStage", t."gradientAccumulationSteps", t."gpuTypeId", t.provider, t."pricingModel", t."gpuCount", t."startedAt", t."endedAt",
      t.status, t."tokensProcessed", t."throughputTokensPerSec", t."avgGpuUtilizationPct", t."pricePerGpuHourOverride", t."storageCostUsd",
      t."dataCostUsd", t."networkCostUsd", t.notes, now()
    from json_to_recordset(${JSON.stringify(inserts.map((i) => i.after))}::json) as t(${RUN_RECORD})
    returning id, "teamId", name, "startedAt"`);
  const idOf = new Map(created.map((r) => [runKey(r), r.id]));
  return inserts.map(({ item, after }) => {
    const id = idOf.get(runKey(item.values));
    if (id === undefined) throw new Error(`Inserted run of row ${item.row} not returned`);
    return { entityType: "trainingRun", entityId: String(id), action: "CREATE", before: null, after };
  });
}

async function updateRuns(run: SqlRunner, updates: PlannedUpdate<ValidRun>[]): Promise<AuditEntryInput[]> {
  await run.execute(Prisma.sql`
    update training_runs r set model = t.model, "parameterCount" = t."parameterCount", method = t.method, precision = t.precision,
      "gradientCheckpointing" = t."gradientCheckpointing", "flashAttention" = t."flashAttention", "zeroStage" = t."zeroStage",
      "gradientAccumulationSteps" = t."gradientAccumulationSteps", "gpuTypeId" = t."gpuTypeId", provider = t.provider,
      "pricingModel" = t."pricingModel", "gpuCount" = t."gpuCount", "endedAt" = t."endedAt", status = t.status,
      "tokensProcessed" = t."tokensProcessed", "throughputTokensPerSec" = t."throughputTokensPerSec",
      "avgGpuUtilizationPct" = t."avgGpuUtilizationPct", "pricePerGpuHourOverride" = t."pricePerGpuHourOverride",
      "storageCostUsd" = t."storageCostUsd", "dataCostUsd" = t."dataCostUsd", "networkCostUsd" = t."networkCostUsd", notes = t.notes,
      version = r.version + 1, "updatedAt" = now()
    from json_to_recordset(${JSON.stringify(updates.map((u) => ({ ...u.after, id: u.id })))}::json) as t(id int, ${RUN_RECORD})
    where r.id = t.id`);
  return updates.map(({ id, before, after }) => ({ entityType: "trainingRun", entityId: String(id), action: "UPDATE", before, after }));
}

const WINDOW_RECORD = Prisma.sql`"deploymentId" int, "windowStart" timestamptz, "windowSeconds" int, requests bigint, errors bigint,
  "inputTokens" bigint, "cachedInputTokens" bigint, "outputTokens" bigint, "latencyP50Ms" numeric, "latencyP95Ms" numeric,
  "latencyP99Ms" numeric, "avgGpuUtilizationPct" numeric`;

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

async function insertWindows(run: SqlRunner, planned: Plan<ValidWindow>["inserts"]): Promise<AuditEntryInput[]> {
  const inserts = planned.map(({ item }) => ({ item, after: auditSnapshot(item.values) }));
  await run.execute(Prisma.sql`
    insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens",
      "cachedInputTokens", "outputTokens", "latencyKeys", "latencyCounts", "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "avgGpuUtilizationPct")
    select t."deploymentId", t."windowStart", t."windowSeconds", t.requests, t.errors, t."inputTokens", t."cachedInputTokens",
      t."outputTokens", '{}'::smallint[], '{}'::int[], t."latencyP50Ms", t."latencyP95Ms", t."latencyP99Ms", t."avgGpuUtilizationPct"
    from json_to_recordset(${JSON.stringify(inserts.map((i) => i.after))}::json) as t(${WINDOW_RECORD})`);
  return inserts.map(({ item, after }) => windowAudit(item.values, "CREATE", null, after));
}

async function updateWindows(run: SqlRunner, updates: PlannedUpdate<ValidWindow>[]): Promise<AuditEntryInput[]> {
  await run.execute(Prisma.sql`
    update inference_usage_windows w set "windowSeconds" = t."windowSeconds", requests = t.requests, errors = t.errors,
      "inputTokens" = t."inputTokens", "cachedInputTokens" = t."cachedInputTokens", "outputTokens" = t."outputTokens",
      "latencyP50Ms" = t."latencyP50Ms", "latencyP95Ms" = t."latencyP95Ms", "latencyP99Ms" = t."latencyP99Ms",
      "avgGpuUtilizationPct" = t."avgGpuUtilizationPct",
      "latencyKeys" = case when t."isSketchKept" then w."latencyKeys" else '{}'::smallint[] end,
      "latencyCounts" = case when t."isSketchKept" then w."latencyCounts" else '{}'::int[] end,
      version = w.version + 1
    from json_to_recordset(${JSON.stringify(updates.map((u) => ({ ...u.after, isSketchKept: u.isSketchKept ?? false })))}::json)
      as t(${WINDOW_RECORD}, "isSketchKept" boolean)
    where w."deploymentId" = t."deploymentId" and w."windowStart" = t."windowStart"`);
  return updates.map(({ item, before, after }) => windowAudit(item.values, "UPDATE", before, after));
}

/** One rollup change per deployment whose stored windows the import replaced: from the earliest replaced start to the latest end (old or new). */
function rollupChanges(plan: Plan<ValidWindow>): UsageChange[] {
  const spans = new Map<number, { start: number; end: number }>();
  const widen = (deploymentId: number, start: number, end: number) => {
    const span = spans.get(deploymentId);
    spans.set(deploymentId, span ? { start: Math.min(span.start, start), end: Math.max(span.end, end) } : { start, end });
  };
  for (const { item, storedEnd } of plan.updates) {
    const start = item.values.windowStart.getTime();
    widen(item.values.deploymentId, start, Math.max(start + item.values.windowSeconds * 1000, storedEnd?.getTime() ?? 0));
  }
  return [...spans].map(([deploymentId, span]) => ({ deploymentId, start: new Date(span.start), end: new Date(span.end) }));
}

// ---------------------------------------------------------------------------
// Usage windows of one deployment may not overlap

interface OverlapRow {
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
async function findOverlaps(run: SqlRunner, windows: FileWindow[]): Promise<OverlapRow[]> {
  if (windows.length === 0) return [];
  const file = windows.map((w) => ({ r: w.row, deploymentId: w.deploymentId, windowStart: w.windowStart.toISOString(), windowSeconds: w.windowSeconds }));
  return run.query<OverlapRow>(Prisma.sql`
    with f as (
      select * from json_to_recordset(${JSON.stringify(file)}::json) as f(r int, "deploymentId" int, "windowStart" timestamptz, "windowSeconds" int)
    ), span as (
      select "deploymentId", min("windowStart") - make_interval(secs => ${MAX_WINDOW_SECONDS}) as lo,
        max("windowStart" + make_interval(secs => "windowSeconds")) as hi
      from f group by "deploymentId"
    ), u as (
      select f.r, f."deploymentId", f."windowStart", f."windowSeconds" from f
      union all
      select null, w."deploymentId", w."windowStart", w."windowSeconds"
      from span join inference_usage_windows w on w."deploymentId" = span."deploymentId" and w."windowStart" > span.lo and w."windowStart" < span.hi
      where not exists (select 1 from f where f."deploymentId" = w."deploymentId" and f."windowStart" = w."windowStart")
    ), o as (
      select u.*, max(array[extract(epoch from u."windowStart" + make_interval(secs => u."windowSeconds")), extract(epoch from u."windowStart"),
          u."windowSeconds", coalesce(u.r, 0)]) over (partition by u."deploymentId" order by u."windowStart" rows between unbounded preceding and 1 preceding) as earlier
      from u
    )
    select r, "windowStart", "windowSeconds", earlier[2]::text as "otherStart", earlier[3]::int as "otherSeconds", nullif(earlier[4]::int, 0) as "otherRow"
    from o
    where earlier[1] > extract(epoch from "windowStart") and (r is not null or earlier[4] > 0)
    order by coalesce(r, earlier[4]::int)
    limit ${MAX_LISTED_ERRORS}`);
}

/** Overlaps as problems of the file's rows, worded like the usage form's. */
function overlapIssues(overlaps: OverlapRow[], issue: (row: number, field: string, message: string) => ImportIssue, timeZone: string): ImportIssue[] {
  const describe = (start: Date, seconds: number) =>
    `${formatDateTime({ instant: start, timeZone })}–${formatDateTime({ instant: new Date(start.getTime() + seconds * 1000), timeZone })} (${timeZone})`;
  const rule = "periods of one deployment can't overlap, or their traffic would count twice";
  return overlaps.map((o) => {
    const other = describe(new Date(Math.round(Number(o.otherStart) * 1000)), o.otherSeconds);
    if (o.r !== null) {
      return issue(o.r, "windowStart", o.otherRow !== null ? `Overlaps row ${o.otherRow.toLocaleString("en-US")} (${other}); ${rule}` : `Overlaps the usage recorded for ${other}; ${rule}`);
    }
    return issue(o.otherRow!, "windowSeconds", `Runs into the usage recorded for ${describe(o.windowStart, o.windowSeconds)}; ${rule}`);
  });
}

/** In row order, then column order (problems without a column last). */
function sortIssues(issues: ImportIssue[]): ImportIssue[] {
  return [...issues].sort((a, b) => a.row - b.row || (a.columnIndex ?? Infinity) - (b.columnIndex ?? Infinity));
}

// ---------------------------------------------------------------------------
// Preview

function sampleOf(valid: ValidRows, actionOfRow: Map<number, ImportAction>, references: ImportReferences, timeZone: string): ImportSample {
  const at = (instant: Date | null) => formatDateTime({ instant, timeZone });
  if (valid.kind === "trainingRuns") {
    const teams = new Map(references.teams.map((t) => [t.id, t.slug]));
    const gpus = new Map(references.gpuTypes.map((g) => [g.id, g.name]));
    return {
      columns: ["team", "name", "model", "gpu_type", "gpu_count", "started_at", "ended_at", "status"],
      rows: valid.rows.slice(0, SAMPLE_ROWS).map(({ row, values: v }) => ({
        row,
        action: actionOfRow.get(row) ?? "new",
        cells: [teams.get(v.teamId) ?? "", v.name, v.model, gpus.get(v.gpuTypeId) ?? "", String(v.gpuCount), at(v.startedAt), at(v.endedAt), RUN_STATUS_LABELS[v.status]],
      })),
    };
  }
  const deployments = new Map(references.deployments.map((d) => [d.id, d.name]));
  return {
    columns: ["deployment", "window_start", "window_seconds", "requests", "input_tokens", "output_tokens", "latency_p99_ms"],
    rows: valid.rows.slice(0, SAMPLE_ROWS).map(({ row, values: v }) => ({
      row,
      action: actionOfRow.get(row) ?? "new",
      cells: [
        `${deployments.get(v.deploymentId) ?? ""} (#${v.deploymentId})`,
        at(v.windowStart),
        String(v.windowSeconds),
        v.requests.toString(),
        v.inputTokens.toString(),
        v.outputTokens.toString(),
        v.latencyP99Ms ?? "",
      ],
    })),
  };
}

async function planFor(run: SqlRunner, valid: ValidRows, isLocking: boolean) {
  return valid.kind === "trainingRuns"
    ? { kind: valid.kind, plan: await planRuns(run, valid.rows, isLocking) }
    : { kind: valid.kind, plan: await planWindows(run, valid.rows, isLocking) };
}

/** May the viewer import at all (team:write on at least one team)? Null when so. */
export function authorizeImport(viewer: Viewer): Denied | null {
  return canAnyTeam(viewer, "team:write") ? null : forbidden("You may not import records: that takes an editor or admin role on a team.");
}

function readOnlyTeam(viewer: Viewer, teamId: number, slug: string): string {
  const role = teamRoleOf(viewer, teamId);
  return `You can't import into team "${slug}": your role there is ${role ? TEAM_ROLE_LABELS[role] : "none"} (a team editor or admin can)`;
}

/**
 * The file's references as the viewer may use them: teams and deployments of
 * the teams they may read (others are unknown, as if they didn't exist); those
 * they may read but not write carry the row error that names the team. GPU
 * types are the org's.
 */
export async function loadScopedImportReferences(run: SqlRunner, { viewer, kind, isLocking = false }: { viewer: Viewer; kind: ImportFile["kind"]; isLocking?: boolean }): Promise<ImportReferences> {
  const all = await loadImportReferences(run, { ...orgWhere(viewer), kind, isLocking });
  const teams = all.teams
    .filter((t) => canTeam(viewer, "team:read", t.id))
    .map((t) => (canTeam(viewer, "team:write", t.id) ? t : { ...t, refusal: readOnlyTeam(viewer, t.id, t.slug) }));
  if (kind === "trainingRuns") return { ...all, teams };
  const owners = await run.query<{ id: number; teamId: number; slug: string }>(Prisma.sql`
    select d.id, d."teamId", t.slug from inference_deployments d join teams t on t.id = d."teamId"
    where ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}`);
  const ownerOf = new Map(owners.map((o) => [o.id, o]));
  const deployments = all.deployments.flatMap((d) => {
    const owner = ownerOf.get(d.id);
    if (!owner) return [];
    return canTeam(viewer, "team:write", owner.teamId) ? [d] : [{ ...d, refusal: `Deployment "${d.name}" belongs to team "${owner.slug}". ${readOnlyTeam(viewer, owner.teamId, owner.slug)}` }];
  });
  return { ...all, teams, deployments };
}

/** Checks every row and compares the valid ones with stored records; writes nothing. Refused (Denied) for who may write no team. */
export async function previewImport({
  client,
  viewer,
  file,
  now = new Date(),
  onProgress,
}: {
  client: PrismaClient;
  viewer: Viewer;
  file: ImportFile;
  now?: Date;
  onProgress?: (progress: ImportProgress) => void;
}): Promise<ImportPreview> {
  const denied = authorizeImport(viewer);
  if (denied) return { status: "denied", denied };
  const run = prismaRunner(client);
  const references = await loadScopedImportReferences(run, { viewer, kind: file.kind });
  const counts: ImportCounts = { new: 0, updated: 0, unchanged: 0 };
  const actionOfRow = new Map<number, ImportAction>();
  const checked = await checkFile({
    file,
    references,
    now,
    // Every valid row is compared, before and after rows with problems, for the counts.
    isConsumingAfterIssues: true,
    onChecked: (done, total) => onProgress?.({ phase: "checking", done, total }),
    consume: async (chunk) => {
      const { plan } = await planFor(run, chunk, false);
      counts.new += plan.inserts.length;
      counts.updated += plan.updates.length;
      counts.unchanged += plan.unchanged.length;
      for (const [row, action] of plan.actionOfRow) if (actionOfRow.size < SAMPLE_ROWS) actionOfRow.set(row, action);
    },
  });
  if (!checked.ok) return { status: "invalid-file", message: checked.message };
  const overlaps = file.kind === "usageWindows" ? overlapIssues(await findOverlaps(run, checked.windows), checked.issue, file.timeZone) : [];
  const issues = overlaps.length > 0 ? sortIssues([...checked.issues, ...overlaps]) : checked.issues;
  return {
    status: "checked",
    kind: file.kind,
    rowCount: checked.rowCount,
    counts,
    errorCount: checked.issueCount + overlaps.length,
    errors: issues.slice(0, MAX_LISTED_ERRORS),
    sample: sampleOf(checked.sample, actionOfRow, references, file.timeZone),
  };
}

// ---------------------------------------------------------------------------
// Commit

/** The file's SHA-256, a megabyte at a time with a turn of the event loop between (50 MB at once would hold it ~100 ms). */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = createHash("sha256");
  for (let offset = 0; offset < bytes.length; offset += 1024 * 1024) {
    hash.update(bytes.subarray(offset, offset + 1024 * 1024));
    await yieldToEventLoop();
  }
  return hash.digest("hex");
}

/** Thrown inside the commit's transaction to roll it back and return a result instead. */
class RollbackWith extends Error {
  constructor(readonly result: ImportCommit) {
    super("import rolled back");
  }
}

/**
 * Imports the file in one transaction, or nothing: any invalid row, any
 * database error, or an exception from `onProgress` leaves the database as
 * it was. Rows are written while later rows are still being checked (the
 * database and the checking overlap); an invalid row anywhere rolls all of
 * it back. Returns "invalid-…" results for files a person must fix; throws on
 * unexpected failures (after the rollback).
 */
export async function commitImport({
  client,
  viewer,
  file,
  now = new Date(),
  onProgress,
}: {
  client: PrismaClient;
  viewer: Viewer;
  file: ImportFile;
  now?: Date;
  onProgress?: (progress: ImportProgress) => void;
}): Promise<ImportCommit> {
  const denied = authorizeImport(viewer);
  if (denied) return { status: "denied", denied };
  const sha256 = await sha256Hex(file.bytes);
  // The name is the browser's (or a client's) to choose: one line, no NUL (which PostgreSQL text can't hold).
  const fileName = file.fileName.replace(/[\u0000-\u001f\u007f]/g, " ").trim().slice(0, 255) || "upload.csv";
  try {
    return await client.$transaction(
      async (tx) => {
        const run = prismaRunner(tx);
        // One import per org at a time: two imports of overlapping files would otherwise both plan inserts of the same keys.
        await run.execute(Prisma.sql`select pg_advisory_xact_lock(${IMPORT_LOCK}::int, ${ownOrgId(viewer)}::int)`);
        const references = await loadScopedImportReferences(run, { viewer, kind: file.kind, isLocking: true });
        const [batch] = await run.query<{ id: number }>(Prisma.sql`
          insert into import_batches ("orgId", "userId", kind, "fileName", "fileSha256", "rowCount", inserted, updated, unchanged)
          values (${ownOrgId(viewer)}, ${viewer.userId}, ${file.kind}, ${fileName}, ${sha256}, 0, 0, 0, 0)
          returning id`);
        const audit = { viewer, source: "import" as const, importId: batch!.id };
        const counts: ImportCounts = { new: 0, updated: 0, unchanged: 0 };
        const rollups: UsageChange[] = [];
        const added: DeploymentWindow[] = [];
        let checked = 0;
        let saved = 0;
        let totalRows = 0;
        const report = () => onProgress?.({ phase: "importing", checked, saved, total: totalRows });
        const result = await checkFile({
          file,
          references,
          now,
          onChecked: (done, total) => {
            checked = done;
            totalRows = total;
            report();
          },
          consume: async (chunk) => {
            const planned = await planFor(run, chunk, true);
            const { plan } = planned;
            if (planned.kind === "trainingRuns") {
              if (plan.inserts.length > 0) await writeAuditEntries(run, audit, await insertRuns(run, planned.plan.inserts));
              if (plan.updates.length > 0) await writeAuditEntries(run, audit, await updateRuns(run, planned.plan.updates));
            } else {
              if (plan.inserts.length > 0) await writeAuditEntries(run, audit, await insertWindows(run, planned.plan.inserts));
              if (plan.updates.length > 0) await writeAuditEntries(run, audit, await updateWindows(run, planned.plan.updates));
              added.push(...planned.plan.inserts.map(({ item }) => ({ deploymentId: item.values.deploymentId, window: usageWindowInput(item.values) })));
              rollups.push(...rollupChanges(planned.plan));
            }
            counts.new += plan.inserts.length;
            counts.updated += plan.updates.length;
            counts.unchanged += plan.unchanged.length;
            saved += chunk.rows.length;
            report();
          },
        });
        if (!result.ok) throw new RollbackWith({ status: "invalid-file", message: result.message });
        // Overlaps are judged on what the import leaves behind: every window is written by now.
        const overlaps = file.kind === "usageWindows" && result.issueCount === 0 ? overlapIssues(await findOverlaps(run, result.windows), result.issue, file.timeZone) : [];
        const issues = overlaps.length > 0 ? sortIssues(overlaps) : result.issues;
        const errorCount = overlaps.length > 0 ? overlaps.length : result.issueCount;
        if (errorCount > 0) {
          throw new RollbackWith({ status: "invalid-rows", rowCount: result.rowCount, errorCount, errors: issues.slice(0, MAX_LISTED_ERRORS) });
        }
        if (added.length > 0 || rollups.length > 0) {
          onProgress?.({ phase: "rollups" });
          // New windows are added to the rollups as they are; then the spans of replaced windows are recomputed from raw
          // (against rollups that already hold the new windows, so their deltas are right).
          await applyUsageWindowChanges(run, { added });
          await refreshUsageRollups(run, rollups);
        }
        // Imported runs (new, or changed: triggers dropped their rollups) are rolled up in this transaction too.
        await rollCosts(run, { now, limit: 5_000 });
        await run.execute(Prisma.sql`
          update import_batches set "rowCount" = ${result.rowCount}, inserted = ${counts.new}, updated = ${counts.updated}, unchanged = ${counts.unchanged}
          where id = ${batch!.id}`);
        return { status: "committed", batchId: batch!.id, rowCount: result.rowCount, inserted: counts.new, updated: counts.updated, unchanged: counts.unchanged } satisfies ImportCommit;
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
    );
  } catch (error) {
    if (error instanceof RollbackWith) return error.result;
    throw error;
  } finally {
    // Committed or rolled back (the route's response streams on meanwhile): the org's cached figures are recomputed.
    invalidateOrgData(viewer.orgId);
  }
}
