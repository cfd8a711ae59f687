import { z } from "zod";

/**
 * The deployment page's "Usage records" table in the URL:
 * ?usageBy=record|hour|day&usagePage=N. A malformed value falls back to its
 * default (usageBy: chosen from the range's record count, page 1).
 */
export const USAGE_BY = ["record", "hour", "day"] as const;
export type UsageBy = (typeof USAGE_BY)[number];

export const USAGE_BY_LABELS: Record<UsageBy, string> = { record: "Records", hour: "By hour", day: "By day" };

/** Up to this many records in the range, the table lists them one by one; past it, by day. */
export const MAX_RECORDS_LISTED_BY_DEFAULT = 500;

const one = (value: unknown) => (Array.isArray(value) ? value[0] : value);

export const usageTableParamsSchema = z.object({
  usageBy: z.preprocess(one, z.enum(USAGE_BY).optional()).catch(undefined),
  usagePage: z.preprocess(one, z.coerce.number().int().min(1).max(1_000_000).default(1)).catch(1),
});

export type UsageTableParams = z.output<typeof usageTableParamsSchema>;

export function parseUsageTableParams(searchParams: Record<string, string | string[] | undefined>): UsageTableParams {
  return usageTableParamsSchema.parse({ usageBy: searchParams.usageBy, usagePage: searchParams.usagePage });
}

/** The table's grain: the one asked for, else records when the range holds few enough, else days. */
export function resolveUsageBy({ asked, recordsInRange }: { asked: UsageBy | undefined; recordsInRange: number }): UsageBy {
  return asked ?? (recordsInRange <= MAX_RECORDS_LISTED_BY_DEFAULT ? "record" : "day");
}
