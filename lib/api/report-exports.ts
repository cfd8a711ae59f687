import "server-only";
import { NextResponse } from "next/server";
import { z } from "zod";
import { getViewer } from "@/lib/access/current-viewer";
import { assertCan, ForbiddenError } from "@/lib/access/viewer";
import { exportFileName, focusCsv, lineItemsCsv, reportJson, type ExportScope } from "@/lib/db/queries/report-export";
import { teamBySlug } from "@/lib/db/queries/teams";
import { reportingZone, ZONE_CHOICES } from "@/lib/domain/reporting-zone";
import { reportMonthSchema } from "@/lib/reports/month";
import { refuseCrossSiteRequest } from "@/lib/access/request-origin-guard";

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

export interface ExportErrorBody {
  error: { code: "bad-request" | "forbidden" | "not-found"; message: string; field?: string };
}

function exportError(status: 400 | 403 | 404, code: ExportErrorBody["error"]["code"], message: string, field?: string) {
  return NextResponse.json<ExportErrorBody>({ error: { code, message, ...(field ? { field } : {}) } }, { status, headers: { "cache-control": "no-store" } });
}

type Kind = "lines" | "focus" | "json";

export async function exportResponse(request: Request, { params }: { params: Promise<{ month: string }> }, kind: Kind): Promise<Response> {
  // A DNS-rebinding page (Host: its own name) may not read exports either.
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const viewer = await getViewer();
  try {
    assertCan(viewer, "read");
  } catch (error) {
    if (error instanceof ForbiddenError) return exportError(403, "forbidden", "Your role may not read reports.");
    throw error;
  }
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
  const subject = team?.slug ?? (await orgSlug(viewer.orgId));
  const fileName = exportFileName({ subject, month: month.data, kind });
  const body = kind === "lines" ? lineItemsCsv(scope, { bom: withBom }) : kind === "focus" ? focusCsv(scope, { bom: withBom }) : reportJson(scope);
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

async function orgSlug(orgId: number): Promise<string> {
  const { db } = await import("@/lib/db/client");
  const org = await db().org.findUniqueOrThrow({ where: { id: orgId }, select: { slug: true } });
  return org.slug;
}
