// GET /api/imports/templates/:kind — the CSV template (header + an example row naming the org's own records) for training-runs or usage-windows.
import { getViewer } from "@/lib/access/current-viewer";
import { refuseCrossSiteRequest } from "@/lib/access/request-origin-guard";
import { db } from "@/lib/db/client";
import { loadImportReferences, storedWindowSpan } from "@/lib/db/queries/import-references";
import { prismaRunner } from "@/lib/db/sql";
import { templateCsv } from "@/lib/import/columns";
import { importKindFromSlug, importKindSlug } from "@/lib/import/kinds";
import { exampleDeployment, templateExamples } from "@/lib/import/template-examples";
import { importError } from "@/lib/api/imports";

export async function GET(request: Request, ctx: RouteContext<"/api/imports/templates/[kind]">) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const kind = importKindFromSlug((await ctx.params).kind);
  if (!kind) return importError(400, "bad-request", 'There are templates for "training-runs" and "usage-windows".');
  const viewer = await getViewer();
  const run = prismaRunner(db());
  const references = await loadImportReferences(run, { orgId: viewer.orgId, kind });
  const deployment = kind === "usageWindows" ? exampleDeployment(references) : undefined;
  const storedWindows = deployment ? await storedWindowSpan(run, deployment.id) : null;
  const csv = templateCsv(kind, templateExamples(kind, references, { now: new Date(), timeZone: viewer.orgTimeZone, storedWindows }));
  // The byte-order mark makes Excel open the file as UTF-8; the import strips it.
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="burnrate-${importKindSlug(kind)}-template.csv"`,
      "cache-control": "no-store",
    },
  });
}
