import { ownOrgId } from "@/lib/access/own-org-id";
import { authorize } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { formatDateTime } from "@/lib/domain/labels";
import { lineCents, type ReportLine } from "@/lib/reports/line";
import { monthRange, monthTitle, reportMonthSchema } from "@/lib/reports/month";
import { db } from "../client";
import { queryLiveLines } from "../queries/report-lines";
import { outstandingCorrections, standingClosures } from "../queries/reports";
import { prismaRunner, Prisma, type SqlRunner } from "../sql";
import { writeAuditEntries } from "./audit";
import { databaseErrorCode, deniedFailure, formError, invalid, RollbackWith, type MutationResult } from "./records";
import { invalidateOrgData } from "@/lib/cache/read-cache";

/**
 * Closing a month (org admins): the month's report lines in the org's zone —
 * per month and per day, plus the corrections to earlier closed months it
 * carries — are stored as they stand, and from then on its report and
 * exports read the stored lines. Later changes show up in the next open
 * month as correction lines (lib/db/queries/reports.ts). Reopening marks the
 * closure reopened (kept for the record); months reopen newest first, since
 * a later closed month may carry corrections to this one. Both are audited.
 */

const CHUNK = 2_000;

async function insertLines(run: SqlRunner, closureId: number, granularity: "month" | "day", lines: readonly ReportLine[]) {
  for (let i = 0; i < lines.length; i += CHUNK) {
    const chunk = lines.slice(i, i + CHUNK).map((l) => ({
      granularity,
      lineType: l.lineType,
      kind: l.kind,
      itemId: l.itemId,
      itemName: l.itemName,
      teamId: l.teamId,
      teamSlug: l.teamSlug,
      teamName: l.teamName,
      model: l.model,
      gpuTypeId: l.gpuTypeId,
      gpuTypeName: l.gpuTypeName,
      provider: l.provider,
      pricingModel: l.pricingModel,
      gpuCount: l.gpuCount,
      periodStart: l.periodStart.toISOString(),
      periodEnd: l.periodEnd.toISOString(),
      chargeStart: l.chargeStart.toISOString(),
      chargeEnd: l.chargeEnd.toISOString(),
      computeMicros: l.computeMicros.toString(),
      computeCents: l.computeCents.toString(),
      extraMicros: l.extraMicros.toString(),
      extraCents: l.extraCents.toString(),
      gpuMs: l.gpuMs.toString(),
      unpricedGpuMs: l.unpricedGpuMs.toString(),
      activeMs: l.activeMs.toString(),
      recordedMs: l.recordedMs?.toString() ?? null,
      requests: l.requests?.toString() ?? null,
      inputTokens: l.inputTokens?.toString() ?? null,
      cachedInputTokens: l.cachedInputTokens?.toString() ?? null,
      outputTokens: l.outputTokens?.toString() ?? null,
      trainingTokens: l.trainingTokens?.toString() ?? null,
      p99LatencyMs: l.p99LatencyMs === null ? null : l.p99LatencyMs.toFixed(3),
      prices: l.prices.map((p) => ({ micros: p.pricePerGpuHourMicros.toString(), source: p.source, from: p.from.toISOString(), to: p.to.toISOString() })),
      correctsMonth: l.correction?.correctsMonth ?? null,
      cause: l.correction?.cause ?? null,
      auditEntryIds: l.correction?.auditEntryIds ?? [],
    }));
    await run.execute(Prisma.sql`
      insert into month_close_lines ("closureId", granularity, "lineType", kind, "itemId", "itemName", "teamId", "teamSlug", "teamName", model,
        "gpuTypeId", "gpuTypeName", provider, "pricingModel", "gpuCount", "periodStart", "periodEnd", "chargeStart", "chargeEnd",
        "computeMicros", "computeCents", "extraMicros", "extraCents", "gpuMs", "unpricedGpuMs", "activeMs", "recordedMs", requests,
        "inputTokens", "cachedInputTokens", "outputTokens", "trainingTokens", "p99LatencyMs", prices, "correctsMonth", cause, "auditEntryIds")
      select ${closureId}, l.granularity, l."lineType", l.kind, l."itemId", l."itemName", l."teamId", l."teamSlug", l."teamName", l.model,
        l."gpuTypeId", l."gpuTypeName", l.provider, l."pricingModel"::"PricingModel", l."gpuCount", l."periodStart", l."periodEnd", l."chargeStart", l."chargeEnd",
        l."computeMicros", l."computeCents", l."extraMicros", l."extraCents", l."gpuMs", l."unpricedGpuMs", l."activeMs", l."recordedMs", l.requests,
        l."inputTokens", l."cachedInputTokens", l."outputTokens", l."trainingTokens", l."p99LatencyMs", l.prices, l."correctsMonth", l.cause,
        array(select jsonb_array_elements_text(l."auditEntryIds"))
      from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as l(granularity text, "lineType" text, kind text, "itemId" int, "itemName" text,
        "teamId" int, "teamSlug" text, "teamName" text, model text, "gpuTypeId" int, "gpuTypeName" text, provider text, "pricingModel" text,
        "gpuCount" int, "periodStart" timestamptz, "periodEnd" timestamptz, "chargeStart" timestamptz, "chargeEnd" timestamptz,
        "computeMicros" bigint, "computeCents" bigint, "extraMicros" bigint, "extraCents" bigint, "gpuMs" bigint, "unpricedGpuMs" bigint,
        "activeMs" bigint, "recordedMs" bigint, requests bigint, "inputTokens" bigint, "cachedInputTokens" bigint, "outputTokens" bigint,
        "trainingTokens" bigint, "p99LatencyMs" numeric, prices jsonb, "correctsMonth" text, cause text, "auditEntryIds" jsonb)`);
  }
}

