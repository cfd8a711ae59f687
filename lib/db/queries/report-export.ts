import "server-only";
import { orgScopeSql, teamWhere, type TeamCoverage } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { microsToCents, parseUsdMicros } from "@/lib/domain/money";
import { teamCoverageText } from "@/lib/domain/team-coverage";
import { csvStream, csvValuesRow, type EncodedCsvRows } from "@/lib/reports/csv";
import { FOCUS_COLUMNS, FOCUS_DECIMAL_COLUMNS, focusRows } from "@/lib/reports/focus";
import { lineCents, type ReportContext, type ReportLine } from "@/lib/reports/line";
import { centsToDollars, gpuHoursText, LINE_CSV_COLUMNS, LINE_CSV_NUMBER_CELLS, lineCsvValues, localIso, microsToDollars } from "@/lib/reports/line-csv";
import { addMonths, monthRange } from "@/lib/reports/month";
import { db } from "../client";
import { prismaRunner, Prisma, type SqlRunner } from "../sql";
import { withCursorSession, type CursorSession, type SnapshotReader } from "../stream";
import { startLiveLines, type RawLine } from "./report-lines";
import {
  byGpuType,
  byModel,
  byPricingModel,
  byProvider,
  byTeam,
  outstandingCorrections,
  parseStoredLine,
  reportLines,
  standingClosures,
  storedLinesSql,
  sumLineCents,
  type Closure,
  type RawStoredLine,
  type ReportLines,
} from "./reports";
import { teamCoverage } from "./teams";

/**
 * Report exports — line-item CSV, FOCUS 1.2 CSV and JSON — streamed from a
 * database cursor: lines are read in batches of 2,000 inside one read-only
 * snapshot and encoded as the client reads, so memory stays flat however
 * many lines a month has. They read the same lines as the report page
 * (stored ones for a closed month, live ones plus corrections otherwise), so
 * every total reconciles to the page's to the cent. Like the page, they
 * hold only the lines of teams the person may see (CSV and FOCUS have no
 * place to say so; the JSON's report.scope does).
 */

export interface ExportScope {
  viewer: Viewer;
  month: string;
  timeZone: string;
  team?: { id: number; slug: string; name: string };
  granularity: "month" | "day";
  now: Date;
}

function sessionRunner(session: CursorSession | SnapshotReader): SqlRunner {
  return {
    query: (statement) => session.query(statement),
    execute: () => Promise.reject(new Error("exports are read-only")),
  };
}

/** `work` on a second connection reading the session's snapshot (read-only, like the session). */
function inParallel(session: CursorSession) {
  return <T>(work: (run: SqlRunner) => Promise<T>): Promise<T> => session.parallel((reader) => work(sessionRunner(reader)));
}

interface ExportStart {
  context: ReportContext;
  closure: Closure | null;
}

/**
 * The report's lines, a cursor batch at a time: charges (stored or live),
 * then corrections. `onStart` gets the context (org, period, closure) before
 * the first line.
 */
export async function* exportLineBatches(scope: ExportScope, onStart?: (start: ExportStart) => void): AsyncGenerator<ReportLine[], void, undefined> {
  const { viewer, month, timeZone, team, granularity, now } = scope;
  const period = monthRange({ month, timeZone });
  yield* withCursorSession(async function* (session) {
    const run = sessionRunner(session);
    const [org] = await session.query<{ slug: string; name: string }>(orgSql(viewer));
    const closures = await standingClosures(run, viewer);
    const closure = closures.find((c) => c.month === month && c.timeZone === timeZone) ?? null;
    onStart?.({ context: exportContext(scope, org!), closure });
    const teamFilter = team ? { teamId: team.id } : {};
    if (closure) {
      for (const lineType of ["charge", "correction"] as const) {
        const sql = storedLinesSql({ viewer, closureIds: [closure.id], lineType, ...(lineType === "charge" ? { granularity } : {}), ...teamFilter });
        for await (const batch of session.cursor<RawStoredLine>(sql)) yield batch.map(parseStoredLine);
      }
      return;
    }
    if (period.start.getTime() <= now.getTime()) {
      const q = { viewer, ...(team ? { teamIds: [team.id] } : {}), from: period.start, to: period.end, granularity, timeZone, now };
      // The usage rollups are read on a second connection in the same snapshot while PostgreSQL computes and
      // sorts the lines (the first FETCH waits for all of them): the two largest reads of an export overlap.
      const started = await startLiveLines(q, run, inParallel(session));
      const batches = session.cursor<RawLine>(started.sql);
      try {
        const first = batches.next();
        first.catch(() => undefined);
        const parse = await started.parser;
        for (let next = await first; !next.done; next = await batches.next()) yield next.value.map(parse);
      } finally {
        await batches.return();
      }
    }
    const corrections = await outstandingCorrections({ run, viewer, closures, month, timeZone, ...teamFilter, now });
    if (corrections.length > 0) yield corrections;
  });
}

