// POST /api/imports/preview?kind=…&timeZone=…&fileName=… — checks the CSV file in the body and answers what importing it would do (JSON); writes nothing.
import { refuseCrossSiteRequest } from "@/lib/access/request-origin-guard";
import { db } from "@/lib/db/client";
import { previewImport } from "@/lib/db/mutations/imports";
import { readImportRequest, unexpectedImportError } from "@/lib/api/imports";

export async function POST(request: Request) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  try {
    const upload = await readImportRequest(request);
    if (!upload.ok) return upload.response;
    const preview = await previewImport({ client: db(), viewer: upload.viewer, file: upload.file });
    return Response.json(preview, { status: preview.status === "invalid-file" ? 422 : 200, headers: { "cache-control": "no-store" } });
  } catch (error) {
    return unexpectedImportError(error);
  }
}
