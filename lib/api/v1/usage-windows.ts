import "server-only";
import { teamScopeSql, canTeam } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { sketchFromHistogram } from "@/lib/domain/histogram-sketch";
import { sketchCount, sketchFromSamples, SKETCH_MAX_MS, type LatencySketch } from "@/lib/domain/latency-sketch";
import { normalizeSketch } from "@/lib/domain/usage-rollup";
import type { AuditSource } from "@/lib/db/mutations/audit";
import { findOverlaps, noPendingRollups, planBatch, settleUsageRollups, writePlannedBatch, type BatchWindow } from "@/lib/db/mutations/record-batch";
import { DeploymentGoneError, lockDeploymentUsage } from "@/lib/db/mutations/usage-rollups";
import { Prisma, type SqlRunner } from "@/lib/db/sql";
import { formatDateTime } from "@/lib/domain/labels";
import { usageWindowReader, type DeploymentPeriod } from "@/lib/validation/entities/usage-window";
import type { ApiIssue } from "./error-body";
import { rollBackWith, type ApiWriteResult } from "./idempotency";
import { bigintAsString, v1Invalid } from "./responses";
import type { LatencyInput, UsageBatchInput } from "./usage-windows-schema";

/**
 * Usage windows through the API: the JSON shape (which the OpenAPI document
 * is generated from), its reading into the entity's values — by the rules of
 * usageWindowSchema, which the form and the CSV import use, read without zod
 * (usageWindowReader: typed windows in batches of thousands) — and the batch write
 * (record-batch.ts, the one write path), all or nothing.
 */

/** A window's latency as stored: a normalized sketch, or summary percentiles for the entity schema; or an issue. */
function readLatency(latency: LatencyInput | undefined): { sketch: LatencySketch | null; summary: { p50: unknown; p95: unknown; p99: unknown } | null; issue?: ApiIssue } {
  if (!latency) return { sketch: null, summary: null };
  switch (latency.kind) {
    case "summary":
      return { sketch: null, summary: { p50: latency.p50Ms, p95: latency.p95Ms, p99: latency.p99Ms } };
    case "samples":
      return { sketch: sketchFromSamples(latency.valuesMs), summary: null };
    case "sketch": {
      if (latency.keys.length !== latency.counts.length) return { sketch: null, summary: null, issue: { path: "latency.counts", message: `counts must have one entry per key (${latency.keys.length} keys, ${latency.counts.length} counts)` } };
      return { sketch: normalizeSketch({ keys: latency.keys, counts: latency.counts }), summary: null };
    }
    case "histogram": {
      const scale = latency.unit === "s" ? 1000 : 1;
      const buckets = latency.buckets.map((b) => ({ leMs: b.le === "+Inf" ? Infinity : b.le * scale, cumulativeCount: b.count }));
      for (let i = 1; i < buckets.length; i++) {
        if (!(buckets[i]!.leMs > buckets[i - 1]!.leMs)) return { sketch: null, summary: null, issue: { path: `latency.buckets[${i}].le`, message: "Bucket bounds must increase from one bucket to the next" } };
        if (buckets[i]!.cumulativeCount < buckets[i - 1]!.cumulativeCount) {
          return { sketch: null, summary: null, issue: { path: `latency.buckets[${i}].count`, message: "Bucket counts are cumulative, so they can't decrease from one bucket to the next" } };
        }
      }
      if (buckets.slice(0, -1).some((b) => b.leMs === Infinity)) return { sketch: null, summary: null, issue: { path: "latency.buckets", message: 'Only the last bucket may be "+Inf"' } };
      if (buckets.some((b) => b.leMs !== Infinity && b.leMs > SKETCH_MAX_MS)) return { sketch: null, summary: null, issue: { path: "latency.buckets", message: "Bucket bounds must be at most one hour" } };
      return { sketch: sketchFromHistogram(buckets), summary: null };
    }
  }
}

interface Target {
  id: number;
  teamId: number;
  name: string;
  activeFrom: Date;
  activeTo: Date | null;
}