function exportContext({ month, timeZone, team, now }: ExportScope, org: { slug: string; name: string }): ReportContext {
  const period = monthRange({ month, timeZone });
  return {
    orgSlug: org.slug,
    orgName: org.name,
    ...(team ? { team: { slug: team.slug, name: team.name } } : {}),
    month,
    timeZone,
    billingPeriodStart: period.start,
    billingPeriodEnd: period.end,
    currency: "USD",
    generatedAt: now,
  };
}

/**
 * Where an export's lines come from: a database cursor (`streamedSource`,
 * any granularity, flat memory however many lines), or the month's report
 * already read (`reportSource`: one line per item, the report page's own
 * lines — through the read cache, whose cents part outlives usage ingest).
 * Both give the same lines in the same order, so the same bytes.
 */
export interface ExportSource {
  batches: (onStart?: (start: ExportStart) => void) => AsyncIterable<readonly ReportLine[]>;
  /** The previous month's charges, for the JSON's change. */
  previousCents: () => Promise<bigint>;
}

export function streamedSource(scope: ExportScope): ExportSource {
  return { batches: (onStart) => exportLineBatches(scope, onStart), previousCents: () => previousMonthTotal(scope) };
}

/**
 * A month-granularity export from the month's report lines already read
 * (`reportLines` of the same viewer, month, zone, team and minute, with their
 * traffic) and, for the JSON, the report's previous-month cents.
 */
export function reportSource(scope: ExportScope, read: { lines: () => Promise<ReportLines>; previousCents: () => Promise<bigint> }): ExportSource {
  if (scope.granularity !== "month") throw new Error("a report's lines are month lines");
  return {
    async *batches(onStart) {
      const [lines, [org]] = await Promise.all([read.lines(), prismaRunner(db()).query<{ slug: string; name: string }>(orgSql(scope.viewer))]);
      onStart?.({ context: exportContext(scope, org!), closure: lines.closure });
      if (lines.charges.length > 0) yield lines.charges;
      if (lines.corrections.length > 0) yield lines.corrections;
    },
    previousCents: read.previousCents,
  };
}

/** The report's lines one at a time (exportLineBatches flattened). */
export async function* exportLines(scope: ExportScope, onStart?: (start: ExportStart) => void, source: ExportSource = streamedSource(scope)): AsyncGenerator<ReportLine, void, undefined> {
  for await (const batch of source.batches(onStart)) yield* batch;
}

function orgSql(viewer: Viewer) {
  return Prisma.sql`select slug, name from orgs where ${orgScopeSql(viewer, Prisma.sql`id`)}`;
}

/** Roughly how much CSV text (UTF-16 code units) is encoded before it is handed to the stream (csv.ts writes ~64 KB a pull). */
const TEXT_CHUNK = 64 * 1024;

/**
 * Lines (one at a time, or in batches) encoded as CSV rows, handed on ~64 KB
 * of rows at a time: one hop through the stream per chunk instead of one per
 * line, while a batch is still only encoded as far as the reader has read.
 */
async function* encodedRows(lines: AsyncIterable<ReportLine | readonly ReportLine[]>, encode: (line: ReportLine, rows: string[]) => void): AsyncGenerator<EncodedCsvRows, void, undefined> {
  let rows: string[] = [];
  let length = 0;
  for await (const item of lines) {
    for (const line of Array.isArray(item) ? (item as readonly ReportLine[]) : [item as ReportLine]) {
      const before = rows.length;
      encode(line, rows);
      for (let i = before; i < rows.length; i++) length += rows[i]!.length;
      if (length >= TEXT_CHUNK) {
        yield { encoded: rows };
        rows = [];
        length = 0;
      }
    }
  }
  if (rows.length > 0) yield { encoded: rows };
}

/** The line-item CSV as a byte stream. */
export function lineItemsCsv(scope: ExportScope, { bom }: { bom: boolean }, source: ExportSource = streamedSource(scope)): ReadableStream<Uint8Array> {
  const ctx = { timeZone: scope.timeZone };
  return csvStream(LINE_CSV_COLUMNS, encodedRows(source.batches(), (line, rows) => rows.push(csvValuesRow(lineCsvValues(line, ctx), LINE_CSV_NUMBER_CELLS))), { bom });
}

/** Which FOCUS columns are number cells, by position. */
const FOCUS_NUMBER_CELLS: readonly boolean[] = FOCUS_COLUMNS.map((column) => FOCUS_DECIMAL_COLUMNS.has(column));