async function lockClosures(run: SqlRunner, orgId: number) {
  await run.query(Prisma.sql`select pg_advisory_xact_lock(hashtext('burnrate:month_closures'), ${orgId})::text`);
}

/** Closing and reopening months is org:manage (org owners and admins). */
function adminOnly(viewer: Viewer): MutationResult<never> | null {
  const denied = authorize(viewer, "org:manage");
  return denied ? deniedFailure(denied) : null;
}

export interface ClosedMonth {
  closureId: number;
  month: string;
  chargeCents: bigint;
  correctionCents: bigint;
  lineCount: number;
}

export async function closeMonth({ viewer, month: input, now }: { viewer: Viewer; month: unknown; now: Date }): Promise<MutationResult<ClosedMonth>> {
  const denied = adminOnly(viewer);
  if (denied) return denied;
  const parsed = reportMonthSchema.safeParse(input);
  if (!parsed.success) return invalid({ month: [parsed.error.issues[0]!.message] });
  const month = parsed.data;
  const timeZone = viewer.orgTimeZone;
  const period = monthRange({ month, timeZone });
  if (now.getTime() < period.end.getTime()) {
    return invalid({
      month: [`${monthTitle(month)} is not over until ${formatDateTime({ instant: period.end, timeZone })} (${timeZone}); a month can be closed once it has ended`],
    });
  }
  try {
    const value = await db().$transaction(
      async (tx) => {
        const run = prismaRunner(tx);
        await lockClosures(run, ownOrgId(viewer));
        const closures = await standingClosures(run, viewer);
        const existing = closures.find((c) => c.month === month);
        if (existing) throw new RollbackWith(formError(alreadyClosed(existing)));
        const base = { viewer, from: period.start, to: period.end, timeZone, now };
        const monthLines = await queryLiveLines({ ...base, granularity: "month" }, run);
        const dayLines = await queryLiveLines({ ...base, granularity: "day" }, run);
        const corrections = await outstandingCorrections({ run, viewer, closures, month, timeZone, now });
        const chargeCents = monthLines.reduce((s, l) => s + lineCents(l), 0n);
        const correctionCents = corrections.reduce((s, l) => s + lineCents(l), 0n);
        const [closure] = await run.query<{ id: number }>(Prisma.sql`
          insert into month_closures ("orgId", month, "timeZone", "periodStart", "periodEnd", "closedAt", "closedById", "closedByName", "chargeCents", "correctionCents")
          values (${ownOrgId(viewer)}, ${month}, ${timeZone}, ${period.start}, ${period.end}, clock_timestamp(), ${viewer.userId}, ${viewer.name}, ${chargeCents}, ${correctionCents})
          returning id`);
        await insertLines(run, closure!.id, "month", monthLines);
        await insertLines(run, closure!.id, "day", dayLines);
        await insertLines(run, closure!.id, "month", corrections);
        await writeAuditEntries(run, { viewer, source: "form" }, [
          {
            entityType: "monthClosure",
            entityId: String(closure!.id),
            subject: { type: "monthClosure", id: month },
            action: "CREATE",
            before: null,
            after: {
              month,
              timeZone,
              status: "closed",
              chargeTotal: centsText(chargeCents),
              correctionTotal: centsText(correctionCents),
              lines: monthLines.length,
              correctionLines: corrections.length,
            },
          },
        ]);
        return { closureId: closure!.id, month, chargeCents, correctionCents, lineCount: monthLines.length + corrections.length };
      },
      { isolationLevel: "RepeatableRead", timeout: 300_000, maxWait: 10_000 },
    );
    return { ok: true, value };
  } catch (error) {
    if (error instanceof RollbackWith) return error.failure;
    // Two admins closing at once: the standing-closure unique index stops the second.
    if (databaseErrorCode(error) === "23505" || databaseErrorCode(error) === "40001") return formError(`${monthTitle(month)} was closed by someone else just now; reload to see it`);
    throw error;
  } finally {
    invalidateOrgData(viewer.orgId);
  }
}

