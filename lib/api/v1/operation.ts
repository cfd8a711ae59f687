import type { z } from "zod";
import type { ApiKeyScope } from "@/lib/access/viewer";

/**
 * One operation of the REST API v1, described once: the route wrapper
 * (lib/api/v1/route.ts) validates with these schemas, and the OpenAPI
 * document (lib/api/v1/openapi.ts) is generated from the same objects, so the
 * document can't drift from what the server accepts.
 */
export interface ApiOperation {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** OpenAPI path template, e.g. "/api/v1/runs/{externalId}". */
  path: string;
  operationId: string;
  summary: string;
  /** Markdown. */
  description: string;
  tag: "Training runs" | "Usage" | "Reports" | "Suggestions" | "Prometheus" | "Meta";
  /** The key scope it needs; null: any valid key or session (or none, for public documents). */
  scope: ApiKeyScope | null;
  /** False for the OpenAPI document itself. */
  authenticated: boolean;
  /** Path parameters (strings in the URL). */
  params?: z.ZodObject;
  /** Query parameters. */
  query?: z.ZodObject;
  /** JSON request body. */
  body?: z.ZodType;
  /** Other request content types, e.g. Prometheus text. */
  rawBody?: { contentType: string; description: string };
  /** Whether an Idempotency-Key header is honoured. */
  idempotent?: boolean;
  /** Success responses by status. A response may be JSON (schema) or another media type. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}