/** The FOCUS 1.2 CSV as a byte stream: one row per cost component of each line. */
export function focusCsv(scope: ExportScope, { bom }: { bom: boolean }, source: ExportSource = streamedSource(scope)): ReadableStream<Uint8Array> {
  let context: ReportContext | null = null;
  const lines = source.batches((start) => {
    context = start.context;
  });
  const rows = encodedRows(lines, (line, encoded) => {
    for (const row of focusRows(line, context!)) encoded.push(csvValuesRow(row, FOCUS_NUMBER_CELLS));
  });
  return csvStream(FOCUS_COLUMNS, rows, { bom });
}

// ---------------------------------------------------------------------------
// JSON

function lineJson(line: ReportLine, timeZone: string) {
  return {
    lineType: line.lineType,
    period: { start: localIso(line.periodStart, timeZone), end: localIso(line.periodEnd, timeZone) },
    team: { id: line.teamId, slug: line.teamSlug, name: line.teamName },
    kind: line.kind,
    item: { id: line.itemId, name: line.itemName },
    model: line.model,
    gpuType: { id: line.gpuTypeId, name: line.gpuTypeName },
    provider: line.provider,
    pricingModel: line.pricingModel,
    gpuCount: line.gpuCount,
    chargePeriod: { start: localIso(line.chargeStart, timeZone), end: localIso(line.chargeEnd, timeZone) },
    gpuHours: gpuHoursText(line.gpuMs),
    unpricedGpuHours: gpuHoursText(line.unpricedGpuMs),
    tokens: line.kind === "training" ? count(line.trainingTokens) : count(line.inputTokens === null ? null : line.inputTokens + (line.outputTokens ?? 0n)),
    inputTokens: count(line.inputTokens),
    cachedInputTokens: count(line.cachedInputTokens),
    outputTokens: count(line.outputTokens),
    requests: count(line.requests),
    p99LatencyMs: line.p99LatencyMs,
    prices: line.prices.map((p) => ({ pricePerGpuHourUsd: microsToDollars(p.pricePerGpuHourMicros), source: p.source, from: localIso(p.from, timeZone), to: localIso(p.to, timeZone) })),
    cost: {
      computeUsd: centsToDollars(line.computeCents),
      storageDataNetworkUsd: centsToDollars(line.extraCents),
      totalUsd: centsToDollars(lineCents(line)),
      computeMicroUsd: line.computeMicros.toString(),
      storageDataNetworkMicroUsd: line.extraMicros.toString(),
    },
    ...(line.correction ? { correction: line.correction } : {}),
  };
}

