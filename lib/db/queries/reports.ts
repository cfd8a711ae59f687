import "server-only";
import Decimal from "decimal.js";
import { orgScopeSql, snapshotTeamScopeSql, teamScopeSql, teamWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { projectMonthEnd, relativeChange } from "@/lib/domain/burn-rate";
import { formatDateTime } from "@/lib/domain/labels";
import { microsToCents, parseUsdMicros, unitCostUsd } from "@/lib/domain/money";
import type { TimeRange } from "@/lib/domain/time-range";
import { correctionLines, type ReportedLine } from "@/lib/reports/corrections";
import { lineCents, type PricingModelCode, type ReportLine } from "@/lib/reports/line";
import { addMonths, monthOf, monthRange } from "@/lib/reports/month";
import { db } from "../client";
import { prismaRunner, Prisma, type SqlRunner } from "../sql";
import { queryLedger } from "./cost-ledger";
import { queryLiveLines, readLineUsage, withLineUsage, type LineUsageMap, type LinesOptions } from "./report-lines";

/**
 * Monthly reports. A report is a set of lines (lib/reports/line.ts) for one
 * month of one zone, org-wide or for one team:
 *   - an open month: the live ledger's lines, plus correction lines for
 *     closed months whose next open month this is;
 *   - a closed month (in the zone it was closed in): the lines stored when it
 *     was closed, including the corrections it carried.
 * Pages, CSV, FOCUS and JSON are all built from these lines, so they agree
 * to the cent; the totals below are sums of the lines' cents.
 */

export interface Closure {
  id: number;
  month: string;
  timeZone: string;
  periodStart: Date;
  periodEnd: Date;
  closedAt: Date;
  closedByName: string;
  chargeCents: bigint;
  correctionCents: bigint;
}

interface RawClosure extends Omit<Closure, "chargeCents" | "correctionCents"> {
  chargeCents: string;
  correctionCents: string;
}

/** The org's standing (not reopened) closures, oldest month first (org-owned: every member sees which months are closed). */
export async function standingClosures(run: SqlRunner, viewer: Pick<Viewer, "orgId">): Promise<Closure[]> {
  const rows = await run.query<RawClosure>(Prisma.sql`
    select id, month, "timeZone", "periodStart", "periodEnd", "closedAt", "closedByName", "chargeCents"::text, "correctionCents"::text
    from month_closures where ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and "reopenedAt" is null order by month`);
  return rows.map((r) => ({ ...r, chargeCents: BigInt(r.chargeCents), correctionCents: BigInt(r.correctionCents) }));
}

interface RawStoredLine {
  lineType: "charge" | "correction";
  kind: "training" | "inference";
  itemId: number;
  itemName: string;
  teamId: number;
  teamSlug: string;
  teamName: string;
  model: string;
  gpuTypeId: number;
  gpuTypeName: string;
  provider: string;
  pricingModel: PricingModelCode;
  gpuCount: number;
  periodStart: Date;
  periodEnd: Date;
  chargeStart: Date;
  chargeEnd: Date;
  computeMicros: string;
  computeCents: string;
  extraMicros: string;
  extraCents: string;
  gpuMs: string;
  unpricedGpuMs: string;
  activeMs: string;
  recordedMs: string | null;
  requests: string | null;
  inputTokens: string | null;
  cachedInputTokens: string | null;
  outputTokens: string | null;
  trainingTokens: string | null;
  p99LatencyMs: string | null;
  prices: { micros: string; source: "override" | "catalog"; from: string; to: string }[];
  correctsMonth: string | null;
  cause: string | null;
  auditEntryIds: string[] | null;
}

const big = (v: string | null) => (v === null ? null : BigInt(v));

function parseStoredLine(r: RawStoredLine): ReportLine {
  return {
    lineType: r.lineType,
    kind: r.kind,
    itemId: r.itemId,
    itemName: r.itemName,
    teamId: r.teamId,
    teamSlug: r.teamSlug,
    teamName: r.teamName,
    model: r.model,
    gpuTypeId: r.gpuTypeId,
    gpuTypeName: r.gpuTypeName,
    provider: r.provider,
    pricingModel: r.pricingModel,
    gpuCount: r.gpuCount,
    periodStart: new Date(r.periodStart),
    periodEnd: new Date(r.periodEnd),
    chargeStart: new Date(r.chargeStart),
    chargeEnd: new Date(r.chargeEnd),
    computeMicros: BigInt(r.computeMicros),
    computeCents: BigInt(r.computeCents),
    extraMicros: BigInt(r.extraMicros),
    extraCents: BigInt(r.extraCents),
    gpuMs: BigInt(r.gpuMs),
    unpricedGpuMs: BigInt(r.unpricedGpuMs),
    activeMs: BigInt(r.activeMs),
    recordedMs: big(r.recordedMs),
    requests: big(r.requests),
    inputTokens: big(r.inputTokens),
    cachedInputTokens: big(r.cachedInputTokens),
    outputTokens: big(r.outputTokens),
    trainingTokens: big(r.trainingTokens),
    p99LatencyMs: r.p99LatencyMs === null ? null : Number(r.p99LatencyMs),
    prices: r.prices.map((p) => ({ pricePerGpuHourMicros: BigInt(p.micros), source: p.source, from: new Date(p.from), to: new Date(p.to) })),
    ...(r.lineType === "correction"
      ? { correction: { correctsMonth: r.correctsMonth ?? "", cause: r.cause ?? "", auditEntryIds: r.auditEntryIds ?? [] } }
      : {}),
  };
}

/** SQL for a closure's stored lines of the teams the viewer may see (exports stream it through a cursor). */
export function storedLinesSql({
  viewer,
  closureIds,
  granularity,
  lineType,
  teamId,
  correctsMonth,
}: {
  viewer: Viewer;
  /** Closures of the viewer's org (standingClosures). */
  closureIds: number[];
  granularity?: "month" | "day";
  lineType?: "charge" | "correction";
  teamId?: number;
  correctsMonth?: string;
}): Prisma.Sql {
  return Prisma.sql`
    select "lineType", kind, "itemId", "itemName", "teamId", "teamSlug", "teamName", model, "gpuTypeId", "gpuTypeName", provider,
      "pricingModel"::text as "pricingModel", "gpuCount", "periodStart", "periodEnd", "chargeStart", "chargeEnd",
      "computeMicros"::text, "computeCents"::text, "extraMicros"::text, "extraCents"::text, "gpuMs"::text, "unpricedGpuMs"::text,
      "activeMs"::text, "recordedMs"::text, requests::text, "inputTokens"::text, "cachedInputTokens"::text, "outputTokens"::text,
      "trainingTokens"::text, "p99LatencyMs"::text, prices, "correctsMonth", cause, "auditEntryIds"
    from month_close_lines
    where "closureId" = any(${closureIds}::int[]) ${snapshotTeamScopeSql(viewer, Prisma.sql`"teamId"`)}
      ${granularity ? Prisma.sql`and granularity = ${granularity}` : Prisma.empty}
      ${lineType ? Prisma.sql`and "lineType" = ${lineType}` : Prisma.empty}
      ${teamId !== undefined ? Prisma.sql`and "teamId" = ${teamId}` : Prisma.empty}
      ${correctsMonth ? Prisma.sql`and "correctsMonth" = ${correctsMonth}` : Prisma.empty}
    order by "lineType", "teamName", "teamId", kind desc, "itemName", "itemId", "periodStart", id`;
}

export async function storedLines(run: SqlRunner, q: Parameters<typeof storedLinesSql>[0]): Promise<ReportLine[]> {
  return (await run.query<RawStoredLine>(storedLinesSql(q))).map(parseStoredLine);
}

export { parseStoredLine, type RawStoredLine };

/**
 * Correction lines for closed month `closure`: what its lines are now (live)
 * minus what was reported (its stored lines plus corrections to it carried by
 * later closed months), per item and team, with the audit entries behind
 * each change since it was closed.
 */
export async function correctionsFor({
  run,
  viewer,
  closure,
  teamId,
  now,
}: {
  run: SqlRunner;
  viewer: Viewer;
  closure: Closure;
  teamId?: number;
  now: Date;
}): Promise<ReportLine[]> {
  const live = await queryLiveLines(
    { viewer, ...(teamId !== undefined ? { teamIds: [teamId] } : {}), from: closure.periodStart, to: closure.periodEnd, granularity: "month", timeZone: closure.timeZone, now },
    run,
  );
  const laterIds = (await run.query<{ id: number }>(Prisma.sql`
    select id from month_closures where ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and "reopenedAt" is null and "timeZone" = ${closure.timeZone} and month > ${closure.month}`)).map((r) => r.id);
  const reported: ReportedLine[] = [
    ...(await storedLines(run, { viewer, closureIds: [closure.id], granularity: "month", lineType: "charge", ...(teamId !== undefined ? { teamId } : {}) })),
    ...(laterIds.length > 0
      ? await storedLines(run, { viewer, closureIds: laterIds, lineType: "correction", correctsMonth: closure.month, ...(teamId !== undefined ? { teamId } : {}) })
      : []),
  ];
  const drafts = correctionLines({ live, reported, month: closure.month, period: { start: closure.periodStart, end: closure.periodEnd } });
  if (drafts.length === 0) return [];
  const causes = await changeCauses({ run, viewer, since: closure.closedAt, items: drafts });
  return drafts.map((line) => {
    const cause = causes.get(`${line.kind}:${line.itemId}`) ?? causes.get(`gpu:${line.gpuTypeId}`) ?? null;
    return {
      ...line,
      correction: {
        correctsMonth: closure.month,
        cause: cause?.text ?? `Changed since ${closure.month} was closed; no audit entry names the change`,
        auditEntryIds: cause?.ids ?? [],
      },
    };
  });
}

interface AuditRow {
  id: string;
  entityType: string;
  subjectType: string;
  subjectId: string;
  action: string;
  actorName: string;
  source: string;
  at: Date;
  gpuTypeId: string | null;
}

const ENTITY_LABEL: Record<string, string> = {
  trainingRun: "Run",
  inferenceDeployment: "Deployment",
  usageWindow: "Usage of deployment",
  gpuPrice: "Price",
};
const ACTION_LABEL: Record<string, string> = { CREATE: "created", UPDATE: "edited", DELETE: "deleted", RESTORE: "restored", USE: "used", REVOKE: "revoked" };

/**
 * What changed an item since `since`: its own audit entries (the record, its
 * usage windows), else price changes for its GPU type. Keyed "kind:id" and
 * "gpu:<gpuTypeId>".
 */
async function changeCauses({ run, viewer, since, items }: { run: SqlRunner; viewer: Viewer; since: Date; items: ReportLine[] }) {
  const runIds = items.filter((l) => l.kind === "training").map((l) => String(l.itemId));
  const deploymentIds = items.filter((l) => l.kind === "inference").map((l) => String(l.itemId));
  const gpuTypeIds = [...new Set(items.map((l) => String(l.gpuTypeId)))];
  const rows = await run.query<AuditRow>(Prisma.sql`
    select id::text, "entityType", "subjectType", "subjectId", action::text, "actorName", source, at,
      coalesce(after ->> 'gpuTypeId', before ->> 'gpuTypeId') as "gpuTypeId"
    from audit_entries
    where ${orgScopeSql(viewer, Prisma.sql`"orgId"`)} and at > ${since} and (
      ("subjectType" = 'trainingRun' and "subjectId" = any(${runIds}::text[]))
      or ("subjectType" = 'inferenceDeployment' and "subjectId" = any(${deploymentIds}::text[]))
      or ("entityType" = 'gpuPrice' and coalesce(after ->> 'gpuTypeId', before ->> 'gpuTypeId') = any(${gpuTypeIds}::text[])))
    order by at desc, id desc`);
  const grouped = new Map<string, AuditRow[]>();
  for (const r of rows) {
    const key =
      r.entityType === "gpuPrice" ? `gpu:${r.gpuTypeId}` : `${r.subjectType === "trainingRun" ? "training" : "inference"}:${r.subjectId}`;
    grouped.set(key, [...(grouped.get(key) ?? []), r]);
  }
  const result = new Map<string, { text: string; ids: string[] }>();
  for (const [key, entries] of grouped) {
    const newest = entries[0]!;
    const what = ENTITY_LABEL[newest.entityType] ?? newest.entityType;
    const via = newest.source === "import" ? " by CSV import" : newest.source === "undo" ? " (undo)" : newest.source === "api" ? " through the API" : newest.source === "prometheus" ? " by Prometheus import" : "";
    const more = entries.length > 1 ? `, and ${entries.length - 1} earlier change${entries.length > 2 ? "s" : ""}` : "";
    result.set(key, {
      text: `${what} ${ACTION_LABEL[newest.action] ?? newest.action.toLowerCase()}${via} by ${newest.actorName} at ${formatDateTime({ instant: new Date(newest.at), timeZone: "UTC" })} UTC (audit #${newest.id})${more}`,
      ids: entries.map((e) => e.id),
    });
  }
  return result;
}

/** Correction lines billed in open month `month`: for each closed month whose next open month it is. */
export async function outstandingCorrections({
  run,
  viewer,
  closures,
  month,
  timeZone,
  teamId,
  now,
}: {
  run: SqlRunner;
  viewer: Viewer;
  closures: Closure[];
  month: string;
  timeZone: string;
  teamId?: number;
  now: Date;
}): Promise<ReportLine[]> {
  const lines: ReportLine[] = [];
  for (const closure of correctedClosures(closures, month, timeZone)) {
    lines.push(...(await correctionsFor({ run, viewer, closure, ...(teamId !== undefined ? { teamId } : {}), now })));
  }
  return lines;
}

/** The closed months (in `timeZone`) whose corrections open month `month` bills: those whose next open month it is. */
function correctedClosures(closures: readonly Closure[], month: string, timeZone: string): Closure[] {
  const closed = new Map(closures.filter((c) => c.timeZone === timeZone).map((c) => [c.month, c]));
  if (closed.has(month)) return [];
  return [...closed.values()].filter((closure) => {
    if (closure.month >= month) return false;
    let next = addMonths(closure.month, 1);
    while (closed.has(next)) next = addMonths(next, 1);
    return next === month;
  });
}

export interface ReportScope {
  viewer: Viewer;
  month: string;
  timeZone: string;
  teamId?: number;
  now: Date;
}

export interface ReportLines {
  period: TimeRange;
  /** The standing closure of this month in this zone, when it is closed. */
  closure: Closure | null;
  /** A closure of this month in another zone (the report here is live). */
  closedElsewhere: Closure | null;
  charges: ReportLine[];
  corrections: ReportLine[];
}

/** The lines of a report: stored when the month is closed in this zone, else live plus outstanding corrections. */
export async function reportLines({
  viewer,
  month,
  timeZone,
  teamId,
  now,
  granularity,
  run = prismaRunner(db()),
  withUsage = true,
}: ReportScope & { granularity: "month" | "day"; run?: SqlRunner } & LinesOptions): Promise<ReportLines> {
  const period = monthRange({ month, timeZone });
  const closures = await standingClosures(run, viewer);
  const closure = closures.find((c) => c.month === month && c.timeZone === timeZone) ?? null;
  const closedElsewhere = closure ? null : (closures.find((c) => c.month === month) ?? null);
  const team = teamId !== undefined ? { teamId } : {};
  if (closure) {
    const [charges, corrections] = await Promise.all([
      storedLines(run, { viewer, closureIds: [closure.id], granularity, lineType: "charge", ...team }),
      storedLines(run, { viewer, closureIds: [closure.id], lineType: "correction", ...team }),
    ]);
    return { period, closure, closedElsewhere, charges, corrections };
  }
  const isStarted = period.start.getTime() <= now.getTime();
  const [charges, corrections] = await Promise.all([
    isStarted ? queryLiveLines({ viewer, ...(teamId !== undefined ? { teamIds: [teamId] } : {}), from: period.start, to: period.end, granularity, timeZone, now }, run, { withUsage }) : Promise.resolve([]),
    outstandingCorrections({ run, viewer, closures, month, timeZone, ...team, now }),
  ]);
  return { period, closure, closedElsewhere, charges, corrections };
}

// ---------------------------------------------------------------------------
// The report page's figures, all sums of line cents.
// ---------------------------------------------------------------------------

export interface Breakdown {
  key: string;
  label: string;
  cents: bigint;
  gpuMs: bigint;
}

function breakdown(lines: readonly ReportLine[], keyOf: (l: ReportLine) => [string, string]): Breakdown[] {
  const map = new Map<string, Breakdown>();
  for (const l of lines) {
    const [key, label] = keyOf(l);
    const b = map.get(key) ?? { key, label, cents: 0n, gpuMs: 0n };
    b.cents += lineCents(l);
    b.gpuMs += l.gpuMs;
    map.set(key, b);
  }
  return [...map.values()].sort((a, b) => (b.cents > a.cents ? 1 : b.cents < a.cents ? -1 : a.label.localeCompare(b.label)));
}

export interface Contributor {
  key: string;
  label: string;
  currentCents: bigint;
  previousCents: bigint;
  changeCents: bigint;
}

/** Cents per key (team slug, model, item) with the key's label. */
type KeyedCents = Map<string, { label: string; cents: bigint }>;

function centsByKey(lines: readonly ReportLine[], keyOf: (l: ReportLine) => [string, string]): KeyedCents {
  const map: KeyedCents = new Map();
  for (const l of lines) {
    const [key, label] = keyOf(l);
    const entry = map.get(key);
    if (entry) entry.cents += lineCents(l);
    else map.set(key, { label, cents: lineCents(l) });
  }
  return map;
}

/** What the change from the previous month needs: its charges' cents in all and per team, model and item. */
interface MonthCents {
  isClosed: boolean;
  cents: bigint;
  byTeam: KeyedCents;
  byModel: KeyedCents;
  byItem: KeyedCents;
}

/**
 * A month's charges per team, model and item without building its lines:
 * its stored lines when it is closed in the zone, else three ledger queries
 * over the whole month — by the cents rule a group's cents are the sum of
 * its items' (the month's line cents), so these equal sums of the lines the
 * month's own report shows (reports.int checks it).
 */
async function monthCents({ viewer, month, timeZone, teamId, now, run }: ReportScope & { run: SqlRunner }): Promise<MonthCents> {
  const closures = await standingClosures(run, viewer);
  const closure = closures.find((c) => c.month === month && c.timeZone === timeZone);
  if (closure) {
    const lines = await storedLines(run, { viewer, closureIds: [closure.id], granularity: "month", lineType: "charge", ...(teamId !== undefined ? { teamId } : {}) });
    return { isClosed: true, cents: sumLineCents(lines), byTeam: centsByKey(lines, byTeam), byModel: centsByKey(lines, byModel), byItem: centsByKey(lines, byItem) };
  }
  const period = monthRange({ month, timeZone });
  if (period.start.getTime() > now.getTime()) return { isClosed: false, cents: 0n, byTeam: new Map(), byModel: new Map(), byItem: new Map() };
  const q = { viewer, filters: teamId !== undefined ? { teamIds: [teamId] } : {}, from: period.start, to: period.end, unit: "day" as const, timeZone, now, isWholeRange: true };
  const [teams, models, items] = await Promise.all([
    queryLedger({ ...q, groupBy: "team" }, run),
    queryLedger({ ...q, groupBy: "model" }, run),
    queryLedger({ ...q, groupBy: "item" }, run),
  ]);
  const slugs = new Map(
    (await run.query<{ id: number; slug: string }>(Prisma.sql`select id, slug from teams where id = any(${teams.map((t) => Number(t.groupKey))}::int[])`)).map((t) => [String(t.id), t.slug]),
  );
  const keyed = (rows: typeof teams, keyOf: (groupKey: string) => string): KeyedCents => {
    const map: KeyedCents = new Map();
    for (const r of rows) {
      const key = keyOf(r.groupKey);
      const entry = map.get(key);
      const cents = r.computeCostCents + r.extraCostCents;
      if (entry) entry.cents += cents;
      else map.set(key, { label: r.groupLabel, cents });
    }
    return map;
  };
  return {
    isClosed: false,
    cents: teams.reduce((s, r) => s + r.computeCostCents + r.extraCostCents, 0n),
    byTeam: keyed(teams, (k) => slugs.get(k) ?? k),
    byModel: keyed(models, (k) => k),
    byItem: keyed(items, (k) => k),
  };
}

/** Per key, this month − previous month, biggest moves (either direction) first. */
function contributors(current: readonly ReportLine[], previous: KeyedCents, keyOf: (l: ReportLine) => [string, string], n: number): Contributor[] {
  const map = new Map<string, Contributor>();
  for (const l of current) {
    const [key, label] = keyOf(l);
    const c = map.get(key) ?? { key, label, currentCents: 0n, previousCents: 0n, changeCents: 0n };
    c.currentCents += lineCents(l);
    map.set(key, c);
  }
  for (const [key, { label, cents }] of previous) {
    const c = map.get(key) ?? { key, label, currentCents: 0n, previousCents: 0n, changeCents: 0n };
    c.previousCents += cents;
    map.set(key, c);
  }
  for (const c of map.values()) c.changeCents = c.currentCents - c.previousCents;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  return [...map.values()]
    .filter((c) => c.changeCents !== 0n)
    // Full ties (same change, same label: runs of one name) by key, so the list doesn't depend on the order read.
    .sort((a, b) =>
      abs(b.changeCents) > abs(a.changeCents) ? 1 : abs(b.changeCents) < abs(a.changeCents) ? -1 : a.label.localeCompare(b.label) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    )
    .slice(0, n);
}

export const KIND_LABEL = { training: "Training", inference: "Inference" } as const;
export const PRICING_MODEL_LABEL: Record<PricingModelCode, string> = { ON_DEMAND: "On-demand", SPOT: "Spot", RESERVED: "Reserved", ON_PREM: "On-prem" };

export const byTeam = (l: ReportLine): [string, string] => [l.teamSlug, l.teamName];
export const byModel = (l: ReportLine): [string, string] => [l.model, l.model];
export const byGpuType = (l: ReportLine): [string, string] => [String(l.gpuTypeId), l.gpuTypeName];
export const byProvider = (l: ReportLine): [string, string] => [l.provider, l.provider];
export const byPricingModel = (l: ReportLine): [string, string] => [l.pricingModel, PRICING_MODEL_LABEL[l.pricingModel]];
export const byItem = (l: ReportLine): [string, string] => [`${l.kind}:${l.itemId}`, l.itemName];

/** Usage figures of a set of lines: GPU-hours, tokens, requests, $/GPU-hour, $/1M tokens (over time with usage records, as the dashboards). */
export function usageFigures(lines: readonly ReportLine[]) {
  let gpuMs = 0n;
  let computeMicros = 0n;
  let inferenceTokens = 0n;
  let trainingTokens = 0n;
  let requests = 0n;
  let recordedCostMicros = 0n;
  let hasUsage = false;
  let hasTrainingTokens = false;
  for (const l of lines) {
    gpuMs += l.gpuMs;
    computeMicros += l.computeMicros;
    if (l.trainingTokens !== null) {
      trainingTokens += l.trainingTokens;
      hasTrainingTokens = true;
    }
    if (l.kind === "inference" && l.recordedMs !== null && l.recordedMs > 0n) {
      hasUsage = true;
      inferenceTokens += (l.inputTokens ?? 0n) + (l.outputTokens ?? 0n);
      requests += l.requests ?? 0n;
      if (l.activeMs > 0n) recordedCostMicros += (l.computeMicros * (l.recordedMs < l.activeMs ? l.recordedMs : l.activeMs)) / l.activeMs;
    }
  }
  const gpuHours = new Decimal(gpuMs.toString()).div(3_600_000);
  return {
    gpuMs,
    gpuHours,
    costPerGpuHourUsd: gpuMs > 0n ? unitCostUsd({ costMicros: computeMicros, quantity: gpuMs, per: 3_600_000 }) : null,
    inferenceTokens: hasUsage ? inferenceTokens : null,
    trainingTokens: hasTrainingTokens ? trainingTokens : null,
    requests: hasUsage ? requests : null,
    costPerMillionTokensUsd: hasUsage ? unitCostUsd({ costMicros: recordedCostMicros, quantity: inferenceTokens, per: 1_000_000 }) : null,
  };
}

export const sumLineCents = (lines: readonly ReportLine[]) => lines.reduce((s, l) => s + lineCents(l), 0n);

interface DayCents {
  start: Date;
  end: Date;
  trainingCents: bigint;
  inferenceCents: bigint;
}

/**
 * The month's charges per local day and kind — the report's daily chart. A
 * closed month: sums of its stored day lines. An open one: the ledger grouped
 * by kind and day, which by the cents rule (a group's cents are the sum of its
 * items' cents) is the sum of the live day lines' cents, without building a
 * line per item and day (13,000 lines for a month at the 10M tier).
 */
async function dailyCents({ viewer, month, timeZone, teamId, now, run }: ReportScope & { run: SqlRunner }): Promise<DayCents[]> {
  const days = new Map<number, DayCents>();
  const add = (start: Date, end: Date, kind: "training" | "inference", cents: bigint) => {
    const d = days.get(start.getTime()) ?? { start, end, trainingCents: 0n, inferenceCents: 0n };
    if (kind === "training") d.trainingCents += cents;
    else d.inferenceCents += cents;
    days.set(start.getTime(), d);
  };
  const closures = await standingClosures(run, viewer);
  if (closures.some((c) => c.month === month && c.timeZone === timeZone)) {
    for (const l of (await reportLines({ viewer, month, timeZone, teamId, now, granularity: "day", run })).charges) add(l.periodStart, l.periodEnd, l.kind, lineCents(l));
  } else {
    const period = monthRange({ month, timeZone });
    const to = period.end;
    if (period.start.getTime() <= now.getTime()) {
      const rows = await queryLedger({ viewer, filters: teamId !== undefined ? { teamIds: [teamId] } : {}, from: period.start, to, unit: "day", timeZone, groupBy: "kind", now }, run);
      for (const r of rows) add(r.bucketStart, r.bucketEnd, r.kind, r.computeCostCents + r.extraCostCents);
    }
  }
  return [...days.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** Everything a month's report page shows. */
export async function monthReport(scope: ReportScope) {
  return buildMonthReport(scope, { withUsage: true });
}

/**
 * A month's report apart from its deployments' traffic — every cent, read
 * from records and prices only — for the read cache to keep across usage
 * ingest; `joinMonthReportUsage` adds the traffic (`monthReportUsage`).
 * null when the month bills corrections: a correction line carries usage
 * deltas (and their audit entries), so that report is read whole
 * (`monthReport`).
 */
export async function monthReportCosts(scope: ReportScope, lines?: Promise<ReportLines | null>): Promise<MonthReport | null> {
  const closures = await standingClosures(prismaRunner(db()), scope.viewer);
  if (correctedClosures(closures, scope.month, scope.timeZone).length > 0) return null;
  if (!lines) return buildMonthReport(scope, { withUsage: false });
  // Its lines (`monthLinesCosts`, read by the caller) and the rest of the report at once. The lines are null
  // if a month was closed since the check above (it bills corrections now): then what was read is dropped.
  let isSplit = true;
  const current = lines.then((read) => {
    if (read) return read;
    isSplit = false;
    return { period: monthRange({ month: scope.month, timeZone: scope.timeZone }), closure: null, closedElsewhere: null, charges: [], corrections: [] };
  });
  const report = await buildMonthReport(scope, { withUsage: false, current });
  return isSplit ? report : null;
}

/**
 * A month's lines (one per item) without their deployments' traffic — what
 * an export at month granularity writes, and what `monthReportCosts` sums —
 * for the read cache to keep across usage ingest; `withLinesUsage` adds the
 * traffic. null when the month bills corrections (their lines carry usage
 * deltas): read those whole.
 */
export async function monthLinesCosts(scope: ReportScope): Promise<ReportLines | null> {
  const run = prismaRunner(db());
  const closures = await standingClosures(run, scope.viewer);
  if (correctedClosures(closures, scope.month, scope.timeZone).length > 0) return null;
  return reportLines({ ...scope, granularity: "month", run, withUsage: false });
}

/** `monthLinesCosts` with its lines' traffic (`monthReportUsage`). */
export function withLinesUsage(lines: ReportLines, usage: LineUsageMap | null): ReportLines {
  if (lines.closure || usage === null) return lines;
  return { ...lines, charges: lines.charges.map((line) => withLineUsage(line, usage)) };
}

/** The traffic of a report's live deployment lines (null for a month closed in the report's zone: its stored lines carry theirs). */
export async function monthReportUsage({ viewer, month, timeZone, teamId, now }: ReportScope): Promise<LineUsageMap | null> {
  const run = prismaRunner(db());
  const closures = await standingClosures(run, viewer);
  if (closures.some((c) => c.month === month && c.timeZone === timeZone)) return null;
  const period = monthRange({ month, timeZone });
  if (period.start.getTime() > now.getTime()) return new Map();
  return readLineUsage({ viewer, ...(teamId !== undefined ? { teamIds: [teamId] } : {}), from: period.start, to: period.end, granularity: "month", timeZone, now }, run);
}

/** `monthReportCosts` with its lines' traffic: the same report `monthReport` computes in one go. */
export function joinMonthReportUsage(costs: MonthReport, usage: LineUsageMap | null): MonthReport {
  if (costs.closure || usage === null) return costs;
  const lines = costs.lines.map((line) => withLineUsage(line, usage));
  return { ...costs, lines, usage: usageFigures(lines) };
}

async function buildMonthReport(scope: ReportScope, { withUsage, current: read }: Required<LinesOptions> & { current?: Promise<ReportLines> }) {
  const { viewer, month, timeZone, teamId, now } = scope;
  const run = prismaRunner(db());
  const previousMonth = addMonths(month, -1);
  const [current, daily, previous, teams] = await Promise.all([
    read ?? reportLines({ ...scope, granularity: "month", run, withUsage }),
    dailyCents({ ...scope, run }),
    // Only its cents are used (the change from the previous month): no lines.
    monthCents({ ...scope, month: previousMonth, run }),
    db().team.findMany({
      where: { AND: [teamWhere(viewer), teamId !== undefined ? { id: teamId } : {}] },
      select: { id: true, slug: true, name: true, monthlyBudgetUsd: true },
      orderBy: { name: "asc" },
    }),
  ]);
  const charges = current.charges;
  const chargesCents = sumLineCents(charges);
  const correctionsCents = sumLineCents(current.corrections);
  const trainingCents = sumLineCents(charges.filter((l) => l.kind === "training"));
  const inferenceCents = sumLineCents(charges.filter((l) => l.kind === "inference"));
  const previousCents = previous.cents;
  const isInProgress = now.getTime() < current.period.end.getTime();
  const isFuture = now.getTime() < current.period.start.getTime();
  const teamCents = breakdown(charges, byTeam);
  // What the month's lines are now, when the report shows a closed month's stored lines.
  const liveCents = current.closure
    ? sumLineCents(
        await queryLiveLines({ viewer, ...(teamId !== undefined ? { teamIds: [teamId] } : {}), from: current.period.start, to: current.period.end, granularity: "month", timeZone, now }, run, {
          withUsage: false,
        }),
      )
    : null;
  return {
    month,
    previousMonth,
    timeZone,
    period: current.period,
    closure: current.closure,
    closedElsewhere: current.closedElsewhere,
    liveCents,
    isInProgress,
    isFuture,
    generatedAt: now,
    lines: charges,
    corrections: current.corrections,
    totals: {
      chargesCents,
      correctionsCents,
      billedCents: chargesCents + correctionsCents,
      trainingCents,
      inferenceCents,
      projectedCents: isInProgress && !isFuture ? projectMonthEnd({ spentCents: chargesCents, month: current.period, now }) : null,
    },
    usage: usageFigures(charges),
    breakdowns: {
      team: teamCents,
      model: breakdown(charges, byModel),
      gpuType: breakdown(charges, byGpuType),
      provider: breakdown(charges, byProvider),
      pricingModel: breakdown(charges, byPricingModel),
    },
    top: {
      runs: breakdownItems(charges.filter((l) => l.kind === "training"), 10),
      deployments: breakdownItems(charges.filter((l) => l.kind === "inference"), 10),
    },
    change: {
      previousCents,
      changeCents: chargesCents - previousCents,
      relative: relativeChange({ current: chargesCents, previous: previousCents }),
      previousClosed: previous.isClosed,
      byTeam: contributors(charges, previous.byTeam, byTeam, 5),
      byModel: contributors(charges, previous.byModel, byModel, 5),
      byItem: contributors(charges, previous.byItem, byItem, 5),
    },
    budgets: teams.map((t) => {
      const spent = teamCents.find((b) => b.key === t.slug)?.cents ?? 0n;
      return {
        slug: t.slug,
        name: t.name,
        budgetCents: microsToCents(parseUsdMicros(t.monthlyBudgetUsd.toFixed(6))),
        actualCents: spent,
        projectedCents: isInProgress && !isFuture ? projectMonthEnd({ spentCents: spent, month: current.period, now }) : null,
      };
    }),
    daily,
  };
}

export type MonthReport = Awaited<ReturnType<typeof buildMonthReport>>;

/** Top items of a month with their team, model and GPU time. */
function breakdownItems(lines: readonly ReportLine[], n: number) {
  return breakdown(lines, byItem)
    .slice(0, n)
    .map((b) => {
      const line = lines.find((l) => `${l.kind}:${l.itemId}` === b.key)!;
      return { ...b, kind: line.kind, id: line.itemId, teamName: line.teamName, model: line.model, gpuTypeName: line.gpuTypeName, gpuCount: line.gpuCount };
    });
}

/** The months /reports lists: from the first recorded activity to this month, newest first, with totals and closures. */
export async function reportMonths({ viewer, timeZone, now }: { viewer: Viewer; timeZone: string; now: Date }) {
  const run = prismaRunner(db());
  const [first] = await run.query<{ first: Date | null }>(Prisma.sql`
    select least(
      (select min(r."startedAt") from training_runs r where ${teamScopeSql(viewer, Prisma.sql`r."teamId"`)}),
      (select min(d."activeFrom") from inference_deployments d where ${teamScopeSql(viewer, Prisma.sql`d."teamId"`)})) as first`);
  const closures = await standingClosures(run, viewer);
  const current = monthOf({ instant: now, timeZone });
  if (!first?.first) return { months: [] as { month: string; closure: Closure | null; isInProgress: boolean }[], closures };
  const months: { month: string; closure: Closure | null; isInProgress: boolean }[] = [];
  const earliest = monthOf({ instant: new Date(first.first), timeZone });
  for (let m = current; m >= earliest && months.length < 120; m = addMonths(m, -1)) {
    months.push({ month: m, closure: closures.find((c) => c.month === m && c.timeZone === timeZone) ?? null, isInProgress: m === current });
  }
  return { months, closures };
}