async function loadTargets(run: SqlRunner, viewer: Viewer, ids: number[]): Promise<Map<number, Target>> {
  if (ids.length === 0) return new Map();
  const rows = await run.query<Target>(Prisma.sql`
    select d.id, d."teamId", d.name, d."activeFrom", d."activeTo" from inference_deployments d
    where d.id = any(${ids}::int[]) and ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)}`);
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The request's windows → the batch to write, or every problem with the
 * item and field it concerns. References are checked against what the
 * viewer may write (another team's deployment is "not found").
 */
export async function readUsageBatch(
  run: SqlRunner,
  viewer: Viewer,
  input: UsageBatchInput,
  now: Date,
  {
    isSketchBeyondRequestsAllowed = false,
  }: {
    /** Scraped histograms are read apart from the request counter, so a request finishing mid-scrape may be in one and not the other. */
    isSketchBeyondRequestsAllowed?: boolean;
  } = {},
): Promise<{ ok: true; rows: BatchWindow[] } | { ok: false; issues: ApiIssue[] }> {
  const targets = await loadTargets(run, viewer, [...new Set(input.windows.map((w) => w.deploymentId))]);
  const issues: ApiIssue[] = [];
  const rows: BatchWindow[] = [];
  const seen = new Map<string, number>();
  // One set of rules for the batch, each window checked against its deployment's period (usageWindowRules explains why).
  const readWindow = usageWindowReader({ now, deployment: (id): DeploymentPeriod | undefined => targets.get(id) });
  input.windows.forEach((window, index) => {
    const at = `windows[${index}]`;
    const target = targets.get(window.deploymentId);
    if (!target) {
      issues.push({ path: `${at}.deploymentId`, message: `No deployment ${window.deploymentId} that you may see; check the id on its page (/inference/<id>)` });
      return;
    }
    if (!canTeam(viewer, "team:write", target.teamId)) {
      issues.push({ path: `${at}.deploymentId`, message: `You may read deployment ${window.deploymentId} (${target.name}) but not record its usage (a team editor or admin can)` });
      return;
    }
    const latency = readLatency(window.latency);
    if (latency.issue) {
      issues.push({ path: `${at}.${latency.issue.path}`, message: latency.issue.message });
      return;
    }
    const parsed = readWindow({
      deploymentId: window.deploymentId,
      windowStart: window.windowStart,
      windowSeconds: window.windowSeconds,
      requests: window.requests,
      errors: window.errors,
      inputTokens: window.inputTokens,
      cachedInputTokens: window.cachedInputTokens,
      outputTokens: window.outputTokens,
      latencyP50Ms: latency.summary?.p50,
      latencyP95Ms: latency.summary?.p95,
      latencyP99Ms: latency.summary?.p99,
      avgGpuUtilizationPct: window.avgGpuUtilizationPct,
    });
    if (!parsed.ok) {
      for (const { field, message } of parsed.issues) issues.push({ path: `${at}.${field.replace(/^latencyP(50|95|99)Ms$/, "latency.p$1Ms")}`, message });
      return;
    }
    const values = parsed.value;
    if (latency.sketch && latency.sketch.keys.length > 0 && !isSketchBeyondRequestsAllowed) {
      const count = BigInt(sketchCount(latency.sketch));
      if (count > values.requests) {
        issues.push({ path: `${at}.latency`, message: `The latency distribution counts ${count.toLocaleString("en-US")} requests, more than the window's ${values.requests.toLocaleString("en-US")}` });
        return;
      }
    }
    const key = `${values.deploymentId}|${values.windowStart.getTime()}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path: `${at}.windowStart`, message: `windows[${first}] has the same deployment and start; send each window once` });
      return;
    }
    seen.set(key, index);
    rows.push({
      row: index + 1,
      values: latency.sketch && latency.sketch.keys.length > 0 ? { ...values, latencyKeys: latency.sketch.keys, latencyCounts: latency.sketch.counts } : values,
    });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, rows };
}

/**
 * Writes a checked batch in the caller's transaction: deployment locks, plan
 * against stored windows (a resent window replaces), raw rows and audit
 * entries, the overlap rule on the result, rollups. An overlap rolls all of it back (422).
 */
export async function writeUsageBatch(
  run: SqlRunner,
  viewer: Viewer,
  rows: BatchWindow[],
  source: AuditSource,
  /** How a problem names the window at `index` of the request (default `windows[index]`). */
  itemPath: (index: number) => string = (index) => `windows[${index}]`,
): Promise<ApiWriteResult> {
  await lockDeploymentUsage(run, rows.map((r) => r.values.deploymentId));
  const pending = noPendingRollups();
  const planned = await planBatch(run, { kind: "usageWindows", rows }, true);
  const counts = await writePlannedBatch(run, planned, { viewer, source }, pending);
  const overlaps = await findOverlaps(
    run,
    rows.map((r) => ({ row: r.row, deploymentId: r.values.deploymentId, windowStart: r.values.windowStart, windowSeconds: r.values.windowSeconds })),
  );
  if (overlaps.length > 0) {
    const describe = (start: Date, seconds: number) => `${formatDateTime({ instant: start, timeZone: "UTC" })}–${formatDateTime({ instant: new Date(start.getTime() + seconds * 1000), timeZone: "UTC" })} UTC`;
    const rule = "windows of one deployment can't overlap, or their traffic would count twice";
    rollBackWith(
      v1Invalid(
        overlaps.map((o) => {
          const other = describe(new Date(Math.round(Number(o.otherStart) * 1000)), o.otherSeconds);
          if (o.r !== null) {
            return { path: `${itemPath(o.r - 1)}.windowStart`, message: o.otherRow !== null ? `Overlaps ${itemPath(o.otherRow - 1)} (${other}); ${rule}` : `Overlaps the usage recorded for ${other}; ${rule}` };
          }
          return { path: `${itemPath(o.otherRow! - 1)}.windowSeconds`, message: `Runs into the usage recorded for ${describe(o.windowStart, o.windowSeconds)}; ${rule}` };
        }),
      ),
    );
  }
  try {
    await settleUsageRollups(run, pending);
  } catch (error) {
    // Deleted after loadTargets saw it: refused like an unknown deployment (a 422 naming its windows), nothing written.
    if (!(error instanceof DeploymentGoneError)) throw error;
    const gone = new Set(error.deploymentIds);
    rollBackWith(
      v1Invalid(
        rows
          .filter((r) => gone.has(r.values.deploymentId))
          .map((r) => ({ path: `${itemPath(r.row - 1)}.deploymentId`, message: `Deployment ${r.values.deploymentId} was deleted while this batch was being written` })),
      ),
    );
  }
  return { status: 200, body: JSON.stringify({ windows: rows.length, inserted: counts.new, updated: counts.updated, unchanged: counts.unchanged }, bigintAsString) };
}