/** Counts as JSON numbers while they are exact, else decimal strings. */
function count(value: bigint | null): number | string | null {
  if (value === null) return null;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** Sums by key while lines stream past, so the JSON's summary is the sum of the lines it contains. */
class Tally {
  private readonly byKey = new Map<string, { key: string; label: string; cents: bigint }>();
  constructor(private readonly keyOf: (l: ReportLine) => [string, string]) {}
  add(line: ReportLine) {
    const [key, label] = this.keyOf(line);
    const entry = this.byKey.get(key) ?? { key, label, cents: 0n };
    entry.cents += lineCents(line);
    this.byKey.set(key, entry);
  }
  cents(key: string): bigint {
    return this.byKey.get(key)?.cents ?? 0n;
  }
  json() {
    return [...this.byKey.values()].sort((a, b) => (b.cents > a.cents ? 1 : b.cents < a.cents ? -1 : a.label.localeCompare(b.label))).map((e) => ({ key: e.key, label: e.label, costUsd: centsToDollars(e.cents) }));
  }
}

/**
 * The report as JSON, streamed: the report's context first, then its lines
 * and corrections, then the totals, breakdowns and budgets — summed from the
 * lines just written, so they agree with them by construction.
 */
export function reportJson(scope: ExportScope, source: ExportSource = streamedSource(scope)): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  async function* pieces(): AsyncGenerator<string, void, undefined> {
    let context: ReportContext | null = null;
    let closure: Closure | null = null;
    const coverage = await teamCoverage(scope.viewer);
    const lines = exportLines(
      scope,
      (start) => {
        context = start.context;
        closure = start.closure;
      },
      source,
    );
    const tallies = { team: new Tally(byTeam), model: new Tally(byModel), gpuType: new Tally(byGpuType), provider: new Tally(byProvider), pricingModel: new Tally(byPricingModel) };
    const totals = { charges: 0n, corrections: 0n, training: 0n, inference: 0n, gpuMs: 0n };
    let section: "none" | "lines" | "corrections" = "none";
    let isFirst = true;
    for await (const line of lines) {
      if (section === "none") {
        yield `{"report":${JSON.stringify(reportHeader(context!, closure, scope, coverage))},"lines":[`;
        section = "lines";
      }
      if (line.lineType === "correction" && section === "lines") {
        yield `],"corrections":[`;
        section = "corrections";
        isFirst = true;
      }
      yield `${isFirst ? "" : ","}\n${JSON.stringify(lineJson(line, scope.timeZone))}`;
      isFirst = false;
      const cents = lineCents(line);
      if (line.lineType === "correction") {
        totals.corrections += cents;
        continue;
      }
      totals.charges += cents;
      totals.gpuMs += line.gpuMs;
      if (line.kind === "training") totals.training += cents;
      else totals.inference += cents;
      for (const t of Object.values(tallies)) t.add(line);
    }
    if (section === "none") yield `{"report":${JSON.stringify(reportHeader(context!, closure, scope, coverage))},"lines":[`;
    if (section !== "corrections") yield `],"corrections":[`;
    const previous = await source.previousCents();
    const budgets = await teamBudgets(scope);
    yield `],"totals":${JSON.stringify({
      chargesUsd: centsToDollars(totals.charges),
      trainingUsd: centsToDollars(totals.training),
      inferenceUsd: centsToDollars(totals.inference),
      correctionsUsd: centsToDollars(totals.corrections),
      billedUsd: centsToDollars(totals.charges + totals.corrections),
      gpuHours: gpuHoursText(totals.gpuMs),
    })},"breakdowns":${JSON.stringify(Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, t.json()])))},"previousMonth":${JSON.stringify({
      month: addMonths(scope.month, -1),
      chargesUsd: centsToDollars(previous),
      changeUsd: centsToDollars(totals.charges - previous),
    })},"budgets":${JSON.stringify(
      budgets.map((b) => ({ team: b.slug, name: b.name, budgetUsd: centsToDollars(b.budgetCents), actualUsd: centsToDollars(tallies.team.cents(b.slug)) })),
    )}}\n`;
  }
  const iterator = pieces();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text = "";
        try {
          while (text.length < 64 * 1024) {
            const { done, value } = await iterator.next();
            if (done) {
              if (text) controller.enqueue(encoder.encode(text));
              controller.close();
              return;
            }
            text += value;
          }
          controller.enqueue(encoder.encode(text));
        } catch (error) {
          controller.error(error);
          await iterator.return?.().catch(() => undefined);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** Which teams the report adds up: one team, or the org's teams the person may see (all of them, or how many of how many). */
function scopeJson(scope: ExportScope, coverage: TeamCoverage) {
  if (scope.team) return { kind: "team" as const, allTeams: null, visibleTeams: null, totalTeams: null, note: null };
  return { kind: "org" as const, allTeams: coverage.all, visibleTeams: coverage.visible, totalTeams: coverage.total, note: teamCoverageText(coverage) };
}

function reportHeader(context: ReportContext, closure: Closure | null, scope: ExportScope, coverage: TeamCoverage) {
  return {
    org: { slug: context.orgSlug, name: context.orgName },
    team: context.team ?? null,
    month: context.month,
    timeZone: context.timeZone,
    period: { start: localIso(context.billingPeriodStart, context.timeZone), end: localIso(context.billingPeriodEnd, context.timeZone) },
    granularity: scope.granularity,
    currency: context.currency,
    generatedAt: context.generatedAt.toISOString(),
    status: closure ? "closed" : scope.now.getTime() < context.billingPeriodEnd.getTime() ? "in progress" : "open",
    closure: closure ? { closedAt: closure.closedAt.toISOString(), closedBy: closure.closedByName } : null,
    scope: scopeJson(scope, coverage),
  };
}

async function previousMonthTotal(scope: ExportScope): Promise<bigint> {
  const previous = await reportLines({
    viewer: scope.viewer,
    month: addMonths(scope.month, -1),
    timeZone: scope.timeZone,
    ...(scope.team ? { teamId: scope.team.id } : {}),
    now: scope.now,
    granularity: "month",
    // Only its cents: no traffic.
    withUsage: false,
  });
  return sumLineCents(previous.charges);
}

async function teamBudgets(scope: ExportScope) {
  const teams = await db().team.findMany({
    where: { AND: [teamWhere(scope.viewer), scope.team ? { id: scope.team.id } : {}] },
    select: { slug: true, name: true, monthlyBudgetUsd: true },
    orderBy: { name: "asc" },
  });
  return teams.map((t) => ({ slug: t.slug, name: t.name, budgetCents: microsToCents(parseUsdMicros(t.monthlyBudgetUsd.toFixed(6))) }));
}

/** `burnrate-<org-or-team>-<YYYY-MM>[-focus].csv` / `.json`. */
export function exportFileName({ subject, month, kind }: { subject: string; month: string; kind: "lines" | "focus" | "json" }): string {
  return `burnrate-${subject}-${month}${kind === "focus" ? "-focus" : ""}.${kind === "json" ? "json" : "csv"}`;
}
