// GET /api/imports/templates/:kind — the CSV template (header + an example row naming records the viewer may import into) for training-runs or usage-windows.
import { db } from "@/lib/db/client";
import { authorizeImport, loadScopedImportReferences } from "@/lib/db/mutations/imports";
import { storedWindowSpan } from "@/lib/db/queries/import-references";
import { prismaRunner } from "@/lib/db/sql";
import { templateCsv } from "@/lib/import/columns";
import { importKindFromSlug, importKindSlug } from "@/lib/import/kinds";
import { exampleDeployment, templateExamples } from "@/lib/import/template-examples";
import { apiError } from "@/lib/api/errors";
import { guardedRoute } from "@/lib/api/route";

export const GET = guardedRoute<RouteContext<"/api/imports/templates/[kind]">>(
  async ({ viewer, context }) => {
    const kind = importKindFromSlug((await context.params).kind);
    if (!kind) return apiError(400, "bad-request", 'There are templates for "training-runs" and "usage-windows".', "kind");
    const denied = authorizeImport(viewer);
    if (denied) return denied;
    const run = prismaRunner(db());
    const scoped = await loadScopedImportReferences(run, { viewer, kind });
    // The example names only teams and deployments the viewer may import into.
    const references = { ...scoped, teams: scoped.teams.filter((t) => !t.refusal), deployments: scoped.deployments.filter((d) => !d.refusal) };
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
  },
  { stateChanging: false },
);
