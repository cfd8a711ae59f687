// POST /api/imports/preview?kind=…&timeZone=…&fileName=… — checks the CSV file in the body and answers what importing it would do (JSON); writes nothing.
import { db } from "@/lib/db/client";
import { previewImport } from "@/lib/db/mutations/imports";
import { readImportRequest, unexpectedImportError } from "@/lib/api/imports";
import { guardedRoute } from "@/lib/api/route";

export const POST = guardedRoute(
  async ({ request, viewer }) => {
    try {
      const upload = await readImportRequest(request, viewer);
      if (!upload.ok) return upload.response;
      const preview = await previewImport({ client: db(), viewer: upload.viewer, file: upload.file });
      if (preview.status === "denied") return preview.denied;
      return Response.json(preview, { status: preview.status === "invalid-file" ? 422 : 200, headers: { "cache-control": "no-store" } });
    } catch (error) {
      return unexpectedImportError(error);
    }
  },
  { stateChanging: true },
);
