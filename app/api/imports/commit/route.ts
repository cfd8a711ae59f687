// POST /api/imports/commit?kind=…&timeZone=…&fileName=… — imports the CSV file in the body, all or nothing, streaming NDJSON progress events and then the result.
import { db } from "@/lib/db/client";
import { commitImport } from "@/lib/db/mutations/imports";
import { importEventStream, readImportRequest, unexpectedImportError } from "@/lib/api/imports";
import { guardedRoute } from "@/lib/api/route";

export const POST = guardedRoute(
  async ({ request, viewer }) => {
    try {
      const upload = await readImportRequest(request, viewer);
      if (!upload.ok) return upload.response;
      return importEventStream((onProgress) => commitImport({ client: db(), viewer: upload.viewer, file: upload.file, onProgress }));
    } catch (error) {
      return unexpectedImportError(error);
    }
  },
  { stateChanging: true },
);
