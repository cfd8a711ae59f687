// POST /api/imports/commit?kind=…&timeZone=…&fileName=… — imports the CSV file in the body, all or nothing, streaming NDJSON progress events and then the result.
import { refuseCrossSiteRequest } from "@/lib/access/request-origin-guard";
import { db } from "@/lib/db/client";
import { commitImport } from "@/lib/db/mutations/imports";
import { importEventStream, readImportRequest, unexpectedImportError } from "@/lib/api/imports";

export async function POST(request: Request) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  try {
    const upload = await readImportRequest(request);
    if (!upload.ok) return upload.response;
    return importEventStream((onProgress) => commitImport({ client: db(), viewer: upload.viewer, file: upload.file, onProgress }));
  } catch (error) {
    return unexpectedImportError(error);
  }
}
