// GET /api/v1/openapi.json — the OpenAPI 3.1 document of API v1, generated from its operations; public.
import { NextResponse } from "next/server";
import { API_OPERATIONS } from "@/lib/api/v1/operations";
import { buildOpenApiDocument, type OpenApiDocument } from "@/lib/api/v1/openapi";
import { publicUrl } from "@/lib/env";

// The server URL comes from the environment at run time, not at build time.
export const dynamic = "force-dynamic";

// The operations are fixed for the life of the process: build the document once.
let document: OpenApiDocument | undefined;

export function GET() {
  document ??= buildOpenApiDocument(API_OPERATIONS, { serverUrl: publicUrl().origin });
  return NextResponse.json(document, { headers: { "cache-control": "public, max-age=300" } });
}