function alreadyClosed(c: { month: string; closedByName: string; closedAt: Date; timeZone: string }): string {
  return `${monthTitle(c.month)} is already closed (by ${c.closedByName} at ${formatDateTime({ instant: c.closedAt, timeZone: c.timeZone })} ${c.timeZone})`;
}

function centsText(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const m = cents < 0n ? -cents : cents;
  return `${sign}${m / 100n}.${String(m % 100n).padStart(2, "0")}`;
}

export async function reopenMonth({ viewer, month: input }: { viewer: Viewer; month: unknown }): Promise<MutationResult<{ month: string }>> {
  const denied = adminOnly(viewer);
  if (denied) return denied;
  const parsed = reportMonthSchema.safeParse(input);
  if (!parsed.success) return invalid({ month: [parsed.error.issues[0]!.message] });
  const month = parsed.data;
  try {
    const value = await db().$transaction(
      async (tx) => {
        const run = prismaRunner(tx);
        await lockClosures(run, ownOrgId(viewer));
        const closures = await standingClosures(run, viewer);
        const closure = closures.find((c) => c.month === month);
        if (!closure) throw new RollbackWith(formError(`${monthTitle(month)} is not closed`));
        const later = closures.filter((c) => c.timeZone === closure.timeZone && c.month > month);
        if (later.length > 0) {
          const newest = later[later.length - 1]!;
          throw new RollbackWith(
            formError(`Reopen ${monthTitle(newest.month)} first: months reopen newest first, because a later closed month can carry corrections to this one`),
          );
        }
        await run.execute(Prisma.sql`
          update month_closures set "reopenedAt" = clock_timestamp(), "reopenedById" = ${viewer.userId}, "reopenedByName" = ${viewer.name} where id = ${closure.id}`);
        await writeAuditEntries(run, { viewer, source: "form" }, [
          {
            entityType: "monthClosure",
            entityId: String(closure.id),
            subject: { type: "monthClosure", id: month },
            action: "UPDATE",
            before: { month, timeZone: closure.timeZone, status: "closed", closedBy: closure.closedByName, closedAt: closure.closedAt.toISOString() },
            after: { month, timeZone: closure.timeZone, status: "reopened", closedBy: closure.closedByName, closedAt: closure.closedAt.toISOString() },
          },
        ]);
        return { month };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
    return { ok: true, value };
  } catch (error) {
    if (error instanceof RollbackWith) return error.failure;
    throw error;
  } finally {
    invalidateOrgData(viewer.orgId);
  }
}
