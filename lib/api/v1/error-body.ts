import { z } from "zod";

/**
 * The one error body of API v1 (and of every route handler): `{ error: { code,
 * message, field?, issues?, issueCount? } }`. Validation failures (422) list
 * a message per item and field — at most MAX_LISTED_ISSUES, with the total in
 * `issueCount`.
 */
export const MAX_LISTED_ISSUES = 100;

export const API_ERROR_CODES = [
  "bad-request",
  "invalid",
  "unauthenticated",
  "forbidden",
  "not-found",
  "method-not-allowed",
  "conflict",
  "too-large",
  "unsupported-media-type",
  "rate-limited",
  "internal",
  "unavailable",
] as const;

export const apiIssueSchema = z
  .object({
    path: z.string().meta({ description: 'Where the problem is, e.g. "windows[12].requests" or "endedAt".', example: "windows[12].requests" }),
    message: z.string().meta({ description: "What is wrong, in words a person can act on." }),
  })
  .meta({ id: "ApiIssue" });

export const apiErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(API_ERROR_CODES),
      message: z.string(),
      field: z.string().optional().meta({ description: "The parameter or header at fault, when there is one." }),
      issues: z.array(apiIssueSchema).max(MAX_LISTED_ISSUES).optional(),
      issueCount: z.number().int().min(0).optional().meta({ description: "How many problems there are in all (only the first 100 are listed)." }),
    }),
  })
  .meta({ id: "ApiError" });

export type ApiIssue = z.infer<typeof apiIssueSchema>;
export type ApiErrorBodyV1 = z.infer<typeof apiErrorBodySchema>;
