import "server-only";
import { z } from "zod";
import { authorize, orgWhere, type Denied } from "@/lib/access/policy";
import { cachedDocument } from "@/lib/cache/read-cache";
import type { Viewer } from "@/lib/access/viewer";
import { cachedMonthLines, cachedMonthReport } from "@/lib/cache/read-models";
import { exportFileName, focusCsv, lineItemsCsv, reportJson, reportSource, streamedSource, type ExportScope } from "@/lib/db/queries/report-export";
import { teamBySlug } from "@/lib/db/queries/teams";
import { reportingZone, ZONE_CHOICES } from "@/lib/domain/reporting-zone";
import { reportMonthSchema } from "@/lib/reports/month";
import { apiError, type ApiErrorBody } from "./errors";

/**
 * GET /api/reports/<YYYY-MM>/{lines.csv,focus.csv,report.json}
 *   ?tz=org|team|utc   the report's zone (default: the org's)
 *   &team=<slug>       one team's report (default: the whole org)
 *   &granularity=month|day   one line per item per month (default) or per day
 *   &bom=1             CSV with a UTF-8 byte order mark, for Excel
 * Stable URLs a script can fetch; the response streams. Bad parameters answer
 * 400 with a message naming the parameter, an unknown team 404.
 */

const exportParams = z.object({
  tz: z.enum(ZONE_CHOICES, { error: 'tz must be "org", "team" or "utc"' }).default("org"),
  team: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "team must be a team's slug (lowercase letters, digits and hyphens)" })
    .optional(),
  granularity: z.enum(["month", "day"], { error: 'granularity must be "month" or "day"' }).default("month"),
  bom: z.enum(["0", "1", "true", "false"], { error: 'bom must be "1" or "0"' }).default("0"),
});

export type ExportErrorBody = ApiErrorBody;

const exportError = apiError;

export type ExportKind = "lines" | "focus" | "json";

/** An export, inside guardedRoute (Host check — a DNS-rebinding page may not read exports — and a session, 401 without one). */
export async function exportResponse(request: Request, viewer: Viewer, { params }: { params: Promise<{ month: string }> }, kind: ExportKind): Promise<Response | Denied> {
  // Reports add up the teams the viewer may read (the ledger's read scope); reading them at all is org:read.
  const denied = authorize(viewer, "org:read");
  if (denied) return denied;
  const month = reportMonthSchema.safeParse((await params).month);
  if (!month.success) return exportError(400, "bad-request", month.error.issues[0]!.message, "month");
  const url = new URL(request.url);
  const query = exportParams.safeParse(Object.fromEntries([...url.searchParams.entries()].filter(([k]) => k in exportParams.shape)));
  if (!query.success) {
    const issue = query.error.issues[0]!;
    return exportError(400, "bad-request", issue.message, String(issue.path[0] ?? ""));
  }
  const { tz, team: teamSlug, granularity, bom } = query.data;
  const team = teamSlug ? await teamBySlug({ viewer, slug: teamSlug }) : null;
  if (teamSlug && !team) return exportError(404, "not-found", `No team "${teamSlug}" in this organization.`, "team");
  if (tz === "team" && !team) return exportError(400, "bad-request", "tz team needs a team: add team=<slug>, or use tz=org or tz=utc.", "tz");
  const zone = reportingZone({ choice: tz, orgTimeZone: viewer.orgTimeZone, teamTimeZone: team?.timeZone ?? null });
  const scope: ExportScope = {
    viewer,
    month: month.data,
    timeZone: zone.timeZone,
    ...(team ? { team: { id: team.id, slug: team.slug, name: team.name } } : {}),
    granularity,
    now: new Date(),
  };
  const withBom = bom === "1" || bom === "true";
  const subject = team?.slug ?? (await orgSlug(viewer));
  const fileName = exportFileName({ subject, month: month.data, kind });
  // Through the read cache: a repeated download with no write in between (and in the same minute) is the same bytes, not recomputed.
  // Month lines are the report page's lines (cachedMonthReport: its cents outlive usage ingest); day lines stream from a cursor.
  const body = await cachedDocument(`export:${kind}:${withBom ? "bom" : "plain"}`, scope, (s) => {
    const report = { viewer: s.viewer, month: s.month, timeZone: s.timeZone, now: s.now, ...(s.team ? { teamId: s.team.id } : {}) };
    const source =
      s.granularity === "month"
        ? reportSource(s, { lines: () => cachedMonthLines(report), previousCents: async () => (await cachedMonthReport(report)).change.previousCents })
        : streamedSource(s);
    return kind === "lines" ? lineItemsCsv(s, { bom: withBom }, source) : kind === "focus" ? focusCsv(s, { bom: withBom }, source) : reportJson(s, source);
  });
  return new Response(body, {
    headers: {
      "content-type": kind === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8; header=present",
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-burnrate-time-zone": zone.timeZone,
    },
  });
}

async function orgSlug(viewer: Viewer): Promise<string> {
  const { db } = await import("@/lib/db/client");
  const org = await db().org.findUniqueOrThrow({ where: { id: orgWhere(viewer).orgId }, select: { slug: true } });
  return org.slug;
}
