import { createHash } from "node:crypto";
import { ownOrgId } from "@/lib/access/own-org-id";
import { canAnyTeam, canTeam, forbidden, orgWhere, TEAM_ROLE_LABELS, teamRoleOf, teamScopeSql, type Denied } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { formatDateTime, RUN_STATUS_LABELS } from "@/lib/domain/labels";
import { checkFileOffThread } from "@/lib/import/file-checker";
import { MAX_LISTED_ERRORS, type ImportIssue, type ImportKind } from "@/lib/import/kinds";
import type { ImportReferences } from "@/lib/import/references";
import { importIssue, type ValidRows } from "@/lib/import/rows";
import type { PrismaClient } from "../create-client";
import { loadImportReferences } from "../queries/import-references";
import { Prisma, prismaRunner, type SqlRunner } from "../sql";
import { rollCosts } from "./cost-rollups";
import { batchTransaction, findOverlaps, noPendingRollups, planBatch, RollbackBatch, settleUsageRollups, writePlannedBatch, type OverlapRow, type RecordAction } from "./record-batch";

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

export type ImportAction = RecordAction;

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
// Planning and writing are the one batch write path's (record-batch.ts); what is the file's is below.

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
      const { plan } = await planBatch(run, chunk, false);
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
  return batchTransaction<ImportCommit, ImportCommit>(client, { orgId: viewer.orgId, timeoutMs: TRANSACTION_TIMEOUT_MS, maxWaitMs: 30_000 }, async (run) => {
    // One import per org at a time: two imports of overlapping files would otherwise both plan inserts of the same keys.
    await run.execute(Prisma.sql`select pg_advisory_xact_lock(${IMPORT_LOCK}::int, ${ownOrgId(viewer)}::int)`);
    const references = await loadScopedImportReferences(run, { viewer, kind: file.kind, isLocking: true });
    const [batch] = await run.query<{ id: number }>(Prisma.sql`
      insert into import_batches ("orgId", "userId", kind, "fileName", "fileSha256", "rowCount", inserted, updated, unchanged)
      values (${ownOrgId(viewer)}, ${viewer.userId}, ${file.kind}, ${fileName}, ${sha256}, 0, 0, 0, 0)
      returning id`);
    const audit = { viewer, source: "import" as const, importId: batch!.id };
    const counts: ImportCounts = { new: 0, updated: 0, unchanged: 0 };
    const pending = noPendingRollups();
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
        const written = await writePlannedBatch(run, await planBatch(run, chunk, true), audit, pending);
        counts.new += written.new;
        counts.updated += written.updated;
        counts.unchanged += written.unchanged;
        saved += chunk.rows.length;
        report();
      },
    });
    if (!result.ok) throw new RollbackBatch<ImportCommit>({ status: "invalid-file", message: result.message });
    // Overlaps are judged on what the import leaves behind: every window is written by now.
    const overlaps = file.kind === "usageWindows" && result.issueCount === 0 ? overlapIssues(await findOverlaps(run, result.windows), result.issue, file.timeZone) : [];
    const issues = overlaps.length > 0 ? sortIssues(overlaps) : result.issues;
    const errorCount = overlaps.length > 0 ? overlaps.length : result.issueCount;
    if (errorCount > 0) {
      throw new RollbackBatch<ImportCommit>({ status: "invalid-rows", rowCount: result.rowCount, errorCount, errors: issues.slice(0, MAX_LISTED_ERRORS) });
    }
    if (pending.added.length > 0 || pending.replaced.length > 0) {
      onProgress?.({ phase: "rollups" });
      await settleUsageRollups(run, pending);
    }
    // Imported runs (new, or changed: triggers dropped their rollups) are rolled up in this transaction too.
    await rollCosts(run, { now, limit: 5_000 });
    await run.execute(Prisma.sql`
      update import_batches set "rowCount" = ${result.rowCount}, inserted = ${counts.new}, updated = ${counts.updated}, unchanged = ${counts.unchanged}
      where id = ${batch!.id}`);
    return { status: "committed", batchId: batch!.id, rowCount: result.rowCount, inserted: counts.new, updated: counts.updated, unchanged: counts.unchanged } satisfies ImportCommit;
  });
}
